"""``bizmap user``: people who log in to the web UI."""

from __future__ import annotations
