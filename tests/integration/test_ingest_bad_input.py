"""Every kind of bad input: clear message naming the file (and place), non-zero exit, nothing damaged."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest

from conftest import OCTOBER, copy_raw
from workshopnlp.cli import main

pytestmark = pytest.mark.integration

GOOD_CSV = "Svar-ID;Rolle;Hvad er vigtigst for dig?\n1;Leder;At formålet med algoritmen er klart for alle\n"


def _hashes(root):
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture
def workshop(tmp_path):
    """A small valid workshop that has been ingested once; tests then break it."""
    ws = tmp_path / "raw" / "ws"
    ws.mkdir(parents=True)
    (ws / "svar.csv").write_text(GOOD_CSV, encoding="utf-8")
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(tmp_path)]) == 0
    return tmp_path


def _fails(data_dir, capsys, *expected):
    processed = data_dir / "processed" / "ws"
    raw_before = _hashes(data_dir / "raw")
    before = _hashes(processed) if processed.exists() else {}
    code = main(["ingest", "--workshop", "ws", "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert "Sådan retter du det:" in err
    for text in expected:
        assert text in err, err
    assert _hashes(data_dir / "raw") == raw_before
    if before:
        assert _hashes(processed) == before  # the previous output is intact
    return err


def test_missing_workshop_folder_lists_the_known_ones(workshop, capsys):
    code = main(["ingest", "--workshop", "findes-ikke", "--data-dir", str(workshop)])
    err = capsys.readouterr().err
    assert code != 0 and "findes ikke" in err and "ws" in err


def test_empty_folder(tmp_path, capsys):
    (tmp_path / "raw" / "ws").mkdir(parents=True)
    _fails(tmp_path, capsys, "ingen filer")


def test_empty_file(workshop, capsys):
    (workshop / "raw" / "ws" / "tom.txt").write_bytes(b"")
    _fails(workshop, capsys, "tom.txt", "tom")


def test_binary_file(workshop, capsys):
    (workshop / "raw" / "ws" / "noter.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _fails(workshop, capsys, "noter.txt", "binær")


def test_unknown_extension(workshop, capsys):
    (workshop / "raw" / "ws" / "referat.pdf").write_bytes(b"%PDF-1.4")
    _fails(workshop, capsys, "referat.pdf", ".pdf")


def test_csv_without_free_text_column(workshop, capsys):
    (workshop / "raw" / "ws" / "koder.csv").write_text("id;kommune;alder\n1;Vejle;34\n2;Kolding;51\n", encoding="utf-8")
    _fails(workshop, capsys, "koder.csv", "fritekst", "kolonner")


def test_xlsx_without_usable_sheet(workshop, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Tal"
    wb.active.append(["id", "score"])
    wb.active.append([1, 4])
    wb.save(workshop / "raw" / "ws" / "tal.xlsx")
    _fails(workshop, capsys, "tal.xlsx", "Tal")


def test_fake_xlsx(workshop, capsys):
    (workshop / "raw" / "ws" / "svar.xlsx").write_text("not a workbook", encoding="utf-8")
    _fails(workshop, capsys, "svar.xlsx", "Excel")


def test_manifest_names_missing_file(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text("sources:\n  - file: borte.docx\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "borte.docx")


def test_manifest_names_missing_column(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "sources:\n  - file: svar.csv\n    columns:\n      text: [Kommentar]\n", encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", "Kommentar")


def test_manifest_with_unknown_key(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text("titel: Forkert nøgle\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "titel")


def test_undecodable_bytes(workshop, capsys):
    (workshop / "raw" / "ws" / "svar.csv").write_bytes(GOOD_CSV.encode("utf-8") + b"2;Leder;\x81\x8d\x90\n")
    _fails(workshop, capsys, "svar.csv", "byte")


def test_five_megabyte_answer(workshop, capsys):
    huge = "tillid " * (5 * 1024 * 1024 // 7)
    (workshop / "raw" / "ws" / "svar.csv").write_text(GOOD_CSV + f"2;Leder;{huge}\n", encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", "række 3", "Hvad er vigtigst for dig?")
