"""The CLI's whole-build cache: a rebuild with nothing changed renders nothing again, any change does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, copy_dataset

import amif_extract.rebuild as rebuild
from amif_extract.build_records import BuildSettings
from amif_extract.dataset import Dataset, open_dataset


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the outputs were rendered again although nothing changed")


def _quiet(message: str, done: int, total: int) -> None:
    return None


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    return open_dataset(copy_dataset(tmp_path / "dataset", normalized=False))


def test_an_unchanged_rebuild_gives_the_same_bytes_without_rendering(
    serial_output_files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = BuildSettings(workers=1, cache_dir=tmp_path / "cache")
    checkout = open_dataset(PROJECT_ROOT)
    result, files = rebuild.build_outputs(checkout, settings, _quiet)
    monkeypatch.setattr(rebuild, "assemble", _refuse)
    monkeypatch.setattr(rebuild, "output_files", _refuse)
    again, files_again = rebuild.build_outputs(checkout, settings, _quiet)
    assert files_again == files
    assert [len(rows) for rows in again.tables.values()] == [len(rows) for rows in result.tables.values()]
    assert files["amif_projects.csv"] == serial_output_files["amif_projects.csv"]


def test_a_changed_acknowledgements_file_or_code_misses_the_cache(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = BuildSettings(workers=1, cache_dir=tmp_path / "cache")
    _, files = rebuild.build_outputs(dataset, settings, _quiet)
    header = dataset.acknowledgements.read_text(encoding="utf-8").splitlines()[0]
    dataset.acknowledgements.write_text(header + "\n", encoding="utf-8")
    _, unacknowledged = rebuild.build_outputs(dataset, settings, _quiet)
    assert b"acknowledged 2026-11-23" in files["validation_report.html"]
    assert b"acknowledged 2026-11-23" not in unacknowledged["validation_report.html"]

    rebuild.code_fingerprint.cache_clear()
    monkeypatch.setattr(rebuild, "OUTPUTS_CACHE_VERSION", "outputs test")  # as a code change would
    monkeypatch.setattr(rebuild, "output_files", _refuse)
    with pytest.raises(AssertionError, match="rendered again"):
        rebuild.build_outputs(dataset, settings, _quiet)


@pytest.mark.parametrize("steward_file", ["authority", "rejections", "acknowledgements", "profile"])
def test_the_outputs_key_changes_with_each_steward_file_of_the_dataset(
    dataset: Dataset, raw_dir: Path, steward_file: str
) -> None:
    documents = rebuild.manifest_documents(dataset.raw, BuildSettings())
    before = rebuild.outputs_key(documents, dataset, "pdfium")
    if steward_file == "profile":
        path, addition = dataset.profiles / "amif_table.toml", "# a steward's note\n"
    else:
        path, addition = getattr(dataset, steward_file), "\n"
    path.write_text(path.read_text(encoding="utf-8") + addition, encoding="utf-8")
    assert rebuild.outputs_key(documents, dataset, "pdfium") != before


def test_the_outputs_key_does_not_depend_on_where_the_dataset_is(dataset: Dataset) -> None:
    """A clone of the dataset elsewhere shares the cache; the package's own CSV defaults play no part."""
    documents = rebuild.manifest_documents(dataset.raw, BuildSettings())
    checkout = open_dataset(PROJECT_ROOT)
    assert rebuild.outputs_key(documents, dataset, "pdfium") == rebuild.outputs_key(
        documents, checkout, "pdfium"
    )
    dataset.authority.write_text("org_id,name,acronym,kind,parent_id,aliases,note\n", encoding="utf-8")
    assert rebuild.outputs_key(documents, dataset, "pdfium") != rebuild.outputs_key(
        documents, checkout, "pdfium"
    )
