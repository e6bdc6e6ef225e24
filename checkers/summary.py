"""How findings add up (DESIGN §4): the same rule for the JSON, the note and the tracking
table. A pure function of the findings and the aid computation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pipeline import vocab
from pipeline.models import AidComputation, Finding, Summary

# A fail here means the dossier cannot be retained.
BLOCKING = ("E01", "E02", "E03", "E04", "E06")
# A fail here changes the aid or the plan: the instructeur must decide.
ADJUSTING = ("E05", "E07", "E08", "E09", "E10", "E11", "E12")
DECIDING = BLOCKING + ADJUSTING
UNSETTLED = ("review", "missing", "error")

Eligible = Literal["yes", "no", "review"]


def eligibility(findings: Iterable[Finding]) -> Eligible:
    """ "no" when E01–E04 or E06 fails; "review" when E05, E07–E12 fails or any of E01–E12
    is review / missing / error; "yes" otherwise. E13 and I01 inform but do not decide."""
    deciding = [f for f in findings if f.check in DECIDING]
    if any(f.check in BLOCKING and f.status == "fail" for f in deciding):
        return "no"
    if any(f.status == "fail" or f.status in UNSETTLED for f in deciding):
        return "review"
    return "yes"


def blocking_failures(findings: Iterable[Finding]) -> list[Finding]:
    """The failed findings that make a dossier not eligible."""
    return [f for f in findings if f.check in BLOCKING and f.status == "fail"]


def summarise(
    findings: list[Finding],
    computation: AidComputation | None,
    missing_pieces: list[str] | None = None,
) -> Summary:
    """The summary of DESIGN §4.

    `complete` is false when C01 finds a piece missing or any C03 note is missing or
    empty — and also when C01 or C03 could not run (`error`): completeness that was not
    established is not asserted. `missing_pieces` are the codes C01 found absent, in its
    order (given by the caller: `completeness.absent_pieces`). `proposed_aid_eur` is the computation's amount, null when `eligible` is "no"."""
    complete = not any(
        (f.check == "C01" and f.status in ("missing", "error"))
        or (f.check == "C03" and f.status in ("fail", "missing", "error"))
        for f in findings
    )
    eligible = eligibility(findings)
    proposed = computation.proposed_eur if computation is not None else None
    pieces = [p for p in missing_pieces or [] if p in vocab.PIECES]
    return Summary(
        complete=complete,
        eligible=eligible,
        proposed_aid_eur=None if eligible == "no" else proposed,
        missing_pieces=pieces,  # type: ignore[arg-type]
    )
