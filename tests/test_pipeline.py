"""The whole build on the real documents: tables, links between them, determinism, refusals."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from amif_extract.build_records import BuildResult
from amif_extract.cli import app
from amif_extract.pipeline import build, extract_files, output_files

runner = CliRunner()


@pytest.fixture(scope="module")
def built(raw_dir: Path) -> BuildResult:
    return build(raw_dir)


@pytest.fixture(scope="module")
def files(built: BuildResult) -> dict[str, bytes]:
    return output_files(built)


def project_titled(result: BuildResult, title: str) -> dict[str, Any]:
    rows = [row for row in result.tables["amif_projects"] if row["title"] == title]
    assert len(rows) == 1, f"{len(rows)} projects titled {title!r}"
    return rows[0]


def test_build_reads_the_pdf_of_each_document_and_every_web_page(built: BuildResult) -> None:
    assert [document.source_file for document in built.inputs] == [
        "amif_projets_cofinances.pdf",
        "assises_integration_locale_fiches.pdf",
        "asti_convention_2021.txt",
        "mfamigr_associations_integration.txt",
        "oim_france_projets.txt",
    ]
    counts = {name: len(rows) for name, rows in built.tables.items()}
    assert counts["amif_projects"] == 38
    assert counts["amif_operations_cpr49"] == 38
    assert counts["practice_sheets"] == 24
    assert counts["narrative_projects"] == 21
    assert counts["conventions"] == 5


def test_one_project_per_objective_as_printed(built: BuildResult) -> None:
    birth = project_titled(built, "Ateliers autour de la naissance")
    assert (birth["specific_objective"], birth["carrier"], birth["carrier_id"]) == (
        1,
        "Initiativ Liewensufank",
        "initiativ-liewensufank",
    )
    assert (birth["selection_procedure"], birth["call"], birth["action_code"]) == ("call", "Appel 2022", None)
    assert (birth["start_date"], birth["end_date"]) == (date(2023, 1, 1), date(2023, 12, 31))
    assert (birth["eu_share"], birth["national_share"], birth["total_cost"]) == (
        Decimal("94092.97"),
        Decimal("31364.32"),
        Decimal("125457.29"),
    )
    assert birth["eu_cofinancing_rate"] == Decimal("75.00") and birth["source_page"] == 1

    concorde = project_titled(built, "CONCORDE")
    assert (concorde["specific_objective"], concorde["action_code"], concorde["carrier_raw"]) == (
        2,
        "B.1",
        "Passerell asbl",
    )
    assert (concorde["carrier"], concorde["carrier_id"]) == ("Passerell", "passerell")
    assert concorde["eu_cofinancing_rate"] == Decimal("90.00")
    assert concorde["issues"] == "cofinancing_rate_above_cap"

    returns = project_titled(built, "Organisation et exécution de retour forcés")
    assert returns["specific_objective"] == 3 and returns["carrier_id"] == "direction-immigration"
    assert returns["total_cost"] == Decimal("1218327.29") and returns["source_page"] == 12


def test_only_the_published_inconsistent_total_is_a_total_mismatch(built: BuildResult) -> None:
    mismatches = [finding for finding in built.findings if finding.code == "total_mismatch"]
    returns = project_titled(built, "Organisation et exécution de retour forcés")
    assert [finding.row_id for finding in mismatches] == [returns["project_id"]]
    assert mismatches[0].location.file == "amif_projets_cofinances.pdf"
    assert mismatches[0].location.page == 12
    assert "total_mismatch" in returns["issues"].split(";")


def test_the_rows_that_lost_values_are_kept_with_missing_value_findings(built: BuildResult) -> None:
    reduced = project_titled(built, "Construire ensemble une société forte et inclusive")
    missing = {
        finding.column
        for finding in built.findings
        if finding.code == "missing_value" and finding.row_id == reduced["project_id"]
    }
    assert {"carrier", "eu_share", "national_share", "total_cost", "start_date"} <= missing
    assert reduced["eu_share"] is None and reduced["total_cost"] is None


def test_every_printed_carrier_has_its_organisation(built: BuildResult) -> None:
    projects = built.tables["amif_projects"]
    unresolved = [row["carrier_raw"] for row in projects if row["carrier_raw"] and not row["carrier_id"]]
    assert unresolved == []
    organisations = {row["org_id"]: row for row in built.tables["organisations"]}
    assert {row["carrier_id"] for row in projects if row["carrier_id"]} <= organisations.keys()
    oim = organisations["oim"]
    carried = [row for row in projects if row["carrier_id"] == "oim"]
    assert oim["amif_projects"] == len(carried) == 7
    assert oim["amif_eu_share"] == sum(row["eu_share"] for row in carried) == Decimal("2889472.25")


def test_sheets_and_conventions_join_the_amif_carriers(built: BuildResult) -> None:
    """ASTI carries AMIF projects, holds two conventions and co-organises a practice sheet."""
    conventions = {row["convention_id"]: row["organisation_id"] for row in built.tables["conventions"]}
    assert conventions["convention-asti-2021"] == conventions["convention-asti-2022"] == "asti"
    sheets_with_asti = [
        row["sheet_id"]
        for row in built.tables["practice_sheets"]
        if "asti" in (row["organisation_ids"] or "").split("; ")
    ]
    assert sheets_with_asti == ["sheet-formation-base-benevoles-engages-aupres"]
    asti = next(row for row in built.tables["organisations"] if row["org_id"] == "asti")
    assert (asti["amif_projects"], asti["practice_sheets"], asti["conventions"]) == (2, 1, 2)


def test_fuzzy_merges_are_reported_with_their_score(built: BuildResult) -> None:
    fuzzy = [finding for finding in built.findings if finding.code == "organisation_fuzzy_match"]
    typo = next(finding for finding in fuzzy if finding.value.startswith("Excellenec"))
    assert typo.repaired == "Excellence for Integration and Development"
    assert typo.table == "amif_projects" and typo.column == "carrier"
    assert typo.rule.startswith("fuzzy match, score 9")


def test_two_builds_are_byte_identical(raw_dir: Path, files: dict[str, bytes]) -> None:
    assert output_files(build(raw_dir)) == files


def test_parquet_keeps_decimals_and_dates(files: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "amif_projects.parquet"
    path.write_bytes(files["amif_projects.parquet"])
    schema = pq.read_schema(path)
    assert schema.field("eu_share").type == pa.decimal128(15, 2)
    assert schema.field("start_date").type == pa.date32()
    assert schema.field("specific_objective").type == pa.int64()


def test_the_review_queue_is_written_with_the_build(files: dict[str, bytes]) -> None:
    queue = files["review/organisation_matches.csv"].decode("utf-8").splitlines()
    assert queue[0].startswith("name,cleaned,status,score,seen_in,candidate_1_id")
    assert any(line.startswith("Collège échevinal,") and ",unresolved," in line for line in queue)


def test_extract_reads_a_renamed_text_extraction_by_its_content(raw_dir: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "liste-2026.data"
    shutil.copyfile(raw_dir / "amif_projets_cofinances.txt", renamed)
    result = extract_files([renamed])
    assert [document.kind for document in result.inputs] == ["amif_table"]
    rows = result.tables["amif_projects"]
    assert len(rows) == 38 and {row["source_file"] for row in rows} == {"liste-2026.data"}
    birth = project_titled(result, "Ateliers autour de la naissance")
    assert birth["source_line"] is not None and birth["source_page"] is None
    assert birth["eu_share"] == Decimal("94092.97")


def test_extract_command_writes_the_build_tables(raw_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["--quiet", "extract", str(raw_dir / "oim_france_projets.txt"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with (out / "narrative_projects.csv").open(encoding="utf-8", newline="") as stream:
        assert len(list(csv.DictReader(stream))) == 21
    assert (out / "amif_projects.csv").read_text(encoding="utf-8").startswith("project_id,")


def test_a_changed_source_file_is_refused_by_its_checksum(raw_dir: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    page = raw / "asti_convention_2021.txt"
    page.write_bytes(page.read_bytes() + b"\n")
    result = runner.invoke(app, ["build", "--raw", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "asti_convention_2021.txt" in result.stderr and "sha256" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_build_checks_the_kohesio_file_it_writes_with_frictionless(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The written CSV's check runs in every build; its findings join the others (a stand-in here)."""
    import amif_extract.cpr49 as cpr49
    from amif_extract.findings import Finding, SourceLocation

    checked: list[bytes] = []

    def record(path: Path) -> list[Finding]:
        checked.append(path.read_bytes())
        return [Finding("cpr49_schema", "stand-in", SourceLocation(path.name), table=cpr49.TABLE)]

    monkeypatch.setattr(cpr49, "validate_cpr49_csv", record)
    result = extract_files([raw_dir / "amif_projets_cofinances.txt"])
    assert checked and checked[0].startswith(b"Operation_Unique_Identifier,")
    assert checked[0].count(b"\r\n") == 39
    assert [finding.message for finding in result.findings if finding.code == "cpr49_schema"] == ["stand-in"]


def test_a_findings_table_that_fails_its_contract_is_never_written(
    built: BuildResult, tmp_path: Path
) -> None:
    import dataclasses

    from amif_extract.errors import SchemaFailure
    from amif_extract.pipeline import write_build

    broken_rows = [dict(built.tables["findings"][0], severity="fatal")]
    broken = dataclasses.replace(built, tables={**built.tables, "findings": broken_rows})
    with pytest.raises(SchemaFailure, match="table findings, column severity"):
        write_build(broken, tmp_path / "out")
    assert not (tmp_path / "out").exists()
