"""`aap demo` (what `make demo` runs): the service on the bundled samples, end to end.

A fresh data home; the three seed calls ingested (`ingest_call` flow: each notice read and
its rules extracted, then the rules an instructeur reviewed, `fixtures/dossiers/<call>/
rules.json`, installed in `calls/`); the sample dossiers dropped into the inbox, dated the
day they arrived; one sweep (`sweep_inbox` flow) and one nightly run
(`nightly_completeness` flow); then where the notes and the tracking tables are.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.home import Home

REPO = Path(__file__).resolve().parents[1]
SEED_CALLS = ("loire-connect-2023", "pdl-innovation-numerique", "bfc-feder-e-gouvernement")
MARKER = ".aap-demo"


class DemoError(Exception):
    """The demo cannot run here, with a French message and what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message} {hint}")
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Sample:
    """One sample dossier: its call folder, case, input and arrival date."""

    folder: str
    case: str
    source: Path
    received_on: dt.date


def run(root: Path, console: Console, *, workers: int = 2) -> None:
    """The whole demo in the data home `root` (created afresh; a folder that holds
    anything but a previous demo is refused, never emptied)."""
    from flows import runtime

    home = fresh_home(root)
    setup = runtime.configure(home)
    with console.status("Démarrage de Prefect (premier démarrage : base de Prefect créée)…"):
        runtime.warm(home)
    console.print(
        f"Prefect prêt en {setup.warm_seconds:.1f} s — mode {setup.label}, état dans "
        f"{setup.prefect_home}"
    )
    ingest_calls(home, console)
    samples = drop_samples(home, console)
    today = dt.datetime.now(dt.UTC).astimezone(_paris()).date()
    sweep_samples(home, console, today, workers)
    tables = nightly_run(home, console, today)
    summary(home, console, samples, tables)


