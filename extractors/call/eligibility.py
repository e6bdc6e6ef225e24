"""Who may apply and which expenses count: eligible beneficiaries, expense types, eligible
and ineligible expenses — as codes of DESIGN §4.

A notice says these things in three ways, all read here: a section under a heading
("Bénéficiaires éligibles", "Dépenses"), a list under a lead-in line ("Dépenses
inéligibles (notamment) :", "L'appel à partenariats ne concerne pas :"), or one sentence
("Les collectivités…, les associations… peuvent se porter candidats").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.call.notice import ListGroup, Notice
from extractors.lexicon import EXPENSE_TERMS, applicant_codes, find_terms, fold
from pipeline.models import Evidence, Sourced
from pipeline.vocab import EXPENSE_LABELS

_BENEF_HEADING = re.compile(
    r"beneficiaires?|porteurs? de projets?|porteurs? eligibles?|structures? eligibles?|qui peut|candidats? eligibles?|publics? (?:cibles?|eligibles?)|eligibilite des (?:porteurs|structures|candidats)"
    r"|collectivites eligibles|organismes? eligibles|demandeurs? eligibles|pour qui|a qui|s'adresse|qui est concerne|vous etes"
)
_BENEF_SENTENCE = re.compile(
    r"peuvent (?:se porter candidat|candidater|deposer|beneficier|repondre|presenter|solliciter)|(?:sont|seront) eligibles|est (?:ouvert|reserve|destine)e? aux?|s'adresse(?: aux?\b| :|\s*$)|concerne les|destine aux|beneficiaires? (?:eligibles? )?:|porteurs? de projets? (?:eligibles? )?:|ouvert aux"
)
_NEGATIVE = re.compile(
    r"ne (?:sont|seront|peuvent) pas|a l'exclusion|sont exclu|non eligibles?|ineligibles?|sauf\b|hors\b|ne concerne pas|excepte"
)
_ELIGIBLE_SENTENCE = re.compile(
    r"depenses? (?:\w+ ){0,3}(?:eligibles?|subventionnables?|retenues?|financables?)\s*(?::|sont|comprennent|concernent|portent)"
    r"|(?:sont|seront) (?:eligibles|financables|finances|subventionnables|pris(?:es)? en (?:charge|compte))\b(?! au present)"
    r"|financ\w* (?:des|les) depenses|sont financables|depenses? financables"
)
_EXCLUSION = re.compile(r"a l'exclusion|sauf\b|hors\b|excepte")
_INELIGIBLE = re.compile(
    r"ineligibles?|non[- ]eligibles?|ne (?:sont|seront) pas (?:eligibles?|retenu|prises?|finance|subventionn)|non (?:retenu|subventionnable|financ|pris)|exclu|ne concerne pas|ne (?:sont|seront) pas (?:pris|prises) en (?:compte|charge)|ne peuvent pas etre"
)
_EXPENSE_CONTEXT = re.compile(
    r"depenses?|couts?|frais|postes?|assiette|investissements?|ne concerne pas|subventionnables?"
)
_ELIGIBLE = re.compile(
    r"eligibles?|subventionnables?|retenu|pris(?:es)? en (?:compte|charge)|financ|concerne|porter sur|liees? a"
)
_INVEST_ONLY = re.compile(
    r"(?:uniquement|exclusivement|seules?|seulement)(?: \w+){0,3} (?:des )?(?:depenses )?d'investissement|subvention d'investissement|depenses de fonctionnement (?:ne sont pas|sont exclues|ne seront pas)"
)
_BOTH_TYPES = re.compile(
    r"(?:investissement (?:et|comme|ou|que) (?:de |du |en )?fonctionnement|fonctionnement (?:et|comme|ou|que) (?:d'|en |de l')?investissement)"
)
_OPERATING_ONLY = re.compile(
    r"(?:uniquement|exclusivement|seules?)(?: \w+){0,3} (?:des )?(?:depenses )?de fonctionnement"
    r"|pas d'aide a l'investissement|investissements? (?:ne sont pas|sont exclus|non eligibles)"
)
_MENTIONS_INVEST = re.compile(r"investissement")
_MENTIONS_OPERATING = re.compile(r"fonctionnement")
_OPERATING_CODES = {"abonnement", "hebergement_maintenance", "personnel", "frais_generaux"}
_INVEST_CODES = {"materiel", "logiciel", "immobilier", "mobilier", "infrastructure_reseau"}


@dataclass
class EligibilityFacts:
    beneficiaries: Sourced = field(default_factory=Sourced)
    expense_types: Sourced = field(default_factory=Sourced)
    eligible_expenses: Sourced = field(default_factory=Sourced)
    ineligible_expenses: Sourced = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


def extract_eligibility(notice: Notice) -> EligibilityFacts:
    facts = EligibilityFacts()
    facts.beneficiaries = _beneficiaries(notice)
    eligible, ineligible, types_evidence = _expenses(notice, facts.warnings)
    facts.eligible_expenses = eligible
    facts.ineligible_expenses = ineligible
    facts.expense_types = _expense_types(notice, eligible, ineligible, types_evidence)
    return facts


# ------------------------------------------------------------------------ beneficiaries


def _positive_codes(text: str) -> list[str]:
    """Codes named in `text` as applicants. In each clause, a verb negation ("Les
    particuliers ne sont pas éligibles") drops the clause; an exclusion connector
    ("…, à l'exclusion des SEM") drops what follows it."""
    codes: list[str] = []
    bounds = [0] + [m.end() for m in re.finditer(r"[.;]\s", text)] + [len(text)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        clause = text[a:b]
        folded = fold(clause)
        neg = _NEGATIVE.search(folded)
        if neg and not _EXCLUSION.match(folded, neg.start()):
            continue
        cut = neg.start() if neg else len(clause)
        codes.extend(c for c in applicant_codes(clause[:cut]) if c not in codes)
    return codes


def _beneficiaries(notice: Notice) -> Sourced:
    codes: list[str] = []
    evidence: list[Evidence] = []

    def take(text: str, start: int, end: int) -> None:
        found = _positive_codes(text)
        if found:
            codes.extend(c for c in found if c not in codes)
            evidence.append(notice.evidence(start, end))

    # 1. Lists under a beneficiaries heading or lead-in.
    for group in notice.lists:
        lead = fold(group.lead)
        names_applicants = _BENEF_HEADING.search(group.context) or _BENEF_SENTENCE.search(lead)
        if names_applicants and not _EXPENSE_CONTEXT.search(lead):
            if _NEGATIVE.search(fold(group.lead)):
                continue
            for item in group.items:
                take(item.text, item.start, item.end)
    # 2. Paragraphs of a beneficiaries section.
    if not codes:
        for section in notice.sections:
            if section.heading and _BENEF_HEADING.search(section.folded_heading):
                for unit in section.units:
                    if unit.kind in {"paragraph", "table_row"}:
                        take(unit.text, unit.start, unit.end)
    # 3. A sentence saying who may apply.
    if not codes:
        for sentence in notice.sentences:
            if _BENEF_SENTENCE.search(sentence.folded) and not sentence.retrospective:
                take(sentence.text, sentence.start, sentence.end)
                if codes:
                    break
    if not codes:
        return Sourced()
    return Sourced(value=codes, evidence=evidence, confidence=0.8)


# ------------------------------------------------------------------------------ expenses


def _is_expense_list(group: ListGroup) -> bool:
    if _EXPENSE_CONTEXT.search(group.context):
        return True
    items = " ".join(fold(i.text) for i in group.items)
    return bool(re.search(r"\bdepenses?\b|\bfrais\b|\bcouts?\b", items))


def _expenses(notice: Notice, warnings: list[str]) -> tuple[Sourced, Sourced, list[Evidence]]:
    eligible: dict[str, list[Evidence]] = {}
    ineligible: dict[str, list[Evidence]] = {}
    type_evidence: list[Evidence] = []

    def record(target: dict[str, list[Evidence]], text: str, start: int, end: int) -> None:
        for hit in find_terms(text, EXPENSE_TERMS):
            for code in hit.codes:
                target.setdefault(code, [])
                ev = notice.evidence(start, end)
                if ev not in target[code]:
                    target[code].append(ev)

    for group in notice.lists:
        if not _is_expense_list(group):
            continue
        lead = fold(group.lead)
        if _INELIGIBLE.search(lead) or (
            _INELIGIBLE.search(group.context) and not _ELIGIBLE.search(lead)
        ):
            target = ineligible
        elif _ELIGIBLE.search(group.context) or re.search(r"\bdepenses?\b", lead):
            target = eligible
        else:
            continue
        if target is eligible and (
            _INVEST_ONLY.search(lead) or _OPERATING_ONLY.search(lead) or _BOTH_TYPES.search(lead)
        ):
            type_evidence.append(notice.evidence(group.lead_start, group.lead_end))
        for item in group.items:
            record(target, _item_text(item.text), item.start, item.end)

    # Sentences in paragraphs: "Ne sont pas éligibles : …", "Le mobilier … ne sont pas pris
    # en charge", "Sont finançables … : l'achat d'ordinateurs…", and the paragraphs of a
    # section titled "Dépenses exclues" / "Dépenses éligibles".
    for sentence in notice.sentences:
        if sentence.unit.kind == "list_item":
            continue
        f = sentence.folded
        heading = notice.section_of(sentence.unit).folded_heading
        negated = _INELIGIBLE.search(f)
        if negated and re.search(r"\bdepenses?\b|\bfrais\b|\bcouts?\b|\bpris(?:es)? en charge", f):
            a, b = _clause_of(f, negated.start())
            record(ineligible, sentence.text[a:b], sentence.start, sentence.end)
        elif _ELIGIBLE_SENTENCE.search(f):
            record(eligible, sentence.text, sentence.start, sentence.end)
        elif sentence.unit.kind == "paragraph" and _EXPENSE_CONTEXT.search(heading):
            if _INELIGIBLE.search(heading):
                record(ineligible, sentence.text, sentence.start, sentence.end)
            elif _ELIGIBLE.search(heading) or re.search(r"quelles? depenses", heading):
                record(eligible, sentence.text, sentence.start, sentence.end)
        if _INVEST_ONLY.search(f) or _OPERATING_ONLY.search(f) or _BOTH_TYPES.search(f):
            type_evidence.append(notice.evidence(sentence.start, sentence.end))

    # A code said eligible in one place and excluded in another is a partial exclusion
    # ("équipements… excepté ceux relevant de la compétence de la collectivité"): it stays
    # eligible, and the instructeur is told.
    for code in [c for c in ineligible if c in eligible]:
        quotes = " ; ".join(f"« {e.quote[:120]} »" for e in ineligible.pop(code))
        warnings.append(
            f"Dépenses « {EXPENSE_LABELS[code]} » : éligibles, avec des exclusions partielles "
            f"à vérifier : {quotes}"
        )
    return _codes_field(eligible), _codes_field(ineligible), type_evidence


def _clause_of(folded: str, at: int) -> tuple[int, int]:
    """The clause around offset `at`: between ";", " mais " or the sentence's ends."""
    start = max([m.end() for m in re.finditer(r";| mais ", folded[:at])] + [0])
    nxt = re.search(r";| mais ", folded[at:])
    return start, at + nxt.start() if nxt else len(folded)


def _item_text(text: str) -> str:
    # Drop examples in parentheses only when they follow a main wording: "(ex : …)".
    return re.sub(r"\((?:ex|exemple|par exemple)\s*:[^)]*\)", " ", text, flags=re.I)


def _codes_field(found: dict[str, list[Evidence]]) -> Sourced:
    if not found:
        return Sourced()
    evidence: list[Evidence] = []
    for evs in found.values():
        evidence.extend(e for e in evs if e not in evidence)
    return Sourced(value=list(found), evidence=evidence, confidence=0.75)


def _expense_types(
    notice: Notice, eligible: Sourced, ineligible: Sourced, type_evidence: list[Evidence]
) -> Sourced:
    text = " ".join(fold(e.quote) for e in type_evidence)
    if type_evidence:
        if _INVEST_ONLY.search(text):
            return Sourced(value=["investissement"], evidence=type_evidence, confidence=0.9)
        if _OPERATING_ONLY.search(text):
            return Sourced(value=["fonctionnement"], evidence=type_evidence, confidence=0.9)
        if _BOTH_TYPES.search(text):
            return Sourced(
                value=["investissement", "fonctionnement"], evidence=type_evidence, confidence=0.9
            )
    if not eligible.value:
        return Sourced()
    quotes = " ".join(fold(e.quote) for e in eligible.evidence)
    types: list[str] = []
    if _MENTIONS_INVEST.search(quotes) or set(eligible.value) & _INVEST_CODES:
        types.append("investissement")
    if _MENTIONS_OPERATING.search(quotes) or set(eligible.value) & _OPERATING_CODES:
        types.append("fonctionnement")
    if not types:
        return Sourced()
    return Sourced(value=types, evidence=list(eligible.evidence), confidence=0.6)
