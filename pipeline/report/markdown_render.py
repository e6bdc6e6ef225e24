"""Lay out a `DocModel` as Markdown (GitHub flavour: pipe tables, `<br>` inside cells)."""

from __future__ import annotations

import re

from pipeline.report.blocks import Box, DocModel, Heading, Para, Run, Table

FILL_LINE = "…" * 40
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape(text: str) -> str:
    """Text read from a dossier may hold Markdown syntax: shown as typed, never as
    formatting."""
    return _SPECIAL.sub(r"\\\1", text)


def render_markdown(model: DocModel) -> str:
    lines: list[str] = [f"*{escape(model.header)}*", ""]
    for block in model.blocks:
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + escape(block.text), ""]
        elif isinstance(block, Para):
            lines += [_paragraph(block), ""]
        elif isinstance(block, Table):
            lines += [*_table(block), ""]
        elif isinstance(block, Box):
            lines += [*_box(block), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _runs(runs: tuple[Run, ...], *, line_break: str) -> str:
    out = []
    for run in runs:
        text = escape(run.text).replace("\n", line_break)
        stripped = text.strip()
        if not stripped:
            out.append(text)
            continue
        # Emphasis markers must touch the text: keep the surrounding spaces outside.
        mark = ("**" if run.bold else "") + ("*" if run.italic else "")
        lead = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip()) :]
        out.append(f"{lead}{mark}{stripped}{mark[::-1]}{tail}")
    return "".join(out)


def _paragraph(block: Para, *, line_break: str = "  \n") -> str:
    text = _runs(block.runs, line_break=line_break)
    if block.style == "bullet":
        return f"- {text}"
    if block.style == "number":
        return f"1. {text}"
    if block.style == "fill":
        return FILL_LINE
    if block.style == "address":
        return "> " + text.replace("  \n", "  \n> ")
    return text


def _table(block: Table) -> list[str]:
    lines = ["| " + " | ".join(escape(h) for h in block.header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in block.header) + "|")
    for row in block.rows:
        cells = []
        for content in row:
            parts = [_paragraph(p, line_break="<br>") for p in content]
            cells.append("<br>".join(part.replace("\n", "<br>") for part in parts))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _box(block: Box) -> list[str]:
    lines = [f"> **{escape(block.title)}**"]
    for item in block.body:
        lines += [">", "> " + _paragraph(item).replace("\n", "\n> ")]
    return lines
