"""``bizmap report``: Business Impact Statements, service reviews and executive summaries."""

from __future__ import annotations
