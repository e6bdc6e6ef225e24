"""`python -m pipeline` is the `aap` command."""

from pipeline.cli import main

main()
