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

from pipeline.documents.aligned_tables import WIDE_LINE_EM_PER_CHAR
from pipeline.documents.assemble import _Draft
from pipeline.documents.context import _Context
from pipeline.documents.lines import _Line, _line_spans, _Word
from pipeline.documents.pdf_layout import _mark_zone
from pipeline.errors import DamagedPdfError, EncryptedPdfError

# A page with at least this many vector paths (rules, cell borders) may hold a table.
TABLE_PATHS_THRESHOLD = 4
# A page with fewer non-blank characters than this in its text layer may be a scan with
# a stamp or a page number added as text: how much of it is image is then measured.
SHORT_TEXT_CHARS = 200


@dataclass
class _PdfPage:
    number: int
    text: str
    lines: list[_Line]  # offsets relative to the page text until placed in the document
    paths: int
    images: int
    height: float
    width: float = 0.0
    # Share of the page covered by images, measured only on pages with little text.
    image_cover: float = 0.0
    # Mean word confidence (0 to 1) when the page was read by OCR; None when OCR found
    # no word. `ocr` says whether it was OCR'd at all.
    ocr: bool = False
    ocr_confidence: float | None = None

    @property
    def chars(self) -> int:
        """Non-blank characters of its text."""
        return len("".join(self.text.split()))


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
            locator = _locator(textpage, text)
            if _has_wide_lines(locator, lines):
                _position_words(locator, lines)
        finally:
            textpage.close()
        width, height = page.get_size()
        short = len("".join(text.split())) < SHORT_TEXT_CHARS
        return _PdfPage(
            number=index + 1,
            text=text,
            lines=lines,
            paths=_count_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH, TABLE_PATHS_THRESHOLD),
            images=_count_objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE, 1),
            height=height,
            width=width,
            image_cover=_image_cover(page, width * height) if short else 0.0,
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


def _image_cover(page: Any, area: float) -> float:
    """Share of the page area covered by image objects (overlaps counted twice, capped
    at 1): a scanned page is one image covering the whole page."""
    if area <= 0:
        return 0.0
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return min(1.0, covered / area)


def _bmp_only(text: str) -> bool:
    """No character outside the Basic Multilingual Plane: text offsets are then pdfium's
    UTF-16 text indices."""
    return not text or max(text) < "\U00010000"


def _pdf_lines(textpage: Any, text: str, page_number: int) -> list[_Line]:
    """The lines of a page's text with the layout of their first character."""
    bmp_only = _bmp_only(text)
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
        if not page.text.strip() and page.images and not page.ocr:
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


# --------------------------------------------------------------------------- word positions


@dataclass
class _CharLocator:
    """Finds the box of a character of the page text in pdfium's character list."""

    textpage: Any
    text: str
    bmp_only: bool

    def edge(self, position: int, side: int) -> float | None:
        """x of the left (side 0) or right (side 1) edge of the character at
        `position`, or None when pdfium's text and characters disagree there."""
        raw = self.textpage.raw
        utf16 = position if self.bmp_only else len(self.text[:position].encode("utf-16-le")) // 2
        char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(raw, utf16)
        if char_index < 0:
            return None
        unicode = pdfium_c.FPDFText_GetUnicode(raw, char_index)
        # A hyphen at a line break is \x02 in pdfium's list and "-" in the cleaned text.
        if unicode != ord(self.text[position]) and not (
            unicode == 2 and self.text[position] == "-"
        ):
            return None
        left, right = ctypes.c_double(), ctypes.c_double()
        bottom, top = ctypes.c_double(), ctypes.c_double()
        if not pdfium_c.FPDFText_GetCharBox(
            raw, char_index, *(ctypes.byref(v) for v in (left, right, bottom, top))
        ):
            return None
        return right.value if side else left.value


def _locator(textpage: Any, text: str) -> _CharLocator:
    return _CharLocator(textpage, text, _bmp_only(text))


def _has_wide_lines(locator: _CharLocator, lines: list[_Line]) -> bool:
    """Whether some line of the page is much wider than its characters need: the sign of
    tab stops or table columns, worth positioning the page's words (two box lookups a
    line, where positioning every word costs two a word)."""
    for line in lines:
        stripped = line.stripped
        if len(stripped) < 3 or not line.size:
            continue
        first = line.start + len(line.text) - len(line.text.lstrip())
        left = locator.edge(first, 0)
        right = locator.edge(first + len(stripped) - 1, 1)
        if left is None or right is None:
            continue
        if right - left > WIDE_LINE_EM_PER_CHAR * line.size * len(stripped):
            return True
    return False


_NON_BLANK = re.compile(r"\S+")


def _position_words(locator: _CharLocator, lines: list[_Line]) -> None:
    """Set `words` on every line of the page (left as None on a line where pdfium's
    text and characters disagree)."""
    for line in lines:
        words: list[_Word] = []
        for match in _NON_BLANK.finditer(line.text):
            x0 = locator.edge(line.start + match.start(), 0)
            x1 = locator.edge(line.start + match.end() - 1, 1)
            if x0 is None or x1 is None or x1 < x0:
                break
            words.append(_Word(x0, x1, match.start(), match.end()))
        else:
            line.words = words
