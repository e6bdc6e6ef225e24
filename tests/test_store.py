"""The registry: schema and migrations, every method, concurrent writers, SQLite WAL, and
the PostgreSQL dialect."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    UniqueConstraint,
    create_engine,
    create_mock_engine,
    event,
    insert,
    inspect,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ClauseElement, TextClause

from pipeline.store import (
    LATEST_VERSION,
    Registry,
    RegistryError,
    UnknownDossierError,
)
from pipeline.store import registry as registry_module
from pipeline.store.migrations import MIGRATIONS, result_details
from pipeline.store.schema import dossiers, metadata

SHA_A = "a" * 64
SHA_B = "b" * 64


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registre.sqlite3"


@pytest.fixture
def registry(db_path: Path) -> Any:
    reg = Registry(url_of(db_path))
    yield reg
    reg.close()


def result_json(applicant: str | None = "Commune de Montbrison", pieces: int = 2) -> str:
    documents = [
        {"name": f"piece-{i}.pdf", "sha256": f"{i}" * 64, "piece": "devis", "pages": i}
        for i in range(pieces)
    ]
    facts = {"applicant_name": {"value": applicant, "evidence": []}}
    return json.dumps({"dossier_id": "d", "facts": facts, "documents": documents})


def reflected_schema(url: str) -> dict[str, tuple[set[str], set[str], set[str]]]:
    """Per table: column, index and unique constraint names, as the database has them."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: (
                {column["name"] for column in inspector.get_columns(table)},
                # PostgreSQL also lists the index behind each unique constraint.
                {
                    str(index["name"])
                    for index in inspector.get_indexes(table)
                    if not index.get("duplicates_constraint")
                },
                {str(unique["name"]) for unique in inspector.get_unique_constraints(table)},
            )
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def declared_schema() -> dict[str, tuple[set[str], set[str], set[str]]]:
    return {
        table.name: (
            {c.name for c in table.columns},
            {str(i.name) for i in table.indexes},
            {str(c.name) for c in table.constraints if isinstance(c, UniqueConstraint)},
        )
        for table in metadata.sorted_tables
    }


# -- schema and migrations ------------------------------------------------------------


def test_fresh_database_gets_the_latest_schema(db_path: Path) -> None:
    with Registry(url_of(db_path)) as reg:
        assert reg.schema_version == LATEST_VERSION == MIGRATIONS[-1][0]
    assert reflected_schema(url_of(db_path)) == declared_schema()
    with sqlite3.connect(db_path) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version")]
    assert versions == [number for number, _ in MIGRATIONS]


def test_reopening_does_not_migrate_again(db_path: Path) -> None:
    Registry(url_of(db_path)).close()
    with Registry(url_of(db_path)) as reg:
        reg.event("test", "x")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


