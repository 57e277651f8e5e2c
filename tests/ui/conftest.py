"""Fixtures for the window tests. Helpers live in ui_support, which test modules import by
that unique name (several folders have a conftest module)."""

from ui_support import (grey_png, make_window, pattern_png, private_qt_settings,  # noqa: F401
                        qt_project_conf, settings_path)
