"""Prefect flows: they orchestrate the pure path (read, extract, check, report) and hold
no business rule (DESIGN §2).

- `flows.calls.ingest_call`: a call notice → its rules file in `calls/` + the registry;
- `flows.dossier.check_dossier`: one dossier (tasks: read and extract, cached by content
  digest; check; report);
- `flows.inbox.sweep_inbox`: one pass over the inbox (`pipeline.inbox.sweep`);
- `flows.nightly.nightly_completeness`: the nightly run (`pipeline.nightly.nightly`);
- `flows.serve`: `aap serve`, its own loop in embedded mode, deployments on a server.

Import `flows.runtime` and call `configure(home)` before importing the flow modules:
Prefect reads its settings when it is imported. This package itself imports nothing.
"""
