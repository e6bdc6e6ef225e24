"""The watched inbox: scan it, archive every original, check each stable dossier once,
keep every note, record everything (issue 5). Pure Python: the Prefect flows wrap these
functions and hold no rule of their own.

- `scan(home, now=…)`: the dossiers of `inbox/<call_id>/`, with their files and whether
  they are stable (quiet period);
- `sweep(home, today=…)`: one pass (archive, fingerprint, duplicates, check, reports,
  registry); `retry_failed(home)`: failed dossiers become eligible again;
- `fingerprint(...)`: what a check depends on (pieces, rules, corrections).
"""

from pipeline.inbox.archive import archive_file, archive_path
from pipeline.inbox.fingerprint import Fingerprint, fingerprint
from pipeline.inbox.job import CheckJob, CheckOutcome, run_job, with_retries
from pipeline.inbox.scan import DossierCandidate, InboxFile, scan
from pipeline.inbox.sweep import SweepReport, failed_dir, reports_dir, retry_failed, sweep

__all__ = [
    "CheckJob",
    "CheckOutcome",
    "DossierCandidate",
    "Fingerprint",
    "InboxFile",
    "SweepReport",
    "archive_file",
    "archive_path",
    "failed_dir",
    "fingerprint",
    "reports_dir",
    "retry_failed",
    "run_job",
    "scan",
    "sweep",
    "with_retries",
]
