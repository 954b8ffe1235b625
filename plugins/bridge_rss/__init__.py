"""RSS/Atom feeds as a bridge source (built-in connector, shaped like a third-party one)."""
