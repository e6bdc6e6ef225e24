"""The nightly completeness run: every open dossier brought up to date, then one tracking
table per call saying where each dossier stands and what changed since the previous night.

1. One pass over the inbox (`pipeline.inbox.sweep`): each dossier is re-scanned (sizes and
   dates only), its fingerprint (pieces, rules file, corrections) recomputed from the
   ledger, and only a dossier whose fingerprint moved is read and checked again. An
   unchanged dossier costs no PDF reading; an edited rules file changes the fingerprint of
   every dossier of its call, so they are all checked again with the current rules.
   The checks do not depend on the date of the run (E03 looks at the submission date), so
   nothing else needs re-checking.
2. Per call, from the registry only (no business rule here: the verdicts are the stored
   results of the checks): `reports/<call_id>/suivi-<date>.csv` (semicolon separator,
   UTF-8 with BOM so that Excel opens it right), `suivi-<date>.md`, and
   `suivi-<date>.json`, the state of each dossier that the next night compares with.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pipeline.corrections import CORRECTION_FILES
from pipeline.files import atomic_write_text
from pipeline.home import Home
from pipeline.inbox.sweep import Process, Progress, SweepReport, sweep
from pipeline.render import euros
from pipeline.store import DossierRow, FileRow, Registry
from pipeline.vocab import PIECE_LABELS

TABLE_PREFIX = "suivi-"
COLUMNS = (
    "Dossier",
    "Demandeur",
    "État",
    "Complet",
    "Éligible",
    "Aide proposée (€)",
    "Pièces manquantes",
    "Nouveau depuis la dernière nuit",
    "Jours avant la date limite de l'appel",
)
STATE_LABELS = {
    "received": "reçu, à vérifier",
    "checked": "vérifié",
    "failed": "en échec",
    "closed": "clos",
    "waiting": "en cours de dépôt",
}
ELIGIBLE_LABELS = {"yes": "oui", "no": "non", "review": "à examiner"}
FIRST_RUN = "premier suivi"
# Files of a dossier as the ledger knows them (a duplicate's or an ignored file are not).
_DOSSIER_FILE_STATES = ("seen", "processing", "done", "failed")
# How often a nightly run that finds a sweep in progress looks again.
_LOCK_POLL_SECONDS = 2.0


@dataclass
class TrackingRow:
    """One line of a tracking table: a dossier as the registry knows it tonight."""

    key: str
    name: str
    applicant: str | None
    state: str
    complete: bool | None
    eligible: str | None
    proposed_aid_eur: Decimal | None
    missing_pieces: list[str]
    news: list[str]
    days_left: int | None
    error_code: str | None = None


@dataclass
class CallTable:
    """The tracking table of one call: its files and rows, and what changed since the
    previous night's table (`previous_on`, None for the first one)."""

    call_id: str
    title: str | None
    csv: Path
    markdown: Path
    snapshot: Path
    rows: list[TrackingRow]
    previous_on: dt.date | None
    rules_version: int | None
    rules_changed: bool
    deadline: dt.datetime | None


@dataclass
class NightlyReport:
    """What one nightly run did: the sweep, the tables written, how long it took."""

    today: dt.date
    sweep: SweepReport
    tables: list[CallTable] = field(default_factory=list)
    seconds: float = 0.0
    lock_waited: float = 0.0

    @property
    def changes(self) -> dict[str, list[str]]:
        """Dossier key → what changed since the previous night (first runs left out)."""
        return {
            row.key: row.news
            for table in self.tables
            if table.previous_on is not None
            for row in table.rows
            if row.news
        }

    def summary(self) -> str:
        """A few French sentences for the command line and the logs."""
        rows = [row for table in self.tables for row in table.rows]
        parts = [
            f"Suivi du {self.today.strftime('%d/%m/%Y')} : {len(rows)} dossier(s) suivi(s) "
            f"dans {len(self.tables)} appel(s)",
            f"{sum(1 for r in rows if r.complete)} complet(s)",
            f"{sum(1 for r in rows if r.complete is False)} incomplet(s)",
        ]
        failed = sum(1 for r in rows if r.state == "failed")
        if failed:
            parts.append(f"{failed} en échec")
        text = ", ".join(parts) + f" ; {len(self.changes)} dossier(s) changé(s) depuis la veille."
        if self.sweep.busy:
            text += (
                " Un passage sur la boîte de dépôt était en cours : les dossiers n'ont pas été "
                "revérifiés, les tableaux reprennent l'état enregistré."
            )
        return text


