"""Optical character recognition of a page image with Tesseract (through pytesseract),
shared by the image reader and the PDF reader's scanned pages.

The image is prepared lightly (greyscale on white, downscaled above `MAX_OCR_PIXELS`,
upscaled only when its resolution is too low for Tesseract), read in French with
`image_to_data`, and its words, with their boxes and Tesseract's block / paragraph /
line numbers, become the same positioned lines a PDF text layer gives, so that the
line → block machinery (headings, paragraphs, list items, text-aligned tables) works
on them unchanged. A page read with a low confidence is checked for orientation
(scanned upside down or at 90°) and read again turned upright.

Tesseract missing, or without its French data, is an `OcrUnavailableError`; a page on
which Tesseract finds nothing, or which takes longer than `OCR_TIMEOUT_S`, is a warning.
"""

from __future__ import annotations

import math
import os
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.documents.context import _Context
from pipeline.documents.lines import _Line, _Word
from pipeline.documents.pdf_text import _PdfPage
from pipeline.errors import OcrUnavailableError

OCR_LANG = "fra"
# Resolutions a scanned PDF page is rendered at for OCR: its scan's own, within these
# bounds. Tesseract is said to be best at 300 dpi; on the bench (bench/bench_ocr.py)
# 200 dpi reads the same words, 7 pt print included, in two thirds of the time, so a
# 200 dpi scan is not upsampled. A page without image (outlined text) gets OCR_DPI.
OCR_DPI = 300
OCR_MIN_DPI = 200
# Images of a resolution below UPSCALE_BELOW_DPI are upscaled to UPSCALE_TO_DPI before
# OCR: a 60 dpi scan is read 82 % right as is and 97 % right at 200 dpi, while from
# 100 dpi up upscaling gains nothing and enlarges the noise (bench/bench_ocr.py).
UPSCALE_BELOW_DPI = 100
UPSCALE_TO_DPI = 200
# Longest Tesseract may take on one page before it is given up (the page is then
# reported unread): a huge or pathological image must not hang a run.
OCR_TIMEOUT_S = 60
# Images larger than this are downscaled before OCR (an A4 page at 300 dpi is 8.7 MP).
MAX_OCR_PIXELS = 60_000_000
# Below this mean word confidence (0 to 1) the page is checked for orientation.
LOW_CONFIDENCE = 0.6
# Resolution assumed for an image that does not state a plausible one.
DEFAULT_IMAGE_DPI = 300.0

_PLAIN_WORD = re.compile(r"\w+[.,;:]?")

# Tesseract's word boxes span ascenders and descenders; a body-text word is about 0.8
# of the font size high, which turns their median height into a font size in points.
_WORD_HEIGHT_PER_EM = 0.8


@dataclass
class _Tsv:
    """One recognised word of `image_to_data`, in pixels of the OCR'd image."""

    key: tuple[int, int, int]  # (block, paragraph, line) numbers
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float

    @property
    def bottom(self) -> int:
        return self.top + self.height


def _ocr_page(ctx: _Context, image: Any, number: int, dpi: float | None) -> _PdfPage:
    """The page `number` read by OCR from a Pillow `image` whose resolution is `dpi`
    (None when unknown), with its French warning added to the context."""
    prepared, effective_dpi = _prepare(image, dpi)
    words = _recognise(ctx, prepared, effective_dpi, number)
    if words is not None and (_confidence(words) < LOW_CONFIDENCE or _sideways(words)):
        prepared, words = _upright(ctx, prepared, effective_dpi, number, words)
    width_px, height_px = prepared.size
    scale = 72.0 / effective_dpi
    page = _PdfPage(
        number=number,
        text="",
        lines=[],
        paths=0,
        images=1,
        height=height_px * scale,
        width=width_px * scale,
        image_cover=1.0,
        ocr=True,
    )
    if words:
        page.text, page.lines = _lines(words, number, scale, height_px)
        page.ocr_confidence = round(_confidence(words), 3)
    _warn(ctx, page, unread=words is None)
    return page


# --------------------------------------------------------------------------- preparing


