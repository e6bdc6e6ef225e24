"""Who a resource line names, as an instructeur reads it: a public or a private funder,
the applicant's own share (autofinancement), the status of the funding (acquis /
sollicité), and whether it is the present request.

Choices (DESIGN §3 leaves them to this module):
- Self-financing (`self_financing_eur`, not a resource): autofinancement, fonds propres,
  ressources propres, part communale / intercommunale / du maître d'ouvrage, reste à
  charge, apport du porteur, and loans (emprunt, prêt bancaire) that name no public
  lender. A loan is repaid by the applicant: it finances the own share, and instructeurs
  count it in the maître d'ouvrage's minimum participation (CGCT L1111-10, "autofinancement
  y compris par emprunt"); it is not an aid. A repayable advance from a public body
  ("avance remboursable Région") names a public funder and stays a resource.
- Public: the State and its services and agencies, the EU funds, régions, départements,
  communes, EPCI, syndicats, CAF / CNAF / MSA / ARS, the Caisse des Dépôts and Bpifrance.
  Private: companies, foundations, patrons and sponsors, banks, donations, membership
  fees, sales and users' contributions. Neither: None.
"""

from __future__ import annotations

import re
from typing import Literal

from extractors.lexicon import fold

Status = Literal["acquis", "sollicité"]

_ACQUIRED = re.compile(
    r"\b(?:acquise?s?|obtenue?s?|notifiee?s?|attribuee?s?|votee?s?|accordee?s?|confirmee?s?"
    r"|decidee?s?|arretee?s?|versee?s?|engagee?s?)\b"
)
_REQUESTED = re.compile(
    r"\b(?:sollicitee?s?|a solliciter|sollicitation|demandee?s?|a demander|en cours"
    r"(?: d'instruction| de demande| d'examen)?|prevue?s?|en attente|envisagee?s?"
    r"|deposee?s?|presente demande)\b"
)
_PRESENT_REQUEST = re.compile(
    r"presente (?:demande|sollicitation|candidature|dossier)|objet (?:de )?(?:la |cette )?"
    r"(?:presente )?demande|(?:la|cette) demande\b|\bce dossier\b|\bpresent appel"
)
# Status words and their separators, to take them out of a funder's name.
_STATUS_GROUP = re.compile(
    r"\s*[(\[][^)\]]*?(?:" + _ACQUIRED.pattern + "|" + _REQUESTED.pattern + "|"
    r"presente|demande|dossier|appel)[^)\]]*[)\]]"
)
_STATUS_TAIL = re.compile(
    r"\s*(?:[-–—:/,;]|\s)\s*(?:(?:subvention|aide|montant)\s+)?(?:"
    + _ACQUIRED.pattern
    + "|"
    + _REQUESTED.pattern
    + r")(?:\s.*)?$"
)

_SELF = re.compile(
    r"\bauto-?financements?\b|\bfonds propres\b|\bressources propres\b|\bcapitaux propres\b"
    r"|\bpart (?:communale|intercommunale|de la commune|de l'epci|du maitre d'ouvrage"
    r"|du porteur|de la structure|de l'association|du demandeur|de l'entreprise"
    r"|de la collectivite|propre)\b"
    r"|\bparticipation (?:du maitre d'ouvrage|du porteur|de la structure|propre"
    r"|de l'association|du demandeur|de l'entreprise)\b"
    r"|\breste a charge\b|\bapports? (?:personnels?|propres?|du porteur|de la structure"
    r"|de l'association|de l'entreprise|en (?:fonds propres|capital|numeraire))\b"
    r"|\bmaitre d'ouvrage\b|\bmaitrise d'ouvrage\b"
)
_LOAN = re.compile(r"\bemprunts?\b|\bprets?\b|\bcredit[- ]bail\b")

