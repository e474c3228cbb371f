"""`amif-extract diff`: two builds compared row by row, field by field (driven through the CLI)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amif_extract.cli import app

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ATELIERS = "so1-ateliers-autour-de-la-naissance-ba0898"
ZOUGANG = "so1-zougang-4dcbc9"
# Findings one format raises and the other cannot: where the two extractions differ by nature, not by
# fact. docs/report.md ("Text and PDF builds") explains each one.
PDF_ONLY_CODES = {"page_stitch"}
TEXT_ONLY_CODES = {"ambiguous_column", "repaired_value", "title_from_summary", "duplicate_summary"}

runner = CliRunner()


def invoke(*arguments: str | Path):
    return runner.invoke(app, [str(argument) for argument in arguments])


@pytest.fixture(scope="module")
def builds(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The AMIF list built once from its text extraction and once from its PDF."""
    root = tmp_path_factory.mktemp("builds")
    folders = {}
    for kind, name in (("text", "amif_projets_cofinances.txt"), ("pdf", "amif_projets_cofinances.pdf")):
        folders[kind] = root / kind
        result = invoke("--quiet", "extract", raw_dir / name, "--out", folders[kind])
        assert result.exit_code == 0, result.output
    return folders


def diff_json(old: Path, new: Path, *options: str) -> dict:
    result = invoke("diff", old, new, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def issue_codes(text: str) -> set[str]:
    return set(text.split(";")) - {""}


def test_text_and_pdf_builds_agree_apart_from_the_documented_extraction_differences(builds):
    data = diff_json(builds["text"], builds["pdf"], "--table", "amif_projects")
    projects = data["tables"]["amif_projects"]
    assert projects["added"] == [] and projects["removed"] == []
    assert projects["columns_added"] == [] and projects["columns_removed"] == []
    assert projects["unchanged"] >= 20
    for change in projects["changed"]:
        assert [item["column"] for item in change["changes"]] == ["issues"], change
        [item] = change["changes"]
        only_text = issue_codes(item["old"]) - issue_codes(item["new"])
        only_pdf = issue_codes(item["new"]) - issue_codes(item["old"])
        assert only_text <= TEXT_ONLY_CODES, change
        assert only_pdf <= PDF_ONLY_CODES, change
    docs = (PROJECT_ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Text and PDF builds") :]
    for code in PDF_ONLY_CODES | TEXT_ONLY_CODES:
        assert f"`{code}`" in section


def test_findings_are_matched_by_what_they_are_about(builds):
    data = diff_json(builds["text"], builds["pdf"], "--table", "findings")
    findings = data["tables"]["findings"]
    assert findings["key"] == ["code", "table", "row_id", "column"]
    assert {row["code"] for row in findings["added"]} <= PDF_ONLY_CODES
    assert {row["code"] for row in findings["removed"]} <= TEXT_ONLY_CODES
    # The facts both formats see are the same findings on the same rows, printed alike.
    changed = {change["key"] for change in findings["changed"]}
    assert not any(key.startswith(("total_mismatch", "period_invalid")) for key in changed)
    assert findings["unchanged"] >= 10


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_new_edition_shows_added_removed_and_changed_projects(builds, tmp_path: Path):
    """Synthetic edition: the PDF build with one share changed, one project dropped and one added."""
    edition = tmp_path / "edition"
    shutil.copytree(builds["pdf"], edition)
    rows = read_rows(edition / "amif_projects.csv")
    ateliers = next(row for row in rows if row["project_id"] == ATELIERS)
    assert (ateliers["eu_share"], ateliers["total_cost"]) == ("94092.97", "125457.29")
    ateliers["eu_share"], ateliers["total_cost"] = "95000.00", "126364.32"
    rows = [row for row in rows if row["project_id"] != ZOUGANG]
    rows.append(
        {
            **ateliers,
            "project_id": "so1-nouveau-projet-000000",
            "title": "Nouveau projet",
            "source_page": "14",
        }
    )
    write_rows(edition / "amif_projects.csv", rows)

    result = invoke("diff", builds["pdf"], edition, "--table", "amif_projects")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "amif_projects: 1 added, 1 removed, 1 changed" in text
    assert "  + so1-nouveau-projet-000000  “Nouveau projet”" in text
    assert f"  - {ZOUGANG}  “Zougang”" in text
    assert f"  ~ {ATELIERS}  “Ateliers autour de la naissance”" in text
    assert "      eu_share: 94092.97 → 95000.00" in text
    assert "      total_cost: 125457.29 → 126364.32" in text

    data = diff_json(builds["pdf"], edition, "--table", "amif_projects")
    [change] = data["tables"]["amif_projects"]["changed"]
    assert change["changes"] == [
        {"column": "eu_share", "old": "94092.97", "new": "95000.00"},
        {"column": "total_cost", "old": "125457.29", "new": "126364.32"},
    ]


def test_provenance_is_compared_only_when_asked(builds):
    default = diff_json(builds["text"], builds["pdf"], "--table", "amif_projects")
    assert "source_file" in default["ignored_columns"]
    everything = diff_json(builds["text"], builds["pdf"], "--table", "amif_projects", "--all-columns")
    assert everything["ignored_columns"] == []
    changes = everything["tables"]["amif_projects"]["changed"]
    first = {item["column"]: item for item in changes[0]["changes"]}
    assert first["source_file"] == {
        "column": "source_file",
        "old": "amif_projets_cofinances.txt",
        "new": "amif_projets_cofinances.pdf",
    }


def test_identical_builds_have_no_differences(builds):
    result = invoke("diff", builds["pdf"], builds["pdf"])
    assert result.exit_code == 0
    assert result.stdout.rstrip().endswith("no differences")


def test_a_missing_folder_is_an_input_error(builds, tmp_path: Path):
    result = invoke("diff", builds["pdf"], tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "nowhere: build folder not found" in " ".join(result.output.split())
    result = invoke("diff", builds["pdf"], builds["text"], "--format", "yaml")
    assert result.exit_code == 2
