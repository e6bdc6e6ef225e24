"""Reading one input file into a `Document` (DESIGN §2).

`read_document` reads the bytes once, decides the format from the content (the extension
is only a hint), extracts the text of the whole document, normalises it ONCE
(`pipeline.text.normalise`) and describes its layout as blocks in reading order (heading,
paragraph, list item, table row, page furniture) with offsets into the normalised text.

Every failure is a `pipeline.errors.DocumentError` subclass carrying a stable code and a
French message: no raw traceback reaches the instructeur.

How each format is read:

- PDF: text per page with pypdfium2 (fast, C); pages joined with "\\n". Tables with
  pdfplumber, but only on pages whose vector graphics suggest ruled tables, and AcroForm
  field values from the same pdfplumber handle when the PDF is a fillable form.
- DOCX: python-docx, body children in document order (paragraphs and tables interleaved).
- HTML: BeautifulSoup, visible text only (navigation and other boilerplate removed).
- TXT / Markdown: decoded text; layout inferred from lines.

`Block.level` is the heading level for a heading (0 for a document title, 1 for a top
section…) and the nesting depth for a list item (1 = top level, from Word's numbering
level or list style, HTML list nesting, or the indentation of a PDF or text line); None
for the other kinds. Furniture (running headers and footers, page numbers) stays in the
text, so that offsets remain true, and is only marked.
"""

from __future__ import annotations

import bisect
import ctypes
import hashlib
import io
import re
import statistics
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.errors import (
    DamagedDocxError,
    DamagedPdfError,
    DocumentError,
    EmptyFileError,
    EncryptedDocxError,
    EncryptedPdfError,
    FormatMismatchError,
    NoTextLayerError,
    NotFoundError,
    ReadFailedError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from pipeline.models import Block, Document, Page, SourceKind, Table
from pipeline.text import normalise

# pdfplumber (pdfminer), python-docx and BeautifulSoup are imported inside the readers
# that need them: together they take about a quarter of a second to import, which the
# CLI and the flows should not pay for a plain text notice.

__all__ = ["read_document", "sniff"]

BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "furniture"]

# Fewer non-space characters than this over a whole PDF: there is no usable text layer.
MIN_TEXT_CHARS = 20
# A page with at least this many vector paths (rules, cell borders) may hold a table.
TABLE_PATHS_THRESHOLD = 4
# A line repeated at the top or bottom of at least this share of the pages is furniture.
FURNITURE_PAGE_SHARE = 0.6

# --------------------------------------------------------------------------- sniffing

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


# --------------------------------------------------------------------------- public API


@dataclass
class _Context:
    """What every reader needs to know about the file being read."""

    path: Path
    name: str
    data: bytes
    sha256: str
    warnings: list[str] = field(default_factory=list)

    def error(self, cls: type[DocumentError], detail: str = "", **kwargs: Any) -> DocumentError:
        return cls(self.path, name=self.name, detail=detail, **kwargs)


def read_document(path: Path, name: str | None = None) -> Document:
    """Read the file at `path` once into a `Document`.

    `name` is the display name used in the Document and in error messages (defaults to the
    file name). Raises a `DocumentError` subclass for any file that cannot be read.
    """
    path = Path(path)
    display = name or path.name
    data = _read_bytes(path, display)
    ctx = _Context(path=path, name=display, data=data, sha256=hashlib.sha256(data).hexdigest())
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


# --------------------------------------------------------------------------- assembly


@dataclass
class _DraftBlock:
    kind: BlockKind
    start: int  # offsets in the raw (not yet normalised) text
    end: int
    page: int
    level: int | None = None  # heading level, or nesting depth of a list item


