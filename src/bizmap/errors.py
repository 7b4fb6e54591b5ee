"""The errors a user can cause, in one hierarchy.

BizmapError
├── ModelInvalid        (bizmap.domain.validate: every problem of a model, located)
├── EventError          one event is malformed; names the field
│   └── EventLineError  ... at a line of an event log
└── UsageError          a command's arguments are wrong (exit code 2)
"""

from __future__ import annotations


class BizmapError(Exception):
    """Base of the errors bizmap reports to users without a traceback."""


class EventError(BizmapError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class EventLineError(BizmapError):
    def __init__(self, path: str, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: error: {message}")


class UsageError(BizmapError):
    """Wrong arguments: exit code 2."""
