"""crypto (no Qt widgets)."""
