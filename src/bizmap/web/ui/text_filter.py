"""The text filter of the list pages (``?q=`` on the overview and the incidents): a row is kept
when every word of the filter appears, ignoring case, in one of the row's texts."""

from __future__ import annotations

from collections.abc import Iterable

LONGEST = 200  # characters of a filter looked at


def filter_words(text: str | None) -> list[str]:
    return (text or "")[:LONGEST].casefold().split()


def kept(words: list[str], texts: Iterable[object]) -> bool:
    """Whether every word is in one of ``texts`` (no words: everything is kept)."""
    if not words:
        return True
    haystack = [str(text).casefold() for text in texts if text]
    return all(any(word in text for text in haystack) for word in words)
