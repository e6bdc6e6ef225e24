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
  Text-aligned tables (no ruling lines, columns on tab stops) from word positions, only
  on pages whose lines show wide gaps (`aligned_tables`).
- Scans, with `read_document(path, ocr=True)`: images (PNG, JPEG, TIFF, one page a
  frame; `source_kind="image"`) and PDF pages without a usable text layer are read by
  Tesseract in French (`ocr`); their words become positioned lines, so blocks and
  aligned tables come out as for a text PDF. Such pages are flagged `Page.ocr` with
  their mean word confidence and named in a warning. Without `ocr=True` images are
  refused and scanned pages only warned about, as before.
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

from pipeline.documents.assemble import BlockKind as BlockKind
from pipeline.documents.assemble import _offset_mapper as _offset_mapper
from pipeline.documents.detect import sniff
from pipeline.documents.pdf import MIN_TEXT_CHARS as MIN_TEXT_CHARS
from pipeline.documents.pdf_layout import FURNITURE_PAGE_SHARE as FURNITURE_PAGE_SHARE
from pipeline.documents.pdf_text import TABLE_PATHS_THRESHOLD as TABLE_PATHS_THRESHOLD
from pipeline.documents.read import Reader as Reader
from pipeline.documents.read import read_document

__all__ = ["read_document", "sniff"]
