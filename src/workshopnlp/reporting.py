"""What the notebooks show: a workshop's tables loaded once, Danish tables and texts for readers.

The notebooks stay thin: each cell calls one function here or in :mod:`workshopnlp.figures` and
displays the result. Texts are plain Danish for the project group; numbers come from the data.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .codebook import DIMENSIONS, Codebook, code_ids_as_labels, example_origin_da, examples_across_personas
from .coding_sheet import disputed_statements, is_review, open_disputes
from .config import WorkshopPaths, load_params
from .errors import InputError
from .figures import SOURCE_KIND_LABELS_DA, figure_params, theme_change_status
from .figures import _usable as usable_statements
from .figures import workshop_label as figure_workshop_label
from .formatting import SAME_CODE_DA, decimal_da, list_da, percent_da, points_da, unfamiliar_text
from .ingest import facilitator_mask
from .personas import PERSONA_LABELS_DA, REGISTER_LABELS_DA, SIDE_LABELS_DA, SOURCE_KINDS, UNKNOWN_PERSONA
from .pseudonymise import is_sensitive

REDACTION_LABELS_DA = {"cpr": "CPR-numre", "telefon": "Telefonnumre", "email": "E-mailadresser",
                       "adresse": "Adresser", "navn": "Personnavne"}


def workshop_label(workshop_id: str) -> str:
    """"2022-10-28-dataetik" -> "28. oktober 2022"; ids without a date are returned as they are."""
    return figure_workshop_label(workshop_id, with_day=True)


@dataclass
class WorkshopBundle:
    """Everything the notebooks read for one workshop (pseudonymised data only)."""

    workshop_id: str
    data_dir: Path
    statements: pd.DataFrame
    codes: pd.DataFrame | None
    human_codes: pd.DataFrame | None
    agreement: pd.DataFrame | None
    redactions: pd.DataFrame
    themes: pd.DataFrame | None
    theme_codes: pd.DataFrame | None
    themes_json: dict[str, Any] | None
    stability: dict[str, Any] | None
    themes_missing_reason: str
    codebook: Codebook
    params: dict[str, Any]
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    assignments: pd.DataFrame | None = None  # themes/assignments.parquet: each statement's theme

    @property
    def label(self) -> str:
        return workshop_label(self.workshop_id)

    def coded(self) -> pd.DataFrame:
        """Statements joined with their codes (empty answers and duplicates included, flagged)."""
        if self.codes is None:
            raise InputError(f"workshoppen '{self.workshop_id}' er ikke kodet endnu",
                             file=WorkshopPaths(self.data_dir, self.workshop_id).codes,
                             fix=f"kør: workshopnlp code --workshop {self.workshop_id}")
        return self.statements.merge(self.codes, on="statement_id", how="left")


def _read_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


#: Why a page has no themes when the themes step has not run (a reader's words: no command names).
THEMES_NOT_FOUND_YET_DA = "temaerne er ikke fundet endnu; de kommer med, når hele analysen køres igen"


def load_bundle(workshop_id: str, data_dir: str | Path = "data", codebook_path=None,
                params: dict[str, Any] | None = None) -> WorkshopBundle:
    """Everything a report page shows of a workshop; ``params``: the run's parameters (default: the package's)."""
    paths = WorkshopPaths(Path(data_dir), workshop_id)
    if not paths.statements.exists():
        raise InputError(f"workshoppen '{workshop_id}' har ingen bearbejdede data", file=paths.statements,
                         fix=f"kør: workshopnlp run --workshop {workshop_id} --data-dir {data_dir}")
    processed = paths.processed
    themes_dir = paths.themes_dir
    reason = ""
    skipped = _read_json(processed / "themes_skipped.json")
    if skipped:
        reason = skipped.get("reason", "")
    elif not (themes_dir / "themes.csv").exists():
        reason = THEMES_NOT_FOUND_YET_DA
    provenance = {}
    for name in ("statements", "codes"):
        rec = _read_json(processed / f"{name}.provenance.json")
        if rec:
            provenance[name] = rec
    rec = _read_json(themes_dir / "themes.provenance.json")
    if rec:
        provenance["themes"] = rec
    agreement = _read_rows(processed / "agreement.csv")
    agreement = agreement if len(agreement) else None
    from .agreement import tentative_codebook

    codebook = tentative_codebook(data_dir, workshop_id, agreement, codebook_path)
    themes, themes_json = None, None
    if not reason:
        from .codebook import tentative_theme_name, themes_with_tentative_names

        themes = themes_with_tentative_names(pd.read_csv(themes_dir / "themes.csv"), codebook)
        themes_json = _read_json(themes_dir / "themes.json")
        for theme in (themes_json or {}).get("themes", []):
            theme["label"], theme["code_label"] = tentative_theme_name(theme.get("label", ""),
                                                                       theme.get("code_label", ""),
                                                                       theme.get("code"), codebook)
    return WorkshopBundle(
        workshop_id=workshop_id, data_dir=Path(data_dir), statements=pd.read_parquet(paths.statements),
        codes=pd.read_parquet(paths.codes) if paths.codes.exists() else None,
        human_codes=pd.read_parquet(processed / "human_codes.parquet")
        if (processed / "human_codes.parquet").exists() else None,
        agreement=agreement,
        redactions=pd.read_csv(processed / "redaction_log.csv"),
        themes=themes,  # with «(foreløbig)» in a name that carries a tentative code
        theme_codes=pd.read_csv(themes_dir / "theme_codes.csv") if not reason else None,
        themes_json=themes_json,
        stability=_read_json(themes_dir / "stability.json") if not reason else None,
        assignments=pd.read_parquet(themes_dir / "assignments.parquet")
        if not reason and (themes_dir / "assignments.parquet").exists() else None,
        themes_missing_reason=reason, codebook=codebook, params=params if params is not None else load_params(),
        provenance=provenance)


# ---------------------------------------------------------------- tables for readers

def sources_table(b: WorkshopBundle) -> pd.DataFrame:
    """Statements per file: all, without content and duplicates. The facilitator's lines (``is_facilitator``)
    are in «Udsagn», not «Uden indhold»; page 01 gives their number for the workshop only (not per file: with
    it, a group file's «Ukendt» lines could be told apart and its persona's count worked out)."""
    st = b.statements
    st = st.assign(_empty=st["is_empty_content"].astype(bool) & ~facilitator_mask(st))
    table = st.groupby(["source_file", "source_kind"]).agg(
        udsagn=("statement_id", "size"), uden_indhold=("_empty", "sum"),
        dubletter=("is_duplicate", "sum")).reset_index()
    table["source_kind"] = table["source_kind"].map(SOURCE_KIND_LABELS_DA)
    return table.rename(columns={"source_file": "Fil", "source_kind": "Type", "udsagn": "Udsagn",
                                 "uden_indhold": "Uden indhold", "dubletter": "Dubletter"}).set_index("Fil")


def persona_table(b: WorkshopBundle, min_count: int | None = None) -> pd.DataFrame:
    """Statements per persona and source kind; cells under ``min_count`` shown as "<5", and as many others
    hidden ("skjult") as it takes that none can be worked out from the row and column totals
    (:func:`workshopnlp.figures.people_cells_hidden`: a hidden «Ukendt» cell protects no other)."""
    from .figures import people_cells_hidden, persona_source_counts

    min_count = min_count or b.params["figures"]["min_cell_count"]
    counts = persona_source_counts(b.statements)  # the table quotable() reads: the same cells are small
    shown = counts.astype(object)
    hidden = people_cells_hidden(counts, min_count)
    shown[hidden] = "skjult"
    shown[(counts > 0) & (counts < min_count)] = f"<{min_count}"
    shown.index.name, shown.columns.name = "Persona", None
    # shown in the order of the kinds (plenum, groups, survey, consultation); which cells are hidden does not
    # depend on the order
    order = [SOURCE_KIND_LABELS_DA[k] for k in SOURCE_KINDS]
    return shown[[c for c in order if c in shown.columns] + [c for c in shown.columns if c not in order]]


def persona_table_note(b: WorkshopBundle) -> str:
    """What page 01's «Hvem talte?» counts and hides (Markdown), with the workshop's own limit: it said «"<N" (N er
    grænsen …)», which read as a placeholder left in; that it counts every line, also those without content, which
    the figures leave out (an auditor met 61 for a persona the figures give 55); and what «Ukendt» holds – also the
    facilitator's and the organisers' lines, which the pages called «udsagn, hvor vi ikke ved, hvem der talte»."""
    n = int(b.params["figures"]["min_cell_count"])
    return (f"Alle linjer pr. persona og type af kilde – også dem uden indhold, som figurerne ikke tæller med. "
            f"Felter med færre end {n} linjer vises som «<{n}» (samme grænse som i figurerne), og så mange andre "
            "felter som «skjult», at ingen personas felt kan regnes ud fra antallet pr. kilde eller pr. persona. "
            "Grænsen tæller linjer, ikke personer. Rækken «Ukendt» er linjer uden kendt persona: svar og noter, "
            "hvor det ikke står, hvem der talte, linjer fra facilitator eller ordstyrer (som hverken kodes eller "
            "tælles med) og eventuelle linjer fra arrangører. Den kan ofte regnes ud fra de andre sider, så et "
            "skjult felt dér tæller ikke som beskyttelse af de andre.")


def redaction_table(b: WorkshopBundle) -> pd.DataFrame:
    if b.redactions.empty:
        return pd.DataFrame({"Type": [], "Antal erstatninger": []}).set_index("Type")
    table = b.redactions.groupby("kind")["count"].sum().reindex(list(REDACTION_LABELS_DA), fill_value=0)
    return pd.DataFrame({"Type": [REDACTION_LABELS_DA[k] for k in table.index],
                         "Antal erstatninger": table.values}).set_index("Type")


#: What a reader's explanation says in place of a context that names the speakers' role («Gruppe 2 – ledere»).
CONTEXT_NAMES_ROLE_DA = "gruppens overskrift (udeladt her: den nævner, hvem der talte)"
_CONTEXT_IN_EXPLANATION = re.compile(r"konteksten «([^»]*)»")


#: ... and in place of a context that names no role but only one persona's statements stand under («Hændelsen»).
CONTEXT_ONE_GROUP_DA = ("en overskrift eller et spørgsmål, som kun én personas udsagn står under (udeladt her: den "
                        "viser, hvem der talte)")


def reader_explanation(text: object, one_group: frozenset[str] | set[str] = frozenset()) -> str:
    """A statement's explanation as the reader pages print it: a context that names a persona («læst sammen med
    konteksten «Gruppe 2 – ledere»») reads «læst sammen med gruppens overskrift (udeladt her: …)», and one in
    ``one_group`` (:func:`one_group_contexts`) «… en overskrift fra kun én gruppes noter (udeladt her: …)». The
    pages name a statement's persona only where every table shows its cell (:func:`quotable`); a heading that
    names the group's role named it anyway, beside a quote marked «ikke nævnt» (an audit found January's leaders
    so), and so did a sub-heading only one group's notes have (September's «Hændelsen»: the insured unemployed)."""
    from .personas import personas_named

    def shown(m: re.Match) -> str:
        if personas_named(m.group(1)):
            return CONTEXT_NAMES_ROLE_DA
        return CONTEXT_ONE_GROUP_DA if m.group(1) in one_group else m.group(0)

    return _CONTEXT_IN_EXPLANATION.sub(shown, str(text or ""))


def one_group_contexts(statements: pd.DataFrame) -> frozenset[str]:
    """The contexts, as explanations quote them, under which the statements of only one known persona stand
    («ukendt» lines beside them do not count: June's «Digital» held four of the insured unemployed's statements and
    the facilitator's «tak for nu», and that one line let the heading through): naming one tells whose a statement
    is. Survey questions several personas answered, plenary rounds of «ukendt» alone and headings every group's
    notes share («Tillid») are not among them."""
    from .coding import EXPLANATION_CONTEXT_CHARS, _short, contexts_of

    frame = pd.DataFrame({"context": [_short(c, EXPLANATION_CONTEXT_CHARS) for c in contexts_of(statements)],
                          "persona": statements["persona"].astype(str).to_numpy()})
    per = frame[frame["context"] != ""].groupby("context")["persona"].agg(lambda p: set(p))
    return frozenset(c for c, personas in per.items() if len(personas - {UNKNOWN_PERSONA}) == 1)


def all_codes(b: WorkshopBundle) -> pd.DataFrame:
    """Every statement with content (not the verbatim repeats) with its focus area, principle and explanation:
    columns focus_area, Fokusområde, Udsagn, Princip, Hvorfor, by focus area in the codebook's order and the
    surest first. A statement about a participant's own sensitive matters keeps its codes but is not printed
    (as in the quotes). No persona: a list of every statement with persona, focus area and principle is a
    table of persona × focus area × principle a reader can count, down to cells of one or two statements that
    no figure shows. Empty when the workshop is not coded."""
    columns = ["focus_area", "Fokusområde", "Udsagn", "Princip", "Hvorfor"]
    if b.codes is None:
        return pd.DataFrame(columns=columns)
    coded = b.coded()
    coded = coded[~coded["is_empty_content"].astype(bool) & ~coded["is_duplicate"].astype(bool)]
    focus, principle = b.codebook.dimension("focus_area").labels(), b.codebook.dimension("principle").labels()
    order = {code: i for i, code in enumerate(focus)}
    one_group = one_group_contexts(b.statements)
    coded = coded.assign(_order=coded["focus_area"].map(order)).sort_values(
        ["_order", "focus_area_score", "statement_id"], ascending=[True, False, True])
    return pd.DataFrame({
        "focus_area": coded["focus_area"].to_numpy(),
        "Fokusområde": [focus.get(c, c) for c in coded["focus_area"]],
        "Udsagn": [SENSITIVE_LEFT_OUT_DA if is_sensitive(str(t)) else str(t) for t in coded["text"]],
        "Princip": [principle.get(c, c) for c in coded["principle"]],
        # the explanation names the statement's weightiest words («adhd, værre, forskelsbehandlet»): left out too
        "Hvorfor": [SENSITIVE_WHY_LEFT_OUT_DA if is_sensitive(str(t)) else reader_explanation(e, one_group)
                    for t, e in zip(coded["text"], coded["explanation"].fillna(""))]}, columns=columns)


def all_codes_html(b: WorkshopBundle) -> str:
    """:func:`all_codes` as one fold-out list per focus area (``<details>``)."""
    return _fold_outs(all_codes(b), "focus_area", "Fokusområde", ["Udsagn", "Princip", "Hvorfor"])


#: What a quote shows in place of a persona whose cell a table of the pages hides (:func:`quotable`).
PERSONA_NOT_NAMED_DA = "ikke nævnt"


def _min_count(b: WorkshopBundle) -> int:
    return int(b.params["figures"]["min_cell_count"])


def quotable(b: WorkshopBundle) -> set[str]:
    """The statements whose persona a quote on the pages may name (:func:`workshopnlp.figures.quotable_statements`:
    its cell is shown in every table of persona – by code, theme and source kind)."""
    from .figures import quotable_statements

    if b.codes is None:
        return set()
    return quotable_statements(b.statements, b.codes, b.codebook, _min_count(b), b.themes, b.assignments)


def not_named_note(b: WorkshopBundle, table: pd.DataFrame) -> str:
    """The sentence under quotes (a table with Persona as a column or an index level) that leave some persona
    unnamed (:func:`quotable`); "" for a table that names them all."""
    if table.empty:
        return ""
    frame = table.reset_index() if "Persona" in (table.index.names or []) else table
    if "Persona" not in frame.columns or not (frame["Persona"] == PERSONA_NOT_NAMED_DA).any():
        return ""
    return (f"«{PERSONA_NOT_NAMED_DA.capitalize()}»: udsagnet hører til en gruppe, som figurerne eller tabellerne "
            f"skjuler (færre end {_min_count(b)} udsagn fra en persona om en kode, i et tema eller fra en slags "
            "kilde, eller skjult sammen med en sådan), så personaen nævnes ikke her heller.")


def _fold_outs(table: pd.DataFrame, key: str, title: str, shown: list[str]) -> str:
    """One ``<details>`` per value of ``key`` in ``table``'s order, titled by ``title`` and the count, holding the
    ``shown`` columns as an HTML table (escaped)."""
    parts = []
    for _, group in table.groupby(key, sort=False):
        heading = html.escape(str(group[title].iat[0]))
        body = _one_line(group[shown]).to_html(index=False, escape=True, border=0, classes="dataframe")
        parts.append(f"<details><summary>{heading} – {len(group)} udsagn</summary>\n{body}\n</details>")
    return "\n".join(parts)


def examples_with_explanations(b: WorkshopBundle, dimension: str, per_code: int = 2) -> pd.DataFrame:
    """For each code: the statements the model is surest of, with the explanation – the reader's 'why'. A persona
    is named only where :func:`quotable` allows it."""
    coded = b.coded()
    coded = coded[~coded["is_empty_content"] & ~coded["is_duplicate"] & ~coded["text"].map(is_sensitive).astype(bool)]
    named = quotable(b)
    coded = coded.assign(_persona=[PERSONA_LABELS_DA.get(p, p) if str(sid) in named else PERSONA_NOT_NAMED_DA
                                   for sid, p in zip(coded["statement_id"], coded["persona"])])
    labels = b.codebook.dimension(dimension).labels()
    one_group = one_group_contexts(b.statements)
    rows = []
    for code, label in labels.items():
        if code == "ingen":
            continue
        sub = coded[coded[dimension] == code].sort_values([f"{dimension}_score", "statement_id"],
                                                          ascending=[False, True]).head(per_code)
        for _, r in sub.iterrows():
            rows.append({"Kode": label, "Persona": r["_persona"], "Udsagn": r["text"],
                         "Hvorfor": reader_explanation(r["explanation"], one_group)})
    return pd.DataFrame(rows).set_index(["Kode", "Persona"]) if rows else pd.DataFrame()


def theme_table(b: WorkshopBundle) -> pd.DataFrame:
    """The themes for a reader: name, size, key words, the code the name carries and how many of the theme's
    statements carry it (so the name can be checked against the codes), and whether the theme is stable."""
    if b.themes is None:
        return pd.DataFrame()
    from .themes import OUTLIER_ID

    t = b.themes.copy()
    t["Stabilitet"] = t["stable"].map({True: "stabil", False: "ustabil"}).fillna("")
    t["theme_id"] = t["theme_id"].replace({OUTLIER_ID: "Øvrigt"})
    for column in ("code_label", "top_words", "label"):  # the outlier group has no code and may have no words
        t[column] = t[column].fillna("–").replace({"": "–"})
    if "code_share" in t.columns:  # written by an older version otherwise
        t["code_label"] = [f"{lab} ({percent_da(sh)} af udsagnene)" if lab != "–" and pd.notna(sh) else lab
                           for lab, sh in zip(t["code_label"], t["code_share"])]
    return t.rename(columns={"theme_id": "Tema", "label": "Navn", "size": "Udsagn", "top_words": "Nøgleord",
                             "code_label": "Kode i navnet"})[["Tema", "Navn", "Udsagn", "Nøgleord",
                                                              "Kode i navnet", "Stabilitet"]].set_index("Tema")


THEME_TABLE_NOTE = (
    "*Nøgleord* er de ord, der kendetegner temaets udsagn mest i forhold til de andre temaers. Et tema får en "
    "kode i navnet (fx «Tillid: …»), når temaets udsagn ligner kodebogens eksempler på koden, og mindst "
    "{share} af temaets udsagn er kodet sådan – tallet i parentes. Et tema hedder «{practical}: …», når dets "
    "udsagn klart ligner kodebogens eksempler på praktiske bemærkninger, tak og småsnak mest, og mindst "
    "{practical_share} af dem hverken har fokusområde eller princip. Ellers bærer navnet kun nøgleordene. "
    "*Stabilitet*: grupperingen er gentaget med andre tilfældige udgangspunkter{left_out}; et tema, der blev "
    "fundet igen i mindst {stable} af {which}, er stabilt, ellers ustabilt. Temanumrene (T01, T02 …) "
    "følger temaet fra workshop til workshop, så de står ikke i rækkefølge.")


def _left_out_da(tp: Mapping[str, Any]) -> str:
    """«5 %»: the share of the statements the stability fits without some statements leave out (themes.py), or ""
    when there are no such fits (``leave_out_fits: 0``)."""
    if int(tp.get("leave_out_fits", 0) or 0) < 1 or float(tp.get("leave_out_share", 0) or 0) <= 0:
        return ""
    return percent_da(float(tp["leave_out_share"]))


def theme_table_note(b: WorkshopBundle) -> str:
    """What the theme table's columns mean, with the share a code needs to name a theme."""
    from .themes import PRACTICAL_LABEL, theme_params

    tp = theme_params(b.params)
    left = _left_out_da(tp)
    return THEME_TABLE_NOTE.format(share=percent_da(float(tp["label_code_min_share"])), practical=PRACTICAL_LABEL,
                                   practical_share=percent_da(float(tp["practical_min_share"])),
                                   stable=percent_da(float(tp["unstable_share"])),
                                   left_out=f" og uden tilfældigt udvalgte {left} af udsagnene" if left else "",
                                   which="begge slags gentagelser" if left else "gentagelserne")


def agreement_summary(b: WorkshopBundle) -> pd.DataFrame:
    """Overall agreement per dimension and pair (Danish labels, decimal commas; kappa exists for pairs only,
    so the row of all coders together shows "–" there). "Under grænsen" marks an alpha below
    ``coding.tentative_alpha``, "for få udsagn" a pair that shares fewer than ``coding.agreement_min_statements``;
    only pairs of human coders with enough shared statements make a code tentative (:func:`tentative_codes`)."""
    if b.agreement is None:
        return pd.DataFrame()
    a = b.agreement[b.agreement["kode"] == "samlet"].copy()
    a["dimension"] = a["dimension"].map({d.id: d.label for d in b.codebook.dimensions})
    a["par"] = a["par"].map(pair_heading)
    for col in ("kappa", "alpha"):
        a[col] = [("–" if pd.isna(v) else decimal_da(v)) for v in a[col]]
    few = a["faa_udsagn"].astype(bool) if "faa_udsagn" in a.columns else pd.Series(False, index=a.index)
    a["foreloebig"] = (a["foreloebig"].map({True: "under grænsen", False: "over grænsen"})
                       .where(~few, "for få udsagn"))
    return a.rename(columns={"dimension": "Dimension", "par": "Sammenligning", "n_statements": "Udsagn",
                             "kappa": "Cohens kappa", "alpha": "Krippendorffs alfa", "foreloebig": "Vurdering"}
                    )[["Dimension", "Sammenligning", "Udsagn", "Cohens kappa", "Krippendorffs alfa", "Vurdering"]
                      ].set_index(["Dimension", "Sammenligning"])


def _read_rows(path: Path) -> pd.DataFrame:
    """A CSV written by the code step; empty when it is missing or has a header only (a workshop nobody has
    coded writes the columns and no rows)."""
    if not path.exists():
        return pd.DataFrame()
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:  # not even a header
        return pd.DataFrame()


def persona_quality_table(b: WorkshopBundle) -> pd.DataFrame:
    """The model against the human reference per persona, on held-out statements (Danish labels), and
    how often two human coders agreed with each other on the same statements (``coders_agreement``; "–"
    where no statement had two coders, or in a file written before the column existed).

    Personas with fewer than ``figures.min_cell_count`` such statements are shown as "<N" without figures.
    """
    q = _read_rows(WorkshopPaths(b.data_dir, b.workshop_id).processed / "persona_quality.csv")
    if q.empty:
        return pd.DataFrame()
    min_n = int(b.params["figures"]["min_cell_count"])
    rows = []
    for row in q.itertuples(index=False):
        small = row.n_statements < min_n
        rows.append({"Dimension": b.codebook.dimension(row.dimension).label,
                     "Persona": "Alle" if row.persona == "alle" else PERSONA_LABELS_DA.get(row.persona, row.persona),
                     "Udsagn": f"<{min_n}" if small else int(row.n_statements),
                     "Andel enige": "" if small else percent_da(row.accuracy),
                     "Makro-F1": "" if small else decimal_da(row.macro_f1),
                     CODERS_AGREEMENT_DA: "" if small else _share_or_dash(getattr(row, "coders_agreement", None))})
    return pd.DataFrame(rows).set_index(["Dimension", "Persona"])


# persona_quality_table's column of the human coders' agreement with each other (report 05 explains it).
CODERS_AGREEMENT_DA = "Kodere indbyrdes enige"


def _share_or_dash(share) -> str:
    return "–" if share is None or pd.isna(share) else percent_da(share)


# persona_gap.csv's comparisons (workshopnlp.coding.GAP_COMPARISONS) in report 05: a short name for the table
# and a phrase for the text under it.
GAP_COMPARISON_SHORT_DA = {
    "personaer": "Personaer",
    "borgere_mod_medarbejdere": "Borgere mod medarbejdere",
    "svar_mod_noter": "Skriftlige svar mod noter og referater",
    "borgersvar_mod_medarbejdernoter": "Borgernes svar mod medarbejdernes noter",
}
GAP_COMPARISON_DA = {
    "personaer": "mellem den bedste og den svageste persona",
    "borgere_mod_medarbejdere": "mellem borgernes og medarbejdernes udsagn",
    "svar_mod_noter": "mellem skriftlige svar og noter og referater fra drøftelserne",
    "borgersvar_mod_medarbejdernoter": "mellem borgernes egne skriftlige svar og medarbejdernes noter og referater",
}
# Human coders' agreement with each other (persona_gap.csv) lower by more than this in the weaker group than in
# the better one: report 05 says people, too, agree less on the weaker group's statements.
COMPARABLE_AGREEMENT = 0.05
# p below these: a gap to look into, and one on the border of what chance gives (report 05's verdicts).
GAP_P_LOOK_INTO, GAP_P_BORDER = 0.05, 0.10
GAP_VERDICT_DA = {"within": "inden for målet", "look_into": "bør undersøges", "border": "på grænsen",
                  "chance": "over målet, men kan være tilfældig"}


def _gap_verdict(gap: float, target: float, p_value: float) -> str:
    """Which of :data:`GAP_VERDICT_DA` a gap gets: within the target, or – above it – by its permutation
    p-value: one to look into, one on the border of chance, or one chance gives readily."""
    if gap <= target:
        return "within"
    return "look_into" if p_value < GAP_P_LOOK_INTO else "border" if p_value < GAP_P_BORDER else "chance"


def _group_name(group: str) -> str:
    return SIDE_LABELS_DA.get(group) or REGISTER_LABELS_DA.get(group) or PERSONA_LABELS_DA.get(group, group)


def _persona_gaps(b: WorkshopBundle) -> pd.DataFrame:
    """``persona_gap.csv`` in report order (personas, sides, registers), or empty if missing or too old."""
    gaps = _read_rows(WorkshopPaths(b.data_dir, b.workshop_id).processed / "persona_gap.csv")
    if gaps.empty:
        return pd.DataFrame()
    if "comparison" not in gaps.columns:  # written by an older version: rerun 'code' to get it
        return pd.DataFrame()
    order = {c: i for i, c in enumerate(GAP_COMPARISON_DA)}
    dims = {d: i for i, d in enumerate(("focus_area", "principle"))}
    return gaps.sort_values(["dimension", "comparison"], kind="stable",
                            key=lambda c: c.map(dims if c.name == "dimension" else order).fillna(len(order))
                            ).reset_index(drop=True)


def _gap_target(b: WorkshopBundle, gaps: pd.DataFrame) -> float:
    """The target gap persona_gap.csv was made with (``coding.persona_gap_target`` for an older file)."""
    if "target_gap" in gaps.columns and len(gaps):
        return float(gaps["target_gap"].iloc[0])
    return float(b.params["coding"].get("persona_gap_target", 0.10))


def _too_small_personas(b: WorkshopBundle, compared: list[str], min_n: int) -> list[str]:
    """Personas with held-out human-coded statements that are too few to be compared (persona_quality.csv)."""
    quality = _read_rows(WorkshopPaths(b.data_dir, b.workshop_id).processed / "persona_quality.csv")
    if quality.empty:
        return []
    small = quality[(quality["n_statements"] < min_n) & ~quality["persona"].isin([*compared, "alle", UNKNOWN_PERSONA])]
    return sorted(set(small["persona"]))


def _held_out_unknown_persona(b: WorkshopBundle) -> int:
    """How many held-out human-coded statements have no known persona (persona_quality.csv's «ukendt» row)."""
    quality = _read_rows(WorkshopPaths(b.data_dir, b.workshop_id).processed / "persona_quality.csv")
    if quality.empty:
        return 0
    rows = quality[quality["persona"] == UNKNOWN_PERSONA]
    return int(rows["n_statements"].max()) if len(rows) else 0


def persona_gap_table(b: WorkshopBundle) -> pd.DataFrame:
    """One row per dimension and comparison of ``persona_gap.csv`` (Danish labels): the best and the worst
    group with their macro-F1, the gap, the gaps chance gives (median / 95th percentile), p, a verdict
    (:data:`GAP_VERDICT_DA`), today's statements per group, how often a model that works equally well for
    every group would stay within the target with groups that size, and how many it would take for four
    draws in five. Empty when the workshop has no held-out human-coded statements."""
    gaps = _persona_gaps(b)
    if gaps.empty:
        return pd.DataFrame()
    largest = max(b.params["coding"].get("persona_gap_power_sizes", [800]))
    target = _gap_target(b, gaps)
    rows = []
    for row in gaps.itertuples(index=False):
        size = round(row.n_statements / len(str(row.groups).split()))
        record = {"Dimension": b.codebook.dimension(row.dimension).label,
                  "Sammenligning": GAP_COMPARISON_SHORT_DA.get(row.comparison, row.comparison),
                  "Bedst": f"{_group_name(row.best_group)} {decimal_da(row.best_macro_f1)}",
                  "Svagest": f"{_group_name(row.worst_group)} {decimal_da(row.worst_macro_f1)}",
                  "Forskel": decimal_da(row.gap_macro_f1),
                  "Tilfældets forskel (halvdelen / 5 %)":
                      f"{decimal_da(row.chance_gap_median)} / {decimal_da(row.chance_gap_p95)}",
                  "p": decimal_da(row.p_value),
                  "Vurdering": GAP_VERDICT_DA[_gap_verdict(row.gap_macro_f1, target, row.p_value)],
                  "Udsagn pr. gruppe": size}
        if "statements_needed_per_group" in gaps.columns:  # written by an older version otherwise
            record["Chance for at vise målet nu"] = percent_da(row.share_within_target_now)
            record["Udsagn pr. gruppe, der skal til"] = (
                f"ca. {int(row.statements_needed_per_group)}" if pd.notna(row.statements_needed_per_group)
                else f"over {largest}")
        rows.append(record)
    return pd.DataFrame(rows).set_index(["Dimension", "Sammenligning"])


def persona_gap_text(b: WorkshopBundle) -> str:
    """The Danish text under :func:`persona_gap_table`: which groups are compared, the target, how to read
    the table, and for every gap at least on the border of chance (p < :data:`GAP_P_BORDER`) what it is and
    which codes people and the model disagree on most in the weaker group (``persona_gap.csv``, see
    :func:`workshopnlp.coding.persona_gap`)."""
    gaps = _persona_gaps(b)
    if gaps.empty:
        return ""
    min_n = int(b.params["coding"].get("persona_gap_min_statements", 10))

    def disagreements_text(row) -> str:
        listed = getattr(row, "worst_group_disagreements", None)
        if not isinstance(listed, str) or not listed:
            return ""
        dimension = b.codebook.dimension(row.dimension)
        parts = []
        for item in listed.split("; "):
            pair, count = item.rsplit("=", 1)
            if int(count) < _min_count(b):
                # a pair of 1–4 statements points at them: page 02 lists each with people's codes and the model's
                continue
            ref, model = pair.split(">")
            parts.append(f"{count} udsagn, som menneskene kodede «{dimension.code(ref).label}» og maskinen "
                         f"«{dimension.code(model).label}»")
        return f" De hyppigste uenigheder i gruppen {_group_name(row.worst_group).lower()}: {'; '.join(parts)}." \
            if parts else ""

    def coders_text(row) -> str:
        best, worst = getattr(row, "best_coders_agreement", None), getattr(row, "worst_coders_agreement", None)
        if best is None or worst is None or pd.isna(best) or pd.isna(worst):
            return ""
        return (f" De menneskelige kodere var indbyrdes enige om {percent_da(worst)} af koderne i gruppen "
                f"{_group_name(row.worst_group).lower()} og om {percent_da(best)} i gruppen {_group_name(row.best_group).lower()}"
                + (" – også de er mindre enige om den svageste gruppes udsagn, så en del af forskellen ligger i, "
                   "hvordan kodebogen skal læses for dem." if worst < best - COMPARABLE_AGREEMENT else "."))

    personas = gaps.loc[gaps["comparison"] == "personaer", "groups"]
    has_power = "target_gap" in gaps.columns
    target = _gap_target(b, gaps)
    compared = personas.iloc[0].split() if len(personas) else []
    parts = []
    if compared:
        parts.append(f"Personaer med mindst {min_n} udsagn, som maskinen ikke har lært af: "
                     f"{', '.join(_group_name(p) for p in compared)}.")
    too_small = _too_small_personas(b, compared, min_n)
    if too_small:
        parts.append(f"{' og '.join(_group_name(p) for p in too_small)} har færre end {min_n} sådanne udsagn og "
                     "indgår derfor ikke i sammenligningen af personaer – at de ikke står der, betyder ikke, at "
                     "maskinen virker lige så godt for dem (se tabellen ovenfor).")
    unknown = _held_out_unknown_persona(b)
    if unknown:
        parts.append(f"{unknown} af de udsagn, maskinen ikke har lært af, har ingen kendt persona («Ukendt»: "
                     "personaen kunne ikke afgøres ud fra kilden). De indgår ikke i sammenligningen af personaer "
                     "eller af borgere og medarbejdere, kun i den af skriftlige svar og noter og referater.")
    from .coding import GAP_COMPARISONS

    missing = [GAP_COMPARISON_SHORT_DA[c] for c in GAP_COMPARISONS if c not in set(gaps["comparison"])]
    if missing:
        parts.append(f"Ikke med: {list_da([f'«{m.lower()}»' for m in missing])}, fordi færre end to af grupperne har "
                     f"mindst {min_n} udsagn, som maskinen ikke har lært af – med så få kan en forskel ikke vurderes.")
    parts.append("Borgere er sikrede ledige og borgere i ressourceforløb; medarbejdere er rådgivere og ledere. "
                 "Skriftlige svar er spørgeskemasvar og eventuelle høringssvar; noter og referater er gruppernes "
                 "noter og referaterne fra plenum.")
    parts.append(f"Målet er, at ingen gruppe ligger mere end {decimal_da(target)} under den bedste i makro-F1.")
    intro = " ".join(parts)
    guide = ("**Sådan læses tabellen.** *Forskel* er den bedste gruppes makro-F1 minus den svageste gruppes "
             "(beregnet før afrunding). Med få udsagn pr. gruppe svinger makro-F1 meget af sig selv, så "
             "*Tilfældets forskel* viser, hvor stor en forskel tilfældige grupper af samme størrelse giver, hvis "
             "maskinen virkede lige godt for alle: så stor eller større i halvdelen af tilfældene og i 5 % af dem. "
             "*p* er andelen af tilfældige grupper med mindst lige så stor en forskel som den målte. *Vurdering*: "
             f"«{GAP_VERDICT_DA['within']}», når forskellen højst er {decimal_da(target)}; ellers, når p er under "
             f"{decimal_da(GAP_P_LOOK_INTO)}, «{GAP_VERDICT_DA['look_into']}» – så stor en forskel opstår sjældent af "
             f"sig selv; under {decimal_da(GAP_P_BORDER)} «{GAP_VERDICT_DA['border']}» – hold øje med den; og ellers "
             f"«{GAP_VERDICT_DA['chance']}» – med så få udsagn kan man hverken vise, at forskellen er reel, "
             "eller at den ikke er. *Udsagn pr. gruppe* er gennemsnittet over grupperne.")
    if has_power:
        guide += (" *Chance for at vise målet nu* er, hvor ofte en maskine, der virker lige godt for alle, ville "
                  "holde sig inden for målet med grupper af den størrelse, der er i dag; *Udsagn pr. gruppe, der "
                  "skal til* er, hvor mange menneskekodede udsagn pr. gruppe der skal til, før det sker i fire ud "
                  "af fem tilfælde.")
    notable = []
    for row in gaps.itertuples(index=False):
        verdict = _gap_verdict(row.gap_macro_f1, target, row.p_value)
        if verdict not in ("look_into", "border"):
            continue
        label = b.codebook.dimension(row.dimension).label
        what = GAP_COMPARISON_DA.get(row.comparison, row.comparison)
        sentence = ("Så stor en forskel opstår sjældent af sig selv; den bør undersøges nærmere."
                    if verdict == "look_into" else
                    "Forskellen er på grænsen af, hvad tilfældet giver; hold øje med den.")
        notable.append(f"- **{label}, {what}:** {_group_name(row.best_group)} {decimal_da(row.best_macro_f1)} mod "
                       f"{_group_name(row.worst_group)} {decimal_da(row.worst_macro_f1)} i makro-F1, en forskel på "
                       f"{decimal_da(row.gap_macro_f1)} (p = {decimal_da(row.p_value)}). {sentence}{disagreements_text(row)}"
                       f"{coders_text(row)}")
    findings = ("**Forskelle, man bør holde øje med:**\n\n" + "\n".join(notable) if notable else
                "Ingen af forskellene over målet er større, end tilfældige grupper af samme størrelse ofte giver.")
    return f"{intro}\n\n{guide}\n\n{findings}"


def tentative_codes(b: WorkshopBundle) -> list[str]:
    """Labels of codes whose coder-vs-coder alpha is below the threshold (reported as foreløbig)."""
    from .agreement import tentative_codes as tentative

    return sorted(b.codebook.dimension(d).code(c).label for d, c in tentative(b.agreement))


# ---------------------------------------------------------------- texts for readers

#: How many of the commonest texts without content the page quotes as examples, and at most how long each is.
EMPTY_EXAMPLES, EMPTY_EXAMPLE_CHARS = 3, 40


def _empty_examples_text(statements: pd.DataFrame) -> str:
    """« (fx «Ingen kommentarer», «-»)»: the commonest texts this workshop's lines without content have, so the
    page says what was left out rather than what usually is (it said «referatets praktiske oplysninger som
    «Referent: …»» of a workshop whose empty lines were all survey answers). "" without any."""
    empty = statements.loc[statements["is_empty_content"].astype(bool) & ~facilitator_mask(statements),
                           "text"].astype(str).str.strip()
    empty = empty[empty != ""]
    if empty.empty:
        return ""
    from .coding import _short

    counts = empty.value_counts()
    order = sorted(counts.index, key=lambda t: (-int(counts[t]), t))[:EMPTY_EXAMPLES]
    shown = [_short(t, EMPTY_EXAMPLE_CHARS) for t in order]
    return f" (fx {list_da([f'«{t}»' for t in shown])})"


def _facilitator_text(statements: pd.DataFrame) -> str:
    """«, 8 linjer fra facilitator eller ordstyrer (fx «Vi holder fem minutters pause, der står …»), som ikke er
    deltagernes udsagn,»: what page 01 says of ``is_facilitator`` lines, with the first as an example (cut as
    explanations cut, :func:`workshopnlp.coding._short`); "" without any. They would otherwise be counted «uden
    indhold» and the pages say nothing of them."""
    from .coding import _short

    lines = statements.loc[facilitator_mask(statements), "text"].astype(str).str.strip()
    if lines.empty:
        return ""
    example = _short(lines.iloc[0], EMPTY_EXAMPLE_CHARS)
    n = len(lines)
    return (f", {n} {'linje' if n == 1 else 'linjer'} fra facilitator eller ordstyrer ({'' if n == 1 else 'fx '}"
            f"«{example}»), som ikke er deltagernes udsagn,")


def _context_example(statements: pd.DataFrame) -> str:
    """« (fx «Runde 2: Tillid»)» with the workshop's commonest context (section heading or survey question) that
    names no persona, or "" where it has none. A fixed «Runde 2: Tillid» was named on January's pages, which have
    no such round; a heading such as «Gruppe 2 – ledere» would name the persona of every statement under it."""
    from .coding import contexts_of
    from .personas import personas_named

    usable = (statements[~statements["is_empty_content"].astype(bool)] if "is_empty_content" in statements
              else statements)
    contexts = pd.Series([c for c in contexts_of(usable) if c and not personas_named(c)], dtype=object)
    if contexts.empty:
        return ""
    counts = contexts.value_counts()
    best = sorted(counts[counts == counts.max()].index)[0]  # the same one on every run
    return f" (fx «{best}»)"


def _kinds_text(statements: pd.DataFrame) -> str:
    """The kinds of source a workshop has, in Danish ("noter fra plenum, noter fra grupper og spørgeskemasvar")."""
    names = {"plenum": "noter fra plenum", "gruppe": "noter fra grupper", "survey": "spørgeskemasvar",
             "hoering": "høringssvar"}
    return list_da([names[k] for k in names if (statements["source_kind"] == k).any()])


def who_and_where_text(b: WorkshopBundle) -> str:
    """Page 03's words over the figures of themes by persona and by source: the workshop's own kinds of source
    (January has no group notes; a fixed «plenum, gruppedrøftelser, spørgeskemasvar og eventuelle høringssvar»
    named one it did not have)."""
    return (f"Andelen af hvert temas udsagn fra hver persona og fra hver slags kilde, workshoppen havde: "
            f"{_kinds_text(usable_statements(b.statements))}.")


def _totals_text(statements: pd.DataFrame) -> str:
    """The sentence that ties the page's totals together: all statements, those with content (which
    certainty and agreement are measured on) and those counted in figures and themes (without duplicates),
    so a reader meeting "340", "318" and "315" sees they are one workshop. Empty when they are one number."""
    content = ~statements["is_empty_content"].astype(bool)
    n_content = int(content.sum())
    n_counted = int((content & ~statements["is_duplicate"].astype(bool)).sum())
    if n_content == n_counted == len(statements):
        return ""
    whose = " og er deltagernes" if facilitator_mask(statements).any() else ""
    return (f" Af de {len(statements)} udsagn har {n_content} indhold{whose}; dem bygger afsnittene om sikkerhed og "
            f"enighed på. Uden dubletter er der {n_counted}, og dem bygger figurerne og temaerne på.")


def how_it_was_made(b: WorkshopBundle) -> str:
    """The plain-Danish page "Sådan er analysen lavet" (Markdown), with this workshop's numbers."""
    st = b.statements
    n_files = st["source_file"].nunique()
    leader = facilitator_mask(st)
    n_empty, n_dup = int((st["is_empty_content"].astype(bool) & ~leader).sum()), int(st["is_duplicate"].sum())
    red = redaction_table(b)
    red_text = ", ".join(f"{kind.lower()}: {n}" for kind, n in red["Antal erstatninger"].items() if n) \
        or "ingen fundet"
    n_human = int(b.human_codes["statement_id"].nunique()) if b.human_codes is not None else 0
    n_reviewed = (int(b.human_codes.loc[is_review(b.human_codes), "statement_id"].nunique())
                  if b.human_codes is not None else 0)
    reviewed = (f"{n_reviewed} af dem, som koderne var uenige om, er afgjort ved en gennemgang. " if n_reviewed else "")
    uses_keywords = float((b.params["coding"].get("keyword_weight") or {}).get("principle", 0.0)) > 0
    keywords = ("Ved princippet ser maskinen også efter kodebogens nøgleord for hvert princip (fx \"samtykke\" "
                "for individuel datakontrol). " if uses_keywords else "")
    keywords_explained = " hvilke af kodebogens nøgleord for princippet udsagnet bruger," if uses_keywords else ""
    lines = [
        "## Sådan er analysen lavet",
        f"**Data.** Analysen bygger på {len(st)} udsagn fra {n_files} filer fra workshoppen {b.label} "
        f"({_kinds_text(st)}). {n_empty} linjer uden indhold{_empty_examples_text(st)}{_facilitator_text(st)} og "
        f"{n_dup} "
        "dubletter (svar, der står ordret to gange) står i oversigten over kilderne, men tælles ikke med i "
        f"figurerne over koder eller i temaerne.{_totals_text(st)}"
        + (" Høringssvarene er skrevet til en høring, ikke på selve workshoppen, men ligger i workshoppens mappe "
           "og er analyseret sammen med den." if (st["source_kind"] == "hoering").any() else ""),
        f"**Privatliv.** Før noget blev analyseret eller gemt, blev personoplysninger erstattet af pladsholdere "
        f"som [NAVN] og [TELEFON] ({red_text}). Kolonner med navne og e-mails i spørgeskemaer og andre tabeller "
        "blev ikke læst. "
        f"Grupper med færre end {_min_count(b)} udsagn vises ikke i figurerne. Et citat nævner kun, hvem der sagde "
        "det (personaen), hvor figurerne og tabellerne viser, hvor mange udsagn den persona har om citatets kode, "
        "i dets tema og fra dets slags kilde – så et citat ikke afslører et skjult felt. Grænsen tæller udsagn, "
        "ikke personer: hvor en persona kun havde få deltagere, kan et citat eller et tal stadig pege mod én af "
        "dem – tænk på det, før rapporten deles uden for projektgruppen.",
        "**Kodning.** Hvert udsagn er kodet med ét fokusområde (Formål, Tillid, Teknologisk forståelse) og ét "
        "dataetisk princip fra workshoppens materiale – eller \"ingen\", når intet passer. Maskinen, der foreslår "
        "koderne, er en sprogmodel, der kører lokalt (ingen tekst sendes ud), og som har lært af kodebogens "
        f"eksempler og af mennesker, der har kodet udsagn i hånden. "
        + (f"{n_human} udsagn er kodet af mennesker; deres koder går forud" if n_human else
           "Ingen udsagn fra denne workshop er kodet af mennesker endnu; når nogen gør det, går deres koder forud")
        + " for maskinens, og forklaringen siger da, hvor mange af de menneskelige kodere der gav "
        f"koden, og hvad maskinen selv ville have foreslået og hvorfor. {reviewed}"
        "Ved fokusområdet læser maskinen – ligesom en menneskelig koder – svaret sammen med spørgsmålet eller "
        f"runden, det blev givet i{_context_example(st)}. "
        f"{keywords}"
        "Ved hver kode står en forklaring: hvilke af kodebogens eksempler udsagnet ligner, hvilke ord der "
        f"vejede tungest,{keywords_explained} og hvilket spørgsmål eller hvilken runde svaret er læst sammen med. "
        "Svaret er aldrig \"fordi maskinen siger det\". Hvad hver kode betyder – kodebogens definition, hvad der "
        "hører med og ikke med, og eksempler – står under «Kodebogen: hvad betyder koderne?» nederst på siden "
        "«2. Fokusområder og dataetiske principper».",
    ]
    if b.themes is not None:
        n_themes = int((~b.themes["is_outlier_group"]).sum())
        unstable = int((b.themes["stable"] == False).sum())  # noqa: E712  (NaN for the outlier group)
        from .themes import theme_params

        left = _left_out_da(theme_params(b.params))
        both, either = ("begge slags ", "den ene eller begge slags ") if left else ("", "")
        stability = (f"alle {n_themes} temaer gik igen i mindst halvdelen af {both}gentagelserne." if not unstable
                     else f"{unstable} af de {n_themes} temaer gik igen i under halvdelen af {either}gentagelserne og "
                     f"er markeret som {'ustabilt' if unstable == 1 else 'ustabile'}.")
        without = (f" og flere gange uden tilfældigt udvalgte {left} af udsagnene – som hvis lidt færre linjer var "
                   "skrevet ned") if left else ""
        lines.append(f"**Temaer.** Ud over de faste koder er udsagnene grupperet efter indhold i {n_themes} temaer, "
                     "som ingen har bestemt på forhånd. Grupperingen er gentaget flere gange med forskellige "
                     f"tilfældige udgangspunkter{without}; {stability}")
    else:
        lines.append(f"**Temaer.** Der er ikke beregnet temaer for denne workshop: {b.themes_missing_reason}.")
    lines.append(certainty_text(b))
    where = "på workshoppen og i høringssvarene" if (st["source_kind"] == "hoering").any() else "på workshoppen"
    lines.append(f"**Hvad man ikke skal slutte.** Tallene viser, hvad der blev sagt og skrevet {where} – ikke "
                 "hvad alle borgere eller medarbejdere mener. Deltagerne var ikke tilfældigt udvalgt, nogle har sagt "
                 "mere end andre, og en maskinel kode er et forslag, ikke en vurdering. Brug citaterne og "
                 "forklaringerne til at tjekke tallene.")
    return "\n\n".join(lines)


def certainty_text(b: WorkshopBundle) -> str:
    """"Hvor sikre er resultaterne?" (Markdown): how often the machine gave people's code on this workshop's
    statements it did not learn from (``persona_quality.csv``, all personas), and the tentative codes - or,
    when nobody has coded this workshop's statements, that its codes are not checked on this text at all."""
    head = "**Hvor sikre er resultaterne?** "
    unfamiliar = (b.provenance.get("codes") or {}).get("unfamiliar")
    strange = (" " + unfamiliar_text(unfamiliar, float(b.params["coding"]["unfamiliar_warn_share"]))
               if unfamiliar else "")
    quality = _read_rows(WorkshopPaths(b.data_dir, b.workshop_id).processed / "persona_quality.csv")
    overall = quality[quality["persona"] == "alle"].set_index("dimension") if len(quality) else quality
    if overall.empty:
        return (head + "Ingen udsagn fra denne workshop er kodet af mennesker, så maskinens koder er ikke "
                "efterprøvet på netop denne tekst. Maskinen har lært af eksempler skrevet til projektet; på "
                "workshops, den ikke havde lært af, gav den samme fokusområde som menneskelige kodere i kun "
                f"{NEW_WORKSHOP_AGREEMENT_DA}, og på tekst skrevet af andre (offentlige fagtekster om data og "
                "kunstig intelligens) endnu sjældnere, indtil den havde lært af menneskekodede eksempler af samme "
                "slags. Læs derfor koderne som forslag, og lad nogen kode en stikprøve af udsagnene i et kodeark – "
                "så lærer maskinen af dem, og afsnittet om enighed viser, hvor godt den rammer." + strange)
    # per dimension: a coder may have coded some statements on one dimension only
    shares = " og ".join(f"{SAME_CODE_DA[dim]} i {percent_da(overall.at[dim, 'accuracy'])} "
                         f"af {int(overall.at[dim, 'n_statements'])}" for dim in overall.index)
    text = (head + "Blandt de udsagn fra workshoppen, som mennesker har kodet, og som maskinen ikke har lært af, gav "
            f"den {shares} (mere i afsnittet om enighed)." + strange)
    tentative = tentative_codes(b)
    if tentative:
        limit = decimal_da(float(b.params["coding"]["tentative_alpha"]), 3)
        text += (f" Som foreløbige er markeret {', '.join(tentative)}: om dem var mindst ét par af de menneskelige "
                 f"kodere ikke enige nok (Krippendorffs alfa under {limit}).")
    return text


PROVENANCE_STEPS_DA = {"statements": "Indlæsning", "codes": "Kodning", "themes": "Temaer"}


def provenance_footer(b: WorkshopBundle) -> str:
    """HTML footer: input hashes, package versions, codebook version, seeds – folded away under one line
    («Proveniens»), since hashes and version lists are for whoever reruns the analysis, not for the reader."""
    esc = html.escape
    code_inputs = (b.provenance.get("codes") or {}).get("inputs_sha256", {})
    others = sorted({k.split("/")[1] for k in code_inputs if k.startswith("raw/")} - {b.workshop_id})
    learnt = (" Kodningen har også lært af de menneskekodede udsagn fra " + list_da(
        [f"workshoppen {esc(workshop_label(w))} ({esc(w)})" for w in others]) + ", så de filer står der også."
        if others else "")
    items = []
    for step, rec in b.provenance.items():
        inputs = rec.get("inputs_sha256", {})
        files = "; ".join(f"<code>{esc(k)}</code> {esc(v[:12])}" for k, v in sorted(inputs.items()))
        items.append(f"<em>{esc(PROVENANCE_STEPS_DA.get(step, step))}</em>: {files}")
    versions = next(iter(b.provenance.values()), {}).get("versions", {})
    if versions:
        items.append("Versioner: " + esc(", ".join(f"{k} {v}" for k, v in sorted(versions.items())
                                                  if v != "ikke installeret")))
    items.append(esc(f"Kodebog: {b.codebook.codebook_id} version {b.codebook.version} "
                     f"(sha256 {b.codebook.sha256[:12]})"))
    seeds = [f"kodning {b.params['coding']['seed']}"]
    if "themes" in b.provenance:
        seeds.append(f"temaer {b.provenance['themes'].get('parameters', {}).get('seed', b.params['themes']['seed'])}")
    items.append("Startværdier (seeds): " + esc(", ".join(seeds)))
    listed = "".join(f"<li>{item}</li>" for item in items)
    return (f'<hr/><details class="proveniens"><summary><strong>Proveniens</strong> – hvad resultaterne bygger på '
            f"(til den, der vil genskabe dem; klik for at se)</summary><p>Hvert trin med kontrolsummer (de første 12 "
            f"tegn af SHA-256) for de filer, det har læst, og de programversioner og startværdier, der er brugt."
            f"{learnt}</p><ul>{listed}</ul></details>")


def figure_alt_text(fig) -> str:
    """A Danish text alternative for a figure (for screen readers): its title and the subtitle above the
    plot, as the figure functions set them (:func:`workshopnlp.figures._title`)."""
    parts = [getattr(fig, "_workshopnlp_title", "") or (fig._suptitle.get_text() if fig._suptitle else "")]
    parts += [" ".join(ax.get_title(loc="left").split()) for ax in fig.axes[:1]]
    text = ". ".join(p.rstrip(".") for p in parts if p)
    return f"Figur: {text}." if text else "Figur"


def show(fig, dpi: int | None = None) -> None:
    """Display a matplotlib figure in the notebook as an embedded PNG with a Danish text alternative
    (:func:`figure_alt_text`; without one, the HTML export would write an English placeholder)."""
    import base64
    import html
    import io

    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or figure_params()["dpi"], bbox_inches="tight",
                metadata={"Software": None})
    alt = figure_alt_text(fig)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display(HTML(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
                 'style="max-width: 100%">'))


