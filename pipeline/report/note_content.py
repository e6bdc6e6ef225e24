"""The content of the instruction note, built once for every renderer (DOCX, Markdown).

Everything here is rendering: the verdicts, the summary and the aid computation were
decided by the checkers; this module only places them in the nine sections of the note,
each statement followed by its source ("Source : <fichier>, p. N").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from pipeline import vocab
from pipeline.models import (
    AidComputation,
    AidLine,
    AidStep,
    CallRules,
    CheckResult,
    Evidence,
    Finding,
    Sourced,
)
from pipeline.render import (
    ELIGIBLE_LABELS,
    FACT_LABELS,
    MANUAL_SOURCE,
    NOT_FOUND,
    STATUS_LABELS,
    euros,
    fact_value_text,
    field_source,
    field_text,
    percent,
    source_citation,
)
from pipeline.report.blocks import (
    Block,
    Box,
    Cell,
    DocModel,
    Heading,
    Para,
    bold,
    cell,
    italic,
    para,
    table,
)

if TYPE_CHECKING:
    from pipeline.corrections import Correction

# Where each check is shown: recevabilité (4), éligibilité by theme (5), financing (6).
# A check not listed here (a code added later) is shown in 5 under "Autres vérifications",
# so that no finding is ever left out of the note.
COMPLETENESS_CHECKS = ("C01", "C02", "C03", "C04")
ELIGIBILITY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Bénéficiaire", ("E01", "I01")),
    ("Territoire", ("E02",)),
    ("Calendrier", ("E03",)),
    ("Non-commencement du projet", ("E04",)),
    ("Thématique", ("E13",)),
)
EXPENSE_CHECKS = ("E10", "E11")
FINANCING_CHECKS = ("E05", "E06", "E07", "E08", "E09", "E12")
TO_CHECK_STATUSES = ("fail", "missing", "review", "error")

SECTION_TITLES = (
    "1. Identification du dossier",
    "2. Bénéficiaire",
    "3. Présentation du projet",
    "4. Recevabilité et complétude",
    "5. Éligibilité",
    "6. Plan de financement demandé et retenu",
    "7. Critères de sélection",
    "8. Points à vérifier",
    "9. Avis de l'instructeur",
)

FIELD_WIDTHS = (4.5, 7.0, 5.5)
FINDING_WIDTHS = (3.8, 3.4, 9.8)


def build_note(
    result: CheckResult,
    rules: CallRules,
    corrections: Sequence[Correction],
    *,
    on: date,
) -> DocModel:
    """The whole note as blocks; `corrections` are the values corrected by hand, as
    `pipeline.corrections.apply_corrections` records them."""
    call = call_label(rules)
    doc = DocModel(
        title=f"Note d'instruction — dossier n° {result.dossier_id}",
        header=f"{call} — Dossier n° {result.dossier_id}",
        footer=f"Note d'instruction — dossier n° {result.dossier_id} — page",
    )
    doc.add(*_title_blocks(result, rules, on))
    doc.add(*_identification(result, rules, corrections, on))
    doc.add(*_beneficiary(result))
    doc.add(*_project(result))
    doc.add(*_completeness(result))
    doc.add(*_eligibility(result))
    doc.add(*_financing(result))
    doc.add(*_criteria(result, rules))
    doc.add(*_to_check(result, rules))
    doc.add(*_opinion())
    return doc


def call_label(rules: CallRules) -> str:
    """'<title> (<funder>)', or the call's id when the title was not read."""
    title = rules.title.value or rules.call_id
    return f"{title} ({rules.funder.value})" if rules.funder.value else title


# --------------------------------------------------------------------------- header


