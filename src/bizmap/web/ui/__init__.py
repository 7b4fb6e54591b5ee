"""The web UI: ``render`` (templates, navigation, login), one module per group of pages."""
