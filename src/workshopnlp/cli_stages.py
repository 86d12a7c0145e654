"""Sub-commands for the stages after ingest: code, coding-sheet, themes, compare, figures, report, run."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import load_params
from .errors import InputError
from .formatting import list_da


def cmd_code(args: argparse.Namespace) -> int:
    from .codebook import workshop_codebook
    from .coding import code_table, code_workshop, provenance_path_of

    params = load_params(args.params)
    if args.workshop and args.input:
        raise InputError("angiv enten INPUT eller --workshop, ikke begge", fix="se workshopnlp code --help")
    if args.workshop and args.human_codes:
        raise InputError("--human-codes gælder kun for INPUT; en workshops koder ligger som kodeark",
                         fix=f"læg udfyldte kodeark i data/raw/{args.workshop}/kodning/")
    if args.workshop:
        codes = code_workshop(args.workshop, args.data_dir, params, args.codebook)
        labels = workshop_codebook(args.data_dir, args.workshop).dimension("focus_area").labels()
        # Counted as the reports' figures count: statements with content, each verbatim repeat once. Empty answers
        # («-», «ved ikke») are coded «ingen» by rule; counted here, they made «Intet fokusområde» larger than the
        # report's figure.
        empty, repeats = set(codes.attrs["empty_statement_ids"]), set(codes.attrs["duplicate_statement_ids"])
        leader = set(codes.attrs["facilitator_statement_ids"])
        counted = codes[~codes["statement_id"].isin(empty | repeats)]
        counts = ", ".join(f"{labels.get(c, c)} {n}" for c, n in counted["focus_area"].value_counts().items())
        left_out = [f"{len(empty - leader)} tomme svar (kodet «ingen»)" if empty - leader else "",
                    f"{len(leader)} linjer fra facilitator eller ordstyrer (kodet «ingen»)" if leader else "",
                    f"{len(repeats)} ordrette gentagelser" if repeats else ""]
        print(f"{len(codes)} udsagn kodet ({(codes['code_source'] == 'menneske').sum()} af mennesker). "
              f"Fokusområder, talt som i rapporterne, blandt {len(counted)} udsagn: {counts}."
              + (f" {list_da([x for x in left_out if x])} tæller ikke med (codes.csv har dem med; kolonnerne "
                 "is_empty_content, is_facilitator og is_duplicate i statements.parquet siger, hvilke det er)."
                 if empty or repeats else ""))
        print(codes.attrs["training_summary"])
        if codes.attrs.get("unfamiliar_text"):
            print(codes.attrs["unfamiliar_text"])
        print(f"Skrevet: {Path(args.data_dir) / 'processed' / args.workshop / 'codes.parquet'}")
        return 0
    if not args.input or not args.out:
        raise InputError("angiv INPUT og --out, eller --workshop", fix="fx: workshopnlp code svar.csv --out koder.csv")
    out = code_table(args.input, args.out, args.text_column, args.id_column, params, args.codebook, args.data_dir,
                     context_column=args.context_column, human_codes=args.human_codes, sheet=args.sheet)
    print(out.attrs["training_summary"])
    print(f"{len(out)} rækker kodet. Skrevet: {args.out} (og {provenance_path_of(args.out).name} ved siden af)")
    return 0


def cmd_sheet_export(args: argparse.Namespace) -> int:
    import pandas as pd

    from .codebook import workshop_codebook
    from .coding import load_all_human_codes, model_suggestions, read_statements
    from .coding_sheet import (blind_codes, coded_rows, disputed_statements, open_disputes, sample_per_persona,
                               write_coding_sheet)
    from .config import WorkshopPaths, refuse_inside_raw

    if args.review and (args.blind or args.per_persona is not None or args.uncoded):
        raise InputError("--review kan ikke kombineres med --blind, --per-persona eller --uncoded",
                         fix="et gennemgangsark viser altid de tidligere koderes koder; brug --review alene, "
                             "eller --per-persona N [--uncoded] til en ny blind runde")
    codebook = workshop_codebook(args.data_dir, args.workshop, args.codebook)
    paths = WorkshopPaths(args.data_dir, args.workshop)
    all_statements = read_statements(args.data_dir, args.workshop)
    statements = all_statements[~all_statements["is_empty_content"]] if not args.include_empty else all_statements
    earlier = None
    human = (load_all_human_codes(args.data_dir, codebook, {args.workshop: all_statements})
             if args.review or args.uncoded else None)
    if args.uncoded:
        statements = statements[~statements["statement_id"].isin(blind_codes(human)["statement_id"])]
    if args.review:
        # only statements the sheet may hold: a dispute over a facilitator's line (is_facilitator) is not counted
        listed = set(statements["statement_id"])
        earlier = {sid: codes for sid, codes in open_disputes(human).items() if sid in listed}
        if not earlier:
            n_disputed = len(set(disputed_statements(human)) & listed)
            raise InputError(f"ingen udsagn at gennemgå i {args.workshop}: "
                             + (f"alle {n_disputed} uenigheder er allerede afgjort ved en gennemgang" if n_disputed
                                else "koderne er enige om alle udsagn" if len(human) else "ingen kodeark fundet"),
                             file=paths.human_codes_dir,
                             fix=("en ny gennemgang kræver nye uenigheder: lad flere kode blindt (se "
                                  "'coding-sheet export --per-persona N --uncoded')" if n_disputed else
                                  "læg mindst to udfyldte kodeark i mappen (se 'coding-sheet export')"))
        statements = statements[statements["statement_id"].isin(earlier)]
    if args.uncoded and statements.empty:
        raise InputError(f"ingen udsagn at lægge i arket for {args.workshop}: alle er allerede kodet",
                         file=paths.human_codes_dir, fix="udelad --uncoded, eller brug --review til uenighederne")
    if args.per_persona is not None:
        statements = sample_per_persona(statements, args.per_persona, load_params(args.params)["coding"]["seed"])
    blind = args.blind or args.per_persona is not None
    codes = model_suggestions(pd.read_parquet(paths.codes)) if paths.codes.exists() and not blind else None
    kind = ("gennemgang" if args.review else "stikprøve" if args.per_persona is not None
            else "blind" if args.blind else "")  # a blind sheet does not overwrite the one with suggestions
    default_name = f"kodeark_{args.workshop}{'_' + kind if kind else ''}.xlsx"
    out = Path(args.out or (paths.processed / default_name))
    refuse_inside_raw(out, args.data_dir, "--out",
                      f"skriv arket uden for raw/ (standard: {paths.processed / default_name}); gem det udfyldte ark i "
                      f"{paths.human_codes_dir}/ selv, og kør 'coding-sheet import'")
    if out.exists():
        filled = coded_rows(out)
        if filled is None or filled > 0:
            raise InputError(("filen findes allerede og er ikke et kodeark" if filled is None else
                              f"kodearket findes allerede og har {filled} udfyldte rækker"),
                             file=out, fix="giv det nye ark et andet navn med --out, eller flyt det gamle først; "
                                           "export overskriver kun et ark, ingen har kodet i")
    write_coding_sheet(statements, codes, codebook, out, args.workshop, earlier_codes=earlier)
    what = {"gennemgang": "Gennemgangsark", "stikprøve": "Blindt stikprøveark"}.get(kind, "Kodeark")
    print(f"{what} med {len(statements)} udsagn skrevet: {out}")
    if codes is None and not blind:
        print(f"Bemærk: workshoppen er ikke kodet endnu, så arket har ingen forslag fra maskinen (det er blindt). "
              f"Vil du have forslagene med, så kør 'workshopnlp code --workshop {args.workshop}' og eksportér igen.")
    if args.per_persona is not None:
        print("Udsagn pr. persona: " + ", ".join(f"{p} {n}" for p, n in statements["persona"].value_counts()
                                                   .sort_index().items()))
    print(f"Når det er udfyldt: gem det i {paths.human_codes_dir}/ og kør "
          f"'workshopnlp coding-sheet import --workshop {args.workshop}'.")
    return 0


def cmd_sheet_import(args: argparse.Namespace) -> int:
    """Check filled sheets and read them in. Sheets named from elsewhere are checked together with those
    already in ``raw/<id>/kodning/`` (a coder's codes must agree across sheets) and then copied there, where
    'code' and 'run' read them; ``human_codes.parquet`` always holds every sheet of that folder."""
    import shutil

    from .codebook import workshop_codebook
    from .coding import read_statements
    from .coding_sheet import is_review, read_coding_sheets, sheets_in
    from .config import WorkshopPaths
    from .provenance import atomic_file, sha256_file, staged_files

    paths = WorkshopPaths(args.data_dir, args.workshop)
    folder = paths.human_codes_dir
    named = [Path(p) for p in args.sheets]
    for sheet in named:
        if not sheet.is_file():
            raise InputError("kodearket findes ikke", file=sheet, fix="tjek stien og filnavnet")
    present = sheets_in(folder)
    outside = [s for s in named if s.resolve().parent != folder.resolve()]
    for sheet in outside:
        there = folder / sheet.name
        if there.exists() and sha256_file(there) != sha256_file(sheet):
            raise InputError(f"der ligger allerede et andet kodeark med navnet '{sheet.name}'", file=there,
                             fix="giv det nye ark et andet navn; eller slet det gamle i mappen, hvis det nye skal "
                                 "erstatte det")
    new = [s for s in outside if not (folder / s.name).exists()]  # an identical copy is already there
    together = [*present, *new]
    if not together:
        raise InputError("ingen udfyldte kodeark fundet", file=folder,
                         fix="angiv kodeark som argumenter eller læg dem i mappen")
    statements = read_statements(args.data_dir, args.workshop)
    codebook = workshop_codebook(args.data_dir, args.workshop, args.codebook)
    ids = set(statements["statement_id"])
    # The named sheets alone first (what the message counts), then with the folder's (a coder's codes must
    # agree across sheets; the same code in two sheets is one code).
    mine = read_coding_sheets(named, codebook, ids, args.workshop) if named else None
    for sheet in named:
        if mine is not None and not (mine["sheet"] == sheet.name).any():
            raise InputError("kodearket har ingen koder: kolonnerne fokusomraade og princip er tomme", file=sheet,
                             fix="udfyld de gule kolonner fokusomraade, princip og koder (forslag_fokusomraade og "
                                 "forslag_princip er maskinens forslag og læses ikke), gem og importér igen")
    human = read_coding_sheets(together, codebook, ids, args.workshop)
    for sheet in new:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(folder / sheet.name) as tmp:
            shutil.copyfile(sheet, tmp)
    with staged_files(paths.processed) as tmp:
        human.to_parquet(tmp / "human_codes.parquet", index=False)
    names = {s.name for s in named} or {s.name for s in together}
    mine = human if mine is None else mine
    n_reviews = int(is_review(mine).sum())
    n_coders = mine["coder"].nunique()
    print(f"{len(mine)} kodninger fra {n_coders} {'koder' if n_coders == 1 else 'kodere'} af "
          f"{mine['statement_id'].nunique()} udsagn læst fra {len(names)} ark"
          + (f"; heraf {n_reviews} afgørelser fra gennemgangsark." if n_reviews else "."))
    if new:
        print(f"Kopieret til {folder}/, hvor 'code' og 'run' læser kodeark: {', '.join(s.name for s in new)}.")
    others = len({s.name for s in together} - names)
    if others:
        print(f"Kontrolleret sammen med {others} andre ark i mappen; i alt {len(human)} kodninger af "
              f"{human['statement_id'].nunique()} udsagn i {paths.processed / 'human_codes.parquet'}.")
    print(f"Kør 'workshopnlp run --workshop {args.workshop}' (eller 'code'), så koderne og rapporterne bruger dem.")
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from .figures import build_figures

    out = args.out or (args.reports_dir / args.workshop / "figures")
    result = build_figures(args.workshop, args.data_dir, Path(out), load_params(args.params))
    print(f"{len(result.get('figures', {}))} figurer skrevet i {out}")
    for skipped in result.get("skipped", []):
        print(f"  sprunget over: {skipped.get('title', skipped.get('name', ''))}: {skipped['reason']}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .config import orphans_note
    from .report import render_reports

    note = orphans_note(args.data_dir)
    if note:
        print(note)

    target = render_reports(args.workshop, args.data_dir, args.reports_dir, load_params(args.params),
                            args.notebooks_dir, progress=lambda nb: print(f"  kører {nb} …"))
    print(f"Rapporten er klar: {target / 'index.html'}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_pipeline

    run_pipeline(args.workshop, args.data_dir, args.reports_dir, load_params(args.params), force=args.force,
                 notebooks_dir=args.notebooks_dir, codebook_path=args.codebook)
    print(f"Færdig. Åbn rapporten: {Path(args.reports_dir) / args.workshop / 'index.html'}")
    return 0


def _add_reports(p) -> None:
    p.add_argument("--reports-dir", type=Path, default=Path("reports"), help="hvor rapporterne skrives "
                                                                            "(standard: ./reports)")
    p.add_argument("--notebooks-dir", type=Path, default=None, help="mappe med de nummererede notebooks "
                                                                    "(standard: repoets notebooks/)")


def register(sub, add_common) -> None:
    p = sub.add_parser("code", help="kod udsagn efter fokusområder og principper",
                       description="Koder hvert udsagn med et primært fokusområde og et primært dataetisk princip, "
                                   "en score for hver kode og en forklaring. Enten en workshop (--workshop ID) eller "
                                   "en vilkårlig tabel (INPUT --out OUT.csv).")
    p.add_argument("input", nargs="?", type=Path, help="CSV- eller XLSX-tabel der skal kodes")
    p.add_argument("--out", type=Path, help="hvor resultatet skrives (.csv eller .xlsx)")
    p.add_argument("--text-column", default="text", help="kolonnen med teksten (standard: text)")
    p.add_argument("--id-column", default=None,
                   help="kolonnen med id (standard: id, eller rækkenummeret, hvis tabellen ingen id-kolonne har)")
    p.add_argument("--context-column", default=None,
                   help="valgfri kolonne med spørgsmålet eller afsnittet, svaret hører til (bruges som kontekst)")
    p.add_argument("--human-codes", nargs="+", type=Path, default=None, metavar="CSV",
                   help="menneskers koder af nogle af tabellens rækker (kolonner id, focus_area, principle, evt. "
                        "koder): maskinen lærer af dem, måler sig på en fast del af dem, og de står i OUT")
    p.add_argument("--sheet", default=None,
                   help="arket i en XLSX-fil (standard: det ene ark med tekstkolonnen; har flere den, skal et vælges)")
    p.add_argument("--workshop", help="kod en workshops udsagnstabel og skriv codes.parquet ved siden af")
    p.add_argument("--codebook", type=Path, default=None, help="en anden kodebog (YAML) end den medfølgende")
    add_common(p)
    p.set_defaults(func=cmd_code)

    sheet = sub.add_parser("coding-sheet", help="kodeark til manuel kodning i Excel (export/import)")
    sheet_sub = sheet.add_subparsers(dest="sheet_command", metavar="HANDLING")
    sheet_sub.required = True
    e = sheet_sub.add_parser("export", help="skriv et XLSX-kodeark med maskinens forslag og rullelister")
    e.add_argument("--workshop", required=True, help="workshoppens id (mappen under data/raw/)")
    e.add_argument("--out", type=Path, help="sti til arket (standard: processed/<id>/kodeark_<id>[_blind|_stikprøve|"
                                            "_gennemgang].xlsx)")
    e.add_argument("--include-empty", action="store_true", help="tag også tomme svar med")
    e.add_argument("--blind", action="store_true", help="uden maskinens forslag (til en guldstandard)")
    e.add_argument("--per-persona", type=int, default=None, metavar="N",
                   help="blind stikprøve: N tilfældige udsagn pr. persona (fast seed: coding.seed)")
    e.add_argument("--uncoded", action="store_true",
                   help="kun udsagn, ingen har kodet endnu (fx til en ny stikprøve efter den første)")
    e.add_argument("--review", action="store_true",
                   help="kun udsagn, koderne er uenige om, med deres koder; gennemgangens koder afgør udsagnet")
    e.add_argument("--codebook", type=Path, default=None,
                   help="en anden kodebog (YAML); standard: den workshoppen senest blev kodet med")
    add_common(e)
    e.set_defaults(func=cmd_sheet_export)
    i = sheet_sub.add_parser("import", help="læs udfyldte kodeark og kontrollér dem")
    i.add_argument("sheets", nargs="*", help="udfyldte ark (standard: alle i data/raw/<id>/kodning/)")
    i.add_argument("--workshop", required=True, help="workshoppens id (mappen under data/raw/)")
    i.add_argument("--codebook", type=Path, default=None,
                   help="en anden kodebog (YAML); standard: den workshoppen senest blev kodet med")
    add_common(i)
    i.set_defaults(func=cmd_sheet_import)

    f = sub.add_parser("figures", help="lav figurerne (PNG og SVG) for en workshop")
    f.add_argument("--workshop", required=True)
    f.add_argument("--reports-dir", type=Path, default=Path("reports"))
    f.add_argument("--out", type=Path, default=None, help="standard: <reports-dir>/<workshop>/figures")
    add_common(f)
    f.set_defaults(func=cmd_figures)

    r = sub.add_parser("report", help="kør notebooks og lav HTML-rapporter (læser- og forskerversion)",
                       description="Udfører notebooks med papermill og laver selvstændige HTML-rapporter uden kode "
                                   "(til projektgruppen) og med kode (til forskere) samt index.html. En fejlende "
                                   "notebook nævnes med celle, og den forrige rapport bevares.")
    r.add_argument("--workshop", required=True)
    _add_reports(r)
    add_common(r)
    r.set_defaults(func=cmd_report)

    run = sub.add_parser("run", help="hele kæden: ingest → code → themes → figurer → rapport",
                         description="Kører de trin, hvis input er ændret siden sidst (ellers springes de over), "
                                     "og skriver rapporten i <reports-dir>/<workshop>/index.html.")
    run.add_argument("--workshop", required=True)
    run.add_argument("--force", action="store_true", help="kør alle trin, også uændrede")
    run.add_argument("--codebook", type=Path, default=None,
                     help="en anden kodebog (YAML) end den medfølgende; en senere run uden den koder med den medfølgende")
    _add_reports(run)
    add_common(run)
    run.set_defaults(func=cmd_run)

    try:
        from .cli_themes import register as register_themes
    except ImportError:  # pragma: no cover - the themes stage is optional at import time
        register_themes = None
    if register_themes is not None:
        register_themes(sub, add_common)