def _title_blocks(result: CheckResult, rules: CallRules, on: date) -> list[Block]:
    summary = result.summary
    missing = ", ".join(vocab.PIECE_LABELS.get(p, p) for p in summary.missing_pieces)
    complete = (
        "oui"
        if summary.complete
        else "non" + (f" — pièces manquantes : {missing}" if missing else "")
    )
    proposed = _proposed_text(result)
    blocks: list[Block] = [
        Heading("Note d'instruction", level=0),
        para(bold("Appel à projets : "), rules.title.value or rules.call_id),
        para(bold("Financeur : "), rules.funder.value or NOT_FOUND_CALL),
    ]
    if rules.programme.value:
        blocks.append(para(bold("Programme : "), rules.programme.value))
    blocks += [
        para(bold("Dossier n° "), result.dossier_id),
        para(bold("Note établie le "), on.strftime("%d/%m/%Y")),
        Box(
            "Synthèse de l'analyse automatique (à confirmer par l'instructeur)",
            (
                para(bold("Dossier complet : "), complete),
                para(bold("Éligibilité : "), ELIGIBLE_LABELS[summary.eligible]),
                para(bold("Aide sollicitée : "), field_text(result.facts.requested_aid_eur)),
                para(bold("Aide proposée : "), proposed),
            ),
        ),
    ]
    return blocks


NOT_FOUND_CALL = "non trouvé dans l'appel à projets"


def _proposed_text(result: CheckResult) -> str:
    """The proposed aid as the summary gives it, or why there is none."""
    summary = result.summary
    if summary.proposed_aid_eur is not None:
        return euros(summary.proposed_aid_eur)
    if summary.eligible == "no":
        return "aucune à ce stade : conditions d'éligibilité non réunies (voir section 5)"
    return "non calculée : données insuffisantes (voir sections 6 et 8)"


# --------------------------------------------------------------------------- 1 to 3


def _field_row(label: str, field: Sourced[Any], name: str = "") -> tuple[Cell, Cell, Cell]:
    return (cell(label), cell(field_text(field, name)), cell(para(italic(field_source(field)))))


def _identification(
    result: CheckResult, rules: CallRules, corrections: Sequence[Correction], on: date
) -> list[Block]:
    facts = result.facts
    completeness = (
        f"{on.strftime('%d/%m/%Y')} (dossier constaté complet à la date de la note)"
        if result.summary.complete
        else ""
    )
    rows: list[tuple[Any, ...]] = [
        ("N° de dossier", result.dossier_id, ""),
        (
            "Appel à projets",
            call_label(rules),
            para(italic(source_citation(rules.title.evidence))),
        ),
        _field_row("Date de dépôt (date de la demande)", facts.submitted_on),
        ("Date de complétude", completeness, ""),
        ("Instructeur", "", ""),
    ]
    blocks: list[Block] = [
        Heading(SECTION_TITLES[0], 1),
        table(("Rubrique", "Valeur", "Source"), rows, FIELD_WIDTHS),
        _corrections_box(corrections),
    ]
    return blocks


def _corrections_box(corrections: Sequence[Correction]) -> Block:
    title = "Valeurs corrigées à la main par l'instructeur"
    if not corrections:
        return Box(title, (para("Aucune valeur lue dans le dossier n'a été corrigée à la main."),))
    body: list[Para] = []
    for correction in corrections:
        key, read = correction.key, correction.read
        label = FACT_LABELS.get(key, key)
        read_text = fact_value_text(key, read.value) if read.found else NOT_FOUND
        corrected = correction.corrected
        corrected_text = (
            fact_value_text(key, corrected) if corrected not in (None, []) else "aucune"
        )
        body.append(
            para(
                bold(f"{label} : "),
                f"valeur lue « {read_text} » → valeur corrigée « {corrected_text} »",
                style="bullet",
            )
        )
        if read.evidence:
            citation = source_citation(read.evidence, "Source de la valeur lue")
            body.append(para(italic(citation), style="source"))
    return Box(title, tuple(body))


def _beneficiary(result: CheckResult) -> list[Block]:
    facts = result.facts
    ident = facts.siret if facts.siret.found else facts.siren
    ident_label = "SIRET" if facts.siret.found or not facts.siren.found else "SIREN"
    nature = field_text(facts.beneficiary_type)
    if facts.legal_form.found:
        nature += f" — forme juridique : {facts.legal_form.value}"
    nature_sources = _join_sources(facts.beneficiary_type, facts.legal_form)
    address = field_text(facts.address)
    if facts.postcode.found and facts.address.found and facts.postcode.value not in address:
        address += f", {facts.postcode.value}"
    rows: list[tuple[Any, ...]] = [
        _field_row("Raison sociale", facts.applicant_name),
        _field_row(ident_label, ident),
        _field_row("N° RNA", facts.rna),
        ("Nature", nature, para(italic(nature_sources))),
        _field_row("Représentant légal", facts.representative),
        ("Adresse", address, para(italic(_join_sources(facts.address, facts.postcode)))),
        _field_row("Courriel de contact", facts.contact_email),
    ]
    return [
        Heading(SECTION_TITLES[1], 1),
        table(("Rubrique", "Valeur", "Source"), rows, FIELD_WIDTHS),
    ]