@dataclass
class _DraftTable:
    page: int
    rows: list[list[str | None]]
    # Raw offsets of each cell's text when the table is rendered in the text (DOCX, HTML):
    # the cell values are then read back from the normalised text.
    cell_spans: list[list[tuple[int, int] | None]] | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class _Draft:
    """A document being built: the raw text, with pages, blocks and tables in raw offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    pages: list[tuple[int, int, bool]] = field(default_factory=list)  # start, end, has_tables
    blocks: list[_DraftBlock] = field(default_factory=list)
    tables: list[_DraftTable] = field(default_factory=list)

    def write(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def add_line(self, kind: BlockKind, text: str, page: int = 1, level: int | None = None) -> None:
        """Append one block on its own line."""
        if self.length:
            self.write("\n")
        start, end = self.write(text)
        self.blocks.append(_DraftBlock(kind, start, end, page, level))

    @property
    def raw(self) -> str:
        return "".join(self.parts)


def _finish(ctx: _Context, source_kind: SourceKind, draft: _Draft, **extra: Any) -> Document:
    """Normalise the raw text once and carry every raw offset over to the normalised text."""
    text, shifts = normalise(draft.raw)
    to_norm = _offset_mapper(shifts)
    pages = [
        Page(number=i, start=to_norm(start), end=to_norm(end), has_tables=has_tables)
        for i, (start, end, has_tables) in enumerate(draft.pages, start=1)
    ]
    blocks = []
    for draft_block in draft.blocks:
        start, end = _trim(text, to_norm(draft_block.start), to_norm(draft_block.end))
        if start < end:
            blocks.append(
                Block(
                    kind=draft_block.kind,
                    level=draft_block.level,
                    page=draft_block.page,
                    start=start,
                    end=end,
                )
            )
    tables = [_finish_table(table, text, to_norm) for table in draft.tables]
    return Document(
        name=ctx.name,
        path=str(ctx.path),
        sha256=ctx.sha256,
        source_kind=source_kind,
        text=text,
        pages=pages,
        blocks=blocks,
        tables=tables,
        offset_shifts=shifts,
        warnings=ctx.warnings,
        **extra,
    )


def _finish_table(table: _DraftTable, text: str, to_norm: Callable[[int], int]) -> Table:
    rows = table.rows
    if table.cell_spans is not None:
        rows = [
            [
                (text[to_norm(span[0]) : to_norm(span[1])].strip() or None) if span else None
                for span in row
            ]
            for row in table.cell_spans
        ]
    start = to_norm(table.start) if table.start is not None else None
    end = to_norm(table.end) if table.end is not None else None
    return Table(page=table.page, rows=rows, start=start, end=end)


def _offset_mapper(shifts: list[tuple[int, int]]) -> Callable[[int], int]:
    """The inverse of `Document.original_offset`: raw offset -> normalised offset.

    A breakpoint (normalised_at, shift) sits at raw offset normalised_at + shift; a raw
    offset takes the shift of the last breakpoint at or before it.
    """
    raw_points = [at + shift for at, shift in shifts]

    def to_norm(raw_offset: int) -> int:
        index = bisect.bisect_right(raw_points, raw_offset) - 1
        return raw_offset - (shifts[index][1] if index >= 0 else 0)

    return to_norm


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --------------------------------------------------------------------------- lines → blocks
#
# PDF and plain text have no explicit structure: blocks are inferred from lines. A PDF
# line also carries layout (font size, boldness, vertical gap) that plain text lacks.

# Bullets; "-" and "*" only when not doubled ("--", markdown "**bold**"), "o" only before
# a space (Word's second-level bullet pasted as text).
_BULLET = r"(?:[•·–—▪▫◦●○■□➢➤►✓✔❖\uf0a7\uf0b7\uf0d8\uf076\uf0fc]|-(?!-)|\*(?!\*)|o(?=\s))"
_LIST_MARKER = re.compile(rf"^\s*(?:{_BULLET}\s*\S|\d{{1,2}}\s*[.)-]\s+\S|[a-z]\)\s+\S)")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+\S")
_NUMBERED_HEADING = re.compile(
    r"^(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?|(?P<roman>[IVXL]{1,5})[.)-]|(?P<letter>[A-H])[.)]"
    r"|(?P<word>article|chapitre|titre|partie|annexe|axe|volet)\s+(?:\d{1,3}|[IVXL]{1,5})\b"
    r"\s*[.:-]?)(?:\s+(?P<rest>\S.*))?$",
    re.IGNORECASE,
)
_SENTENCE_END = ".;,!?…"
_TERMINAL = ".!?:;…"
# Finite verbs and lead-in words: a short line ending with ":" that holds one introduces
# a list ("Peuvent déposer un dossier :"), it does not title a section.
_LEAD_IN_WORDS = frozenset(
    [
        "est",
        "sont",
        "sera",
        "seront",
        "peut",
        "peuvent",
        "pourra",
        "pourront",
        "doit",
        "doivent",
        "devra",
        "devront",
        "concerne",
        "concernent",
        "vise",
        "visent",
        "permet",
        "permettent",
        "ont",
        "suivant",
        "suivants",
        "suivante",
        "suivantes",
        "ci-dessous",
        "ci-après",
    ]
)
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*\d{1,4}(?:\s*(?:/|sur|de|of)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|sur)\s*\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—]|\d{1,3})$",
    re.IGNORECASE,
)


@dataclass
class _Line:
    """One line of a PDF page or a text file, in raw offsets."""

    start: int
    end: int
    text: str
    page: int
    size: float | None = None  # font size of its first character (PDF)
    bold: bool = False
    baseline: float | None = None  # PDF user space: grows upwards
    left: float | None = None  # x of the first character (PDF)
    zone: bool = False  # among the top or bottom lines of its page
    # (index of its table in Document.tables, index of the row) for a line inside a table
    in_table: tuple[int, int] | None = None
    break_before: bool = False  # the layout starts a new block here
    furniture: bool = False

    @property
    def stripped(self) -> str:
        return self.text.strip()


@dataclass
class _LineContext:
    """What the heading rules know about a line's neighbourhood."""

    boundary_before: bool
    boundary_after: bool
    next_text: str
    prev_numbered: bool
    next_numbered: bool
    size_level: int | None  # heading level given by a larger font (PDF)
    standalone_bold: bool  # a whole bold line standing alone (PDF)