def themes_note(b: WorkshopBundle) -> str:
    if b.themes is None:
        # «temaer kræver flere udsagn» only where that is why (the themes step found too few)
        why = "" if b.themes_missing_reason == THEMES_NOT_FOUND_YET_DA else "; temaer kræver flere udsagn"
        return (f"> **Ingen temaer for denne workshop.** {b.themes_missing_reason[:1].upper()}"
                f"{b.themes_missing_reason[1:]}. Kodningen ovenfor gælder stadig{why}.")
    n = int((~b.themes["is_outlier_group"]).sum())
    outliers = b.themes[b.themes["is_outlier_group"]]
    out_share = float(outliers["share"].iloc[0]) if len(outliers) else 0.0
    unstable = [f"{tid} «{label}»" for tid, label in  # each theme named whole: "T02 «model, gevinst»; T05 «…»"
                b.themes.loc[b.themes["stable"] == False, ["theme_id", "label"]].itertuples(index=False)]  # noqa: E712
    text = (f"Der er fundet **{n} temaer**. {percent_da(out_share)} af udsagnene passede ikke ind i noget tema og står "
            "under \"Øvrigt\": de lignede ikke noget tema nok til at høre til det.")
    if unstable:
        text += f" Ustabile temaer (fandtes i under halvdelen af gentagelserne): {'; '.join(unstable)}."
    return text


