"""The tables of the PDF reader: the ruled tables of the pages whose vector graphics
suggest them, read with one pdfplumber handle that also yields the form fields, the
text-aligned tables found from word positions (`aligned_tables`), their recording in
the draft in reading order, and the marking of the lines that lie inside a table so
that they become table rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.documents.aligned_tables import _find_aligned_tables
from pipeline.documents.assemble import _Draft, _DraftTable
from pipeline.documents.context import _Context
from pipeline.documents.lines import _Line
from pipeline.documents.pdf_forms import _form_fields
from pipeline.documents.pdf_text import _PdfPage


@dataclass
class _PdfTable:
    page: int
    rows: list[list[str | None]]
    # Vertical extent (top, bottom) of each row in pdfium's coordinates (y grows upwards).
    bands: list[tuple[float, float]]

    def row_of(self, baseline: float) -> int | None:
        """The row whose band holds a text baseline, None outside the table."""
        for index, (top, bottom) in enumerate(self.bands):
            if bottom - 1 <= baseline <= top + 1:
                return index
        return None


def _read_with_pdfplumber(
    ctx: _Context, table_pages: list[int], want_fields: bool
) -> tuple[list[_PdfTable], dict[str, str]]:
    """Tables of the candidate pages and AcroForm values, with one pdfplumber handle.

    Both are extras over the text: a failure here costs a warning, not the document.
    """
    import pdfplumber

    tables: list[_PdfTable] = []
    fields: dict[str, str] = {}
    try:
        # `pages=` keeps pdfplumber from building a Page object for every page.
        with pdfplumber.open(io.BytesIO(ctx.data), pages=table_pages) as plumber:
            if want_fields:
                fields = _form_fields(plumber)
            for page in plumber.pages:
                tables.extend(_page_tables(page))
    except Exception as exc:  # pdfminer raises many exception types on odd PDFs
        ctx.warnings.append(
            f"Les tableaux ou champs de formulaire de « {ctx.name} » n'ont pas pu être lus "
            f"({type(exc).__name__}) : seul le texte est disponible."
        )
    return tables, fields


def _page_tables(page: Any) -> Iterator[_PdfTable]:
    number = page.page_number
    try:
        height = float(page.height)
        for table in page.find_tables():
            rows = [[_clean_cell(cell) for cell in row] for row in table.extract()]
            if any(any(cell for cell in row) for row in rows):
                # pdfplumber measures from the top of the page, pdfium from the bottom.
                bands = [(height - row.bbox[1], height - row.bbox[3]) for row in table.rows]
                yield _PdfTable(number, rows, bands)
    finally:
        page.close()  # pdfplumber keeps every parsed object of the page until closed


def _clean_cell(cell: str | None) -> str | None:
    if cell is None:
        return None
    # Cell text is not part of Document.text (the page text holds it): only the wrapping
    # inside the cell is undone here.
    return " ".join(cell.split()) or None


def _mark_tables(
    lines: list[_Line], pages: list[_PdfPage], tables: list[_PdfTable], draft: _Draft
) -> None:
    """Record the ruled tables and the text-aligned ones found among the other lines, in
    reading order (page, then top to bottom), and flag the lines that lie inside one
    (they become table_row)."""
    for index, table in enumerate(tables):
        for line in lines:
            if line.page != table.page or not line.stripped or line.baseline is None:
                continue
            row = table.row_of(line.baseline)
            if row is not None:
                line.in_table = (index, row)
    aligned = _find_aligned_tables(lines)
    order = sorted(
        [(table.page, -table.bands[0][0], "ruled", index) for index, table in enumerate(tables)]
        + [(table.page, -table.top, "aligned", index) for index, table in enumerate(aligned)]
    )
    new_index = {(kind, index): position for position, (_, _, kind, index) in enumerate(order)}
    for line in lines:
        if line.in_table is not None:
            line.in_table = (new_index["ruled", line.in_table[0]], line.in_table[1])
    for index, aligned_table in enumerate(aligned):
        for row, row_lines in enumerate(aligned_table.row_lines):
            for line in row_lines:
                line.in_table = (new_index["aligned", index], row)
    for page, _, kind, index in order:
        rows = tables[index].rows if kind == "ruled" else aligned[index].rows
        draft.tables.append(_DraftTable(page=page, rows=rows))
    pages_with_tables = {table.page for table in draft.tables}
    draft.pages = [
        (start, end, index + 1 in pages_with_tables)
        for index, (start, end, _) in enumerate(draft.pages)
    ]


def _set_table_spans(draft: _Draft, lines: list[_Line]) -> None:
    for index, table in enumerate(draft.tables):
        inside = [line for line in lines if line.in_table and line.in_table[0] == index]
        if inside:
            table.start, table.end = inside[0].start, inside[-1].end
