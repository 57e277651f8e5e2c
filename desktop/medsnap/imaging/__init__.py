"""imaging (no Qt widgets)."""
