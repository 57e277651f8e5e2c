"""MedSnap's icons, style sheets and desktop files. Installed as the package
``medsnap_resources`` (pyproject maps it to this folder); the app finds them through
``importlib.resources`` (see medsnap/ui/icons.py), so nothing is copied into the code."""
