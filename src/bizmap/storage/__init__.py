"""Storage: SQLite (embedded default, one file, WAL) or PostgreSQL, one schema, versioned migrations.

from bizmap.storage import Store, migrate

migrate(url)  # at start: creates and upgrades the database
store = Store(url)
accepted, duplicates = store.append_events([(event, received_at, matched), ...])

A write refused for lack of room (disk full) raises ``StorageUnavailable``: nothing of it is stored.
"""

from bizmap.storage.migrate import migrate
from bizmap.storage.records import (
    AuditEntry,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    StoredEvent,
    TokenInfo,
)
from bizmap.storage.schema import ROLES
from bizmap.storage.store import Store, TokenNameInUse, UnknownIncident
from bizmap.storage.unavailable import StorageUnavailable

__all__ = [
    "ROLES",
    "AuditEntry",
    "Incident",
    "IncidentNote",
    "MaintenanceWindow",
    "StorageUnavailable",
    "Store",
    "StoredEvent",
    "TokenInfo",
    "TokenNameInUse",
    "UnknownIncident",
    "migrate",
]
