"""Amounts and rates of a call: envelope, cap, floor, minimum project size, aid rates by
beneficiary group, cumulative public-aid ceiling, indirect-costs flat rate.

The hard part is not reading "25 000 €" but knowing what it is. Each amount is given a
role from the words of its own clause (between separators such as ";" and the amounts
around it); an amount without a recognised role, or in a sentence that tells the past
("l'an dernier, 19 projets ont été financés pour 1,2 M€"), is left out. Two different
values for the same role leave the field null with a warning rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.call.notice import Notice, Sentence
from extractors.call.tables import table_rates
from extractors.lexicon import applicant_codes, fold, tax_basis
from pipeline.models import AidRate, Evidence, Sourced
from pipeline.text import AmountMatch, RateMatch, find_amounts, find_rates

ENVELOPE = "envelope"
CAP = "cap"
FLOOR = "floor"
MIN_COST = "min_cost"

_ROLE_CUES: list[tuple[str, str, re.Pattern[str]]] = [
    # (role, pattern id, regex on folded text *before* the amount, nearest first)
    (
        FLOOR,
        "floor",
        re.compile(
            r"plancher|montants? (?:minimale?|minimum) (?:de (?:la |l')?|d')(?:subvention|aide)|(?:aide|subvention|montant d'aide|intervention)s? (?:\w+ ){0,3}(?:minimale?s?|minimum)"
            r"|minimum (?:de|d') ?(?:subvention|aide)|aide (?:de|d') ?au moins|ne (?:sera|pourra) (?:etre )?inferieure?"
            r"|(?:aides?|subventions?|montants? d'aide)(?: \w+){0,2} inferieure?s? a"
        ),
    ),
    (
        MIN_COST,
        "min-cost",
        re.compile(
            r"(?:depenses?|couts?|montants?|assiettes?|budgets?|investissements?)(?: \w+){0,3} (?:minimale?s?|minimum|plancher)"
            r"|(?:minimum|plancher) de (?:depenses?|couts?|travaux|investissement)|projets? (?:d'un|dont le) (?:montant|cout)"
            r"(?: \w+){0,3} (?:minimum|minimal|superieur|d'au moins|au moins)|d'au moins|au moins egale?s? a|superieure? ou egale? a"
        ),
    ),
    (
        ENVELOPE,
        "envelope",
        re.compile(
            r"enveloppe|dotation|(?:dispose|dote|beneficie)\w* d'un budget|budget (?:global|total|alloue|consacre|de l'appel|du dispositif)|credits? (?:alloues|consacres|reserves|mobilises)"
            r"|montant (?:global|total) (?:de l'appel|alloue|consacre|disponible|du fonds|du dispositif)|fonds (?:est )?dote|dote d'une?"
        ),
    ),
    (
        CAP,
        "flat",
        re.compile(
            r"(?:subvention|aide|dotation|montant|prime)s? forfaitaires?|forfait (?:de|d')\s*$"
        ),
    ),
    # Caps said of a subject ("X est plafonné à", "X ne peut excéder"): the subject may be
    # the eligible base rather than the aid; see `_role`.
    (
        CAP,
        "cap",
        re.compile(
            r"plafonne\w*|ne (?:pourra|peut|saurait|pourront|peuvent) (?:pas )?(?:exceder|depasser)|n'excede\w*|limitee?s? a"
        ),
    ),
    # Caps attached to the aid itself.
    (
        CAP,
        "cap-limit",
        re.compile(
            r"plafonds?\b|dans la limite d|(?:aide|subvention|montant)s? (?:\w+ ){0,3}(?:maximale?s?|maximum)|maximum de|au maximum|jusqu'a|au plus|montant max"
        ),
    ),
]

# Words that make a clause's figure a context figure even in the present tense.
# State-aid ceilings ("de minimis, dans la limite de 300 000 € sur trois exercices") are
# not caps of this call; a rate in the same clause may still be one of its rules.
_STATE_AID = re.compile(
    r"\bde minimis\b|\bexercices? fiscaux\b|\baides? d'etat\b|\bregime (?:cadre )?(?:exempte|d'aides?)"
)
_CONTEXT = re.compile(
    r"\bau niveau national\b|\bfrance relance\b|\bplan de relance\b|\bmillions? de francais\b|\bl'an dernier\b"
    r"|\bl'annee derniere\b|\bprecedente?s? editions?\b|\bedition \d{4}\b|\bdepuis \d{4}\b"
)

# A past-tense sentence about this very call ("l'Assemblée a voté une enveloppe de
# 300 000 € consacrée au fonds") states a rule, not a past figure.
_THIS_CALL = re.compile(
    r"cette edition|pour cette|present (?:appel|fonds|dispositif)|cet appel|ce fonds|ce dispositif|consacree? (?:au|a ce) (?:fonds|dispositif|present)"
)
_PUBLIC_CEILING = re.compile(
    r"aides? publiques?|cumul|financements? publics?|taux (?:maximal |maximum )?d'aide publique"
)
_INDIRECT = re.compile(r"couts? indirects?|forfait")
_SELF_FIN = re.compile(
    r"autofinancement|reste a charge|participation (?:minimale )?(?:du|de la|des|de) (?:porteur|maitre|collectivite|\d)|fonds propres|l1111-10|apportes? par des personnes publiques"
)
_AID = re.compile(
    r"taux|subvention|\baide\b|intervention|financement|hauteur|atteindre|depenses?|couts?|montant|\bht\b|\bttc\b|maximum|maximal|plafond"
)
_OTHERS = re.compile(
    r"autres? (?:cas|porteurs?|beneficiaires?|structures?|demandeurs?|candidats?)|\bsinon\b|pour tous les autres|dans tous les autres"
)
_SCOPE = re.compile(r"\b(volet|axe|mesure|priorite|action)\s+(\d+|[a-z]\b|[ivx]+\b)")
_SEPARATORS = re.compile(r"[;\n]")
_JOINERS = re.compile(r" et |, | alors que | tandis que | ou ")


@dataclass
class Candidate:
    value: Decimal
    evidence: Evidence
    pattern: str
    in_group_clause: bool = False


@dataclass
class MoneyFacts:
    envelope: Sourced = field(default_factory=Sourced)
    cap: Sourced = field(default_factory=Sourced)
    floor: Sourced = field(default_factory=Sourced)
    min_cost: Sourced = field(default_factory=Sourced)
    aid_rates: Sourced = field(default_factory=Sourced)
    public_ceiling: Sourced = field(default_factory=Sourced)
    indirect_rate: Sourced = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """Split a sentence at ";", table cell bars and line breaks: offsets relative to it."""
    bounds = [0]
    for m in _SEPARATORS.finditer(sentence.text):
        bounds.append(m.end())
    bounds.append(len(sentence.text))
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if sentence.text[a:b].strip()]


_AID_SUBJECT = re.compile(
    r"\b(?:aides?|subventions?|intervention|financements?|soutien|concours)\b"
)
_BASE_SUBJECT = re.compile(
    r"\b(?:depenses?|assiettes?|couts?|bases? subventionnables?|investissements?|travaux|budgets?|projets?)\b"
)
_BELOW = re.compile(r"inferieure?s? a\s*$")


def _subject_is_base(text: str, subject: str = "") -> bool:
    """Whether what `text` speaks of is the project's cost (dépense, assiette…) rather
    than the aid: "la dépense subventionnable est plafonnée à…" caps the base. In `text`
    the nearest noun before the verb counts; when the sentence starts with "Il"/"Elle",
    `subject` is the previous sentence and its first noun (its subject) counts."""
    if subject.strip():
        aid = [m.start() for m in _AID_SUBJECT.finditer(subject)]
        base = [m.start() for m in _BASE_SUBJECT.finditer(subject)]
        return bool(base) and (not aid or base[0] < aid[0])
    aid = [m.end() for m in _AID_SUBJECT.finditer(text)]
    base = [m.end() for m in _BASE_SUBJECT.finditer(text)]
    return bool(base) and (not aid or base[-1] > aid[-1])


def _role(before: str, after: str, subject: str = "") -> tuple[str, str] | None:
    """The role of an amount from the folded words before it (nearest cue wins), the
    subject they speak of (`subject`: the previous sentence when this one starts with
    "Il"/"Elle"), and, for a cap, a "maximum" right after it."""
    if _BELOW.search(before[-30:]):
        # "… ne peut être inférieur à 5 000 €": a floor of aid or a minimum size of the
        # project, depending on what is said to be at least that much.
        return (
            (MIN_COST, "min-cost-below")
            if _subject_is_base(before, subject)
            else (FLOOR, "floor-below")
        )
    best: tuple[int, int, str, str] | None = None
    for role, pid, rx in _ROLE_CUES:
        for m in rx.finditer(before):
            if best is None or m.end() > best[0]:
                best = (m.end(), m.start(), role, pid)
    if best is not None:
        _, cue_start, role, pid = best
        said_of = before[:cue_start][-80:]
        if (
            role == CAP
            and pid == "cap"
            and "%" not in said_of
            and _subject_is_base(said_of, subject)
        ):
            return None  # "la dépense subventionnable est plafonnée à…": the base, not the aid
        return role, pid
    if re.match(r"\s*(?:ht|ttc)?\s*(?:maximum|au maximum|max\.?)\b", after):
        return CAP, "cap-after"
    return None


_PRONOUN = re.compile(r"\s*(?:il|elle|celui-ci|celle-ci|ce montant|cette somme)\b")
_BRACKET_OPEN = re.compile(r"(?:entre|de)\s*$")
_BRACKET_JOIN = re.compile(r"^\s*(?:ht|ttc)?\s*(?:et|a)\s*$")
_AID_WORDS = re.compile(r"\b(?:subvention|aide|intervention|montant de l'aide|soutien)")


def _bracket_roles(fclause: str, amounts: list[AmountMatch]) -> dict[int, tuple[str, str]]:
    """ "une subvention comprise entre 5 000 € et 50 000 €", "une aide de 5 000 à
    50 000 €": the first amount is the floor, the second the cap."""
    roles: dict[int, tuple[str, str]] = {}
    if not _AID_WORDS.search(fclause):
        return roles
    for i, (low, high) in enumerate(zip(amounts, amounts[1:], strict=False)):
        if _BRACKET_OPEN.search(
            fclause[max(0, low.start - 12) : low.start]
        ) and _BRACKET_JOIN.match(fclause[low.end : high.start]):
            if not re.search(r"€|eur|\bk|\bm", low.text.lower()) and low.value * 100 < high.value:
                continue  # "entre 20 et 50 000 euros": the lower bound is unclear, leave it
            before = fclause[: low.start]
            if re.search(r"depenses?|couts?|projets? d'un montant|budget", before[-50:]):
                roles[i] = (MIN_COST, "bracket-min-cost")
                continue
            roles[i] = (FLOOR, "bracket-floor")
            roles[i + 1] = (CAP, "bracket-cap")
    return roles