V1_DDL = """
CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL);
CREATE TABLE calls (id INTEGER NOT NULL PRIMARY KEY, call_id VARCHAR(200) NOT NULL,
    version INTEGER NOT NULL, rules_sha256 VARCHAR(64) NOT NULL, path TEXT NOT NULL,
    recorded_at DATETIME NOT NULL, CONSTRAINT uq_calls_call_version UNIQUE (call_id, version));
CREATE TABLE files (id INTEGER NOT NULL PRIMARY KEY, path VARCHAR(1000) NOT NULL,
    size BIGINT NOT NULL, mtime FLOAT NOT NULL, sha256 VARCHAR(64), state VARCHAR(20) NOT NULL,
    dossier_key VARCHAR(1000), detail TEXT, first_seen DATETIME NOT NULL,
    updated_at DATETIME NOT NULL, CONSTRAINT uq_files_path UNIQUE (path));
CREATE INDEX ix_files_sha256 ON files (sha256);
CREATE INDEX ix_files_state ON files (state);
CREATE INDEX ix_files_dossier_key ON files (dossier_key);
CREATE TABLE dossiers (key VARCHAR(1000) NOT NULL PRIMARY KEY, call_id VARCHAR(200) NOT NULL,
    name VARCHAR(1000) NOT NULL, path TEXT NOT NULL, state VARCHAR(20) NOT NULL,
    error_json TEXT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE INDEX ix_dossiers_call_id ON dossiers (call_id);
CREATE INDEX ix_dossiers_state ON dossiers (state);
CREATE TABLE checks (id INTEGER NOT NULL PRIMARY KEY,
    dossier_key VARCHAR(1000) NOT NULL REFERENCES dossiers (key),
    fingerprint VARCHAR(128) NOT NULL, rules_version INTEGER NOT NULL, result_json TEXT NOT NULL,
    summary_json TEXT NOT NULL, checked_on DATE NOT NULL, note_version INTEGER NOT NULL,
    created_at DATETIME NOT NULL);
CREATE INDEX ix_checks_dossier_key ON checks (dossier_key);
CREATE TABLE events (id INTEGER NOT NULL PRIMARY KEY, at DATETIME NOT NULL,
    kind VARCHAR(64) NOT NULL, subject VARCHAR(1000) NOT NULL, detail TEXT NOT NULL);
CREATE INDEX ix_events_subject ON events (subject);
CREATE INDEX ix_events_kind ON events (kind);
INSERT INTO schema_version VALUES (1, '2025-01-01 00:00:00.000000');
"""


def write_v1_database(path: Path) -> None:
    """A registry as version 1 of the program left it: two dossiers, one checked twice."""
    stamp = "2025-03-01 08:00:00.000000"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_DDL)
        conn.execute(
            "INSERT INTO calls VALUES (1, 'appel', 1, ?, 'calls/appel.json', ?)", (SHA_A, stamp)
        )
        for key in ("appel/ancien", "appel/recu"):
            conn.execute(
                "INSERT INTO dossiers VALUES (?, 'appel', ?, ?, 'received', NULL, ?, ?)",
                (key, key.split("/")[1], f"inbox/{key}", stamp, stamp),
            )
        conn.execute("UPDATE dossiers SET state = 'checked' WHERE key = 'appel/ancien'")
        for number, (applicant, complete) in enumerate(
            [("Premier nom", False), ("Commune de Feurs", True)], start=1
        ):
            conn.execute(
                "INSERT INTO checks (dossier_key, fingerprint, rules_version, result_json, "
                "summary_json, checked_on, note_version, created_at) "
                "VALUES ('appel/ancien', ?, 1, ?, ?, ?, ?, ?)",
                (
                    f"fp{number}",
                    result_json(applicant, pieces=number),
                    json.dumps({"complete": complete}),
                    f"2025-03-0{number}",
                    number,
                    stamp,
                ),
            )
        conn.execute(
            "INSERT INTO files VALUES (1, 'inbox/appel/ancien/a.pdf', 10, 1.5, ?, 'done', "
            "'appel/ancien', NULL, ?, ?)",
            (SHA_A, stamp, stamp),
        )


def test_migration_from_version_1_keeps_and_completes_the_data(db_path: Path) -> None:
    write_v1_database(db_path)
    with Registry(url_of(db_path)) as reg:
        assert reg.schema_version == LATEST_VERSION
        old = reg.dossier("appel/ancien")
        assert old is not None and old.state == "checked"
        # The last of the two checks is repeated on the dossier, with its pieces.
        assert old.fingerprint == "fp2"
        assert old.note_version == 2
        assert old.checked_on == date(2025, 3, 2)
        assert old.applicant == "Commune de Feurs"
        assert old.summary == {"complete": True}
        assert old.last_check_id == reg.last_check("appel/ancien").id  # type: ignore[union-attr]
        assert [d.name for d in reg.documents("appel/ancien")] == ["piece-0.pdf", "piece-1.pdf"]
        assert [c.fingerprint for c in reg.checks("appel/ancien")] == ["fp1", "fp2"]
        never_checked = reg.dossier("appel/recu")
        assert never_checked is not None and never_checked.last_check_id is None
        assert never_checked.summary == {}
        assert reg.file_state("inbox/appel/ancien/a.pdf").state == "done"  # type: ignore[union-attr]
        assert reg.call("appel").version == 1  # type: ignore[union-attr]
        assert reg.record_call("appel", SHA_A, "calls/appel.json") == 1
        # And the migrated database takes new writes like a fresh one.
        check_id = reg.record_check(
            "appel/recu", "fp", 1, result_json("Mairie"), {"complete": False}, date(2025, 4, 1), 1
        )
        assert reg.dossier("appel/recu").last_check_id == check_id  # type: ignore[union-attr]
    assert reflected_schema(url_of(db_path)) == declared_schema()
    with sqlite3.connect(db_path) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")] == [
            1,
            2,
        ]


