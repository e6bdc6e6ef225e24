"""Deciding what a file is from its content, the extension being only a hint: magic
numbers for PDF, images, OLE2 and ZIP containers (DOCX, XLSX, PPTX, OpenDocument) and
RTF, markup for HTML, the share of control characters for plain text; also the text
decoding shared with the plain-text reader, what each extension promises and the
French labels of the kinds used to word warnings and errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

_IMAGE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

# What each extension promises; used only to word warnings and mismatch errors.
_EXTENSION_KIND = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".markdown": "txt",
    ".csv": "txt",
}
# Extensions of binary formats: text content behind them means a broken download.
_BINARY_EXTENSIONS = {
    ".pdf",
    ".docx",
    ".docm",
    ".dotx",
    ".doc",
    ".xlsx",
    ".xls",
    ".odt",
    ".ods",
    ".png",
    ".jpg",
    ".jpeg",
}

_KIND_LABEL = {
    "pdf": "un PDF",
    "docx": "un document Word (.docx)",
    "html": "une page web (HTML)",
    "txt": "un fichier texte",
    "image": "une image",
    "xlsx": "un tableur Excel (.xlsx)",
    "pptx": "une présentation PowerPoint (.pptx)",
    "opendocument": "un document OpenDocument (LibreOffice)",
    "ole2": "un ancien document Microsoft Office (.doc, .xls)",
    "rtf": "un document RTF",
    "zip": "une archive ZIP",
    "damaged_zip": "une archive ZIP endommagée",
    "empty": "un fichier vide",
}


def sniff(path: Path | str) -> str:
    """The kind of file at `path`, decided from its content: one of "pdf", "docx", "html",
    "txt", "image", "xlsx", "pptx", "opendocument", "ole2", "rtf", "zip", "damaged_zip",
    "empty" or "unknown"."""
    return _sniff_bytes(Path(path).read_bytes())


def _sniff_bytes(data: bytes) -> str:
    if not data.strip():
        return "empty"
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if _image_format(data):
        return "image"
    if data.startswith(_OLE2_MAGIC):
        return "ole2"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    text = _decode_head(head)
    if text is None:
        return "unknown"
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if "<html" in lowered or "<!doctype html" in lowered:
        return "html"
    return "txt" if _looks_like_text(data) else "unknown"


def _image_format(data: bytes) -> str | None:
    for magic, label in _IMAGE_MAGICS:
        if data.startswith(magic):
            return label
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "HEIC"
    return None


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        # The central directory is gone, but the local headers still name the parts.
        return "docx" if b"word/document" in data else "damaged_zip"
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if any(name.startswith("ppt/") for name in names):
        return "pptx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "opendocument"
    return "zip"


def _decode_head(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if b"\x00" in head:
        return None
    return head.decode("utf-8", errors="ignore")


def _looks_like_text(data: bytes) -> bool:
    """True when the bytes decode as text with almost no control characters (random or
    binary data has about one control byte in eight)."""
    try:
        text, _ = _decode_text(data)
    except UnicodeDecodeError:
        return False
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= len(text) // 200


def _decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode text bytes: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252. Returns the
    text and the encoding name when it is a fallback worth a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    if b"\x00" in data:
        raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte in text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252"), "Windows-1252"