def nightly(
    home: Home | Path | str | None,
    *,
    today: dt.date,
    quiet_seconds: float = 5,
    workers: int = 1,
    process: Process | None = None,
    progress: Progress | None = None,
    lock_wait: float = 600.0,
    now: float | None = None,
) -> NightlyReport:
    """Bring every open dossier of `home` up to date and write the tracking tables dated
    `today`. `process`, `workers`, `quiet_seconds` and `now` are the sweep's; when another
    sweep holds the inbox, wait up to `lock_wait` seconds for it, then write the tables
    from what is recorded."""
    started = time.perf_counter()
    home = home if isinstance(home, Home) else Home.resolve(Path(home) if home else None)
    report, waited = _sweep_when_free(
        home,
        lock_wait,
        today=today,
        quiet_seconds=quiet_seconds,
        workers=workers,
        process=process,
        now=now,
        progress=progress,
    )
    result = NightlyReport(today=today, sweep=report, lock_waited=waited)
    with Registry(home.database_url) as registry:
        dossiers = registry.dossiers(open_only=True)
        files = _files_by_dossier(home, registry.files())
        for call_id in _calls(home):
            if progress:
                progress(f"Tableau de suivi : {call_id}")
            mine = [row for row in dossiers if row.call_id == call_id]
            waiting = sorted(k for k in report.waiting if k.startswith(f"{call_id}/"))
            result.tables.append(_write_table(home, registry, call_id, mine, waiting, files, today))
    result.seconds = time.perf_counter() - started
    return result


def _sweep_when_free(home: Home, lock_wait: float, **options: Any) -> tuple[SweepReport, float]:
    """The sweep, retried while another one holds the inbox (at most `lock_wait` s)."""
    start = time.monotonic()
    while True:
        report = sweep(home, **options)
        waited = time.monotonic() - start
        if not report.busy or waited >= lock_wait:
            return report, waited
        time.sleep(min(_LOCK_POLL_SECONDS, max(lock_wait - waited, 0.01)))


def _calls(home: Home) -> list[str]:
    """The calls that get a table: every call with a rules file, even without dossiers (a
    dossier under an unknown call has no table: the sweep reports it)."""
    return home.known_calls()


# --- one call's table ---------------------------------------------------------------


def _write_table(
    home: Home,
    registry: Registry,
    call_id: str,
    dossiers: list[DossierRow],
    waiting: list[str],
    files: dict[str, dict[str, str | None]],
    today: dt.date,
) -> CallTable:
    folder = home.reports / call_id
    previous_on, previous = _previous_snapshot(folder, today)
    rules_version = _rules_version(home, registry, call_id)
    title, deadline = _call_details(home, call_id)
    days_left = (deadline.date() - today).days if deadline is not None else None
    before = (previous or {}).get("dossiers", {})
    snapshot: dict[str, Any] = {}
    rows: list[TrackingRow] = []
    for dossier in dossiers:
        state = _state_of(dossier, files.get(dossier.key, {}))
        news = _news(before.get(dossier.key), state) if previous is not None else [FIRST_RUN]
        rows.append(_row(dossier, state, news, days_left))
        snapshot[dossier.key] = state
    known = {row.key for row in rows}
    for key in waiting:
        if key not in known:
            news = ["nouveau dossier, en cours de dépôt"] if previous is not None else [FIRST_RUN]
            rows.append(_waiting_row(key, call_id, news, days_left))
    rows.sort(key=lambda row: row.key)
    rules_changed = (
        previous is not None
        and previous.get("rules_version") is not None
        and previous.get("rules_version") != rules_version
    )
    table = CallTable(
        call_id=call_id,
        title=title,
        csv=folder / f"{TABLE_PREFIX}{today.isoformat()}.csv",
        markdown=folder / f"{TABLE_PREFIX}{today.isoformat()}.md",
        snapshot=folder / f"{TABLE_PREFIX}{today.isoformat()}.json",
        rows=rows,
        previous_on=previous_on,
        rules_version=rules_version,
        rules_changed=rules_changed,
        deadline=deadline,
    )
    atomic_write_text(table.csv, csv_text(rows), newline="")
    atomic_write_text(table.markdown, markdown_text(table, today))
    atomic_write_text(
        table.snapshot,
        json.dumps(
            {
                "call_id": call_id,
                "date": today.isoformat(),
                "rules_version": rules_version,
                "dossiers": snapshot,
            },
            ensure_ascii=False,
            indent=1,
            sort_keys=True,
        )
        + "\n",
    )
    return table


