"""``bizmap slo``: OpenSLO import and export."""

from __future__ import annotations
