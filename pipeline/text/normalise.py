"""Normalising French text once: no-break and thin spaces become spaces, typographic
apostrophes become ', line ends and form feeds become \\n; the offset breakpoints
returned with the text map any offset of the normalised text back to the original."""

from __future__ import annotations

# Characters replaced one for one (offsets unchanged).
_SAME_LENGTH = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space (French typography before : ; ! ? €)
        "\u2009": " ",  # thin space
        "\u2007": " ",  # figure space
        "\u200a": " ",  # hair space
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",
        "\u02bc": "'",
        "\t": " ",
    }
)


def normalise(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalise `raw` once: no-break/thin spaces → space, typographic apostrophes → ',
    `\\r\\n` and lone `\\r` → `\\n`, form feeds → `\\n`.

    Returns the text and the offset breakpoints `[(normalised_offset, shift), …]` such
    that `original = normalised + shift` of the last breakpoint at or before the offset
    (see `Document.original_offset`). Only `\\r\\n` changes length, so the list stays
    short even for long documents.
    """
    text = raw.translate(_SAME_LENGTH)
    if "\r" not in text and "\f" not in text:
        return text, []
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    shift = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            out.append("\n")
            if i + 1 < n and text[i + 1] == "\n":
                i += 2
                shift += 1
                shifts.append((len(out), shift))
                continue
        elif ch == "\f":
            out.append("\n")
        else:
            out.append(ch)
        i += 1
    return "".join(out), shifts


def original_offset(shifts: list[tuple[int, int]], offset: int) -> int:
    """Map an offset of the normalised text back to the raw text."""
    shift = 0
    for at, value in shifts:
        if at > offset:
            break
        shift = value
    return offset + shift
