"""What the registry hands out: frozen rows, detached from any database session, and the
closed lists of states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Ledger of files (one row per path, by sha256 too). `seen`: noticed, not yet stable or not
# yet taken; `processing`: archived and being checked; `done`: part of a checked dossier;
# `failed`: could not be processed (see `detail`); `duplicate`: same content as a file
# already taken; `ignored`: a temporary or lock file, or a name the inbox does not handle.
FILE_STATES = ("seen", "processing", "done", "failed", "duplicate", "ignored")

# Dossiers. `received`: found in the inbox, not checked yet (or changed since its last
# check); `checked`: its last check is recorded (complete or not: see the summary);
# `failed`: the last attempt failed (see `error`); `closed`: no longer followed (set by
# hand, never by the sweep): left out of the nightly run.
DOSSIER_STATES = ("received", "checked", "failed", "closed")
OPEN_DOSSIER_STATES = ("received", "checked", "failed")


@dataclass(frozen=True)
class CallRow:
    """One version of a call's rules, as used for checks."""

    call_id: str
    version: int
    rules_sha256: str
    path: str
    recorded_at: datetime


@dataclass(frozen=True)
class FileRow:
    """The ledger's entry for one path of the inbox."""

    path: str
    size: int
    mtime: float
    sha256: str | None
    state: str
    dossier_key: str | None
    detail: str | None
    first_seen: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DossierRow:
    """One dossier (`key` = "<call_id>/<dossier name>") with what its last check said.

    `fingerprint`, `rules_version`, `checked_on`, `note_version`, `summary` and `applicant`
    repeat the last check so that the nightly run and the status table need no other
    query; they are None (summary: empty) before the first check."""

    key: str
    call_id: str
    name: str
    path: str
    state: str
    error: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    last_check_id: int | None = None
    fingerprint: str | None = None
    rules_version: int | None = None
    checked_on: date | None = None
    note_version: int | None = None
    applicant: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckRow:
    """One check run of a dossier: the whole result (JSON text) and its summary."""

    id: int
    dossier_key: str
    fingerprint: str
    rules_version: int
    result_json: str
    summary: dict[str, Any]
    checked_on: date
    note_version: int
    created_at: datetime


@dataclass(frozen=True)
class DocumentRow:
    """One piece of a dossier as its check saw it (from the result's `documents`)."""

    dossier_key: str
    check_id: int
    name: str
    sha256: str | None
    piece: str | None
    pages: str | None


@dataclass(frozen=True)
class EventRow:
    """One line of the audit trail: what happened (`kind`) to what (`subject`), when."""

    id: int
    at: datetime
    kind: str
    subject: str
    detail: str
