"""Prefect as this program runs it: its settings, its two modes, and one warm start.

- **Embedded** (no `PREFECT_API_URL`): Prefect starts a temporary API server of its own
  (a uvicorn subprocess on a SQLite database in `PREFECT_HOME`) the first time a client
  needs it. That start is slow (measured here: about 11 s on a fresh `PREFECT_HOME`, 5 s
  afterwards) and racy: several threads or processes starting it at once each start their
  own and leave orphan servers. So it is started once, in the main process, before any
  worker exists (`warm`), and its address is exported (`PREFECT_API_URL`) so that any
  child process that imports Prefect talks to it instead of starting another one. That
  temporary server never fires schedules: `aap serve` runs its own loop in this mode.
- **Server** (`PREFECT_API_URL` set by the operator): a real Prefect server; `aap serve`
  registers deployments with schedules there.

Prefect reads its settings from the environment when it is imported, so `configure` must
run before the first `import prefect` (this module never imports Prefect at module level;
when Prefect is already loaded, its settings are refreshed).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.home import Home

EMBEDDED = "embedded"
SERVER = "server"
MODE_ENV = "AAP_PREFECT_MODE"  # set once warm: children know the exported URL is ours
STARTUP_TIMEOUT_SECONDS = "120"
MODE_LABELS = {EMBEDDED: "intégré (serveur Prefect temporaire)", SERVER: "serveur Prefect"}


class PrefectUnavailable(Exception):
    """Prefect cannot be reached or started, with a French message and what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message} {hint}")
        self.message = message
        self.hint = hint


@dataclass
class Runtime:
    """How Prefect runs in this process: mode, API address once known, where it keeps
    its state, and how long the warm start took (None before, 0.0 in server mode)."""

    mode: str
    prefect_home: Path
    api_url: str | None = None
    warm_seconds: float | None = None

    @property
    def label(self) -> str:
        return MODE_LABELS[self.mode]


_runtime: Runtime | None = None


def mode(env: MutableMapping[str, str] | None = None) -> str:
    """`server` when the operator points `PREFECT_API_URL` at a Prefect server, else
    `embedded` (an address exported by our own warm start does not count)."""
    env = os.environ if env is None else env
    if env.get(MODE_ENV) == EMBEDDED:
        return EMBEDDED
    return SERVER if env.get("PREFECT_API_URL", "").strip() else EMBEDDED


def configure(home: Home, env: MutableMapping[str, str] | None = None) -> Runtime:
    """Set Prefect's environment for `home` (once per process; later calls return the
    same runtime): `PREFECT_HOME` inside the data home (two homes never share a Prefect
    database), analytics off, a generous startup timeout, quiet logs in embedded mode."""
    global _runtime
    if _runtime is not None:
        return _runtime
    env = os.environ if env is None else env
    chosen = mode(env)
    if chosen == EMBEDDED or not env.get("PREFECT_HOME"):
        env["PREFECT_HOME"] = str(home.prefect_home)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", STARTUP_TIMEOUT_SECONDS)
    if chosen == EMBEDDED:
        # The instructeur reads our French messages; Prefect's run chatter stays out.
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if "prefect.context" in sys.modules:
        import prefect.context

        prefect.context.refresh_global_settings_context()
    _runtime = Runtime(mode=chosen, prefect_home=Path(env["PREFECT_HOME"]))
    return _runtime


def warm(home: Home) -> Runtime:
    """Make Prefect ready in this process, once: in embedded mode start its temporary
    server now (before any thread or worker process could race to start their own) and
    export its address; in server mode check that the server answers.

    Raises `PrefectUnavailable` with a French message when it cannot."""
    runtime = configure(home)
    if runtime.warm_seconds is not None:
        return runtime
    started = time.perf_counter()
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            failure = client.api_healthcheck()
            url = str(client.api_url)
    except Exception as exc:  # noqa: BLE001 - any start-up failure gets the same advice
        raise _unavailable(runtime, exc) from exc
    if failure is not None:
        raise _unavailable(runtime, failure)
    runtime.api_url = url.rstrip("/")
    if runtime.mode == EMBEDDED:
        os.environ["PREFECT_API_URL"] = runtime.api_url
        os.environ[MODE_ENV] = EMBEDDED
    runtime.warm_seconds = time.perf_counter() - started
    return runtime


def current() -> Runtime | None:
    """The runtime configured in this process, if any."""
    return _runtime


def _unavailable(runtime: Runtime, cause: object) -> PrefectUnavailable:
    if runtime.mode == SERVER:
        return PrefectUnavailable(
            f"Le serveur Prefect « {os.environ.get('PREFECT_API_URL')} » ne répond pas ({cause}).",
            "Vérifiez qu'il est démarré (« prefect server start ») et l'adresse "
            "PREFECT_API_URL, ou retirez PREFECT_API_URL pour le mode intégré.",
        )
    return PrefectUnavailable(
        f"Le serveur Prefect temporaire n'a pas pu démarrer ({cause}).",
        f"Vérifiez les droits d'écriture dans « {runtime.prefect_home} », ou lancez la "
        "commande avec --no-prefect pour travailler sans Prefect.",
    )
