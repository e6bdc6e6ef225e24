"""Benchmark of the nightly completeness run (issue 5): 10,000 registered, unchanged
dossiers; target ≤ 30 s.

The home is built directly, not by checking 10,000 dossiers: 10,000 small folders of two
files each in `inbox/<call>/`, their archived copies, and the registry rows a sweep would
have written (ledger `done` with the files' real sizes, dates and digests; dossiers
`checked` with the fingerprint the sweep computes from the same files and the same rules
file; one check each). Then the nightly run is timed: it must re-scan every folder,
recognise every dossier as unchanged without reading a file, and write the tables.

Run: `.venv/bin/python bench/bench_nightly.py [--dossiers 10000] [--prefect]`.
Prints figures; asserts only that nothing was re-checked (a benchmark that measured a
run doing other work than intended would be meaningless).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from pipeline.home import Home  # noqa: E402
from pipeline.inbox.fingerprint import fingerprint  # noqa: E402
from pipeline.store import Registry  # noqa: E402
from pipeline.store.engine import make_engine  # noqa: E402
from pipeline.store.schema import calls, checks, dossiers, events, files  # noqa: E402

RULES = REPO / "fixtures" / "dossiers" / "loire-connect-2023" / "rules.json"
TODAY = dt.date(2024, 9, 20)
BATCH = 2000


def build_home(root: Path, count: int) -> tuple[Home, str]:
    """A data home with `count` registered, checked, unchanged dossiers of one call."""
    home = Home.resolve(root, env={})
    call_id = json.loads(RULES.read_text(encoding="utf-8"))["call_id"]
    shutil.copyfile(RULES, home.rules_file(call_id))
    rules_sha = hashlib.sha256(home.rules_file(call_id).read_bytes()).hexdigest()
    Registry(home.database_url).close()  # schema created by the program's migrations
    now = dt.datetime.now(dt.UTC)
    old = time.time() - 86400
    summary = {
        "complete": True,
        "eligible": "yes",
        "proposed_aid_eur": "12000.00",
        "missing_pieces": [],
    }
    result = {"dossier_id": "x", "documents": [], "facts": {}, "summary": summary}
    file_rows, dossier_rows, check_rows, event_rows = [], [], [], []
    for n in range(1, count + 1):
        name = f"dossier-{n:05d}"
        key = f"{call_id}/{name}"
        folder = home.inbox / call_id / name
        folder.mkdir(parents=True)
        pieces = []
        for piece, text in (("Demande.pdf", "demande"), ("Plan de financement.pdf", "plan")):
            data = f"%PDF-1.4\n% {text} {n}\n%%EOF\n".encode()
            path = folder / piece
            path.write_bytes(data)
            os.utime(path, (old, old))
            sha = hashlib.sha256(data).hexdigest()
            archived = home.archive / sha
            archived.write_bytes(data)
            st = path.stat()
            file_rows.append(
                {
                    "path": f"inbox/{key}/{piece}",
                    "size": st.st_size,
                    "mtime": st.st_mtime,
                    "sha256": sha,
                    "state": "done",
                    "dossier_key": key,
                    "detail": None,
                    "first_seen": now,
                    "updated_at": now,
                }
            )
            pieces.append((piece, sha))
        fp = str(fingerprint(pieces, rules_sha, None))
        dossier_rows.append(
            {
                "key": key,
                "call_id": call_id,
                "name": name,
                "path": f"inbox/{key}",
                "state": "checked",
                "error_json": None,
                "created_at": now,
                "updated_at": now,
                "last_check_id": n,
                "fingerprint": fp,
                "rules_version": 1,
                "checked_on": TODAY,
                "note_version": 1,
                "applicant": f"Commune n° {n}",
                "summary_json": json.dumps(summary),
            }
        )
        check_rows.append(
            {
                "id": n,
                "dossier_key": key,
                "fingerprint": fp,
                "rules_version": 1,
                "result_json": json.dumps(result),
                "summary_json": json.dumps(summary),
                "checked_on": TODAY,
                "note_version": 1,
                "created_at": now,
            }
        )
        event_rows.append(
            {
                "at": now,
                "kind": "received",
                "subject": key,
                "detail": f"Dossier reçu (2 fichier(s)) ; date d'arrivée retenue : "
                f"{TODAY.isoformat()}.",
            }
        )
    engine = make_engine(home.database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(calls).values(
                call_id=call_id,
                version=1,
                rules_sha256=rules_sha,
                path=str(home.rules_file(call_id)),
                recorded_at=now,
            )
        )
        for table, rows in (
            (dossiers, dossier_rows),
            (checks, check_rows),
            (files, file_rows),
            (events, event_rows),
        ):
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(table), rows[start : start + BATCH])
    engine.dispose()
    return home, call_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument(
        "--prefect",
        action="store_true",
        help="also time the run through the nightly_completeness flow",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-nightly-") as tmp:
        started = time.perf_counter()
        home, call_id = build_home(Path(tmp) / "home", args.dossiers)
        print(f"Home built: {args.dossiers} dossiers in {time.perf_counter() - started:.1f} s")

        import pipeline.documents as documents
        import pipeline.dossier_check  # noqa: F401 - binds the reader before it is wrapped

        reads: list[str] = []
        original = documents.read_document

        def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            reads.append(str(path))
            return original(path, *args, **kwargs)

        for module in list(sys.modules.values()):
            if getattr(module, "read_document", None) is original:
                module.read_document = counting
        from pipeline.nightly import nightly

        for night, day in enumerate((TODAY, TODAY + dt.timedelta(days=1)), start=1):
            started = time.perf_counter()
            report = nightly(home, today=day)
            seconds = time.perf_counter() - started
            assert not report.sweep.checked and not report.sweep.failed, report.sweep.summary()
            assert len(report.sweep.unchanged) == args.dossiers
            assert reads == [], reads[:5]
            rows = sum(len(t.rows) for t in report.tables)
            print(
                f"Night {night} ({'no previous table' if night == 1 else 'compared with night 1'}):"
                f" {seconds:.1f} s for {rows} dossiers, {len(reads)} file(s) read, "
                f"{len(report.changes)} change(s) — target ≤ 30 s"
            )
        if args.prefect:
            from flows import runtime

            setup = runtime.configure(home)
            runtime.warm(home)
            from flows.nightly import nightly_completeness

            started = time.perf_counter()
            report = nightly_completeness(
                str(home.root), (TODAY + dt.timedelta(days=2)).isoformat()
            )
            seconds = time.perf_counter() - started
            assert len(report.sweep.unchanged) == args.dossiers and reads == []
            print(
                f"Night 3 through the flow: {seconds:.1f} s (Prefect warm start "
                f"{setup.warm_seconds:.1f} s, not included)"
            )
        table = next(t for t in report.tables if t.call_id == call_id)
        print(f"Table: {table.csv.name}, {table.csv.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
