"""Whether an extracted rule equals an expected one, the way an instructeur reads them:
codes as sets, free-text items by their opening words, titles without case or accents.

Used by the golden tests (strict) and by the accuracy measure on held-out notices
(`lenient`: names of bodies without case or accents, rates and contacts in any order).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

CODE_LISTS = frozenset(
    {
        "eligible_beneficiaries",
        "expense_types",
        "eligible_expenses",
        "ineligible_expenses",
        "required_pieces",
    }
)
TEXT_LISTS = frozenset({"themes", "selection_criteria"})


def norm(text: str) -> str:
    """Lowercase ASCII, quotes and emphasis dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[«»\"“”'’*]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .;:,")


def same_value(key: str, got: Any, want: Any, *, lenient: bool = False) -> bool:
    if want is None or got is None:
        return got == want or (got == [] and want in (None, []))
    if key in CODE_LISTS:
        return sorted(got) == sorted(want)
    if key in TEXT_LISTS:
        return len(got) == len(want) and all(
            _same_start(g, w) for g, w in zip(got, want, strict=True)
        )
    if key == "title" or (lenient and key in ("funder", "programme")):
        return norm(str(got)) == norm(str(want))
    if lenient and key == "aid_rates":
        return sorted(map(_rate_key, got)) == sorted(map(_rate_key, want))
    if lenient and key == "contacts":
        return sorted(map(_contact_key, got)) == sorted(map(_contact_key, want))
    return got == want


def _same_start(got: str, want: str, letters: int = 50) -> bool:
    a, b = norm(got), norm(want)
    n = min(letters, len(a), len(b))
    return a[:n] == b[:n]


def _rate_key(rate: dict[str, Any]) -> tuple[Any, ...]:
    scope = norm(rate.get("scope") or "")[:20]
    return (
        rate["max_rate"],
        tuple(sorted(rate["beneficiaries"] or [])),
        rate["basis"],
        rate["max_aid_eur"],
        scope,
    )


def _contact_key(contact: dict[str, Any]) -> tuple[str, str, str]:
    return (
        contact["name"] or "",
        contact["email"] or "",
        re.sub(r"\D", "", contact["phone"] or ""),
    )
