"""The CLI's whole-build cache: a rebuild with nothing changed renders nothing again, any change does."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import amif_extract.rebuild as rebuild
from amif_extract.acknowledge import DEFAULT_ACKNOWLEDGEMENTS
from amif_extract.build_records import BuildSettings


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the outputs were rendered again although nothing changed")


def _quiet(message: str, done: int, total: int) -> None:
    return None


def test_an_unchanged_rebuild_gives_the_same_bytes_without_rendering(
    raw_dir: Path, serial_output_files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = BuildSettings(workers=1, cache_dir=tmp_path / "cache")
    result, files = rebuild.build_outputs(raw_dir, settings, DEFAULT_ACKNOWLEDGEMENTS, _quiet)
    monkeypatch.setattr(rebuild, "assemble", _refuse)
    monkeypatch.setattr(rebuild, "output_files", _refuse)
    again, files_again = rebuild.build_outputs(raw_dir, settings, DEFAULT_ACKNOWLEDGEMENTS, _quiet)
    assert files_again == files
    assert [len(rows) for rows in again.tables.values()] == [len(rows) for rows in result.tables.values()]
    assert files["amif_projects.csv"] == serial_output_files["amif_projects.csv"]


def test_a_changed_acknowledgements_file_or_code_misses_the_cache(
    raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = BuildSettings(workers=1, cache_dir=tmp_path / "cache")
    acknowledgements = tmp_path / "acknowledged.csv"
    shutil.copyfile(DEFAULT_ACKNOWLEDGEMENTS, acknowledgements)
    _, files = rebuild.build_outputs(raw_dir, settings, acknowledgements, _quiet)
    header = DEFAULT_ACKNOWLEDGEMENTS.read_text(encoding="utf-8").splitlines()[0]
    acknowledgements.write_text(header + "\n", encoding="utf-8")
    _, unacknowledged = rebuild.build_outputs(raw_dir, settings, acknowledgements, _quiet)
    assert b"acknowledged 2026-11-23" in files["validation_report.html"]
    assert b"acknowledged 2026-11-23" not in unacknowledged["validation_report.html"]

    rebuild.code_fingerprint.cache_clear()
    monkeypatch.setattr(rebuild, "OUTPUTS_CACHE_VERSION", "outputs test")  # as a code change would
    monkeypatch.setattr(rebuild, "output_files", _refuse)
    with pytest.raises(AssertionError, match="rendered again"):
        rebuild.build_outputs(raw_dir, settings, acknowledgements, _quiet)


def test_the_code_fingerprint_changes_with_the_authority_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(rebuild.SCHEMAS_DIR, schemas, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(rebuild, "SCHEMAS_DIR", schemas)
    rebuild.code_fingerprint.cache_clear()
    before = rebuild.code_fingerprint()
    authority = schemas / "organisations.csv"
    authority.write_text(authority.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    rebuild.code_fingerprint.cache_clear()
    assert rebuild.code_fingerprint() != before
    rebuild.code_fingerprint.cache_clear()
