"""Pure value types and codecs for directory identities (no I/O)."""
