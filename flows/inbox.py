"""`sweep_inbox`: one pass over the watched inbox, the work of `pipeline.inbox.sweep`.

The sweep decides everything (stability, archive, fingerprints, duplicates, what to
check, versions of the notes, failures); the flow only runs it. With one worker, each
dossier to check is a Prefect task run of its own (`check_inbox_dossier`, named after the
dossier), visible in the Prefect UI; with several, the sweep's pool of worker processes
checks them (pypdfium2 and pdfplumber are not thread-safe; spaCy is loaded once per
worker) and the flow run logs each one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.home import Home
from pipeline.inbox import CheckJob, CheckOutcome, SweepReport, run_job, sweep

PARIS = ZoneInfo("Europe/Paris")
Progress = Callable[[str], None]

# The caller's progress display (a rich bar in the command line). A flow's parameters
# must be serialisable for the API, so the display is handed over here, in-process.
_progress: list[Progress] = []


@contextmanager
def progress_to(callback: Progress | None) -> Iterator[None]:
    """Send the progress messages of the flows run inside this block to `callback`."""
    if callback is None:
        yield
        return
    _progress.append(callback)
    try:
        yield
    finally:
        _progress.remove(callback)


def report_progress(message: str) -> None:
    """Log a progress message in the flow run and show it to the caller, if any."""
    get_run_logger().info(message)
    for callback in _progress:
        callback(message)


def paris_today() -> dt.date:
    """Today's date in Europe/Paris (the instructeurs' day, not the server's)."""
    return dt.datetime.now(PARIS).date()


def day_of(today: str | dt.date | None) -> dt.date:
    """A flow's `today` parameter (ISO date, or None for today in Paris)."""
    if today is None:
        return paris_today()
    return today if isinstance(today, dt.date) else dt.date.fromisoformat(today)


def home_of(home: str | None) -> Home:
    return Home.resolve(Path(home) if home else None)


@task(name="check_inbox_dossier", cache_policy=NO_CACHE, task_run_name="{job.key}")
def check_inbox_dossier(job: CheckJob) -> CheckOutcome:
    """Check one dossier of the inbox from its archived originals and write its notes
    (never raises: a failure comes back in the outcome, recorded by the sweep)."""
    return run_job(job)


def _as_task(job: CheckJob) -> CheckOutcome:
    return check_inbox_dossier(job)


def process_for(workers: int) -> Callable[[CheckJob], CheckOutcome]:
    """What checks one job: a task run in this process, or the plain job in the sweep's
    worker processes (a top-level function, as a process pool needs)."""
    return _as_task if workers <= 1 else run_job


@flow(name="sweep_inbox")
def sweep_inbox(
    home: str | None = None,
    today: str | None = None,
    workers: int = 1,
    quiet_seconds: float = 5.0,
) -> SweepReport:
    """One pass over the inbox of the data home `home`: every stable dossier that is new
    or changed is checked once and its note written (`today`: the date of the notes,
    default today in Europe/Paris)."""
    report = sweep(
        home_of(home),
        today=day_of(today),
        quiet_seconds=quiet_seconds,
        workers=max(1, workers),
        process=process_for(workers),
        progress=report_progress,
    )
    get_run_logger().info(report.summary())
    return report
