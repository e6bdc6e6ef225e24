"""The Prefect flows run for real, on Prefect's temporary server, once for this module: a
child process (Prefect reads its settings when imported, so it gets a process of its own)
warms Prefect, ingests two calls, sweeps a small inbox, checks a dossier twice through
`check_dossier`, runs the nightly flow, asks the Prefect API what ran, and reports it all
as JSON. Then `aap serve` runs in embedded mode on the same home and picks up a dossier
dropped while it watches.

Nothing is mocked; only the dates of the dropped files are set (an hour ago)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "dossiers"
LOIRE, PDL = "loire-connect-2023", "pdl-innovation-numerique"

pytestmark = pytest.mark.slow

SCRIPT = r"""
import datetime as dt, json, shutil, sys, time
from pathlib import Path

root, fixtures, calls = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
out = {}
from pipeline.home import Home
home = Home.resolve(root, env={})
from flows import runtime
setup = runtime.configure(home)
runtime.warm(home)
out["warm_seconds"] = setup.warm_seconds
out["mode"] = setup.mode
out["prefect_home"] = str(setup.prefect_home)

from flows.calls import ingest_call
from flows.dossier import check_dossier
from flows.inbox import sweep_inbox
from flows.nightly import nightly_completeness
from flows.serve import LoopOptions, build_deployments, next_nightly

loire = ingest_call(
    str(calls / "loire-connect-2023" / "notice.txt"), str(root),
    str(fixtures / "loire-connect-2023" / "rules.json"),
)
pdl = ingest_call(str(calls / "pdl-innovation-numerique" / "notice.txt"), str(root))
out["ingested"] = [
    {"call_id": c.call_id, "version": c.version, "reviewed": c.reviewed,
     "rules_file": str(c.rules_file), "extracted": str(c.extracted_file)}
    for c in (loire, pdl)
]
for folder, case in [("loire-connect-2023", "pieces-manquantes"),
                     ("loire-connect-2023", "complet-eligible")]:
    source = fixtures / folder / case / "dossier"
    target = home.inbox / loire.call_id / case
    shutil.copytree(source, target)
    for item in target.rglob("*"):
        if item.is_file():
            item.touch()
            import os; os.utime(item, (time.time() - 3600, time.time() - 3600))

first = sweep_inbox(str(root), "2024-09-20")
second = sweep_inbox(str(root), "2024-09-20")
out["first_sweep"] = {"checked": sorted(first.checked), "failed": first.failed}
out["second_sweep"] = {"checked": second.checked, "unchanged": sorted(second.unchanged)}

dossier = fixtures / "loire-connect-2023" / "complet-eligible" / "dossier"
rules = str(fixtures / "loire-connect-2023" / "rules.json")
checks = []
for n in range(2):
    started = time.perf_counter()
    done = check_dossier(str(dossier), rules, str(root / f"controle-{n}"),
                         dt.date(2024, 9, 20), dt.date(2023, 7, 17))
    checks.append({"cached": done.cached, "seconds": time.perf_counter() - started,
                   "written": sorted(Path(p).name for p in done.written),
                   "result": json.loads(done.result.model_dump_json())})
out["check_dossier"] = checks
from pipeline.dossier_check import check_dossier as pure_check
from pipeline.rulesfile import load_rules
pure = pure_check(dossier, load_rules(Path(rules)), today=dt.date(2024, 9, 20),
                  received_on=dt.date(2023, 7, 17))
out["pure_result"] = json.loads(pure.result.model_dump_json())

night = nightly_completeness(str(root), "2024-09-21")
out["nightly"] = {"summary": night.summary(), "tables": [str(t.csv) for t in night.tables]}

deployments = build_deployments(home, LoopOptions(poll=30, cron="0 2 * * *"))
out["deployments"] = [
    {"name": d.name, "flow": d.flow_name, "entrypoint": d.entrypoint,
     "schedules": [json.loads(s.schedule.model_dump_json()) for s in d.schedules],
     "parameters": d.parameters, "concurrency_limit": d.concurrency_limit}
    for d in deployments
]
out["next_nightly"] = [
    next_nightly("0 2 * * *", dt.datetime(2024, 6, 10, 12, 0, tzinfo=dt.UTC)).isoformat(),
    next_nightly("0 2 * * *", dt.datetime(2024, 1, 10, 0, 30, tzinfo=dt.UTC)).isoformat(),
]
try:
    next_nightly("0 2 * *", dt.datetime(2024, 6, 10, tzinfo=dt.UTC))
except ValueError as exc:
    out["bad_cron"] = str(exc)