def _join_sources(*fields: Sourced[Any]) -> str:
    """One citation for several fields shown in one row."""
    manual = MANUAL_SOURCE if any(f.source == "manual" and f.found for f in fields) else ""
    evidence = [e for f in fields if f.found for e in f.evidence]
    parts = [p for p in (source_citation(evidence), manual) if p]
    return " ; ".join(parts)


def _project(result: CheckResult) -> list[Block]:
    facts = result.facts
    rows = [
        _field_row("Intitulé", facts.project_title),
        _field_row("Résumé", facts.project_summary),
        _field_row("Axe / thématique", facts.theme),
        _field_row("Début", facts.start_on),
        _field_row("Fin", facts.end_on),
        _field_row("Coût total", facts.total_cost_eur, "total_cost_eur"),
        _field_row("Aide sollicitée", facts.requested_aid_eur, "requested_aid_eur"),
        _field_row("Taux sollicité", facts.requested_rate, "requested_rate"),
    ]
    return [
        Heading(SECTION_TITLES[2], 1),
        table(("Rubrique", "Valeur", "Source"), rows, FIELD_WIDTHS),
    ]


# --------------------------------------------------------------------------- findings


def findings_of(result: CheckResult, codes: Iterable[str]) -> list[Finding]:
    """The findings of these checks, in the order of the result (registry order)."""
    wanted = set(codes)
    return [f for f in result.findings if f.check in wanted]


def finding_cell(finding: Finding) -> Cell:
    """Message, what to do, the rule applied and the sources, as paragraphs of one cell."""
    paras: list[Para] = [para(finding.message)]
    if finding.action:
        paras.append(para(bold("À faire : "), finding.action))
    paras.extend(rule_paras(finding.rule))
    if finding.evidence:
        paras.append(para(italic(source_citation(finding.evidence)), style="source"))
    return tuple(paras)


def rule_paras(
    rule: Sequence[Evidence], seen: set[tuple[str, int | None, str]] | None = None
) -> list[Para]:
    """'Règle : « quote » (Source : notice.pdf, p. 3)', one per rule evidence; a rule
    already in `seen` (cited higher up in the same table) is not repeated."""
    seen = set() if seen is None else seen
    out = []
    for item in rule:
        key = (item.document, item.page, item.quote)
        if key in seen:
            continue
        seen.add(key)
        where = source_citation([item])
        out.append(
            para(
                italic(f"Règle : « {_shorten(item.quote)} »" + (f" ({where})" if where else "")),
                style="source",
            )
        )
    return out


def findings_table(findings: Sequence[Finding]) -> Block:
    rows = [
        (
            cell(f"{f.title} ({f.check})"),
            cell(para(bold(STATUS_LABELS.get(f.status, f.status)))),
            finding_cell(f),
        )
        for f in findings
    ]
    return table(("Vérification", "Résultat", "Constat et suite à donner"), rows, FINDING_WIDTHS)


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- 4 recevabilité


def _completeness(result: CheckResult) -> list[Block]:
    rows: list[tuple[Any, ...]] = []
    for entry in result.documents:
        state = "reçue" if not entry.error else f"reçue, illisible : {entry.error}"
        where = entry.name + (f" (p. {entry.pages})" if entry.pages else "")
        rows.append((vocab.PIECE_LABELS.get(entry.piece, entry.piece), state, where))
    for piece in result.summary.missing_pieces:
        rows.append((vocab.PIECE_LABELS.get(piece, piece), para(bold("manquante")), ""))
    blocks: list[Block] = [Heading(SECTION_TITLES[3], 1)]
    if rows:
        blocks.append(table(("Pièce", "État", "Fichier"), rows, (6.5, 3.5, 7.0)))
    else:
        blocks.append(para("Aucune pièce n'a été reconnue dans le dossier."))
    findings = findings_of(result, COMPLETENESS_CHECKS)
    if findings:
        blocks.append(findings_table(findings))
    return blocks


