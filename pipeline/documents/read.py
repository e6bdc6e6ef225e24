"""The entry point `read_document`: the bytes are read once and their format detected
from the content; formats that cannot be read (spreadsheets, old Office files,
archives…, and images unless OCR was asked for) become French errors with a hint, a
misleading extension becomes a warning, and the file goes to the reader of its format.
Any unexpected failure of a reader reaches the caller as a `DocumentError`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from pipeline.documents.context import _Context
from pipeline.documents.detect import (
    _BINARY_EXTENSIONS,
    _ENCRYPTED_PACKAGE,
    _EXTENSION_KIND,
    _KIND_LABEL,
    _image_format,
    _sniff_bytes,
)
from pipeline.documents.docx import _read_docx
from pipeline.documents.html import _read_html
from pipeline.documents.image import _read_image
from pipeline.documents.pdf import _read_pdf
from pipeline.documents.plain import _read_txt
from pipeline.errors import (
    DamagedDocxError,
    DamagedPdfError,
    DocumentError,
    EmptyFileError,
    EncryptedDocxError,
    FormatMismatchError,
    NoTextLayerError,
    NotFoundError,
    ReadFailedError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from pipeline.models import Document

# pdfplumber (pdfminer), python-docx and BeautifulSoup are imported inside the readers
# that need them: together they take about a quarter of a second to import, which the
# CLI and the flows should not pay for a plain text notice.


def read_document(path: Path, name: str | None = None, *, ocr: bool = False) -> Document:
    """Read the file at `path` once into a `Document`.

    `name` is the display name used in the Document and in error messages (defaults to the
    file name). With `ocr=True`, images (PNG, JPEG, TIFF…) and the PDF pages without a
    usable text layer are read by OCR (Tesseract, French), each such page flagged
    `Page.ocr` with its confidence and named in a warning; without it they are refused
    (images, PDFs with no text at all) or warned about (scanned pages of a PDF).
    Raises a `DocumentError` subclass for any file that cannot be read
    (`OcrUnavailableError` when OCR is needed and Tesseract is not installed).
    """
    path = Path(path)
    display = name or path.name
    data = _read_bytes(path, display)
    ctx = _Context(
        path=path, name=display, data=data, sha256=hashlib.sha256(data).hexdigest(), ocr=ocr
    )
    kind = "unknown"
    try:
        kind = _sniff_bytes(data)
        return _choose_reader(kind, ctx)(ctx)
    except DocumentError:
        raise
    except Exception as exc:  # any reader failure must reach the user as a DocumentError
        raise _unexpected_failure(kind, ctx, exc) from exc


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        if not path.exists():
            raise NotFoundError(path, name=name)
        if not path.is_file():
            raise NotFoundError(path, name=name, detail=" (ce chemin n'est pas un fichier)")
        return path.read_bytes()
    except DocumentError:
        raise
    except OSError as exc:
        raise UnreadableFileError(path, name=name, detail=f" ({exc.strerror or exc})") from exc


def _unexpected_failure(kind: str, ctx: _Context, exc: Exception) -> DocumentError:
    detail = f" ({type(exc).__name__} : {exc})"
    if kind == "pdf":
        return ctx.error(DamagedPdfError, detail)
    if kind == "docx":
        return ctx.error(DamagedDocxError, detail)
    return ctx.error(ReadFailedError, detail)


Reader = Callable[[_Context], Document]


def _choose_reader(kind: str, ctx: _Context) -> Reader:
    """The reader for the detected `kind`, after turning the kinds that cannot be read
    into errors and noting a misleading extension."""
    suffix = ctx.path.suffix.lower()
    promised = _EXTENSION_KIND.get(suffix)
    if kind == "empty":
        raise ctx.error(EmptyFileError, " (0 octet ou seulement des espaces)")
    if kind == "image":
        if ctx.ocr:
            return _read_image
        raise _image_error(ctx)
    if kind in ("html", "txt") and suffix in _BINARY_EXTENSIONS:
        raise ctx.error(FormatMismatchError, _really(kind))
    if kind in ("pdf", "docx", "html", "txt"):
        if promised is not None and promised != kind:
            ctx.warnings.append(
                f"Le fichier « {ctx.name} » porte l'extension {suffix} mais son contenu est "
                f"{_KIND_LABEL[kind]} : il a été lu comme tel."
            )
        return _READERS[kind]
    if kind == "damaged_zip" and promised == "docx":
        raise ctx.error(DamagedDocxError, " : l'archive du document est illisible")
    raise _unsupported_error(kind, suffix, promised, ctx)


def _really(kind: str) -> str:
    """The message detail saying what the content really is."""
    if kind == "unknown":
        return " : son contenu n'est pas reconnu (données binaires)"
    return f" : c'est en réalité {_KIND_LABEL[kind]}"


def _image_error(ctx: _Context) -> DocumentError:
    label = _image_format(ctx.data) or "image"
    message = (
        f"Le fichier « {ctx.name} » est une image ({label}) sans couche texte : il doit "
        "passer par la reconnaissance de caractères (OCR)."
    )
    return ctx.error(NoTextLayerError, message=message)


def _unsupported_error(
    kind: str, suffix: str, promised: str | None, ctx: _Context
) -> DocumentError:
    if kind == "ole2" and _ENCRYPTED_PACKAGE in ctx.data:
        return ctx.error(EncryptedDocxError)
    if kind == "unknown" and promised is not None:
        return ctx.error(FormatMismatchError, _really(kind))
    if kind in ("unknown", "damaged_zip"):
        return ctx.error(UnsupportedFormatError, _really(kind))
    hints = {
        "ole2": (
            "Ouvrez-le dans Word (ou Excel) et enregistrez-le au format .docx ou en PDF, "
            "puis déposez-le à nouveau."
        ),
        "xlsx": (
            "Les tableurs ne sont pas lus : exportez la feuille utile en PDF (Fichier > "
            "Exporter > PDF), ou recopiez le plan de financement dans le formulaire."
        ),
        "zip": "Décompressez l'archive et déposez les fichiers qu'elle contient un par un.",
        "opendocument": "Enregistrez-le en PDF ou en Word (.docx), puis déposez-le à nouveau.",
    }
    label = _KIND_LABEL.get(kind, "un format non reconnu")
    if kind == "ole2" and suffix == ".doc":
        label = "un document Word 97-2003 (.doc), ancien format binaire"
    return ctx.error(UnsupportedFormatError, f" : c'est {label}", hint=hints.get(kind))


_READERS: dict[str, Reader] = {
    "pdf": _read_pdf,
    "docx": _read_docx,
    "html": _read_html,
    "txt": _read_txt,
}
