"""`ingest_call`: a call notice read, its rules extracted and installed in `calls/` (the
reviewed rules file the inbox checks against), its version recorded in the registry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline.files import atomic_write_text
from pipeline.home import Home
from pipeline.models import CallRules, Document
from pipeline.store import Registry

EXTRACTED_NAME = "regles-extraites.json"


@dataclass
class IngestedCall:
    """What `ingest_call` did. `rules_file`: the rules the inbox uses (`calls/<id>.json`);
    `reviewed`: they are the instructeur's reviewed rules, the extracted ones being kept
    beside the reports for comparison (`extracted_file`); `kept`: manual values kept."""

    call_id: str
    rules_file: Path
    version: int
    reviewed: bool
    extracted_file: Path | None = None
    kept: list[str] = field(default_factory=list)
    rules: CallRules | None = None


@task(name="read_notice", cache_policy=NO_CACHE)
def read_notice(notice: str) -> Document:
    """Read the notice once (PDF, DOCX, TXT, HTML)."""
    from pipeline.documents import read_document

    return read_document(Path(notice))


@task(name="extract_rules", cache_policy=NO_CACHE)
def extract_rules(document: Document) -> CallRules:
    """The call's rules, each with its source in the notice."""
    from extractors.call import extract_call

    return extract_call(document)


@task(name="install_rules", cache_policy=NO_CACHE)
def install_rules(rules: CallRules, home: str | None, reviewed: str | None) -> IngestedCall:
    """Write the rules file the inbox will use and record its version. With `reviewed`
    (a rules file an instructeur checked), that file is installed as it is and the
    extracted rules are kept in `reports/<call_id>/regles-extraites.json`; without it, the
    extracted rules are written, keeping the values already corrected by hand."""
    from pipeline import rulesfile

    data_home = Home.resolve(Path(home) if home else None)
    if reviewed is not None:
        checked = rulesfile.load_rules(Path(reviewed))  # refuse a broken file before copying
        target = data_home.rules_file(checked.call_id)
        atomic_write_text(target, Path(reviewed).read_text(encoding="utf-8"))
        extracted = data_home.reports / checked.call_id / EXTRACTED_NAME
        atomic_write_text(extracted, rules.model_dump_json(indent=2) + "\n")
        outcome = IngestedCall(checked.call_id, target, 0, True, extracted, rules=checked)
    else:
        target = data_home.rules_file(rules.call_id)
        written, kept = rulesfile.write_rules(rules, target)
        outcome = IngestedCall(rules.call_id, target, 0, False, kept=kept, rules=written)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    with Registry(data_home.database_url) as registry:
        outcome.version = registry.record_call(outcome.call_id, digest, str(target))
        registry.event(
            "call_ingested",
            outcome.call_id,
            f"Règles installées dans « calls/{target.name} » (version {outcome.version}"
            + (
                ", règles relues par l'instructeur)."
                if outcome.reviewed
                else ", extraites de l'avis)."
            ),
        )
    return outcome


@flow(name="ingest_call")
def ingest_call(
    notice: str, home: str | None = None, reviewed_rules: str | None = None
) -> IngestedCall:
    """Read the call notice `notice`, extract its rules and install them in the data
    home's `calls/` (the reviewed rules file `reviewed_rules` instead, when given)."""
    document = read_notice(notice)
    rules = extract_rules(document)
    return install_rules(rules, home, reviewed_rules)