# --------------------------------------------------------------------------- 5 éligibilité


def _eligibility(result: CheckResult) -> list[Block]:
    blocks: list[Block] = [Heading(SECTION_TITLES[4], 1)]
    for title, codes in ELIGIBILITY_GROUPS:
        findings = findings_of(result, codes)
        blocks.append(Heading(title, 2))
        blocks.append(findings_table(findings) if findings else para(_NO_FINDING))
    blocks.append(Heading("Dépenses retenues et écartées", 2))
    blocks += _expense_lines(result.computation)
    findings = findings_of(result, EXPENSE_CHECKS)
    if findings:
        blocks.append(findings_table(findings))
    known = set(COMPLETENESS_CHECKS + EXPENSE_CHECKS + FINANCING_CHECKS)
    known |= {code for _, codes in ELIGIBILITY_GROUPS for code in codes}
    others = [f for f in result.findings if f.check not in known]
    if others:
        blocks.append(Heading("Autres vérifications", 2))
        blocks.append(findings_table(others))
    return blocks


_NO_FINDING = "Aucune vérification n'a été faite sur ce point : à examiner par l'instructeur."


def _line_amount(line: AidLine) -> str:
    return euros(line.amount_eur) if line.amount_eur is not None else "montant non lu"


def _line_nature(line: AidLine) -> str:
    parts = [vocab.EXPENSE_LABELS.get(line.expense_code or "", "")]
    if line.expense_type:
        parts.append(vocab.EXPENSE_TYPE_LABELS[line.expense_type].lower())
    return ", ".join(p for p in parts if p) or "nature non lue"


def _expense_lines(computation: AidComputation | None) -> list[Block]:
    if computation is None:
        return [
            para(
                "Le détail des dépenses retenues n'a pas pu être établi (calcul de l'aide absent)."
            )
        ]
    blocks: list[Block] = []
    if computation.lines_kept:
        rows = [
            (line.label, _line_nature(line), _line_amount(line), line.reason or "")
            for line in computation.lines_kept
        ]
        blocks.append(para(bold("Dépenses retenues")))
        blocks.append(
            table(("Dépense", "Nature", "Montant", "Observation"), rows, (6.0, 4.0, 2.8, 4.2))
        )
    else:
        blocks.append(para("Aucune dépense n'a été retenue."))
    if computation.lines_set_aside:
        rows = [
            (line.label, _line_nature(line), _line_amount(line), line.reason or "motif non précisé")
            for line in computation.lines_set_aside
        ]
        blocks.append(para(bold("Dépenses écartées")))
        blocks.append(table(("Dépense", "Nature", "Montant", "Motif"), rows, (6.0, 4.0, 2.8, 4.2)))
    else:
        blocks.append(para("Aucune dépense n'a été écartée."))
    if computation.lines_replaced:
        rows = [
            (line.label, _line_nature(line), _line_amount(line), line.reason or "")
            for line in computation.lines_replaced
        ]
        blocks.append(para(bold("Dépenses remplacées par le forfait de coûts indirects")))
        blocks.append(table(("Dépense", "Nature", "Montant", "Motif"), rows, (6.0, 4.0, 2.8, 4.2)))
    return blocks


# --------------------------------------------------------------------------- 6 financement


def _financing(result: CheckResult) -> list[Block]:
    blocks: list[Block] = [Heading(SECTION_TITLES[5], 1), Heading("Dépenses", 2)]
    blocks += _expenses_table(result)
    blocks.append(Heading("Ressources", 2))
    blocks += _resources_table(result)
    findings = findings_of(result, FINANCING_CHECKS)
    if findings:
        blocks.append(Heading("Vérifications financières", 2))
        blocks.append(findings_table(findings))
    blocks.append(Heading("Calcul de l'aide proposée", 2))
    blocks += _computation(result)
    return blocks


def _retained(label: str, computation: AidComputation | None) -> str:
    """What became of a plan line in the computation, found by its label."""
    if computation is None:
        return ""
    for line in computation.lines_kept:
        if line.label == label:
            return _line_amount(line)
    for line in computation.lines_set_aside:
        if line.label == label:
            return "écartée"
    for line in computation.lines_replaced:
        if line.label == label:
            return "remplacée par le forfait"
    return ""


