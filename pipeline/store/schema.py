"""The registry's tables as the program uses them today (the latest schema version).

`migrations.py` builds them step by step on an existing database; a test checks that what
the migrations build is exactly this. Only portable types (no SQLite or PostgreSQL
specifics): the same code runs on both.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Long enough for any inbox path, short enough for a PostgreSQL btree index entry.
KEY_LENGTH = 1000

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("call_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("rules_sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("call_id", "version", name="uq_calls_call_version"),
)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", String(KEY_LENGTH), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("sha256", String(64)),
    Column("state", String(20), nullable=False),
    Column("dossier_key", String(KEY_LENGTH)),
    Column("detail", Text),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("path", name="uq_files_path"),
    Index("ix_files_sha256", "sha256"),
    Index("ix_files_state", "state"),
    Index("ix_files_dossier_key", "dossier_key"),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("key", String(KEY_LENGTH), primary_key=True),
    Column("call_id", String(200), nullable=False),
    Column("name", String(KEY_LENGTH), nullable=False),
    Column("path", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("error_json", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Since version 2: the last check repeated here (see DossierRow).
    Column("last_check_id", Integer),
    Column("fingerprint", String(128)),
    Column("rules_version", Integer),
    Column("checked_on", Date),
    Column("note_version", Integer),
    Column("applicant", Text),
    Column("summary_json", Text),
    Index("ix_dossiers_call_id", "call_id"),
    Index("ix_dossiers_state", "state"),
)

checks = Table(
    "checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_key", String(KEY_LENGTH), ForeignKey("dossiers.key"), nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("rules_version", Integer, nullable=False),
    Column("result_json", Text, nullable=False),
    Column("summary_json", Text, nullable=False),
    Column("checked_on", Date, nullable=False),
    Column("note_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_checks_dossier_key", "dossier_key"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_key", String(KEY_LENGTH), ForeignKey("dossiers.key"), nullable=False),
    Column("check_id", Integer, ForeignKey("checks.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("sha256", String(64)),
    Column("piece", String(64)),
    Column("pages", String(64)),
    Index("ix_documents_dossier_key", "dossier_key"),
    Index("ix_documents_check_id", "check_id"),
    Index("ix_documents_sha256", "sha256"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("subject", String(KEY_LENGTH), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_events_subject", "subject"),
    Index("ix_events_kind", "kind"),
)
