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
    """Check every bundled sample dossier (fixtures/dossiers/<call>/<case>/) against its
    call's reviewed rules and write its reports to <home>/rapports/<call>/<case>/."""
    import json
    from datetime import date

    from rich.table import Table

    from pipeline import rulesfile
    from pipeline.dossier_check import check_dossier
    from pipeline.render import ELIGIBLE_LABELS, euros
    from pipeline.report import write_reports

    cases = sorted((REPO / "fixtures" / "dossiers").glob("*/*/expected.json"))
    table = Table(title="Dossiers d'exemple vérifiés", show_lines=False)
    for column in ("Appel", "Dossier", "Demandeur", "Complet", "Éligibilité", "Aide proposée"):
        table.add_column(column)
    out_dir = home / "rapports"
    with console.status("Vérification des dossiers d'exemple…") as status:
        for number, spec_path in enumerate(cases, start=1):
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            call, case = spec_path.parent.parent.name, spec_path.parent.name
            status.update(f"[{number}/{len(cases)}] {call}/{case}")
            rules = rulesfile.load_rules(spec_path.parent.parent / "rules.json")
            received = date.fromisoformat(spec["received_on"])
            checked = check_dossier(
                spec_path.parent / spec["input"], rules, today=received, received_on=received
            )
            write_reports(
                checked.result,
                rules,
                checked.corrections,
                out_dir / call / case,
                on=received,
                dossier_path=spec_path.parent / spec["input"],
            )
            summary = checked.result.summary
            aid = summary.proposed_aid_eur
            table.add_row(
                call,
                case,
                str(checked.result.facts.applicant_name.value or "—"),
                "oui" if summary.complete else "non",
                ELIGIBLE_LABELS.get(summary.eligible, summary.eligible),
                euros(aid) if aid is not None else "—",
            )
    console.print(table)
    console.print(
        f"{len(cases)} dossier(s) vérifié(s) contre les règles relues de leur appel "
        "(fixtures/dossiers/<appel>/rules.json) ; notes d'instruction, résultats et demandes de "
        f"pièces écrits dans [bold]{out_dir}[/]. « aap dossier check DOSSIER --call REGLES » "
        "vérifie un dossier."
    )
