"""Fixtures for the messaging tests. Helpers live in messaging_support, which test modules
import by that unique name (several folders have a conftest module)."""

from messaging_support import (demo_home, endpoint, make_desk, png_bytes,  # noqa: F401
                               ward)  # (fixtures)
