"""The errors a user can cause, in one hierarchy; each names the file, field or id, and the fix.

The web shell answers every one with a status (``bizmap.web.errors.STATUS``) and a problem document
(RFC 9457) on the API or the error page in the UI; the CLI prints it without a traceback (exit code 1, or 2
for ``UsageError``). Private classes (``_Name``) are caught where they are raised.

BizmapError
├── EventError                one event is malformed; names the field
├── EventLineError            ... at a line of an event log (FILE:LINE)
├── UsageError                a command's arguments are wrong (exit code 2)
│   └── UnknownServiceId      no business service with that id, for a review (reports.review)
├── UnknownStateError         a state name bizmap does not know (domain.states)
├── ModelInvalid              every problem of a model, located (domain.validate)
├── _DuplicateKey             a key twice in one YAML mapping (model.loading)
├── _NestedTooDeep            YAML nested past any model's need (model.loading)
├── ImportFailed              a catalog cannot be imported (model.importers.catalog)
├── BiaInvalid                a BIA questionnaire or thresholds file (decisions.bia.files)
├── CaseInvalid               a business case's figures (decisions.case.checks)
├── CaseFileInvalid           a business case file (decisions.case.files)
├── DialError                 an availability dial change (decisions.availability.dial)
├── ExactTooLarge             too many parts for the exact availability sum (decisions.availability.predict)
├── SloFileError              an OpenSLO file (slo.files)
├── NotifyConfigError         the notifications config (live.notifications)
├── ScheduleConfigError       the scheduled reports config (reports.schedule)
├── UnknownIncidentId         no incident with that id, for a report (reports.incident)
├── UserError                 a user name or password (storage.users)
├── TokenNameInUse            a token name taken (storage.store)
├── UnknownIncident           no incident with that id (storage.store)
├── StorageUnavailable        the database refuses writes for lack of room: 503 (storage.unavailable)
├── CheckpointUnusable        an unreadable engine state: all events are replayed (engine.checkpoint)
├── LoginRequired             a page without a session: to the login page (web.sessions)
├── PageForbidden             a page the viewer's role may not see (web.sessions)
├── PastedInvalid             a pasted business case or dial file (web.ui.decisions_forms)
└── _BadNode                  a what-if node id that is not in the model (web.api.live)
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


class CheckpointUnusable(BizmapError):
    """A checkpoint of the engine's state that cannot be read (damaged, or of another format)."""
