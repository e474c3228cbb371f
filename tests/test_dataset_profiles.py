"""A dataset's own profile is what its documents are read with: a re-worded label is one line there.

The edition here is the published AMIF text with every carrier label re-worded to a wording no
packaged profile lists ("Structure porteuse"), a synthetic next edition of a real document.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, copy_dataset
from typer.testing import CliRunner

from amif_extract.build_records import BuildSettings
from amif_extract.cli import app
from amif_extract.pipeline import extraction_cache_key, named_documents

AMIF_TEXT = "amif_projets_cofinances.txt"
NEW_WORDING = "Structure porteuse"
runner = CliRunner()


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    text = (PROJECT_ROOT / "raw" / AMIF_TEXT).read_text(encoding="utf-8")
    assert text.count("Porteur du projet") == 36
    path = tmp_path / "liste_prochaine_edition.txt"
    path.write_text(text.replace("Porteur du projet", NEW_WORDING), encoding="utf-8")
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A copy of the checkout's dataset whose amif_table profile lists the new wording as a carrier."""
    folder = copy_dataset(tmp_path / "dataset", normalized=False)
    profile = folder / "schemas" / "profiles" / "amif_table.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace('"Porteur du projet",', f'"Porteur du projet",\n    "{NEW_WORDING}",', 1))
    assert NEW_WORDING in profile.read_text(encoding="utf-8")
    return folder


def carriers(folder: Path) -> list[str]:
    rows = csv.DictReader(io.StringIO((folder / "amif_projects.csv").read_text(encoding="utf-8")))
    return [row["carrier_raw"] for row in rows]


def test_the_packaged_profile_makes_an_unknown_carrier_label_loud(edition: Path, tmp_path: Path) -> None:
    out = tmp_path / "packaged"
    result = runner.invoke(app, ["-v", "extract", str(edition), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"a label the amif_table profile does not know: '{NEW_WORDING}'" in result.output


def test_the_datasets_profile_reads_the_new_wording_like_the_old_one(
    edition: Path, dataset: Path, tmp_path: Path
) -> None:
    out, published = tmp_path / "with-profile", tmp_path / "published"
    args = ["--workers", "1", "--project", str(dataset)]
    result = runner.invoke(app, ["-v", "extract", str(edition), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    assert "does not know" not in result.output
    original = runner.invoke(app, ["extract", str(PROJECT_ROOT / "raw" / AMIF_TEXT), "--out", str(published)])
    assert original.exit_code == 0, original.output
    assert carriers(out) == carriers(published)
    assert carriers(out)[0] == "Initiativ Liewensufank"


def test_a_profile_edit_is_part_of_the_extraction_cache_key(edition: Path, dataset: Path) -> None:
    settings = BuildSettings(workers=1)
    [packaged] = named_documents([edition], settings)
    [own] = named_documents([edition], settings, dataset / "schemas" / "profiles")
    assert packaged.profile is not None and own.profile is not None
    assert packaged.profile.digest != own.profile.digest
    assert extraction_cache_key(packaged, "pdfium") != extraction_cache_key(own, "pdfium")
