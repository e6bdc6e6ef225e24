"""Schema migrations of the registry: ordered functions, each taking the schema from the
previous version to its own, applied in one transaction at start-up.

`schema_version` holds one row per applied version. Each migration describes its own
tables (never `schema.py`, which follows the latest version): a database left at any old
version must still migrate the same way years later. Only portable DDL (CREATE TABLE,
CREATE INDEX, ALTER TABLE ADD COLUMN) and Core statements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.types import TypeEngine

from pipeline.store.engine import WRITE_OPTION
from pipeline.store.errors import RegistryError

# An arbitrary constant: the PostgreSQL advisory lock that serialises two processes
# migrating the same database at once (SQLite gets the same from BEGIN IMMEDIATE).
_PG_MIGRATION_LOCK = 4_206_512


def _version_table(metadata: MetaData) -> Table:
    return Table(
        "schema_version",
        metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
        extend_existing=True,
    )


def _v1(conn: Connection) -> None:
    """Calls (one row per version of the rules), the ledger of files, dossiers, check runs
    and the audit trail."""
    m = MetaData()
    Table(
        "calls",
        m,
        Column("id", Integer, primary_key=True),
        Column("call_id", String(200), nullable=False),
        Column("version", Integer, nullable=False),
        Column("rules_sha256", String(64), nullable=False),
        Column("path", Text, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("call_id", "version", name="uq_calls_call_version"),
    )
    Table(
        "files",
        m,
        Column("id", Integer, primary_key=True),
        Column("path", String(1000), nullable=False),
        Column("size", BigInteger, nullable=False),
        Column("mtime", Float, nullable=False),
        Column("sha256", String(64)),
        Column("state", String(20), nullable=False),
        Column("dossier_key", String(1000)),
        Column("detail", Text),
        Column("first_seen", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("path", name="uq_files_path"),
        Index("ix_files_sha256", "sha256"),
        Index("ix_files_state", "state"),
        Index("ix_files_dossier_key", "dossier_key"),
    )
    Table(
        "dossiers",
        m,
        Column("key", String(1000), primary_key=True),
        Column("call_id", String(200), nullable=False),
        Column("name", String(1000), nullable=False),
        Column("path", Text, nullable=False),
        Column("state", String(20), nullable=False),
        Column("error_json", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Index("ix_dossiers_call_id", "call_id"),
        Index("ix_dossiers_state", "state"),
    )
    Table(
        "checks",
        m,
        Column("id", Integer, primary_key=True),
        Column("dossier_key", String(1000), ForeignKey("dossiers.key"), nullable=False),
        Column("fingerprint", String(128), nullable=False),
        Column("rules_version", Integer, nullable=False),
        Column("result_json", Text, nullable=False),
        Column("summary_json", Text, nullable=False),
        Column("checked_on", Date, nullable=False),
        Column("note_version", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_checks_dossier_key", "dossier_key"),
    )
    Table(
        "events",
        m,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("kind", String(64), nullable=False),
        Column("subject", String(1000), nullable=False),
        Column("detail", Text, nullable=False),
        Index("ix_events_subject", "subject"),
        Index("ix_events_kind", "kind"),
    )
    m.create_all(conn, checkfirst=False)


_V2_DOSSIER_COLUMNS: tuple[tuple[str, TypeEngine], ...] = (  # type: ignore[type-arg]
    ("last_check_id", Integer()),
    ("fingerprint", String(128)),
    ("rules_version", Integer()),
    ("checked_on", Date()),
    ("note_version", Integer()),
    ("applicant", Text()),
    ("summary_json", Text()),
)


def _v2(conn: Connection) -> None:
    """The pieces of each check (`documents`) and the last check repeated on the dossier
    (so that the nightly run over thousands of dossiers is one query); filled from the
    checks already recorded."""
    for name, type_ in _V2_DOSSIER_COLUMNS:
        ddl = type_.compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE dossiers ADD COLUMN {name} {ddl}"))
    m = MetaData()
    m.reflect(conn, only=["dossiers", "checks"])
    document_table = Table(
        "documents",
        m,
        Column("id", Integer, primary_key=True),
        Column("dossier_key", String(1000), ForeignKey("dossiers.key"), nullable=False),
        Column("check_id", Integer, ForeignKey("checks.id"), nullable=False),
        Column("name", Text, nullable=False),
        Column("sha256", String(64)),
        Column("piece", String(64)),
        Column("pages", String(64)),
        Index("ix_documents_dossier_key", "dossier_key"),
        Index("ix_documents_check_id", "check_id"),
        Index("ix_documents_sha256", "sha256"),
    )
    document_table.create(conn, checkfirst=False)
    _v2_backfill(conn, m.tables["dossiers"], m.tables["checks"], document_table)


def _v2_backfill(conn: Connection, dossiers: Table, checks: Table, documents: Table) -> None:
    """Repeat each dossier's last check on it and list that check's pieces."""
    last_ids = select(func.max(checks.c.id)).group_by(checks.c.dossier_key).scalar_subquery()
    rows = conn.execute(select(checks).where(checks.c.id.in_(last_ids))).mappings().all()
    for row in rows:
        applicant, pieces = result_details(row["result_json"])
        conn.execute(
            update(dossiers)
            .where(dossiers.c.key == row["dossier_key"])
            .values(
                last_check_id=row["id"],
                fingerprint=row["fingerprint"],
                rules_version=row["rules_version"],
                checked_on=row["checked_on"],
                note_version=row["note_version"],
                applicant=applicant,
                summary_json=row["summary_json"],
            )
        )
        if pieces:
            conn.execute(
                insert(documents),
                [{"dossier_key": row["dossier_key"], "check_id": row["id"], **p} for p in pieces],
            )


def result_details(result_json: str) -> tuple[str | None, list[dict[str, str | None]]]:
    """The applicant's name and the pieces (name, sha256, piece, pages) of a check result
    (DESIGN §3 shape); what is absent or malformed is left out, never guessed."""
    try:
        data = json.loads(result_json)
    except (ValueError, RecursionError):
        return None, []
    if not isinstance(data, dict):
        return None, []
    facts = data.get("facts")
    field = facts.get("applicant_name") if isinstance(facts, dict) else None
    value = field.get("value") if isinstance(field, dict) else None
    applicant = value if isinstance(value, str) and value.strip() else None
    pieces = []
    for entry in data.get("documents") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        pieces.append(
            {
                "name": str(entry["name"]),
                "sha256": _text_or_none(entry.get("sha256")),
                "piece": _text_or_none(entry.get("piece")),
                "pages": _text_or_none(entry.get("pages")),
            }
        )
    return applicant, pieces


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = ((1, _v1), (2, _v2))
LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    """The schema version of the database behind `conn` (0 for an empty database)."""
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    table = _version_table(MetaData())
    return conn.scalar(select(func.max(table.c.version))) or 0


def migrate(engine: Engine) -> int:
    """Bring the database to the latest schema version, in one transaction, and return
    that version. Two processes starting at once: the second waits, then finds nothing to
    do. Raises `RegistryError` for a database written by a newer version of the program."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            version_table = _version_table(MetaData())
            version_table.create(conn, checkfirst=True)
            current = conn.scalar(select(func.max(version_table.c.version))) or 0
            if current > LATEST_VERSION:
                raise RegistryError(
                    f"La base du registre est en version {current}, plus récente que ce que "
                    f"connaît ce programme (version {LATEST_VERSION}).",
                    "Mettez à jour aap sur ce poste avant de l'utiliser avec cette base.",
                )
            for version, step in MIGRATIONS:
                if version <= current:
                    continue
                step(conn)
                conn.execute(
                    insert(version_table).values(version=version, applied_at=datetime.now(UTC))
                )
    return LATEST_VERSION