def _state_of(dossier: DossierRow, files: dict[str, str | None]) -> dict[str, Any]:
    """What the next night compares: the stored verdict, the state, the files."""
    summary = dossier.summary or {}
    return {
        "state": dossier.state,
        "applicant": dossier.applicant,
        "rules_version": dossier.rules_version,
        "note_version": dossier.note_version,
        "complete": summary.get("complete"),
        "eligible": summary.get("eligible"),
        "proposed_aid_eur": _text(summary.get("proposed_aid_eur")),
        "missing_pieces": list(summary.get("missing_pieces") or []),
        "error_code": (dossier.error or {}).get("code") if dossier.state == "failed" else None,
        "files": files,
    }


def _row(
    dossier: DossierRow, state: dict[str, Any], news: list[str], days_left: int | None
) -> TrackingRow:
    checked = dossier.last_check_id is not None
    return TrackingRow(
        key=dossier.key,
        name=dossier.name,
        applicant=dossier.applicant,
        state=dossier.state,
        complete=state["complete"] if checked else None,
        eligible=state["eligible"] if checked else None,
        proposed_aid_eur=_decimal(state["proposed_aid_eur"]) if checked else None,
        missing_pieces=state["missing_pieces"] if checked else [],
        news=news,
        days_left=days_left,
        error_code=state["error_code"],
    )


def _waiting_row(key: str, call_id: str, news: list[str], days_left: int | None) -> TrackingRow:
    return TrackingRow(
        key=key,
        name=key[len(call_id) + 1 :],
        applicant=None,
        state="waiting",
        complete=None,
        eligible=None,
        proposed_aid_eur=None,
        missing_pieces=[],
        news=news,
        days_left=days_left,
    )


# --- what changed since the previous night ------------------------------------------


