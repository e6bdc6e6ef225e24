"""The fingerprint of a dossier: what its check depends on, so that an unchanged dossier is
never checked twice and a changed one always is.

Three digests joined by dots, each a SHA-256 cut to 160 bits (as long as a Git object id:
collisions are not a concern at this scale): the pieces (names and contents: renaming a
piece changes the note, which cites file names), the call's rules file, the instructeur's
corrections file (zeros when there is none). Kept apart so that the new note can say
*what* changed: the pieces, the rules or the corrections.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

PART_LENGTH = 40
NO_CORRECTIONS = "0" * PART_LENGTH


@dataclass(frozen=True)
class Fingerprint:
    pieces: str
    rules: str
    corrections: str

    def __str__(self) -> str:
        return f"{self.pieces}.{self.rules}.{self.corrections}"

    @classmethod
    def parse(cls, text: str | None) -> Fingerprint | None:
        """The parts of a stored fingerprint; None for anything else (never guessed)."""
        parts = (text or "").split(".")
        if len(parts) != 3 or any(len(p) != PART_LENGTH for p in parts):
            return None
        return cls(*parts)


def fingerprint(
    pieces: Iterable[tuple[str, str]], rules_sha256: str, corrections_sha256: str | None
) -> Fingerprint:
    """The fingerprint of a dossier whose pieces are `(name, sha256)` pairs (order does not
    matter), checked against the rules file of digest `rules_sha256`, with the corrections
    file of digest `corrections_sha256` (None: no corrections file)."""
    listing = "".join(f"{name}\t{sha}\n" for name, sha in sorted(pieces))
    return Fingerprint(
        pieces=hashlib.sha256(listing.encode("utf-8")).hexdigest()[:PART_LENGTH],
        rules=rules_sha256[:PART_LENGTH],
        corrections=(corrections_sha256 or NO_CORRECTIONS)[:PART_LENGTH],
    )
