"""Frozen entry point of medsnap-cli.exe: the command line (medsnap --help, --show-config...)."""

from medsnap.cli import main

raise SystemExit(main())
