"""The domain core: pure functions and types, no I/O (checked by import-linter)."""
