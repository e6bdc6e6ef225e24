"""`python -m pipeline` is the `aap` command."""

from pipeline.cli import app

app(prog_name="aap")