def _news(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What changed for one dossier between two nights, in French (empty: nothing)."""
    if before is None:
        return ["nouveau dossier"]
    news = _file_news(before.get("files") or {}, after["files"])
    if before.get("rules_version") != after["rules_version"] and after["rules_version"]:
        news.append(f"vérifié avec les nouvelles règles (version {after['rules_version']})")
    if before.get("state") != after["state"]:
        news.append(f"état : {_state_label(before.get('state'))} → {_state_label(after['state'])}")
    if before.get("complete") != after["complete"]:
        news.append(f"complet : {_yes_no(before.get('complete'))} → {_yes_no(after['complete'])}")
    if before.get("eligible") != after["eligible"]:
        news.append(
            f"éligible : {_eligible(before.get('eligible'))} → {_eligible(after['eligible'])}"
        )
    if before.get("proposed_aid_eur") != after["proposed_aid_eur"]:
        news.append(
            f"aide proposée : {_aid(before.get('proposed_aid_eur'))} → "
            f"{_aid(after['proposed_aid_eur'])}"
        )
    if sorted(before.get("missing_pieces") or []) != sorted(after["missing_pieces"]):
        news.append(f"pièces manquantes : {_pieces(after['missing_pieces']) or 'aucune'}")
    if not news and (before.get("note_version") or 0) < (after["note_version"] or 0):
        news.append(f"vérifié à nouveau (note v{after['note_version']}), sans changement")
    return news


def _file_news(before: dict[str, Any], after: dict[str, str | None]) -> list[str]:
    def is_corrections(name: str) -> bool:
        return "/" not in name and name.lower() in CORRECTION_FILES

    news = []
    added = [n for n in after if n not in before and not is_corrections(n)]
    replaced = [n for n in after if n in before and before[n] != after[n] and not is_corrections(n)]
    removed = [n for n in before if n not in after and not is_corrections(n)]
    for names, label in (
        (added, "pièce(s) ajoutée(s)"),
        (replaced, "pièce(s) remplacée(s)"),
        (removed, "pièce(s) retirée(s)"),
    ):
        if names:
            news.append(f"{label} : " + ", ".join(f"« {n} »" for n in sorted(names)))
    old = {n: d for n, d in before.items() if is_corrections(n)}
    new = {n: d for n, d in after.items() if is_corrections(n)}
    if old != new:
        news.append("corrections de l'instructeur modifiées" if new else "corrections retirées")
    return news


def _previous_snapshot(folder: Path, today: dt.date) -> tuple[dt.date | None, dict | None]:
    """The latest state written by a night before `today` (a re-run of the same day
    compares with the night before, not with itself)."""
    best: tuple[dt.date, Path] | None = None
    for path in folder.glob(f"{TABLE_PREFIX}*.json") if folder.is_dir() else []:
        try:
            on = dt.date.fromisoformat(path.stem[len(TABLE_PREFIX) :])
        except ValueError:
            continue
        if on < today and (best is None or on > best[0]):
            best = (on, path)
    if best is None:
        return None, None
    try:
        data = json.loads(best[1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None  # unreadable: tonight's table is a first one, never a guess
    return (best[0], data) if isinstance(data, dict) else (None, None)


def _files_by_dossier(home: Home, ledger: list[FileRow]) -> dict[str, dict[str, str | None]]:
    """Dossier key → {file name inside the dossier: sha256} for the files still present
    (the ledger keeps the rows of files that were removed since)."""
    out: dict[str, dict[str, str | None]] = {}
    for row in ledger:
        if row.dossier_key is None or row.state not in _DOSSIER_FILE_STATES:
            continue
        base = f"inbox/{row.dossier_key}"
        if row.path == base:
            name = row.dossier_key.rsplit("/", 1)[-1]
        elif row.path.startswith(base + "/"):
            name = row.path[len(base) + 1 :]
        else:
            continue
        if (home.root / row.path).is_file():
            out.setdefault(row.dossier_key, {})[name] = row.sha256
    return out


def _rules_version(home: Home, registry: Registry, call_id: str) -> int | None:
    """The registry's version of the call's current rules file (recorded here when no
    sweep has used it yet), None when the file cannot be read."""
    path = home.rules_file(call_id)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    return registry.record_call(call_id, digest, str(path))


def _call_details(home: Home, call_id: str) -> tuple[str | None, dt.datetime | None]:
    """The call's title and deadline from its rules file (None when unreadable: the
    table says it does not know, it never guesses)."""
    from pipeline.rulesfile import RulesFileError, load_rules

    try:
        rules = load_rules(home.rules_file(call_id))
    except (RulesFileError, OSError):
        return None, None
    return rules.title.value, rules.closes_at.value


# --- rendering ----------------------------------------------------------------------


def csv_text(rows: list[TrackingRow]) -> str:
    """The table as Excel (French) reads it: BOM, `;`, decimal comma, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.name,
                row.applicant or "",
                _state_cell(row),
                _yes_no(row.complete, empty=""),
                _eligible(row.eligible, empty=""),
                _plain_amount(row.proposed_aid_eur),
                _pieces(row.missing_pieces),
                " ; ".join(row.news),
                "" if row.days_left is None else str(row.days_left),
            ]
        )
    return "\ufeff" + buffer.getvalue()


