"""Frozen entry point of MedSnap.exe: the window (no console)."""

import multiprocessing

# PDF pages are drawn in a child process (imaging/pdf_worker): started as that child,
# a frozen program hands over to multiprocessing here, before importing the app.
multiprocessing.freeze_support()

from medsnap.app import main  # noqa: E402

raise SystemExit(main())
