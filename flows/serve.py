"""`aap serve`: the inbox watched and the nightly run scheduled, in one of two modes.

- **Embedded** (no `PREFECT_API_URL`): Prefect's temporary server never fires schedules,
  so this module runs its own loop (`run_embedded`): a full scan of the inbox every
  `poll` seconds (polling, never inotify: silent on SMB/NFS shares), the `sweep_inbox`
  flow when something moved, and again as soon as a dossier being dropped has been quiet
  for the quiet period, and
  the `nightly_completeness` flow at the times of the cron expression (02:00
  Europe/Paris by default), both in this process.
- **Server** (`PREFECT_API_URL` set): the two flows are registered as deployments on the
  Prefect server (`build_deployments`): the sweep on an interval, the nightly run on
  `Cron("0 2 * * *", timezone="Europe/Paris")`, each with a concurrency limit of one;
  then either served from this machine (`prefect.serve`) or handed to a process work
  pool whose workers (`prefect worker start --pool …`, one per machine) share the runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.home import Home
from pipeline.store import Registry

PARIS = "Europe/Paris"
DEFAULT_CRON = "0 2 * * *"
SWEEP_DEPLOYMENT = "boite-de-depot"
NIGHTLY_DEPLOYMENT = "suivi-nocturne"
# While a dossier is being dropped, the next look is just after its quiet period ends (the
# note must follow it closely, not a whole poll interval later), at most this often.
WAITING_MARGIN_SECONDS = 0.2

Say = Callable[[str], None]


def next_nightly(cron: str, after: dt.datetime, timezone: str = PARIS) -> dt.datetime:
    """The first time strictly after `after` matched by `cron` in `timezone`, computed by
    Prefect's own cron schedule (same semantics as on a server, summer time included).

    Raises `ValueError` (French message) for an invalid expression."""
    from prefect.server.schemas.schedules import CronSchedule

    try:
        schedule = CronSchedule(cron=cron, timezone=timezone)
    except ValueError as exc:
        raise ValueError(
            f"Expression cron « {cron} » invalide : cinq champs attendus (minute heure "
            "jour mois jour-de-semaine), par exemple « 0 2 * * * »."
        ) from exc
    start = after.astimezone(ZoneInfo(timezone)) + dt.timedelta(seconds=1)
    dates = asyncio.run(schedule.get_dates(n=1, start=start))
    if not dates:
        raise ValueError(f"L'expression cron « {cron} » ne donne aucune date à venir.")
    return dt.datetime.fromtimestamp(dates[0].timestamp(), ZoneInfo(timezone))


@dataclass(frozen=True)
class InboxState:
    """What one poll sees without reading any file: a digest of the names, sizes and
    dates of everything in the inbox and in `calls/` and of the dossiers waiting to be
    checked (`aap inbox retry` puts failed ones back without touching a file); and the
    newest modification time in the inbox (when the last file dropped becomes stable)."""

    signature: str
    newest: float


def inbox_state(home: Home) -> InboxState:
    """The inbox as one poll sees it (see `InboxState`)."""
    digest = hashlib.sha256()
    newest = 0.0
    for folder in (home.inbox, home.calls):
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    st = os.stat(path, follow_symlinks=False)
                except OSError:
                    continue
                digest.update(f"{path}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
                if folder == home.inbox:
                    newest = max(newest, st.st_mtime)
    with Registry(home.database_url) as registry:
        for row in registry.dossiers():
            if row.state == "received":
                digest.update(f"{row.key}\n".encode())
    return InboxState(digest.hexdigest(), newest)


@dataclass
class LoopOptions:
    """How the embedded loop runs."""

    poll: float = 5.0
    cron: str = DEFAULT_CRON
    workers: int = 1
    quiet_seconds: float = 5.0


def run_embedded(
    home: Home,
    options: LoopOptions,
    *,
    stop: threading.Event,
    say: Say,
    clock: Callable[[], float] = time.time,
) -> int:
    """Watch the inbox until `stop` is set: the sweep flow when the inbox moved, the
    nightly flow at the cron times (Europe/Paris). A failing cycle is reported and the
    loop goes on. Returns the number of sweep runs."""
    from flows.inbox import paris_today, sweep_inbox
    from flows.nightly import nightly_completeness

    nightly_at = next_nightly(options.cron, dt.datetime.fromtimestamp(clock(), dt.UTC))
    say(f"Suivi nocturne prévu le {nightly_at.strftime('%d/%m/%Y à %H:%M')} (heure de Paris).")
    last: str | None = None
    retry_at: float | None = None  # a sweep is due then, even if nothing moved
    sweeps = 0
    params: dict[str, Any] = {
        "home": str(home.root),
        "workers": options.workers,
        "quiet_seconds": options.quiet_seconds,
    }
    while not stop.is_set():
        if clock() >= nightly_at.timestamp():
            _guarded(say, "suivi nocturne", lambda: _nightly(nightly_completeness, params, say))
            nightly_at = next_nightly(options.cron, dt.datetime.fromtimestamp(clock(), dt.UTC))
            say(f"Prochain suivi nocturne : {nightly_at.strftime('%d/%m/%Y à %H:%M')}.")
            last = None  # the nightly run may have moved things: look again
        # Taken before the sweep: a file dropped while it runs changes the next signature.
        state = _guarded(say, "examen de la boîte de dépôt", lambda: inbox_state(home))
        due = retry_at is not None and clock() >= retry_at
        if state is not None and (state.signature != last or due):
            forced = state.signature == last
            last, retry_at = state.signature, None
            report = _guarded(
                say,
                "passage sur la boîte de dépôt",
                lambda: sweep_inbox(today=paris_today().isoformat(), **params),
            )
            sweeps += 1
            if report is not None:
                retry_at = _next_look(report, state, options, clock(), forced)
                if report.checked or report.failed or report.duplicates or report.unknown_call:
                    say(report.summary())
        delay = options.poll
        if retry_at is not None:
            delay = min(delay, max(WAITING_MARGIN_SECONDS, retry_at - clock()))
        stop.wait(max(0.0, min(delay, nightly_at.timestamp() - clock())))
    return sweeps


def _next_look(
    report: Any, state: InboxState, options: LoopOptions, now: float, forced: bool
) -> float | None:
    """When to sweep again although nothing moved: a dossier still being dropped is
    looked at again just after its quiet period; one that waits for another reason (a
    file changed since the ledger saw it, with an old date) gets one more look a poll
    later; an empty folder, which waits forever, does not keep the loop sweeping."""
    if not report.waiting:
        return None
    stable_at = state.newest + options.quiet_seconds + WAITING_MARGIN_SECONDS
    if stable_at > now:
        return stable_at
    return None if forced else now + options.poll


def _nightly(nightly_flow: Any, params: dict[str, Any], say: Say) -> None:
    from flows.inbox import paris_today

    report = nightly_flow(today=paris_today().isoformat(), **params)
    say(report.summary())
    for table in report.tables:
        say(f"Tableau de suivi : {table.csv}")


def _guarded(say: Say, what: str, action: Callable[[], Any]) -> Any:
    """Run one step of the loop; a failure is said and the loop goes on (a service that
    stops at the first unreadable share would lose the night)."""
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - the loop must survive any single failure
        say(
            f"Erreur pendant le {what} : {type(exc).__name__} : {exc}. Nouvel essai au prochain tour."
        )
        return None


# --- server mode ----------------------------------------------------------------------


def build_deployments(
    home: Home, options: LoopOptions, *, work_pool: str | None = None
) -> list[Any]:
    """The two deployments of the service: the inbox sweep every `poll` seconds and the
    nightly run on `Cron(cron, timezone="Europe/Paris")`, each one run at a time. The
    flows are named by module path (`flows.inbox.sweep_inbox`): a worker imports them from
    its installed copy of the program, whatever its working folder."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron, Interval

    from flows.inbox import sweep_inbox
    from flows.nightly import nightly_completeness

    params: dict[str, Any] = {
        "home": str(home.root),
        "workers": options.workers,
        "quiet_seconds": options.quiet_seconds,
    }
    common: dict[str, Any] = {
        "parameters": params,
        "concurrency_limit": 1,
        "entrypoint_type": EntrypointType.MODULE_PATH,
        "tags": ["aap"],
    }
    if work_pool is not None:
        common["work_pool_name"] = work_pool
    return [
        sweep_inbox.to_deployment(
            name=SWEEP_DEPLOYMENT,
            schedule=Interval(dt.timedelta(seconds=options.poll)),
            description="Passage sur la boîte de dépôt : chaque dossier stable, nouveau ou "
            "modifié, est vérifié une fois et sa note écrite.",
            **common,
        ),
        nightly_completeness.to_deployment(
            name=NIGHTLY_DEPLOYMENT,
            schedule=Cron(options.cron, timezone=PARIS),
            description="Suivi nocturne : dossiers ouverts mis à jour, tableaux de suivi par "
            "appel (reports/<appel>/suivi-<date>.csv et .md).",
            **common,
        ),
    ]


