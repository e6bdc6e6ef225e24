"""The PDF reader: the text of every page with pypdfium2, then tables and AcroForm
field values with pdfplumber only when some pages look ruled or the file is a
fillable form, then layout marks on the lines and blocks from them. A PDF without a
usable text layer (scanned pages) is refused."""

from __future__ import annotations

import pypdfium2.raw as pdfium_c

from pipeline.documents.assemble import _finish
from pipeline.documents.context import _Context
from pipeline.documents.layout import _blocks_from_lines
from pipeline.documents.pdf_layout import _mark_breaks, _mark_furniture, _size_levels
from pipeline.documents.pdf_tables import (
    _mark_tables,
    _PdfTable,
    _read_with_pdfplumber,
    _set_table_spans,
)
from pipeline.documents.pdf_text import (
    TABLE_PATHS_THRESHOLD,
    _extract_pdf_page,
    _open_pdfium,
    _place_pdf_pages,
    _warn_textless_pages,
)
from pipeline.errors import DamagedPdfError, NoTextLayerError
from pipeline.models import Document, SourceKind

# Fewer non-space characters than this over a whole PDF: there is no usable text layer.
MIN_TEXT_CHARS = 20


def _read_pdf(ctx: _Context) -> Document:
    pdf = _open_pdfium(ctx)
    try:
        count = len(pdf)
        if count < 1:
            raise ctx.error(DamagedPdfError, " : il ne contient aucune page lisible")
        is_form = pdfium_c.FPDF_GetFormType(pdf.raw) != pdfium_c.FORMTYPE_NONE
        pages = [_extract_pdf_page(pdf, index, ctx) for index in range(count)]
    finally:
        pdf.close()

    chars = sum(len("".join(page.text.split())) for page in pages)
    if chars < MIN_TEXT_CHARS and not is_form:
        raise ctx.error(NoTextLayerError)
    table_pages = [page.number for page in pages if page.paths >= TABLE_PATHS_THRESHOLD]
    tables: list[_PdfTable] = []
    fields: dict[str, str] = {}
    if table_pages or is_form:
        tables, fields = _read_with_pdfplumber(ctx, table_pages, is_form)
    if chars < MIN_TEXT_CHARS and not any(fields.values()):
        raise ctx.error(NoTextLayerError)
    _warn_textless_pages(ctx, pages)
    draft, lines = _place_pdf_pages(pages)
    _mark_tables(lines, pages, tables, draft)
    _mark_furniture(lines, len(pages))
    _mark_breaks(lines)
    draft.blocks = _blocks_from_lines(lines, _size_levels(lines))
    _set_table_spans(draft, lines)
    source_kind: SourceKind = "pdf_form" if fields else "pdf"
    return _finish(ctx, source_kind, draft, form_fields=fields)