def _pick(cands: list[Candidate], label: str, warnings: list[str]) -> Sourced:
    values = sorted({c.value for c in cands})
    if not values:
        return Sourced()
    if len(values) > 1:
        quoted = " ; ".join(f"« {c.evidence.quote} »" for c in cands)
        warnings.append(
            f"{label} : plusieurs montants différents ({', '.join(_fmt(v) for v in values)}) — "
            f"valeur laissée vide, à vérifier : {quoted}"
        )
        return Sourced()
    return Sourced(value=values[0], evidence=[c.evidence for c in cands], confidence=0.9)


def _fmt(value: Decimal) -> str:
    return f"{value:,.0f} €".replace(",", " ")


def extract_money(notice: Notice) -> MoneyFacts:
    facts = MoneyFacts()
    by_role: dict[str, list[Candidate]] = {ENVELOPE: [], CAP: [], FLOOR: [], MIN_COST: []}
    rates: list[tuple[AidRate, Evidence]] = []
    ceilings: list[Candidate] = []
    indirect: list[Candidate] = []

    previous: Sentence | None = None
    for sentence in notice.sentences:
        folded = sentence.folded
        # "Il est plafonné à…": the subject is in the previous sentence of the block.
        subject = ""
        if _PRONOUN.match(folded) and previous is not None and previous.unit is sentence.unit:
            subject = previous.folded
        previous = sentence
        if sentence.retrospective and not _THIS_CALL.search(folded):
            continue
        for a, b in _clauses(sentence):
            clause = sentence.text[a:b]
            fclause = folded[a:b]
            if _CONTEXT.search(fclause):
                continue
            amounts = [] if _STATE_AID.search(fclause) else find_amounts(clause)
            rate_matches = find_rates(clause)
            group_clause = bool(rate_matches) and bool(
                applicant_codes(clause) or _SCOPE.search(fclause)
            )
            span_roles = _bracket_roles(fclause, amounts)
            for i, am in enumerate(amounts):
                # Only the words since the previous figure belong to this amount.
                prev_end = max([x.end for x in amounts if x.end <= am.start] + [0])
                prev_end = max([prev_end] + [r.end for r in rate_matches if r.end <= am.start])
                before = fclause[max(prev_end, am.start - 80) : am.start]
                after = fclause[am.end : am.end + 30]
                role = span_roles.get(i) or _role(before, after, subject if a == 0 else "")
                if role is None:
                    continue
                ev = notice.evidence(sentence.start + a, sentence.start + b)
                by_role[role[0]].append(Candidate(am.value, ev, role[1], group_clause))
            _read_rates(
                notice,
                sentence,
                a,
                clause,
                fclause,
                rate_matches,
                amounts,
                rates,
                ceilings,
                indirect,
            )

    facts.floor = _pick(by_role[FLOOR], "Plancher d'aide", facts.warnings)
    facts.min_cost = _pick(by_role[MIN_COST], "Dépense minimale du projet", facts.warnings)
    facts.envelope = _pick(by_role[ENVELOPE], "Enveloppe de l'appel", facts.warnings)
    global_caps = [c for c in by_role[CAP] if not c.in_group_clause]
    group_caps = [c for c in by_role[CAP] if c.in_group_clause]
    if global_caps:
        facts.cap = _pick(global_caps, "Plafond d'aide par projet", facts.warnings)
    elif len({c.value for c in group_caps}) == 1:
        facts.cap = _pick(group_caps, "Plafond d'aide par projet", facts.warnings)
    elif group_caps:
        facts.warnings.append(
            "Plafond d'aide : différent selon le type de porteur — voir les taux par groupe (aid_rates)."
        )
    if facts.cap.found and any(c.pattern == "flat" for c in by_role[CAP]):
        facts.warnings.append(
            "Aide forfaitaire : le montant fixe est retenu comme plafond d'aide par projet."
        )
    facts.public_ceiling = _pick(
        ceilings, "Taux maximal d'aides publiques cumulées", facts.warnings
    )
    facts.indirect_rate = _pick(indirect, "Forfait de coûts indirects", facts.warnings)
    rates.extend((tr.rate, tr.evidence) for tr in table_rates(notice))
    facts.aid_rates = _merge_rates(rates, facts.warnings)
    _general_basis(notice, facts.aid_rates)
    return facts


