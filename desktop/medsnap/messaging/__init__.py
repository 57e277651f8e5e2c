"""messaging (no Qt widgets)."""
