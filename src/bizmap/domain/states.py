"""States of nodes and signals, and how input spellings map onto them."""

from __future__ import annotations

from enum import IntEnum

from bizmap.errors import BizmapError


class State(IntEnum):
    """Node state, ordered from best to worst so that ``max`` is "worst of"."""

    OK = 0
    DEGRADED = 1
    UNKNOWN = 2
    DOWN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:
        return self.label


# Each state's word, indexed by the state's number: STATE_LABELS[State.DOWN] == "down".
STATE_LABELS: tuple[str, ...] = tuple(state.label for state in State)

_STATE_NAMES: dict[str, State] = {
    "ok": State.OK,
    "up": State.OK,
    "degraded": State.DEGRADED,
    "warning": State.DEGRADED,
    "warn": State.DEGRADED,
    "unknown": State.UNKNOWN,
    "down": State.DOWN,
    "critical": State.DOWN,
    "crit": State.DOWN,
    "error": State.DOWN,
}

# Nagios/Icinga plugin exit codes.
_NAGIOS_CODES: dict[int, State] = {0: State.OK, 1: State.DEGRADED, 2: State.DOWN, 3: State.UNKNOWN}

ACCEPTED_STATE_NAMES = tuple(_STATE_NAMES)


class UnknownStateError(BizmapError, ValueError):
    """A state name or code that is not one of the accepted spellings."""


def parse_state(value: object) -> State:
    """Map an input state (name, case-insensitive, or Nagios exit code) onto a ``State``.

    Booleans are refused even though they are integers in Python: ``true`` is not a state.
    """
    if isinstance(value, State):
        return value
    if isinstance(value, bool):
        raise UnknownStateError(f"unknown state {value!r}")
    if isinstance(value, int):
        try:
            return _NAGIOS_CODES[value]
        except KeyError:
            raise UnknownStateError(
                f"unknown state code {value}: Nagios codes are 0 (ok), 1 (degraded), 2 (down) and 3 (unknown)"
            ) from None
    if isinstance(value, str):
        try:
            return _STATE_NAMES[value.strip().lower()]
        except KeyError:
            raise UnknownStateError(
                f"unknown state {value!r}: use one of {', '.join(ACCEPTED_STATE_NAMES)} or a Nagios code 0-3"
            ) from None
    raise UnknownStateError(f"unknown state {value!r}: expected a name or a Nagios code 0-3")