def _blocks_from_lines(lines: list[_Line], size_levels: dict[float, int]) -> list[_DraftBlock]:
    """Group classified lines into blocks in reading order."""
    blocks: list[_DraftBlock] = []
    current: _DraftBlock | None = None
    longest = max((len(line.stripped) for line in lines), default=0)
    following = _following_texts(lines)
    list_number: int | None = None  # number of the last numbered list item ("2.")
    indents: list[float] = []  # indentations of the open list levels
    row_key: tuple[int, int] | None = None  # table row of the previous line
    for index, line in enumerate(lines):
        text = line.stripped
        if not text:
            current = None
            continue
        if line.in_table is not None and line.in_table == row_key:
            blocks[-1].end = line.end  # another line of the same table row (wrapped cells)
            continue
        row_key = line.in_table
        if line.furniture or line.in_table is not None:
            kind: BlockKind = "furniture" if line.furniture else "table_row"
            blocks.append(_DraftBlock(kind, line.start, line.end, line.page))
            current = None
            continue
        if current is not None and _continues_heading(current, line, size_levels):
            current.end = line.end
            continue
        context = _context(lines, index, size_levels, following[index])
        number = _leading_number(text)
        level = _heading_level(line, context)
        if level is not None and not (number and list_number and number == list_number + 1):
            # A markdown heading's block is its title, without the "#" markup.
            markup = _MARKDOWN_HEADING.match(line.text)
            start = line.start + (markup.end() - 1 if markup else 0)
            current = _DraftBlock("heading", start, line.end, line.page, level)
            blocks.append(current)
            list_number, indents = None, []
        elif _LIST_MARKER.match(text):
            depth = _list_depth(indents, *_indent(line))
            current = _DraftBlock("list_item", line.start, line.end, line.page, depth)
            blocks.append(current)
            list_number = number or list_number
        elif (
            current is not None
            and current.kind != "heading"
            and not _starts_paragraph(lines, index, longest)
        ):
            current.end = line.end
        else:
            current = _DraftBlock("paragraph", line.start, line.end, line.page)
            blocks.append(current)
            indents = []
    return blocks


def _indent(line: _Line) -> tuple[float, float]:
    """How far right a line starts, and the difference that counts as another level:
    its x in a PDF (2 pt), its leading blanks in a text file (one blank)."""
    if line.left is not None:
        return line.left, 2.0
    expanded = line.text.expandtabs(4)
    return float(len(expanded) - len(expanded.lstrip())), 0.5


def _list_depth(indents: list[float], indent: float, tolerance: float) -> int:
    """Nesting depth of a list item from its indentation, `indents` being the stack of
    the open levels' indentations (updated in place)."""
    while indents and indent < indents[-1] - tolerance:
        indents.pop()
    if not indents or indent > indents[-1] + tolerance:
        indents.append(indent)
    return len(indents)


def _leading_number(text: str) -> int | None:
    """The number opening a numbered line ("3. Projets…" -> 3): the item following
    "2." of a numbered list stays a list item even when it looks like a title."""
    match = re.match(r"\d{1,2}(?=[.)-]\s)", text)
    return int(match.group()) if match else None


def _following_texts(lines: list[_Line]) -> list[str]:
    """For each line, the text of the next non-blank line (computed once: O(n))."""
    result = [""] * len(lines)
    upcoming = ""
    for index in range(len(lines) - 1, -1, -1):
        result[index] = upcoming
        if lines[index].stripped:
            upcoming = lines[index].stripped
    return result


