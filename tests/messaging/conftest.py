"""Fixtures for the messaging tests. Helpers live in messaging_support, which test modules
import by that unique name (several folders have a conftest module)."""

from messaging_support import endpoint, make_desk, png_bytes  # noqa: F401  (fixtures)