from prefect.client.orchestration import get_client
# Task runs reach the API through events, recorded a moment later: wait for them.
deadline = time.monotonic() + 60
with get_client(sync_client=True) as client:
    out["api_url"] = str(client.api_url)
    while True:
        flow_runs = sorted(
            (client.read_flow(r.flow_id).name, r.state.type.value)
            for r in client.read_flow_runs()
        )
        task_runs = sorted(
            (r.name, r.state.type.value, r.state.name) for r in client.read_task_runs()
        )
        final = all(t[1] in ("COMPLETED", "FAILED", "CRASHED") for t in task_runs)
        if (len(flow_runs) >= 7 and len(task_runs) >= 14 and final) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    out["flow_runs"], out["task_runs"] = flow_runs, task_runs

# The embedded loop of `aap serve`, its clock set 2 s before the next 02:00 in Paris: it
# must sweep, then run the nightly flow at 02:00, then plan the next one.
import threading
from flows.serve import run_embedded
target = next_nightly("0 2 * * *", dt.datetime.now(dt.UTC))
offset = target.timestamp() - 2 - time.time()
stop, said = threading.Event(), []
def say(message):
    said.append(message)
    if message.startswith("Prochain suivi nocturne"):
        stop.set()
guard = threading.Timer(90, stop.set)  # never hang the test session
guard.start()
sweeps = run_embedded(home, LoopOptions(poll=1, quiet_seconds=1), stop=stop, say=say,
                      clock=lambda: time.time() + offset)
guard.cancel()
out["loop"] = {"said": said, "sweeps": sweeps, "target": target.isoformat()}
print("RESULT " + json.dumps(out, default=str))
"""


def clean_env() -> dict[str, str]:
    """This process's environment without any Prefect or data home setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AAP_"))}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("flows") / "home"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(root), str(FIXTURES), str(ROOT / "fixtures" / "calls")],
        env=clean_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return {"root": root, "stderr": proc.stderr, **json.loads(line[len("RESULT ") :])}


def call_id(folder: str) -> str:
    return json.loads((FIXTURES / folder / "rules.json").read_text(encoding="utf-8"))["call_id"]


def test_embedded_prefect_lives_in_the_data_home(run: dict[str, Any]) -> None:
    assert run["mode"] == "embedded"
    assert run["prefect_home"] == str(run["root"] / "prefect")
    assert (run["root"] / "prefect" / "prefect.db").is_file()
    assert run["api_url"].startswith("http://127.0.0.1:")
    assert 0 < run["warm_seconds"] < 120


def test_ingest_call_installs_the_rules_and_records_them(run: dict[str, Any]) -> None:
    loire, pdl = run["ingested"]
    root = run["root"]
    assert loire["call_id"] == call_id(LOIRE) and loire["reviewed"] and loire["version"] == 1
    installed = Path(loire["rules_file"])
    assert installed.read_bytes() == (FIXTURES / LOIRE / "rules.json").read_bytes()
    assert json.loads(Path(loire["extracted"]).read_text(encoding="utf-8"))["call_id"]
    # Without reviewed rules, the extracted ones are installed, with their sources.
    assert not pdl["reviewed"] and Path(pdl["rules_file"]).parent == root / "calls"
    extracted = json.loads(Path(pdl["rules_file"]).read_text(encoding="utf-8"))
    assert extracted["call_id"] == pdl["call_id"]
    assert extracted["title"]["evidence"], "an extracted value carries its source"


def test_sweep_inbox_checks_each_dossier_once_as_task_runs(run: dict[str, Any]) -> None:
    keys = sorted(f"{call_id(LOIRE)}/{case}" for case in ("complet-eligible", "pieces-manquantes"))
    assert run["first_sweep"] == {"checked": keys, "failed": {}}
    assert run["second_sweep"] == {"checked": [], "unchanged": keys}
    for case in ("complet-eligible", "pieces-manquantes"):
        assert (run["root"] / "reports" / call_id(LOIRE) / case / "note-instruction.docx").is_file()
    per_dossier = [t for t in run["task_runs"] if t[0] in keys]
    assert sorted(t[0] for t in per_dossier) == keys  # one task run each, named after it
    assert {t[1] for t in per_dossier} == {"COMPLETED"}


def test_check_dossier_reuses_the_reading_and_matches_the_pure_path(run: dict[str, Any]) -> None:
    first, second = run["check_dossier"]
    assert not first["cached"] and second["cached"]
    assert first["written"] == second["written"]
    assert "note-instruction.docx" in first["written"]
    pure = run["pure_result"]
    for got in (first["result"], second["result"]):
        assert got["summary"] == pure["summary"]
        assert [(f["check"], f["status"]) for f in got["findings"]] == [
            (f["check"], f["status"]) for f in pure["findings"]
        ]
        assert got["facts"] == pure["facts"]
    cached = [t for t in run["task_runs"] if t[0].startswith("extract_dossier_facts")]
    assert sorted(t[2] for t in cached) == ["Cached", "Completed"]


