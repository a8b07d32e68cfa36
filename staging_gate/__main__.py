import sys

from staging_gate.cli import main

sys.exit(main())