_GENERAL_BASIS = re.compile(
    r"\b(?:taux|aide|subvention)\b(?: \w+| d'\w+){0,6} (?:s'applique\w*|calcule\w*|porte\w*|exprime\w*|assise?s?)\b"
)


def _general_basis(notice: Notice, aid_rates: Sourced) -> None:
    """ "Les taux s'appliquent aux dépenses éligibles hors taxes": a basis said once for
    every rate that does not give its own."""
    if not aid_rates.value or all(r.basis for r in aid_rates.value):
        return
    for sentence in notice.sentences:
        f = sentence.folded
        if find_rates(sentence.text) or not _GENERAL_BASIS.search(f):
            continue
        basis = tax_basis(f)
        if basis:
            aid_rates.value = [
                r if r.basis else r.model_copy(update={"basis": basis}) for r in aid_rates.value
            ]
            aid_rates.evidence.append(notice.evidence(sentence.start, sentence.end))
            return


def _read_rates(
    notice: Notice,
    sentence: Sentence,
    offset: int,
    clause: str,
    fclause: str,
    rate_matches: list[RateMatch],
    amounts: list[AmountMatch],
    rates: list[tuple[AidRate, Evidence]],
    ceilings: list[Candidate],
    indirect: list[Candidate],
) -> None:
    """Give each rate of a clause its role; aid rates get their beneficiary group, basis,
    cap and scope from the words of the rate's own part of the clause."""
    bounds = _rate_bounds(fclause, rate_matches)
    roles = []
    for i, rm in enumerate(rate_matches):
        lo, hi = bounds[i], bounds[i + 1]
        near = fclause[max(lo, rm.start - 60) : min(hi, rm.end + 60)]
        if _PUBLIC_CEILING.search(near):
            roles.append("ceiling")
        elif _INDIRECT.search(near):
            roles.append("indirect")
        elif _SELF_FIN.search(near) or rm.value > 1:
            roles.append(None)
        elif _AID.search(near):
            roles.append("aid")
        else:
            roles.append("maybe-aid")
    # "compris entre 20 % et 50 %", "de 20 à 50 %": the maximum rate is the upper bound.
    for i, (low, high) in enumerate(zip(rate_matches, rate_matches[1:], strict=False)):
        if _BRACKET_OPEN.search(
            fclause[max(0, low.start - 12) : low.start]
        ) and _BRACKET_JOIN.match(fclause[low.end : high.start]):
            roles[i] = None
    # "50 % si le porteur est un établissement public et 30 % dans les autres cas": the
    # second rate has no cue of its own but is the same kind as its sibling.
    if "aid" in roles:
        roles = ["aid" if r == "maybe-aid" else r for r in roles]
    ev = notice.evidence(sentence.start + offset, sentence.start + offset + len(clause))
    for i, rm in enumerate(rate_matches):
        lo, hi = bounds[i], bounds[i + 1]
        if roles[i] == "ceiling":
            ceilings.append(Candidate(rm.value, ev, "public-ceiling"))
        if roles[i] == "indirect":
            indirect.append(Candidate(rm.value, ev, "indirect"))
        if roles[i] != "aid":
            continue
        stretch = clause[lo:hi]
        fstretch = fclause[lo:hi]
        beneficiaries: list[str] | None = None
        if not _OTHERS.search(fstretch):
            found = applicant_codes(stretch)
            beneficiaries = found or None
        basis = tax_basis(fclause[rm.end : hi][:120])
        cap = None
        for am in amounts:
            in_stretch = lo <= am.start < hi and am.start > rm.end
            role = _role(fclause[max(lo, am.start - 60) : am.start], "")
            if in_stretch and role is not None and role[0] == CAP:
                cap = am.value
        scope = _scope(stretch, fstretch, rm.start - lo)
        rates.append(
            (
                AidRate(
                    max_rate=rm.value,
                    beneficiaries=beneficiaries,  # type: ignore[arg-type]
                    basis=basis,
                    max_aid_eur=cap if (beneficiaries or scope) else None,
                    scope=scope,
                ),
                ev,
            )
        )


