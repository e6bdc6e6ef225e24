"""What every check shares: the `@check` decorator that gives a check its code and title,
the verdict a check body returns, and small helpers about facts and rules.

A check body returns one `Verdict` (or a list); the decorator turns it into `Finding`s
carrying the check's code and title, so that a code is written once, next to its function.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from checkers.context import CheckContext
from pipeline import render
from pipeline.models import CallRules, DossierFacts, Evidence, Finding, Sourced, Status

# Below this confidence a fact was guessed (e.g. the arrival date standing in for the
# date of the request): a verdict resting on it is for a human to confirm.
UNCERTAIN_BELOW = 0.5

# Rounding of the plan's amounts (DESIGN §4: "to the cent, with a tolerance of 1 €").
EURO_TOLERANCE = Decimal("1")
CENT = Decimal("0.01")

GENERAL_RULE = "règle générale"
CALL_RULES_FILE = "règles de l'appel (valeur saisie)"

# Public owners bound by CGCT L1111-10 (E09) and public bodies that vote a deliberation.
PUBLIC_OWNERS = ("commune", "epci", "syndicat", "departement", "region")
DELIBERATING_BODIES = ("commune", "epci", "syndicat", "departement", "region", "ccas")


@dataclass
class Verdict:
    """What a check body decides; the decorator adds the code and the title."""

    status: Status
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    rule: list[Evidence] = field(default_factory=list)
    action: str | None = None


CheckBody = Callable[[CallRules, DossierFacts, CheckContext], "Verdict | list[Verdict]"]


class Check(Protocol):
    """A registered check: a function of (rules, facts, context) with a code and a title."""

    CODE: str
    TITLE: str
    __name__: str
    __doc__: str | None

    def __call__(
        self, rules: CallRules, facts: DossierFacts, ctx: CheckContext
    ) -> Finding | list[Finding]: ...


def check(code: str, title: str) -> Callable[[CheckBody], Check]:
    """Give a check body its stable code and French title, and make it return Findings."""

    def decorate(body: CheckBody) -> Check:
        @functools.wraps(body)
        def run(
            rules: CallRules, facts: DossierFacts, ctx: CheckContext
        ) -> Finding | list[Finding]:
            verdicts = body(rules, facts, ctx)
            if isinstance(verdicts, list):
                return [_finding(code, title, v) for v in verdicts]
            return _finding(code, title, verdicts)

        run.CODE = code  # type: ignore[attr-defined]
        run.TITLE = title  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


def _finding(code: str, title: str, verdict: Verdict) -> Finding:
    # No action on a pass or a not-applicable: there is nothing for the instructeur to do.
    action = None if verdict.status in ("pass", "not_applicable") else verdict.action
    return Finding(
        check=code,
        title=title,
        status=verdict.status,
        message=verdict.message,
        evidence=_dedupe(verdict.evidence),
        rule=_dedupe(verdict.rule),
        action=action,
    )


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: list[Evidence] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# --------------------------------------------------------------------------- facts


def known(field_: Sourced[Any]) -> bool:
    """A fact or a rule is known when its value is not null (an empty list is not known)."""
    return field_.found


def uncertain(*fields: Sourced[Any]) -> bool:
    """True when one of the known `fields` was read with a confidence below 0.5."""
    return any(
        f.found and f.confidence is not None and f.confidence < UNCERTAIN_BELOW for f in fields
    )


def evidence(*fields: Sourced[Any]) -> list[Evidence]:
    """The evidence of the dossier facts a verdict rests on, in order, without duplicates."""
    return _dedupe([e for f in fields for e in f.evidence])


def hedge(verdict: Verdict, *fields: Sourced[Any]) -> Verdict:
    """A `pass` or `fail` resting on an uncertain fact becomes `review` (spec: a human must
    confirm a value read with a low confidence); the message says so."""
    if verdict.status not in ("pass", "fail") or not uncertain(*fields):
        return verdict
    was = "conforme" if verdict.status == "pass" else "non conforme"
    return Verdict(
        status="review",
        message=(
            f"{verdict.message} Ce constat ({was}) repose sur une valeur lue avec une "
            "confiance faible : il doit être confirmé."
        ),
        evidence=verdict.evidence,
        rule=verdict.rule,
        action=verdict.action
        or "Vérifier la valeur dans la pièce d'origine puis confirmer ou corriger le constat.",
    )


# --------------------------------------------------------------------------- rules


def rule_evidence(rules: CallRules, *names: str) -> list[Evidence]:
    """Evidence of the call's fields a check applies. A field written by hand in the rules
    file has no quote: the value itself stands as the quote, so a finding always says
    which rule it applied."""
    out: list[Evidence] = []
    for name in names:
        field_: Sourced[Any] = getattr(rules, name)
        if field_.evidence:
            out.extend(field_.evidence)
        elif field_.found:
            out.append(
                Evidence(document=CALL_RULES_FILE, quote=f"{name} : {_rule_value(field_.value)}")
            )
    return _dedupe(out)


def _rule_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_rule_value(v) for v in value)
    if hasattr(value, "model_dump"):
        return ", ".join(f"{k}={v}" for k, v in value.model_dump(exclude_none=True).items())
    return str(value)


def general_rule(reference: str) -> Evidence:
    """A rule that comes from the law or from DESIGN §4, not from the call's notice."""
    return Evidence(document=GENERAL_RULE, quote=reference)


# --------------------------------------------------------------------------- numbers, text


def eur(value: Decimal) -> str:
    """'17 160 €', '14 000,50 €'."""
    return render.euros(value)


def pct(rate: Decimal) -> str:
    """A rate as a percentage with at most two decimals: '80 %', '59,92 %'."""
    value = (rate * 100).quantize(CENT, rounding=ROUND_HALF_UP).normalize()
    return f"{value:f}".replace(".", ",") + " %"


def floor_cent(value: Decimal) -> Decimal:
    """Rounded down to the cent: an aid is never rounded up."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def fold(text: str) -> str:
    """Lower case, no accents, punctuation and quotes as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    kept = "".join(c if c.isalnum() else " " for c in ascii_text)
    return " ".join(kept.split())


def enumerate_fr(items: Sequence[str]) -> str:
    """'a', 'a et b', 'a, b et c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