def _size_key(size: float | None) -> float | None:
    return round(size * 2) / 2 if size else None


def _continues_heading(heading: _DraftBlock, line: _Line, size_levels: dict[float, int]) -> bool:
    """A PDF title wrapped over several lines: same heading font, no gap."""
    return (
        heading.kind == "heading"
        and heading.page == line.page
        and not line.break_before
        and _size_key(line.size) in size_levels
        and not _LIST_MARKER.match(line.stripped)
    )


def _previous(lines: list[_Line], index: int) -> _Line | None:
    """The line just before on the same page, or None after a blank line or a page break."""
    if index == 0:
        return None
    prev = lines[index - 1]
    if prev.page != lines[index].page or not prev.stripped:
        return None
    return prev


def _next(lines: list[_Line], index: int) -> _Line | None:
    if index + 1 >= len(lines):
        return None
    nxt = lines[index + 1]
    if nxt.page != lines[index].page or not nxt.stripped:
        return None
    return nxt


def _starts_paragraph(lines: list[_Line], index: int, longest: int) -> bool:
    """Whether `lines[index]` opens a new paragraph rather than continuing the open one."""
    line = lines[index]
    prev = _previous(lines, index)
    if prev is None or line.break_before or prev.furniture or prev.in_table is not None:
        return True
    if line.stripped[0].islower():
        return False  # a French sentence or item does not start with a small letter
    # A sentence ending on a line clearly shorter than the longest ends its paragraph
    # (a line that ends a sentence at the right margin is just wrapped text).
    prev_text = prev.stripped
    return prev_text[-1] in _TERMINAL and len(prev_text) < 0.85 * longest


def _is_boundary_before(lines: list[_Line], index: int) -> bool:
    prev = _previous(lines, index)
    if prev is None or lines[index].break_before or prev.furniture or prev.in_table is not None:
        return True
    return prev.stripped[-1] in _TERMINAL or bool(_LIST_MARKER.match(prev.stripped))


def _is_boundary_after(lines: list[_Line], index: int) -> bool:
    nxt = _next(lines, index)
    if nxt is None or nxt.break_before or nxt.furniture or nxt.in_table is not None:
        return True
    return bool(_LIST_MARKER.match(nxt.stripped))


def _context(
    lines: list[_Line], index: int, size_levels: dict[float, int], following: str
) -> _LineContext:
    line = lines[index]
    prev = _previous(lines, index)
    nxt = _next(lines, index)
    boundary_before = _is_boundary_before(lines, index)
    boundary_after = _is_boundary_after(lines, index)
    size_key = _size_key(line.size)
    return _LineContext(
        boundary_before=boundary_before,
        boundary_after=boundary_after,
        next_text=following,
        prev_numbered=prev is not None and bool(_NUMBERED_HEADING.match(prev.stripped)),
        next_numbered=nxt is not None and bool(_NUMBERED_HEADING.match(nxt.stripped)),
        size_level=size_levels.get(size_key) if size_key is not None else None,
        standalone_bold=line.bold and boundary_before and boundary_after,
    )


def _heading_level(line: _Line, ctx: _LineContext) -> int | None:
    """The heading level of a line, or None when it is not a heading.

    Rules, first match wins: markdown "#"; a numbered title ("1.", "1.2", "I.", "A)",
    "Article 3") that is not part of a numbered list; a larger font (PDF); ALL CAPS; a
    short nominal line ending with ":"; a short tab-indented title standing alone (notices
    pasted from web pages); a bold line standing alone (PDF); a short line without final
    punctuation standing alone and followed by a longer paragraph.
    """
    text = line.stripped
    markdown = _MARKDOWN_HEADING.match(text)
    if markdown:
        return len(markdown.group(1))
    words = text.split()
    if not ctx.boundary_before or len(text) > 120 or len(words) > 16:
        return None
    if text[-1] in ".;," or _is_bullet(text) or not _starts_like_title(text):
        return None
    if _NUMBERED_HEADING.match(text):
        # A numbered line running on into the next one is a numbered list item whose
        # text wraps, not a title.
        return _numbered_level(text, ctx) if ctx.boundary_after else None
    if ctx.size_level is not None:
        return ctx.size_level
    label_value = ":" in text.rstrip(": ")
    if _is_all_caps(text) and not label_value:
        return 1
    if text.endswith(":"):
        title_words = words[:-1] if words[-1] == ":" else words
        return 2 if ctx.boundary_after and _is_short_title(title_words) else None
    if label_value or text[-1] in _SENTENCE_END or not ctx.boundary_after:
        return None
    if line.text[:1] == "\t" and len(text) <= 80:
        return 2
    if ctx.standalone_bold and len(words) <= 12:
        return 2
    if len(text) <= 100 and _is_followed_by_longer(text, ctx.next_text):
        return 2
    return None