def markdown_text(table: CallTable, today: dt.date) -> str:
    """The same table for reading, with the list of changes since the previous night."""
    title = f" — {table.title}" if table.title else ""
    lines = [f"# Suivi des dossiers du {today.strftime('%d/%m/%Y')} : {table.call_id}{title}", ""]
    lines.append(
        f"- Règles de l'appel : version {table.rules_version or '?'}"
        + (
            " (modifiées depuis la nuit précédente : les dossiers ont été vérifiés à nouveau)"
            if table.rules_changed
            else ""
        )
    )
    lines.append(f"- Date limite de dépôt : {_deadline(table.deadline, today)}")
    rows = table.rows
    lines.append(
        f"- {len(rows)} dossier(s) suivi(s) : {sum(1 for r in rows if r.complete)} complet(s), "
        f"{sum(1 for r in rows if r.complete is False)} incomplet(s), "
        f"{sum(1 for r in rows if r.state == 'failed')} en échec, "
        f"{sum(1 for r in rows if r.state in ('received', 'waiting'))} pas encore vérifié(s)"
    )
    lines += ["", "## Changements depuis la nuit précédente", ""]
    if table.previous_on is None:
        lines.append("Premier suivi de cet appel : pas de nuit précédente à comparer.")
    else:
        changed = [row for row in rows if row.news]
        lines.append(f"Par rapport au suivi du {table.previous_on.strftime('%d/%m/%Y')} :")
        lines.append("")
        lines += [f"- **{_md(row.name)}** : {_md(' ; '.join(row.news))}" for row in changed]
        if not changed:
            lines.append("- aucun changement.")
    lines += ["", "## Tableau de suivi", ""]
    lines.append("| " + " | ".join(COLUMNS[:-1]) + " |")
    lines.append("|" + "---|" * (len(COLUMNS) - 1))
    for row in rows:
        aid = euros(row.proposed_aid_eur) if row.proposed_aid_eur is not None else ""
        cells = [
            row.name,
            row.applicant or "",
            _state_cell(row),
            _yes_no(row.complete, empty=""),
            _eligible(row.eligible, empty=""),
            aid,
            _pieces(row.missing_pieces),
            " ; ".join(row.news),
        ]
        lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    if not rows:
        lines.append("| " + " | ".join(["(aucun dossier)"] + [""] * (len(COLUMNS) - 2)) + " |")
    lines += [
        "",
        "Les verdicts sont ceux des dernières vérifications enregistrées ; chaque dossier a "
        f"sa note d'instruction dans « reports/{table.call_id}/<dossier>/ ».",
        "",
    ]
    return "\n".join(lines)


def _state_cell(row: TrackingRow) -> str:
    label = _state_label(row.state)
    return f"{label} ({row.error_code})" if row.error_code else label


def _state_label(state: str | None) -> str:
    return STATE_LABELS.get(str(state), str(state)) if state else "—"


def _yes_no(value: bool | None, empty: str = "—") -> str:
    return empty if value is None else ("oui" if value else "non")


def _eligible(value: str | None, empty: str = "—") -> str:
    return empty if value is None else ELIGIBLE_LABELS.get(value, value)


def _aid(value: str | None) -> str:
    amount = _decimal(value)
    return euros(amount) if amount is not None else "aucune"


def _pieces(codes: list[str]) -> str:
    return ", ".join(PIECE_LABELS.get(code, code) for code in codes)


def _plain_amount(value: Decimal | None) -> str:
    """12500.5 → "12500,50": a number for a French spreadsheet (no thousands separator)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _deadline(deadline: dt.datetime | None, today: dt.date) -> str:
    if deadline is None:
        return "inconnue (absente des règles de l'appel)"
    days = (deadline.date() - today).days
    when = deadline.strftime("%d/%m/%Y à %H:%M")
    if days > 0:
        return f"{when} (dans {days} jour(s))"
    if days == 0:
        return f"{when} (aujourd'hui)"
    return f"{when} (passée depuis {-days} jour(s))"


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
