"""Rates and caps given in a table, read with their column headers.

A row "Collectivités et groupements | 50 % | 500 000 €" means nothing alone: the header
"Bénéficiaires | Taux maximum d'aide | Plafond d'aide" says that 50 % is a maximum rate
and 500 000 € a cap, for that group. Tables without a rate column (calendars, budgets)
are left to the other readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.call.notice import Notice
from extractors.lexicon import applicant_codes, fold, tax_basis
from pipeline.models import AidRate, Evidence, Table
from pipeline.text import find_amounts, find_rates

_RATE_HEADER = re.compile(r"\btaux\b|intervention|% (?:de|d')|pourcentage")
_CAP_HEADER = re.compile(
    r"plafond|montant (?:maximum|maximal|max)|aide maximale|montant de l'aide|maximum d'aide"
)
# "Plafond de dépense subventionnable": a cap of the eligible base, not of the aid.
_BASE_CAP_HEADER = re.compile(
    r"(?:plafond|maximum) (?:de (?:la )?|des )?(?:depenses?|assiette|couts?)|depenses? (?:subventionnables? )?plafonnees?"
)
_FLOOR_HEADER = re.compile(r"plancher|minimum|minimal")
_NOT_AID = re.compile(r"aides? publiques?|cumul|couts? indirects?|autofinancement")
_OTHERS = re.compile(r"\bautres?\b|\bsinon\b")
_SCOPE_LABEL = re.compile(
    r"\b(?:volet|axe|mesure|priorite|action|categorie)\b|\bhabitants\b|\bpopulation\b|\bstrate\b"
)


@dataclass
class TableRate:
    rate: AidRate
    evidence: Evidence


def table_rates(notice: Notice) -> list[TableRate]:
    found: list[TableRate] = []
    for table in notice.doc.tables:
        found.extend(_rates_of(notice, table))
    return found


def _cell(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip()


def _rates_of(notice: Notice, table: Table) -> list[TableRate]:
    rows = [[_cell(c) for c in row] for row in table.rows if any(_cell(c) for c in row)]
    if len(rows) < 2:
        return []
    header = [fold(c) for c in rows[0]]
    width = max(len(r) for r in rows)
    header += [""] * (width - len(header))
    rate_cols = [
        i for i, h in enumerate(header) if _RATE_HEADER.search(h) and not _NOT_AID.search(h)
    ]
    if not rate_cols:
        return []
    cap_cols = [
        i
        for i, h in enumerate(header)
        if _CAP_HEADER.search(h) and not _BASE_CAP_HEADER.search(h) and i not in rate_cols
    ]
    label_cols = [
        i
        for i in range(width)
        if i not in rate_cols
        and i not in cap_cols
        and not _FLOOR_HEADER.search(header[i])
        and not _BASE_CAP_HEADER.search(header[i])
    ]
    out: list[TableRate] = []
    for row in rows[1:]:
        row = row + [""] * (width - len(row))
        rates = [r for i in rate_cols for r in find_rates(row[i])]
        if not rates or rates[0].value > 1:
            continue
        label = " ".join(row[i] for i in label_cols if row[i])
        beneficiaries = None if _OTHERS.search(fold(label)) else (applicant_codes(label) or None)
        # A row named by a volet, a size of commune or a category of operation (not by a
        # kind of applicant) gives the scope of its rate.
        scope = label if label and (_SCOPE_LABEL.search(fold(label)) or not beneficiaries) else None
        if scope and _OTHERS.search(fold(label)):
            scope = None
        rate_text = fold(
            " ".join(row[i] for i in rate_cols) + " " + " ".join(header[i] for i in rate_cols)
        )
        basis = tax_basis(rate_text)
        caps = [a.value for i in cap_cols for a in find_amounts(row[i])]
        rate = AidRate(
            max_rate=rates[0].value,
            beneficiaries=beneficiaries,  # type: ignore[arg-type]
            basis=basis,
            max_aid_eur=caps[0] if caps else None,
            scope=scope,
        )
        out.append(TableRate(rate, _row_evidence(notice, table, row)))
    return out


def _row_evidence(notice: Notice, table: Table, row: list[str]) -> Evidence:
    """The row's span in the document text: from its first cell to its last one."""
    text = notice.doc.text
    lo = table.start or 0
    hi = table.end if table.end is not None else len(text)
    cells = [c for c in row if c]
    spans = []
    pos = lo
    for cell in cells:
        pattern = r"\s+".join(re.escape(w) for w in cell.split())
        m = re.compile(pattern).search(text, pos, hi)
        if m is None:
            break
        spans.append((m.start(), m.end()))
        pos = m.end()
    if len(spans) == len(cells) and spans:
        return notice.evidence(spans[0][0], spans[-1][1])
    return notice.evidence(lo, hi)
