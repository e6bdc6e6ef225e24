"""The database connection of the registry: SQLite tuned for several writer processes, or
any other SQLAlchemy URL (PostgreSQL) used as it is.

SQLite: WAL journal (readers never block the writer), a busy timeout (a writer waits for
the other instead of failing) and write transactions opened with `BEGIN IMMEDIATE`. The
last one matters: a deferred transaction that reads then writes must upgrade its lock, and
SQLite answers "database is locked" at once to an upgrade that would deadlock, whatever the
busy timeout. Taking the write lock up front makes the second writer simply wait.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "aap_write"


def make_engine(url: str) -> Engine:
    """An engine for `url`; a SQLite file's folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: let us emit BEGIN ourselves, WAL, busy timeout, foreign keys."""
    # pysqlite's own implicit BEGIN is deferred and skipped before DDL; ours is explicit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode (only a power loss can
        # drop the last transactions), and much faster than FULL.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE for a write transaction, a plain deferred BEGIN for a read."""
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