SENSITIVE_LEFT_OUT_DA = "(Udeladt her: udsagnet fortæller om en deltagers egne personfølsomme forhold.)"
#: In place of such a statement's explanation, which quotes its words (a coding explanation's «vægtige ord»).
SENSITIVE_WHY_LEFT_OUT_DA = "(Udeladt sammen med udsagnet: forklaringen gengiver ord fra det.)"


def theme_reason_da(theme_id: str, nearest: str, runner_up: str, reassigned: bool, words: list[str] | None,
                    names: Mapping[str, str], closest_text: str = "") -> str:
    """Why a statement stands in ``theme_id`` (or in «Øvrigt»), in words a reader can check against the other
    themes: which theme's statements it is nearest and the runner-up, whether it was placed there after the
    grouping, and which of the theme's key words it uses – or, where it uses none, ``closest_text``: the
    statement of its theme it is most like (``nearest_statement_id``). ``names``: theme id → «T04 «Formål: …»».

    >>> names = {"T04": "T04 «formål, gevinst»", "T12": "T12 «svar, sagsforløb»"}
    >>> theme_reason_da("T04", "T04", "T12", False, ["gevinst"], names)
    "Ligner T04's udsagn mere end noget andet temas (næstnærmest: T12 «svar, sagsforløb»). Temaets nøgleord i udsagnet: gevinst."
    >>> theme_reason_da("ovrigt", "T12", "T12", False, [], names)
    'Lå ikke tæt nok på noget tema til at høre med; nærmest var T12 «svar, sagsforløb».'
    >>> theme_reason_da("T12", "T04", "T04", True, [], names).split("; ")[1].split(".")[0]  # placed after the grouping
    'målt mod temaerne, som de endte, ligger det dog lidt nærmere T04 «formål, gevinst»'
    """
    from .themes import OUTLIER_ID

    if theme_id == OUTLIER_ID:
        return (f"Lå ikke tæt nok på noget tema til at høre med; nærmest var {names.get(nearest, nearest)}."
                if nearest else "Lå ikke tæt nok på noget tema til at høre med.")
    if reassigned and nearest and nearest != theme_id:
        # placed by its likeness to the themes as they were before their last update (and a remark on practical
        # matters only with such remarks): measured against the finished themes, another can be nearer
        text = (f"Lå først uden for alle temaer og blev bagefter lagt sammen med {theme_id}'s udsagn; målt mod "
                f"temaerne, som de endte, ligger det dog lidt nærmere {names.get(nearest, nearest)}.")
    elif nearest and nearest != theme_id:
        text = (f"Grupperet med {theme_id}'s udsagn, som det ligger tæt på, selv om det som helhed ligger lidt "
                f"nærmere {names.get(nearest, nearest)}.")
    else:
        text = "Lå først uden for alle temaer og blev bagefter lagt i et tema. " if reassigned else ""
        text += f"Ligner {theme_id}'s udsagn mere end noget andet temas" + (
            f" (næstnærmest: {names.get(runner_up, runner_up)})." if runner_up else ".")
    if words is None:  # the statement is left out (sensitive): so are its words
        return text + " Hvilke af temaets nøgleord udsagnet bruger, er udeladt sammen med det."
    if words:
        return text + f" Temaets nøgleord i udsagnet: {', '.join(words)}."
    if closest_text:
        return text + (" Ingen af temaets nøgleord står i udsagnet; af temaets udsagn ligner det mest "
                       f"«{_short_quote(closest_text)}».")
    return text + " Ingen af temaets nøgleord står i udsagnet: det er indholdet som helhed, der ligner."


