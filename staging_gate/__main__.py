import sys

from staging_gate.run.cli import main

sys.exit(main())