def test_nightly_flow_writes_the_tables(run: dict[str, Any]) -> None:
    assert "2 dossier(s) suivi(s)" in run["nightly"]["summary"]
    tables = sorted(Path(p) for p in run["nightly"]["tables"])
    assert tables == sorted(
        run["root"] / "reports" / c / "suivi-2024-09-21.csv"
        for c in (call_id(LOIRE), run["ingested"][1]["call_id"])
    )
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in tables)


def test_every_flow_ran_on_prefect(run: dict[str, Any]) -> None:
    names = [name for name, state in run["flow_runs"]]
    assert sorted(set(names)) == [
        "check_dossier",
        "ingest_call",
        "nightly_completeness",
        "sweep_inbox",
    ]
    assert names.count("sweep_inbox") == 2 and names.count("ingest_call") == 2
    assert {state for _, state in run["flow_runs"]} == {"COMPLETED"}
    tasks = [name.rsplit("-", 1)[0] for name, _, _ in run["task_runs"]]
    for step, count in [
        ("read_notice", 2),
        ("extract_rules", 2),
        ("install_rules", 2),
        ("extract_dossier_facts", 2),
        ("check_facts", 2),
        ("write_dossier_reports", 2),
    ]:
        assert tasks.count(step) == count, (step, run["task_runs"])
    assert {state for _, state, _ in run["task_runs"]} == {"COMPLETED"}


def test_server_mode_deployments(run: dict[str, Any]) -> None:
    sweep, nightly = run["deployments"]
    assert (sweep["name"], sweep["flow"]) == ("boite-de-depot", "sweep_inbox")
    assert sweep["entrypoint"] == "flows.inbox.sweep_inbox"
    assert sweep["schedules"][0]["interval"] == 30.0
    assert (nightly["name"], nightly["flow"]) == ("suivi-nocturne", "nightly_completeness")
    assert nightly["entrypoint"] == "flows.nightly.nightly_completeness"
    assert nightly["schedules"][0]["cron"] == "0 2 * * *"
    assert nightly["schedules"][0]["timezone"] == "Europe/Paris"
    for deployment in (sweep, nightly):
        assert deployment["concurrency_limit"] == 1
        assert deployment["parameters"]["home"] == str(run["root"])
    # 02:00 in Paris: UTC+2 in summer, UTC+1 in winter (00:30 UTC is 01:30 in Paris).
    assert run["next_nightly"] == ["2024-06-11T02:00:00+02:00", "2024-01-10T02:00:00+01:00"]
    assert "invalide" in run["bad_cron"]


def test_serve_loop_runs_the_nightly_flow_at_the_cron_time(run: dict[str, Any]) -> None:
    loop = run["loop"]
    target = dt.datetime.fromisoformat(loop["target"])
    assert (target.hour, target.minute) == (2, 0)
    assert loop["sweeps"] >= 1
    said = loop["said"]
    assert (
        said[0]
        == f"Suivi nocturne prévu le {target.strftime('%d/%m/%Y à %H:%M')} (heure de Paris)."
    )
    assert any(m.startswith("Suivi du ") and "dossier(s) suivi(s)" in m for m in said), said
    assert any(m.startswith("Tableau de suivi : ") for m in said), said
    following = (target + dt.timedelta(days=1)).strftime("%d/%m/%Y à 02:00")
    assert said[-1] == f"Prochain suivi nocturne : {following}.", said


def test_serve_embedded_picks_up_a_dropped_dossier(run: dict[str, Any], tmp_path: Path) -> None:
    root = run["root"]
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "serve",
            "--home",
            str(root),
            "--poll",
            "1",
            "--quiet-seconds",
            "1",
        ],
        env=clean_env(),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _wait_for(lambda: "Mode intégré" in _read(log), 120), _read(log)
        target = root / "inbox" / call_id(LOIRE) / "plan-desequilibre"
        shutil.copytree(FIXTURES / LOIRE / "plan-desequilibre" / "dossier", target)
        note = root / "reports" / call_id(LOIRE) / "plan-desequilibre" / "note-instruction.docx"
        assert _wait_for(note.is_file, 90), _read(log)
        assert _wait_for(lambda: "1 dossier(s) vérifié(s)" in _read(log), 10), _read(log)
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=60)
    output = _read(log)
    assert code == 0, output
    assert "Service arrêté." in output
    assert "Suivi nocturne prévu le" in output and "Traceback" not in output


def _wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _read(log: Any) -> str:
    log.flush()
    log.seek(0)
    return log.read()
