"""Financing plans given as tables (`Document.tables`: ruled PDF tables, DOCX tables, and
whatever text-aligned tables the reader detects): each cell located in the document
text, the header row read into column roles (label, Montant HT, TVA, TTC, %, statut,
nature…), and a two-sided table (Dépenses | Montant | Recettes | Montant) cut into its
two halves, expenses first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.dossier.budget_rows import (
    AMOUNT_ROLES,
    Basis,
    Row,
    Side,
    Span,
    Value,
    squash,
)
from extractors.dossier.views import PieceView
from extractors.lexicon import fold, tax_basis
from pipeline.models import Table
from pipeline.text import find_amounts, normalise, parse_amount, parse_rate

EXPENSE_SIDE = re.compile(
    r"^\W*(?:\d+\s*[-.)]\s*)?(?:les |nature des |nature de la |postes? de |designation des "
    r"|detail des |intitules? des |libelles? des |montant des |total des )?"
    r"(?:depenses?|charges?|emplois?|couts? du projet)\b"
)
RESOURCE_SIDE = re.compile(
    r"^\W*(?:\d+\s*[-.)]\s*)?(?:les |nature des |origine des |detail des |montant des "
    r"|organismes? |total des )?"
    r"(?:recettes?|ressources?|produits?|financements?|financeurs?|co-?financeurs?"
    r"|fonds|partenaires financiers)\b"
)
_AMOUNT_HEADER = re.compile(
    r"\bmontants?\b|\bcouts?\b|€|\beuros?\b|\beur\b|\bht\b|\bttc\b|\btva\b|hors tax|\bprix\b"
    r"|\bbudget\b|\bsommes?\b|\btotal\b|\bvaleurs?\b"
)
_RATE_HEADER = re.compile(r"%|\btaux\b|pourcentage|\bquote-part\b|^part\b|\bpart (?:du|de la|en)\b")
_STATUS_HEADER = re.compile(
    r"\bstatuts?\b|\betat\b|\bsituation\b|\bavancement\b|\bacquis|\bsollicit|\bobtenu|\bdemande"
)
_NATURE_HEADER = re.compile(r"\bnature\b|\btype\b|\bsection\b|\binv\b|\bfonct\b")
_BARE_RATE = re.compile(r"\s*\d+(?:[.,]\d+)?\s*%\s*")
_NATURE_VALUE = re.compile(r"^\s*(?:i|inv|invest|investissement|f|fonct|fonctionnement)\.?\s*$")
_HEADER_WORDS = re.compile(
    _AMOUNT_HEADER.pattern
    + "|"
    + _RATE_HEADER.pattern
    + "|"
    + _STATUS_HEADER.pattern
    + r"|\bdesignation\b|\blibelles?\b|\bintitules?\b|\bpostes?\b|\bobjet\b|\borigine\b"
    r"|\borganismes?\b|\bfinanceurs?\b"
)


@dataclass
class Columns:
    """The roles of a table's columns, read from its header row (or from its values)."""

    roles: list[str]  # per column: an amount role, "rate", "label", "status", "nature", "extra"
    bases: list[Basis | None]
    split: int | None = None  # first column of the right half of a two-sided table
    sides: tuple[Side | None, Side | None] = (None, None)

    @property
    def width(self) -> int:
        return len(self.roles)


@dataclass
class _Cells:
    cells: list[Span | None]
    span: Span


def table_rows(
    piece: PieceView, table: Table, carry: Columns | None = None
) -> tuple[list[Row], Columns | None]:
    """The rows of `table` with their roles; `carry` gives the columns of the previous table
    of the piece, used by a continuation table (same width, no header of its own)."""
    located = _locate(piece, table)
    if not located:
        return [], carry
    width = max(len(r.cells) for r in located)
    for r in located:
        r.cells += [None] * (width - len(r.cells))
    header_index = next((i for i, r in enumerate(located) if _is_header(r)), None)
    body = located[header_index + 1 :] if header_index is not None else located
    if header_index is not None:
        columns = _columns(located[header_index], body)
    elif carry is not None and carry.width == width:
        columns = carry
    else:
        columns = _columns(None, body)
    rows: list[Row] = []
    # Title rows above the header ("Plan de financement (en € HT)") are read as titles.
    for r in located[: header_index or 0]:
        rows.append(Row("data", r.span, label=_joined(r.cells)))
    # Only the halves of a two-sided table force their side on every row; a one-sided
    # table says its side in its header rows (a "Ressources | Montant" row may follow the
    # expenses in the same table).
    two_sided = columns.split is not None
    for part, (lo, hi) in enumerate(_halves(columns)):
        side = columns.sides[part] if two_sided else None
        if header_index is not None:
            head = located[header_index]
            rows.append(
                Row("header", _part_span(head, lo, hi), _joined(head.cells[lo:hi]), side=side)
            )
        for r in body:
            if not two_sided and _is_header(r):
                rows.append(Row("header", r.span, _joined(r.cells)))
                continue
            row = _data_row(r, columns, lo, hi, side)
            if row is not None:
                rows.append(row)
    return rows, columns


