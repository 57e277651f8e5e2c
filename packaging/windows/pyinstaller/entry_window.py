"""Frozen entry point of MedSnap.exe: the window (no console)."""

from medsnap.app import main

raise SystemExit(main())
