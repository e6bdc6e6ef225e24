"""`nightly_completeness`: the nightly run (`pipeline.nightly.nightly`) as a Prefect flow:
every open dossier brought up to date (only what changed is read again), then the tracking
tables of every call. Scheduled at 02:00 Europe/Paris by `aap serve`."""

from __future__ import annotations

from prefect import flow, get_run_logger

from flows.inbox import day_of, home_of, process_for, report_progress
from pipeline.nightly import NightlyReport, nightly


@flow(name="nightly_completeness")
def nightly_completeness(
    home: str | None = None,
    today: str | None = None,
    workers: int = 1,
    quiet_seconds: float = 5.0,
) -> NightlyReport:
    """The nightly completeness run of the data home `home`, dated `today` (default today
    in Europe/Paris)."""
    report = nightly(
        home_of(home),
        today=day_of(today),
        quiet_seconds=quiet_seconds,
        workers=max(1, workers),
        process=process_for(workers),
        progress=report_progress,
    )
    get_run_logger().info(report.summary())
    return report
