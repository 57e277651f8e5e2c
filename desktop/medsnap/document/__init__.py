"""document (no Qt widgets)."""
