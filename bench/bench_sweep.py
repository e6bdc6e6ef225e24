"""Benchmark of the inbox sweep through the Prefect flows (issue 5).

200 generated dossiers: copies of the 30 fixture dossiers under new names, each with one
file made different (a PDF comment line appended to a PDF, or a zip comment set) so that
no two have the same digest (none is a duplicate), their files dated the day the original
arrived. Timed on the same dossiers:

1. a plain loop of the `aap dossier check` logic (`check_dossier` + `write_reports`), one
   process, warm (modules and spaCy loaded before timing);
2. `pipeline.inbox.sweep`, one worker, without Prefect (archive, fingerprints, registry,
   versioned notes: the cost of "nothing lost, nothing twice");
3. the `sweep_inbox` flow, one worker (one Prefect task run per dossier);
4. the `sweep_inbox` flow, two worker processes.

The orchestration overhead is (3) / (1), target ≤ 1.3×; Prefect's warm start is measured
apart (paid once per process). With `--latency N`, `aap serve` then runs in embedded mode
and N dossiers are dropped one at a time: the time from the end of the copy to the note
(target ≤ quiet period + 3 s).

Run: `.venv/bin/python bench/bench_sweep.py [--count 200] [--latency 5]`.
Prints figures; asserts only that every dossier was checked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.home import Home  # noqa: E402

FIXTURES = REPO / "fixtures" / "dossiers"
TODAY = dt.date(2024, 9, 20)


@dataclass(frozen=True)
class Generated:
    call_id: str
    folder: str
    path: Path
    received_on: dt.date


def samples() -> list[tuple[str, str, Path, dt.date]]:
    """(call folder, case, input, arrival date) of every fixture dossier."""
    out = []
    for spec_path in sorted(FIXTURES.glob("*/*/expected.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        out.append(
            (
                spec_path.parent.parent.name,
                spec_path.parent.name,
                spec_path.parent / spec["input"],
                dt.date.fromisoformat(spec["received_on"]),
            )
        )
    return out


def call_id_of(folder: str) -> str:
    rules = FIXTURES / folder / "rules.json"
    return str(json.loads(rules.read_text(encoding="utf-8"))["call_id"])


def make_different(target: Path, number: int) -> None:
    """Make the copy's digest its own, keeping every file readable."""
    if target.suffix.lower() == ".zip":
        with zipfile.ZipFile(target, "a") as archive:
            archive.comment = f"copie {number}".encode()
        return
    pdfs = [target] if target.is_file() else sorted(target.rglob("*.pdf"))
    with open(pdfs[0], "ab") as handle:
        handle.write(f"\n% copie {number}\n".encode())


def generate(inbox: Path, count: int) -> list[Generated]:
    """`count` dossiers in `inbox/<call_id>/`, dated the day their original arrived."""
    found = samples()
    made = []
    for number in range(count):
        folder, case, source, received = found[number % len(found)]
        call_id = call_id_of(folder)
        name = f"{case}-{number:03d}" + ("" if source.is_dir() else source.suffix)
        target = inbox / call_id / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
        make_different(target, number)
        noon = dt.datetime.combine(received, dt.time(12)).timestamp()
        for item in [target, *target.rglob("*")] if target.is_dir() else [target]:
            if item.is_file():
                os.utime(item, (noon, noon))
        made.append(Generated(call_id, folder, target, received))
    return made


def fresh_home(root: Path, source_inbox: Path) -> Home:
    home = Home.resolve(root, env={})
    for folder in {p.parent.parent.name for p in FIXTURES.glob("*/*/expected.json")}:
        shutil.copyfile(FIXTURES / folder / "rules.json", home.rules_file(call_id_of(folder)))
    shutil.rmtree(home.inbox)
    shutil.copytree(source_inbox, home.inbox)  # copy2: the dates are kept
    return home


def plain_loop(dossiers: list[Generated], out: Path) -> float:
    from pipeline.dossier_check import check_dossier
    from pipeline.report import write_reports
    from pipeline.rulesfile import load_rules

    rules = {f: load_rules(FIXTURES / f / "rules.json") for f in {d.folder for d in dossiers}}
    warm = dossiers[0]  # modules, spaCy and the PDF libraries loaded before timing
    check_dossier(warm.path, rules[warm.folder], today=TODAY, received_on=warm.received_on)
    started = time.perf_counter()
    for item in dossiers:
        checked = check_dossier(
            item.path, rules[item.folder], today=TODAY, received_on=item.received_on
        )
        write_reports(
            checked.result,
            rules[item.folder],
            checked.corrections,
            out / item.call_id / item.path.name,
            on=TODAY,
            dossier_path=item.path,
        )
    return time.perf_counter() - started


