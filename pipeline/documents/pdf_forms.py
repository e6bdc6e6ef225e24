"""AcroForm field values of a fillable PDF, read from pdfminer's objects through an
open pdfplumber handle: the field tree is walked into full names ("parent.child")
mapped to their values as text (strings decoded, check-box names, arrays joined)."""

from __future__ import annotations

from typing import Any


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
