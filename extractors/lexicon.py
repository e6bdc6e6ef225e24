"""French wordings → vocabulary codes (DESIGN §4), shared by the call and dossier extractors.

Each entry is `(pattern_id, regex, codes)`. Regexes run on *folded* text (lowercase,
accents stripped, same length as the original so spans stay true; see `fold`). Longer,
more specific wordings come first: a match masks its span so that "communauté de
communes" does not also count as "communes". The pattern id is kept as provenance.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


# Latin letters with diacritics → base letter, one for one (same length).
_FOLD_TABLE = {code: _fold_char(chr(code)) for code in range(0xC0, 0x250)}


def fold(text: str) -> str:
    """Lowercase, accents stripped, ligatures kept one-for-one: same length as `text`."""
    folded = text.translate(_FOLD_TABLE).lower()
    if len(folded) != len(text):  # a rare letter whose lowercase is longer ("İ")
        return "".join(_fold_char(ch) for ch in text)
    return folded


Entry = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class TermHit:
    pattern: str
    codes: tuple[str, ...]
    start: int
    end: int


def _compile(entries: Sequence[Entry]) -> list[tuple[str, re.Pattern[str], tuple[str, ...]]]:
    return [(pid, re.compile(rx), codes) for pid, rx, codes in entries]


BENEFICIARY_TERMS = _compile(
    [
        # Places and qualifiers, not applicants: masked first, they give no code.
        (
            "of-communes",
            r"\b(?:des|de ces|de leurs|de la|de sa|d'une|dans les|dans leurs) communes?(?: membres?)?\b",
            (),
        ),
        (
            "territory-of",
            r"(?:territoire|perimetre|ressort) (?:de la |de l'|du |des |de )?[\w' -]{0,40}?(?:metropole|communaute|agglomeration|departement|region)\b",
            (),
        ),
        (
            "of-metropole",
            r"\b(?:de|du|sur|dans) (?:la |le )?(?:metropole|departement|region)\b",
            (),
        ),
        ("epci-long", r"etablissements? publics? de cooperation intercommunale", ("epci",)),
        (
            "ct",
            r"collectivites? (?:territoriales?|locales?)(?: et (?:territoriales?|locales?))?",
            ("commune", "departement", "region"),
        ),
        (
            "groupements",
            r"(?:leurs|et leurs|ses|de leurs) groupements|groupements? (?:de collectivites|de communes|intercommunaux)",
            ("epci", "syndicat"),
        ),
        (
            "ccas",
            r"\bccas\b|\bcias\b|centres? (?:communaux|intercommunaux) d'action sociale",
            ("ccas",),
        ),
        (
            "epl",
            r"entreprises? publiques? locales?|societes? d'economie mixte|\bsem\b|\bspl\b|\bsemop\b|societes? publiques? locales?",
            ("sem_spl",),
        ),
        ("gip", r"\bgip\b|groupements? d'interet public", ("gip",)),
        (
            "ep",
            r"(?:leurs )?etablissements? publics?(?: locaux)?",
            ("ccas", "etablissement_public"),
        ),
        (
            "ep-named",
            r"bailleurs? sociaux|offices? publics? de l'habitat|centres? de gestion|offices? de tourisme|centres? hospitaliers?|\behpad\b",
            ("etablissement_public",),
        ),
        (
            "epci",
            r"\bepci\b|intercommunalites?|communautes? (?:de communes|d'agglomeration|urbaines?)|metropoles?",
            ("epci",),
        ),
        (
            "syndicat",
            r"syndicats? (?:mixtes?|de communes|intercommunaux|d'energie|departementaux)|\bpetr\b|poles? d'equilibre territorial",
            ("syndicat",),
        ),
        ("commune", r"\bcommunes?\b", ("commune",)),
        ("departement", r"\bdepartements?\b|conseils? departementaux", ("departement",)),
        ("region", r"\bregions?\b(?! (?:de|d'|des|du)\b)", ("region",)),
        (
            "pme",
            r"\bpme\b|\btpe\b|\beti\b|petites? et moyennes? entreprises?|micro-?entreprises?|tres petites entreprises",
            ("pme",),
        ),
        (
            "chambre",
            r"chambres? (?:consulaires?|de commerce|de metiers|d'agriculture|des metiers)|\bcci\b|\bcma\b",
            ("chambre_consulaire",),
        ),
        (
            "orgpro",
            r"organismes? professionnels?|organisations? professionnelles?|federations? professionnelles?|syndicats? professionnels?",
            ("organisme_professionnel",),
        ),
        (
            "recherche",
            r"organismes? de recherche|universites?|laboratoires? de recherche|etablissements? d'enseignement superieur",
            ("recherche",),
        ),
        (
            "entreprise",
            r"\bentreprises?\b|\bsocietes? commerciales?|\bscic\b|\bscop\b",
            ("entreprise",),
        ),
        ("association", r"\bassociations?\b", ("association",)),
        # "les particuliers", "personnes physiques" — not "en particulier", nor the
        # "collectivités à statut particulier".
        (
            "particulier",
            r"\b(?:les|des|aux|de|et|ou) particuliers\b|\bpersonnes? physiques?",
            ("particulier",),
        ),
        (
            "agriculteur",
            r"agriculteurs?|exploitants? agricoles?|exploitations? agricoles?",
            ("agriculteur",),
        ),
        ("etat", r"services? (?:deconcentres )?de l'etat", ("etat",)),
    ]
)

EXPENSE_TERMS = _compile(
    [
        ("indirect", r"\bcouts? indirects?", ("couts_indirects",)),
        (
            "general",
            r"\bfrais generaux|\bcharges? (?:de (?:la )?structure|fixes)|\bfrais de structure|\bfonctionnement courant|\bfrais de fonctionnement (?:de la structure|courant)|\bfluides\b|\bloyers?\b",
            ("frais_generaux",),
        ),
        (
            "network",
            r"\btres haut debit|\bhaut debit|\bthd\b|connectivite|fibre optique|amenagements? numeriques?|infrastructures? (?:de |des )?(?:reseaux?|telecom\w*)",
            ("infrastructure_reseau",),
        ),
        (
            "works",
            r"\bimmobili\w+|\btravaux|\bgenie civil|\blocaux\b|\bbatiments?\b|\bconstructions?\b|\bacquisitions? foncieres?",
            ("immobilier",),
        ),
        ("furniture", r"\bmobiliers?\b", ("mobilier",)),
        # Fees of external providers, before "staff": "Rémunérations intermédiaires et
        # honoraires" (CERFA 12156, account 62) pays providers, not employees.
        (
            "fees",
            r"\bhonoraires\b|\bremunerations? intermediaires|\bmaitrise d'(?:oe|\u0153)uvre",
            ("prestation",),
        ),
        (
            "staff",
            r"\bpersonnel|\bsalaires?\b|\bremunerations?\b|\bcharges? (?:sociales|salariales)|\bmasse salariale|\bfrais de deplacement|\banimateurs?\b|\brecrutement\b|\bpostes? de (?:charge|chef|coordinat)",
            ("personnel",),
        ),
        (
            "hosting",
            r"\bhebergement|\bmaintenance|\bstockage|\binfogerance",
            ("hebergement_maintenance",),
        ),
        ("subscription", r"\babonnements?\b|\blicences? annuelles?", ("abonnement",)),
        ("communication", r"\bcommunication|\bpublicite|\bpromotion\b", ("communication",)),
        ("training", r"\bformations?\b", ("formation",)),
        (
            "software",
            r"\blogiciels?\b|\bimmateriel|\bapplications? (?:metier|mobile)|\blicences?\b|\bprogiciels?\b",
            ("logiciel",),
        ),
        (
            "hardware",
            r"\bmateriels?\b|\bequipements?\b|\bterminaux\b|\bordinateurs?\b|\btablettes?\b|\bserveurs?\b|\bcapteurs?\b|\bobjets? connectes?|\bbornes?\b",
            ("materiel",),
        ),
        # Wordings of dossiers' plans. The dossier's budget reader takes the leftmost hit
        # (the head of the noun phrase): "Paramétrage du logiciel" is a service.
        (
            "hardware-plan",
            r"\bpostes? (?:de travail|informatiques?|d'accueil|de numerisation)|\bportables?\b|\breconditionne|\bfournitures\b|\bscanners?\b|\bimprimantes?\b|\becrans?\b|\bkiosques?\b|\bcasques?\b|\bvideoprojecteurs?\b|\boutillage|\bpasserelles?\b|\brouteurs?\b|\bcommutateurs?\b|\bonduleurs?\b|\bbaies? (?:de stockage|informatiques?|serveurs?)|\bbalises?\b|\bfournitures? et pose|\bcameras?\b|\bsmartphones?\b|\btelephones? (?:portables?|mobiles?)|\bantennes?\b",
            ("materiel",),
        ),
        (
            "software-plan",
            r"\bmodules?\b(?! de formation)|\bplateformes?\b|\bportails?\b|\bintranet|\bextranet|\bsites? (?:internet|web)\b|\bsaas\b",
            ("logiciel",),
        ),
        (
            "service-plan",
            r"\bparametrage|\bintegrations?\b|\binterfacage|\bmigrations?\b|\bdeploiement|\breprise des donnees|\baudits?\b|\bnumerisation|\bconduite du changement|\baccompagnement au changement|\bassistance technique|\bacquisitions? de donnees|\bconception\b|\btests? (?:utilisateurs?|d'usage|de charge)|\bergonom\w*|\brecette\b|\bdesign\b",
            ("prestation",),
        ),
        (
            "communication-plan",
            r"\bcampagnes? d'information|\bsignaletique|\bsupports? de communication|\bplaquettes?\b|\baffiches?\b|\bflyers?\b",
            ("communication",),
        ),
        (
            "service",
            r"\bprestations?\b|\betudes?\b|\bdeveloppements?\b|\bassistance a maitrise d'ouvrage|\bamo\b|\bconseil\b|\bingenierie|\baccompagnement externe|\bintervenants?\b|\bmaitrise d'oeuvre",
            ("prestation",),
        ),
    ]
)

PIECE_TERMS = _compile(
    [
        (
            "nr",
            r"numerique responsable|sobriete numerique|eco-?conception|green ?it|bilan carbone",
            ("note_numerique_responsable",),
        ),
        (
            "rgpd",
            r"protection des donnees|donnees personnelles|\brgpd\b|reglement general sur la protection",
            ("note_protection_donnees",),
        ),
        (
            "non-start",
            r"non[- ]commencement|attestation de non demarrage",
            ("attestation_non_commencement",),
        ),
        (
            "honour",
            r"attestation sur l'honneur|declaration sur l'honneur",
            ("attestation_honneur",),
        ),
        (
            "deliberation",
            r"deliberation|decision de l'organe (?:deliberant|competent)|extrait du registre",
            ("deliberation",),
        ),
        ("plan", r"plan de financement", ("plan_financement",)),
        ("budget", r"budget previsionnel|budget detaille", ("budget_previsionnel",)),
        ("quotes", r"\bdevis\b|estimations? chiffrees?", ("devis",)),
        ("rib", r"\brib\b|releve d'identite bancaire|coordonnees bancaires", ("rib",)),
        ("statuts", r"\bstatuts\b", ("statuts",)),
        (
            "officers",
            r"liste des (?:dirigeants|membres du (?:bureau|conseil d'administration))|composition du (?:bureau|conseil d'administration)",
            ("liste_dirigeants",),
        ),
        ("kbis", r"k-?bis|extrait d'immatriculation", ("kbis",)),
        ("timeline", r"\bcalendrier|\bplanning|\bretroplanning|\becheancier", ("calendrier",)),
        (
            "partners",
            r"lettres? d'(?:intention|engagement|soutien) (?:des |de )?partenaires|lettres? d'intention|lettres? de soutien",
            ("lettre_intention",),
        ),
        (
            "description",
            r"\bnote (?:descriptive|de presentation|explicative|technique)|\bnotice (?:descriptive|explicative|de presentation)|\bdescriptif (?:detaille )?du projet|\bpresentation (?:detaillee )?du projet|\bmemoire technique|\bannexe technique|\bfiche (?:projet|action|de presentation)",
            ("note_descriptive",),
        ),
        (
            "form",
            r"\bformulaire|\b(?:lettre|courrier) de (?:demande|candidature|sollicitation)|\bdemande (?:d'aide|de subvention|de financement)(?: \w+){0,4} signee|\bdemande signee|\bdossier de (?:candidature|demande)|\bcerfa\b",
            ("formulaire",),
        ),
    ]
)


def find_terms(
    text: str, entries: Iterable[tuple[str, re.Pattern[str], tuple[str, ...]]]
) -> list[TermHit]:
    """All term hits in `text`, earlier entries masking later overlapping ones."""
    folded = fold(text)
    taken: list[tuple[int, int]] = []
    hits: list[TermHit] = []
    for pid, rx, codes in entries:
        for m in rx.finditer(folded):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            hits.append(TermHit(pid, codes, m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


_FUNDER_BEFORE = re.compile(r"\b(?:avec|par|aupres|du|au|a la|de la)\s+(?:le |la )?$")
_FUNDER_ACTS = re.compile(
    r"\s+(?:\w+\s+){0,2}?(?:attribue|accorde|finance|intervient|soutient|verse|apporte|peut|pourra|prend|participe|subventionne|lance|ouvre|a\b|est\b)"
)


def _names_funder(folded: str, hit: TermHit) -> bool:
    """ "avec le Département", "Le Département attribuera…": the funder, not an applicant."""
    before = folded[: hit.start]
    if _FUNDER_BEFORE.search(before):
        return True
    singular = re.search(r"\b(?:le|la)\s*$", before) and not folded[hit.start : hit.end].endswith(
        "s"
    )
    return bool(singular and _FUNDER_ACTS.match(folded, hit.end))


def applicant_codes(text: str) -> list[str]:
    """Beneficiary codes naming applicants, leaving out the funder itself: "Le Département
    attribuera…", "une convention avec le Département" name who pays, not who applies."""
    folded = fold(text)
    codes: list[str] = []
    for hit in find_terms(text, BENEFICIARY_TERMS):
        if hit.pattern in {"departement", "region"} and _names_funder(folded, hit):
            continue
        codes.extend(c for c in hit.codes if c not in codes)
    # "entreprises … (PME au sens européen, y compris SCOP)": the qualified family only.
    if (
        "pme" in codes
        and "entreprise" in codes
        and re.search(r"entreprises?[^.;]{0,80}\([^)]*\b(?:pme|tpe)\b", folded)
    ):
        codes.remove("entreprise")
    return codes


def tax_basis(folded: str) -> str | None:
    """HT or TTC said in `folded` text; both said ("TTC pour les porteurs ne récupérant
    pas la TVA, HT sinon") is a condition the contract cannot hold: None."""
    ttc = re.search(r"\bttc\b|toutes taxes", folded)
    ht = re.search(r"\bht\b|hors tax", folded)
    if ttc and ht:
        return None
    return "ttc" if ttc else "ht" if ht else None
