"""What a check may know besides the call's rules and the dossier's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipeline.models import DocumentEntry


@dataclass(frozen=True)
class CheckContext:
    """The reference date (never the clock), the pieces found in the dossier and the date
    the dossier arrived (the fallback of `submitted_on`, when known)."""

    today: date
    documents: list[DocumentEntry] = field(default_factory=list)
    received_on: date | None = None
