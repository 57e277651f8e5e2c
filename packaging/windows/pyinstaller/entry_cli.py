"""Frozen entry point of medsnap-cli.exe: the command line (medsnap --help, --show-config...)."""

import multiprocessing

# PDF pages are drawn in a child process (imaging/pdf_worker): started as that child,
# a frozen program hands over to multiprocessing here, before importing the app.
multiprocessing.freeze_support()

from medsnap.cli import main  # noqa: E402

raise SystemExit(main())
