"""``bizmap import``: start a model from a Backstage catalog or a CMDB export."""

from __future__ import annotations
