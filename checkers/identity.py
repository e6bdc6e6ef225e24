"""Identifiers of the applicant: SIRET / SIREN checksums and RNA format (I01)."""

from __future__ import annotations

from checkers.base import Verdict, check, enumerate_fr, evidence, general_rule, hedge
from checkers.context import CheckContext
from pipeline.ids import normalise_siret, rna_ok, siren_ok, siret_ok
from pipeline.models import CallRules, DossierFacts

ID_RULE = (
    "SIREN (9 chiffres) et SIRET (14 chiffres) à clé de Luhn, exception La Poste (SIREN "
    "356 000 000 : somme des chiffres du SIRET multiple de 5) ; n° RNA : W + 9 chiffres"
)


@check("I01", "Identifiants SIRET / SIREN / RNA valides")
def i01_identifiers(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie la validité des identifiants du porteur.

    Quoi : chaque identifiant donné est contrôlé : SIRET (14 chiffres, clé de Luhn ; pour
    La Poste, somme des chiffres multiple de 5), SIREN (9 chiffres, clé de Luhn), n° RNA
    (W suivi de 9 chiffres). Tous valides → `pass` ; un invalide → `fail` ; aucun donné →
    `missing`. Un SIREN qui n'est pas le début du SIRET → `review`. Un identifiant lu
    avec une confiance faible (scan) → `review` plutôt que `fail`.

    Pourquoi : un identifiant faux empêche de vérifier l'existence et la nature du porteur
    (SIRENE, RNA) et bloque le conventionnement et le paiement ; c'est souvent une faute de
    frappe ou de lecture.

    Base légale : règles de l'INSEE (répertoire SIRENE) et du RNA.

    Exemple : SIRET « 214 202 236 00012 » (clé fausse) → `fail`.
    """
    rule = [general_rule(ID_RULE)]
    siret, siren, rna = facts.siret, facts.siren, facts.rna
    given = [f for f in (siret, siren, rna) if f.value]
    ev = evidence(siret, siren, rna)
    if not given:
        return Verdict(
            status="missing",
            message="Aucun identifiant (SIRET, SIREN ou n° RNA) n'a été trouvé.",
            rule=rule,
            action="Demander au porteur son SIRET (ou son n° RNA pour une association).",
        )
    invalid: list[str] = []
    siret_digits = normalise_siret(siret.value) if siret.value else None
    siren_digits = normalise_siret(siren.value) if siren.value else None
    if siret_digits is not None and not siret_ok(siret_digits):
        invalid.append(f"SIRET « {siret.value} »")
    if siren_digits is not None and not siren_ok(siren_digits):
        invalid.append(f"SIREN « {siren.value} »")
    if rna.value and not rna_ok(rna.value.strip().upper()):
        invalid.append(f"n° RNA « {rna.value} »")
    if invalid:
        return hedge(
            Verdict(
                status="fail",
                message=f"Identifiant invalide : {enumerate_fr(invalid)} (clé de contrôle ou "
                "format).",
                evidence=ev,
                rule=rule,
                action="Vérifier l'identifiant sur l'avis de situation SIRENE ou le RNA et le "
                "corriger.",
            ),
            *given,
        )
    if siret_digits and siren_digits and not siret_digits.startswith(siren_digits):
        return Verdict(
            status="review",
            message=f"Le SIREN « {siren.value} » n'est pas le début du SIRET « {siret.value} ».",
            evidence=ev,
            rule=rule,
            action="Vérifier sur l'avis de situation SIRENE lequel des deux est juste.",
        )
    names = [label for label, f in (("SIRET", siret), ("SIREN", siren), ("n° RNA", rna)) if f.value]
    return hedge(
        Verdict(
            status="pass",
            message=f"Identifiant(s) valide(s) : {enumerate_fr(names)}.",
            evidence=ev,
            rule=rule,
        ),
        *given,
    )
