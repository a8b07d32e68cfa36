"""``python -m reference_target`` (see cli.py)."""

from reference_target.cli import main

raise SystemExit(main())
