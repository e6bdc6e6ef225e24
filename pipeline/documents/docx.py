"""The DOCX reader: python-docx's XML, body paragraphs and tables in document order
(inside content controls too), headings from paragraph styles and outline levels,
list items from Word numbering or list styles with their nesting level, and tables
written row by row, a merged cell appearing once."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.documents.assemble import _Draft, _finish, _write_table
from pipeline.documents.context import _Context
from pipeline.errors import DamagedDocxError, EmptyFileError
from pipeline.models import Document

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLE = re.compile(r"^(?:heading|titre|title)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|titre)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"\blist|\bliste|puces|énumération", re.IGNORECASE)


def _w(tag: str) -> str:
    return f"{{{_W_NS}}}{tag}"


def _read_docx(ctx: _Context) -> Document:
    body, styles = _open_docx(ctx)
    draft = _Draft()
    for element in _body_elements(body):
        if element.tag == _w("p"):
            _docx_paragraph(element, styles, draft)
        elif element.tag == _w("tbl"):
            _docx_table(element, draft)
    draft.pages.append((0, draft.length, bool(draft.tables)))
    if not draft.raw.strip():
        raise ctx.error(EmptyFileError, " (le document Word ne contient aucun texte)")
    return _finish(ctx, "docx", draft)


def _open_docx(ctx: _Context) -> tuple[Any, dict[str, _DocxStyle]]:
    import docx

    try:
        document = docx.Document(io.BytesIO(ctx.data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise ctx.error(DamagedDocxError, " : l'archive du document est illisible") from exc
    except Exception as exc:  # lxml and python-docx raise their own types on bad XML
        raise ctx.error(DamagedDocxError, f" ({type(exc).__name__})") from exc
    return document.element.body, _docx_styles(document)


@dataclass
class _DocxStyle:
    heading_level: int | None
    list_level: int | None  # nesting depth (1 = top) of a list style, None if not a list


def _docx_styles(document: Any) -> dict[str, _DocxStyle]:
    """Paragraph styles by id, with heading and list levels resolved through the
    `based_on` chain (a custom "Mon titre" based on "Heading 2" is a level-2 heading)."""
    from docx.enum.style import WD_STYLE_TYPE

    resolved: dict[str, _DocxStyle] = {}
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        heading, listed, current, depth = None, None, style, 0
        while current is not None and depth < 10 and heading is None:
            heading = _style_heading_level(current)
            listed = listed or _style_list_level(current)
            current, depth = current.base_style, depth + 1
        resolved[style.style_id] = _DocxStyle(heading, listed)
    return resolved


def _style_heading_level(style: Any) -> int | None:
    name = (style.name or "").strip()
    if _TITLE_STYLE.match(name):
        return 0
    match = _HEADING_STYLE.match(name)
    if match:
        return int(match.group(1))
    return _outline_level(style.element.find(_w("pPr")))


def _style_list_level(style: Any) -> int | None:
    """The list level of a style: "List Bullet 2" / "Liste à puces 2" say it in their
    name (their own numbering restarts at level 0), others through their numbering."""
    name = style.name or ""
    numbering = _numbering_level(style.element.find(_w("pPr")))
    if _LIST_STYLE.search(name):
        digit = re.search(r"(\d)\s*$", name)
        return int(digit.group(1)) if digit else numbering or 1
    return numbering


def _outline_level(p_pr: Any) -> int | None:
    if p_pr is None:
        return None
    outline = p_pr.find(_w("outlineLvl"))
    if outline is None:
        return None
    value = int(outline.get(_w("val"), "9"))
    return value + 1 if value < 9 else None  # 9 is "body text"


def _numbering_level(p_pr: Any) -> int | None:
    """1 + the numbering level (w:ilvl) of paragraph properties with numbering, else None."""
    num_pr = p_pr.find(_w("numPr")) if p_pr is not None else None
    if num_pr is None:
        return None
    num_id = num_pr.find(_w("numId"))
    if num_id is not None and num_id.get(_w("val")) == "0":
        return None  # numId 0 is Word's way of switching numbering off for one paragraph
    ilvl = num_pr.find(_w("ilvl"))
    try:  # a damaged or hand-written file may hold anything in w:val
        return int(ilvl.get(_w("val"), "0")) + 1 if ilvl is not None else 1
    except ValueError:
        return 1


def _body_elements(body: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in document order, looking inside block-level
    content controls (w:sdt) that wrap them."""
    for child in body.iterchildren():
        if child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _body_elements(content)
        elif child.tag in (_w("p"), _w("tbl")):
            yield child