def _is_bullet(text: str) -> bool:
    return bool(re.match(_BULLET, text))


def _starts_like_title(text: str) -> bool:
    """The first letter or digit is a capital or a digit."""
    first = next((ch for ch in text if ch.isalnum()), "")
    return first.isupper() or first.isdigit()


def _numbered_level(text: str, ctx: _LineContext) -> int | None:
    """Level of a numbered title; None for an item of a numbered list (a numbered line
    next to another one, or whose text does not start with a capital letter)."""
    match = _NUMBERED_HEADING.match(text)
    if match is None or ctx.prev_numbered or ctx.next_numbered:
        return None
    rest = match.group("rest") or ""
    first = next((ch for ch in rest if ch.isalnum()), "")
    if rest.endswith(":") and not _is_short_title(rest.rstrip(": ").split()):
        return None  # "3. Projets permettant de … par :" introduces a list
    if match.group("word"):
        return 2 if match.group("word").lower() in ("article", "axe", "volet") else 1
    if not first.isupper():
        return None  # "25 000 € ..." or "a. les communes": not a title
    if match.group("num"):
        return match.group("num").count(".") + 1
    return 1 if match.group("roman") else 2


def _is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 4:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper >= 0.8 * len(letters)


def _is_short_title(words: list[str]) -> bool:
    if not words or len(words) > 5:
        return False
    lowered = {word.lower().strip("(),:") for word in words}
    return not lowered & _LEAD_IN_WORDS


def _is_followed_by_longer(text: str, next_text: str) -> bool:
    if any(marker in text for marker in ("@", "http", "www.")):
        return False
    return len(next_text) > max(1.2 * len(text), 40)


# --------------------------------------------------------------------------- PDF


@dataclass
class _PdfPage:
    number: int
    text: str
    lines: list[_Line]  # offsets relative to the page text until placed in the document
    paths: int
    images: int
    height: float


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