def test_a_failing_migration_leaves_the_database_as_it_was(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_v1_database(db_path)

    def broken(conn: Any) -> None:
        raise RuntimeError("migration cassée")

    from pipeline.store import migrations

    monkeypatch.setattr(migrations, "MIGRATIONS", ((1, migrations._v1), (2, broken)))
    with pytest.raises(RuntimeError):
        Registry(url_of(db_path))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(dossiers)")}
    assert "fingerprint" not in columns


def test_a_database_from_a_newer_program_is_refused(db_path: Path) -> None:
    Registry(url_of(db_path)).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, '2030-01-01')", (LATEST_VERSION + 1,))
    with pytest.raises(RegistryError) as raised:
        Registry(url_of(db_path))
    assert "plus récente" in raised.value.message


def test_unusable_databases_are_french_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(RegistryError, match="ne peut pas être créé"):
        Registry(url_of(blocker / "sous" / "registre.sqlite3"))
    not_a_db = tmp_path / "texte.sqlite3"
    not_a_db.write_text("ceci n'est pas une base SQLite" * 100, encoding="utf-8")
    with pytest.raises(RegistryError, match="ne peut pas être ouvert"):
        Registry(url_of(not_a_db))
    with pytest.raises(RegistryError, match="n'est pas utilisable"):
        Registry("inconnu+pilote://hote/base")


def test_sqlite_is_in_wal_mode_with_a_busy_timeout(registry: Registry, db_path: Path) -> None:
    registry.event("test", "x")
    with sqlite3.connect(db_path) as conn:
        # journal_mode=WAL is stored in the database file itself.
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with registry._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# -- calls ------------------------------------------------------------------------------


def test_record_call_versions_only_when_the_rules_change(registry: Registry) -> None:
    assert registry.call("appel") is None
    assert registry.record_call("appel", SHA_A, "calls/appel.json") == 1
    assert registry.record_call("appel", SHA_A, "calls/appel.json") == 1
    assert registry.record_call("appel", SHA_B, "calls/appel.json") == 2
    assert registry.record_call("autre", SHA_B, "calls/autre.json") == 1
    # Back to the first rules: a new version, since the rules in force changed again.
    assert registry.record_call("appel", SHA_A, "calls/appel.json") == 3
    latest = registry.call("appel")
    assert latest is not None and (latest.version, latest.rules_sha256) == (3, SHA_A)
    assert registry.call("appel", 2).rules_sha256 == SHA_B  # type: ignore[union-attr]
    assert registry.call("appel", 9) is None
    assert [(c.call_id, c.version) for c in registry.calls()] == [
        ("appel", 1),
        ("appel", 2),
        ("appel", 3),
        ("autre", 1),
    ]
    assert latest.recorded_at.tzinfo is UTC


# -- ledger of files --------------------------------------------------------------------


