"""mockserver."""
