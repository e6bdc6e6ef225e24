"""The pypdfium2 part of the PDF reader: opening the file (truncated, encrypted or
damaged files become errors), the text of each page and its lines with the layout of
their first character (font size, boldness, position), the count of vector paths and
images that tells table pages and scanned pages, and the join of the pages into one
draft."""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.documents.assemble import _Draft
from pipeline.documents.context import _Context
from pipeline.documents.lines import _Line, _line_spans
from pipeline.documents.pdf_layout import _mark_zone
from pipeline.errors import DamagedPdfError, EncryptedPdfError

# A page with at least this many vector paths (rules, cell borders) may hold a table.
TABLE_PATHS_THRESHOLD = 4


@dataclass
class _PdfPage:
    number: int
    text: str
    lines: list[_Line]  # offsets relative to the page text until placed in the document
    paths: int
    images: int
    height: float


def _open_pdfium(ctx: _Context) -> Any:
    if b"%%EOF" not in ctx.data:
        # pdfium rebuilds a cut file when it can and would then silently read only its
        # first pages; a PDF without its end marker is incomplete.
        raise ctx.error(DamagedPdfError, " : le fichier est tronqué (fin du PDF absente)")
    try:
        return pdfium.PdfDocument(ctx.data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ctx.error(EncryptedPdfError) from exc
        raise ctx.error(DamagedPdfError, " : sa structure est illisible") from exc


def _extract_pdf_page(pdf: Any, index: int, ctx: _Context) -> _PdfPage:
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise ctx.error(DamagedPdfError, f" : la page {index + 1} est illisible") from exc
    try:
        textpage = page.get_textpage()
        try:
            text = _clean_pdf_text(textpage.get_text_range()).rstrip("\r\n")
            lines = _pdf_lines(textpage, text, index + 1)
        finally:
            textpage.close()
        return _PdfPage(
            number=index + 1,
            text=text,
            lines=lines,
            paths=_count_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH, TABLE_PATHS_THRESHOLD),
            images=_count_objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE, 1),
            height=page.get_height(),
        )
    except pdfium.PdfiumError as exc:
        raise ctx.error(DamagedPdfError, f" : la page {index + 1} est illisible") from exc
    finally:
        page.close()


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _clean_pdf_text(text: str) -> str:
    # pdfium marks a hyphen at a line break as \x02; other control characters are noise.
    # Same-length replacements keep the raw offsets meaningful.
    return _CONTROL_CHARS.sub(lambda m: "-" if m.group() == "\x02" else " ", text)


def _count_objects(page: Any, kind: int, limit: int) -> int:
    """Count page objects of one type, stopping at `limit` (enough to decide)."""
    count = 0
    for _ in page.get_objects(filter=[kind]):
        count += 1
        if count >= limit:
            break
    return count


def _pdf_lines(textpage: Any, text: str, page_number: int) -> list[_Line]:
    """The lines of a page's text with the layout of their first character."""
    bmp_only = all(ord(ch) < 0x10000 for ch in text)
    lines = []
    for start, end in _line_spans(text):
        line = _Line(start, end, text[start:end], page_number)
        if line.stripped:
            # pdfium counts text positions in UTF-16 code units.
            position = start + len(line.text) - len(line.text.lstrip())
            utf16 = position if bmp_only else len(text[:position].encode("utf-16-le")) // 2
            _set_layout(line, textpage, utf16, text[position])
        lines.append(line)
    return lines


def _set_layout(line: _Line, textpage: Any, text_index: int, expected: str) -> None:
    raw = textpage.raw
    char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(raw, text_index)
    if char_index < 0 or pdfium_c.FPDFText_GetUnicode(raw, char_index) != ord(expected):
        return  # pdfium's text and char lists disagree here: no layout rather than a wrong one
    x, y = ctypes.c_double(), ctypes.c_double()
    if pdfium_c.FPDFText_GetCharOrigin(raw, char_index, ctypes.byref(x), ctypes.byref(y)):
        line.left, line.baseline = x.value, y.value
    line.size = pdfium_c.FPDFText_GetFontSize(raw, char_index) or None
    line.bold = _is_bold(raw, char_index)


def _is_bold(raw_textpage: Any, char_index: int) -> bool:
    if pdfium_c.FPDFText_GetFontWeight(raw_textpage, char_index) >= 600:
        return True
    flags = ctypes.c_int()
    buffer = ctypes.create_string_buffer(128)
    size = pdfium_c.FPDFText_GetFontInfo(
        raw_textpage, char_index, buffer, len(buffer), ctypes.byref(flags)
    )
    name = buffer.value.decode("latin-1", errors="ignore") if 0 < size <= len(buffer) else ""
    return bool(re.search(r"bold|black|heavy|semibold|demi", name, re.IGNORECASE))


def _warn_textless_pages(ctx: _Context, pages: list[_PdfPage]) -> None:
    for page in pages:
        if not page.text.strip() and page.images:
            ctx.warnings.append(
                f"La page {page.number} de « {ctx.name} » ne contient qu'une image (page "
                "scannée ?) : son contenu n'a pas été lu."
            )


def _place_pdf_pages(pages: list[_PdfPage]) -> tuple[_Draft, list[_Line]]:
    """Join the page texts with "\\n" and move the lines to document offsets."""
    draft = _Draft()
    lines: list[_Line] = []
    for page in pages:
        if page.number > 1:
            draft.write("\n")
        start, end = draft.write(page.text)
        draft.pages.append((start, end, False))
        for line in page.lines:
            line.start += start
            line.end += start
            lines.append(line)
        _mark_zone([line for line in page.lines if line.stripped], page.height)
    return draft, lines
