"""Atomic writes: what a finished folder or file looks like to the colleagues who open it."""

from __future__ import annotations

import os
import stat

from workshopnlp.provenance import atomic_directory, atomic_file


def test_atomic_folders_and_files_get_the_usual_mode_not_a_private_one(tmp_path):
    """mkdtemp/mkstemp make private 0700/0600 folders and files; a report folder swapped in from one could
    not be opened by colleagues on a shared drive."""
    old = os.umask(0o022)
    try:
        with atomic_directory(tmp_path / "reports") as tmp:
            (tmp / "index.html").write_text("<p>hej</p>", encoding="utf-8")
        with atomic_file(tmp_path / "codes.csv") as tmp:
            tmp.write_text("id\n1\n", encoding="utf-8")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "reports").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "codes.csv").stat().st_mode) == 0o644


def test_a_replaced_file_or_folder_keeps_its_mode_and_a_shared_folder_its_group_bit(tmp_path):
    (tmp_path / "codes.csv").write_text("gammel\n", encoding="utf-8")
    (tmp_path / "codes.csv").chmod(0o640)
    with atomic_file(tmp_path / "codes.csv") as tmp:
        tmp.write_text("ny\n", encoding="utf-8")
    assert stat.S_IMODE((tmp_path / "codes.csv").stat().st_mode) == 0o640
    shared = tmp_path / "delt"
    shared.mkdir()
    shared.chmod(0o2775)
    with atomic_directory(shared / "reports") as tmp:
        (tmp / "index.html").write_text("<p>hej</p>", encoding="utf-8")
    assert (shared / "reports").stat().st_mode & stat.S_ISGID, "files made in it keep the shared group"
