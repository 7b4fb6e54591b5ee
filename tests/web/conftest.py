"""Fixtures for the live server tests live in conftest_web (importable by name)."""

from conftest_web import database, model_path, server

__all__ = ["database", "model_path", "server"]