# --------------------------------------------------------------------------- locating


def _locate(piece: PieceView, table: Table) -> list[_Cells]:
    """Each non-empty row of `table` with its cells located in the document text: the
    table_row blocks inside the table's span hold the rows in order."""
    text = piece.document.text
    raw_rows = [row for row in table.rows if any(c and c.strip() for c in row)]
    if table.start is None or table.end is None:
        return [_unlocated(row) for row in raw_rows]
    blocks = [
        b
        for b in piece.document.blocks
        if b.kind == "table_row" and table.start <= b.start < table.end
    ]
    aligned = len(blocks) == len(raw_rows)
    out: list[_Cells] = []
    pos = table.start
    for index, row in enumerate(raw_rows):
        lo, hi = (blocks[index].start, blocks[index].end) if aligned else (pos, table.end)
        cells: list[Span | None] = []
        cursor = lo
        for cell in row:
            if not cell or not cell.strip():
                cells.append(None)
                continue
            found = _find(cell, text, cursor, hi) or _find(cell, text, lo, hi)
            if found is None:
                cells.append(Span(squash(normalise(cell)[0])))
                continue
            start, end = found
            cells.append(Span(squash(text[start:end]), start, end))
            cursor = end
        spans = [c for c in cells if c is not None and c.located]
        if aligned:
            row_span = Span(squash(text[lo:hi]), lo, hi)
        elif spans:
            s, e = spans[0].start or 0, max(c.end or 0 for c in spans)
            row_span = Span(squash(text[s:e]), s, e)
            pos = e
        else:
            row_span = Span(" | ".join(c.text for c in cells if c))
        out.append(_Cells(cells, row_span))
    return out


def _unlocated(row: list[str | None]) -> _Cells:
    cells = [Span(squash(normalise(c)[0])) if c and c.strip() else None for c in row]
    return _Cells(cells, Span(" | ".join(c.text for c in cells if c)))


