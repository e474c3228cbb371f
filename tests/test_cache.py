"""The content-addressed cache of extraction results: warm builds parse nothing, bad entries are rebuilt."""

from __future__ import annotations

import json
import logging
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import amif_extract.extract.amif_pdf as amif_pdf
import amif_extract.extract.amif_text as amif_text
import amif_extract.extract.practice_sheets as practice_sheets
import amif_extract.extract.web_pages as web_pages
import amif_extract.parallel as parallel
import amif_extract.pipeline as pipeline
import amif_extract.registry as registry
from amif_extract.build_records import BuildSettings, InputDocument
from amif_extract.cache import CACHE_FORMAT, cache_key, default_cache_dir, entry_path, load_entry, store_entry
from amif_extract.cli import app
from amif_extract.pipeline import build, extract_all, output_files
from amif_extract.sources import sha256_of

runner = CliRunner()


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("an extractor ran although every document was cached")


def test_a_warm_build_calls_no_extractor_and_gives_the_same_bytes(
    raw_dir: Path,
    serial_output_files: dict[str, bytes],
    serial_build_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module, name in (
        (pipeline, "extract_document"),
        (pipeline, "pdf_page_count_for"),
        (registry, "extract_document"),
        (registry, "pdf_page_count_for"),
        (parallel, "run_task"),
        (amif_pdf, "extract_amif_pdf"),
        (amif_pdf, "read_page_layouts"),
        (amif_text, "extract_amif_text"),
        (practice_sheets, "extract_practice_sheets"),
        (practice_sheets, "pdf_page_range"),
        (web_pages, "extract_web_page"),
    ):
        monkeypatch.setattr(module, name, _refuse)
    result = build(raw_dir, BuildSettings(workers=2, cache_dir=serial_build_cache))
    assert output_files(result) == serial_output_files
    assert result.tables["amif_projects"][0]["carrier"] == "Initiativ Liewensufank"


def _web_page(raw_dir: Path) -> InputDocument:
    path = raw_dir / "asti_convention_2021.txt"
    return InputDocument(path, path.name, "web_page", "text", sha256_of(path))


def _truncated(entry: bytes) -> bytes:
    return entry[: len(entry) // 2]


def _tampered(entry: bytes) -> bytes:
    """The convention's organisation changed in the JSON, the header's sha256 left as it was."""
    assert entry.count(b'"ASTI"') >= 1
    return entry.replace(b'"ASTI"', b'"EVIL"')


def _other_key(entry: bytes) -> bytes:
    header, key_line, payload = entry.split(b"\n", 2)
    fields = json.loads(key_line)
    fields["key"] = "0" * 64
    return b"\n".join([header, json.dumps(fields).encode(), payload])


def _old_pickle(entry: bytes) -> bytes:
    return b"amif-extract-cache 1\n" + pickle.dumps({"web_page": None})


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: b"",
        lambda entry: CACHE_FORMAT,
        _truncated,
        _tampered,
        _other_key,
        _old_pickle,
        lambda entry: b"not a cache entry",
    ],
    ids=["empty", "header-only", "truncated", "tampered", "other-key", "old-pickle-format", "foreign"],
)
def test_a_corrupt_entry_is_ignored_with_a_warning_and_rebuilt(
    raw_dir: Path, tmp_path: Path, damage: Callable[[bytes], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    """Synthetic damage to a real entry; each is one warning naming the entry, then a fresh read."""
    document = _web_page(raw_dir)
    settings = BuildSettings(workers=1, cache_dir=tmp_path)
    first = extract_all([document], settings)
    entry = entry_path(tmp_path, pipeline.extraction_cache_key(document, settings.engine))
    assert entry.read_bytes().startswith(CACHE_FORMAT)
    entry.write_bytes(damage(entry.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="amif_extract"):
        again = extract_all([document], settings)
    [warning] = caplog.messages
    assert warning.startswith(f"ignoring cache entry {entry}: ") and warning.endswith("; rebuilding it")
    assert again == first
    assert again[0].payload.conventions[0]["organisation"] == "ASTI"
    assert load_entry(tmp_path, pipeline.extraction_cache_key(document, settings.engine)) is not None


def test_a_cached_result_is_used_for_the_same_content_under_another_path(
    raw_dir: Path, tmp_path: Path
) -> None:
    document = _web_page(raw_dir)
    settings = BuildSettings(workers=1, cache_dir=tmp_path / "cache")
    first = extract_all([document], settings)
    copy = tmp_path / document.source_file
    copy.write_bytes(document.path.read_bytes())
    moved = InputDocument(copy, document.source_file, "web_page", "text", document.sha256)
    again = extract_all([moved], settings)
    assert again[0].document == moved
    assert again[0].payload == first[0].payload


def test_the_key_changes_with_content_name_extractor_version_and_settings() -> None:
    base = cache_key("ab" * 32, "liste.pdf", "amif_pdf 1", {"kind": "amif_table"})
    assert base == cache_key("ab" * 32, "liste.pdf", "amif_pdf 1", {"kind": "amif_table"})
    assert base != cache_key("cd" * 32, "liste.pdf", "amif_pdf 1", {"kind": "amif_table"})
    assert base != cache_key("ab" * 32, "liste_2027.pdf", "amif_pdf 1", {"kind": "amif_table"})
    assert base != cache_key("ab" * 32, "liste.pdf", "amif_pdf 2", {"kind": "amif_table"})
    assert base != cache_key("ab" * 32, "liste.pdf", "amif_pdf 1", {"kind": "amif_table", "x": 1})


def test_entries_are_written_whole_and_an_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    assert store_entry(tmp_path, "ef" * 32, {"rows": [1, 2]})
    assert load_entry(tmp_path, "ef" * 32) == {"rows": [1, 2]}
    [entry] = (tmp_path / "ef").iterdir()
    assert entry.name == f"{'ef' * 32}.json"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ef").stat().st_mode) == 0o700
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert not store_entry(blocked, "ef" * 32, {"rows": []})
    assert load_entry(blocked, "ef" * 32) is None


def test_no_cache_neither_reads_nor_writes(raw_dir: Path, tmp_path: Path) -> None:
    document = _web_page(raw_dir)
    extract_all([document], BuildSettings(workers=1, cache_dir=tmp_path, use_cache=False))
    assert not any(tmp_path.iterdir())


def test_the_default_folder_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMIF_EXTRACT_CACHE", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("AMIF_EXTRACT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "amif-extract"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "amif-extract"


def test_cli_cache_dir_and_no_cache_options(raw_dir: Path, tmp_path: Path) -> None:
    page = str(raw_dir / "asti_convention_2021.txt")
    cache = tmp_path / "cache"
    out = str(tmp_path / "out")
    result = runner.invoke(
        app, ["-q", "extract", page, "--out", out, "--workers", "1", "--cache-dir", str(cache)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(cache.glob("*/*.json"))) == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    bypass = tmp_path / "bypass"
    arguments = ["-q", "extract", page, "--out", out, "--cache-dir", str(bypass), "--no-cache"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert not bypass.exists()
