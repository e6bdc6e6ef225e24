"""`aap demo`: run the main job on the bundled sample calls and dossiers and say where the
outputs are."""

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
    read_dossiers(home, console)


def read_dossiers(home: Path, console: Console) -> None:
    """Read every bundled sample dossier (fixtures/dossiers/<call>/<case>/) and write
    what was read to <home>/dossiers/<call>/<case>.json, with a one-line summary each."""
    import json
    from datetime import date

    from rich.table import Table

    from extractors.dossier.extract import extract_dossier
    from pipeline.files import atomic_write_text

    cases = sorted((REPO / "fixtures" / "dossiers").glob("*/*/expected.json"))
    table = Table(title="Dossiers d'exemple lus", show_lines=False)
    for column in ("Appel", "Dossier", "Pièces", "Demandeur", "Aide demandée", "À vérifier"):
        table.add_column(column)
    out_dir = home / "dossiers"
    with console.status("Lecture des dossiers d'exemple…") as status:
        for number, spec_path in enumerate(cases, start=1):
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            call, case = spec_path.parent.parent.name, spec_path.parent.name
            status.update(f"[{number}/{len(cases)}] {call}/{case}")
            received = date.fromisoformat(spec["received_on"]) if spec.get("received_on") else None
            result = extract_dossier(spec_path.parent / spec["input"], received)
            target = out_dir / call / f"{case}.json"
            atomic_write_text(target, result.model_dump_json(indent=2) + "\n")
            facts = result.facts
            aid = facts.requested_aid_eur.value
            table.add_row(
                call,
                case,
                str(len(result.documents)),
                str(facts.applicant_name.value or "—"),
                f"{aid:,.0f} €".replace(",", " ") if aid is not None else "—",
                str(len(result.warnings)),
            )
    console.print(table)
    console.print(
        f"{len(cases)} dossier(s) lu(s) ; pièces et faits, chacun avec sa source, écrits dans "
        f"[bold]{out_dir}[/]. « aap dossier extract DOSSIER » affiche le détail d'un dossier."
    )