def _expenses_table(result: CheckResult) -> list[Block]:
    facts = result.facts
    if not facts.expenses.found:
        return [para("Le détail des dépenses n'a pas été trouvé dans le dossier.")]
    rows: list[tuple[Any, ...]] = []
    for line in facts.expenses.value or []:
        amount = euros(line.amount_eur) if line.amount_eur is not None else "montant non lu"
        basis = f" {line.basis.upper()}" if line.basis else ""
        nature = vocab.EXPENSE_LABELS.get(line.expense_code or "", "nature non lue")
        if line.expense_type:
            nature += f", {vocab.EXPENSE_TYPE_LABELS[line.expense_type].lower()}"
        rows.append((line.label, nature, amount + basis, _retained(line.label, result.computation)))
    total = field_text(facts.total_cost_eur, "total_cost_eur")
    rows.append((para(bold("Coût total déclaré")), "", para(bold(total)), ""))
    blocks: list[Block] = [
        table(
            ("Dépense", "Nature", "Montant demandé", "Montant retenu"), rows, (6.0, 4.5, 3.2, 3.3)
        )
    ]
    blocks.append(para(italic(_join_sources(facts.expenses, facts.total_cost_eur)), style="source"))
    return blocks


def _resources_table(result: CheckResult) -> list[Block]:
    facts = result.facts
    rows: list[tuple[Any, ...]] = []
    for resource in facts.resources.value or []:
        nature = {True: "public", False: "privé", None: "nature non lue"}[resource.public]
        amount = euros(resource.amount_eur) if resource.amount_eur is not None else "montant non lu"
        rows.append((resource.funder, nature, resource.status or "", amount))
    if facts.self_financing_eur.found:
        rows.append(("Autofinancement", "", "", field_text(facts.self_financing_eur)))
    if not rows:
        return [para("Les ressources du projet n'ont pas été trouvées dans le dossier.")]
    return [
        table(("Financeur", "Nature", "Statut", "Montant"), rows, (7.5, 3.0, 3.0, 3.5)),
        para(italic(_join_sources(facts.resources, facts.self_financing_eur)), style="source"),
    ]


def step_value(step: AidStep) -> str:
    if step.value is None:
        return "—"
    return percent(step.value) if step.unit == "rate" else euros(step.value)


def _computation(result: CheckResult) -> list[Block]:
    computation = result.computation
    if computation is None or not computation.steps:
        blocks: list[Block] = [para("Le calcul de l'aide n'a pas été établi.")]
    else:
        rows = []
        cited: set[tuple[str, int | None, str]] = set()
        for step in computation.steps:
            detail: list[Para] = [para(step.detail)] if step.detail else []
            detail += rule_paras(step.rule, cited)
            rows.append((cell(step.label), cell(para(bold(step_value(step)))), tuple(detail)))
        blocks = [
            table(("Étape", "Montant ou taux", "Calcul et règle appliquée"), rows, (6.0, 3.0, 8.0))
        ]
    blocks.append(para(bold("Aide proposée : "), bold(_proposed_text(result))))
    return blocks


# --------------------------------------------------------------------------- 7 critères

# Which facts of the dossier speak to a criterion, by words of the criterion (folded):
# a pointer for the instructeur, never an assessment.
_CRITERION_FACTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("responsable", "environnement", "durable", "sobri", "carbone", "ecolog", "transition"),
        ("notes.numerique_responsable",),
    ),
    (("donnee", "rgpd", "personnelle"), ("notes.protection_donnees",)),
    (
        ("mutualis", "partenari", "entre communes", "epci", "cooper", "acteurs"),
        ("resources", "project_summary"),
    ),
    (("calendrier", "delai", "planning", "mode projet"), ("start_on", "end_on")),
    (("budget", "cout", "financ", "efficien"), ("total_cost_eur", "requested_aid_eur")),
    (("theme", "axe", "thematique"), ("theme",)),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fact(result: CheckResult, name: str) -> Sourced[Any]:
    if name.startswith("notes."):
        return getattr(result.facts.notes, name.removeprefix("notes."))
    return getattr(result.facts, name)


