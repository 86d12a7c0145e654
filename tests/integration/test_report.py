"""The whole chain on the sample workshops: run → notebooks → HTML, skipping, failures, and a real browser.

Every notebook is executed (papermill) on both sample workshops by the session fixture.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup  # installed with nbconvert, which renders the reports

from conftest import JANUARY, OCTOBER, REPO
from workshopnlp.cli import main
from workshopnlp.codebook import load_codebook
from workshopnlp.config import load_params
from workshopnlp.pipeline import run_pipeline

pytestmark = pytest.mark.integration
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="session")
def reported(coded_data_dir, tmp_path_factory):
    """Both sample workshops run end to end (codes reused, themes fitted, reports rendered). January is run
    first, as on a machine where October's files lie in raw/ but were never run: October's themes must be
    made first, for the comparison. status: workshop -> (step statuses, printed lines)."""
    root = tmp_path_factory.mktemp("reported")
    data_dir = root / "data"
    shutil.copytree(coded_data_dir, data_dir)
    reports = root / "reports"
    status = {}
    for ws in (JANUARY, OCTOBER):
        printed: list[str] = []
        status[ws] = (run_pipeline(ws, data_dir, reports, echo=printed.append), printed)
    return data_dir, reports, status


def _digest_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_reports_for_readers_and_researchers(reported):
    data_dir, reports, status = reported
    assert len(NOTEBOOKS) >= 6
    for ws in (OCTOBER, JANUARY):
        out = reports / ws
        assert (out / "index.html").exists()
        index = (out / "index.html").read_text(encoding="utf-8")
        for nb in NOTEBOOKS:
            reader = (out / "laeser" / f"{nb.stem}.html").read_text(encoding="utf-8")
            researcher = (out / "forsker" / f"{nb.stem}.html").read_text(encoding="utf-8")
            assert f"laeser/{nb.stem}.html" in index and f"forsker/{nb.stem}.html" in index
            assert "Sådan er analysen lavet" in reader and "Proveniens" in reader
            assert "open_report" not in reader and "open_report" in researcher  # code hidden for readers
            # every page and executed notebook names the finished report, never the temporary build folder
            executed = (out / "udfoerte_notebooks" / nb.name).read_text(encoding="utf-8")
            assert not [p for p in (reader, researcher, executed) if ".tmp-" in p], (ws, nb.stem)
            assert "https://cdn" not in reader and "<script src=\"http" not in reader
            assert "Traceback" not in reader
            # every figure has a Danish text alternative (screen readers), not nbconvert's English placeholder
            soup = BeautifulSoup(reader, "html.parser")
            alts = [img.get("alt", "") for img in soup.find_all("img")]
            assert all(a.startswith("Figur: ") and len(a) > 20 for a in alts), (ws, nb.stem, alts)
            # no missing value or raw id shows as text (NaN in a table cell, the outlier theme's id)
            text = " ".join(soup.get_text(" ").split())
            raw = re.findall(r".{0,60}\b(?:NaN|nan|None|ovrigt)\b.{0,30}", text)
            assert not raw, (ws, nb.stem, raw[:3])
        figures = list((out / "figures").glob("*.png"))
        assert len(figures) >= 6 and len(list((out / "figures").glob("*.svg"))) == len(figures)
        recorded = json.loads((out / "report.provenance.json").read_text("utf-8"))["inputs_sha256"]
        assert "codes.parquet" in recorded and "statements.parquet" in recorded
        # not the pipeline's stamps of earlier steps (.pipeline/*.json): they record the previous run, and the
        # same inputs must give the same provenance whatever ran before
        assert not [name for name in recorded if name.startswith(".")], (ws, sorted(recorded))
    january = (reports / JANUARY / "laeser" / "04_sammenligning.html").read_text(encoding="utf-8")
    assert "oktober 2022" in january  # compared with the earlier workshop
    # ... although October had not been run: January's run made October's themes first, and said so
    steps, printed = status[JANUARY]
    assert any(line.startswith(f"Den tidligere workshop {OCTOBER} er ikke kørt endnu") for line in printed)
    assert any(line.startswith("[ingest] 195 udsagn fra 3 filer") for line in printed), printed  # what ingest found
    assert any("hoeringsportal_export.xlsx: hoering (udledt)" in line for line in printed)
    # the pages carry the title workshop.yaml gives (October's); January has no workshop.yaml
    headings = {ws: BeautifulSoup((reports / ws / "index.html").read_text("utf-8"), "html.parser").h1.get_text()
                for ws in (OCTOBER, JANUARY)}
    assert headings == {OCTOBER: "Dataetisk workshop – Signaturprojektet, 28. oktober 2022",
                        JANUARY: "Dataetisk workshop 19. januar 2023"}
    steps, _ = status[OCTOBER]
    assert steps == {"ingest": "uændret – sprunget over", "code": "uændret – sprunget over",
                     "themes": "uændret – sprunget over", "report": "kørt"}
    # the provenance footer says in Danish that October's coder learnt from January's human codes too
    october = (reports / OCTOBER / "laeser" / "02_kodning.html").read_text(encoding="utf-8")
    assert f"lært af de menneskekodede udsagn fra workshoppen 19. januar 2023 ({JANUARY})" in october
    assert "Startværdier (seeds)" in october
    # ... folded away under one line: hashes and versions are for whoever reruns the analysis
    footer = BeautifulSoup(october, "html.parser").find("details", class_="proveniens")
    assert footer.summary.get_text().startswith("Proveniens") and "Versioner:" in footer.get_text()


def test_reader_sees_whole_statements_and_explanations(reported):
    """The 'why' must be readable: no cell cut off after 50 characters."""
    _, reports, _ = reported
    page = (reports / OCTOBER / "laeser" / "02_kodning.html").read_text(encoding="utf-8")
    start = page.index("Hvorfor fik udsagnene")
    # a cut cell would end after "Kodet af menneske (kodeark); maskinens forslag..."
    assert page[start:].count("ligner kodebogens eksempler «") >= 6 and "vægtige ord:" in page[start:]


def test_reader_can_look_up_what_each_code_means(reported):
    """Below the explanations, the codebook the codes were made with: every code of both dimensions folded
    under its label and the number of the workshop's statements (with content, duplicates once) that have it,
    with the seed's definition and what belongs and what does not - so «ligner kodebogens eksempel» can be
    checked against what the code means."""
    from workshopnlp.codebook import DIMENSIONS, workshop_codebook

    data_dir, reports, _ = reported
    page = (reports / OCTOBER / "laeser" / "02_kodning.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    codebook = workshop_codebook(data_dir, OCTOBER)
    statements = pd.read_parquet(data_dir / "processed" / OCTOBER / "statements.parquet")
    codes = statements.merge(pd.read_parquet(data_dir / "processed" / OCTOBER / "codes.parquet")
                             [["statement_id", *DIMENSIONS]], on="statement_id")
    usable = codes[~codes["is_empty_content"].astype(bool) & ~codes["is_duplicate"].astype(bool)]
    assert page.index('id="Hvorfor-fik-udsagnene') < page.index('id="Kodebogen:-hvad-betyder-koderne?"')
    assert f"version {codebook.version}" in soup.get_text()
    for dim in DIMENSIONS:
        counts = usable[dim].value_counts()
        assert counts.sum() > 100
        for code in codebook.dimension(dim).codes:
            block = soup.find("details", id=f"kode-{dim}-{code.id}")
            summary = block.summary.get_text()
            assert summary.startswith(code.label), summary  # «(foreløbig)» may follow, as everywhere on the page
            assert summary.endswith(f" – {int(counts.get(code.id, 0))} udsagn i denne workshop"), summary
            text = " ".join(block.get_text(" ").split())
            assert code.definition in text and "Hører med:" in text and "Eksempler fra kodebogen" in text


def test_agreement_report_shows_the_model_per_persona(reported):
    _, reports, _ = reported
    page = (reports / OCTOBER / "laeser" / "05_enighed.html").read_text(encoding="utf-8")
    assert "Virker maskinen lige godt for alle personaer?" in page
    assert "Borger i ressourceforløb" in page and "Andel enige" in page and "Kodere indbyrdes enige" in page


def test_dilemma_cards_quote_the_seed(reported):
    _, reports, _ = reported
    page = (reports / OCTOBER / "laeser" / "06_til_opfoelgningsworkshop.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64") >= 3
    # ... and as text under each picture (screen readers, search, copying a quote): the seed's dilemma and
    # question and every quote on the card
    from workshopnlp.reporting import dilemma_cards, load_bundle

    data_dir = reported[0]
    b = load_bundle(OCTOBER, data_dir)
    text = " ".join(BeautifulSoup(page, "html.parser").get_text(" ").split())
    cards = dilemma_cards(b)  # as page 06 and the card files show them
    assert len(cards) == 3 and sum(len(c["quotes"]) for c in cards) >= 6
    # a participant's own diagnosis is coded and counted like any statement, but never quoted anywhere
    from workshopnlp.pseudonymise import is_sensitive
    from workshopnlp.reporting import examples_with_explanations, theme_quotes

    told = b.coded()[b.coded()["text"].map(is_sensitive)]
    assert len(told) >= 3 and told["focus_area"].notna().all()
    quoted = [q["text"] for c in cards for q in c["quotes"]] + theme_quotes(b)["Citat"].tolist() + [
        t for d in ("focus_area", "principle") for t in examples_with_explanations(b, d)["Udsagn"]]
    assert quoted and not [t for t in quoted if is_sensitive(t)]
    for ws in (OCTOBER, JANUARY):
        for folder in ("laeser", "forsker"):
            for page_path in (reports / ws / folder).glob("*.html"):
                assert "Jeg har ADHD" not in page_path.read_text(encoding="utf-8"), page_path
    for card in cards:
        assert " ".join(card["dilemma"].split()) in text and " ".join(card["question"].split()) in text
        for q in card["quotes"]:
            assert f"»{' '.join(q['text'].split())}« – {q['persona_label']}" in text


def test_rerun_skips_unchanged_steps_and_redoes_changed_ones(reported, tmp_path, monkeypatch):
    """Which steps run again, and why. Rendering is the fixture's (`reported`) to test; here the report
    step's own work is replaced by a recorder that writes the step's output, which saves rendering six
    notebooks twice (about 70 s) and still lets the pipeline's skip rule see the report step's output."""
    from workshopnlp import report

    data_dir, reports, _ = reported
    d, r = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(data_dir, d)
    shutil.copytree(reports, r)
    rendered = []

    def render_recorder(workshop_id, data_dir, reports_dir, *args, **kwargs):
        rendered.append(workshop_id)
        index = Path(reports_dir) / workshop_id / "index.html"
        index.write_text(f"gengivet {len(rendered)}. gang", encoding="utf-8")
        return index.parent

    monkeypatch.setattr(report, "render_reports", render_recorder)
    status = run_pipeline(OCTOBER, d, r, echo=lambda _: None)
    assert set(status.values()) == {"uændret – sprunget over"} and rendered == []
    # Word and Excel leave "~$…" lock files beside an open document: opening a file changes nothing
    (d / "raw" / OCTOBER / "~$uppe_raadgivere.docx").write_bytes(b"\x00lock")
    (d / "raw" / OCTOBER / "kodning" / "~$deark_A.xlsx").write_bytes(b"\x00lock")
    status = run_pipeline(OCTOBER, d, r, echo=lambda _: None)
    assert set(status.values()) == {"uændret – sprunget over"}
    notes = d / "raw" / OCTOBER / "gruppe_ledere.md"
    notes.write_text(notes.read_text("utf-8") + "\n- Vi skal kunne forklare formålet for borgerne.\n", "utf-8")
    status = run_pipeline(OCTOBER, d, r, echo=lambda _: None)
    assert status == dict.fromkeys(("ingest", "code", "themes", "report"), "kørt") and rendered == [OCTOBER]
    # the coder learns from January's human-coded statements, read from January's raw files: a change
    # there recodes October, although October's own files are unchanged
    january = d / "raw" / JANUARY / "plenum_noter.txt"
    january.write_text(january.read_text("utf-8") + "\nVi skal kunne forklare formålet.\n", "utf-8")
    status = run_pipeline(OCTOBER, d, r, echo=lambda _: None)
    assert status["ingest"] == "uændret – sprunget over" and status["code"] == "kørt"
    # a report changed by hand (or lost) is made again although nothing it is made from changed
    status = run_pipeline(OCTOBER, d, r, echo=lambda _: None)
    assert set(status.values()) == {"uændret – sprunget over"}
    before = len(rendered)
    (r / OCTOBER / "index.html").write_text("rettet i hånden", encoding="utf-8")
    status = run_pipeline(OCTOBER, d, r, echo=lambda _: None)
    assert status["code"] == "uændret – sprunget over" and status["report"] == "kørt"
    assert len(rendered) == before + 1


def test_every_stage_follows_the_codebook_the_codes_were_made_with(reported, tmp_path):
    """`run --codebook COPY` must show the copy's labels and version in the reports, not the default's
    beside the copy's codes; and a `code` run by hand in between must not be mistaken for the pipeline's.
    Only the coding notebook is rendered (the page checked here; all six are the fixture's to test)."""
    data_dir, reports, _ = reported
    d, r, nbs = tmp_path / "data", tmp_path / "reports", tmp_path / "notebooks"
    shutil.copytree(data_dir, d)
    shutil.copytree(reports, r)
    nbs.mkdir()
    shutil.copy2(REPO / "notebooks" / "02_kodning.ipynb", nbs)
    shipped = (REPO / "src" / "workshopnlp" / "codebooks" / "dataetik_2022.yaml").read_text("utf-8")
    version = load_codebook().version
    assert shipped.count(f'version: "{version}"') == 1 and shipped.count("        label: Tillid\n") == 1
    copy = tmp_path / "min_kodebog.yaml"
    copy.write_text(shipped.replace(f'version: "{version}"', 'version: "9.9.9-test"')
                    .replace("        label: Tillid\n", "        label: Tillid og tryghed\n"), "utf-8")
    processed = d / "processed" / OCTOBER

    def reader_page() -> str:
        return (r / OCTOBER / "laeser" / "02_kodning.html").read_text("utf-8")

    status = run_pipeline(OCTOBER, d, r, codebook_path=copy, notebooks_dir=nbs, echo=lambda _: None)
    assert status["code"] == status["themes"] == status["report"] == "kørt"
    assert (processed / "codebook.yaml").read_bytes() == copy.read_bytes()
    page = reader_page()
    assert "Tillid og tryghed" in page and "version 9.9.9-test" in page and f"version {version}" not in page
    themes = json.loads((processed / "themes" / "themes.json").read_text("utf-8"))
    assert "9.9.9-test" in json.dumps(themes)
    # `code` by hand with the default codebook changes the codes behind the pipeline's back: the next run
    # recodes with the codebook it is given instead of skipping the step
    assert main(["code", "--workshop", OCTOBER, "--data-dir", str(d)]) == 0
    assert f'version: "{version}"' in (processed / "codebook.yaml").read_text("utf-8")
    status = run_pipeline(OCTOBER, d, r, codebook_path=copy, notebooks_dir=nbs, echo=lambda _: None)
    assert status["ingest"] == "uændret – sprunget over" and status["code"] == "kørt"
    assert (processed / "codebook.yaml").read_bytes() == copy.read_bytes() and "version 9.9.9-test" in reader_page()


def test_a_changed_package_reruns_every_step(tmp_path, monkeypatch):
    """Editing src/ (same version number) must not leave results made by the old code in place."""
    from workshopnlp import pipeline

    stage_input = tmp_path / "statements.parquet"
    stage_input.write_bytes(b"same input")
    params = {"coding": {"C": 4.0}}
    fingerprint = pipeline.package_fingerprint()
    assert len(fingerprint) == 64 and fingerprint == pipeline.package_fingerprint()
    before = pipeline._digest([stage_input], params, ("coding",), tmp_path)
    assert before == pipeline._digest([stage_input], params, ("coding",), tmp_path)
    monkeypatch.setattr(pipeline, "package_fingerprint", lambda: "0" * 64)
    assert pipeline._digest([stage_input], params, ("coding",), tmp_path) != before


def test_failing_notebook_is_named_and_the_previous_report_kept(reported, tmp_path, capsys):
    data_dir, reports, _ = reported
    d, r, nbs = tmp_path / "data", tmp_path / "reports", tmp_path / "notebooks"
    shutil.copytree(data_dir, d)
    shutil.copytree(reports, r)
    shutil.copytree(REPO / "notebooks", nbs)
    broken = nbs / "02_kodning.ipynb"
    nb = json.loads(broken.read_text("utf-8"))
    nb["cells"].insert(4, {"cell_type": "code", "id": "bevidst-fejl", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": ["raise ValueError('bevidst fejl')"]})
    broken.write_text(json.dumps(nb), encoding="utf-8")
    before = _digest_tree(r / OCTOBER)
    code = main(["report", "--workshop", OCTOBER, "--data-dir", str(d), "--reports-dir", str(r),
                 "--notebooks-dir", str(nbs)])
    err = capsys.readouterr().err
    assert code != 0 and "02_kodning.ipynb" in err and "celle 5" in err and "bevidst fejl" in err
    assert _digest_tree(r / OCTOBER) == before
    # the executed notebook with the error is kept where the message says (its temporary folder is gone)
    kept = r / f"{OCTOBER}_fejlet" / "02_kodning.ipynb"
    assert str(kept) in " ".join(err.split()) and "bevidst fejl" in kept.read_text("utf-8")


def test_a_run_that_fails_after_ingest_leaves_no_mix_of_new_and_old_results(reported, tmp_path, capsys, monkeypatch):
    """New statements and a coding sheet with a code outside the codebook: ingest succeeds, coding fails. The
    processed folder must be as before the run (statements, codes, themes and the steps' stamps alike), or a
    later `report` would build pages on new statements beside old codes and themes without a word."""
    from openpyxl import load_workbook

    from workshopnlp import report
    from workshopnlp.coding_sheet import SHEET

    data_dir, reports, _ = reported
    d, r = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(data_dir, d)
    shutil.copytree(reports, r)
    processed, raw = d / "processed" / OCTOBER, d / "raw" / OCTOBER
    before, reports_before = _digest_tree(processed), _digest_tree(r / OCTOBER)
    notes, sheet = raw / "gruppe_ledere.md", raw / "kodning" / "kodeark_A.xlsx"
    notes_text, sheet_bytes = notes.read_bytes(), sheet.read_bytes()
    notes.write_text(notes_text.decode("utf-8") + "\n- Vi skal kunne forklare formålet for borgerne.\n", "utf-8")
    book = load_workbook(sheet)
    header = [c.value for c in book[SHEET][1]]  # the bundled sheets are of an earlier layout than COLUMNS
    book[SHEET].cell(row=3, column=header.index("princip") + 1).value = "retfaerdighed"
    book.save(sheet)
    code = main(["run", "--workshop", OCTOBER, "--data-dir", str(d), "--reports-dir", str(r)])
    out, err = capsys.readouterr()
    assert code != 0 and "kodeark_A.xlsx" in err and "retfaerdighed" in err and "Traceback" not in err
    assert "[ingest]" in out and "sat tilbage" in out  # the new statements were read, then taken back
    assert _digest_tree(processed) == before and _digest_tree(r / OCTOBER) == reports_before
    assert sorted(p.name for p in (d / "processed").iterdir()) == sorted(p.name for p in data_dir.joinpath(
        "processed").iterdir())  # no copy left behind
    # with the raw files as they were, every step's stamp still fits its results: nothing needs doing again
    notes.write_bytes(notes_text)
    sheet.write_bytes(sheet_bytes)
    monkeypatch.setattr(report, "render_reports", lambda *a, **k: pytest.fail("the report was made again"))
    assert set(run_pipeline(OCTOBER, d, r, echo=lambda _: None).values()) == {"uændret – sprunget over"}


def test_the_same_report_in_another_folder_is_byte_identical(reported, tmp_path):
    """Two analysts with the same inputs get the same pages and the same executed notebook: no absolute path
    (the analyst's home folder), no temporary folder name and no execution time in them; the executed notebook
    points at where the report is, not at the temporary folder it was built in. One notebook keeps the test
    short."""
    data_dir, _, _ = reported
    pages = {}
    for name in ("analytiker_a", "analytiker_b"):
        root = tmp_path / name
        shutil.copytree(data_dir, root / "data")
        (root / "notebooks").mkdir()
        shutil.copy(REPO / "notebooks" / "01_data_og_kvalitet.ipynb", root / "notebooks")
        assert main(["report", "--workshop", OCTOBER, "--data-dir", str(root / "data"), "--reports-dir",
                     str(root / "reports"), "--notebooks-dir", str(root / "notebooks")]) == 0
        out = root / "reports" / OCTOBER
        pages[name] = {p: (out / p).read_bytes() for p in ("index.html", "laeser/01_data_og_kvalitet.html",
                                                         "forsker/01_data_og_kvalitet.html",
                                                         "udfoerte_notebooks/01_data_og_kvalitet.ipynb")}
        executed = (out / "udfoerte_notebooks" / "01_data_og_kvalitet.ipynb").read_text("utf-8")
        for page in [executed, *(b.decode("utf-8") for b in pages[name].values())]:
            assert str(root) not in page and ".tmp-" not in page
        assert "start_time" not in executed and "iopub." not in executed, "no execution times in the notebook"
        nb = json.loads(executed)
        assert nb["metadata"]["papermill"]["parameters"] == {
            "workshop_id": OCTOBER, "data_dir": "../data", "params_override": {}}
        injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert len(injected) == 1 and 'data_dir = "../data"' in "".join(injected[0]["source"])
    assert pages["analytiker_a"] == pages["analytiker_b"]


def test_a_params_file_reaches_the_pages_not_only_the_figures(reported, tmp_path):
    """--params is the run's configuration for every page: a higher small-cell threshold hides the persona
    table's small cells on the reader page too (the notebooks used to load the defaults, while the report's
    provenance recorded the file's value). One notebook keeps the test short."""
    data_dir, _, _ = reported
    root = tmp_path / "run"
    shutil.copytree(data_dir, root / "data")
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "01_data_og_kvalitet.ipynb", root / "notebooks")
    (root / "p.yaml").write_text("figures:\n  min_cell_count: 30\n", encoding="utf-8")
    assert main(["report", "--workshop", OCTOBER, "--data-dir", str(root / "data"), "--reports-dir",
                 str(root / "reports"), "--notebooks-dir", str(root / "notebooks"), "--params", str(root / "p.yaml")]) == 0
    out = root / "reports" / OCTOBER
    page = BeautifulSoup((out / "laeser" / "01_data_og_kvalitet.html").read_text("utf-8"), "html.parser")
    cells = [td.get_text(strip=True) for td in page.find_all("td")]
    assert "<30" in cells and "<5" not in cells
    executed = json.loads((out / "udfoerte_notebooks" / "01_data_og_kvalitet.ipynb").read_text("utf-8"))
    assert executed["metadata"]["papermill"]["parameters"]["params_override"] == {"figures": {"min_cell_count": 30}}
    record = json.loads((out / "report.provenance.json").read_text("utf-8"))
    assert record["parameters"]["params_override"] == {"figures": {"min_cell_count": 30}}


def test_read_only_reports_folder(reported, tmp_path, capsys, monkeypatch):
    import os

    data_dir, _, _ = reported
    r = tmp_path / "reports"
    r.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == r and mode == os.W_OK
                        else real_access(p, mode))
    code = main(["report", "--workshop", OCTOBER, "--data-dir", str(data_dir), "--reports-dir", str(r)])
    err = capsys.readouterr().err
    assert code != 0 and "skrivebeskyttet" in err and str(r) in err


def test_report_without_processed_data(tmp_path, capsys):
    code = main(["report", "--workshop", "ingen-data", "--data-dir", str(tmp_path), "--reports-dir",
                 str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code != 0 and "workshopnlp run --workshop ingen-data" in err
    assert not (tmp_path / "r" / "ingen-data").exists()


def test_notebooks_side_by_side_each_start_in_their_folder_without_moving_this_process(tmp_path, monkeypatch):
    """CI once failed 14 report tests at random: papermill's ``cwd=`` changes the working directory of the
    whole process while a notebook runs, and with notebooks in threads one run's chdir undid another's, so
    a kernel started where the relative data path led nowhere. Each kernel must start in its own folder,
    and nothing may move this process."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    import nbformat

    from workshopnlp.report import execute_notebook

    before, chdir = os.getcwd(), os.chdir

    def no_chdir(path):  # papermill's file reading "changes" to the current folder, which moves nothing
        if Path(path).resolve() != Path(before).resolve():
            raise AssertionError(f"the process changed directory to {path}")
        chdir(path)

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("label = ''", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os\nprint(label, os.getcwd(), open('here.txt').read())")],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    folders = []
    for i in range(3):
        folder = tmp_path / f"mappe{i}"
        folder.mkdir()
        (folder / "here.txt").write_text(f"fil {i}", encoding="utf-8")
        nbformat.write(nb, folder / "nb.ipynb")
        folders.append(folder)
    monkeypatch.setattr(os, "chdir", no_chdir)
    with ThreadPoolExecutor(len(folders)) as pool:
        for run in [pool.submit(execute_notebook, f / "nb.ipynb", f / "out.ipynb", {"label": f.name}, f)
                    for f in folders]:
            run.result()
    assert os.getcwd() == before
    for i, folder in enumerate(folders):
        printed = nbformat.read(folder / "out.ipynb", as_version=4).cells[-1].outputs[0]["text"].split()
        assert printed[0] == folder.name and Path(printed[1]).resolve() == folder.resolve()
        assert printed[2:] == ["fil", str(i)]


def test_tiny_workshop_gets_a_report_with_a_note_instead_of_themes(coded_data_dir, tmp_path):
    d = tmp_path / "data"  # the embeddings coded_data_dir made are in the session's shared cache
    ws = d / "raw" / "2023-02-01-lille"
    ws.mkdir(parents=True)
    (ws / "svar.csv").write_text(
        "Svar-ID;Rolle;Hvad skal kommunen huske, når den bruger data om dig?\n"
        "1;Sikret ledig;At jeg får at vide, hvad mine oplysninger bruges til\n"
        "2;Rådgiver;At vi kan forklare borgeren, hvorfor systemet foreslår noget\n"
        "3;Leder;Et klart formål, som politikerne også kan stå på mål for\n"
        "4;Borger i ressourceforløb;at der stadig er et menneske der kender min sag\n", encoding="utf-8")
    (d / "raw" / "2023-01-10-tom").mkdir()  # an earlier workshop folder nobody filled: noted, not fatal
    printed: list[str] = []
    status = run_pipeline("2023-02-01-lille", d, tmp_path / "reports", echo=printed.append)
    assert status["themes"] == "kørt" and status["report"] == "kørt"
    assert any(line.startswith("Bemærk: den tidligere workshop 2023-01-10-tom kunne ikke køres") for line in printed)
    page = (tmp_path / "reports" / "2023-02-01-lille" / "laeser" / "03_temaer.html").read_text("utf-8")
    assert "Ingen temaer for denne workshop" in page
    # nobody has coded it by hand: the agreement page says so under its headings instead of leaving them empty
    page = (tmp_path / "reports" / "2023-02-01-lille" / "laeser" / "05_enighed.html").read_text("utf-8")
    assert "kodet af mennesker endnu, så der er intet at vise her" in page
    assert "Der er ingen uenigheder at afgøre, for ingen har kodet udsagn fra denne workshop endnu" in page
    assert not BeautifulSoup(page, "html.parser").find_all("h3"), "no empty Fokusområde / princip headings"
    assert "0 udsagn er kodet af mennesker" not in page and "når nogen gør det, går deres koder forud" in page


def test_a_broken_manifest_of_the_new_workshop_fails_before_earlier_workshops_are_run(tmp_path, capsys):
    """The new workshop's manifest is checked first: a copied folder whose workshop.yaml names another workshop
    used to fail only after a minute of ingesting, coding and finding themes for the earlier workshops."""
    d = tmp_path / "data"
    earlier = d / "raw" / "2023-01-10-tidligere"
    earlier.mkdir(parents=True)
    (earlier / "svar.csv").write_text("Svar-ID;Rolle;Hvad er vigtigst?\n1;Leder;Et klart formål\n", encoding="utf-8")
    new = d / "raw" / "2023-03-15-test"
    new.mkdir()
    (new / "svar.csv").write_text("Svar-ID;Rolle;Hvad er vigtigst?\n1;Leder;Et klart formål\n", encoding="utf-8")
    (new / "workshop.yaml").write_text("workshop_id: 2023-03-15-borgerpanel\n", encoding="utf-8")
    assert main(["run", "--workshop", "2023-03-15-test", "--data-dir", str(d),
                 "--reports-dir", str(tmp_path / "reports")]) != 0
    err = capsys.readouterr().err
    assert "workshop.yaml" in err and "2023-03-15-borgerpanel" in err and "Sådan retter du det" in err
    assert not (d / "processed").exists()  # nothing of the earlier workshop was run first


@pytest.mark.browser
def test_reader_report_renders_offline_in_a_real_browser(reported, tmp_path):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("chromium and chromedriver are needed (scripts/setup.sh --with-browser installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    _, reports, _ = reported
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", f"--user-data-dir={tmp_path / 'profile'}",
                # Any request that tries to leave the machine goes to a closed local port and fails.
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--window-size=1280,2000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        for page in ("index.html", "laeser/02_kodning.html", "laeser/06_til_opfoelgningsworkshop.html"):
            driver.get((reports / OCTOBER / page).as_uri())
            state = driver.execute_script("""
                const imgs = [...document.images];
                return {n: imgs.length, broken: imgs.filter(i => !i.complete || i.naturalWidth === 0).length,
                        remote: performance.getEntriesByType('resource').map(e => e.name)
                                .filter(u => !u.startsWith('data:') && !u.startsWith('file:')),
                        text: document.body.innerText};""")
            assert state["remote"] == [], state["remote"]
            assert state["broken"] == 0
            assert "ø" in state["text"] and "å" in state["text"]
            if page != "index.html":
                assert state["n"] >= 2
                assert "Sådan er analysen lavet" in state["text"]
        driver.save_screenshot(str(tmp_path / "laeser_06.png"))
        assert (tmp_path / "laeser_06.png").stat().st_size > 10_000
    finally:
        driver.quit()


def test_how_it_was_made_states_this_workshops_numbers(reported):
    import pandas as pd

    data_dir, reports, _ = reported
    page = (reports / OCTOBER / "laeser" / "01_data_og_kvalitet.html").read_text(encoding="utf-8")
    st = pd.read_parquet(data_dir / "processed" / OCTOBER / "statements.parquet")
    log = pd.read_csv(data_dir / "processed" / OCTOBER / "redaction_log.csv")
    assert f"{len(st)} udsagn fra {st['source_file'].nunique()} filer" in page
    assert f"personnavne: {int(log.loc[log['kind'] == 'navn', 'count'].sum())}" in page
    # the page's three totals are tied together in one sentence (all, with content, counted in figures)
    content = ~st["is_empty_content"]
    # October's 8 facilitator lines are named as such, not counted «uden indhold»
    leader = st["is_facilitator"]
    assert leader.sum() == 8 and f"{int(leader.sum())} linjer fra facilitator eller ordstyrer" in page
    assert f"{int((st['is_empty_content'] & ~leader).sum())} linjer uden indhold" in page
    assert (f"Af de {len(st)} udsagn har {int(content.sum())} indhold og er deltagernes" in page
            and f"Uden dubletter er der {int((content & ~st['is_duplicate']).sum())}, og dem bygger figurerne" in page)
    assert "(foreløbig)" in page or "foreløbige" in page  # tentative codes are named
    assert "fordi maskinen siger det" in page
    assert "står under «Kodebogen: hvad betyder koderne?» nederst på siden" in page  # where a code's meaning is
    assert "Kodebogen: hvad betyder koderne?" in (reports / OCTOBER / "laeser" / "02_kodning.html").read_text("utf-8")
    assert "kodebogens nøgleord for hvert princip" in page  # coding.keyword_weight.principle > 0


def test_certainty_is_measured_on_this_workshop_or_said_to_be_unchecked(reported, tmp_path):
    """'Hvor sikre er resultaterne?' quotes the share of held-out statements on which the machine gave
    people's code (from persona_quality.csv); for a workshop nobody has coded it says the codes are unchecked."""
    import shutil

    import pandas as pd

    from workshopnlp.reporting import certainty_text, load_bundle

    data_dir, reports, _ = reported
    quality = pd.read_csv(data_dir / "processed" / OCTOBER / "persona_quality.csv")
    overall = quality[quality["persona"] == "alle"].set_index("dimension")
    page = (reports / OCTOBER / "laeser" / "01_data_og_kvalitet.html").read_text(encoding="utf-8")
    n = overall["n_statements"].astype(int)
    expected = ("som maskinen ikke har lært af, gav den samme fokusområde i "
                f"{100 * overall.at['focus_area', 'accuracy']:.0f} % af {n['focus_area']} og samme princip i "
                f"{100 * overall.at['principle', 'accuracy']:.0f} % af {n['principle']}")
    assert expected in page
    # and how many statements are unlike anything the coder learnt from (codes.provenance.json)
    unfamiliar = json.loads((data_dir / "processed" / OCTOBER / "codes.provenance.json").read_text("utf-8"))[
        "unfamiliar"]
    assert unfamiliar["statements"] > 100 and unfamiliar["share"] < 0.1, unfamiliar
    assert f"{unfamiliar['unfamiliar']} af {unfamiliar['statements']} udsagn" in page

    uncoded = tmp_path / "data"
    shutil.copytree(data_dir, uncoded)
    (uncoded / "processed" / OCTOBER / "persona_quality.csv").unlink()
    text = certainty_text(load_bundle(OCTOBER, uncoded))
    assert "ikke efterprøvet på netop denne tekst" in text and "samme fokusområde i" not in text
    assert f"{unfamiliar['unfamiliar']} af {unfamiliar['statements']} udsagn" in text


def test_a_theme_name_claims_a_code_only_where_the_themes_own_codes_bear_it_out(reported):
    """A theme named «Bæredygtighed: …» of which 89 % were coded «Intet fokusområde» told the reader the
    opposite of the heat map beside it. A code names a theme only if it is close to the code's examples AND
    at least themes.label_code_min_share of the theme's statements carry it; the table says how many."""
    from workshopnlp.config import load_params
    from workshopnlp.agreement import tentative_codes
    from workshopnlp.reporting import load_bundle, theme_table
    from workshopnlp.themes import PRACTICAL_LABEL, theme_params

    data_dir, reports, _ = reported
    tp = theme_params(load_params())
    named = bitten = marked_name = practical = 0
    for ws in (OCTOBER, JANUARY):
        folder = data_dir / "processed" / ws / "themes"
        t = pd.read_csv(folder / "themes.csv", keep_default_na=False)
        t = t[~t["is_outlier_group"].astype(str).eq("True")]
        tc = pd.read_csv(folder / "theme_codes.csv", keep_default_na=False)
        codes = pd.read_parquet(data_dir / "processed" / ws / "codes.parquet")
        members = pd.read_parquet(folder / "assignments.parquet").merge(codes, on="statement_id")
        for row in t.itertuples():
            own = members[(members["theme_id"] == row.theme_id) & (members["status"] == "brugbar")]  # no duplicates
            if row.code == "ingen":  # «Praktisk: …»: nearest the ingen examples, and coded ingen on both dimensions
                nearest = tc[tc["theme_id"] == row.theme_id].sort_values("similarity", key=lambda s: -s.astype(float))
                assert (nearest.groupby("dimension")["code"].first() == "ingen").all(), row
                assert (nearest.groupby("dimension")["similarity"].first().astype(float)
                        >= tp["practical_similarity"]).all(), row
                share = (own[["focus_area", "principle"]] == "ingen").all(axis=1).mean()
                assert share >= tp["practical_min_share"] and abs(share - float(row.code_share)) < 1e-3, row
                assert row.label.startswith(f"{PRACTICAL_LABEL}: ") and row.code_label == PRACTICAL_LABEL
                practical += 1
            elif row.code:
                dim = tc[(tc["theme_id"] == row.theme_id) & (tc["code"] == row.code)]["dimension"].iat[0]
                share = (own[dim] == row.code).mean()
                assert share >= tp["label_code_min_share"] and abs(share - float(row.code_share)) < 1e-3, row
                assert row.label.startswith(f"{row.code_label}: ")
                named += 1
            mine = tc[(tc["theme_id"] == row.theme_id) & (tc["code"] != "ingen")
                      & (tc["similarity"].astype(float) >= tp["label_code_similarity"])]
            bitten += int(not row.code and len(mine) > 0 and (mine["share_coded"].astype(float)
                                                                < tp["label_code_min_share"]).all())
        shown = theme_table(load_bundle(ws, data_dir))
        assert shown["Kode i navnet"].str.contains(r"\(\d+ % af udsagnene\)").sum() == (t["code"] != "").sum()
        # a name that carries a code people do not agree on says so, as every label of that code does
        tentative = tentative_codes(pd.read_csv(data_dir / "processed" / ws / "agreement.csv"))
        for row in t[~t["code"].isin(["", "ingen"])].itertuples():
            dim = tc[(tc["theme_id"] == row.theme_id) & (tc["code"] == row.code)]["dimension"].iat[0]
            name, code_label = shown.loc[row.theme_id, ["Navn", "Kode i navnet"]]
            is_tentative = (dim, row.code) in tentative
            marked_name += is_tentative
            assert name.startswith(f"{row.code_label} (foreløbig): ") == is_tentative, (ws, name)
            assert code_label.startswith(f"{row.code_label} (foreløbig) (") == is_tentative, (ws, code_label)
            page = (reports / ws / "laeser" / "03_temaer.html").read_text("utf-8")
            assert html.escape(name, quote=False) in page, name
    assert named >= 2 and bitten >= 1, (named, bitten)  # both sides of the rule are exercised on the sample
    assert practical >= 1, "October's «lokale, pause, kaffe» is named as practical"
    # the facilitator's lines («Vi holder fem minutters pause») are clustered, so that the participants' own remarks
    # on coffee and rooms find each other, but belong to no theme and are not counted in one
    in_no_theme = {}
    for ws in (OCTOBER, JANUARY):
        st = pd.read_parquet(data_dir / "processed" / ws / "statements.parquet")
        assigned = pd.read_parquet(data_dir / "processed" / ws / "themes" / "assignments.parquet").merge(
            st[["statement_id", "is_facilitator"]], on="statement_id")
        leader = assigned["status"] == "facilitator"
        assert leader.equals(assigned["is_facilitator"]) and not assigned.loc[leader, "theme_id"].astype(bool).any()
        in_no_theme[ws] = int(leader.sum())
    assert in_no_theme == {OCTOBER: 8, JANUARY: 0}
    assert marked_name, "the sample has a theme named by a tentative code"


def test_reader_pages_read_as_danish_pages_with_a_way_round(reported):
    """lang="da" and a real title (a browser offered to translate "from English", a tab said "02_kodning");
    a bar to the overview, the previous and next report and the same page with code; one header row per
    table and no share written the English way ("68%") or as a raw decimal ("0.1048")."""
    from workshopnlp.config import load_params

    _, reports, _ = reported
    for ws in (OCTOBER, JANUARY):
        for folder in ("laeser", "forsker"):
            pages = sorted((reports / ws / folder).glob("*.html"))
            assert [p.stem for p in pages] == [nb.stem for nb in NOTEBOOKS]
            for i, page in enumerate(pages):
                soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
                assert soup.html["lang"] == "da"
                assert soup.title.string.endswith(("oktober 2022", "januar 2023")) and page.stem not in soup.title.string
                navs = soup.find_all("nav")
                assert len(navs) == 2, (ws, folder, page.name)
                hrefs = [a["href"] for a in navs[0].find_all("a")]
                assert hrefs[0] == "../index.html"
                neighbours = [f"{pages[j].stem}.html" for j in (i - 1, i + 1) if 0 <= j < len(pages)]
                assert [h for h in hrefs if not h.startswith("../")] == neighbours
                other = "forsker" if folder == "laeser" else "laeser"
                assert f"../{other}/{page.name}" in hrefs
                for href in hrefs:
                    assert (page.parent / href).resolve().is_file(), (page, href)
                if folder == "laeser":
                    assert all(len(t.find("thead").find_all("tr")) == 1 for t in soup.find_all("table") if t.thead)
                    for tag in soup(["style", "script"]):
                        tag.decompose()
                    text = " ".join(soup.get_text(" ").split())
                    assert not re.findall(r".{0,40}\d%.{0,10}", text), (ws, page.name)
                    assert not re.findall(r".{0,40}\b0\.\d{3,}.{0,10}", text), (ws, page.name)
    january = (reports / JANUARY / "laeser" / "04_sammenligning.html").read_text(encoding="utf-8")
    assert "procentpoint" in january and re.search(r"<td>\d+ %</td>", january)
    # the change is that of the shares as shown: "5 % -> 10 %" says +5, never the unrounded +4
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in BeautifulSoup(january, "html.parser").find_all("tr")]
    changes = [r for r in rows if len(r) == 7 and r[5].endswith("procentpoint")]
    assert len(changes) >= 5
    threshold = load_params()["themes"]["workshop_match_similarity"]
    for status, before_label, before, now_label, now, change, alike in changes:
        share = [int(v.rstrip(" %")) if v != "–" else 0 for v in (before, now)]
        assert int(change.split()[0].replace("\u2212", "-").lstrip("+")) == share[1] - share[0], (status, before, now, change)
        # a matched theme shows how alike its two versions are, so a renamed theme can be weighed
        if "–" in (before_label, now_label):  # no partner: how near the nearest theme came, under the threshold,
            # or, when as alike as the threshold, the theme the nearest is paired with, at least as alike
            near = re.fullmatch(r"([01],\d\d+) til «[^«»]+»(?:, der er parret med «[^«»]+» \(([01],\d\d)\))?", alike)
            assert near, (status, alike)
            value = float(near.group(1).replace(",", "."))
            if near.group(2) is None:
                assert value < threshold, (status, alike)
            else:
                assert threshold <= value <= float(near.group(2).replace(",", ".")), (status, alike)
        else:
            assert re.fullmatch(r"[01],\d\d+", alike) and float(alike.replace(",", ".")) >= threshold, (status, alike)
    assert "«Lighed» er, hvor meget to temaers udsagn ligner hinanden" in january
    october = (reports / OCTOBER / "laeser" / "04_sammenligning.html").read_text(encoding="utf-8")
    assert "står i rapporten for 19. januar 2023" in october and "når de er kørt" not in october


def test_the_themes_page_shows_every_statement_in_its_theme_and_why(reported):
    """The brief: the project group must see *why* a statement landed in a theme. Page 03 lists every statement
    with content under its theme (one fold-out per theme and «Øvrigt»), with the theme it came closest to next
    and the theme's key words it uses – words that are in fact among the theme's key words and in the statement."""
    from workshopnlp.reporting import SENSITIVE_LEFT_OUT_DA, load_bundle, statement_themes
    from workshopnlp.themes import OUTLIER_ID

    data_dir, reports, _ = reported
    n_listed = n_sensitive = 0
    for ws in (OCTOBER, JANUARY):
        b = load_bundle(ws, data_dir)
        listed = statement_themes(b)
        usable = b.assignments[b.assignments["status"] == "brugbar"]
        assert len(listed) == len(usable) and listed["theme_id"].tolist() != []
        sizes = b.themes.set_index("theme_id")["size"]
        assert listed.groupby("theme_id").size().to_dict() == {t: int(n) for t, n in sizes.items() if n}
        themes = b.themes.set_index("theme_id")
        lemmas = b.statements.set_index("text")["content_lemmas"].to_dict()
        reassigned = 0
        for row in listed.itertuples():
            if row.theme_id == OUTLIER_ID:
                assert row.Hvorfor.startswith("Lå ikke tæt nok på noget tema"), row
                continue
            assert f"{row.theme_id}'s udsagn" in row.Hvorfor
            runner = re.search(r"næstnærmest: (T\d+) ", row.Hvorfor)
            assert runner is None or runner.group(1) != row.theme_id
            reassigned += row.Hvorfor.startswith("Lå først uden for alle temaer")
            said = re.search(r"Temaets nøgleord i udsagnet: ([^.]+)\.", row.Hvorfor)
            if row.Udsagn == SENSITIVE_LEFT_OUT_DA:  # its words are left out with it
                assert said is None and row.Hvorfor.endswith("er udeladt sammen med det."), row
                n_sensitive += 1
            if said and row.Udsagn in lemmas:
                top = {w.strip() for w in themes.at[row.theme_id, "top_words"].split(",")}
                for word in said.group(1).split(", "):
                    assert word in top and word in lemmas[row.Udsagn].split(), (word, row)
        assert reassigned == int((usable["reassigned"] & (usable["theme_id"] != OUTLIER_ID)).sum())
        soup = BeautifulSoup((reports / ws / "laeser" / "03_temaer.html").read_text("utf-8"), "html.parser")
        folds = [d for d in soup.find_all("details") if d.summary and " udsagn" in d.summary.get_text()
                 and not d.summary.get_text().startswith("Proveniens")]
        assert len(folds) == listed["theme_id"].nunique()
        assert sum(len(d.find_all("tr")) - 1 for d in folds) == len(listed)
        assert "Hvorfor" in folds[0].get_text() and "Øvrigt" in folds[-1].summary.get_text()
        n_listed += _assert_names_no_persona(listed, "theme_id", b)
    assert n_listed and n_sensitive


def test_a_theme_without_a_partner_shows_how_near_it_came_and_whether_it_was_stable(reported):
    """«Ny» and «Forsvundet» with «–» for likeness left the reader unable to tell a near miss from a new subject,
    or a theme that was never stable from one that went away."""
    from workshopnlp.reporting import load_bundle, theme_changes

    data_dir, _, _ = reported
    table = pd.read_csv(next((data_dir / "processed" / JANUARY / "themes").glob("comparison_*.csv")),
                        keep_default_na=False)
    shown = theme_changes(load_bundle(JANUARY, data_dir))
    threshold = load_params()["themes"]["workshop_match_similarity"]
    unmatched = 0
    for row, (_, out) in zip(table.itertuples(), shown.iterrows()):
        if row.status in ("ny", "forsvundet"):
            unmatched += 1
            other = json.loads((data_dir / "processed" / (OCTOBER if row.status == "ny" else JANUARY) / "themes" /
                                "themes.json").read_text("utf-8"))
            assert row.nearest_label in {t["label"] for t in other["themes"]}
            # the name as the nearest theme's own workshop's pages show it
            near = _names_as_shown(data_dir, OCTOBER if row.status == "ny" else JANUARY)[row.nearest_label]
            if float(row.nearest_similarity) < threshold:
                assert out["Lighed"].endswith(f"til «{near}»")
            else:  # as alike as the threshold: its nearest is paired with a theme at least as alike to it
                own = json.loads((data_dir / "processed" / (JANUARY if row.status == "ny" else OCTOBER) / "themes" /
                                  "themes.json").read_text("utf-8"))
                assert row.nearest_paired_label in {t["label"] for t in own["themes"]}
                assert float(row.nearest_paired_similarity) >= float(row.nearest_similarity)
                partner = table[(table["label_a" if row.status == "ny" else "label_b"] == row.nearest_label)]
                assert partner["label_b" if row.status == "ny" else "label_a"].tolist() == [row.nearest_paired_label]
                paired = _names_as_shown(data_dir, JANUARY if row.status == "ny" else OCTOBER)[row.nearest_paired_label]
                assert f"til «{near}», der er parret med «{paired}» (" in out["Lighed"]
            stable = row.stable_a if row.status == "forsvundet" else row.stable_b
            assert ("ustabil" in out["Status"]) == (str(stable) == "False"), (row, out["Status"])
        else:
            assert "til «" not in out["Lighed"] and float(out["Lighed"].replace(",", ".")) >= threshold
    assert unmatched


def _names_as_shown(data_dir, ws):
    """A workshop's theme names as themes.csv holds them → as its own pages show them («(foreløbig)» by its
    agreement)."""
    from workshopnlp.reporting import load_bundle

    written = pd.read_csv(data_dir / "processed" / ws / "themes" / "themes.csv").set_index("theme_id")["label"]
    shown = load_bundle(ws, data_dir).themes.set_index("theme_id")["label"]
    return {written[t]: shown[t] for t in written.index}


def test_the_comparison_names_each_theme_as_its_own_workshops_pages_do(reported):
    """Page 04 printed the themes' names as the themes step wrote them, without «(foreløbig)»: October's
    «Mennesket i centrum: job, hellere, ringe» claimed a code October's coders did not agree on, which October's
    own page 03 marks. Each name now carries the mark of its own workshop's agreement, in the table and the
    figure."""
    from workshopnlp.reporting import load_bundle, theme_changes, theme_comparison

    data_dir, _, _ = reported
    table = pd.read_csv(next((data_dir / "processed" / JANUARY / "themes").glob("comparison_*.csv")),
                        keep_default_na=False)
    before, now = _names_as_shown(data_dir, OCTOBER), _names_as_shown(data_dir, JANUARY)
    b = load_bundle(JANUARY, data_dir)
    shown = theme_changes(b)
    for row, (_, out) in zip(table.itertuples(), shown.iterrows()):
        assert out["Tema før"] == (before[row.label_a] if row.label_a else "–")
        assert out["Tema nu"] == (now[row.label_b] if row.label_b else "–")
    marked = [name for name in shown["Tema før"] if "(foreløbig)" in name]
    assert marked and all(name not in set(table["label_a"]) for name in marked)
    figure_table, _, _ = theme_comparison(b)
    assert figure_table["label_a"].tolist() == [before.get(x, x) for x in table["label_a"]]


def test_the_coding_page_shows_every_statement_with_its_codes_and_why(reported):
    """Page 02 showed the explanation of one or two statements per code; a reader checking a statement of their
    own found none. Every statement with content (not the verbatim repeats) is now listed under its focus area,
    with its principle and the explanation codes.parquet holds for it; a statement about a participant's own
    sensitive matters is counted but not printed."""
    from workshopnlp.pseudonymise import is_sensitive
    from workshopnlp.reporting import SENSITIVE_LEFT_OUT_DA, SENSITIVE_WHY_LEFT_OUT_DA, all_codes, load_bundle

    data_dir, reports, _ = reported
    from workshopnlp.personas import personas_named
    from workshopnlp.reporting import CONTEXT_NAMES_ROLE_DA, CONTEXT_ONE_GROUP_DA, one_group_contexts, reader_explanation

    n_listed = n_sensitive = n_role_left_out = n_one_group = 0
    for ws in (OCTOBER, JANUARY):
        b = load_bundle(ws, data_dir)
        listed = all_codes(b)
        coded = b.coded()
        content = coded[~coded["is_empty_content"] & ~coded["is_duplicate"]]
        assert len(listed) == len(content)
        # a sensitive statement's explanation quotes its words («vægtige ord: adhd, værre …»): left out with it
        sensitive = content["text"].map(is_sensitive)
        # as codes.parquet has it, but a context naming the group's role («Gruppe 2 – ledere») is not printed
        shown_why = listed.loc[listed["Udsagn"] != SENSITIVE_LEFT_OUT_DA, "Hvorfor"]
        one_group = one_group_contexts(b.statements)
        assert sorted(shown_why) == sorted(content.loc[~sensitive, "explanation"].map(
            lambda e: reader_explanation(e, one_group)))
        printed = [c for why in shown_why for c in re.findall(r"konteksten «([^»]*)»", why)]
        assert printed and not any(personas_named(c) or c in one_group for c in printed)
        n_one_group += int(shown_why.str.contains(CONTEXT_ONE_GROUP_DA, regex=False).sum())
        n_role_left_out += int(shown_why.str.contains(CONTEXT_NAMES_ROLE_DA, regex=False).sum())
        assert (listed.loc[listed["Udsagn"] == SENSITIVE_LEFT_OUT_DA, "Hvorfor"] == SENSITIVE_WHY_LEFT_OUT_DA).all()
        n_sensitive += int(sensitive.sum())
        assert listed["focus_area"].value_counts().to_dict() == content["focus_area"].value_counts().to_dict()
        assert (listed["Udsagn"] == SENSITIVE_LEFT_OUT_DA).sum() == content["text"].map(is_sensitive).sum()
        soup = BeautifulSoup((reports / ws / "laeser" / "02_kodning.html").read_text("utf-8"), "html.parser")
        folds = [d for d in soup.find_all("details") if d.summary and d.summary.get_text().endswith(" udsagn")]
        assert len(folds) == listed["focus_area"].nunique()
        assert sum(len(d.find_all("tr")) - 1 for d in folds) == len(listed)
        labels = b.codebook.dimension("focus_area").labels()
        assert {d.summary.get_text().split(" – ")[0] for d in folds} == {labels[c] for c in listed["focus_area"]}
        n_listed += _assert_names_no_persona(listed, "focus_area", b)
    assert n_listed and n_sensitive  # October has eleven such statements
    assert n_role_left_out  # January's «Gruppe 2 – ledere» among them
    assert n_one_group  # October's rounds in one group's notes («Runde 2 – tillid») tell whose statement it is


def _assert_names_no_persona(listed, group, b):
    """A list of every statement names no persona: with the codes beside it, it would be a table of persona ×
    code a reader could count down to the cells the figures hide (a named list hid one cell and still gave a
    breakdown of 2 statements). Returns how many statements the list holds."""
    assert "Persona" not in listed.columns and group in listed.columns
    return len(listed)


def test_page_06_shows_the_same_cards_as_the_card_files_and_names_only_quotable_personas(reported):
    """Page 06 drew its own cards without the rule that a quote names a persona only outside small cells, so its
    quotes differed from the card files beside it (an audit: January's Formål card quoted another citizen) and
    named personas from cells of 2–4. Both now come from figures.workshop_dilemma_cards."""
    from workshopnlp.reporting import dilemma_cards, load_bundle, quotable

    data_dir, reports, _ = reported
    for ws in (OCTOBER, JANUARY):
        b = load_bundle(ws, data_dir)
        files = json.loads((reports / ws / "figures" / "figures.json").read_text("utf-8"))["dilemma_cards"]
        cards = dilemma_cards(b)
        assert [[q["statement_id"] for q in c["quotes"]] for c in cards] == \
            [[q["statement_id"] for q in c["quotes"]] for c in files]
        named = quotable(b)
        assert all(q["statement_id"] in named for c in cards for q in c["quotes"])
        page = BeautifulSoup((reports / ws / "laeser" / "06_til_opfoelgningsworkshop.html").read_text("utf-8"),
                             "html.parser").get_text(" ")
        for card in files:
            for q in card["quotes"]:
                assert " ".join(q["text"].split())[:40] in " ".join(page.split()), (ws, q["text"])