def _prepare(image: Any, dpi: float | None) -> tuple[Any, float]:
    """Greyscale on white, at a resolution Tesseract reads well and a size it can hold;
    returns the image and its resolution."""
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels are often black underneath: put them on white paper.
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    grey = image.convert("L")
    resolution = dpi if dpi is not None else DEFAULT_IMAGE_DPI
    factor = 1.0
    if dpi is not None and dpi < UPSCALE_BELOW_DPI:
        factor = min(UPSCALE_TO_DPI / dpi, 5.0)
    pixels = grey.width * grey.height * factor * factor
    if pixels > MAX_OCR_PIXELS:
        factor *= math.sqrt(MAX_OCR_PIXELS / pixels)
    if abs(factor - 1.0) > 0.01:
        size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
        grey = grey.resize(size, Image.Resampling.BICUBIC)
        resolution *= factor
    return grey, resolution


# --------------------------------------------------------------------------- Tesseract


def _tesseract() -> Any:
    import pytesseract

    # Tesseract's OpenMP threads make it several times slower on a shared machine (and
    # pages are read one at a time anyway); a value the user set is kept.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract


def _recognise(ctx: _Context, image: Any, dpi: float, number: int) -> list[_Tsv] | None:
    """The words Tesseract reads on the image, or None (with a warning) when it ran out
    of time or failed on this image."""
    pytesseract = _tesseract()
    # pytesseract writes the image to a temporary file: uncompressed is faster than PNG.
    image.format = "BMP"
    try:
        data = pytesseract.image_to_data(
            image,
            lang=OCR_LANG,
            config=f"--psm 3 --dpi {round(dpi)}",
            output_type=pytesseract.Output.DICT,
            timeout=OCR_TIMEOUT_S,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ctx.error(OcrUnavailableError) from exc
    except pytesseract.TesseractError as exc:
        message = str(exc)
        if "Failed loading language" in message or "Error opening data file" in message:
            detail = f" (sa langue française « {OCR_LANG} » n'est pas installée)"
            raise ctx.error(OcrUnavailableError, detail) from exc
        reason = f"Tesseract a échoué ({message[:120]})"
    except RuntimeError as exc:  # pytesseract's timeout
        if "timeout" not in str(exc).lower():
            raise
        reason = f"elle a pris plus de {OCR_TIMEOUT_S} secondes"
    else:
        return list(_words(data))
    ctx.warnings.append(
        f"La page {number} de « {ctx.name} » n'a pas pu être lue par reconnaissance de "
        f"caractères (OCR) : {reason}. Vérifiez-la à la main."
    )
    return None


def _words(data: dict[str, list[Any]]) -> Iterator[_Tsv]:
    for index, level in enumerate(data["level"]):
        text = str(data["text"][index]).strip()
        if int(level) != 5 or not text:
            continue
        yield _Tsv(
            key=(
                int(data["block_num"][index]),
                int(data["par_num"][index]),
                int(data["line_num"][index]),
            ),
            text=text,
            left=int(data["left"][index]),
            top=int(data["top"][index]),
            width=int(data["width"][index]),
            height=int(data["height"][index]),
            conf=max(0.0, float(data["conf"][index])),
        )


def _confidence(words: list[_Tsv]) -> float:
    """Mean word confidence, 0 to 1 (0 when there is no word)."""
    return sum(word.conf for word in words) / len(words) / 100 if words else 0.0


def _sideways(words: list[_Tsv]) -> bool:
    """Whether the words were read from text running up or down the image: Tesseract
    turns such a page itself, but gives the boxes in the image's frame (words taller
    than wide), which would scramble the layout."""
    long_words = [word for word in words if len(word.text) >= 4]
    tall = sum(1 for word in long_words if word.height > word.width)
    return bool(long_words) and tall > len(long_words) / 2


def _upright(
    ctx: _Context, image: Any, dpi: float, number: int, words: list[_Tsv]
) -> tuple[Any, list[_Tsv]]:
    """The image turned upright and its words when Tesseract's orientation detection is
    sure the page is not (scanned upside down or at 90°) and the second reading is more
    confident; the image and its first reading otherwise."""
    pytesseract = _tesseract()
    try:
        osd = pytesseract.image_to_osd(
            image,
            config=f"--psm 0 --dpi {round(dpi)}",
            output_type=pytesseract.Output.DICT,
            timeout=OCR_TIMEOUT_S,
        )
    except (pytesseract.TesseractError, RuntimeError):
        return image, words  # too little text to tell the orientation
    rotate = int(osd.get("rotate", 0)) % 360
    if rotate == 0 or float(osd.get("orientation_conf", 0.0)) < 1.0:
        return image, words
    # Tesseract's "rotate" is clockwise; Pillow turns counter-clockwise.
    turned = image.rotate(-rotate, expand=True)
    again = _recognise(ctx, turned, dpi, number)
    if again and (_confidence(again) > _confidence(words) or _sideways(words)):
        return turned, again
    return image, words


# --------------------------------------------------------------------------- lines


def _lines(words: list[_Tsv], number: int, scale: float, height_px: int) -> tuple[str, list[_Line]]:
    """The page text (one line per Tesseract line, words joined by a space) and its
    positioned lines: x and baseline in points (y growing upwards, as in a PDF), a font
    size per Tesseract paragraph, a break before each new paragraph."""
    by_line: dict[_Key, list[_Tsv]] = {}
    for word in words:
        by_line.setdefault(word.key, []).append(word)
    slope = _skew(by_line.values())
    by_line = _join_side_columns(by_line, slope)
    sizes = _paragraph_sizes(words, scale)
    parts: list[str] = []
    lines: list[_Line] = []
    offset = 0
    previous_paragraph: tuple[int, int] | None = None
    for key, line_words in by_line.items():
        # Tesseract gives the words of a line in reading order (those of a joined side
        # column come after, further right).
        text, positioned = _line_text(line_words, scale)
        if parts:
            offset += 1  # the "\n" before this line
        line = _Line(offset, offset + len(text), text, number)
        line.left = min(word.left for word in line_words) * scale
        line.baseline = (height_px - _box(line_words, slope)[2]) * scale
        line.size = sizes[key[:2]]
        line.words = positioned
        line.break_before = previous_paragraph is not None and key[:2] != previous_paragraph
        previous_paragraph = key[:2]
        parts.append(text)
        lines.append(line)
        offset += len(text)
    return "\n".join(parts), lines


_Key = tuple[int, int, int]
# A table cell line holds a few words besides its numbers ("Montant HT", "45 % 49 500,00
# €", "Code banque Code guichet"); a line of prose in a column, more.
_CELL_WORDS = 4


def _join_side_columns(by_line: dict[_Key, list[_Tsv]], slope: float) -> dict[_Key, list[_Tsv]]:
    """Put back on their rows the columns of a table that Tesseract read as blocks of
    their own: the amounts of a financing plan, the codes of a RIB, read after all the
    labels. A narrow block (at most 40 % of the text width: a column of prose in a
    two-column page is wider) whose lines mostly sit on the baseline of a line further
    left, and either mostly hold digits or are one or two lines (column headers, a
    date set right), and a few words a line, is a column of cells: each of its lines joins that line, as
    pdfium joins the text of a PDF on one baseline. A narrow column of prose (several
    lines without digits) stays where Tesseract put it. So does a short line holding
    digits (an amount Tesseract set apart) when it has such a line to its left."""
    if len({key[0] for key in by_line}) < 2:
        return by_line
    boxes = {key: _box(line_words, slope) for key, line_words in by_line.items()}
    width = max(box[1] for box in boxes.values()) - min(box[0] for box in boxes.values())
    tolerance = 0.5 * statistics.median(w.height for ws in by_line.values() for w in ws)

    def beside(key: _Key) -> _Key | None:
        """The line of another block ending left of `key` on its baseline."""
        found = [
            other
            for other in by_line
            if other[0] != key[0]
            and boxes[other][1] < boxes[key][0]
            and abs(boxes[other][2] - boxes[key][2]) <= tolerance
        ]
        return min(found, key=lambda other: abs(boxes[other][2] - boxes[key][2]), default=None)

    def has_digit(key: _Key) -> bool:
        return any(ch.isdigit() for word in by_line[key] for ch in word.text)

    partner: dict[_Key, _Key] = {}
    for block in {key[0] for key in by_line}:
        keys = [key for key in by_line if key[0] == block]
        left = min(boxes[key][0] for key in keys)
        if max(boxes[key][1] for key in keys) - left > 0.4 * width:
            continue
        if statistics.median(_wordiness(by_line[key]) for key in keys) > _CELL_WORDS:
            continue  # lines of prose, not cells
        found = {key: other for key in keys if (other := beside(key)) is not None}
        digits = sum(1 for key in keys if has_digit(key))
        if len(found) >= 0.6 * len(keys) and (digits >= 0.4 * len(keys) or len(keys) <= 2):
            partner.update(found)
    for key in by_line:
        short = boxes[key][1] - boxes[key][0] <= 0.25 * width
        cell = _wordiness(by_line[key]) <= _CELL_WORDS
        if key not in partner and short and cell and has_digit(key):
            other = beside(key)
            if other is not None:
                partner[key] = other
    if not partner:
        return by_line
    joined: dict[_Key, list[_Tsv]] = {}
    grown: set[_Key] = set()
    for key, line_words in by_line.items():
        root, hops = key, 0
        while root in partner and hops < len(by_line):
            root, hops = partner[root], hops + 1
        joined.setdefault(root, []).extend(line_words)
        if root != key:
            grown.add(root)
    return {
        key: sorted(ws, key=lambda w: w.left) if key in grown else ws for key, ws in joined.items()
    }


def _skew(lines: Iterable[list[_Tsv]]) -> float:
    """The slope of the text lines (pixels down per pixel right): a scan turned by half
    a degree puts the two ends of an A4 line 10 pixels apart at 200 dpi."""
    slopes = []
    for words in lines:
        if len(words) < 4:
            continue
        xs = [word.left + word.width / 2 for word in words]
        ys = [float(word.bottom) for word in words]
        mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
        spread = sum((x - mean_x) ** 2 for x in xs)
        if spread > 0:
            slopes.append(
                sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
            )
    return statistics.median(slopes) if slopes else 0.0


def _wordiness(words: list[_Tsv]) -> int:
    """Words of two letters or more (numbers, symbols and initials aside)."""
    return sum(1 for word in words if sum(ch.isalpha() for ch in word.text) >= 2)


def _box(words: list[_Tsv], slope: float) -> tuple[int, int, float]:
    """Left, right and baseline of a line (median bottom, in pixels from the top,
    brought back to x = 0 along the page's skew)."""
    return (
        min(word.left for word in words),
        max(word.left + word.width for word in words),
        statistics.median(word.bottom - slope * (word.left + word.width / 2) for word in words),
    )


def _line_text(words: list[_Tsv], scale: float) -> tuple[str, list[_Word]]:
    text = ""
    positioned = []
    for index, word in enumerate(words):
        if text:
            text += " "
        positioned.append(_Word(word.left * scale, (word.left + word.width) * scale, len(text), 0))
        # Tesseract reads a list bullet "•" as "+": given back as a bullet, the line is a
        # list item as in the original.
        text += "•" if index == 0 and word.text == "+" and len(words) > 1 else word.text
        positioned[-1].end = len(text)
    return text, positioned


def _paragraph_sizes(words: list[_Tsv], scale: float) -> dict[tuple[int, int], float]:
    """A font size in points per Tesseract paragraph, from the median height of its
    words. Word boxes vary with the letters they hold, so a paragraph within -15 % /
    +20 % of the page's body size gets the body size: only clearly larger text (a
    title) keeps its own, and no break or heading comes from measurement noise."""
    # Brackets, quotes and slashes reach below the descenders: not a measure of the size.
    plain = [word for word in words if _PLAIN_WORD.fullmatch(word.text)] or words
    heights: dict[tuple[int, int], list[int]] = {}
    for word in plain:
        heights.setdefault(word.key[:2], []).append(word.height)
    # Paragraphs with no plain word (only digits or brackets) are measured on all their words.
    fallback: dict[tuple[int, int], list[int]] = {}
    for word in words:
        if word.key[:2] not in heights:
            fallback.setdefault(word.key[:2], []).append(word.height)
    heights.update(fallback)
    body = statistics.median(word.height for word in plain)
    sizes = {}
    for key, values in heights.items():
        median = statistics.median(values)
        if 0.85 * body <= median <= 1.2 * body:
            median = body
        sizes[key] = round(median * scale / _WORD_HEIGHT_PER_EM, 1)
    return sizes


# --------------------------------------------------------------------------- warnings


def _warn(ctx: _Context, page: _PdfPage, unread: bool) -> None:
    if unread:
        return  # already said by _recognise
    if page.ocr_confidence is None:
        ctx.warnings.append(
            f"La page {page.number} de « {ctx.name} » a été passée en reconnaissance de "
            "caractères (OCR) mais aucun texte n'y a été trouvé (page blanche ou illisible)."
        )
        return
    percent = round(page.ocr_confidence * 100)
    warning = (
        f"Page {page.number} de « {ctx.name} » lue par reconnaissance de caractères (OCR), "
        f"confiance moyenne {percent} %"
    )
    if page.ocr_confidence < LOW_CONFIDENCE:
        warning += " : lecture peu fiable, vérifiez les montants et identifiants sur l'original"
    ctx.warnings.append(warning + ".")