_LINE_END = re.compile(r"\r\n|[\r\n\f]")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of `text`, line ends excluded (\r\n, \r, \n or \f)."""
    spans = []
    position = 0
    for match in _LINE_END.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return spans


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


def _mark_zone(lines: list[_Line], height: float) -> None:
    """The lines where running headers and footers live: the first and last two lines of
    the page, and any line in the top or bottom 8 % of it."""
    for line in lines[:2] + lines[-2:]:
        line.zone = True
    for line in lines:
        if (
            line.baseline is not None
            and height > 0
            and not (0.08 * height <= line.baseline <= 0.92 * height)
        ):
            line.zone = True


def _furniture_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _mark_furniture(lines: list[_Line], page_count: int) -> None:
    """Running headers/footers (a zone line repeated on most pages, digits aside) and
    page numbers ("Page 3 / 12", "3/12", "- 3 -")."""
    pages_of: dict[str, set[int]] = defaultdict(set)
    for line in lines:
        if line.zone and line.stripped:
            pages_of[_furniture_key(line.stripped)].add(line.page)
    needed = max(2, FURNITURE_PAGE_SHARE * page_count)
    repeated = {key for key, pages in pages_of.items() if len(pages) >= needed}
    for line in lines:
        if not line.zone or not line.stripped or line.in_table is not None:
            continue
        if _furniture_key(line.stripped) in repeated or _PAGE_NUMBER.match(line.stripped):
            line.furniture = True


def _mark_breaks(lines: list[_Line]) -> None:
    """Set `break_before` where the layout opens a new block: a change of font size or
    weight, or a vertical gap clearly larger than the usual line spacing."""
    spacing = _usual_spacing(lines)
    for index in range(1, len(lines)):
        line, prev = lines[index], lines[index - 1]
        if not line.stripped or not prev.stripped or line.page != prev.page:
            continue
        if line.size is None or prev.size is None or line.baseline is None:
            continue
        if abs(line.size - prev.size) > 0.1 * prev.size or line.bold != prev.bold:
            line.break_before = True
            continue
        gap = (prev.baseline or 0.0) - line.baseline
        # On a sparse page (a form, a cover) the median gap is itself a paragraph gap:
        # ordinary line spacing never exceeds 1.5 times the font size.
        usual = min(spacing.get(round(line.size), 1.2 * line.size), 1.5 * line.size)
        if gap > 1.45 * usual or (gap <= 0 and not _continues_in_next_column(prev, line)):
            line.break_before = True


def _continues_in_next_column(prev: _Line, line: _Line) -> bool:
    """A line higher on the page than the previous one starts a new column; the
    sentence goes on there when it was not finished and resumes with a small letter."""
    return prev.stripped[-1] not in _TERMINAL and line.stripped[0].islower()


def _usual_spacing(lines: list[_Line]) -> dict[int, float]:
    """Median gap between consecutive baselines of same-size lines, per font size."""
    gaps: dict[int, list[float]] = defaultdict(list)
    for prev, line in zip(lines, lines[1:], strict=False):
        if (
            prev.page == line.page
            and prev.baseline is not None
            and line.baseline is not None
            and prev.size
            and line.size
            and round(prev.size) == round(line.size)
            and prev.baseline > line.baseline
        ):
            gaps[round(line.size)].append(prev.baseline - line.baseline)
    return {size: statistics.median(values) for size, values in gaps.items()}


def _size_levels(lines: list[_Line]) -> dict[float, int]:
    """Heading levels given by font size: sizes clearly above the body size (the size of
    most characters), largest first, among short lines."""
    weights: Counter[float] = Counter()
    for line in lines:
        key = _size_key(line.size)
        if key is not None and not line.furniture:
            weights[key] += len(line.stripped)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    larger = {
        _size_key(line.size)
        for line in lines
        if line.size and line.size >= 1.15 * body and len(line.stripped) <= 120
    }
    return {size: rank for rank, size in enumerate(sorted(larger, reverse=True), start=1)}


# ------------------------------------------------------------------ PDF: pdfplumber part


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


def _form_fields(plumber: Any) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1

    acroform = resolve1(plumber.doc.catalog.get("AcroForm"))
    if not isinstance(acroform, dict):
        return {}
    fields: dict[str, str] = {}
    for ref in resolve1(acroform.get("Fields")) or []:
        _collect_field(resolve1(ref), "", fields, depth=0)
    return fields


def _collect_field(node: Any, parent: str, fields: dict[str, str], depth: int) -> None:
    """Walk the field tree: full names join partial names with "." (PDF 32000 §12.7.3.2)."""
    from pdfminer.pdftypes import resolve1

    if not isinstance(node, dict) or depth > 20:
        return
    partial = _pdf_text(resolve1(node.get("T")))
    name = f"{parent}.{partial}" if parent and partial else partial or parent
    kids = resolve1(node.get("Kids")) or []
    named_kids = [kid for kid in map(resolve1, kids) if isinstance(kid, dict) and "T" in kid]
    if named_kids:
        for kid in named_kids:
            _collect_field(kid, name, fields, depth + 1)
        return
    if name:
        fields[name] = _pdf_text(resolve1(node.get("V")))


def _pdf_text(value: Any) -> str:
    """A PDF object as text: strings decoded (UTF-16 with BOM or PDFDocEncoding), names
    without their slash (check boxes: "Yes"/"Off"), arrays joined."""
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_text(value)
    if isinstance(value, PSLiteral):
        name = value.name
        return name.decode("latin-1") if isinstance(name, bytes) else str(name)
    if isinstance(value, list):
        return ", ".join(_pdf_text(item) for item in value)
    return str(value)


def _mark_tables(
    lines: list[_Line], pages: list[_PdfPage], tables: list[_PdfTable], draft: _Draft
) -> None:
    """Record the tables and flag the lines that lie inside one (they become table_row)."""
    pages_with_tables = {table.page for table in tables}
    draft.pages = [
        (start, end, index + 1 in pages_with_tables)
        for index, (start, end, _) in enumerate(draft.pages)
    ]
    for index, table in enumerate(tables):
        draft.tables.append(_DraftTable(page=table.page, rows=table.rows))
        for line in lines:
            if line.page != table.page or not line.stripped or line.baseline is None:
                continue
            row = table.row_of(line.baseline)
            if row is not None:
                line.in_table = (index, row)


def _set_table_spans(draft: _Draft, lines: list[_Line]) -> None:
    for index, table in enumerate(draft.tables):
        inside = [line for line in lines if line.in_table and line.in_table[0] == index]
        if inside:
            table.start, table.end = inside[0].start, inside[-1].end


# --------------------------------------------------------------------------- DOCX

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


def _write_table(draft: _Draft, rows: list[list[str | None]]) -> None:
    """Write each row as one table_row block, "cell | cell" (None cells, merged away,
    are skipped), and record the table with the offsets of every cell."""
    spans: list[list[tuple[int, int] | None]] = []
    first_block = len(draft.blocks)
    for cells in rows:
        if not any(cells):
            continue
        if draft.length:
            draft.write("\n")
        row_start = draft.length
        row_spans: list[tuple[int, int] | None] = []
        for cell in cells:
            if cell is None:
                row_spans.append(None)
                continue
            if any(span is not None for span in row_spans):
                draft.write(" | ")
            row_spans.append(draft.write(cell))
        draft.blocks.append(_DraftBlock("table_row", row_start, draft.length, 1))
        spans.append(row_spans)
    if spans:
        start, end = draft.blocks[first_block].start, draft.blocks[-1].end
        draft.tables.append(_DraftTable(page=1, rows=[], cell_spans=spans, start=start, end=end))


# --------------------------------------------------------------------------- HTML

# Never content, wherever they are.
_NEVER_CONTENT_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "button", "select", "head"]
)
# Boilerplate unless they wrap the page's main content.
_BOILERPLATE_TAGS = frozenset(["nav", "aside", "form"])
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
# A class or id token ENDING with one of these words ("topnav", "main-menu", "sitefooter",
# "share-buttons"); matching the end only keeps French words such as "sociale" or
# "navette" from being taken for boilerplate.
_BOILERPLATE_TOKEN = re.compile(
    r"(?:nav|navbar|navigation|menu|menubar|footer|newsletter|breadcrumbs?|cookies?|share|"
    r"sharing|social|subscribe|subscription)s?$"
)
_KEEP_TAGS = {"html", "body", "main", "article"}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "hr",
    "body",
    "html",
    "center",
    "fieldset",
    "details",
    "summary",
    "caption",
    "header",
    "footer",
    "tbody",
    "thead",
    "tfoot",
}
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _read_html(ctx: _Context) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(ctx.data, "lxml")
    _drop_boilerplate(soup)
    walker = _HtmlWalker()
    walker.walk(soup.body or soup)
    walker.flush()
    draft = walker.draft
    draft.pages.append((0, draft.length, bool(draft.tables)))
    if not draft.raw.strip():
        raise ctx.error(EmptyFileError, " (la page web ne contient aucun texte visible)")
    return _finish(ctx, "html", draft)


def _drop_boilerplate(soup: Any) -> None:
    """Remove what a reader does not read as the page's content: scripts, navigation,
    cookie banners, newsletters, sharing buttons, site header and footer."""
    doomed = []
    for tag in soup.find_all(True):
        if tag.name in _KEEP_TAGS:
            continue
        never_content = tag.name in _NEVER_CONTENT_TAGS
        if never_content or (_looks_like_boilerplate(tag) and not _holds_main_content(tag)):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _looks_like_boilerplate(tag: Any) -> bool:
    if tag.name in _BOILERPLATE_TAGS or _is_hidden(tag) or _is_boilerplate_attr(tag):
        return True
    # The site's header and footer go; an article's own header (its title) stays.
    return tag.name in ("header", "footer") and not tag.find_parent(("article", "main"))


def _holds_main_content(tag: Any) -> bool:
    """Whether a tag wraps the page's content: ASP.NET and SharePoint sites put the whole
    body in a <form>, and a wrapper's class may read "nav-open"."""
    return tag.find(("main", "article", "h1")) is not None