# Public bodies that a private word could hide ("Banque des Territoires").
_PUBLIC_FIRST = re.compile(
    r"banque des territoires|caisse des depots|\bbpi ?france\b|\bbanque publique"
    r"|caisse d'allocations familiales|\bcaf\b|\bcnaf\b"
)
_PRIVATE = re.compile(
    r"\bfondations?\b|\bfonds de dotation\b|\bmecenat\b|\bmecenes?\b|\bsponsor\w*|\bparrainage"
    r"|\bentreprises?\b|\bsocietes?\b|\bsarl\b|\bsas\b|\bsasu\b|\beurl\b|\bprive(?:e|s|es)?\b"
    r"|\bdons?\b|\bcotisations?\b|\bventes?\b|\bbanques?\b|\bcredit (?:agricole|mutuel"
    r"|cooperatif|lyonnais)\b|\bcaisse d'epargne\b|\bbnp\b|\bsociete generale\b"
    r"|\bemprunts?\b|\bprets? bancaires?\b|\bparticipations? (?:des |de l')?(?:usagers|familles"
    r"|beneficiaires|adherents|participants|habitants)\b|\bbilletterie\b|\brecettes?\b"
    r"|\bcrowdfunding\b|\bfinancement participatif\b|\bpartenaires? prives?\b|\bmutuelles?\b"
)
_PUBLIC = re.compile(
    r"\betat\b|\bprefecture|\bsous-prefecture|\bdetr\b|\bdsil\b|\bdsid\b|\bdpv\b|\bfnadt\b"
    r"|\banct\b|\bademe\b|\bfeder\b|\bfse\+?|\bfeader\b|\bfeamp(?:a)?\b|\bleader\b"
    r"|\beurop\w*|\bunion europeenne\b|\bue\b|\bregions?\b|\bregionale?\b|conseil regional"
    r"|\bdepartements?\b|\bdepartementale?\b|conseil departemental|\bcommunes?\b|\bville\b"
    r"|\bmairie\b|\bcommunaute (?:de communes|d'agglomeration|urbaine)|\bmetropole"
    r"|\bagglomeration\b|\bagglo\b|\bfonds de concours\b"
    r"|\bepci\b|\bsyndicat (?:mixte|intercommunal|departemental|d'energie)|\bpetr\b"
    r"|\bintercommunalite|\bcollectivites?\b|\bars\b|agence regionale de sante|\bmsa\b"
    r"|\bcpam\b|\bcarsat\b|\bdrac\b|\bdreal\b|\bdrajes\b|\bddets\b|\bdreets\b|\bdraaf\b"
    r"|\bddt\b|\bddtm\b|\bdsden\b|\bministeres?\b|\bagence nationale|\bagence de l'eau"
    r"|\bcnds\b|\bfrance relance\b|\bfrance 2030\b|\bfipd\b|\bfonds vert\b|\bfdva\b"
    r"|\basp\b|agence de services et de paiement|\bpolitique de la ville\b|\banah\b|\bcnc\b"
    r"|\bcentre national\b|\bgip\b|\bpublics?\b|\bpubliques?\b|\bsubventions? d'exploitation\b"
    r"|\bdotations?\b|\borganismes? sociaux\b|\bcget\b|\bpays\b"
)
_GENERIC = {"subvention", "aide", "montant", "financement", "participation"}
# What opens a financing line: "Subvention de la Région", "Aide du Département"…
_FUNDING_LEAD = re.compile(
    r"^(?:subventions?|aides?|financements?|cofinancements?|participations?|contributions?"
    r"|dotations?|concours)\b\s*(?:de la |de l'|du |des |de |d')?"
)
_PRIVATE_FUNDER = re.compile(r"fondations?\b|mecenat\b|mecenes?\b|sponsor|dons?\b|cotisations?\b")


def status_of(text: str) -> Status | None:
    """The status written in `text` (a line or a status cell), None if none is."""
    folded = fold(text)
    acquired = _ACQUIRED.search(folded)
    requested = _REQUESTED.search(folded)
    if acquired and requested:
        # "sollicitée le 3 mars, attribuée le 2 mai": the later word is the current state.
        return "acquis" if acquired.start() > requested.start() else "sollicité"
    if acquired:
        return "acquis"
    if requested:
        return "sollicité"
    return None


def is_present_request(text: str) -> bool:
    """ "(présente demande)", "objet de la présente demande": the line of this request."""
    return bool(_PRESENT_REQUEST.search(fold(text)))


def clean_funder(label: str) -> str:
    """The funder's name as written, without its status words: "DETR (sollicitée)" →
    "DETR", "Région - acquis" → "Région"."""
    folded = fold(label)
    cut = _STATUS_GROUP.sub(lambda m: "\0" * len(m.group()), folded)
    tail = _STATUS_TAIL.search(cut)
    if tail is not None and tail.start() > 0:
        cut = cut[: tail.start()] + "\0" * (len(cut) - tail.start())
    kept = "".join(ch for ch, c in zip(label, cut, strict=True) if c != "\0")
    kept = re.sub(r"\s+", " ", kept).strip(" -–—:/,;")
    if not kept or fold(kept) in _GENERIC:
        return label.strip()
    return kept


def is_self_financing(label: str) -> bool:
    """The applicant's own share: autofinancement, fonds propres, part communale… and loans
    that name no public lender (see the module docstring)."""
    folded = fold(label)
    if _SELF.search(folded):
        return True
    return bool(_LOAN.search(folded)) and is_public(label) is not True


def is_loan(label: str) -> bool:
    return bool(_LOAN.search(fold(label)))


def is_public(label: str) -> bool | None:
    """True for a public funder, False for a private one, None when the label does not
    say."""
    folded = fold(label)
    if _PUBLIC_FIRST.search(folded):
        return True
    if _PRIVATE.search(folded):
        return False
    if _PUBLIC.search(folded):
        return True
    return None


def names_funder(label: str) -> bool:
    """Whether a line reads as financing (a funder, a subsidy, the own share) rather than
    as an expense: used when the plan does not say which side a line is on. The funder
    must open the label ("Région …", "Subvention du Département"): "Éclairage public" or
    "Salle de la commune" are expenses."""
    if is_self_financing(label):
        return True
    folded = fold(label).strip(" -–—•*")
    rest = _FUNDING_LEAD.sub("", folded, count=1)
    if rest != folded:
        return True
    return any(rx.match(rest) for rx in (_PUBLIC_FIRST, _PUBLIC, _PRIVATE_FUNDER))
