"""PySide6 widgets only: they bind to the core and hold no business logic."""
