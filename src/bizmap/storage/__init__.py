"""Storage: SQLite (embedded default, one file, WAL) or PostgreSQL, one schema, versioned migrations.

from bizmap.storage import Store, migrate

migrate(url)  # at start: creates and upgrades the database
store = Store(url)
accepted, duplicates = store.append_events([(event, received_at, matched), ...])
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

__all__ = [
    "ROLES",
    "AuditEntry",
    "Incident",
    "IncidentNote",
    "MaintenanceWindow",
    "Store",
    "StoredEvent",
    "TokenInfo",
    "TokenNameInUse",
    "UnknownIncident",
    "migrate",
]