def _find(cell: str, text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where the words of `cell` occur in text[lo:hi], across any line breaks."""
    words = normalise(cell)[0].split()
    if not words or lo >= hi:
        return None
    for joiner in (r"\s+", r"\s*"):
        m = re.compile(joiner.join(re.escape(w) for w in words)).search(text, lo, hi)
        if m is not None:
            return m.start(), m.end()
    return None


# --------------------------------------------------------------------------- columns


def _is_header(row: _Cells) -> bool:
    filled = [c for c in row.cells if c is not None and c.text]
    if len(filled) < 2:
        return False
    if any(_amount(c.text) is not None or _BARE_RATE.fullmatch(c.text) for c in filled):
        return False
    return any(_HEADER_WORDS.search(fold(c.text)) for c in filled) or any(
        EXPENSE_SIDE.search(fold(c.text)) or RESOURCE_SIDE.search(fold(c.text)) for c in filled
    )


def _header_role(h: str) -> str | None:
    """The role a header cell gives its column; None for an empty header."""
    if not h.strip():
        return None
    if _AMOUNT_HEADER.search(h):
        ht = re.search(r"\bht\b|hors tax", h)
        ttc = re.search(r"\bttc\b|toutes taxes", h)
        if re.search(r"\btva\b", h) and not ht and not ttc and "montant" not in h:
            return "tva"
        if re.search(r"\bmontant (?:de la |de )?tva\b", h):
            return "tva"
        if ht and not ttc:
            return "ht"
        if ttc and not ht:
            return "ttc"
        if re.search(r"\bacquis|\bobtenu|\bnotifie|\battribue", h):
            return "acquis"
        if re.search(r"\bsollicit|\bdemande|en cours", h):
            return "sollicite"
        if re.search(r"\btotal\b", h):
            return "total"
        return "amount"
    if _RATE_HEADER.search(h):
        return "rate"
    if _STATUS_HEADER.search(h):
        return "status"
    if _NATURE_HEADER.search(h):
        return "nature"
    return "label"


def _columns(header: _Cells | None, body: list[_Cells]) -> Columns:
    width = len(body[0].cells) if body else len(header.cells) if header else 0
    heads = [fold(c.text) if c is not None else "" for c in header.cells] if header else []
    heads += [""] * (width - len(heads))
    roles: list[str] = []
    bases: list[Basis | None] = []
    for col in range(width):
        values = [r.cells[col].text for r in body if r.cells[col] is not None]
        role = _column_role(heads[col], values)
        roles.append(role)
        bases.append(_column_basis(role, heads[col]))
    split, sides = _split(heads)
    for lo, hi in _halves(Columns(roles, bases, split, sides)):
        labels = [i for i in range(lo, hi) if roles[i] == "label"]
        for extra in labels[1:]:
            roles[extra] = "extra"
    return Columns(roles, bases, split, sides)


def _column_role(h: str, values: list[str]) -> str:
    """The role of a column from its header `h` (folded), checked against its values: a
    column without a header, or with a label-like one, holding amounts is an amount
    column; an "amount" header over text only is not."""
    role = _header_role(h)
    amounts = sum(1 for v in values if _amount(v) is not None and _rate(v) is None)
    rates = sum(1 for v in values if _rate(v) is not None and _amount(v) is None)
    natures = sum(1 for v in values if _NATURE_VALUE.match(fold(v)))

    def most(count: int) -> bool:
        return count * 2 >= len(values) > 0

    if role in AMOUNT_ROLES:
        if most(rates) and not amounts:
            return "rate"
        return "extra" if values and not amounts else role
    if role == "rate":
        return role
    if most(amounts):
        return "acquis" if _acquired_head(h) else "sollicite" if _requested_head(h) else "amount"
    if most(rates):
        return "rate"
    if most(natures):
        return "nature"
    if role in (None, "nature"):
        return "label"
    return role or "label"


def _acquired_head(h: str) -> bool:
    return bool(re.search(r"\bacquis|\bobtenu|\bnotifie|\battribue", h))


def _requested_head(h: str) -> bool:
    return bool(re.search(r"\bsollicit|\bdemande\b|en cours", h))


def _column_basis(role: str, h: str) -> Basis | None:
    if role == "ht":
        return "ht"
    if role == "ttc":
        return "ttc"
    if role in AMOUNT_ROLES and role != "tva":
        basis = tax_basis(h)
        return basis if basis in ("ht", "ttc") else None
    return None


def _split(heads: list[str]) -> tuple[int | None, tuple[Side | None, Side | None]]:
    """A two-sided table: an expenses header and a resources header side by side."""
    exp = next((i for i, h in enumerate(heads) if EXPENSE_SIDE.search(h)), None)
    res = next((i for i, h in enumerate(heads) if RESOURCE_SIDE.search(h)), None)
    if exp is not None and res is not None and exp != res:
        if exp < res:
            return res, ("expenses", "resources")
        return exp, ("resources", "expenses")
    if exp is not None:
        return None, ("expenses", None)
    if res is not None:
        return None, ("resources", None)
    return None, (None, None)


def _halves(columns: Columns) -> list[tuple[int, int]]:
    if columns.split is None:
        return [(0, columns.width)]
    return [(0, columns.split), (columns.split, columns.width)]


# --------------------------------------------------------------------------- rows


def _data_row(r: _Cells, columns: Columns, lo: int, hi: int, side: Side | None) -> Row | None:
    label: Span | None = None
    values: list[Value] = []
    extra: list[Span] = []
    for col in range(lo, hi):
        cell = r.cells[col]
        if cell is None or not cell.text:
            continue
        role = columns.roles[col]
        if role in AMOUNT_ROLES:
            amount = _amount(cell.text)
            if amount is not None:
                basis = _written_basis(cell.text) or columns.bases[col]
                values.append(Value(role, amount, cell, basis))  # type: ignore[arg-type]
            elif _rate(cell.text) is not None:
                values.append(Value("rate", _rate(cell.text) or Decimal(0), cell))
            else:
                extra.append(cell)
        elif role == "rate":
            rate = _rate(cell.text)
            if rate is not None:
                values.append(Value("rate", rate, cell))
        elif role == "label" and label is None:
            label = cell
        else:
            extra.append(cell)
    if label is None and not values and not extra:
        return None
    if label is None and not values:
        # A title written in another column than the label's (merged cells).
        label, extra = extra[0], extra[1:]
    return Row("data", _part_span(r, lo, hi), label=label, values=values, extra=extra, side=side)


def _part_span(r: _Cells, lo: int, hi: int) -> Span:
    """The span of the cells lo..hi of a row (one half of a two-sided row)."""
    spans = [c for c in r.cells[lo:hi] if c is not None and c.located]
    if not spans or (lo == 0 and hi >= len(r.cells)):
        return r.span
    start = min(c.start for c in spans if c.start is not None)
    end = max(c.end for c in spans if c.end is not None)
    text = " | ".join(c.text for c in r.cells[lo:hi] if c is not None)
    return Span(text, start, end)


def _joined(cells: list[Span | None]) -> Span | None:
    filled = [c for c in cells if c is not None and c.text]
    if not filled:
        return None
    if len(filled) == 1:
        return filled[0]
    located = [c for c in filled if c.located]
    text = " ".join(c.text for c in filled)
    if located:
        return Span(text, located[0].start, located[-1].end)
    return Span(text)


def _amount(text: str) -> Decimal | None:
    if _rate(text) is not None and not find_amounts(text):
        return None
    return parse_amount(text)


def _rate(text: str) -> Decimal | None:
    return parse_rate(text) if "%" in text or "pour" in text.lower() else None


def _written_basis(text: str) -> Basis | None:
    amounts = find_amounts(text)
    return amounts[0].basis if amounts else None
