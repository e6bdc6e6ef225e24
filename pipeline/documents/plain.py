"""The TXT / Markdown reader: the bytes decoded (UTF-8, UTF-16 with a BOM, else
Windows-1252 with a warning), the whole text as one page, and blocks inferred from
its lines, where a single line end continues a paragraph only in hard-wrapped text."""

from __future__ import annotations

from pipeline.documents.assemble import _Draft, _finish
from pipeline.documents.context import _Context
from pipeline.documents.detect import _decode_text
from pipeline.documents.layout import _blocks_from_lines
from pipeline.documents.lines import _LIST_MARKER, _TERMINAL, _Line, _line_spans
from pipeline.errors import EmptyFileError, UnsupportedFormatError
from pipeline.models import Document


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
    line opens a block, and so does every line of a file that keeps one paragraph per
    line (pasted from a web page or a word processor)."""
    spans = _line_spans(raw)
    texts = [raw[start:end] for start, end in spans]
    width = _wrap_width(texts)
    lines: list[_Line] = []
    previous = ""
    for (start, end), text in zip(spans, texts, strict=True):
        joined = width is not None and _continues(previous, text, width)
        lines.append(_Line(start, end, text, page=1, break_before=not joined))
        previous = text
    return lines


def _wrap_width(texts: list[str]) -> int | None:
    """The width a hard-wrapped file wraps at (e-mail style, up to 120 columns), or None
    when the file keeps one paragraph per line of any length."""
    widths = sorted(len(text.strip()) for text in texts if text.strip())
    if not widths or widths[-1] > 120 or len(widths) < 5:
        return None
    return widths[int(0.9 * (len(widths) - 1))]


def _continues(previous: str, text: str, width: int) -> bool:
    """Whether `text` continues the paragraph of `previous` in a hard-wrapped file: the
    previous line was cut near the wrap width in mid-sentence, and this one does not open
    a list item."""
    prev, line = previous.strip(), text.strip()
    if not prev or not line or prev[-1] in _TERMINAL or _LIST_MARKER.match(text):
        return False
    return len(prev) >= 0.6 * width
