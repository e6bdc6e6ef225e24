"""The one explicit list of checks, in the order findings are reported (DESIGN §4)."""

from __future__ import annotations

from checkers.base import Check
from checkers.budget import (
    e05_cap,
    e06_floor,
    e07_rate,
    e08_public_aid,
    e09_own_share,
    e10_expenses,
    e11_indirect,
    e12_balance,
)
from checkers.completeness import c01_pieces, c02_identification, c03_notes, c04_signed
from checkers.eligibility import (
    e01_beneficiary,
    e02_territory,
    e03_window,
    e04_not_started,
    e13_theme,
)
from checkers.identity import i01_identifiers

CHECKS: tuple[Check, ...] = (
    c01_pieces,
    c02_identification,
    c03_notes,
    c04_signed,
    e01_beneficiary,
    e02_territory,
    e03_window,
    e04_not_started,
    e05_cap,
    e06_floor,
    e07_rate,
    e08_public_aid,
    e09_own_share,
    e10_expenses,
    e11_indirect,
    e12_balance,
    e13_theme,
    i01_identifiers,
)


def by_code() -> dict[str, Check]:
    return {c.CODE: c for c in CHECKS}
