"""The image reader (with OCR only): a PNG, JPEG, TIFF… photo or scan of a piece
becomes a Document of `source_kind="image"`, one page per frame (a multi-page TIFF
gives several pages), each read by OCR (`ocr._ocr_page`) and laid out like a PDF page.

Pillow's decompression-bomb guard stays on: an image of more pixels than it allows is
refused before being decoded (`ImageTooLargeError`); large but acceptable ones are
downscaled before OCR. A phone photo's EXIF orientation is applied first."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from typing import Any

from pipeline.documents.assemble import _finish
from pipeline.documents.context import _Context
from pipeline.documents.detect import _image_format
from pipeline.documents.pdf import _layout_pages, _unreadable_scan
from pipeline.documents.pdf_text import _PdfPage
from pipeline.errors import ImageTooLargeError, UnsupportedFormatError
from pipeline.models import Document

# A stated resolution is believed when it is in this range and makes the image at most
# as large as an A3 sheet (17.5 in): a phone photo's "72 dpi" or a JPEG's "1 dpi"
# (aspect ratio only) are placeholders, not the resolution of a scan.
_PLAUSIBLE_DPI = (50.0, 1200.0)
_LARGEST_PAGE_INCHES = 17.5


def _read_image(ctx: _Context) -> Document:
    """Read an image file by OCR, every frame a page."""
    from pipeline.documents.ocr import _ocr_page

    pages: list[_PdfPage] = []
    for number, (frame, dpi) in enumerate(_frames(ctx), start=1):
        pages.append(_ocr_page(ctx, frame, number, dpi))
    if not any(page.lines for page in pages):
        raise _unreadable_scan(ctx)
    draft = _layout_pages(pages, [])
    return _finish(ctx, "image", draft)


def _frames(ctx: _Context) -> Iterator[tuple[Any, float | None]]:
    """Each frame of the image, upright, with its resolution when plausible."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Between Pillow's warning and error thresholds the image is still decoded
            # (and downscaled before OCR); above, DecompressionBombError is raised.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(ctx.data)) as image:
                for index in range(getattr(image, "n_frames", 1)):
                    image.seek(index)
                    dpi = _dpi(image)
                    shrink = _draft(image)
                    frame = ImageOps.exif_transpose(image)
                    frame.load()
                    yield frame, dpi * shrink if dpi else None
    except Image.DecompressionBombError as exc:
        raise ctx.error(ImageTooLargeError, f" ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        label = _image_format(ctx.data) or "image"
        raise ctx.error(
            UnsupportedFormatError,
            f" : cette image ({label}) n'a pas pu être décodée",
            hint=(
                "Enregistrez-la en PNG, en JPEG ou en PDF (ou demandez au porteur un scan en "
                "PDF), puis déposez-la à nouveau."
            ),
        ) from exc


def _draft(image: Any) -> float:
    """Let libjpeg decode a JPEG larger than MAX_OCR_PIXELS at 1/2, 1/4 or 1/8 of its
    size (still at least MAX_OCR_PIXELS), saving the memory of the full image; returns
    the scale applied (1 for other formats, downscaled after decoding)."""
    from pipeline.documents.ocr import MAX_OCR_PIXELS

    width, height = image.size
    if image.format != "JPEG" or width * height <= MAX_OCR_PIXELS:
        return 1.0
    factor = math.sqrt(MAX_OCR_PIXELS / (width * height))
    image.draft("L", (math.ceil(width * factor), math.ceil(height * factor)))
    return image.size[0] / width


def _dpi(image: Any) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    if value is None or not _PLAUSIBLE_DPI[0] <= value <= _PLAUSIBLE_DPI[1]:
        return None
    if max(image.size) / value > _LARGEST_PAGE_INCHES:
        return None
    return value
