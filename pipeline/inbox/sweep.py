"""One pass over the inbox: every stable dossier whose fingerprint moved is checked once,
its note written, its check recorded; nothing lost, nothing twice.

For each dossier, in order: scan (sizes and dates only) → archive every original
(`archive/<sha256>`, before anything else) → fingerprint (pieces, rules, corrections) →
compare with the last check → duplicate? → check from the archive (in this process, or
in a pool of worker processes: pypdfium2 and pdfplumber are not thread-safe) → reports
(the previous note kept as `-v<n>`) → the check recorded, state `checked`. A failure goes
to `failed/<call_id>/<dossier>/error.json` and state `failed`; the other dossiers go on.

Resuming after a kill needs nothing special: a dossier's fingerprint is recorded only with
its check, after the note is written, so a dossier caught half-way still differs from its
last check and is taken again by the next sweep; the reports it may have half-written are
overwritten (a version is set aside only for a recorded check). Two sweeps never run at
once on one home (a lock file; the second returns at once, `busy`).

The registry is written by the process that runs `sweep`, never by the workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.files import atomic_write_text
from pipeline.home import Home
from pipeline.inbox.archive import (
    Archived,
    FileChanged,
    archive_file,
    clean_leftovers,
    content_of,
    single_file_original,
)
from pipeline.inbox.fingerprint import Fingerprint, fingerprint
from pipeline.inbox.job import CheckJob, CheckOutcome, error_dict, run_job, with_retries
from pipeline.inbox.scan import UNKNOWN_CALL, DossierCandidate, scan
from pipeline.render import ELIGIBLE_LABELS, euros
from pipeline.store import DossierRow, FileRow, Registry

try:  # POSIX; elsewhere sweeps are not guarded against each other
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".sweep.lock"
ERROR_FILE = "error.json"

Process = Callable[[CheckJob], CheckOutcome]
Progress = Callable[[str], None]


@dataclass
class SweepReport:
    """What one pass did, by dossier key. `waiting`: not stable yet (the files that are
    not); `held`: failed before and unchanged since (waiting for `aap inbox retry` or a new
    file); `duplicates`: key → the dossier it repeats; `failed`: key → short code; `busy`:
    another sweep was running, nothing was done."""

    checked: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    waiting: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)
    unknown_call: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    busy: bool = False

    def summary(self) -> str:
        """One French sentence for the command line and the logs."""
        if self.busy:
            return "Un autre passage sur la boîte de dépôt est en cours : rien n'a été fait."
        parts = [
            f"{len(self.checked)} dossier(s) vérifié(s)",
            f"{len(self.unchanged)} inchangé(s)",
        ]
        for count, label in (
            (len(self.waiting), "en cours de dépôt (pas encore stables)"),
            (len(self.failed), "en échec"),
            (len(self.duplicates), "en double"),
            (len(self.unknown_call), "sous un appel inconnu"),
            (len(self.held), "en échec précédemment, en attente de « aap inbox retry »"),
        ):
            if count:
                parts.append(f"{count} {label}")
        return ", ".join(parts) + "."


def sweep(
    home: Home | Path | str | None,
    *,
    today: dt.date,
    quiet_seconds: float = 5,
    workers: int = 1,
    process: Process | None = None,
    now: float | None = None,
    progress: Progress | None = None,
) -> SweepReport:
    """One pass over the inbox of `home`, checks dated `today`. `process` checks one job
    (default `run_job`; with `workers` > 1 it must be a picklable top-level function);
    `now` (epoch seconds) is the scan's clock, for the quiet period."""
    home = home if isinstance(home, Home) else Home.resolve(Path(home) if home else None)
    report = SweepReport()
    with sweep_lock(home) as acquired:
        if not acquired:
            report.busy = True
            return report
        clean_leftovers(home)
        with Registry(home.database_url) as registry:
            moment = time.time() if now is None else now
            candidates = scan(home, now=moment, quiet_seconds=quiet_seconds, registry=registry)
            planner = _Planner(home, registry, today, report)
            jobs = planner.plan(candidates)
            _execute(jobs, planner, process or run_job, workers, progress)
    return report


def retry_failed(home: Home | Path | str | None) -> list[str]:
    """Make every failed dossier eligible again for the next sweep; returns their keys."""
    home = home if isinstance(home, Home) else Home.resolve(Path(home) if home else None)
    with Registry(home.database_url) as registry:
        keys = [row.key for row in registry.dossiers() if row.state == "failed"]
        for key in keys:
            registry.set_dossier_state(key, "received")
            registry.event("retry", key, "Dossier remis à vérifier (aap inbox retry).")
    return keys


