"""Contacts (name, e-mail, phone) and the submission address of a call."""

from __future__ import annotations

import re

from extractors.call.notice import Notice
from extractors.lexicon import fold
from pipeline.models import Contact, Evidence, Sourced

# Bounded and anchored at the start of a token so that a long run of letters costs
# linear time (an unbounded pattern backtracks quadratically on it).
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]{0,63}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,5}\.[a-z]{2,24}"
)
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?\(?0?\)?\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()«»\"']+[^\s<>()«»\"'.,;:!?]")
# "Aurore TESTARD", "Mme Claire Dupont", "M. Jean-Luc MARTIN"
_FIRST = r"[A-ZÉÈ][a-zéèëïîç]+(?:-[A-ZÉ][a-zéèëïîç]+)?"
_SURNAME = (
    r"(?:(?:[Ll]e|[Ll]a|[Dd]e|[Dd]u|[Dd]es|[Vv]an|[Vv]on|[Dd]')[ ]?)?"
    r"(?:[A-ZÉÈ]{2,}(?:[- ][A-ZÉÈ]{2,})*|[A-ZÉ][a-zéèëïîç]+(?:-[A-ZÉ][a-zéèëïîç]+)?)"
)
# "Aurore TESTARD", "Mme Claire Dupont", "M. Jean-Luc MARTIN", "Camille Le Goff"
_NAME = re.compile(rf"(?:(?:M\.|Mme|Mlle|Monsieur|Madame)[ ]+)?({_FIRST}[ ]{_SURNAME})")
_SUBMIT = re.compile(
    r"candidature|deposer|depot|deposes?|plateforme|formulaire|en ligne|teleservice|demarches?-simplifiees|saisie|soumettre|transmettre|portail"
)
_NOT_A_NAME = re.compile(
    r"^(?:Direction|Service|Responsable|Pour|Mail|Tel|Tél|Chargée?|Contacts?|Questions?|Mission|Pôle|Département|Région|Madame|Monsieur)\b"
)


def phone_pairs(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def extract_contacts(notice: Notice) -> Sourced:
    text = notice.doc.text
    contacts: list[Contact] = []
    evidence: list[Evidence] = []
    used_phones: set[int] = set()
    for m in _EMAIL.finditer(text):
        email = m.group(0).rstrip(".")
        if any(c.email == email for c in contacts):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        # The name sits on the e-mail's line or on one of the two lines before it.
        window_start = line_start
        for _ in range(2):
            prev = text.rfind("\n", 0, max(0, window_start - 1))
            window_start = prev + 1 if prev >= 0 else 0
        name = _name_before(text[line_start : m.start()]) or _name_before(
            text[window_start:line_start]
        )
        phone = None
        for pm in _PHONE.finditer(text, window_start, min(len(text), line_end + 120)):
            if pm.start() not in used_phones:
                used_phones.add(pm.start())
                phone = phone_pairs(pm.group(0))
                line_end = max(line_end, pm.end())
                break
        contacts.append(Contact(name=name, email=email, phone=phone))
        evidence.append(notice.evidence(window_start if name else line_start, line_end))
    # Phones with no e-mail near them are contacts too.
    for pm in _PHONE.finditer(text):
        if pm.start() in used_phones:
            continue
        line_start = text.rfind("\n", 0, pm.start()) + 1
        if re.search(
            r"t[eé]l|contact|joindre|appeler|renseignements?|question|informations?|service|accueil|standard",
            fold(text[line_start : pm.start()]),
        ):
            contacts.append(Contact(name=None, email=None, phone=phone_pairs(pm.group(0))))
            evidence.append(notice.evidence(line_start, pm.end()))
    if not contacts:
        return Sourced()
    return Sourced(value=contacts, evidence=evidence, confidence=0.85)


def _name_before(text: str) -> str | None:
    """The person named in `text` (the lines just before an e-mail address): a surname in
    capitals is surely a person ("Aurore TESTARD"); otherwise the name nearest the
    address ("Questions administratives : Yann Morvan, gestionnaire — …")."""
    names = [
        nm.group(1)
        for nm in _NAME.finditer(text)
        if not _NOT_A_NAME.match(nm.group(1)) and not re.search(r"\d", nm.group(1))
    ]
    upper = [n for n in names if re.search(r"[ ][A-ZÉÈ]{2,}", n)]
    if upper:
        return upper[0]
    return names[-1] if names else None


def extract_submission_url(notice: Notice) -> Sourced:
    """The address where dossiers are deposited: the URL whose sentence (or the sentence
    just before, when the URL stands on its own line) speaks of depositing; a URL for
    reading documents scores lower."""
    best: tuple[int, str, Evidence] | None = None
    previous = ""
    for sentence in notice.sentences:
        for m in _URL.finditer(sentence.text):
            url = m.group(0).rstrip(">")
            own = len(_SUBMIT.findall(sentence.folded))
            alone = len(sentence.text.strip()) - len(m.group(0)) < 12
            score = own + (len(_SUBMIT.findall(previous)) if alone else 0)
            if score == 0:
                continue
            if not url.startswith("http"):
                url = "https://" + url
            ev = notice.evidence(sentence.start + m.start(), sentence.start + m.end())
            if best is None or score > best[0]:
                best = (score, url, ev)
        previous = sentence.folded
    if best is None:
        return Sourced()
    return Sourced(value=best[1], evidence=[best[2]], confidence=0.8)
