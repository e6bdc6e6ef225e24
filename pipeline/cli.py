"""`aap`: the command line of the instruction pipeline (French for users, English code)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline import rulesfile
from pipeline.errors import DocumentError
from pipeline.models import CallRules, CheckResult, DossierExtraction

if TYPE_CHECKING:
    from pipeline.home import Home
    from pipeline.inbox import SweepReport
    from pipeline.nightly import NightlyReport
    from pipeline.store import DossierRow

app = typer.Typer(
    help=(
        "Instruction des demandes de subvention : lecture des appels à projets, "
        "vérification des dossiers, notes d'instruction pré-remplies.\n\n"
        "Instruction of grant applications (French public funding)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
call_app = typer.Typer(
    help="Appels à projets : extraire, afficher, exporter les règles.", no_args_is_help=True
)
schema_app = typer.Typer(
    help="Schémas JSON des contrats (règles d'un appel, résultat d'un dossier).",
    no_args_is_help=True,
)
dossier_app = typer.Typer(
    help="Dossiers de demande : lire les pièces et les faits qu'elles contiennent.",
    no_args_is_help=True,
)
inbox_app = typer.Typer(
    help="Boîte de dépôt surveillée : passage, état des dossiers, reprise des échecs.",
    no_args_is_help=True,
)
app.add_typer(call_app, name="call")
app.add_typer(dossier_app, name="dossier")
app.add_typer(inbox_app, name="inbox")
app.add_typer(schema_app, name="schema")

out = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT = 2


def fail(message: str, hint: str | None = None) -> typer.Exit:
    err.print(f"[bold red]Erreur :[/] {message}")
    if hint:
        err.print(f"[yellow]Que faire :[/] {hint}")
    return typer.Exit(EXIT_BAD_INPUT)


# --------------------------------------------------------------------------- call


@call_app.command("extract")
def call_extract(
    notice: Annotated[
        Path, typer.Argument(help="Avis d'appel à projets (PDF, DOCX, TXT, HTML).", metavar="AVIS")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON (contrat CallRules).")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Écrire le fichier de règles relisible (JSON)."),
    ] = None,
) -> None:
    """Lire un avis d'appel à projets et en extraire les règles, chacune avec sa source."""
    from extractors.call import extract_call
    from pipeline.documents import read_document

    try:
        doc = read_document(notice)
    except DocumentError as exc:
        raise fail(exc.message, exc.hint) from None
    rules = extract_call(doc)
    if output is not None:
        try:
            rules, kept = rulesfile.write_rules(rules, output)
        except rulesfile.RulesFileError as exc:
            raise fail(exc.message, exc.hint) from None
        if kept:
            err.print(f"[green]Valeurs corrigées à la main conservées :[/] {', '.join(kept)}")
        err.print(f"[green]Règles écrites dans[/] {output}")
    if as_json:
        sys.stdout.write(rules.model_dump_json(indent=2) + "\n")
    else:
        print_rules(rules)