def serve_deployments(home: Home, options: LoopOptions) -> None:
    """Register the deployments and run their flow runs from this machine until stopped
    (`prefect.serve`)."""
    from prefect import serve

    serve(*build_deployments(home, options), print_starting_message=False)


def deploy_to_pool(home: Home, options: LoopOptions, work_pool: str) -> list[str]:
    """Register the deployments on the work pool `work_pool` (type process) and return
    their ids; the runs are then taken by `prefect worker start --pool <work_pool>` on any
    machine that has the program installed and the data home mounted at the same path."""
    from prefect.deployments.runner import deploy

    ids = deploy(
        *build_deployments(home, options, work_pool=work_pool),
        work_pool_name=work_pool,
        build=False,
        push=False,
        print_next_steps_message=False,
        ignore_warnings=True,
    )
    return [str(i) for i in ids]


def data_home_note(home: Home) -> str:
    """The reminder every server-mode start prints: the home must be shared storage."""
    where = Path(home.root)
    return (
        f"Dossier de données : {where}. Chaque machine qui exécute les flux doit voir ce "
        "dossier au même chemin (stockage partagé) et la même base de registre "
        "(AAP_DATABASE_URL, PostgreSQL : SQLite en mode WAL ne fonctionne pas sur SMB/NFS)."
    )
