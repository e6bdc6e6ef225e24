"""The pinned Prefect combination really runs a flow (issue: plain `pip install prefect`
gives a Prefect that breaks with recent FastAPI and SQLAlchemy 2.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

FLOW = """
from prefect import flow, task

@task
def double(x: int) -> int:
    return 2 * x

@flow
def smoke(n: int = 21) -> int:
    return double(n)

print("result", smoke())
"""


def test_pinned_versions() -> None:
    assert version("prefect") == "3.8.8"
    assert Version(version("fastapi")) < Version("0.151")
    assert Version(version("sqlalchemy")) < Version("2.1")


@pytest.mark.slow
def test_a_flow_runs_on_the_embedded_server(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", FLOW], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "result 42" in proc.stdout
