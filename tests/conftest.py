"""Root conftest: its directory goes on sys.path, so tests can ``import helpers``."""
