"""`check_dossier`: one dossier checked against one call, as Prefect tasks.

- `extract_dossier_facts` (read and extract): the slow part (PDF reading, OCR, spaCy). Its
  result is cached by content digest: the dossier's name (the dossier id comes from it),
  every file's name and bytes (the corrections file apart: it is applied after), the
  arrival date, and the digest of the reading code itself. An unchanged dossier is not
  read again, even against new rules or new corrections.
- `check_facts`: the corrections applied, the checks run (`checkers`), the result built.
- `write_dossier_reports`: the note, the result JSON, the letter asking for pieces.

Thin wrappers: the same functions as `aap dossier check` (which needs no Prefect at all);
`tests/test_flows.py` checks that both give the same result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline.models import CallRules, CheckResult, DossierExtraction

ROOT = Path(__file__).resolve().parents[1]
# The code whose output the cache keeps: a change there must not serve stale facts.
_READING_CODE = ("extractors", "pipeline/documents", "pipeline/text", "pipeline/models.py")
CACHE_DAYS = 180
_CHUNK = 1 << 20


class DossierNotRead(Exception):
    """Not one piece of the dossier could be read (as `aap dossier check` refuses it)."""


@dataclass
class DossierChecked:
    """What `check_dossier` did: the result, the files written, and whether the reading
    came from the cache (`cached`)."""

    result: CheckResult
    written: list[Path]
    cached: bool


def dossier_digest(path: Path) -> str:
    """The digest of what the reading of a dossier depends on: its name and, for every
    file (names sorted, the corrections file left out), its relative name and bytes."""
    from pipeline.corrections import CORRECTION_FILES

    path = Path(path)
    digest = hashlib.sha256(f"dossier\t{path.name}\n".encode())
    if path.is_dir():
        files = sorted(
            (p.relative_to(path).as_posix(), p)
            for p in path.rglob("*")
            if p.is_file() and not p.is_symlink()
        )
        files = [(n, p) for n, p in files if n.lower() not in CORRECTION_FILES]
    else:
        files = [(path.name, path)]
    for name, file in files:
        digest.update(f"{name}\t".encode())
        with open(file, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\n")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def reading_code_digest() -> str:
    """The digest of the Python sources that read and extract a dossier."""
    digest = hashlib.sha256()
    for part in _READING_CODE:
        base = ROOT / part
        sources = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for source in sources:
            digest.update(source.relative_to(ROOT).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _extraction_key(_context: Any, parameters: dict[str, Any]) -> str:
    received = parameters.get("received_on")
    return (
        "lecture-"
        + hashlib.sha256(
            "\t".join(
                (dossier_digest(Path(parameters["dossier"])), str(received), reading_code_digest())
            ).encode()
        ).hexdigest()
    )


@task(
    name="extract_dossier_facts",
    cache_key_fn=_extraction_key,
    cache_expiration=dt.timedelta(days=CACHE_DAYS),
    persist_result=True,
    result_serializer="pickle",
)
def extract_dossier_facts(dossier: str, received_on: dt.date | None) -> DossierExtraction:
    """Read every piece of the dossier and the facts they state (cached by content)."""
    from extractors.dossier.extract import extract_dossier

    return extract_dossier(Path(dossier), received_on)


@task(name="check_facts", cache_policy=NO_CACHE)
def check_facts(
    extraction: DossierExtraction,
    rules: CallRules,
    today: dt.date,
    received_on: dt.date | None,
    corrections_file: str | None,
) -> tuple[CheckResult, list[Any]]:
    """The instructeur's corrections applied, then every check run (the pure path's own
    function, after this flow's cached reading)."""
    from pipeline.dossier_check import check_extraction

    return check_extraction(
        extraction,
        rules,
        today=today,
        received_on=received_on,
        corrections_file=Path(corrections_file) if corrections_file else None,
    )


@task(name="write_dossier_reports", cache_policy=NO_CACHE)
def write_dossier_reports(
    result: CheckResult,
    rules: CallRules,
    corrections: list[Any],
    out_dir: str,
    today: dt.date,
    dossier: str,
) -> list[Path]:
    """The instruction note (DOCX, Markdown), the result JSON and, for an incomplete
    dossier, the letter asking for the missing pieces."""
    from pipeline.report import write_reports

    return write_reports(
        result, rules, corrections, Path(out_dir), on=today, dossier_path=Path(dossier)
    )


@flow(name="check_dossier")
def check_dossier(
    dossier: str,
    rules_file: str,
    out_dir: str,
    today: dt.date | None = None,
    received_on: dt.date | None = None,
    corrections_file: str | None = None,
) -> DossierChecked:
    """Check the dossier `dossier` (folder, zip or merged PDF) against the rules file
    `rules_file` as of `today` and write its reports into `out_dir`. The corrections file
    defaults to the one inside the dossier folder."""
    from pipeline.corrections import find_corrections
    from pipeline.rulesfile import load_rules

    rules = load_rules(Path(rules_file))
    day = today or dt.date.today()
    corrections = corrections_file or find_corrections(Path(dossier))
    state = extract_dossier_facts(dossier, received_on, return_state=True)
    extraction = state.result()
    result, applied = check_facts(
        extraction, rules, day, received_on, os.fspath(corrections) if corrections else None
    )
    if not any(entry.error is None for entry in result.documents):
        raise DossierNotRead(
            f"Aucune pièce du dossier « {dossier} » n'a pu être lue : aucune note n'est écrite."
        )
    written = write_dossier_reports(result, rules, applied, out_dir, day, dossier)
    return DossierChecked(result, written, cached=state.name == "Cached")
