"""The registry: what the service knows about calls, inbox files, dossiers, their checks,
and what happened when (the audit trail).

Every method is one short transaction, committed before it returns; rows come back as
frozen dataclasses, never as live database objects. Several processes may write at once
(each opens its own `Registry`; one created before a fork is reopened in the child, not
shared). SQLite by default, any SQLAlchemy URL otherwise (PostgreSQL): the statements are
SQLAlchemy Core, portable as they are.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

from pipeline.store.engine import WRITE_OPTION, make_engine
from pipeline.store.errors import RegistryError, UnknownDossierError
from pipeline.store.migrations import migrate, result_details
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
from pipeline.store.schema import calls, checks, documents, dossiers, events, files

# Two processes recording the same new call version at once: the loser retries this often.
_RACE_RETRIES = 5


class Registry:
    """The registry database at `url` (created, or migrated to the latest schema, here).

    Raises `RegistryError` when the database cannot be opened or was written by a newer
    version of the program."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pid = os.getpid()
        try:
            self._engine = make_engine(url)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise RegistryError(
                f"L'adresse de base de données « {_safe_url(url)} » n'est pas utilisable : {exc}.",
                "Vérifiez AAP_DATABASE_URL (par exemple postgresql+psycopg://hôte/base).",
            ) from None
        except OSError as exc:
            raise RegistryError(
                f"Le dossier du registre « {_safe_url(url)} » ne peut pas être créé : "
                f"{exc.strerror or exc}.",
                "Vérifiez le chemin et les droits d'écriture.",
            ) from None
        try:
            self.schema_version = migrate(self._engine)
        except DBAPIError as exc:
            self._engine.dispose()
            raise RegistryError(
                f"Le registre « {_safe_url(url)} » ne peut pas être ouvert : {exc.orig}.",
                "Vérifiez que la base est accessible (chemin, droits, serveur démarré).",
            ) from None
        except BaseException:
            self._engine.dispose()
            raise

    # -- connections ---------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        """One transaction, committed on exit (rolled back on an exception)."""
        if os.getpid() != self._pid:
            # Connections inherited through fork belong to the parent: never reuse them.
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        with self._engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Release the database connections (the registry can be reopened later)."""
        self._engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- calls ---------------------------------------------------------------------

    def record_call(self, call_id: str, rules_sha256: str, path: str) -> int:
        """The version number of the rules of `call_id` whose digest is `rules_sha256`:
        the current one when the rules did not change, else a new one (1, 2, …) recorded
        with the rules file's `path`."""
        for _ in range(_RACE_RETRIES):
            with self._transaction(write=True) as conn:
                last = conn.execute(
                    select(calls.c.version, calls.c.rules_sha256)
                    .where(calls.c.call_id == call_id)
                    .order_by(calls.c.version.desc())
                    .limit(1)
                ).first()
                if last is not None and last.rules_sha256 == rules_sha256:
                    return int(last.version)
                version = (last.version if last is not None else 0) + 1
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(calls).values(
                                call_id=call_id,
                                version=version,
                                rules_sha256=rules_sha256,
                                path=str(path),
                                recorded_at=_now(),
                            )
                        )
                except IntegrityError:
                    continue  # another process took this version number first: look again
                return version
        raise RegistryError(
            f"La version des règles de l'appel « {call_id} » n'a pas pu être enregistrée "
            "(trop d'écritures simultanées).",
            "Relancez la commande.",
        )

    def call(self, call_id: str, version: int | None = None) -> CallRow | None:
        """One version of a call's rules (the latest when `version` is None)."""
        query = select(calls).where(calls.c.call_id == call_id)
        if version is not None:
            query = query.where(calls.c.version == version)
        query = query.order_by(calls.c.version.desc()).limit(1)
        with self._transaction(write=False) as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _call_row(row)

    def calls(self) -> list[CallRow]:
        """Every version of every call, by call id then version."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(calls).order_by(calls.c.call_id, calls.c.version))
            return [_call_row(row) for row in rows.mappings()]

    # -- ledger of files -------------------------------------------------------------

    def file_state(self, path: str) -> FileRow | None:
        """The ledger's entry for `path`, or None for a path never recorded."""
        with self._transaction(write=False) as conn:
            row = conn.execute(select(files).where(files.c.path == str(path))).mappings().first()
        return None if row is None else _file_row(row)

    def record_file(
        self,
        path: str,
        size: int,
        mtime: float,
        sha256: str | None,
        state: str,
        dossier_key: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Record what is known of `path` now: its entry becomes exactly these values
        (`first_seen` is kept). Raises `ValueError` for a state outside `FILE_STATES`."""
        _check_state(state, FILE_STATES, "fichier")
        now = _now()
        values = {
            "size": int(size),
            "mtime": float(mtime),
            "sha256": sha256,
            "state": state,
            "dossier_key": dossier_key,
            "detail": detail,
            "updated_at": now,
        }
        with self._transaction(write=True) as conn:
            _upsert(
                conn,
                lambda: update(files).where(files.c.path == str(path)).values(**values),
                lambda: insert(files).values(path=str(path), first_seen=now, **values),
            )

    def find_by_sha256(self, sha256: str) -> list[FileRow]:
        """Every path whose content has this digest, the first recorded first."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(files).where(files.c.sha256 == sha256).order_by(files.c.id))
            return [_file_row(row) for row in rows.mappings()]

    def files(self, state: str | None = None, dossier_key: str | None = None) -> list[FileRow]:
        """The ledger, optionally only one state or one dossier, in recording order (a
        restarted sweep looks for `processing` entries left by a killed one)."""
        query = select(files).order_by(files.c.id)
        if state is not None:
            query = query.where(files.c.state == state)
        if dossier_key is not None:
            query = query.where(files.c.dossier_key == dossier_key)
        with self._transaction(write=False) as conn:
            return [_file_row(row) for row in conn.execute(query).mappings()]

    # -- dossiers --------------------------------------------------------------------

    def upsert_dossier(self, key: str, call_id: str, path: str, state: str) -> DossierRow:
        """Record the dossier `key` ("<call_id>/<name>") at `path` in `state`, creating
        it the first time; its last check is kept, its error cleared unless `state` is
        `failed`. Raises `ValueError` for a bad state or a key not under `call_id`."""
        _check_state(state, DOSSIER_STATES, "dossier")
        name = _dossier_name(key, call_id)
        now = _now()
        values: dict[str, Any] = {"call_id": call_id, "path": str(path), "state": state}
        values["updated_at"] = now
        if state != "failed":
            values["error_json"] = None
        with self._transaction(write=True) as conn:
            _upsert(
                conn,
                lambda: update(dossiers).where(dossiers.c.key == key).values(**values),
                lambda: insert(dossiers).values(key=key, name=name, created_at=now, **values),
            )
            row = conn.execute(select(dossiers).where(dossiers.c.key == key)).mappings().one()
        return _dossier_row(row)

    def dossier(self, key: str) -> DossierRow | None:
        """The dossier `key`, or None if never recorded."""
        with self._transaction(write=False) as conn:
            row = conn.execute(select(dossiers).where(dossiers.c.key == key)).mappings().first()
        return None if row is None else _dossier_row(row)

    def dossiers(self, call_id: str | None = None, open_only: bool = False) -> list[DossierRow]:
        """The dossiers (of one call), by key; `open_only` leaves out `closed` ones."""
        query = select(dossiers).order_by(dossiers.c.key)
        if call_id is not None:
            query = query.where(dossiers.c.call_id == call_id)
        if open_only:
            query = query.where(dossiers.c.state.in_(OPEN_DOSSIER_STATES))
        with self._transaction(write=False) as conn:
            return [_dossier_row(row) for row in conn.execute(query).mappings()]

    def set_dossier_state(self, key: str, state: str, error: dict | None = None) -> None:
        """Move the dossier to `state`, with `error` (code, stage, message…) for a failure
        (cleared otherwise). Raises `UnknownDossierError` for a key never recorded."""
        _check_state(state, DOSSIER_STATES, "dossier")
        error_json = _dumps(error) if error is not None else None
        with self._transaction(write=True) as conn:
            changed = conn.execute(
                update(dossiers)
                .where(dossiers.c.key == key)
                .values(state=state, error_json=error_json, updated_at=_now())
            ).rowcount
        if not changed:
            raise UnknownDossierError(key)

    # -- checks ----------------------------------------------------------------------

    def record_check(
        self,
        key: str,
        fingerprint: str,
        rules_version: int,
        result_json: str,
        summary: dict,
        checked_on: date,
        note_version: int,
    ) -> int:
        """Record a check run of dossier `key` and return its id. In the same transaction
        the dossier becomes `checked` (error cleared) with this check as its last one, and
        the pieces listed in the result are recorded (`documents`).

        `fingerprint` is the digest the inbox computed over the dossier's files, the rules
        and the corrections; `summary` must be JSON-serialisable (Decimal and dates are
        written as text). Raises `UnknownDossierError`, or `ValueError` when `result_json`
        is not JSON."""
        try:
            json.loads(result_json)
        except (ValueError, RecursionError):
            raise ValueError(f"Le résultat du contrôle de « {key} » n'est pas du JSON.") from None
        applicant, pieces = result_details(result_json)
        summary_json = _dumps(summary)
        now = _now()
        with self._transaction(write=True) as conn:
            exists = conn.scalar(select(func.count()).where(dossiers.c.key == key))
            if not exists:
                raise UnknownDossierError(key)
            check_id = conn.execute(
                insert(checks).values(
                    dossier_key=key,
                    fingerprint=fingerprint,
                    rules_version=rules_version,
                    result_json=result_json,
                    summary_json=summary_json,
                    checked_on=checked_on,
                    note_version=note_version,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            if pieces:
                conn.execute(
                    insert(documents),
                    [{"dossier_key": key, "check_id": check_id, **piece} for piece in pieces],
                )
            conn.execute(
                update(dossiers)
                .where(dossiers.c.key == key)
                .values(
                    state="checked",
                    error_json=None,
                    updated_at=now,
                    last_check_id=check_id,
                    fingerprint=fingerprint,
                    rules_version=rules_version,
                    checked_on=checked_on,
                    note_version=note_version,
                    applicant=applicant,
                    summary_json=summary_json,
                )
            )
        return int(check_id)

    def last_check(self, key: str) -> CheckRow | None:
        """The latest check run of dossier `key`, or None if never checked."""
        query = select(checks).where(checks.c.dossier_key == key).order_by(checks.c.id.desc())
        with self._transaction(write=False) as conn:
            row = conn.execute(query.limit(1)).mappings().first()
        return None if row is None else _check_row(row)

    def checks(self, key: str) -> list[CheckRow]:
        """Every check run of dossier `key`, the oldest first."""
        query = select(checks).where(checks.c.dossier_key == key).order_by(checks.c.id)
        with self._transaction(write=False) as conn:
            return [_check_row(row) for row in conn.execute(query).mappings()]

    def next_note_version(self, key: str) -> int:
        """The number of the next instruction note of dossier `key` (1 for the first)."""
        query = select(func.max(checks.c.note_version)).where(checks.c.dossier_key == key)
        with self._transaction(write=False) as conn:
            return int(conn.scalar(query) or 0) + 1

    def documents(self, key: str) -> list[DocumentRow]:
        """The pieces of dossier `key` as its last check listed them."""
        last = select(func.max(checks.c.id)).where(checks.c.dossier_key == key).scalar_subquery()
        query = select(documents).where(documents.c.check_id == last).order_by(documents.c.id)
        with self._transaction(write=False) as conn:
            return [
                DocumentRow(
                    dossier_key=row["dossier_key"],
                    check_id=row["check_id"],
                    name=row["name"],
                    sha256=row["sha256"],
                    piece=row["piece"],
                    pages=row["pages"],
                )
                for row in conn.execute(query).mappings()
            ]

    # -- audit trail -----------------------------------------------------------------

    def event(self, kind: str, subject: str, detail: str = "") -> None:
        """Add a line to the audit trail: `kind` (short code, e.g. "archived") happened to
        `subject` (a path or a dossier key), with a French `detail`."""
        with self._transaction(write=True) as conn:
            conn.execute(
                insert(events).values(at=_now(), kind=kind, subject=str(subject), detail=detail)
            )

    def events(
        self, subject: str | None = None, kind: str | None = None, after_id: int = 0
    ) -> list[EventRow]:
        """The audit trail in order (of one subject, of one kind, after an event id)."""
        query = select(events).where(events.c.id > after_id).order_by(events.c.id)
        if subject is not None:
            query = query.where(events.c.subject == str(subject))
        if kind is not None:
            query = query.where(events.c.kind == kind)
        with self._transaction(write=False) as conn:
            return [
                EventRow(
                    id=row["id"],
                    at=_utc(row["at"]),
                    kind=row["kind"],
                    subject=row["subject"],
                    detail=row["detail"],
                )
                for row in conn.execute(query).mappings()
            ]


# -- helpers -------------------------------------------------------------------------


def _upsert(conn: Connection, make_update: Any, make_insert: Any) -> None:
    """Update the row, or insert it when absent. The insert runs in a savepoint: should
    another process insert the same key in between (PostgreSQL; SQLite's write lock
    prevents it), the update is applied to its row instead of failing."""
    if conn.execute(make_update()).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(make_insert())
    except IntegrityError:
        if not conn.execute(make_update()).rowcount:
            raise


def _check_state(state: str, allowed: tuple[str, ...], what: str) -> None:
    if state not in allowed:
        raise ValueError(f"État de {what} inconnu : « {state} » (attendu : {', '.join(allowed)}).")


def _dossier_name(key: str, call_id: str) -> str:
    prefix = f"{call_id}/"
    if not call_id or "/" in call_id or not key.startswith(prefix) or len(key) == len(prefix):
        raise ValueError(f"La clé de dossier « {key} » doit être « {call_id}/<nom du dossier> ».")
    return key[len(prefix) :]


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite gives them back naive)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"valeur non sérialisable en JSON : {type(value).__name__}")


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_json_default)