def timed_sweep(home: Home, count: int, **options: object) -> float:
    from pipeline.inbox import sweep

    started = time.perf_counter()
    report = sweep(home, today=TODAY, **options)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    assert len(report.checked) == count and not report.failed, report.summary()
    return seconds


def timed_flow(home: Home, count: int, workers: int) -> float:
    from flows.inbox import sweep_inbox

    started = time.perf_counter()
    report = sweep_inbox(str(home.root), TODAY.isoformat(), workers, 5.0)
    seconds = time.perf_counter() - started
    assert len(report.checked) == count and not report.failed, report.summary()
    return seconds


def latency(home: Home, drops: int, quiet: float, poll: float) -> list[float]:
    """Drop-to-note delays of `aap serve` (embedded), once warm (one drop before)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AAP_"))}
    log = open(home.root / "serve.log", "w+", encoding="utf-8")  # noqa: SIM115
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "serve",
            "--home",
            str(home.root),
            "--poll",
            str(poll),
            "--quiet-seconds",
            str(quiet),
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    found = samples()
    delays = []
    try:
        _wait(lambda: "Mode intégré" in _read(log), 180)
        time.sleep(poll + 2)  # its first pass over the (unchanged) inbox
        for number in range(drops + 1):
            folder, case, source, _ = found[number % len(found)]
            name = f"depot-{number}-{case}" + ("" if source.is_dir() else source.suffix)
            target = home.inbox / call_id_of(folder) / name
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copyfile(source, target)
            make_different(target, 1000 + number)
            dropped = time.perf_counter()
            label = name if source.is_dir() else Path(name).stem
            note = home.reports / call_id_of(folder) / label / "note-instruction.docx"
            if not _wait(note.is_file, 120):
                raise RuntimeError("note not written: " + _read(log)[-2000:])
            if number:  # the first drop loads spaCy in the service: not "warm"
                delays.append(time.perf_counter() - dropped)
    finally:
        serve.terminate()
        serve.wait(timeout=60)
    return delays


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _read(log) -> str:  # type: ignore[no-untyped-def]
    log.flush()
    log.seek(0)
    return log.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--latency", type=int, default=5, help="drops timed in aap serve")
    parser.add_argument("--quiet", type=float, default=5.0)
    parser.add_argument("--poll", type=float, default=5.0)
    args = parser.parse_args()
    count = args.count
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        work = Path(tmp)
        dossiers = generate(work / "source", count)
        print(f"{count} dossiers generated ({len(samples())} fixture dossiers, copied)")

        plain = plain_loop(dossiers, work / "plain-out")
        print(
            f"1. plain loop (check_dossier + write_reports): {plain:.1f} s "
            f"({count / plain * 60:.0f} dossiers/min)"
        )

        direct = timed_sweep(
            fresh_home(work / "direct", work / "source"), count, quiet_seconds=5, workers=1
        )
        print(
            f"2. sweep without Prefect, 1 worker: {direct:.1f} s "
            f"(×{direct / plain:.2f} the plain loop)"
        )

        from flows import runtime

        home1 = fresh_home(work / "flow1", work / "source")
        setup = runtime.configure(home1)
        runtime.warm(home1)
        print(f"   Prefect warm start (embedded, fresh PREFECT_HOME): {setup.warm_seconds:.1f} s")
        flow1 = timed_flow(home1, count, 1)
        print(
            f"3. sweep_inbox flow, 1 worker: {flow1:.1f} s ({count / flow1 * 60:.0f} "
            f"dossiers/min) — overhead ×{flow1 / plain:.2f} the plain loop (target ≤ 1.3)"
        )
        home2 = fresh_home(work / "flow2", work / "source")
        flow2 = timed_flow(home2, count, 2)
        print(
            f"4. sweep_inbox flow, 2 workers: {flow2:.1f} s ({count / flow2 * 60:.0f} "
            f"dossiers/min, ×{flow1 / flow2:.2f} faster than 1 worker; {os.cpu_count()} cores)"
        )

        if args.latency:
            delays = latency(home2, args.latency, args.quiet, args.poll)
            print(
                f"5. aap serve (embedded, --poll {args.poll:g}, quiet {args.quiet:g} s), "
                f"drop to note once warm: median {statistics.median(delays):.1f} s, "
                f"max {max(delays):.1f} s over {len(delays)} drops "
                f"(target ≤ {args.quiet + 3:g} s): " + ", ".join(f"{d:.1f}" for d in delays)
            )


if __name__ == "__main__":
    main()