def _is_hidden(tag: Any) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
        or (tag.get("role") or "") in _DROP_ROLES
    )


def _is_boilerplate_attr(tag: Any) -> bool:
    classes = tag.get("class") or []
    values = [*classes] if isinstance(classes, list) else [str(classes)]
    values.append(str(tag.get("id") or ""))
    tokens = (tok for value in values for tok in re.split(r"[-_\s]+", value.lower()) if tok)
    return any(_BOILERPLATE_TOKEN.search(tok) for tok in tokens)


class _HtmlWalker:
    """Turns the cleaned tree into blocks: inline text accumulates until a block-level
    element closes it; h1–h6, li, tr and p/div give the block kinds."""

    def __init__(self) -> None:
        self.draft = _Draft()
        self.buffer: list[str] = []
        self.kinds: list[tuple[BlockKind, int | None]] = [("paragraph", None)]

    def walk(self, node: Any) -> None:
        from bs4.element import NavigableString, PreformattedString, Tag

        for child in node.children:
            if isinstance(child, PreformattedString):
                continue  # comments, doctype, CDATA
            if isinstance(child, NavigableString):
                self.buffer.append(_HTML_SPACE.sub(" ", str(child)))
            elif isinstance(child, Tag):
                self._tag(child)

    def _tag(self, tag: Any) -> None:
        name = tag.name
        if name == "br":
            self.buffer.append("\n")
        elif name == "table":
            self.flush()
            self._table(tag)
        elif name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._container(tag, ("heading", int(name[1])))
        elif name == "li":
            depth = len(tag.find_parents(("ul", "ol"))) or 1
            self._container(tag, ("list_item", depth))
        elif name in _BLOCK_TAGS:
            # A <p> or <div> inside a list item or a heading keeps that kind.
            inherited = self.kinds[-1] if self.kinds[-1][0] != "paragraph" else None
            self._container(tag, inherited or ("paragraph", None))
        else:
            self.walk(tag)

    def _container(self, tag: Any, kind: tuple[BlockKind, int | None]) -> None:
        self.flush()
        self.kinds.append(kind)
        self.walk(tag)
        self.flush()
        self.kinds.pop()

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        text = "\n".join(part.strip(" ") for part in text.split("\n")).strip(" \n")
        if text:
            kind, level = self.kinds[-1]
            self.draft.add_line(kind, text, level=level)

    def _table(self, table: Any) -> None:
        rows: list[list[str | None]] = []
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a row of a nested table
            cells: list[str | None] = []
            for cell in row.find_all(("td", "th"), recursive=False):
                cells.append(_HTML_SPACE.sub(" ", cell.get_text(" ")).strip())
                cells.extend([None] * (_colspan(cell) - 1))
            rows.append(cells)
        _write_table(self.draft, rows)


