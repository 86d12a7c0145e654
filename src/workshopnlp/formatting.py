"""Numbers as a Danish reader expects them, in one place for explanations, tables, figures and reports.

Light on purpose (no pandas, no matplotlib), so that any module can import it.
"""

from __future__ import annotations

#: The months in Danish, lower case as written after a day («28. oktober 2022»).
MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december")
MINUS = "\u2212"  # the typographic minus: "−0,12", not the hyphen of "-0,12"


def decimal_da(value: float, digits: int = 2) -> str:
    """``value`` rounded to ``digits`` decimals with a decimal comma and a real minus sign:
    ``decimal_da(0.8712)`` gives "0,87", ``decimal_da(-0.05, 3)`` gives "−0,050"."""
    return f"{value:.{digits}f}".replace(".", ",").replace("-", MINUS)


def percent_da(share: float) -> str:
    """``share`` (0-1) as a whole percentage the Danish way, with a space before the sign: ``percent_da(0.684)``
    gives "68 %", ``percent_da(1)`` "100 %". Every share a reader sees – sentences, tables, figures, the
    command line – goes through here, so that no page says "68%" in one place and "68 %" in another."""
    return f"{100 * float(share):.0f} %"


def points_da(change: float) -> str:
    """A change of a share (0-1 scale) in percentage points with its sign: ``points_da(0.0723)`` gives
    "+7 procentpoint", ``points_da(-0.054)`` "−5 procentpoint" (typographic minus), no change "0 procentpoint"."""
    points = round(100 * float(change))
    sign = "+" if points > 0 else MINUS if points < 0 else ""
    return f"{sign}{abs(points)} procentpoint"


# "the same code" per dimension, as Danish sentences on agreement say it ("gav den samme princip i 73 % ...")
SAME_CODE_DA = {"focus_area": "samme fokusområde", "principle": "samme princip"}


def unfamiliar_warns(record: dict, warn_share: float) -> bool:
    """Whether the share of unfamiliar statements in ``record`` reaches ``warn_share``: :func:`unfamiliar_text`
    then asks for a human-coded sample, and ``run`` prints it as a «Bemærk»."""
    n, k = int(record.get("statements", 0)), int(record.get("unfamiliar", 0))
    return bool(n) and k / n >= warn_share


def unfamiliar_text(record: dict, warn_share: float) -> str:
    """One Danish sentence on how many statements are unlike anything the coder learnt from
    (``CodingModel.unfamiliar``'s record), with a plea to code a sample when their share reaches
    ``warn_share`` (``coding.unfamiliar_warn_share``). Empty when there were no statements."""
    n, k = int(record.get("statements", 0)), int(record.get("unfamiliar", 0))
    if not n:
        return ""
    closeness = 100 - float(record.get("percentile", 5))
    if not k:
        return (f"Alle {n} udsagn ligner noget, maskinen har lært af: intet af dem ligger længere fra det nærmeste af "
                f"kodebogens eksempler og de menneskekodede udsagn, end {percent_da(closeness / 100)} af disse "
                "ligger fra deres egen nærmeste nabo.")
    text = (f"{k} af {n} udsagn ({percent_da(k / n)}) ligner ikke noget, maskinen har lært af: de ligger længere fra "
            f"det nærmeste af kodebogens eksempler og de menneskekodede udsagn, end {percent_da(closeness / 100)} af "
            "disse ligger fra deres egen nærmeste nabo.")
    if unfamiliar_warns(record, warn_share):
        text += (" På tekst, der er så fremmed for maskinen, rammer dens koder langt sjældnere det, mennesker "
                 "vælger – lad nogen kode en stikprøve, før koderne bruges.")
    return text


def list_da(items: list[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1] if items else ""