def _scope(stretch: str, fstretch: str, rate_at: int) -> str | None:
    """The volet/axe a rate belongs to, as printed: "Volet 1 – Équipement des lieux de
    médiation" (a table's first cell) or "volet 2"."""
    m = _SCOPE.search(fstretch)
    if m is None:
        return None
    if m.start() < rate_at:
        # The label runs from the volet word to the rate (a table row's first cell).
        label = stretch[m.start() : rate_at]
        label = re.split(r"\s:\s|\s:$|:\s|\|", label)[0]
        label = re.sub(r"\s+", " ", label).strip(" ,;:-–")
        if len(label) <= 120:
            return label
    return re.sub(r"\s+", " ", stretch[m.start() : m.end()])


def _rate_bounds(fclause: str, rate_matches: list[RateMatch]) -> list[int]:
    """Cut a clause holding several rates into one stretch per rate, at the last joiner
    ("et", a comma…) between two rates: "50 % si le porteur est un établissement public
    | et 30 % dans les autres cas"."""
    bounds = [0]
    for left, right in zip(rate_matches, rate_matches[1:], strict=False):
        between = fclause[left.end : right.start]
        joins = list(_JOINERS.finditer(between))
        bounds.append(left.end + joins[-1].start() if joins else right.start)
    bounds.append(len(fclause))
    return bounds