def test_file_ledger(registry: Registry) -> None:
    path = "inbox/appel/dossier/devis.pdf"
    assert registry.file_state(path) is None
    registry.record_file(path, 1200, 1700000000.123456, None, "seen")
    first = registry.file_state(path)
    assert first is not None
    assert (first.size, first.mtime, first.sha256, first.state) == (
        1200,
        1700000000.123456,
        None,
        "seen",
    )
    registry.record_file(path, 1300, 1700000005.5, SHA_A, "done", "appel/dossier", "pris")
    later = registry.file_state(path)
    assert later is not None
    assert (later.size, later.sha256, later.state, later.dossier_key, later.detail) == (
        1300,
        SHA_A,
        "done",
        "appel/dossier",
        "pris",
    )
    assert later.first_seen == first.first_seen
    assert later.updated_at >= first.updated_at
    registry.record_file("inbox/appel/copie/devis.pdf", 1300, 1.0, SHA_A, "duplicate")
    registry.record_file("inbox/appel/~$verrou.docx", 0, 1.0, None, "ignored")
    assert [f.path for f in registry.find_by_sha256(SHA_A)] == [
        path,
        "inbox/appel/copie/devis.pdf",
    ]
    assert registry.find_by_sha256(SHA_B) == []
    assert [f.path for f in registry.files(state="ignored")] == ["inbox/appel/~$verrou.docx"]
    assert [f.path for f in registry.files(dossier_key="appel/dossier")] == [path]
    assert len(registry.files()) == 3
    with pytest.raises(ValueError, match="inconnu"):
        registry.record_file(path, 1, 1.0, None, "perdu")


# -- dossiers and checks ------------------------------------------------------------------


def test_dossier_lifecycle(registry: Registry) -> None:
    key = "appel/Commune de Feurs"
    assert registry.dossier(key) is None
    assert registry.last_check(key) is None
    assert registry.next_note_version(key) == 1
    row = registry.upsert_dossier(key, "appel", "inbox/appel/Commune de Feurs", "received")
    assert (row.key, row.call_id, row.name, row.state) == (
        key,
        "appel",
        "Commune de Feurs",
        "received",
    )
    assert row.last_check_id is None and row.summary == {} and row.error is None

    summary = {
        "complete": False,
        "eligible": "review",
        "proposed_aid_eur": Decimal("12500.50"),
        "missing_pieces": ["rib"],
    }
    check_id = registry.record_check(
        key, "fp1", 2, result_json(), summary, date(2025, 5, 2), registry.next_note_version(key)
    )
    checked = registry.dossier(key)
    assert checked is not None
    assert checked.state == "checked"
    assert (checked.last_check_id, checked.fingerprint, checked.rules_version) == (
        check_id,
        "fp1",
        2,
    )
    assert (checked.checked_on, checked.note_version) == (date(2025, 5, 2), 1)
    assert checked.applicant == "Commune de Montbrison"
    assert checked.summary["proposed_aid_eur"] == "12500.50"  # exact, as text
    assert checked.summary["missing_pieces"] == ["rib"]
    last = registry.last_check(key)
    assert last is not None and last.id == check_id and last.result_json == result_json()
    assert [(d.name, d.pages, d.piece) for d in registry.documents(key)] == [
        ("piece-0.pdf", "0", "devis"),
        ("piece-1.pdf", "1", "devis"),
    ]

    # A failure keeps the last check; a new reception clears the error.
    error = {"stage": "read", "code": "pdf_corrompu", "message": "Le fichier est illisible."}
    registry.set_dossier_state(key, "failed", error)
    failed = registry.dossier(key)
    assert failed is not None and failed.state == "failed" and failed.error == error
    assert failed.last_check_id == check_id
    again = registry.upsert_dossier(key, "appel", "inbox/appel/Commune de Feurs", "received")
    assert again.error is None and again.created_at == row.created_at
    assert again.fingerprint == "fp1"

    assert registry.next_note_version(key) == 2
    second = registry.record_check(
        key,
        "fp2",
        2,
        result_json("Commune de Feurs", pieces=1),
        {"complete": True},
        date(2025, 5, 9),
        2,
    )
    assert second > check_id
    assert registry.last_check(key).fingerprint == "fp2"  # type: ignore[union-attr]
    assert [c.note_version for c in registry.checks(key)] == [1, 2]
    assert [d.name for d in registry.documents(key)] == ["piece-0.pdf"]
    assert registry.dossier(key).applicant == "Commune de Feurs"  # type: ignore[union-attr]
    assert registry.next_note_version(key) == 3