#: Most characters of another statement a theme's reason quotes (:func:`theme_reason_da`).
CLOSEST_QUOTE_CHARS = 90


def _short_quote(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= CLOSEST_QUOTE_CHARS else text[:CLOSEST_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def statement_themes(b: WorkshopBundle) -> pd.DataFrame:
    """Every statement with content and its theme, with why (:func:`theme_reason_da`): columns theme_id, Tema,
    Udsagn, Hvorfor, most typical of its theme first. A statement about a participant's own sensitive matters
    stays in its theme but is not printed (as in the quotes). No persona, as in :func:`all_codes`: the figure
    «Temaer fordelt på persona» hides the small cells a full list would let a reader count. Empty without
    themes."""
    if b.themes is None or b.assignments is None:
        return pd.DataFrame(columns=["theme_id", "Tema", "Udsagn", "Hvorfor"])
    from .themes import OUTLIER_ID

    themes = b.themes.set_index("theme_id")
    names = {tid: f"{tid} «{label}»" for tid, label in themes["label"].items() if tid != OUTLIER_ID}
    top_words = {tid: [w.strip() for w in str(words).split(",") if w.strip()]
                 for tid, words in themes["top_words"].fillna("").items()}
    runner = b.assignments["runner_up_theme_id"] if "runner_up_theme_id" in b.assignments else ""
    a = b.assignments.assign(runner_up_theme_id=runner)
    a = a[a["status"] == "brugbar"].merge(
        b.statements[["statement_id", "text", "content_lemmas"]], on="statement_id")
    order = {tid: i for i, tid in enumerate([*[t for t in themes.index if t != OUTLIER_ID], OUTLIER_ID])}
    a = a.assign(_order=a["theme_id"].map(order)).sort_values(["_order", "similarity", "statement_id"],
                                                              ascending=[True, False, True])
    texts = dict(zip(b.statements["statement_id"].astype(str), b.statements["text"].astype(str)))
    closest_of = ({} if "nearest_statement_id" not in b.assignments else  # themes written before it was kept
                  dict(zip(b.assignments["statement_id"].astype(str), b.assignments["nearest_statement_id"].astype(str))))
    rows = []
    for r in a.itertuples(index=False):
        lemmas = set(str(r.content_lemmas or "").split())
        closest = texts.get(closest_of.get(str(r.statement_id), ""), "")
        closest = "" if is_sensitive(closest) else closest  # a withheld statement is not quoted in another's why
        # a sensitive statement's words are not named («Temaets nøgleord i udsagnet: syg»)
        words = None if is_sensitive(str(r.text)) else [w for w in top_words.get(r.theme_id, []) if w in lemmas]
        rows.append({"theme_id": r.theme_id,
                     "Tema": "Øvrigt" if r.theme_id == OUTLIER_ID else names.get(r.theme_id, r.theme_id),
                     "Udsagn": SENSITIVE_LEFT_OUT_DA if is_sensitive(str(r.text)) else str(r.text),
                     "Hvorfor": theme_reason_da(r.theme_id, str(r.nearest_theme_id or ""),
                                                str(r.runner_up_theme_id or ""), bool(r.reassigned), words, names,
                                                closest)})
    return pd.DataFrame(rows, columns=["theme_id", "Tema", "Udsagn", "Hvorfor"])


def statement_themes_html(b: WorkshopBundle) -> str:
    """:func:`statement_themes` as one fold-out list per theme (``<details>``), so the page stays short and a
    reader opens the theme they want to check."""
    return _fold_outs(statement_themes(b), "theme_id", "Tema", ["Udsagn", "Hvorfor"])


def theme_quotes(b: WorkshopBundle) -> pd.DataFrame:
    """Each theme's typical statements; the persona is named only where :func:`quotable` allows it."""
    if b.themes_json is None or b.themes is None:
        return pd.DataFrame()
    named = quotable(b)
    rows = []
    for theme in b.themes_json.get("themes", []):
        for ex in theme.get("exemplars", []):
            if is_sensitive(ex["text"]):  # a participant's own health, faith … is never quoted
                continue
            rows.append({"Tema": theme["label"], "Citat": ex["text"],
                         "Persona": PERSONA_LABELS_DA.get(ex.get("persona", UNKNOWN_PERSONA), "")
                         if str(ex.get("statement_id")) in named else PERSONA_NOT_NAMED_DA})
    return pd.DataFrame(rows).set_index(["Tema", "Persona"]) if rows else pd.DataFrame()


def workshop_frames(data_dir: str | Path, until: str | None = None) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """(statements, codes) of every coded workshop whose id sorts at or before ``until``."""
    from .config import processed_workshops

    processed = Path(data_dir) / "processed"
    frames = {}
    for name in processed_workshops(data_dir, "codes.parquet"):  # not a folder whose raw folder is gone
        folder = processed / name
        if until and name > until:
            continue
        if (folder / "statements.parquet").exists():
            frames[name] = (pd.read_parquet(folder / "statements.parquet"), pd.read_parquet(folder / "codes.parquet"))
    return frames


def comparison_note(frames: dict, workshop_id: str, data_dir: str | Path | None = None) -> str:
    """Which earlier workshops this one is compared with; for the first workshop, where its development is
    shown instead (the reports of the later workshops in ``data_dir``, if any have been run)."""
    if len(frames) < 2:
        later = [w for w in workshop_frames(data_dir) if w > workshop_id] if data_dir is not None else []
        if later:
            return ("> Der er ingen tidligere kodet workshop at sammenligne med. Udviklingen siden denne workshop "
                    f"står i rapporten for {' og '.join(workshop_label(w) for w in later)}.")
        # worded to stay true when a later workshop is run and this page is not made again
        return ("> Der er ingen tidligere kodet workshop at sammenligne med. Udviklingen efter denne workshop står "
                "i rapporterne for de senere workshops, når de er kørt.")
    others = [reporting_label for reporting_label in (workshop_label(w) for w in frames if w != workshop_id)]
    return f"Sammenlignet med: {', '.join(others)}."


#: How often the coder gave the human majority's code on workshops it had not learnt from (five illustrative 2023
#: workshops by other authors, three blind coders each: accuracy 0.60 on focus areas and 0.63 on principles;
#: ``benchmarks/coding_quality.py``, section «New workshops», and README «Benchmarks», 5 December 2026; June and
#: September alone 0.56 and 0.54, measured in session 34 against the three coders' majority). Said in words.
NEW_WORKSHOP_AGREEMENT_DA = "omkring 6 af 10 udsagn i gennemsnit over fem sådanne workshops (på nogle kun halvdelen)"


def who_coded_note(frames: dict) -> str:
    """Markdown under the figures of codes by workshop: who gave each workshop's codes (people, the machine or
    both: :func:`workshopnlp.figures.human_coded_share`), and – where people coded one workshop and the machine
    another – that a difference between them may be the coding's. October and January (coded by people) beside
    September (by the machine) showed Formål falling from 30 % to 13 %; people's own codes of September gave 30 %."""
    from .figures import coded_by_da, human_coded_share, workshop_labels

    shares = {ws: human_coded_share(*frames[ws]) for ws in sorted(frames)}
    names = workshop_labels(sorted(shares))
    groups: dict[str, list[str]] = {}  # «kodet af mennesker» -> the workshops so coded, in order
    for ws, share in shares.items():
        groups.setdefault(coded_by_da(share), []).append(names[ws].lower())
    parts = [f"{'Udsagnene' if i == 0 else 'dem'} fra {list_da(ws)} er {who}" for i, (who, ws) in enumerate(groups.items())]
    text = "**Hvem kodede.** " + (", ".join(parts[:-1]) + ", og " + parts[-1] if len(parts) > 1 else parts[0]) + "."
    if max(shares.values()) - min(shares.values()) >= 0.5:
        text += (" Workshops kodet af mennesker og af maskinen kan ikke sammenlignes direkte: maskinens koder er "
                 "forslag, og på workshops, den ikke havde lært af, gav den i projektets egne målinger samme "
                 f"fokusområde som menneskelige kodere i kun {NEW_WORKSHOP_AGREEMENT_DA}. En forskel mellem dem kan "
                 "derfor skyldes kodningen og ikke det, der blev sagt. Lad mennesker kode et udsnit af de "
                 "maskinkodede workshops i et kodeark, før forskellen tolkes.")
    return text


def asked_about_note(frames: dict, codebook: Codebook) -> str:
    """Markdown under the figures of codes by workshop: for each focus area, the share of each workshop's
    statements that stood under a heading or a question naming it (:meth:`workshopnlp.coding.ContextFeatures.
    named_codes`); "" where no heading or question names one. «Tillid» fell from 22 % to 6 % of the statements
    from October to January, while the share asked about trust fell from 36 % to 3 % (January's survey asked
    nothing about it, and its minutes say the round was cut short): without this a reader takes the way a
    workshop was run for a change of mind."""
    from .coding import ContextFeatures, contexts_of

    features = ContextFeatures(codebook)
    labels = {code: label for code, label in codebook.dimension("focus_area").labels().items() if code != "ingen"}
    shares: dict[str, dict[str, float]] = {}
    for ws in sorted(frames):
        usable = usable_statements(frames[ws][0])
        found = [code for ctx in contexts_of(usable) for dim, code in features.named_codes(ctx) if dim == "focus_area"]
        shares[ws] = {code: found.count(code) / max(len(usable), 1) for code in labels}
    asked = [code for code in labels if any(s[code] for s in shares.values())]
    if not asked:
        return ""
    from .figures import workshop_labels

    names = workshop_labels(sorted(shares))  # as the figure above names the workshops
    parts = [f"«{labels[code]}» " + list_da([f"{percent_da(shares[ws][code])} i {names[ws].lower()}"
                                            for ws in sorted(shares)]) for code in asked]
    return ("**Hvad der blev spurgt om.** Et fokusområdes andel afhænger også af, hvad workshoppen spurgte om. "
            "Andelen af udsagnene, der stod under en overskrift eller et spørgsmål, som nævner fokusområdet: "
            + "; ".join(parts) + ". Hvor der blev spurgt mindre til et fokusområde, kan en mindre andel skyldes "
            "spørgsmålene og ikke, hvad deltagerne mener.")


def no_theme_comparison_text(b: WorkshopBundle) -> str:
    """Why a workshop's themes are not compared with earlier ones."""
    if b.themes is None:
        return "Ingen temasammenligning: denne workshop har ingen temaer (se afsnit 3)."
    return "Ingen temasammenligning: der er ingen tidligere workshop med temaer at sammenligne med."


def _latest_comparison(b: WorkshopBundle) -> tuple[pd.DataFrame, str] | None:
    """The latest comparison_<earlier>.csv of this workshop, its theme names marked «(foreløbig)» by their own
    workshop's agreement (:func:`workshopnlp.compare.with_tentative_names`), and the earlier workshop's id. None
    without a comparison."""
    from .compare import latest_comparison_path, with_tentative_names

    path = latest_comparison_path(b.data_dir, b.workshop_id)
    if path is None:
        return None
    earlier = path.stem[len("comparison_"):]
    table = pd.read_csv(path, keep_default_na=False, dtype={"label_a": str, "label_b": str, "nearest_label": str})
    return with_tentative_names(table, b.data_dir, earlier, b.workshop_id), earlier


def likeness_da(row: Mapping[str, Any], threshold: float) -> str:
    """A comparison row's «Lighed» as page 04 shows it: a pair's similarity («0,77»); for a theme without a partner
    how near the nearest theme on the other side came («0,58 til «…»»), under the ``threshold`` never rounded up
    to it (0.6465 under 0.65 read «0,65», as if it had reached it; now «0,64»); at or above the threshold the theme
    the nearest is paired with instead, at least as alike to it (:func:`workshopnlp.themes.match_one_to_one`):
    «0,70 til «A», der er parret med «B» (0,77)». «–» without either."""
    if str(row["similarity"]) not in ("", "nan", "None"):
        return decimal_da(float(row["similarity"]))
    near, value = str(row.get("nearest_label", "")), str(row.get("nearest_similarity", ""))
    if not near or value in ("", "nan", "None"):
        return "–"
    value = float(value)
    if value < threshold:
        shown = round(value, 2)
        if shown >= threshold:  # never rounded up to the threshold it did not reach
            shown = math.floor(value * 100 + 1e-9) / 100
        return f"{decimal_da(shown)} til «{near}»"
    paired, paired_value = str(row.get("nearest_paired_label", "")), str(row.get("nearest_paired_similarity", ""))
    if not paired or paired_value in ("", "nan", "None"):  # a comparison written before partners were recorded
        return f"{decimal_da(value)} til «{near}»"
    return f"{decimal_da(value)} til «{near}», der er parret med «{paired}» ({decimal_da(float(paired_value))})"


def theme_changes(b: WorkshopBundle) -> pd.DataFrame | None:
    """The latest comparison of this workshop's themes with an earlier workshop's, in Danish: shares as
    "10 %", the change in percentage points with its sign, "–" where a theme did not exist, names marked
    «(foreløbig)» by their own workshop's agreement. None if there is no comparison (see
    :func:`no_theme_comparison_text`)."""
    latest = _latest_comparison(b)
    if latest is None:
        return None
    table = latest[0]
    threshold = float(b.params["themes"]["workshop_match_similarity"])

    def share(label: str, value) -> str:
        return percent_da(float(value)) if label else "–"

    def status(row) -> str:  # as the figure says it (figures.theme_change_status): «Ny (ustabil)»
        text, note = theme_change_status(row)
        return text.capitalize() + (f" ({note})" if note else "")

    return pd.DataFrame({
        "Status": [status(r) for _, r in table.iterrows()],
        "Tema før": table["label_a"].where(table["label_a"] != "", "–"),
        "Andel før": [share(lab, v) for lab, v in zip(table["label_a"], table["share_a"])],
        "Tema nu": table["label_b"].where(table["label_b"] != "", "–"),
        "Andel nu": [share(lab, v) for lab, v in zip(table["label_b"], table["share_b"])],
        # the change of the shares as shown ("5 % -> 10 %" is +5, not the unrounded +4)
        "Ændring": [points_da((round(100 * float(b)) - round(100 * float(a))) / 100)
                    for a, b in zip(table["share_a"], table["share_b"])],
        # how alike the two themes' statements are: a reader can weigh a match whose name changed
        "Lighed": [likeness_da(r, threshold) for _, r in table.iterrows()],
    })


def theme_changes_note(b: WorkshopBundle) -> str:
    """What the comparison table's «Lighed» means and why a theme can carry a new name (Markdown)."""
    threshold = decimal_da(float(b.params["themes"]["workshop_match_similarity"]))
    return ("*«Lighed» er, hvor meget to temaers udsagn ligner hinanden i indhold (1 = ens). Et tema fra hver "
            f"workshop kan parres som det samme tema, når ligheden er mindst {threshold} (hvert tema med højst ét); "
            "et tema uden makker er forsvundet eller nyt. Et tema navngives ud fra sine egne udsagn i hver "
            "workshop, så det samme tema kan have et andet navn nu – også en anden kode foran navnet. Jo lavere "
            "lighed, desto mere har temaet flyttet sig. Ved et tema uden makker står ligheden med det nærmeste tema "
            "på den anden side – under grænsen, eller, hvis det nærmeste tema ligner et andet tema endnu mere og "
            "er parret med det, begge ligheder. «Ustabil»: temaet blev fundet i under halvdelen af gentagelserne af "
            "grupperingen, så et forsvundet eller nyt ustabilt tema – og et ustabilt tema, der er vokset eller skrumpet – "
            "kan lige så vel skyldes metoden som det, der blev sagt. Vokset og skrumpet gælder temaets andel af workshoppens udsagn, ikke antallet: workshops har "
            "forskelligt antal udsagn.*")


def theme_comparison(b: WorkshopBundle) -> tuple[pd.DataFrame, str, str] | None:
    """(comparison table, earlier label, this workshop's label) for the figure, or None if none exists; theme
    names marked «(foreløbig)» as in :func:`theme_changes`."""
    latest = _latest_comparison(b)
    if latest is None:
        return None
    return latest[0], workshop_label(latest[1]), b.label


def table_html(frame: pd.DataFrame) -> str:
    """A table as a reader page shows it: one header row, no row numbers. The index's names become ordinary
    column heads (a cross-table's two axis names share the corner cell: "koder A ↓ / koder B →"), a group
    label repeated down the rows is shown once, a missing value is "–" and a decimal number has a comma.
    pandas' own HTML would put the index names on a second, otherwise empty header row."""
    shown = frame.copy()
    levels = shown.index.nlevels
    if levels > 1 or shown.index.name is not None or not isinstance(shown.index, pd.RangeIndex):
        if levels == 1 and shown.columns.name:
            names = [" / ".join(n for n in (shown.index.name, shown.columns.name) if n)]
        else:
            names = [n if n is not None else "" for n in shown.index.names]
        original = shown.index.to_frame(index=False).astype(str)
        shown.index = shown.index.set_names(names)
        shown = shown.reset_index()
        for i, name in enumerate(names[:-1]):  # a group label once: blank where it and its parents repeat
            same = (original.iloc[:, :i + 1] == original.iloc[:, :i + 1].shift()).all(axis=1)
            shown[name] = shown[name].astype(object).where(~same.to_numpy(), "")
    shown.columns.name = None
    return _one_line(shown).to_html(index=False, na_rep="–", border=0, float_format=lambda v: decimal_da(v))


def _one_line(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every line break inside a text cell made a space: pandas' HTML prints a line break of a
    cell as the two characters «\\n» (a survey answer written over two lines read «forløb\\npå tværs»)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [" ".join(v.split()) if isinstance(v, str) and ("\n" in v or "\r" in v) else v
                           for v in out[column]]
    return out


def dilemma_cards(b: WorkshopBundle) -> list[dict[str, Any]]:
    """The workshop's dilemma cards, the same as the card files in the report's figures folder
    (:func:`workshopnlp.figures.workshop_dilemma_cards`, with the run's parameters and the themes)."""
    from .figures import workshop_dilemma_cards

    if b.codes is None:
        return []
    return workshop_dilemma_cards(b.statements, b.codes, b.codebook, b.params, b.themes, b.assignments)


def dilemma_card_text(card: dict[str, Any]) -> str:
    """A dilemma card as text under its picture (Markdown): a screen reader reads it, a reader can search
    and copy the quotes. The same content and small print as :func:`workshopnlp.figures.fig_dilemma_card`."""
    from .figures import dilemma_card_footer, dilemma_card_no_quotes, dilemma_card_not_quoted

    lines = [f"**{card['label']}.** *Dilemma:* {card['dilemma']} *Spørgsmål:* {card['question']}", ""]
    for q in card.get("quotes") or []:
        source = str(q.get("source_kind_label") or "").lower()
        lines.append(f"- »{' '.join(str(q['text']).split())}« – {q['persona_label']}" + (f", {source}" if source else ""))
    if not card.get("quotes"):
        lines.append(f"- {dilemma_card_no_quotes(card)}")
    elif dilemma_card_not_quoted(card):
        lines += ["", dilemma_card_not_quoted(card)]
    lines += ["", f"<small>{html.escape(dilemma_card_footer(card, bool(card.get('quotes'))))}</small>"]
    return "\n".join(lines)


#: How many of a code's examples the codebook page quotes (one per persona first) and how many counter-examples.
CODEBOOK_EXAMPLES_SHOWN = 4
CODEBOOK_COUNTER_EXAMPLES_SHOWN = 3


def codebook_html(codebook: Codebook, dimension: str, counts: Mapping[str, int] | None = None) -> str:
    """The codes of ``dimension`` as the reader page shows them, so that an explanation's «ligner kodebogens
    eksempel» can be checked against what the code means: one folded block per code (``<details>``, which
    needs no script), headed by its label and – with ``counts`` – how many of the workshop's statements have
    it. Opened, it shows the seed's definition, for a focus area the workshop's dilemma and question, what
    belongs to the code and what does not (ids written as labels), a few of its examples with persona and
    register, and counter-examples: statements that use the code's words but belong to another code. Every
    text is escaped."""
    esc = html.escape
    dim = codebook.dimension(dimension)
    blocks = []
    for code in dim.codes:
        head = f"<strong>{esc(code.label)}</strong>"
        if counts is not None:
            n = int(counts.get(code.id, 0))
            head += f" – {n} udsagn i denne workshop"
        parts = [f"<p><em>Definition:</em> {esc(code.definition)}</p>"]
        if code.dilemma or code.question:
            parts.append(f"<p><em>Workshoppens dilemma:</em> {esc(code.dilemma or '–')} "
                         f"<em>Spørgsmål:</em> {esc(code.question or '–')}</p>")
        for title, notes in (("Hører med", code.include), ("Hører ikke med", code.exclude)):
            if notes:
                items = "".join(f"<li>{esc(code_ids_as_labels(t, codebook, dimension))}</li>" for t in notes)
                parts.append(f"<p><em>{title}:</em></p><ul>{items}</ul>")
        shown = examples_across_personas(code, CODEBOOK_EXAMPLES_SHOWN)
        items = [f"<li>»{esc(e.text)}«" + (f" – {esc(origin)}" if (origin := example_origin_da(e)) else "") + "</li>"
                 for e in shown]
        parts.append(f"<p><em>Eksempler fra kodebogen</em> ({len(shown)} af {len(code.examples)}; maskinen har "
                     f"lært af dem alle):</p><ul>{''.join(items)}</ul>")
        counters = code.counter_examples[:CODEBOOK_COUNTER_EXAMPLES_SHOWN]
        if counters:
            items = "".join(
                f"<li>»{esc(e.text)}« → «{esc(dim.code(e.code).label)}»" + (f" ({esc(e.note)})" if e.note else "")
                + "</li>" for e in counters)
            parts.append(f"<p><em>Bruger ordene, men hører til en anden kode</em> ({len(counters)} af "
                         f"{len(code.counter_examples)} modeksempler):</p><ul>{items}</ul>")
        blocks.append(f'<details id="kode-{esc(dimension)}-{esc(code.id)}"><summary>{head}</summary>'
                      f'<div style="margin-left: 1.2em">{"".join(parts)}</div></details>')
    return "\n".join(blocks)


def codebook_intro(codebook: Codebook) -> str:
    """What the reader page says above the codes (Markdown): which codebook, from where, how many examples
    the machine learnt from, and the codebook's rules for coders."""
    n = sum(len(c.examples) + len(c.counter_examples) for d in codebook.dimensions for c in d.codes)
    lines = [f"Koderne er defineret i kodebogen »{codebook.title}«, version {codebook.version}. Definitionerne, "
             f"dilemmaerne og spørgsmålene kommer fra {codebook.source}. Både de menneskelige kodere og "
             f"maskinen (som har lært af kodebogens {n} eksempler og modeksempler) koder efter den. Klik på en "
             "kode for at se, hvad der hører med, hvad der ikke gør, og eksempler.", ""]
    if codebook.notes:
        lines += ["**Regler for kodningen**", ""] + [f"- {' '.join(note.split())}" for note in codebook.notes]
    return "\n".join(lines)


def codebook_section(b: WorkshopBundle, dimension: str):
    """The codes of ``dimension`` for the page (:func:`codebook_html`), each with how many of this workshop's
    statements with content have it (duplicates counted once, as in the figures)."""
    from IPython.display import HTML

    coded = b.coded()
    keep = ~coded["is_empty_content"].astype(bool) & ~coded["is_duplicate"].astype(bool)
    return HTML(codebook_html(b.codebook, dimension, coded.loc[keep, dimension].value_counts().to_dict()))


def open_report(workshop_id: str, data_dir: str | Path = "data",
                params_override: dict[str, Any] | None = None) -> WorkshopBundle:
    """Start a report notebook: load the workshop, apply the figure style, and show the page
    "Sådan er analysen lavet" that every reader report opens with. Returns the bundle.

    ``params_override``: the run's changes to the default parameters, nested as in params.yaml
    (:func:`workshopnlp.config.params_override` of what ``--params`` gave; the report step passes it to every
    notebook), so that e.g. a higher ``figures.min_cell_count`` hides small cells on the pages too."""
    from IPython.display import Markdown, display

    from .config import merge_params
    from .figures import setup_style

    params = merge_params(params_override or {}, "notebookens params_override")
    bundle = load_bundle(workshop_id, data_dir, params=params)
    setup_style(bundle.params)
    # Tables show whole statements and explanations: a reader must be able to check the "why", and
    # pandas would otherwise cut every cell after 50 characters.
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 200)
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:  # every table on the page goes through table_html
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, table_html)
    display(Markdown(how_it_was_made(bundle)))
    return bundle


def close_report(b: WorkshopBundle) -> None:
    """End a report notebook with the provenance footer."""
    from IPython.display import HTML, display

    display(HTML(provenance_footer(b)))


def confusion_table(b: WorkshopBundle, dimension: str, pair: str) -> pd.DataFrame:
    """Confusion matrix of one pair ("A ~ B", "A ~ model" …) with Danish code labels; empty if absent."""
    path = WorkshopPaths(b.data_dir, b.workshop_id).processed / "confusion.csv"
    if not path.exists():
        return pd.DataFrame()
    long = pd.read_csv(path)
    long = long[(long["dimension"] == dimension) & (long["par"] == pair)]
    if long.empty:
        return pd.DataFrame()
    labels = b.codebook.dimension(dimension).labels()
    first, second = pair.split(" ~ ")
    wide = long.pivot(index="kode_1", columns="kode_2", values="n")
    order = list(labels)
    wide = wide.reindex(index=order, columns=order).rename(index=labels, columns=labels)
    who = {p: "maskinen" if p == "model" else f"koder {p}" for p in (first, second)}
    wide.index.name, wide.columns.name = f"{who[first]} ↓", f"{who[second]} →"
    return wide


#: What the agreement page says in place of its cross-tables when nobody has coded this workshop by hand.
NO_HUMAN_CODES_DA = "*Ingen udsagn fra denne workshop er kodet af mennesker endnu, så der er intet at vise her.*"


def disputes_text(human_codes: pd.DataFrame | None) -> str:
    """Danish: how many statements the blind coders disagree on, how many a review has settled, and how the
    rest can be settled (a review sheet, see :mod:`workshopnlp.coding_sheet`)."""
    if human_codes is None or human_codes.empty:
        return "*Der er ingen uenigheder at afgøre, for ingen har kodet udsagn fra denne workshop endnu.*"
    disputed = disputed_statements(human_codes)
    open_ = open_disputes(human_codes)
    if not disputed:
        return "De menneskelige kodere er enige om alle de udsagn, de har kodet."
    settled = len(disputed) - len(open_)
    text = (f"De menneskelige kodere er uenige om {len(disputed)} udsagn på mindst én dimension; "
            + (f"{settled} af dem er afgjort ved en gennemgang. " if settled else "ingen af dem er afgjort endnu. "))
    if open_:
        ties = len(_without_majority(human_codes, set(open_)))
        text += "Indtil de er afgjort, gælder flertallets kode"
        text += (f". Ved {ties} af de uafgjorte udsagn er der intet flertal på mindst én "
                 "dimension (to kodere gav hver sin kode, eller alle gav forskellige): der gælder koden fra den "
                 "koder, hvis initialer står først i alfabetet – et valg uden vægt, som kun en gennemgang kan "
                 "erstatte. " if ties else ". ")
        text += ("Projektgruppen kan afgøre dem i et gennemgangsark: et regneark med netop disse udsagn og de "
                 "tidligere koderes koder, som analytikeren laver. Den kode, gennemgangen giver, afgør udsagnet; den "
                 "tæller ikke med i enighedstallene ovenfor, fordi den, der gennemgår, har set de andres koder.")
    return text


def _without_majority(human_codes: pd.DataFrame, statement_ids: set[str]) -> set[str]:
    """Of ``statement_ids``, those whose blind coders' most given code is shared by two or more codes on some
    dimension: their reference code is the one of the coder who sorts first
    (:func:`workshopnlp.coding.reference_codes`), not a majority's."""
    from .coding_sheet import blind_codes

    out = set()
    blind = blind_codes(human_codes)
    for sid, group in blind.groupby(blind["statement_id"].astype(str)):
        if sid not in statement_ids:
            continue
        for dim in DIMENSIONS:
            counts = group[dim].dropna().value_counts()
            if len(counts) > 1 and counts.iloc[0] == counts.iloc[1]:
                out.add(sid)
    return out


def pair_heading(pair: str) -> str:
    """A pair of the agreement table in words ("A ~ model" -> "Koder A og maskinen")."""
    from .figures import _pair_label

    return _pair_label(pair)


def agreement_pairs(b: WorkshopBundle) -> list[str]:
    """The pairs in the agreement table, people first."""
    if b.agreement is None:
        return []
    pairs = [p for p in b.agreement["par"].unique() if p != "alle"]
    return sorted(pairs, key=lambda p: ("model" in p, p))
