"""`aap demo`: run the main job on the bundled sample calls and say where the outputs are."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
SEED_CALLS = ("loire-connect-2023", "pdl-innovation-numerique", "bfc-feder-e-gouvernement")


def run(home: Path, console: Console) -> None:
    from extractors.call import extract_call
    from pipeline import rulesfile
    from pipeline.cli import print_rules
    from pipeline.documents import read_document
    from pipeline.errors import DocumentError

    calls_dir = home / "calls"
    written: list[Path] = []
    for case in SEED_CALLS:
        notice = next((REPO / "fixtures" / "calls" / case).glob("notice.*"))
        console.rule(f"Appel : {notice.relative_to(REPO)}")
        try:
            doc = read_document(notice)
        except DocumentError as exc:
            console.print(f"[red]{exc.message}[/] {exc.hint}")
            continue
        rules = extract_call(doc)
        target = calls_dir / f"{rules.call_id}.json"
        try:
            rules, _ = rulesfile.write_rules(rules, target)
        except rulesfile.RulesFileError as exc:
            console.print(f"[red]{exc.message}[/] {exc.hint}")
            continue
        print_rules(rules)
        written.append(target)
    console.rule("Résultat")
    console.print(f"{len(written)} fichier(s) de règles écrit(s) dans [bold]{calls_dir}[/] :")
    for path in written:
        console.print(f"  • {path}")
    console.print(
        "Relisez-les et corrigez une valeur si besoin (elle sera marquée « manual » et "
        "conservée) ; « aap call show FICHIER » les réaffiche avec leurs sources."
    )
