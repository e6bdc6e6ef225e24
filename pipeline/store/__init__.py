"""The registry of the service (calls, ledger of inbox files, dossiers, check runs, audit
trail) in a SQL database: SQLite in the data home by default, PostgreSQL through
`AAP_DATABASE_URL`. See `Registry`."""

from pipeline.store.errors import RegistryError, UnknownDossierError
from pipeline.store.migrations import LATEST_VERSION
from pipeline.store.registry import Registry
from pipeline.store.rows import (
    DOSSIER_STATES,
    FILE_STATES,
    OPEN_DOSSIER_STATES,
    CallRow,
    CheckRow,
    DocumentRow,
    DossierRow,
    EventRow,
    FileRow,
)

__all__ = [
    "DOSSIER_STATES",
    "FILE_STATES",
    "LATEST_VERSION",
    "OPEN_DOSSIER_STATES",
    "CallRow",
    "CheckRow",
    "DocumentRow",
    "DossierRow",
    "EventRow",
    "FileRow",
    "Registry",
    "RegistryError",
    "UnknownDossierError",
]