def _merge_rates(rates: list[tuple[AidRate, Evidence]], warnings: list[str]) -> Sourced:
    """One AidRate per (rate, group, scope): the same rate read in a sentence and in a
    table is one rule with two pieces of evidence."""
    merged: list[tuple[AidRate, list[Evidence]]] = []
    for rate, ev in rates:
        for i, (known, evs) in enumerate(merged):
            same_group = (known.beneficiaries or None) == (rate.beneficiaries or None)
            if known.max_rate == rate.max_rate and same_group and known.scope == rate.scope:
                merged[i] = (
                    known.model_copy(
                        update={
                            "basis": known.basis or rate.basis,
                            "max_aid_eur": known.max_aid_eur or rate.max_aid_eur,
                        }
                    ),
                    evs + ([ev] if ev not in evs else []),
                )
                break
        else:
            merged.append((rate, [ev]))
    if not merged:
        return Sourced()
    generic = [r for r, _ in merged if r.beneficiaries is None and r.scope is None]
    if len({r.max_rate for r in generic}) > 1:
        warnings.append(
            "Taux d'aide : plusieurs taux sans condition de porteur ("
            + ", ".join(f"{r.max_rate * 100:g} %" for r in generic)
            + ") — à vérifier."
        )
    evidence = [e for _, evs in merged for e in evs]
    return Sourced(value=[r for r, _ in merged], evidence=evidence, confidence=0.8)


__all__ = ["extract_money", "MoneyFacts", "fold"]
