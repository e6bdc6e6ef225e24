"""The TXT / Markdown reader: the bytes decoded (UTF-8, UTF-16 with a BOM, else
Windows-1252 with a warning), the whole text as one page, and blocks inferred from
its lines, where a single line end continues a paragraph only in hard-wrapped text."""

from __future__ import annotations

from pipeline.documents.assemble import _Draft, _finish
from pipeline.documents.context import _Context
from pipeline.documents.detect import _decode_text
from pipeline.documents.layout import _blocks_from_lines
from pipeline.documents.lines import _TERMINAL, _Line, _line_spans
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
