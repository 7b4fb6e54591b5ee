"""How far the aliases of a YAML text reach, measured before anything is built from them.

An alias (``*name``) stands for the whole value its anchor (``&name``) marks. A few lines of
aliases of aliases can stand for a billion values ("billion laughs"), an alias written inside
its own anchor for an endless one, and an alias of a deep value can nest it deeper than any
model. The composed YAML shares each anchored node among its aliases, so it stays small; the
parser's events are read here once, counting what building plain data from it would produce.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from bizmap.domain.validate import Problem

EXPANSION_FLOOR = 100_000  # values any file may expand to through its aliases
EXPANSION_PER_CHARACTER = 2  # and beyond the floor, this many per character of the file
MAX_NESTING = 100  # lists and mappings inside each other; a model needs fewer than ten


def expansion_budget(text: str) -> int:
    """The most values (scalars, lists and mappings, keys included) ``text`` may expand to."""
    return max(EXPANSION_FLOOR, EXPANSION_PER_CHARACTER * len(text))


@dataclass
class _Collection:
    """A list or mapping being read: its values so far, aliases expanded, and its levels."""

    anchor: str | None
    size: int = 1  # itself
    levels: int = 1  # itself, and the collections nested in it

    def add(self, size: int, levels: int) -> None:
        self.size += size
        self.levels = max(self.levels, levels + 1)


@dataclass(frozen=True)
class _Anchored:
    size: int
    levels: int  # 0 for a scalar


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def alias_problem(text: str, name: str, loader: type[yaml.SafeLoader | yaml.CSafeLoader]) -> Problem | None:
    """The problem of ``text``'s aliases, or None; ``text`` must be a YAML text that composes.

    Refused: an alias inside its own anchor, an alias that nests a value more than
    ``MAX_NESTING`` levels deep, and aliases expanding the text past ``expansion_budget``
    (named at the alias that expands to most).
    """
    anchors: dict[str, _Anchored] = {}
    opened: dict[str, int] = {}  # the anchors of the collections being read: their lines
    document = _Collection(None, size=0, levels=0)
    open_: list[_Collection] = [document]
    largest: tuple[int, yaml.AliasEvent] | None = None
    for event in yaml.parse(text, Loader=loader):
        line = _line(event)
        if isinstance(event, yaml.DocumentStartEvent):
            anchors.clear()
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            open_.append(_Collection(event.anchor))
            if event.anchor is not None:
                opened[event.anchor] = line
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            done = open_.pop()
            if done.anchor is not None:
                anchors[done.anchor] = _Anchored(done.size, done.levels)
                del opened[done.anchor]
            open_[-1].add(done.size, done.levels)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                anchors[event.anchor] = _Anchored(1, 0)
            open_[-1].add(1, 0)
        elif isinstance(event, yaml.AliasEvent):
            anchor = event.anchor or ""
            if anchor in opened:
                return Problem(
                    name,
                    line,
                    f"alias *{anchor} is inside its own anchor &{anchor} (line {opened[anchor]}), "
                    "so it would expand without end: write the values out",
                )
            anchored = anchors.get(anchor)
            if anchored is None:  # an undefined alias: composing refused it already
                continue
            levels = len(open_) - 1 + anchored.levels
            if levels > MAX_NESTING:
                return Problem(
                    name,
                    line,
                    f"alias *{anchor} puts its value {levels} levels deep, nested more than "
                    f"{MAX_NESTING} levels deep (lists and mappings inside each other), past what "
                    "any model needs: write the values out or use fewer aliases",
                )
            if largest is None or anchored.size > largest[0]:
                largest = (anchored.size, event)
            open_[-1].add(anchored.size, anchored.levels)
    budget = expansion_budget(text)
    if largest is None or document.size <= budget:
        return None
    size, alias = largest
    return Problem(
        name,
        _line(alias),
        f"alias *{alias.anchor} expands to {size:,} values, and the aliases of this file to "
        f"{document.size:,} in all: more than the {budget:,} allowed for a file of "
        f"{len(text):,} characters; write the values out or use fewer aliases",
    )
