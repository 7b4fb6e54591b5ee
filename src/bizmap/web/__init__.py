"""The live server: HTTP API (and later the web UI)."""
