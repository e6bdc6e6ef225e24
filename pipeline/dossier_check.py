"""One dossier checked against one call, end to end: read the pieces, apply the
instructeur's corrections, run the checks, assemble the result (DESIGN §3). Orchestration
only: the rules live in `checkers/`, the reading in `extractors/dossier/`, the rendering
in `pipeline/report/`. Used by `aap dossier check` and by the flows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from checkers.context import CheckContext
from checkers.run import run_checks
from extractors.dossier.extract import Progress, extract_dossier
from pipeline.corrections import Correction, apply_corrections, find_corrections, load_corrections
from pipeline.models import CallRules, CheckResult, DossierExtraction


@dataclass
class DossierCheck:
    result: CheckResult
    corrections: list[Correction] = field(default_factory=list)
    corrections_file: Path | None = None

    @property
    def readable(self) -> bool:
        """False when not one piece of the dossier could be read."""
        return any(entry.error is None for entry in self.result.documents)


def check_dossier(
    path: Path,
    rules: CallRules,
    *,
    today: dt.date,
    received_on: dt.date | None = None,
    corrections_file: Path | None = None,
    progress: Progress | None = None,
) -> DossierCheck:
    """Read the dossier at `path` and check it against `rules` as of `today`.

    `corrections_file` defaults to the `corrections.yaml|yml|json` inside the dossier
    folder; its values replace the facts read (source "manual") and are listed.
    Raises `pipeline.corrections.CorrectionsError` for an unreadable corrections file."""
    extraction = extract_dossier(path, received_on, progress=progress)
    corrections_file = corrections_file or find_corrections(Path(path))
    result, corrections = check_extraction(
        extraction, rules, today=today, received_on=received_on, corrections_file=corrections_file
    )
    return DossierCheck(result, corrections, corrections_file)


def check_extraction(
    extraction: DossierExtraction,
    rules: CallRules,
    *,
    today: dt.date,
    received_on: dt.date | None = None,
    corrections_file: Path | None = None,
) -> tuple[CheckResult, list[Correction]]:
    """The checks on what was read: the instructeur's corrections applied, every check
    run, the result assembled (the flows call this after their own, cached, reading)."""
    facts = extraction.facts
    corrections: list[Correction] = []
    if corrections_file is not None:
        facts, corrections = apply_corrections(facts, load_corrections(Path(corrections_file)))
    context = CheckContext(today=today, documents=extraction.documents, received_on=received_on)
    outcome = run_checks(rules, facts, context)
    result = CheckResult(
        dossier_id=extraction.dossier_id,
        call_id=rules.call_id,
        documents=extraction.documents,
        facts=facts,
        findings=outcome.findings,
        summary=outcome.summary,
        computation=outcome.computation,
        warnings=extraction.warnings + outcome.warnings,
    )
    return result, corrections