@contextlib.contextmanager
def sweep_lock(home: Home) -> Iterator[bool]:
    """Hold the home's sweep lock (False when another process holds it). The kernel
    releases it when the holder dies, even by SIGKILL."""
    if fcntl is None:  # pragma: no cover
        yield True
        return
    fd = os.open(home.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def failed_dir(home: Home, candidate_or_call: DossierCandidate | str, label: str = "") -> Path:
    """`failed/<call_id>/<dossier>/`, where a failed dossier's `error.json` is written."""
    if isinstance(candidate_or_call, DossierCandidate):
        return home.failed / candidate_or_call.call_id / candidate_or_call.label
    return home.failed / candidate_or_call / label


def reports_dir(home: Home, candidate: DossierCandidate) -> Path:
    """`reports/<call_id>/<dossier>/`, where a dossier's notes are written."""
    return home.reports / candidate.call_id / candidate.label


# --- planning -----------------------------------------------------------------------


@dataclass
class _Prepared:
    candidate: DossierCandidate
    archived: list[Archived]
    fingerprint: Fingerprint
    content: frozenset[str]
    rules_version: int


@dataclass
class _Pending:
    prepared: _Prepared
    job: CheckJob


class _Planner:
    """Decides, dossier by dossier, what the sweep does, and records it."""

    def __init__(self, home: Home, registry: Registry, today: dt.date, report: SweepReport):
        self.home, self.registry, self.today, self.report = home, registry, today, report
        self.rows: dict[str, DossierRow] = {row.key: row for row in registry.dossiers()}
        self.ledger: dict[str, FileRow] = {row.path: row for row in registry.files()}
        self._rules: dict[str, tuple[str, str, int]] = {}

    def plan(self, candidates: list[DossierCandidate]) -> list[_Pending]:
        prepared: list[_Prepared] = []
        for candidate in candidates:
            row = self.rows.get(candidate.key)
            if candidate.error is not None:
                self._unknown_call(candidate, row)
            elif not candidate.stable:
                self.report.waiting[candidate.key] = candidate.waiting
            elif row is not None and row.state == "closed":
                self.report.closed.append(candidate.key)
            elif row is not None and _held(row, _stat_signature(candidate)):
                self.report.held.append(candidate.key)
            else:
                ready = self._prepare(candidate, row)
                if ready is not None:
                    prepared.append(ready)
        owners = _owners(prepared, self.rows)
        pending = []
        for ready in prepared:
            job = self._decide(ready, owners)
            if job is not None:
                pending.append(_Pending(ready, job))
        return pending

    # each dossier

    def _prepare(self, candidate: DossierCandidate, row: DossierRow | None) -> _Prepared | None:
        """Archive the originals and compute the fingerprint; None when the dossier
        changed meanwhile (it waits) or could not be archived (it failed)."""
        try:
            _, rules_sha, rules_version = self._rules_of(candidate.call_id)
        except OSError as exc:
            self.fail(candidate, row, error_dict(exc, "archive"), _stat_signature(candidate))
            return None
        archived = []
        for info in candidate.files:
            known = self.ledger.get(info.ledger_path)
            try:
                archived.append(with_retries(lambda i=info, k=known: archive_file(self.home, i, k)))
            except FileChanged:
                self.report.waiting[candidate.key] = [info.name]
                return None
            except Exception as exc:
                self.fail(candidate, row, error_dict(exc, "archive"), _stat_signature(candidate))
                return None
        corrections = candidate.corrections
        corrections_sha = next(
            (
                a.sha256
                for a in archived
                if corrections and a.info.ledger_path == corrections.ledger_path
            ),
            None,
        )
        pieces = [
            (a.info.name, a.sha256)
            for a in archived
            if not corrections or a.info.ledger_path != corrections.ledger_path
        ]
        return _Prepared(
            candidate,
            archived,
            fingerprint(pieces, rules_sha, corrections_sha),
            content_of(archived, candidate),
            rules_version,
        )

    def _decide(
        self, ready: _Prepared, owners: dict[tuple[str, frozenset[str]], str]
    ) -> CheckJob | None:
        candidate, row, fp = (
            ready.candidate,
            self.rows.get(ready.candidate.key),
            str(ready.fingerprint),
        )
        if row is not None and row.state == "checked" and row.fingerprint == fp:
            self._files(ready, "done")
            self.report.unchanged.append(candidate.key)
            return None
        if row is not None and _held(row, fp):
            self.report.held.append(candidate.key)
            return None
        if row is None:
            original = owners.get((candidate.call_id, ready.content))
            if original == candidate.key:
                original = None
            if original is None and candidate.kind != "folder" and ready.archived:
                original = single_file_original(self.registry, candidate, ready.archived[0].sha256)
            if original is not None:
                self._duplicate(ready, original)
                return None
        return self._job(ready, row)

    def _job(self, ready: _Prepared, row: DossierRow | None) -> CheckJob:
        candidate = ready.candidate
        if row is None:
            arrival = _arrival_date(candidate)
            self.registry.upsert_dossier(
                candidate.key, candidate.call_id, candidate.ledger_path, "received"
            )
            self.registry.event(
                "received",
                candidate.key,
                f"Dossier reçu ({len(candidate.files)} fichier(s)) ; date d'arrivée retenue : "
                f"{arrival.isoformat()}.",
            )
        elif row.state != "received":
            self.registry.upsert_dossier(
                candidate.key, candidate.call_id, candidate.ledger_path, "received"
            )
        self._files(ready, "processing")
        last = self.registry.last_check(candidate.key) if row and row.last_check_id else None
        rules_text = self._rules_of(candidate.call_id)[0]
        return CheckJob(
            key=candidate.key,
            call_id=candidate.call_id,
            name=candidate.name,
            kind=candidate.kind,
            archive_dir=str(self.home.archive),
            out_dir=str(reports_dir(self.home, candidate)),
            files=tuple((a.info.name, a.sha256) for a in ready.archived),
            rules_text=rules_text,
            fingerprint=str(ready.fingerprint),
            rules_version=ready.rules_version,
            today=self.today,
            received_on=self._received_on(candidate),
            note_version=(last.note_version if last else 0) + 1,
            previous_note_version=last.note_version if last else None,
            previous_result_json=last.result_json if last else None,
            previous_on=last.checked_on if last else None,
            previous_fingerprint=last.fingerprint if last else None,
            previous_rules_version=last.rules_version if last else None,
        )

    # recording

    def record(self, pending: _Pending, outcome: CheckOutcome) -> None:
        ready, job = pending.prepared, pending.job
        candidate = ready.candidate
        if not outcome.ok:
            error = outcome.error or {}
            self.fail(
                candidate, self.rows.get(candidate.key), error, job.fingerprint, ready.archived
            )
            return
        self.registry.record_check(
            candidate.key,
            job.fingerprint,
            job.rules_version,
            outcome.result_json or "{}",
            outcome.summary or {},
            job.today,
            job.note_version,
        )
        self._files(ready, "done")
        shutil.rmtree(failed_dir(self.home, candidate), ignore_errors=True)
        self.registry.event(
            "checked",
            candidate.key,
            f"Note v{job.note_version} écrite : {_verdict(outcome.summary)}.",
        )
        self.report.checked.append(candidate.key)

    def fail(
        self,
        candidate: DossierCandidate,
        row: DossierRow | None,
        error: dict[str, Any],
        fingerprint_text: str | None,
        archived: list[Archived] | None = None,
    ) -> None:
        """Record a failure: `error.json`, state `failed`, the files `failed`, an event."""
        digests = {a.info.ledger_path: a.sha256 for a in archived or []}
        error = {
            "dossier": candidate.key,
            **error,
            "fingerprint": fingerprint_text,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if row is None:
            self.registry.upsert_dossier(
                candidate.key, candidate.call_id, candidate.ledger_path, "failed"
            )
        self.registry.set_dossier_state(candidate.key, "failed", error=error)
        folder = failed_dir(self.home, candidate)
        atomic_write_text(
            folder / ERROR_FILE, json.dumps(error, ensure_ascii=False, indent=2) + "\n"
        )
        for info in candidate.files:
            known = self.ledger.get(info.ledger_path)
            self.registry.record_file(
                info.ledger_path,
                info.size,
                info.mtime,
                digests.get(info.ledger_path) or (known.sha256 if known else None),
                "failed",
                dossier_key=candidate.key,
                detail=error.get("code"),
            )
        self.registry.event(
            "failed", candidate.key, f"[{error.get('code')}] {error.get('message')}"
        )
        if error.get("code") == UNKNOWN_CALL:
            self.report.unknown_call.append(candidate.key)
        else:
            self.report.failed[candidate.key] = str(error.get("code"))

    def _unknown_call(self, candidate: DossierCandidate, row: DossierRow | None) -> None:
        error = candidate.error or {}
        previous = (row.error or {}) if row is not None and row.state == "failed" else {}
        if previous.get("code") == UNKNOWN_CALL and previous.get("known_calls") == error.get(
            "known_calls"
        ):
            self.report.unknown_call.append(candidate.key)  # already said, once is enough
            return
        self.fail(candidate, row, error, None)

    def _duplicate(self, ready: _Prepared, original: str) -> None:
        candidate = ready.candidate
        detail = f"même contenu que « {original} » : non vérifié une seconde fois"
        already = all(
            (row := self.ledger.get(a.info.ledger_path)) is not None
            and row.state == "duplicate"
            and row.sha256 == a.sha256
            and row.detail == detail
            for a in ready.archived
        )
        if not already:
            for a in ready.archived:
                self.registry.record_file(
                    a.info.ledger_path,
                    a.info.size,
                    a.info.mtime,
                    a.sha256,
                    "duplicate",
                    dossier_key=candidate.key,
                    detail=detail,
                )
            self.registry.event("duplicate", candidate.key, f"Dossier en double : {detail}.")
        self.report.duplicates[candidate.key] = original

    def _files(self, ready: _Prepared, state: str) -> None:
        for a in ready.archived:
            row = self.ledger.get(a.info.ledger_path)
            if (
                row is not None
                and row.state == state
                and row.sha256 == a.sha256
                and row.size == a.info.size
                and row.mtime == a.info.mtime
                and row.dossier_key == ready.candidate.key
            ):
                continue
            self.registry.record_file(
                a.info.ledger_path,
                a.info.size,
                a.info.mtime,
                a.sha256,
                state,
                dossier_key=ready.candidate.key,
            )

    # helpers

    def _rules_of(self, call_id: str) -> tuple[str, str, int]:
        """The rules file's text, digest and registry version (read once per sweep)."""
        if call_id not in self._rules:
            path = self.home.rules_file(call_id)
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            version = self.registry.record_call(call_id, sha, str(path))
            self._rules[call_id] = (data.decode("utf-8", errors="replace"), sha, version)
        return self._rules[call_id]

    def _received_on(self, candidate: DossierCandidate) -> dt.date:
        """The arrival date recorded when the dossier was first received."""
        for event in self.registry.events(candidate.key, kind="received"):
            found = re.search(r"(\d{4}-\d{2}-\d{2})", event.detail)
            if found:
                return dt.date.fromisoformat(found.group(1))
        return _arrival_date(candidate)


def _arrival_date(candidate: DossierCandidate) -> dt.date:
    """The newest modification date of the dossier's files, as `aap dossier check` takes
    it: when the dossier reached the instructeur."""
    return dt.date.fromtimestamp(max(f.mtime for f in candidate.files))


def _stat_signature(candidate: DossierCandidate) -> str:
    """What the scan knows of a dossier without reading it (names, sizes, dates): the
    fingerprint of a failure that happened before the digests were known."""
    listing = "".join(f"{f.name}\t{f.size}\t{f.mtime!r}\n" for f in candidate.files)
    return "stat:" + hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _held(row: DossierRow, fingerprint_text: str) -> bool:
    """A dossier that failed on exactly this content: not retried until it changes or
    `aap inbox retry` says so."""
    return row.state == "failed" and (row.error or {}).get("fingerprint") == fingerprint_text


def _owners(
    prepared: list[_Prepared], rows: dict[str, DossierRow]
) -> dict[tuple[str, frozenset[str]], str]:
    """For each content seen in this pass (per call), the dossier that owns it: one
    already registered, else the one dropped first (oldest newest file), else the first by
    name."""

    def seniority(ready: _Prepared) -> tuple[object, ...]:
        newest = max(f.mtime for f in ready.candidate.files)
        return (ready.candidate.key not in rows, newest, ready.candidate.key)

    owners: dict[tuple[str, frozenset[str]], str] = {}
    for ready in sorted(prepared, key=seniority):
        if ready.content:
            owners.setdefault((ready.candidate.call_id, ready.content), ready.candidate.key)
    return owners


def _verdict(summary: dict[str, Any] | None) -> str:
    summary = summary or {}
    complete = "complet" if summary.get("complete") else "incomplet"
    eligible = ELIGIBLE_LABELS.get(str(summary.get("eligible")), "éligibilité inconnue")
    text = f"{complete}, {eligible}"
    if summary.get("proposed_aid_eur") is not None:
        from decimal import Decimal

        text += f", aide proposée {euros(Decimal(str(summary['proposed_aid_eur'])))}"
    return text


# --- running the jobs ---------------------------------------------------------------


def _execute(
    pending: list[_Pending],
    planner: _Planner,
    process: Process,
    workers: int,
    progress: Progress | None,
) -> None:
    total = len(pending)
    if workers <= 1 or total <= 1:
        for number, item in enumerate(pending, start=1):
            if progress:
                progress(f"[{number}/{total}] {item.job.key}")
            planner.record(item, process(item.job))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=context) as pool:
        futures = {pool.submit(process, item.job): item for item in pending}
        done = 0
        for future in as_completed(futures):
            item = futures[future]
            done += 1
            if progress:
                progress(f"[{done}/{total}] {item.job.key}")
            try:
                outcome = future.result()
            except BrokenProcessPool:
                # A worker died (killed, or a crash in a PDF library): which dossier caused
                # it is unknown, so none is marked failed; all are taken again next pass.
                continue
            except Exception as exc:
                outcome = CheckOutcome(
                    item.job.key, ok=False, error=error_dict(exc, "verification")
                )
            planner.record(item, outcome)
