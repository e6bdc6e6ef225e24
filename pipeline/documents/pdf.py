"""The PDF reader: the text of every page with pypdfium2, then tables and AcroForm
field values with pdfplumber only when some pages look ruled or the file is a
fillable form, text-aligned tables from word positions on the pages whose lines show
wide gaps, then layout marks on the lines and blocks from them.

A page without a usable text layer (a scan) is read by OCR when the caller asks for
it (`read_document(..., ocr=True)`): rendered at the resolution of its scan (200 to
300 dpi) and passed to Tesseract, while the other pages keep their text layer (a merged PDF of typed pieces
and a scanned délibération is common). Without OCR, such pages are only warned about,
and a PDF with no usable text at all is refused."""

from __future__ import annotations

import math
from typing import Any

import pypdfium2.raw as pdfium_c

from pipeline.documents.assemble import _Draft, _finish
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
    SHORT_TEXT_CHARS,
    TABLE_PATHS_THRESHOLD,
    _extract_pdf_page,
    _open_pdfium,
    _PdfPage,
    _place_pdf_pages,
    _warn_textless_pages,
)
from pipeline.errors import DamagedPdfError, DocumentError, NoTextLayerError, OcrUnavailableError
from pipeline.models import Document, SourceKind

# Fewer non-space characters than this over a whole PDF: there is no usable text layer.
MIN_TEXT_CHARS = 20
# A page whose text layer is shorter than SHORT_TEXT_CHARS and which is covered at least
# this much by images is a scan with a few words stamped on it as text: it is OCR'd.
SCAN_IMAGE_COVER = 0.8


def _read_pdf(ctx: _Context) -> Document:
    pdf = _open_pdfium(ctx)
    try:
        count = len(pdf)
        if count < 1:
            raise ctx.error(DamagedPdfError, " : il ne contient aucune page lisible")
        is_form = pdfium_c.FPDF_GetFormType(pdf.raw) != pdfium_c.FORMTYPE_NONE
        pages = [_extract_pdf_page(pdf, index, ctx) for index in range(count)]
        if ctx.ocr:
            pages = _ocr_scanned_pages(ctx, pdf, pages)
    finally:
        pdf.close()

    chars = sum(page.chars for page in pages)
    if chars < MIN_TEXT_CHARS and not is_form:
        raise _no_text_error(ctx, pages)
    table_pages = [
        page.number for page in pages if page.paths >= TABLE_PATHS_THRESHOLD and not page.ocr
    ]
    tables: list[_PdfTable] = []
    fields: dict[str, str] = {}
    if table_pages or is_form:
        tables, fields = _read_with_pdfplumber(ctx, table_pages, is_form)
    if chars < MIN_TEXT_CHARS and not any(fields.values()):
        raise _no_text_error(ctx, pages)
    _warn_textless_pages(ctx, pages)
    draft = _layout_pages(pages, tables)
    source_kind: SourceKind = "pdf_form" if fields else "pdf"
    return _finish(ctx, source_kind, draft, form_fields=fields)


def _layout_pages(pages: list[_PdfPage], tables: list[_PdfTable]) -> _Draft:
    """The draft of positioned pages (from a text layer or OCR): their text joined,
    ruled and text-aligned tables, furniture, breaks, then blocks from the lines."""
    draft, lines = _place_pdf_pages(pages)
    _mark_tables(lines, pages, tables, draft)
    _mark_furniture(lines, len(pages))
    _mark_breaks(lines)
    draft.blocks = _blocks_from_lines(lines, _size_levels(lines))
    _set_table_spans(draft, lines)
    draft.ocr_pages = {page.number: page.ocr_confidence for page in pages if page.ocr}
    return draft


def _needs_ocr(page: _PdfPage) -> bool:
    """A page without a usable text layer: (almost) no text over an image or drawn
    shapes (text drawn as outlines), or a full-page image with a few words of text."""
    if page.chars < MIN_TEXT_CHARS:
        return page.images > 0 or page.paths >= TABLE_PATHS_THRESHOLD
    return page.chars < SHORT_TEXT_CHARS and page.image_cover >= SCAN_IMAGE_COVER