@call_app.command("show")
def call_show(
    rules_file: Annotated[
        Path,
        typer.Argument(help="Fichier de règles (écrit par « aap call extract -o » ou à la main)."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Afficher un fichier de règles avec la source de chaque valeur."""
    rules = _load_rules(rules_file)
    if as_json:
        sys.stdout.write(rules.model_dump_json(indent=2) + "\n")
    else:
        print_rules(rules)


@call_app.command("export-dispositif")
def call_export_dispositif(
    rules_file: Annotated[Path, typer.Argument(help="Fichier de règles.", metavar="REGLES")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Fichier CSV à écrire (sinon : sortie standard)."),
    ] = None,
    schema: Annotated[
        str,
        typer.Option(
            "--schema",
            help="Version du schéma : 0.0.2 (colonnes id_aide, nom_aide… du contrat, par défaut) "
            "ou 0.2.0 (version actuelle publiée).",
        ),
    ] = "0.0.2",
) -> None:
    """Exporter les règles au format national « schéma dispositif-aide » (etalab)."""
    from pipeline import dispositif
    from pipeline.files import OutputError

    rules = _load_rules(rules_file)
    try:
        version = dispositif.schema_key(schema)
    except ValueError as exc:
        raise fail(str(exc), "Choisissez --schema 0.0.2 ou --schema 0.2.0.") from None
    row = dispositif.to_row(rules, schema=version)
    for problem in dispositif.validate_row(row, schema=version):
        err.print(f"[yellow]Attention :[/] {problem}")
    if output is None:
        sys.stdout.write(dispositif.csv_text([row], schema=version))
        return
    try:
        dispositif.write_csv([row], output, schema=version)
    except OutputError as exc:
        raise fail(exc.message, exc.hint) from None
    err.print(f"[green]Ligne « dispositif-aide » (schéma {version}) écrite dans[/] {output}")


def _load_rules(path: Path) -> CallRules:
    try:
        return rulesfile.load_rules(path)
    except rulesfile.RulesFileError as exc:
        raise fail(exc.message, exc.hint) from None


# --------------------------------------------------------------------------- dossier


DossierPath = Annotated[
    Path,
    typer.Argument(
        help="Dossier : un répertoire, une archive .zip ou un PDF regroupant les pièces.",
        metavar="DOSSIER",
    ),
]


def _existing_dossier(path: Path) -> None:
    if not path.exists():
        raise fail(
            f"Le dossier « {path} » est introuvable.",
            "Vérifiez le chemin (un répertoire, une archive .zip ou un PDF).",
        )


@dossier_app.command("extract")
def dossier_extract(
    path: DossierPath,
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON (pièces et faits, avec leurs sources).")
    ] = False,
    received: Annotated[
        str | None,
        typer.Option(
            "--received",
            help="Date d'arrivée du dossier (AAAA-MM-JJ), retenue comme date de dépôt "
            "seulement si la demande signée n'est pas datée (jamais devinée).",
            metavar="AAAA-MM-JJ",
        ),
    ] = None,
) -> None:
    """Lire un dossier : reconnaître chaque pièce et en extraire les faits, chacun avec sa source."""
    from extractors.dossier.extract import extract_dossier

    _existing_dossier(path)
    received_on = _date_option(received, "--received") if received else None
    from extractors.dossier.extract import DossierUnreadable

    try:
        with err.status("Lecture du dossier…") as status:
            result = extract_dossier(path, received_on, progress=lambda msg: status.update(msg))
    except DossierUnreadable as exc:
        raise fail(exc.message, exc.hint) from None
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        print_dossier(result)


@dossier_app.command("check")
def dossier_check(
    path: DossierPath,
    call: Annotated[
        Path,
        typer.Option(
            "--call",
            help="Fichier de règles de l'appel (écrit par « aap call extract -o », relu, ou écrit "
            "à la main).",
            metavar="REGLES.json",
        ),
    ],
    today: Annotated[
        str | None,
        typer.Option("--today", help="Date de référence (AAAA-MM-JJ), par défaut aujourd'hui."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON (résultat complet, DESIGN §3).")
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Dossier où écrire la note d'instruction, son résumé JSON et, si le dossier "
            "est incomplet, la demande de pièces (par défaut ./rapports/<dossier>/).",
        ),
    ] = None,
    corrections: Annotated[
        Path | None,
        typer.Option(
            "--corrections",
            help="Fichier de corrections (YAML ou JSON : fait → valeur). Par défaut le "
            "corrections.yaml du dossier s'il existe.",
        ),
    ] = None,
    received: Annotated[
        str | None,
        typer.Option(
            "--received",
            help="Date d'arrivée du dossier (AAAA-MM-JJ), retenue comme date de dépôt si la "
            "demande n'est pas datée.",
            metavar="AAAA-MM-JJ",
        ),
    ] = None,
    delay: Annotated[
        int,
        typer.Option("--delai", help="Délai de réponse de la demande de pièces, en jours ouvrés."),
    ] = 10,
) -> None:
    """Vérifier un dossier : complétude, éligibilité, aide proposée, note d'instruction pré-remplie."""
    from extractors.dossier.extract import DossierUnreadable
    from pipeline.corrections import CorrectionsError
    from pipeline.dossier_check import check_dossier
    from pipeline.files import OutputError
    from pipeline.report import write_reports

    _existing_dossier(path)
    rules = _load_rules(call)
    reference = _date_option(today, "--today") if today else date.today()
    received_on = _date_option(received, "--received") if received else None
    try:
        with err.status("Lecture et vérification du dossier…") as status:
            checked = check_dossier(
                path,
                rules,
                today=reference,
                received_on=received_on,
                corrections_file=corrections,
                progress=lambda msg: status.update(msg),
            )
    except CorrectionsError as exc:
        raise fail(str(exc), "Corrigez le fichier de corrections puis relancez.") from None
    except DossierUnreadable as exc:
        raise fail(exc.message, exc.hint) from None
    if not checked.readable:
        raise fail(
            f"Aucune pièce du dossier « {path} » n'a pu être lue.",
            "Voir les erreurs ci-dessus pour chaque fichier ; redemandez des pièces lisibles.",
        )
    target = out_dir or Path("rapports") / checked.result.dossier_id
    try:
        written = write_reports(
            checked.result,
            rules,
            checked.corrections,
            target,
            on=reference,
            delay_days=delay,
            dossier_path=path,
        )
    except OutputError as exc:
        raise fail(exc.message, exc.hint) from None
    if as_json:
        sys.stdout.write(checked.result.model_dump_json(indent=2) + "\n")
    else:
        print_findings(checked.result)
    for item in written:
        err.print(f"[green]Écrit :[/] {item}")


def _date_option(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(
            f"Date {option} « {value} » illisible.", "Écrivez-la sous la forme AAAA-MM-JJ."
        ) from None


# --------------------------------------------------------------------------- schema


@schema_app.command("call")
def schema_call() -> None:
    """Schéma JSON des règles d'un appel (CallRules)."""
    sys.stdout.write(
        json.dumps(CallRules.model_json_schema(mode="serialization"), indent=2, ensure_ascii=False)
        + "\n"
    )


@schema_app.command("dossier")
def schema_dossier() -> None:
    """Schéma JSON du résultat de vérification d'un dossier."""
    sys.stdout.write(
        json.dumps(
            CheckResult.model_json_schema(mode="serialization"), indent=2, ensure_ascii=False
        )
        + "\n"
    )


# --------------------------------------------------------------------------- inbox, nightly, serve

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Dossier de données (sinon AAP_HOME, sinon ./aap-data)."),
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers", min=1, help="Processus de vérification en parallèle (un par cœur au plus)."
    ),
]
QuietOption = Annotated[
    float,
    typer.Option(
        "--quiet-seconds",
        min=0,
        help="Un fichier n'est pris qu'après ce délai sans changement (taille et date).",
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today", help="Date des notes (AAAA-MM-JJ), par défaut aujourd'hui (heure de Paris)."
    ),
]
NoPrefectOption = Annotated[
    bool,
    typer.Option(
        "--no-prefect",
        help="Sans Prefect : le même travail, directement (pas de démarrage de Prefect, "
        "pas de trace dans l'interface Prefect).",
    ),
]

_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (.*)$")


def _data_home(home: Path | None) -> Home:
    from pipeline.home import Home, HomeError

    try:
        return Home.resolve(home)
    except HomeError as exc:
        raise fail(exc.message, exc.hint) from None


def _paris_today(today: str | None) -> date:
    if today:
        return _date_option(today, "--today")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Paris")).date()


def _warm_prefect(data_home: Home) -> None:
    """Start Prefect once, in this process, before any worker (see flows.runtime)."""
    from flows import runtime

    setup = runtime.configure(data_home)
    try:
        with err.status(f"Démarrage de Prefect (mode {setup.label})…"):
            runtime.warm(data_home)
    except runtime.PrefectUnavailable as exc:
        raise fail(exc.message, exc.hint) from None
    err.print(
        f"[dim]Prefect prêt en {setup.warm_seconds:.1f} s — mode {setup.label}, {setup.api_url}[/]"
    )


@contextmanager
def progress_bar(*, before: bool) -> Iterator[Callable[[str], None]]:
    """A rich progress bar fed by the sweep's "[n/total] dossier" messages (`before`:
    the message announces the dossier about to be checked, not one finished)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("Boîte de dépôt…", total=None)

        def update(message: str) -> None:
            found = _PROGRESS.match(message)
            if found is None:
                bar.update(task, description=_escape(message))
                return
            number, total = int(found.group(1)), int(found.group(2))
            bar.update(
                task,
                total=total,
                completed=number - 1 if before else number,
                description=_escape(found.group(3)),
            )

        yield update


def _run_sweep(
    data_home: Home, day: date, workers: int, quiet_seconds: float, no_prefect: bool
) -> SweepReport:
    from pipeline.store import RegistryError

    try:
        if no_prefect:
            from pipeline.inbox import sweep

            with progress_bar(before=workers <= 1) as progress:
                return sweep(
                    data_home,
                    today=day,
                    quiet_seconds=quiet_seconds,
                    workers=workers,
                    progress=progress,
                )
        _warm_prefect(data_home)
        from flows.inbox import progress_to, sweep_inbox

        with progress_bar(before=workers <= 1) as progress, progress_to(progress):
            return sweep_inbox(str(data_home.root), day.isoformat(), workers, quiet_seconds)
    except RegistryError as exc:
        raise fail(exc.message, exc.hint) from None


@inbox_app.command("sweep")
def inbox_sweep(
    home: HomeOption = None,
    workers: WorkersOption = 1,
    quiet_seconds: QuietOption = 5.0,
    today: TodayOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Un passage sur la boîte de dépôt : chaque dossier nouveau ou modifié vérifié une fois.

    Seuls les dossiers stables sont pris ; leur note est écrite dans reports/<appel>/<dossier>/.
    Rien n'est jamais modifié dans la boîte de dépôt."""
    data_home = _data_home(home)
    report = _run_sweep(data_home, _paris_today(today), workers, quiet_seconds, no_prefect)
    print_sweep(report, data_home)


@inbox_app.command("status")
def inbox_status(
    home: HomeOption = None,
    call: Annotated[
        str | None, typer.Option("--call", help="Seulement les dossiers de cet appel.")
    ] = None,
) -> None:
    """Tableau des dossiers : appel, état, complet, éligible, aide proposée, dernier contrôle."""
    from pipeline.store import Registry, RegistryError

    data_home = _data_home(home)
    try:
        with Registry(data_home.database_url) as registry:
            rows = registry.dossiers(call_id=call)
    except RegistryError as exc:
        raise fail(exc.message, exc.hint) from None
    print_status(rows, data_home)


@inbox_app.command("retry")
def inbox_retry(
    home: HomeOption = None,
    workers: WorkersOption = 1,
    quiet_seconds: QuietOption = 5.0,
    today: TodayOption = None,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Reprendre les dossiers en échec : remis à vérifier, puis un passage aussitôt.

    À lancer après correction d'un fichier, d'un fichier de règles ou du programme."""
    from pipeline.inbox import retry_failed
    from pipeline.store import RegistryError

    data_home = _data_home(home)
    try:
        keys = retry_failed(data_home)
    except RegistryError as exc:
        raise fail(exc.message, exc.hint) from None
    if not keys:
        err.print("Aucun dossier en échec : rien à reprendre.")
        return
    err.print(f"{len(keys)} dossier(s) remis à vérifier : {', '.join(keys)}")
    report = _run_sweep(data_home, _paris_today(today), workers, quiet_seconds, no_prefect)
    print_sweep(report, data_home)


@app.command("nightly")
def nightly_command(
    home: HomeOption = None,
    today: TodayOption = None,
    workers: WorkersOption = 1,
    quiet_seconds: QuietOption = 5.0,
    no_prefect: NoPrefectOption = False,
) -> None:
    """Suivi nocturne : dossiers ouverts mis à jour, tableau de suivi par appel.

    Seul ce qui a changé est relu. Écrit reports/<appel>/suivi-<date>.csv (Excel) et .md,
    avec la liste de ce qui a changé depuis la veille."""
    from pipeline.store import RegistryError

    data_home = _data_home(home)
    day = _paris_today(today)
    try:
        if no_prefect:
            from pipeline.nightly import nightly

            with progress_bar(before=workers <= 1) as progress:
                report = nightly(
                    data_home,
                    today=day,
                    quiet_seconds=quiet_seconds,
                    workers=workers,
                    progress=progress,
                )
        else:
            _warm_prefect(data_home)
            from flows.inbox import progress_to
            from flows.nightly import nightly_completeness

            with progress_bar(before=workers <= 1) as progress, progress_to(progress):
                report = nightly_completeness(
                    str(data_home.root), day.isoformat(), workers, quiet_seconds
                )
    except RegistryError as exc:
        raise fail(exc.message, exc.hint) from None
    print_nightly(report, data_home)


@app.command("serve")
def serve_command(
    home: HomeOption = None,
    poll: Annotated[
        float,
        typer.Option("--poll", min=1, help="Intervalle entre deux examens de la boîte (s)."),
    ] = 5.0,
    cron: Annotated[
        str,
        typer.Option("--cron", help="Heure du suivi nocturne, expression cron à l'heure de Paris."),
    ] = "0 2 * * *",
    workers: WorkersOption = 1,
    quiet_seconds: QuietOption = 5.0,
    work_pool: Annotated[
        str | None,
        typer.Option(
            "--work-pool",
            help="Mode serveur seulement : enregistrer les déploiements sur ce work pool "
            "(type process) au lieu de les exécuter ici ; « prefect worker start --pool "
            "NOM » sur chaque machine exécute ensuite les passages.",
        ),
    ] = None,
) -> None:
    """Service : boîte de dépôt surveillée et suivi nocturne (Prefect).

    La boîte est examinée toutes les --poll secondes, le suivi nocturne a lieu à l'heure
    --cron (heure de Paris). Sans PREFECT_API_URL : mode intégré, boucle dans ce processus.
    Avec PREFECT_API_URL : déploiements enregistrés sur le serveur Prefect."""
    import datetime as dt
    import signal
    import threading

    from flows import runtime
    from flows.serve import (
        LoopOptions,
        data_home_note,
        deploy_to_pool,
        next_nightly,
        run_embedded,
        serve_deployments,
    )

    data_home = _data_home(home)
    options = LoopOptions(poll=poll, cron=cron, workers=workers, quiet_seconds=quiet_seconds)
    try:
        next_nightly(cron, dt.datetime.now(dt.UTC))
    except ValueError as exc:
        raise fail(str(exc)) from None
    chosen = runtime.mode()
    if chosen == runtime.SERVER:
        runtime.configure(data_home)
        err.print(data_home_note(data_home))
        if work_pool is not None:
            _warm_prefect(data_home)
            ids = deploy_to_pool(data_home, options, work_pool)
            err.print(
                f"[green]{len(ids)} déploiement(s) enregistré(s) sur le work pool "
                f"« {work_pool} ».[/] Lancez « prefect worker start --pool {work_pool} » sur "
                "chaque machine qui doit exécuter les passages."
            )
            return
        _warm_prefect(data_home)
        err.print(
            "Déploiements « sweep_inbox/boite-de-depot » (toutes les "
            f"{poll:g} s) et « nightly_completeness/suivi-nocturne » ({cron}, heure de "
            "Paris) servis depuis cette machine. Ctrl+C pour arrêter."
        )
        serve_deployments(data_home, options)
        return
    if work_pool is not None:
        raise fail(
            "--work-pool demande un serveur Prefect.",
            "Définissez PREFECT_API_URL (adresse du serveur Prefect), ou retirez --work-pool "
            "pour le mode intégré.",
        )
    _warm_prefect(data_home)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    err.print(
        f"Mode intégré : boîte de dépôt « {data_home.inbox} » examinée toutes les {poll:g} s. "
        "Ctrl+C pour arrêter."
    )

    def say(message: str) -> None:
        from datetime import datetime

        err.print(f"[dim]{datetime.now().strftime('%H:%M:%S')}[/] {_escape(message)}")

    try:
        run_embedded(data_home, options, stop=stop, say=say)
    except KeyboardInterrupt:
        stop.set()
    err.print("Service arrêté.")


def print_sweep(report: SweepReport, data_home: Home) -> None:
    """The sweep's result in French: the summary, then what needs the instructeur."""
    from pipeline.inbox import failed_dir

    style = "yellow" if report.busy or report.failed else "green"
    out.print(f"[{style}]{_escape(report.summary())}[/]")
    for key in report.checked:
        out.print(f"  • vérifié : {_escape(key)}")
    for key, code in report.failed.items():
        call_id, _, name = key.partition("/")
        out.print(
            f"  • [red]en échec[/] ({code}) : {_escape(key)} — détail dans "
            f"{failed_dir(data_home, call_id, name)}"
        )
    for key, original in report.duplicates.items():
        out.print(f"  • en double : {_escape(key)} (même contenu que {_escape(original)})")
    for key in report.unknown_call:
        out.print(f"  • [red]appel inconnu[/] : {_escape(key)} (voir « aap inbox status »)")
    for key, names in report.waiting.items():
        out.print(f"  • en cours de dépôt : {_escape(key)} ({_escape(', '.join(names[:3]))})")
    if report.checked:
        out.print(f"Notes d'instruction : {data_home.reports}/<appel>/<dossier>/")


STATE_STYLES = {"checked": "green", "received": "cyan", "failed": "red", "closed": "dim"}


def print_status(rows: list[DossierRow], data_home: Home) -> None:
    """The registry's dossiers as a table (the verdicts of their last check)."""
    from pipeline.nightly import ELIGIBLE_LABELS, STATE_LABELS
    from pipeline.render import euros

    table = Table(title=f"Dossiers de la boîte de dépôt ({data_home.root})")
    for column in (
        "Dossier",
        "Appel",
        "État",
        "Complet",
        "Éligible",
        "Aide proposée",
        "Dernier contrôle",
    ):
        table.add_column(column, justify="right" if column == "Aide proposée" else "left")
    for row in rows:
        summary = row.summary or {}
        checked = row.last_check_id is not None
        state = STATE_LABELS.get(row.state, row.state)
        if row.state == "failed" and row.error:
            state += f" ({row.error.get('code')})"
        aid = summary.get("proposed_aid_eur")
        table.add_row(
            _escape(row.name),
            _escape(row.call_id),
            f"[{STATE_STYLES.get(row.state, '')}]{_escape(state)}[/]",
            ("oui" if summary.get("complete") else "non") if checked else "—",
            ELIGIBLE_LABELS.get(str(summary.get("eligible")), "—") if checked else "—",
            euros(Decimal(str(aid))) if checked and aid is not None else "—",
            row.checked_on.strftime("%d/%m/%Y") if row.checked_on else "—",
        )
    out.print(table)
    if not rows:
        out.print(
            f"Aucun dossier enregistré. Déposez les dossiers dans {data_home.inbox}/<appel>/ "
            "puis lancez « aap inbox sweep »."
        )


def print_nightly(report: NightlyReport, data_home: Home) -> None:
    """The nightly run's result: summary, tables written, changes since the day before."""
    if report.sweep.checked or report.sweep.failed:
        out.print(_escape(report.sweep.summary()))
    out.print(f"[green]{_escape(report.summary())}[/]")
    for table in report.tables:
        out.print(f"  • {table.call_id} : {table.csv} ({len(table.rows)} dossier(s))")
    changes = report.changes
    if changes:
        out.print("[bold]Changements depuis la veille :[/]")
        for key, news in changes.items():
            out.print(f"  • {_escape(key)} : {_escape(' ; '.join(news))}")


# --------------------------------------------------------------------------- demo


@app.command("demo")
def demo(
    home: Annotated[
        Path,
        typer.Option(
            "--home",
            help="Dossier de données de la démonstration (recréé à chaque fois ; un dossier "
            "qui contient autre chose qu'une démonstration est refusé).",
        ),
    ] = Path("aap-data"),
    workers: WorkersOption = 2,
) -> None:
    """Démonstration : appels lus, dossiers d'exemple déposés, vérifiés, suivi nocturne.

    Un dossier de données neuf ; les trois appels d'exemple lus (règles relues installées) ;
    les dossiers d'exemple déposés dans la boîte ; un passage et un suivi nocturne (flux
    Prefect) ; puis où trouver les notes et les tableaux de suivi."""
    from flows.runtime import PrefectUnavailable
    from pipeline import demo as demo_module

    try:
        demo_module.run(home, out, workers=workers)
    except (demo_module.DemoError, PrefectUnavailable) as exc:
        raise fail(exc.message, exc.hint) from None


# --------------------------------------------------------------------------- rendering


def print_rules(rules: CallRules) -> None:
    from extractors.call import FIELD_LABELS, NOT_FOUND
    from pipeline.render import value_text

    table = Table(
        title=f"Règles de l'appel « {rules.title.value or rules.call_id} »", show_lines=True
    )
    table.add_column("Champ", style="bold")
    table.add_column("Valeur")
    table.add_column("Source (citation)", max_width=60)
    table.add_column("Page", justify="right")
    for name in CallRules.field_names():
        field = getattr(rules, name)
        value = (
            _escape(value_text(field.value, name)) if field.found else f"[dim]{NOT_FOUND[name]}[/]"
        )
        if field.source == "manual":
            value += " [magenta](corrigé à la main)[/]"
        quote = _escape(_shorten(field.evidence[0].quote)) if field.evidence else ""
        if len(field.evidence) > 1:
            quote += f" [dim](+{len(field.evidence) - 1} autre(s))[/]"
        page = str(field.evidence[0].page or "") if field.evidence else ""
        table.add_row(FIELD_LABELS[name], value, quote, page)
    out.print(table)
    source = rules.source_document or "?"
    out.print(f"Identifiant : [bold]{rules.call_id}[/] — avis : {source}")
    if rules.warnings:
        out.print("[bold yellow]Points à vérifier :[/]")
        for warning in rules.warnings:
            out.print(f"  • {_escape(warning)}")


def print_dossier(result: DossierExtraction | CheckResult) -> None:
    from pipeline.models import DossierFacts
    from pipeline.render import FACT_LABELS, value_text
    from pipeline.vocab import PIECE_LABELS

    pieces = Table(title=f"Pièces du dossier « {result.dossier_id} »", show_lines=True)
    for column in ("Fichier", "Pages", "Pièce reconnue", "Confiance", "Indices / erreur"):
        pieces.add_column(column)
    for entry in result.documents:
        confidence = f"{entry.confidence:.0%}" if entry.confidence is not None else ""
        detail = f"[red]{_escape(entry.error)}[/]" if entry.error else _escape(entry.reason or "")
        pieces.add_row(
            _escape(entry.name),
            entry.pages or "",
            PIECE_LABELS.get(entry.piece, entry.piece),
            confidence,
            detail,
        )
    out.print(pieces)
    facts = Table(title="Faits lus dans le dossier", show_lines=True)
    for column in ("Fait", "Valeur", "Source (citation)", "Pièce", "Page"):
        facts.add_column(column, max_width=60 if column == "Source (citation)" else None)
    rows = [
        (name, getattr(result.facts, name)) for name in DossierFacts.model_fields if name != "notes"
    ]
    rows += [
        (f"notes.{name}", getattr(result.facts.notes, name))
        for name in ("numerique_responsable", "protection_donnees")
    ]
    for name, field in rows:
        label = FACT_LABELS.get(name, name)
        if not field.found:
            facts.add_row(label, "[dim]non trouvé[/]", "", "", "")
            continue
        value = _escape(value_text(field.value, name))
        if field.confidence is not None and field.confidence < 0.5:
            value += " [yellow](à vérifier)[/]"
        first = field.evidence[0]
        quote = _escape(_shorten(first.quote))
        if len(field.evidence) > 1:
            quote += f" [dim](+{len(field.evidence) - 1} autre(s))[/]"
        facts.add_row(label, value, quote, _escape(first.document), str(first.page or ""))
    out.print(facts)
    if result.warnings:
        out.print("[bold yellow]Points à vérifier :[/]")
        for warning in result.warnings:
            out.print(f"  • {_escape(warning)}")


STATUS_STYLES = {
    "pass": "green",
    "fail": "red",
    "review": "yellow",
    "missing": "magenta",
    "not_applicable": "dim",
    "error": "bold red",
}


def print_findings(result: CheckResult) -> None:
    from pipeline.render import ELIGIBLE_LABELS, STATUS_LABELS, euros
    from pipeline.vocab import PIECE_LABELS

    table = Table(title=f"Vérification du dossier « {result.dossier_id} »", show_lines=True)
    for column in ("Contrôle", "Statut", "Constat", "Source"):
        table.add_column(column, max_width=70 if column == "Constat" else None)
    for finding in result.findings:
        style = STATUS_STYLES.get(finding.status, "")
        source = ""
        if finding.evidence:
            first = finding.evidence[0]
            source = f"{first.document}" + (f", p. {first.page}" if first.page else "")
        message = finding.message + (f"\n→ {finding.action}" if finding.action else "")
        table.add_row(
            f"{finding.check} {finding.title}",
            f"[{style}]{STATUS_LABELS.get(finding.status, finding.status)}[/]",
            _escape(message),
            _escape(source),
        )
    out.print(table)
    summary = result.summary
    out.print(f"[bold]Complet :[/] {'oui' if summary.complete else 'non'}")
    if summary.missing_pieces:
        missing = ", ".join(PIECE_LABELS.get(p, p) for p in summary.missing_pieces)
        out.print(f"[bold]Pièces manquantes :[/] {missing}")
    out.print(f"[bold]Éligibilité :[/] {ELIGIBLE_LABELS.get(summary.eligible, summary.eligible)}")
    proposed = euros(summary.proposed_aid_eur) if summary.proposed_aid_eur is not None else "—"
    out.print(f"[bold]Aide proposée :[/] {proposed}")


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def main() -> None:
    """Console entry point: no Python traceback ever reaches the instructeur. A missing
    model says how to install it; an unexpected error says where its details were saved."""
    from pipeline.nlp import ModelMissingError

    try:
        app(prog_name="aap")
    except ModelMissingError as exc:
        err.print(f"[bold red]Erreur :[/] {exc}")
        sys.exit(EXIT_BAD_INPUT)
    except Exception:  # noqa: BLE001 - the last line of defence, on purpose
        import tempfile
        import traceback

        fd, path = tempfile.mkstemp(prefix="aap-erreur-", suffix=".txt")
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write(traceback.format_exc())
        err.print(
            "[bold red]Erreur interne :[/] la commande n'a pas pu aller au bout. "
            f"Le détail technique est enregistré dans {path} ; transmettez-le à l'équipe "
            "qui maintient l'outil. Les fichiers d'origine n'ont pas été modifiés."
        )
        sys.exit(1)