def fresh_home(root: Path) -> Home:
    """An empty data home at `root`, marked as the demo's (so that the next demo may empty
    it again, and nothing else ever is)."""
    root = Path(root).expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).is_file():
            raise DemoError(
                f"Le dossier « {root} » contient déjà des données qui ne viennent pas de la "
                "démonstration : la démonstration ne les efface pas.",
                "Choisissez un autre dossier avec --home (par exemple --home aap-demo), ou "
                "videz celui-ci vous-même si son contenu peut être perdu.",
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(
        "Dossier de démonstration (aap demo) : vidé à chaque démonstration.\n", encoding="utf-8"
    )
    return Home.resolve(root, env={})


def ingest_calls(home: Home, console: Console) -> None:
    """The `ingest_call` flow on each seed notice, with its reviewed rules."""
    from flows.calls import ingest_call

    table = Table(title="Appels à projets", show_lines=False)
    for column in ("Appel", "Titre", "Avis lu", "Règles utilisées (relues)", "Version"):
        table.add_column(column)
    with console.status("Lecture des avis d'appel à projets…") as status:
        for case in SEED_CALLS:
            notice = next((REPO / "fixtures" / "calls" / case).glob("notice.*"))
            reviewed = REPO / "fixtures" / "dossiers" / case / "rules.json"
            status.update(f"Lecture de {notice.relative_to(REPO)}")
            done = ingest_call(str(notice), str(home.root), str(reviewed))
            title = done.rules.title.value if done.rules is not None else None
            table.add_row(
                done.call_id,
                title or "—",
                str(notice.relative_to(REPO)),
                str(done.rules_file.relative_to(home.root)),
                str(done.version),
            )
    console.print(table)
    console.print(
        "Chaque avis a été lu et ses règles extraites (gardées pour comparaison dans "
        "reports/<appel>/regles-extraites.json) ; les règles utilisées sont les [bold]règles "
        "relues[/] par un instructeur (fixtures/dossiers/<appel>/rules.json), installées dans "
        f"{home.calls}."
    )


def samples() -> list[Sample]:
    """The bundled sample dossiers with their arrival dates (fixtures/dossiers/)."""
    out = []
    for spec_path in sorted((REPO / "fixtures" / "dossiers").glob("*/*/expected.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        out.append(
            Sample(
                folder=spec_path.parent.parent.name,
                case=spec_path.parent.name,
                source=spec_path.parent / spec["input"],
                received_on=dt.date.fromisoformat(spec["received_on"]),
            )
        )
    return out


def drop_samples(home: Home, console: Console) -> list[Sample]:
    """Copy every sample dossier into `inbox/<call_id>/`, its files dated the day it
    arrived at noon (the arrival date the sweep retains, as for a real drop)."""
    found = samples()
    for sample in found:
        call_id = _call_id(sample.folder)
        source = sample.source
        name = sample.case if source.is_dir() else sample.case + source.suffix
        target = home.inbox / call_id / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
        noon = dt.datetime.combine(sample.received_on, dt.time(12)).timestamp()
        for item in [target, *target.rglob("*")] if target.is_dir() else [target]:
            if item.is_file():
                os.utime(item, (noon, noon))
    console.print(
        f"{len(found)} dossier(s) d'exemple déposé(s) dans {home.inbox}/<appel>/ "
        "(dossiers, archives .zip, PDF regroupés)."
    )
    return found


def sweep_samples(home: Home, console: Console, today: dt.date, workers: int) -> None:
    """One pass of the `sweep_inbox` flow, with a progress bar."""
    from flows.inbox import progress_to, sweep_inbox
    from pipeline.cli import print_sweep, progress_bar

    started = time.perf_counter()
    with progress_bar(before=workers <= 1) as progress, progress_to(progress):
        report = sweep_inbox(str(home.root), today.isoformat(), workers, 5.0)
    console.rule("Passage sur la boîte de dépôt")
    console.print(
        f"{report.summary()} ({time.perf_counter() - started:.0f} s, {workers} processus)"
    )
    if report.failed or report.duplicates or report.unknown_call:
        print_sweep(report, home)


def nightly_run(home: Home, console: Console, today: dt.date) -> list[Path]:
    """One run of the `nightly_completeness` flow: nothing to read again, the tables."""
    from flows.nightly import nightly_completeness

    with console.status("Suivi nocturne…"):
        report = nightly_completeness(str(home.root), today.isoformat())
    console.rule("Suivi nocturne")
    console.print(report.summary())
    return [table.csv for table in report.tables]


def summary(home: Home, console: Console, found: list[Sample], tables: list[Path]) -> None:
    """The verdicts, then where everything is."""
    from pipeline.nightly import ELIGIBLE_LABELS
    from pipeline.render import euros
    from pipeline.store import Registry

    with Registry(home.database_url) as registry:
        rows = registry.dossiers()
    table = Table(title="Dossiers d'exemple vérifiés", show_lines=False)
    for column in ("Appel", "Dossier", "Demandeur", "Complet", "Éligible", "Aide proposée"):
        table.add_column(column)
    for row in rows:
        summary_ = row.summary or {}
        aid = summary_.get("proposed_aid_eur")
        table.add_row(
            row.call_id,
            row.name,
            row.applicant or "—",
            "oui" if summary_.get("complete") else "non",
            ELIGIBLE_LABELS.get(str(summary_.get("eligible")), "—"),
            euros(_decimal(aid)) if aid is not None else "—",
        )
    console.print(table)
    console.rule("Où sont les résultats")
    console.print(
        f"{len(rows)} dossier(s) sur {len(found)} vérifié(s) contre les règles relues de leur "
        "appel."
    )
    console.print(
        f"• Notes d'instruction (DOCX et Markdown), résultats JSON et demandes de pièces : "
        f"[bold]{home.reports}/<appel>/<dossier>/[/]"
    )
    console.print("• Tableaux de suivi (CSV pour Excel, et Markdown) :")
    for path in tables:
        console.print(f"    {path}")
    console.print(
        f"• Originaux archivés : {home.archive} ; registre : {home.database_url}\n"
        "« aap inbox status --home "
        f"{home.root} » affiche l'état des dossiers ; « aap serve --home {home.root} » "
        "surveille la boîte de dépôt."
    )


def _call_id(folder: str) -> str:
    rules = REPO / "fixtures" / "dossiers" / folder / "rules.json"
    return str(json.loads(rules.read_text(encoding="utf-8"))["call_id"])


def _paris() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))
