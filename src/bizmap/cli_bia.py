"""``bizmap bia``: business impact analysis questionnaires."""

from __future__ import annotations