def test_dossier_listing_by_call_and_open_only(registry: Registry) -> None:
    registry.upsert_dossier("b/un", "b", "inbox/b/un", "received")
    registry.upsert_dossier("a/deux", "a", "inbox/a/deux", "checked")
    registry.upsert_dossier("a/clos", "a", "inbox/a/clos", "received")
    registry.upsert_dossier("a/echec", "a", "inbox/a/echec", "received")
    registry.set_dossier_state("a/clos", "closed")
    registry.set_dossier_state("a/echec", "failed", {"code": "x"})
    assert [d.key for d in registry.dossiers()] == ["a/clos", "a/deux", "a/echec", "b/un"]
    assert [d.key for d in registry.dossiers("a")] == ["a/clos", "a/deux", "a/echec"]
    assert [d.key for d in registry.dossiers(open_only=True)] == ["a/deux", "a/echec", "b/un"]
    assert [d.key for d in registry.dossiers("a", open_only=True)] == ["a/deux", "a/echec"]
    assert registry.dossiers("c") == []


def test_dossier_errors(registry: Registry) -> None:
    with pytest.raises(ValueError, match="doit être"):
        registry.upsert_dossier("autre/x", "appel", "p", "received")
    with pytest.raises(ValueError, match="doit être"):
        registry.upsert_dossier("appel/", "appel", "p", "received")
    with pytest.raises(ValueError, match="inconnu"):
        registry.upsert_dossier("appel/x", "appel", "p", "rejeté")
    with pytest.raises(UnknownDossierError):
        registry.set_dossier_state("appel/absent", "checked")
    with pytest.raises(UnknownDossierError):
        registry.record_check("appel/absent", "fp", 1, "{}", {}, date(2025, 1, 1), 1)
    registry.upsert_dossier("appel/x", "appel", "p", "received")
    with pytest.raises(ValueError, match="JSON"):
        registry.record_check("appel/x", "fp", 1, "pas du json", {}, date(2025, 1, 1), 1)
    with pytest.raises(ValueError, match="inconnu"):
        registry.set_dossier_state("appel/x", "perdu")
    # Nothing half-written by the refused calls.
    assert registry.last_check("appel/x") is None
    assert registry.dossier("appel/x").state == "received"  # type: ignore[union-attr]


def test_result_details_takes_only_what_is_there() -> None:
    assert result_details("[1, 2]") == (None, [])
    assert result_details("{") == (None, [])
    applicant, pieces = result_details(
        json.dumps({"facts": {"applicant_name": {"value": "  "}}, "documents": [{"x": 1}, "y"]})
    )
    assert (applicant, pieces) == (None, [])


# -- audit trail --------------------------------------------------------------------------


def test_events(registry: Registry) -> None:
    registry.event("archived", "inbox/appel/d/a.pdf", "copié dans archive/aaaa")
    registry.event("received", "appel/d")
    registry.event("checked", "appel/d", "complet")
    all_events = registry.events()
    assert [(e.kind, e.subject, e.detail) for e in all_events] == [
        ("archived", "inbox/appel/d/a.pdf", "copié dans archive/aaaa"),
        ("received", "appel/d", ""),
        ("checked", "appel/d", "complet"),
    ]
    assert all_events[0].at.tzinfo is UTC
    assert all_events[0].at <= all_events[-1].at <= datetime.now(UTC)
    assert [e.kind for e in registry.events("appel/d")] == ["received", "checked"]
    assert [e.kind for e in registry.events(kind="checked")] == ["checked"]
    assert [e.kind for e in registry.events(after_id=all_events[0].id)] == ["received", "checked"]


# -- concurrency ----------------------------------------------------------------------------

WRITES_PER_WORKER = 40