def _paragraph_text(paragraph: Any) -> str:
    """The visible text of a w:p: runs at any depth (hyperlinks, fields, insertions of
    tracked changes), tabs and breaks; deleted text (w:delText), tab-stop definitions and
    the fallback copy of text boxes (mc:Fallback) are left out."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _MC_FALLBACK or tag in (_w("pPr"), _w("rPr")):
                continue
            if tag == _w("t"):
                parts.append(child.text or "")
            elif tag == _w("tab"):
                parts.append("\t")
            elif tag in (_w("br"), _w("cr")):
                parts.append("\n")
            elif tag == _w("noBreakHyphen"):
                parts.append("-")
            elif tag == _w("p"):
                parts.append("\n")  # a paragraph of a text box anchored here
                walk(child)
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _docx_paragraph(element: Any, styles: dict[str, _DocxStyle], draft: _Draft) -> None:
    text = _paragraph_text(element)
    if not text.strip():
        return
    p_pr = element.find(_w("pPr"))
    style_id = None
    if p_pr is not None and p_pr.find(_w("pStyle")) is not None:
        style_id = p_pr.find(_w("pStyle")).get(_w("val"))
    style = styles.get(style_id or "") or styles.get("Normal") or _DocxStyle(None, None)
    level = _outline_level(p_pr)
    if level is None:
        level = style.heading_level
    list_level = _paragraph_list_level(p_pr, style)
    if level is not None:
        draft.add_line("heading", text, level=level)
    elif list_level is not None:
        draft.add_line("list_item", text, level=list_level)
    else:
        draft.add_line("paragraph", text)


def _paragraph_list_level(p_pr: Any, style: _DocxStyle) -> int | None:
    """Direct numbering wins over the style's; numId 0 switches a list style off."""
    num_id = p_pr.find(f"{_w('numPr')}/{_w('numId')}") if p_pr is not None else None
    if num_id is not None and num_id.get(_w("val")) == "0":
        return None
    return _numbering_level(p_pr) or style.list_level


def _docx_table(element: Any, draft: _Draft) -> None:
    """A table as rows of cells; a merged cell appears once (python-docx repeats the same
    w:tc for every grid column it spans and for every row of a vertical merge), the grid
    positions it covers hold None."""
    from docx.table import Table as DocxTable

    seen: set[Any] = set()  # holding the elements keeps their lxml proxies (and ids) alive
    rows: list[list[str | None]] = []
    for row in DocxTable(element, None).rows:
        cells: list[str | None] = [None] * row.grid_cols_before
        for cell in row.cells:
            merged_away = cell._tc in seen
            seen.add(cell._tc)
            cells.append(None if merged_away else _cell_text(cell._tc))
        cells.extend([None] * row.grid_cols_after)
        rows.append(cells)
    _write_table(draft, rows)


def _cell_text(tc: Any) -> str:
    """A cell's text on one line: the paragraphs of the cell (nested tables included, but
    not those of text boxes, which `_paragraph_text` reads with their anchor)."""
    paragraphs = (p for p in tc.iter(_w("p")) if next(p.iterancestors(_w("p")), None) is None)
    return " ".join(" ".join(_paragraph_text(p).split("\n")) for p in paragraphs).strip()
