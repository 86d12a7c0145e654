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
