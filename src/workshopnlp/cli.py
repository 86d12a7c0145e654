"""The ``workshopnlp`` command line. Each sub-command is a thin wrapper over one stage's function.

Errors in the user's input are printed as plain Danish messages naming file, place and fix, with a
non-zero exit and no traceback (set ``WORKSHOPNLP_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .config import DEFAULT_DATA_DIR, DEFAULT_REPORTS_DIR, check_workshop_id, load_params
from .errors import WorkshopError


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                   help="mappe med raw/ og processed/ (standard: ./data)")
    p.add_argument("--params", type=Path, default=None,
                   help="YAML-fil der overskriver standardparametrene (se src/workshopnlp/params.yaml)")


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest

    result = ingest(args.workshop, args.data_dir, load_params(args.params))
    for line in result.summary():
        print(line)
    print(f"Skrevet: {Path(args.data_dir) / 'processed' / args.workshop / 'statements.parquet'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshopnlp",
        description="Fra rå workshop-input (noter og spørgeskemaer) til pseudonymiserede udsagn, koder, "
                    "temaer og rapporter – offline og på dansk.")
    parser.add_argument("--version", action="version", version=f"workshopnlp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO")
    sub.required = True

    p = sub.add_parser("ingest", help="læs data/raw/<workshop>/ og skriv udsagnstabellen",
                       description="Læser alle filer i <data-dir>/raw/<workshop>/, erstatter personoplysninger, "
                                   "lemmatiserer på dansk og skriver <data-dir>/processed/<workshop>/"
                                   "statements.parquet (+ .csv, redaktionslog, udledt manifest, proveniens).")
    p.add_argument("--workshop", required=True, help="workshop-id = mappenavnet under raw/")
    _add_common(p)
    p.set_defaults(func=cmd_ingest)

    _register_later_stages(sub, _add_common)
    return parser


def _register_later_stages(sub, add_common) -> None:
    """Stages beyond ingest register their sub-commands here (kept apart so each stays small)."""
    try:
        from .cli_stages import register
    except ImportError:  # pragma: no cover - stages not yet present
        return
    register(sub, add_common)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # A workshop id is a folder name under raw/ (config.check_workshop_id), checked before any step reads
        # or writes: «--workshop ../raw/<id>» wrote the statement table into the raw folder itself.
        named = [("--workshop", getattr(args, "workshop", None))]
        named += [("--workshops", w) for w in getattr(args, "workshops", None) or []]
        for option, workshop_id in named:
            if workshop_id is not None:
                check_workshop_id(workshop_id, option)
        return int(args.func(args) or 0)
    except WorkshopError as exc:
        if os.environ.get("WORKSHOPNLP_DEBUG"):
            raise
        print(exc.describe(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("Afbrudt.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
