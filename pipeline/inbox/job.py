"""One dossier checked from the archive: the work a sweep hands to a worker process.

A `CheckJob` carries everything the check needs (archived digests, the rules' text, the
dates, the previous result) and nothing live (no database, no open file): it is pickled
to a worker process, where `run_job` rebuilds the dossier from the archive under its own
name (hard links, else copies), checks it, sets the previous reports aside and writes the
new ones. It never raises: a failure comes back as a `CheckOutcome` with its stage, a
short code, a French message and the traceback, so the registry writes stay in the parent.

Working from the archive means the check reads exactly the bytes that were fingerprinted,
even if the inbox changes meanwhile; the inbox is not read here at all.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pipeline.inbox.archive import WORK_PREFIX, work_dir
from pipeline.inbox.fingerprint import Fingerprint
from pipeline.inbox.versions import describe_changes, set_aside

T = TypeVar("T")

TRIES = 3
RETRY_DELAY = 0.5  # seconds, doubled at each new try
_TRANSIENT_ERRNOS = {errno.EBUSY, errno.EAGAIN, errno.ETXTBSY, errno.ESTALE, errno.EINTR}


@dataclass(frozen=True)
class CheckJob:
    """What a worker needs to check one dossier. `files`: (name inside the dossier,
    sha256) of every file, the corrections file included; `kind`: folder, zip or pdf."""

    key: str
    call_id: str
    name: str
    kind: str
    archive_dir: str
    out_dir: str
    files: tuple[tuple[str, str], ...]
    rules_text: str
    fingerprint: str
    rules_version: int
    today: dt.date
    received_on: dt.date | None
    note_version: int
    previous_note_version: int | None = None
    previous_result_json: str | None = None
    previous_on: dt.date | None = None
    previous_fingerprint: str | None = None
    previous_rules_version: int | None = None


@dataclass
class CheckOutcome:
    """What came of a job: the result (JSON, without the "what changed" paragraph, which
    belongs to the note only) and its summary, or the error (stage, code, message, hint,
    traceback)."""

    key: str
    ok: bool
    result_json: str | None = None
    summary: dict[str, Any] | None = None
    written: list[str] = field(default_factory=list)
    changes: str | None = None
    error: dict[str, Any] | None = None


class JobError(Exception):
    """A failure with its stage and short code, said in French."""

    def __init__(self, stage: str, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.stage, self.code, self.message, self.hint = stage, code, message, hint


# --- transient errors ---------------------------------------------------------------


def is_transient(exc: BaseException) -> bool:
    """A file locked or busy, a network share that hiccups: worth trying again. Looks
    through the chain of causes (readers wrap the system error in their own)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PermissionError | BlockingIOError | InterruptedError | TimeoutError):
            return True
        if isinstance(current, OSError) and current.errno in _TRANSIENT_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def with_retries(
    action: Callable[[], T],
    *,
    tries: int = TRIES,
    delay: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `action`, again after a pause (doubled each time) while it fails with a
    transient error, at most `tries` times; the last error is raised as it is."""
    pause = RETRY_DELAY if delay is None else delay
    for attempt in range(1, tries + 1):
        try:
            return action()
        except Exception as exc:
            if attempt == tries or not is_transient(exc):
                raise
            sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def error_dict(exc: BaseException, stage: str) -> dict[str, Any]:
    """An exception as the registry and `error.json` keep it."""
    if isinstance(exc, JobError):
        code, message, hint = exc.code, exc.message, exc.hint
    elif is_transient(exc):
        code = "fichier_occupe"
        message = (
            "Un fichier est resté verrouillé ou inaccessible malgré plusieurs essais "
            f"({type(exc).__name__} : {exc})."
        )
        hint = (
            "Fermez le fichier s'il est ouvert (Word, lecteur PDF), vérifiez le partage "
            "réseau, puis relancez « aap inbox retry »."
        )
    else:
        code = "erreur_interne"
        message = f"Erreur inattendue du programme ({type(exc).__name__} : {exc})."
        hint = (
            "Signalez-la avec le fichier error.json ; le dossier sera repris par "
            "« aap inbox retry » une fois le programme corrigé."
        )
    return {
        "stage": stage,
        "code": code,
        "message": message,
        "hint": hint,
        "traceback": "".join(traceback.format_exception(exc)),
    }


# --- the job ------------------------------------------------------------------------


def run_job(job: CheckJob) -> CheckOutcome:
    """Check one dossier from the archive and write its reports (retrying transient
    errors); never raises."""
    stage = ["preparation"]
    try:
        return with_retries(lambda: _run(job, stage))
    except Exception as exc:
        return CheckOutcome(job.key, ok=False, error=error_dict(exc, stage[0]))


def _run(job: CheckJob, stage: list[str]) -> CheckOutcome:
    from pipeline.corrections import CorrectionsError
    from pipeline.dossier_check import check_dossier
    from pipeline.files import OutputError
    from pipeline.report import write_reports
    from pipeline.rulesfile import RulesFileError, load_rules

    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=work_dir(Path(job.archive_dir))))
    try:
        stage[0] = "preparation"
        dossier = _rebuild(job, work)
        rules_path = work / "regles" / f"{job.call_id}.json"
        rules_path.parent.mkdir()
        rules_path.write_text(job.rules_text, encoding="utf-8")
        try:
            rules = load_rules(rules_path)
        except RulesFileError as exc:
            raise JobError(
                "preparation",
                "regles_invalides",
                exc.message.replace(str(rules_path), f"calls/{job.call_id}.json"),
                exc.hint,
            ) from exc
        stage[0] = "verification"
        try:
            checked = check_dossier(dossier, rules, today=job.today, received_on=job.received_on)
        except CorrectionsError as exc:
            raise JobError(
                "verification",
                "corrections_invalides",
                exc.message.replace(str(work / "dossier"), "inbox"),
                "Corrigez le fichier de corrections du dossier : le dossier sera vérifié à "
                "nouveau au prochain passage.",
            ) from exc
        if not checked.readable:
            raise _unreadable(job, checked, dossier, work)
        result_json = checked.result.model_dump_json()
        stage[0] = "rapports"
        changes = _changes(job, result_json)
        result = checked.result
        if changes:
            result = result.model_copy(update={"warnings": [changes, *result.warnings]})
        out_dir = Path(job.out_dir)
        set_aside(out_dir, job.previous_note_version)
        try:
            written = write_reports(
                result, rules, checked.corrections, out_dir, on=job.today, dossier_path=dossier
            )
        except OutputError as exc:
            if exc.__cause__ is not None and is_transient(exc.__cause__):
                raise
            raise JobError("rapports", "ecriture_rapports", exc.message, exc.hint) from exc
        return CheckOutcome(
            job.key,
            ok=True,
            result_json=result_json,
            summary=checked.result.summary.model_dump(mode="json"),
            written=[str(p) for p in written],
            changes=changes,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _rebuild(job: CheckJob, work: Path) -> Path:
    """The dossier as it was dropped, under its own name (the dossier id comes from it),
    made of links to the archived originals."""
    root = work / "dossier" / job.call_id
    dossier = root / job.name
    for name, sha in job.files:
        target = dossier / name if job.kind == "folder" else dossier
        target.parent.mkdir(parents=True, exist_ok=True)
        source = Path(job.archive_dir) / sha
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    if job.kind == "folder":
        dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def _unreadable(job: CheckJob, checked: Any, dossier: Path, work: Path) -> JobError:
    """Why not one piece could be read: the intake's refusal of the archive (zip bomb,
    path traversal…) with its own code when that is the reason, else each file's error."""
    from extractors.dossier.intake import collect

    refusals = [p for p in collect(dossier, work / "intake").problems if p.code.startswith("zip_")]
    if job.kind == "zip" and refusals:
        return JobError(
            "verification",
            refusals[0].code,
            f"Le dossier « {job.name} » n'a pas été lu. {refusals[0].message}",
            "Aucune note n'est écrite ; le dossier sera vérifié à nouveau dès qu'il sera "
            "remplacé dans la boîte de dépôt.",
        )
    errors = [f"« {d.name} » : {d.error}" for d in checked.result.documents if d.error]
    details = " ".join(errors) or "aucun fichier exploitable."
    return JobError(
        "verification",
        "dossier_illisible",
        f"Aucune pièce du dossier « {job.name} » n'a pu être lue. {details}",
        "Demandez au porteur de projet des pièces lisibles ; le dossier sera vérifié à "
        "nouveau dès que ses fichiers changeront, ou avec « aap inbox retry ».",
    )


def _changes(job: CheckJob, result_json: str) -> str | None:
    if job.previous_result_json is None or job.previous_note_version is None:
        return None
    fingerprint = Fingerprint.parse(job.fingerprint)
    if fingerprint is None:
        return None
    return describe_changes(
        job.previous_result_json,
        result_json,
        previous_version=job.previous_note_version,
        previous_on=job.previous_on,
        previous_fingerprint=job.previous_fingerprint,
        fingerprint=fingerprint,
        previous_rules_version=job.previous_rules_version,
        rules_version=job.rules_version,
    )