def _worker(url: str, worker: int, barrier: Any) -> None:
    """One process hammering the registry: a fresh database, opened by both at once."""
    barrier.wait()
    reg = Registry(url)
    try:
        version = reg.record_call("appel", SHA_A, "calls/appel.json")
        assert version == 1
        for i in range(WRITES_PER_WORKER):
            key = f"appel/w{worker}-{i}"
            reg.record_file(f"inbox/{key}/a.pdf", i, float(i), f"{i:064d}", "processing", key)
            reg.upsert_dossier(key, "appel", f"inbox/{key}", "received")
            reg.upsert_dossier("appel/partage", "appel", "inbox/appel/partage", "received")
            reg.record_check(key, f"fp{i}", version, result_json(), {"n": i}, date(2025, 1, 1), 1)
            reg.record_file(f"inbox/{key}/a.pdf", i, float(i), f"{i:064d}", "done", key)
            reg.event("checked", key, f"processus {worker}")
    finally:
        reg.close()


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    url = url_of(tmp_path / "registre.sqlite3")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_worker, args=(url, n, barrier)) for n in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]
    with Registry(url) as reg:
        assert len(reg.calls()) == 1
        assert len(reg.dossiers()) == 2 * WRITES_PER_WORKER + 1
        assert len(reg.files(state="done")) == 2 * WRITES_PER_WORKER
        assert len(reg.events(kind="checked")) == 2 * WRITES_PER_WORKER
        assert all(d.last_check_id is not None for d in reg.dossiers() if d.key != "appel/partage")
    with sqlite3.connect(tmp_path / "registre.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM checks").fetchone()[0] == 2 * WRITES_PER_WORKER
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def _event_in_child(registry: Registry) -> None:
    registry.event("enfant", "fils")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_registry_survives_a_fork(registry: Registry, tmp_path: Path) -> None:
    """A connection pooled in the parent is never used by a forked child (two processes
    on one SQLite handle can corrupt the database): the child opens its own."""
    opened_by = tmp_path / "connexions.txt"

    def note_connection(*_: Any) -> None:
        with opened_by.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")

    event.listen(registry._engine, "connect", note_connection)
    registry.event("avant", "parent")  # a pooled connection now exists in the parent
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_event_in_child, args=(registry,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    registry.event("après", "parent")
    assert [e.kind for e in registry.events()] == ["avant", "enfant", "après"]
    assert str(child.pid) in opened_by.read_text(encoding="utf-8").split()


def test_upsert_falls_back_to_update_when_another_writer_inserted_first(
    registry: Registry,
) -> None:
    """The PostgreSQL race (two inserts of one key) replayed on SQLite: the insert fails
    inside its savepoint and the update is applied to the other writer's row."""
    registry.upsert_dossier("appel/x", "appel", "p", "received")
    calls = 0

    def make_update() -> Any:
        nonlocal calls
        calls += 1
        key = "appel/absent" if calls == 1 else "appel/x"
        return update(dossiers).where(dossiers.c.key == key).values(state="checked")

    def make_insert() -> Any:
        return insert(dossiers).values(
            key="appel/x",
            call_id="appel",
            name="x",
            path="p",
            state="checked",
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
        )

    with registry._transaction(write=True) as conn:
        registry_module._upsert(conn, make_update, make_insert)
    assert calls == 2
    assert registry.dossier("appel/x").state == "checked"  # type: ignore[union-attr]


# -- PostgreSQL ---------------------------------------------------------------------------


def test_schema_compiles_for_postgresql() -> None:
    statements: list[str] = []

    def executor(sql: Any, *_: Any, **__: Any) -> None:
        statements.append(str(sql.compile(dialect=engine.dialect)))

    engine = create_mock_engine("postgresql+psycopg://", executor)
    metadata.create_all(engine, checkfirst=False)
    ddl = "\n".join(statements)
    for table in metadata.sorted_tables:
        assert f"CREATE TABLE {table.name}" in ddl
    assert "TIMESTAMP WITH TIME ZONE" in ddl
    assert "SERIAL" in ddl  # integer primary keys autoincrement on PostgreSQL too
    assert "BIGINT" in ddl


def test_every_statement_of_a_session_compiles_for_postgresql(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the whole API on SQLite, capture every statement the registry sends, compile each
    for PostgreSQL: no SQLite-only construct. Raw SQL is allowed only where it is portable
    DDL (ALTER TABLE … ADD COLUMN in a migration)."""
    write_v1_database(db_path)  # so that the v1 → v2 migration runs too
    captured: list[Any] = []
    real_make_engine = registry_module.make_engine

    def spying_make_engine(url: str) -> Any:
        engine = real_make_engine(url)
        event.listen(engine, "before_execute", lambda _c, clause, *_a: captured.append(clause))
        return engine

    monkeypatch.setattr(registry_module, "make_engine", spying_make_engine)
    reg = Registry(url_of(db_path))
    reg.record_call("appel", SHA_B, "calls/appel.json")
    reg.call("appel")
    reg.calls()
    reg.record_file("inbox/appel/n/a.pdf", 1, 1.0, SHA_B, "seen")
    reg.file_state("inbox/appel/n/a.pdf")
    reg.find_by_sha256(SHA_B)
    reg.files(state="seen", dossier_key="appel/n")
    reg.upsert_dossier("appel/n", "appel", "inbox/appel/n", "received")
    reg.dossier("appel/n")
    reg.dossiers("appel", open_only=True)
    reg.record_check("appel/n", "fp", 2, result_json(), {"a": 1}, date(2025, 1, 1), 1)
    reg.last_check("appel/n")
    reg.checks("appel/n")
    reg.next_note_version("appel/n")
    reg.documents("appel/n")
    reg.set_dossier_state("appel/n", "failed", {"code": "x"})
    reg.event("k", "s", "d")
    reg.events("s", "k", 0)
    reg.close()

    pg = postgresql.dialect()
    compiled = 0
    for clause in captured:
        if isinstance(clause, str | TextClause):
            sql = str(clause)
            assert sql.startswith(("ALTER TABLE dossiers ADD COLUMN", "BEGIN", "PRAGMA")), sql
            continue
        assert isinstance(clause, ClauseElement)
        clause.compile(dialect=pg)
        compiled += 1
    assert compiled > 30


def test_v2_migration_ddl_types_compile_for_postgresql() -> None:
    from pipeline.store.migrations import _V2_DOSSIER_COLUMNS

    pg = postgresql.dialect()
    assert [type_.compile(dialect=pg) for _, type_ in _V2_DOSSIER_COLUMNS] == [
        "INTEGER",
        "VARCHAR(128)",
        "INTEGER",
        "DATE",
        "INTEGER",
        "TEXT",
        "TEXT",
    ]


def test_select_builders_are_plain_core() -> None:
    # The registry never builds SQL from strings: a guard against a future f-string query.
    source = Path(registry_module.__file__).read_text(encoding="utf-8")
    assert "text(" not in source and "exec_driver_sql" not in source


# -- a real PostgreSQL server, when one is given ------------------------------------------

PG_URL = os.environ.get("AAP_TEST_DATABASE_URL", "")
needs_postgresql = pytest.mark.skipif(
    not PG_URL.startswith("postgresql"),
    reason="AAP_TEST_DATABASE_URL (postgresql+psycopg://…) non défini",
)


@pytest.fixture
def empty_pg() -> str:
    """The test PostgreSQL database, emptied of the registry's tables."""
    engine = create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS schema_version"))
    finally:
        engine.dispose()
    return PG_URL


@needs_postgresql
def test_postgresql_for_real(empty_pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.store import migrations

    # A version 1 database, then the program of today opening it.
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:1])
    Registry(empty_pg).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    engine = create_engine(empty_pg)
    with engine.begin() as conn:
        now = datetime.now(UTC)
        conn.execute(
            text(
                "INSERT INTO dossiers (key, call_id, name, path, state, created_at, updated_at) "
                "VALUES ('appel/ancien', 'appel', 'ancien', 'p', 'checked', :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO checks (dossier_key, fingerprint, rules_version, result_json, "
                "summary_json, checked_on, note_version, created_at) VALUES ('appel/ancien', "
                "'fp', 1, :result, '{\"complete\": true}', '2025-03-01', 1, :now)"
            ),
            {"result": result_json("Commune de Feurs"), "now": now},
        )
    engine.dispose()
    with Registry(empty_pg) as reg:
        assert reg.schema_version == LATEST_VERSION
        old = reg.dossier("appel/ancien")
        assert old is not None and old.applicant == "Commune de Feurs"
        assert old.summary == {"complete": True} and len(reg.documents("appel/ancien")) == 2
        assert reg.record_call("appel", SHA_A, "calls/appel.json") == 1
        assert reg.record_call("appel", SHA_B, "calls/appel.json") == 2
        reg.record_file("inbox/appel/n/a.pdf", 10, 1700000000.123456, SHA_A, "seen")
        assert reg.file_state("inbox/appel/n/a.pdf").mtime == 1700000000.123456  # type: ignore[union-attr]
        reg.upsert_dossier("appel/n", "appel", "inbox/appel/n", "received")
        reg.record_check(
            "appel/n", "fp", 2, result_json(), {"x": Decimal("1.5")}, date(2025, 1, 1), 1
        )
        checked = reg.dossier("appel/n")
        assert checked is not None and checked.state == "checked"
        assert checked.summary == {"x": "1.5"} and checked.checked_on == date(2025, 1, 1)
        reg.set_dossier_state("appel/n", "failed", {"code": "x"})
        assert [d.key for d in reg.dossiers(open_only=True)] == ["appel/ancien", "appel/n"]
        reg.event("k", "appel/n")
        assert reg.events("appel/n")[0].at.tzinfo is UTC
    assert reflected_schema(empty_pg) == declared_schema()


@needs_postgresql
def test_postgresql_two_processes_writing_at_once(empty_pg: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_worker, args=(empty_pg, n, barrier)) for n in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]
    with Registry(empty_pg) as reg:
        assert len(reg.calls()) == 1
        assert len(reg.dossiers()) == 2 * WRITES_PER_WORKER + 1
        assert len(reg.events(kind="checked")) == 2 * WRITES_PER_WORKER