def criterion_evidence(criterion: str, result: CheckResult) -> Cell:
    """The dossier's facts that speak to a criterion, with their sources; the project's
    summary when no word of the criterion points elsewhere."""
    folded = _fold(criterion)
    names: list[str] = []
    for words, facts in _CRITERION_FACTS:
        if any(w in folded for w in words):
            names += [n for n in facts if n not in names]
    if not names:
        names = ["project_summary"]
    paras: list[Para] = []
    for name in names:
        field = _fact(result, name)
        if not field.found:
            continue
        paras.append(
            para(bold(f"{FACT_LABELS.get(name, name)} : "), _shorten(field_text(field, name), 200))
        )
        source = field_source(field)
        if source:
            paras.append(para(italic(source), style="source"))
    return tuple(paras)


def _criterion_source(criterion: str, rules: CallRules) -> str:
    """The notice's page where the criterion is written, when a quote holds it."""
    folded = _fold(criterion)
    for item in rules.selection_criteria.evidence:
        if folded[:40] in _fold(item.quote):
            return source_citation([item])
    return ""


def _criteria(result: CheckResult, rules: CallRules) -> list[Block]:
    blocks: list[Block] = [Heading(SECTION_TITLES[6], 1)]
    header = (
        "Critère de l'appel à projets",
        "Éléments du dossier",
        "Appréciation de l'instructeur",
    )
    widths = (5.5, 6.5, 5.0)
    criteria = rules.selection_criteria.value or []
    if not criteria:
        blocks.append(
            para(
                "Aucun critère de sélection n'a été lu dans l'appel à projets : à compléter par l'instructeur."
            )
        )
        blocks.append(table(header, [("", "", "")] * 3, widths))
        return blocks
    rows = []
    for criterion in criteria:
        source = _criterion_source(criterion, rules)
        first: list[Para] = [para(criterion)]
        if source:
            first.append(para(italic(source), style="source"))
        rows.append((tuple(first), criterion_evidence(criterion, result), cell("")))
    blocks.append(table(header, rows, widths))
    if rules.selection_criteria.evidence and not any(_criterion_source(c, rules) for c in criteria):
        blocks.append(
            para(italic(source_citation(rules.selection_criteria.evidence)), style="source")
        )
    return blocks


# --------------------------------------------------------------------------- 8 à vérifier


def points_to_check(result: CheckResult) -> list[Finding]:
    """Every finding a human must act on: fail, missing, review and error."""
    return [f for f in result.findings if f.status in TO_CHECK_STATUSES]


def _to_check(result: CheckResult, rules: CallRules) -> list[Block]:
    blocks: list[Block] = [Heading(SECTION_TITLES[7], 1)]
    points = points_to_check(result)
    if not points:
        blocks.append(para("Aucune vérification automatique ne demande d'examen particulier."))
    for finding in points:
        label = STATUS_LABELS.get(finding.status, finding.status)
        parts: list[Any] = [
            bold(f"{label} — {finding.title} ({finding.check}) : "),
            finding.message,
        ]
        if finding.action:
            parts += [" ", bold("À faire : "), finding.action]
        if finding.evidence:
            parts.append(italic(f" ({source_citation(finding.evidence)})"))
        blocks.append(para(*parts, style="number"))
    unreadable = [d for d in result.documents if d.error]
    warnings = list(result.warnings) + [
        f"Pièce illisible « {d.name} » : {d.error}" for d in unreadable
    ]
    if warnings:
        blocks.append(Heading("Réserves sur la lecture du dossier", 2))
        blocks += [para(w, style="bullet") for w in warnings]
    if rules.warnings:
        blocks.append(Heading("Réserves sur la lecture de l'appel à projets", 2))
        blocks += [para(w, style="bullet") for w in rules.warnings]
    return blocks


# --------------------------------------------------------------------------- 9 avis


def _opinion() -> list[Block]:
    return [
        Heading(SECTION_TITLES[8], 1),
        para("☐ Avis favorable     ☐ Avis défavorable     ☐ Ajournement"),
        para(bold("Montant de l'aide proposée : "), "…………………… €"),
        para(bold("Motivation :")),
        *[para("", style="fill") for _ in range(5)],
        para("Fait à ……………………………, le ……………………"),
        para(bold("L'instructeur (nom, signature) :")),
        para("", style="fill"),
    ]
