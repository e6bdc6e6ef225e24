"""Financing plans written as lines of text (unruled or partly ruled PDF tables, plain
text, lists): a label followed by one or more amounts at the end of the line. Column
headers written on a line of their own ("Désignation  Montant HT  TVA  Montant TTC")
give the amounts their roles; a header naming both sides ("Dépenses Montant Recettes
Montant") makes each line two rows, one per side. A line holding only amounts finishes
the label wrapped on the line(s) above it.

This is the fallback of `budget_tables` for tables the document reader did not detect;
lines inside a detected table are left to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.dossier.budget_rows import BARE_NUMBER, Basis, Role, Row, Side, Span, Value, squash
from extractors.dossier.budget_tables import EXPENSE_SIDE, RESOURCE_SIDE
from extractors.dossier.funders import names_funder
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.text import find_amounts, find_rates, parse_amount

# Bare numbers at the end of a plan line are amounts of an unruled table ("Étude
# préalable   5 000,00").
_BARE = BARE_NUMBER
_YEAR = re.compile(r"(?:19|20)\d\d")
# What may sit between and after the amounts of a line.
_FILLER = re.compile(
    r"(?:\s|[()*|]|(?<!\w)(?:HT|TTC|H\.T\.?|T\.T\.C\.?|HTVA)(?!\w))*$", re.IGNORECASE
)
_GAP = re.compile(
    r"(?:\s|[()*|/;]|[-–—](?=\s)|(?<!\w)(?:HT|TTC|H\.T\.?|T\.T\.C\.?|HTVA|soit)(?!\w))*",
    re.IGNORECASE,
)
_LEADERS = re.compile(r"[\s.…_:=|*(–—-]+$")
# A label ending like a sentence cut before its amount is prose, not a plan line.
_PROSE_END = re.compile(
    r"\b(?:de|d'|du|des|a|pour|soit|est|sont|environ|par|sur|en|et|ou|avec|le|la|les|un|une"
    r"|hauteur|estime|evalue|chiffre|s'eleve|s'elevant|atteint)$"
)
_ROLE_WORDS = re.compile(
    r"(?P<ht>(?:montants?\s+|couts?\s+|prix\s+)?(?:\(?(?:en\s+)?(?:€|euros?)\s*)?"
    r"(?:\bht\b|hors taxes?|\bhtva\b)\)?)"
    r"|(?P<ttc>(?:montants?\s+|couts?\s+|prix\s+)?(?:\(?(?:en\s+)?(?:€|euros?)\s*)?"
    r"(?:\bttc\b|toutes taxes comprises)\)?)"
    r"|(?P<tva>(?:montant\s+(?:de\s+la\s+)?)?\btva\b)"
    r"|(?P<rate>%|\btaux\b|pourcentage)"
    r"|(?P<acquis>\bacquis\b|\bobtenus?\b)"
    r"|(?P<sollicite>\bsollicites?\b|\bdemandes?\b)"
    r"|(?P<amount>\bmontants?\b|\bcouts?\b|€|\beuros\b|\bsommes?\b)"
)
_MAX_TITLE = 100
_IDENTIFIER = re.compile(
    r"\b(?:siret|siren|rna|n°|no|num|numero|tel|telephone|fax|code|cp|iban|bic|insee|ape|naf"
    r"|bp|cedex|compte|dossier)\s*[.:]?\s*$"
)


@dataclass(frozen=True)
class _Token:
    start: int  # offsets in the line
    end: int
    value: Decimal
    rate: bool
    basis: Basis | None
    sure: bool


@dataclass
class _Mode:
    """What the last header line said: the roles of the amounts, per side when the header
    named both sides."""

    roles: list[list[Role]]
    sides: list[Side | None]

    @property
    def two_sided(self) -> bool:
        return len(self.sides) == 2


def line_rows(piece: PieceView, skip: list[tuple[int, int]]) -> list[Row]:
    """Rows of the piece's text lines, except those inside `skip` spans (tables read as
    tables, page furniture)."""
    rows: list[Row] = []
    mode: _Mode | None = None
    pending: list[Row] = []  # label-only lines that an amounts-only line may finish
    right: list[Row] = []  # the right half of a two-sided plan, given after the left one
    headings = [(b.start, b.end) for b in piece.blocks() if b.kind == "heading"]
    offset = piece.start
    for line in piece.text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip() or any(s < end and start < e for s, e in skip):
            continue
        header = _header(line)
        if header is not None:
            rows.extend(right)
            right = []
            mode = header
            pending = []
            rows.append(
                Row("header", Span(squash(line), start, end), Span(squash(line), start, end))
            )
            if header.two_sided:
                rows[-1].side = header.sides[0]
            continue
        made = _data_rows(line, start, mode)
        if made and mode is not None and mode.two_sided:
            for row in made:
                (right if row.side == mode.sides[1] else rows).append(row)
            pending = []
            continue
        if made is None:
            if len(line.strip()) <= _MAX_TITLE:
                title = _title_row(line, start)
                title.heading = any(s <= start < e for s, e in headings)
                rows.append(title)
                pending = [*pending[-1:], title]
            else:
                pending = []
            continue
        if made and made[0].label is None:
            made = _finish_wrapped(made[0], pending, rows)
        pending = []
        rows.extend(made)
    rows.extend(right)
    return rows


def _title_row(line: str, start: int) -> Row:
    lead = len(line) - len(line.lstrip())
    span = Span(squash(line), start + lead, start + len(line.rstrip()))
    return Row("data", span, label=span, confidence=0.75)


def _finish_wrapped(row: Row, pending: list[Row], rows: list[Row]) -> list[Row]:
    """An amounts-only line closes a label wrapped over the line(s) just above it."""
    parts = [p for p in pending if p.label is not None and _plain_label(p.label.text)]
    if not parts or not rows or rows[-1] is not parts[-1]:
        return []
    for part in parts:
        rows.remove(part)
    first, last = parts[0].span, parts[-1].span
    label = Span(" ".join(p.span.text for p in parts), first.start, last.end)
    span = Span(f"{label.text} {row.span.text}", first.start, row.span.end)
    return [Row("data", span, label=label, values=row.values, side=row.side, confidence=0.7)]


def _plain_label(text: str) -> bool:
    """A line that can be the first part of a wrapped label (not a title or a total)."""
    folded = fold(text)
    return not (
        EXPENSE_SIDE.search(folded)
        or RESOURCE_SIDE.search(folded)
        or re.search(r"\btotal|\binvestissement|\bfonctionnement|^\s*\d{2}\s*[-–.:]", folded)
        or text.strip().endswith(":")
    )


# --------------------------------------------------------------------------- headers


def _header(line: str) -> _Mode | None:
    """A line of column headers: no amount, and an amount header with a label header or a
    side ("Désignation  Montant HT", "Financeurs  Montant  %", "Dépenses  Montant")."""
    if _tokens(line):
        return None
    folded = fold(line)
    words = list(_ROLE_WORDS.finditer(folded))
    if not any(m.lastgroup not in ("rate", "acquis", "sollicite") for m in words):
        return None
    stripped = folded.strip()
    has_side = EXPENSE_SIDE.search(stripped) or RESOURCE_SIDE.search(stripped)
    labels = re.search(
        r"\bdesignation|\blibelle|\bintitule|\bnature|\bpostes?\b|\bfinanceurs?\b|\borigine", folded
    )
    if not (has_side or labels) or len(line.strip()) > _MAX_TITLE:
        return None
    second = _second_side(folded)
    if second is None:
        side = _side_at_start(stripped)
        return _Mode([_roles(words)], [side])
    cut, side2 = second
    left = [m for m in words if m.start() < cut]
    right = [m for m in words if m.start() >= cut]
    return _Mode([_roles(left), _roles(right)], [_side_at_start(stripped), side2])


def _second_side(folded: str) -> tuple[int, Side] | None:
    """Where a header naming both sides starts its second side."""
    first = _side_at_start(folded.strip())
    if first is None:
        return None
    other = RESOURCE_SIDE if first == "expenses" else EXPENSE_SIDE
    side: Side = "resources" if first == "expenses" else "expenses"
    for m in re.finditer(r"\s(?=\S)", folded):
        if m.start() > 0 and other.match(folded[m.end() :]):
            return m.end(), side
    return None


def _side_at_start(folded: str) -> Side | None:
    if EXPENSE_SIDE.match(folded):
        return "expenses"
    if RESOURCE_SIDE.match(folded):
        return "resources"
    return None


def _roles(matches: list[re.Match[str]]) -> list[Role]:
    roles: list[Role] = []
    for m in matches:
        group = m.lastgroup or "amount"
        if group == "amount" and roles and roles[-1] != "rate":
            continue  # "Montant (€)": one column
        roles.append(group)  # type: ignore[arg-type]
    return roles


# --------------------------------------------------------------------------- data lines


def _data_rows(line: str, start: int, mode: _Mode | None) -> list[Row] | None:
    """The row(s) of a line ending with amounts, None when it is not one."""
    tokens = _tokens(line)
    if not tokens:
        return None
    runs = _runs(line, tokens)
    if mode is not None and mode.two_sided and len(runs) == 2:
        rows = []
        for index, (lo, run) in enumerate(runs):
            row = _row(line, start, lo, run, mode.roles[index], mode.sides[index])
            if row is not None:
                rows.append(row)
        return rows or None
    if mode is not None and mode.two_sided and len(runs) == 1:
        # One half of the line is empty: the label says which ("Autofinancement").
        lo, run = runs[0]
        label = line[lo : run[0].start]
        index = 1 if (mode.sides[1] == "resources") == names_funder(label) else 0
        row = _row(line, start, lo, run, mode.roles[index], mode.sides[index])
        return [row] if row is not None else None
    lo, run = runs[-1]
    if run[-1].end < len(line.rstrip()) and not _FILLER.match(line, run[-1].end):
        return None
    if len(runs) > 1:
        lo = 0  # amounts inside the label belong to it ("Étude (phase 2) 5 000 €")
    roles = mode.roles[0] if mode is not None and not mode.two_sided else []
    row = _row(line, start, lo, run, roles, None)
    return [row] if row is not None else None


def _row(
    line: str, start: int, lo: int, run: list[_Token], roles: list[Role], side: Side | None
) -> Row | None:
    label_text = _LEADERS.sub("", line[lo : run[0].start])
    label_lead = len(label_text) - len(label_text.lstrip())
    label_text = label_text.strip()
    if (
        not all(t.sure for t in run)
        and not roles
        and not any(t.value >= 100 or t.value != t.value.to_integral_value() for t in run)
    ):
        return None  # bare small numbers without a header: too weak to be money
    if label_text and (
        len(label_text) > _MAX_TITLE or _PROSE_END.search(fold(label_text).rstrip(" :"))
    ):
        return None
    if label_text and sum(ch.isalpha() for ch in label_text) < 2:
        return None
    if _IDENTIFIER.search(fold(label_text)):
        return None  # "SIRET 839 217 049 00012", "Tél. 02 41 …": numbers, not money
    label = None
    if label_text:
        ls = start + lo + label_lead
        label = Span(squash(label_text), ls, ls + len(label_text))
    values = _values(line, start, run, roles)
    span_start = label.start if label is not None else start + run[0].start
    end = start + run[-1].end
    span = Span(squash(line[span_start - start : run[-1].end]), span_start, end)
    return Row("data", span, label=label, values=values, side=side, confidence=0.75)


def _values(line: str, start: int, run: list[_Token], roles: list[Role]) -> list[Value]:
    amount_roles = [r for r in roles if r != "rate"]
    amounts = [t for t in run if not t.rate]
    out: list[Value] = []
    for index, token in enumerate(amounts):
        role: Role = "amount"
        if len(amount_roles) == len(amounts):
            role = amount_roles[index]
        elif len(amount_roles) == 1 and len(amounts) == 1:
            role = amount_roles[0]
        basis = token.basis or (role if role in ("ht", "ttc") else None)
        span = Span(line[token.start : token.end], start + token.start, start + token.end)
        out.append(Value(role, token.value, span, basis, token.sure or bool(roles)))  # type: ignore[arg-type]
    for token in run:
        if token.rate:
            span = Span(line[token.start : token.end], start + token.start, start + token.end)
            out.append(Value("rate", token.value, span))
    return out


def _tokens(line: str) -> list[_Token]:
    """Amounts (with a currency, or bare numbers that may be money) and rates of a line."""
    tokens: list[_Token] = []
    for m in find_amounts(line):
        tokens.append(_Token(m.start, m.end, m.value, False, m.basis, True))
    for r in find_rates(line):
        if not any(t.start < r.end and r.start < t.end for t in tokens):
            tokens.append(_Token(r.start, r.end, r.value, True, None, True))
    for m in _BARE.finditer(line):
        if any(t.start < m.end() and m.start() < t.end for t in tokens):
            continue
        text = m.group()
        if _YEAR.fullmatch(text) or (text.isdigit() and len(text) <= 2):
            continue
        if re.match(r"\s*(?:/|\.\d|h\b|%|[a-zA-Z])", line[m.end() :]):
            continue  # dates, times, units ("12 tablettes")
        value = parse_amount(text)
        if value is not None:
            basis = _basis_after(line, m.end())
            tokens.append(_Token(m.start(), m.end(), value, False, basis, False))
    tokens.sort(key=lambda t: t.start)
    return tokens


def _basis_after(line: str, end: int) -> Basis | None:
    m = re.match(r"\s*\(?\s*(HT|TTC)\b", line[end:], re.IGNORECASE)
    return None if m is None else ("ht" if m.group(1).lower() == "ht" else "ttc")


def _runs(line: str, tokens: list[_Token]) -> list[tuple[int, list[_Token]]]:
    """Tokens grouped into runs separated only by filler, each with the start of the text
    (its label) before it."""
    runs: list[tuple[int, list[_Token]]] = []
    label_start = 0
    current: list[_Token] = []
    for token in tokens:
        if current and _GAP.fullmatch(line[current[-1].end : token.start]):
            current.append(token)
            continue
        if current:
            runs.append((label_start, current))
            gap = _GAP.match(line, current[-1].end)
            label_start = gap.end() if gap else current[-1].end
        current = [token]
    if current:
        runs.append((label_start, current))
    return runs