def _loads_dict(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _call_row(row: Mapping[str, Any]) -> CallRow:
    return CallRow(
        call_id=row["call_id"],
        version=row["version"],
        rules_sha256=row["rules_sha256"],
        path=row["path"],
        recorded_at=_utc(row["recorded_at"]),
    )


def _file_row(row: Mapping[str, Any]) -> FileRow:
    return FileRow(
        path=row["path"],
        size=row["size"],
        mtime=row["mtime"],
        sha256=row["sha256"],
        state=row["state"],
        dossier_key=row["dossier_key"],
        detail=row["detail"],
        first_seen=_utc(row["first_seen"]),
        updated_at=_utc(row["updated_at"]),
    )


def _dossier_row(row: Mapping[str, Any]) -> DossierRow:
    return DossierRow(
        key=row["key"],
        call_id=row["call_id"],
        name=row["name"],
        path=row["path"],
        state=row["state"],
        error=_loads_dict(row["error_json"]),
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        last_check_id=row["last_check_id"],
        fingerprint=row["fingerprint"],
        rules_version=row["rules_version"],
        checked_on=row["checked_on"],
        note_version=row["note_version"],
        applicant=row["applicant"],
        summary=_loads_dict(row["summary_json"]) or {},
    )


def _check_row(row: Mapping[str, Any]) -> CheckRow:
    return CheckRow(
        id=row["id"],
        dossier_key=row["dossier_key"],
        fingerprint=row["fingerprint"],
        rules_version=row["rules_version"],
        result_json=row["result_json"],
        summary=_loads_dict(row["summary_json"]) or {},
        checked_on=row["checked_on"],
        note_version=row["note_version"],
        created_at=_utc(row["created_at"]),
    )