def _ocr_scanned_pages(ctx: _Context, pdf: Any, pages: list[_PdfPage]) -> list[_PdfPage]:
    """OCR the pages without a usable text layer. Without Tesseract, a PDF that also has
    text pages keeps them (a merged dossier is not lost for one scanned page): the scanned
    pages stay empty and a warning names them; a PDF made only of scans cannot be read."""
    scanned = [page for page in pages if _needs_ocr(page)]
    try:
        done = {page.number: _ocr_pdf_page(ctx, pdf, page) for page in scanned}
    except OcrUnavailableError:
        if len(scanned) == len(pages):
            raise
        numbers = ", ".join(str(page.number) for page in scanned)
        ctx.warnings.append(
            f"Page(s) {numbers} de « {ctx.name} » : scan(s) non lu(s), la reconnaissance de "
            "caractères (Tesseract) n'est pas installée ; le reste du fichier est lu. "
            "Ces pages sont à lire à la main (ou installez tesseract-ocr et tesseract-ocr-fra)."
        )
        return pages
    return [done.get(page.number, page) for page in pages]


def _ocr_pdf_page(ctx: _Context, pdf: Any, page: _PdfPage) -> _PdfPage:
    """The page rendered at the resolution of its scan (within OCR_MIN_DPI..OCR_DPI; less
    for a huge page) and read by OCR."""
    from pipeline.documents.ocr import MAX_OCR_PIXELS, _ocr_page

    pdf_page = pdf[page.number - 1]
    try:
        scale = _render_dpi(pdf_page) / 72
        area = max(page.width * page.height, 1.0)
        scale = min(scale, math.sqrt(MAX_OCR_PIXELS / area))
        image = pdf_page.render(scale=scale, grayscale=True).to_pil()
    finally:
        pdf_page.close()
    ocr_page = _ocr_page(ctx, image, page.number, scale * 72)
    ocr_page.paths = page.paths
    return ocr_page


def _render_dpi(pdf_page: Any) -> float:
    """The resolution of the page's largest image (the scan), kept within
    OCR_MIN_DPI..OCR_DPI: rendering a 200 dpi scan at 300 dpi costs a third more time
    for the same words (bench/bench_ocr.py), a 60 dpi one is read better at 200 dpi.
    OCR_DPI when the page has no image (text drawn as outlines)."""
    from pipeline.documents.ocr import OCR_DPI, OCR_MIN_DPI

    best_area, native = 0.0, float(OCR_DPI)
    for obj in pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        width_pt, height_pt = right - left, top - bottom
        area = width_pt * height_pt
        if area <= best_area or width_pt <= 0 or height_pt <= 0:
            continue
        width_px, height_px = obj.get_px_size()
        best_area = area
        native = (width_px / width_pt + height_px / height_pt) / 2 * 72
    return min(max(native, OCR_MIN_DPI), OCR_DPI)


def _no_text_error(ctx: _Context, pages: list[_PdfPage]) -> DocumentError:
    """No usable text: a scan that was not OCR'd, or one OCR could not read."""
    if not any(page.ocr for page in pages):
        return ctx.error(NoTextLayerError)
    return _unreadable_scan(ctx)


def _unreadable_scan(ctx: _Context) -> DocumentError:
    """A scan in which OCR found no text at all."""
    message = (
        f"Le fichier « {ctx.name} » est un scan illisible : même après reconnaissance de "
        "caractères (OCR), aucun texte n'y a été trouvé (pages blanches, ou image trop pâle, "
        "floue ou de trop faible résolution)."
    )
    hint = (
        "Demandez au porteur un scan plus net (300 ppp, en niveaux de gris) ou le document "
        "d'origine, et vérifiez la pièce à la main en attendant."
    )
    return ctx.error(NoTextLayerError, message=message, hint=hint)