def _sneak_before_insert(registry: Registry, table: Any, action: Any) -> list[int]:
    """Run `action` (another writer) right before `registry` first inserts into `table`."""
    fired: list[int] = []

    def before_execute(_conn: Any, clause: Any, *_: Any) -> None:
        if not fired and getattr(clause, "is_insert", False) and clause.table is table:
            fired.append(1)
            action()

    event.listen(registry._engine, "before_execute", before_execute)
    return fired


@needs_postgresql
def test_postgresql_races_are_resolved(empty_pg: str) -> None:
    """Two writers inserting the same call version or the same dossier at the same moment
    (possible on PostgreSQL, where a write transaction does not lock the whole base)."""
    from pipeline.store.schema import calls

    with Registry(empty_pg) as first, Registry(empty_pg) as second:
        fired = _sneak_before_insert(
            first, calls, lambda: second.record_call("appel", SHA_B, "calls/appel.json")
        )
        assert first.record_call("appel", SHA_A, "calls/appel.json") == 2
        assert fired
        assert [c.rules_sha256 for c in first.calls()] == [SHA_B, SHA_A]

        fired = _sneak_before_insert(
            first, dossiers, lambda: second.upsert_dossier("appel/d", "appel", "autre", "failed")
        )
        row = first.upsert_dossier("appel/d", "appel", "inbox/appel/d", "received")
        assert fired
        assert (row.state, row.path) == ("received", "inbox/appel/d")
        assert len(first.dossiers()) == 1
