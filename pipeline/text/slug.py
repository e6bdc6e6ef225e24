"""Ids made from names: ASCII, lower case, words joined by "-" (call ids, dossier ids)."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """ "APPEL A PARTENARIAT 2023 « LOIRE CONNECT »" → "appel-a-partenariat-2023-loire-connect"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > 100:  # keep ids usable as file names: cut at a word boundary
        slug = slug[:101].rsplit("-", 1)[0]
    return slug
