"""Run every registered check on one dossier: findings in registry order, the aid
computation and the summary. A check that crashes becomes an `error` finding and the
others still run (DESIGN §7, Great Expectations)."""

from __future__ import annotations

from dataclasses import dataclass, field

from checkers import aid
from checkers.base import Check
from checkers.completeness import absent_pieces
from checkers.context import CheckContext
from checkers.registry import CHECKS
from checkers.summary import blocking_failures, summarise
from pipeline.models import AidComputation, CallRules, DossierFacts, Finding, Summary


@dataclass(frozen=True)
class CheckOutcome:
    findings: list[Finding]
    computation: AidComputation | None
    summary: Summary
    warnings: list[str] = field(default_factory=list)


def run_checks(
    rules: CallRules,
    facts: DossierFacts,
    ctx: CheckContext,
    checks: tuple[Check, ...] | list[Check] = CHECKS,
) -> CheckOutcome:
    """All `checks` (the registry by default) on one dossier."""
    findings: list[Finding] = []
    for one in checks:
        findings.extend(_run_one(one, rules, facts, ctx))
    warnings: list[str] = []
    computation: AidComputation | None
    try:
        computation = aid.compute_aid(rules, facts)
    except Exception as exc:  # noqa: BLE001 - a crash is reported, never raised
        computation = None
        warnings.append(f"Le calcul de l'aide proposée a échoué ({_why(exc)}) : à faire à la main.")
    missing: list[str] = []
    if any(f.check == "C01" and f.status == "missing" for f in findings):
        try:
            missing = absent_pieces(rules, facts, ctx)
        except Exception as exc:  # noqa: BLE001
            warnings.append(
                f"La liste des pièces manquantes n'a pas pu être établie ({_why(exc)})."
            )
    summary = summarise(findings, computation, missing)
    if summary.eligible == "no" and computation is not None:
        codes = ", ".join(f.check for f in blocking_failures(findings))
        computation = aid.withhold(computation, f"dossier non éligible en l'état ({codes})")
    return CheckOutcome(findings, computation, summary, warnings)


def _run_one(one: Check, rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> list[Finding]:
    try:
        result = one(rules, facts, ctx)
        return result if isinstance(result, list) else [result]
    except Exception as exc:  # noqa: BLE001 - a crashing check must not stop the others
        return [
            Finding(
                check=one.CODE,
                title=one.TITLE,
                status="error",
                message=f"La vérification {one.CODE} (« {one.TITLE} ») a échoué : {_why(exc)}. "
                "Aucun constat n'a pu être établi.",
                action="Vérifier ce point à la main.",
            )
        ]


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__} : {text}" if text else type(exc).__name__