def _colspan(cell: Any) -> int:
    try:
        return max(1, min(int(cell.get("colspan", 1)), 50))
    except (TypeError, ValueError):
        return 1


# --------------------------------------------------------------------------- TXT


def _read_txt(ctx: _Context) -> Document:
    try:
        raw, fallback = _decode_text(ctx.data)
    except UnicodeDecodeError as exc:
        raise ctx.error(UnsupportedFormatError, " : ce n'est pas un texte lisible") from exc
    if fallback:
        ctx.warnings.append(
            f"Le fichier « {ctx.name} » n'est pas encodé en UTF-8 : il a été lu en {fallback}. "
            "Vérifiez les caractères accentués des extraits."
        )
    if not raw.strip():
        raise ctx.error(EmptyFileError, " (aucun texte)")
    draft = _Draft()
    draft.write(raw)
    draft.pages.append((0, len(raw), False))
    lines = _text_lines(raw)
    draft.blocks = _blocks_from_lines(lines, {})
    return _finish(ctx, "txt", draft)


def _text_lines(raw: str) -> list[_Line]:
    """Lines of a text file (any of \\r\\n, \\r, \\n, \\f ends a line); a line after a blank
    line opens a block."""
    spans = _line_spans(raw)
    wrapped = _is_hard_wrapped([raw[start:end] for start, end in spans])
    lines: list[_Line] = []
    after_blank = True
    for start, end in spans:
        line = _Line(start, end, raw[start:end], page=1, break_before=after_blank or not wrapped)
        after_blank = not line.stripped
        lines.append(line)
    return lines


def _is_hard_wrapped(texts: list[str]) -> bool:
    """Whether the file wraps its paragraphs at a fixed width (e-mail style, 72–100
    columns), so that a single line end continues the paragraph. Text pasted from a web
    page or a word processor keeps one paragraph per line, of any length.

    Wrapped text shows it in the lines followed by another one: most of them stop
    mid-sentence close to the wrap width."""
    stripped = [text.strip() for text in texts]
    widths = sorted(len(text) for text in stripped if text)
    if not widths or widths[-1] > 120:
        return False
    inner = [text for text, nxt in zip(stripped, stripped[1:], strict=False) if text and nxt]
    if len(inner) < 5:
        return False
    width = widths[int(0.9 * (len(widths) - 1))]
    cut = [text for text in inner if text[-1] not in _TERMINAL and len(text) >= 0.7 * width]
    return len(cut) >= 0.5 * len(inner)


_READERS: dict[str, Reader] = {
    "pdf": _read_pdf,
    "docx": _read_docx,
    "html": _read_html,
    "txt": _read_txt,
}
