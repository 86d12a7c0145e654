"""Numbers as a Danish reader expects them, in one place for explanations, tables, figures and reports.

Light on purpose (no pandas, no matplotlib), so that any module can import it.
"""

from __future__ import annotations

MINUS = "\u2212"  # the typographic minus: "−0,12", not the hyphen of "-0,12"


def decimal_da(value: float, digits: int = 2) -> str:
    """``value`` rounded to ``digits`` decimals with a decimal comma and a real minus sign:
    ``decimal_da(0.8712)`` gives "0,87", ``decimal_da(-0.05, 3)`` gives "−0,050"."""
    return f"{value:.{digits}f}".replace(".", ",").replace("-", MINUS)


# "the same code" per dimension, as Danish sentences on agreement say it ("gav den samme princip i 73 % ...")
SAME_CODE_DA = {"focus_area": "samme fokusområde", "principle": "samme princip"}


def unfamiliar_text(record: dict, warn_share: float) -> str:
    """One Danish sentence on how many statements are unlike anything the coder learnt from
    (``CodingModel.unfamiliar``'s record), with a plea to code a sample when their share reaches
    ``warn_share`` (``coding.unfamiliar_warn_share``). Empty when there were no statements."""
    n, k = int(record.get("statements", 0)), int(record.get("unfamiliar", 0))
    if not n:
        return ""
    closeness = 100 - float(record.get("percentile", 5))
    text = (f"{k} af {n} udsagn ({k / n:.0%}) ligner ikke noget, maskinen har lært af: de ligger længere fra "
            f"kodebogens eksempler og de menneskekodede udsagn, end {closeness:.0f} % af dem ligger fra hinanden.")
    if k / n >= warn_share:
        text += (" På tekst, der er så fremmed for maskinen, rammer dens koder langt sjældnere det, mennesker "
                 "vælger – lad nogen kode en stikprøve, før koderne bruges.")
    return text
