"""The CPR Article 49(3) list of operations in Kohesio's columns, from a real build of `raw/`."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from amif_extract.build_records import BuildResult
from amif_extract.cpr49 import (
    CPR49_SPEC,
    bare_line_feed_records,
    cpr49_findings,
    cpr49_rows,
    table_schema_descriptor,
    validate_cpr49_csv,
)
from amif_extract.errors import InputError
from amif_extract.findings import Finding
from amif_extract.pipeline import build
from amif_extract.tables import csv_bytes, parquet_bytes, schema_findings

KOHESIO_COLUMNS = [
    "Operation_Unique_Identifier",
    "Operation_Name_Programme_Language",
    "Country",
    "Location_Indicator_Postcode",
    "Location_Indicator_NUTS_code",
    "Location_Indicator_latitude_longitude",
    "Operation_Start_Date",
    "Operation_End_Date",
    "Cofinancing_Rate",
    "Total_Eligible_Expenditure_amount",
    "Total_Eligible_Expenditure_Currency",
    "Total_Eligible_Expenditure_Exchange_Rate",
    "Project_EU_Budget",
    "Beneficiary_Name",
    "Specific_Objective",
    "Fund_Code",
    "Programme_Code",
    "Programming_Period",
    "Operation_Summary_Programme_Language",
]
# Columns the AMIF list gives no value for, for any operation (docs/cpr49.md says why).
ALWAYS_EMPTY = [
    "Location_Indicator_Postcode",
    "Location_Indicator_latitude_longitude",
    "Total_Eligible_Expenditure_Exchange_Rate",
    "Programme_Code",
    "Programming_Period",
]


@pytest.fixture(scope="module")
def build_result(raw_dir: Path) -> BuildResult:
    return build(raw_dir)


@pytest.fixture(scope="module")
def operations(build_result: BuildResult) -> list[dict[str, Any]]:
    return cpr49_rows(build_result.tables["amif_projects"])


@pytest.fixture(scope="module")
def written_csv(operations: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cpr49") / "amif_operations_cpr49.csv"
    path.write_bytes(csv_bytes(CPR49_SPEC, operations))
    return path


def operation_titled(operations: list[dict[str, Any]], title: str) -> dict[str, Any]:
    matches = [row for row in operations if row["Operation_Name_Programme_Language"] == title]
    assert len(matches) == 1, f"{len(matches)} operations titled {title!r}"
    return matches[0]


# Values read from raw/amif_projets_cofinances.pdf (pages 1, 7 and 12) and the matching lines of the .txt.
PINNED = [
    {
        "Operation_Name_Programme_Language": "Ateliers autour de la naissance",
        "Beneficiary_Name": "Initiativ Liewensufank",
        "Operation_Start_Date": "01/01/2023",
        "Operation_End_Date": "31/12/2023",
        "Total_Eligible_Expenditure_amount": Decimal("125457.29"),
        "Project_EU_Budget": Decimal("94092.97"),
        "Cofinancing_Rate": Decimal("75.00"),
        "Specific_Objective": "SO1 - Régime d'asile européen commun",
        "summary_start": "L'organisation d'ateliers dans des locaux de différents foyers",
        "page": 1,
    },
    {
        # Printed with the other amount format: 62.662,41€ / 6.962,49€ / 69.624,90€.
        "Operation_Name_Programme_Language": "CONCORDE",
        "Beneficiary_Name": "Passerell",  # canonical name from schemas/organisations.csv
        "Operation_Start_Date": "01/01/2024",
        "Operation_End_Date": "31/12/2025",
        "Total_Eligible_Expenditure_amount": Decimal("69624.90"),
        "Project_EU_Budget": Decimal("62662.41"),
        "Cofinancing_Rate": Decimal("90.00"),
        "Specific_Objective": "SO2 - Migration légale et intégration",
        "summary_start": "CONCORDE vise à fournir aux ressortissants de pays tiers",
        "page": 7,
    },
    {
        "Operation_Name_Programme_Language": "Journée Consulaire",
        "Beneficiary_Name": "Direction de l'immigration",
        "Operation_Start_Date": "01/01/2021",
        "Operation_End_Date": "31/12/2029",
        "Total_Eligible_Expenditure_amount": Decimal("100000.00"),
        "Project_EU_Budget": Decimal("75000.00"),
        "Cofinancing_Rate": Decimal("75.00"),
        "Specific_Objective": "SO3 - Renvoyer",
        "summary_start": "Il est prévu d'organiser des journées consulaires nationales",
        "page": 12,
    },
]


@pytest.mark.parametrize("expected", PINNED, ids=lambda case: case["Specific_Objective"][:3])
def test_one_real_operation_per_objective_is_pinned(
    operations: list[dict[str, Any]], expected: dict[str, Any]
) -> None:
    row = operation_titled(operations, expected["Operation_Name_Programme_Language"])
    for column in (
        "Beneficiary_Name",
        "Operation_Start_Date",
        "Operation_End_Date",
        "Total_Eligible_Expenditure_amount",
        "Project_EU_Budget",
        "Cofinancing_Rate",
        "Specific_Objective",
    ):
        assert row[column] == expected[column], column
    assert row["Operation_Summary_Programme_Language"].startswith(expected["summary_start"])
    assert row["Operation_Unique_Identifier"].startswith(expected["Specific_Objective"][:3].lower() + "-")
    assert (row["Country"], row["Location_Indicator_NUTS_code"]) == ("LU", "LU")
    assert (row["Fund_Code"], row["Total_Eligible_Expenditure_Currency"]) == ("AMIF", "EUR")
    assert [row[column] for column in ALWAYS_EMPTY] == [None] * len(ALWAYS_EMPTY)
    assert (row["source_file"], row["source_page"]) == ("amif_projets_cofinances.pdf", expected["page"])


def test_pinned_operation_is_written_as_kohesio_expects(
    operations: list[dict[str, Any]], written_csv: Path
) -> None:
    records = list(csv.DictReader(io.StringIO(written_csv.read_text(encoding="utf-8"), newline="")))
    record = next(
        r for r in records if r["Operation_Name_Programme_Language"] == "Ateliers autour de la naissance"
    )
    assert record["Operation_Start_Date"] == "01/01/2023"
    assert record["Operation_End_Date"] == "31/12/2023"
    assert record["Total_Eligible_Expenditure_amount"] == "125457.29"
    assert record["Project_EU_Budget"] == "94092.97"
    assert record["Cofinancing_Rate"] == "75.00"
    assert record["Programming_Period"] == ""
    assert len(records) == len(operations)


def test_every_project_is_one_operation(build_result: BuildResult, operations: list[dict[str, Any]]) -> None:
    project_ids = [row["project_id"] for row in build_result.tables["amif_projects"]]
    assert [row["Operation_Unique_Identifier"] for row in operations] == project_ids
    assert {row["Specific_Objective"][:3] for row in operations} == {"SO1", "SO2", "SO3"}


def test_rows_meet_the_pandera_contract(operations: list[dict[str, Any]]) -> None:
    assert schema_findings(CPR49_SPEC, operations) == []


def test_written_csv_passes_its_table_schema(written_csv: Path) -> None:
    assert validate_cpr49_csv(written_csv) == []


def test_written_csv_has_exact_kohesio_header_and_crlf_records(written_csv: Path) -> None:
    data = written_csv.read_bytes()
    assert data.startswith(",".join(KOHESIO_COLUMNS).encode("ascii") + b"\r\n")
    assert data.endswith(b"\r\n")
    assert bare_line_feed_records(data.decode("utf-8")) == []
    # Summaries keep their paragraph breaks as line feeds inside quoted cells, which RFC 4180 allows.
    assert b"\n" in data.replace(b"\r\n", b"")
    assert CPR49_SPEC.columns == KOHESIO_COLUMNS


def test_project_with_lost_period_and_total_is_listed_with_its_gaps(
    operations: list[dict[str, Any]],
) -> None:
    # The PDF's row reduced to its selection-procedure line and summary (page 6): no period, no amounts, no
    # carrier; its title comes from the « » quote of the summary.
    row = operation_titled(operations, "Construire ensemble une société forte et inclusive")
    assert row["Operation_Start_Date"] is None
    assert row["Total_Eligible_Expenditure_amount"] is None
    gaps = {f.column: f for f in cpr49_findings([row]) if f.code == "cpr49_gap"}
    assert set(gaps) == {
        "Beneficiary_Name",
        "Operation_Start_Date",
        "Operation_End_Date",
        "Total_Eligible_Expenditure_amount",
        "Cofinancing_Rate",
    }
    start_gap = gaps["Operation_Start_Date"]
    assert start_gap.severity == "warning"
    assert start_gap.row_id == row["Operation_Unique_Identifier"]
    assert start_gap.table == "amif_operations_cpr49"
    assert start_gap.rule == "CPR Art. 49(3)(f)"
    assert (start_gap.location.file, start_gap.location.page) == ("amif_projets_cofinances.pdf", 6)


def test_real_list_breaks_no_kohesio_rule_and_has_two_rows_with_gaps(
    operations: list[dict[str, Any]],
) -> None:
    findings = cpr49_findings(operations)
    assert [f for f in findings if f.code != "cpr49_gap"] == []
    rows_with_gaps = {f.row_id for f in findings}
    titles = {
        row["Operation_Name_Programme_Language"]
        for row in operations
        if row["Operation_Unique_Identifier"] in rows_with_gaps
    }
    # The second is the row printed without a title cell or carrier (page 4); only its carrier is missing.
    assert titles == {
        "Construire ensemble une société forte et inclusive",
        "Refonte et migration des systèmes de gestion relatifs à l'accueil des demandeurs de protection"
        " internationale",
    }
    assert len(findings) == 6


def test_parquet_keeps_money_as_decimal(operations: list[dict[str, Any]]) -> None:
    table = pq.read_table(io.BytesIO(parquet_bytes(CPR49_SPEC, operations)))
    assert table.column_names == KOHESIO_COLUMNS
    assert str(table.schema.field("Total_Eligible_Expenditure_amount").type) == "decimal128(15, 2)"
    totals = table.column("Total_Eligible_Expenditure_amount").to_pylist()
    assert Decimal("125457.29") in totals


def test_table_schema_and_pandera_contract_agree() -> None:
    descriptor = table_schema_descriptor()
    fields = descriptor["fields"]
    assert [field["name"] for field in fields] == CPR49_SPEC.columns
    assert descriptor["primaryKey"] == [CPR49_SPEC.key]
    required = {field["name"] for field in fields if field.get("constraints", {}).get("required")}
    always_filled = {
        name for name, column in CPR49_SPEC.model.to_schema().columns.items() if not column.nullable
    }
    # Kohesio requires a name; a name the source lost is a finding on the written file, not a blocked build.
    assert required - always_filled == {"Operation_Name_Programme_Language"}
    assert always_filled <= required


# Synthetic rows below: the real list breaks none of the cross-field rules, so these edge cases are made.
def synthetic_operation(**changes: Any) -> dict[str, Any]:
    """A project row as normalize_projects makes it (synthetic: values invented for a rule test)."""
    project = {
        "project_id": "so2-synthetic-abc123",
        "specific_objective": 2,
        "specific_objective_label": "Migration légale et intégration",
        "title": "Projet synthétique",
        "carrier": "Association synthétique asbl",
        "start_date": date(2024, 1, 1),
        "end_date": date(2025, 12, 31),
        "eu_share": Decimal("75"),
        "total_cost": Decimal("100"),
        "eu_cofinancing_rate": Decimal("75.00"),
        "summary": "Résumé synthétique.",
        "source_file": "synthetic.pdf",
        "source_page": 3,
        "source_line": None,
    }
    row = cpr49_rows([project])[0]
    row.update(changes)
    return row


def rule_findings(row: dict[str, Any]) -> list[Finding]:
    return [f for f in cpr49_findings([row]) if f.code == "cpr49_rule"]


def test_synthetic_complete_operation_has_no_finding() -> None:
    """Synthetic: a complete row, the baseline the rule tests change one value of."""
    row = synthetic_operation()
    assert cpr49_findings([row]) == []
    assert row["Total_Eligible_Expenditure_amount"] == Decimal("100.00")
    assert row["Specific_Objective"] == "SO2 - Migration légale et intégration"


def test_synthetic_start_after_end_is_a_rule_error() -> None:
    """Synthetic: the AMIF list has no period whose start is after its end."""
    (finding,) = rule_findings(
        synthetic_operation(Operation_Start_Date="01/02/2025", Operation_End_Date="31/01/2025")
    )
    assert finding.severity == "error"
    assert finding.column == "Operation_Start_Date"
    assert finding.value == "01/02/2025"
    assert (finding.location.file, finding.location.page) == ("synthetic.pdf", 3)
    assert (
        rule_findings(synthetic_operation(Operation_Start_Date="31/01/2025", Operation_End_Date="31/01/2025"))
        == []
    )


def test_synthetic_missing_location_is_a_rule_error() -> None:
    """Synthetic: every real operation is located by the country's NUTS code."""
    (finding,) = rule_findings(synthetic_operation(Location_Indicator_NUTS_code=None))
    assert finding.severity == "error"
    assert finding.rule == "at least one location indicator"
    assert finding.row_id == "so2-synthetic-abc123"
    assert (
        rule_findings(
            synthetic_operation(Location_Indicator_NUTS_code=None, Location_Indicator_Postcode="L-1234")
        )
        == []
    )


def test_synthetic_foreign_currency_needs_an_exchange_rate() -> None:
    """Synthetic: the AMIF list prints every amount in euro."""
    (finding,) = rule_findings(synthetic_operation(Total_Eligible_Expenditure_Currency="CHF"))
    assert finding.column == "Total_Eligible_Expenditure_Exchange_Rate"
    assert finding.value == "CHF"
    with_rate = synthetic_operation(
        Total_Eligible_Expenditure_Currency="CHF", Total_Eligible_Expenditure_Exchange_Rate=Decimal("0.95")
    )
    assert rule_findings(with_rate) == []


def test_synthetic_csv_breaking_the_table_schema_gives_findings_with_row_numbers(tmp_path: Path) -> None:
    """Synthetic: a written file edited to break Kohesio's rules (bad date, currency, rate, missing name)."""
    good = synthetic_operation()
    bad = synthetic_operation(
        Operation_Unique_Identifier="so2-broken-abc123",
        Operation_Name_Programme_Language=None,
        Operation_Start_Date="31/02/2024",
        Total_Eligible_Expenditure_Currency="USD",
        Cofinancing_Rate=Decimal("100.01"),
    )
    path = tmp_path / "amif_operations_cpr49.csv"
    path.write_bytes(csv_bytes(CPR49_SPEC, [good, bad, good]))
    findings = validate_cpr49_csv(path)
    assert {(f.rule, f.column, f.value) for f in findings} == {
        ("constraint-error", "Operation_Name_Programme_Language", ""),
        ("type-error", "Operation_Start_Date", "31/02/2024"),
        ("constraint-error", "Total_Eligible_Expenditure_Currency", "USD"),
        ("constraint-error", "Cofinancing_Rate", "100.01"),
        ("primary-key", "", ""),
    }
    assert all(f.code == "cpr49_schema" and f.severity == "error" for f in findings)
    by_rule = {f.rule: f for f in findings}
    assert by_rule["type-error"].row_id == "so2-broken-abc123"
    assert by_rule["type-error"].context == "row 3"
    assert by_rule["primary-key"].context == "row 4"


def test_synthetic_csv_with_renamed_column_and_lf_records(tmp_path: Path) -> None:
    """Synthetic: a file written with LF record ends and one header name changed."""
    text = csv_bytes(CPR49_SPEC, [synthetic_operation()]).decode("utf-8")
    text = text.replace("\r\n", "\n").replace("Beneficiary_Name", "Beneficiary")
    path = tmp_path / "amif_operations_cpr49.csv"
    path.write_text(text, encoding="utf-8", newline="")
    findings = validate_cpr49_csv(path)
    assert [f.context for f in findings if f.rule == "rfc4180-crlf"] == ["row 1", "row 2"]
    assert any(f.rule == "incorrect-label" and f.column == "Beneficiary_Name" for f in findings)


def test_synthetic_csv_in_another_encoding_is_a_finding_not_a_guess(tmp_path: Path) -> None:
    """Synthetic: the written file re-encoded as Latin-1 ("synthétique"): the format is UTF-8, not guessed."""
    text = csv_bytes(CPR49_SPEC, [synthetic_operation()]).decode("utf-8")
    path = tmp_path / "amif_operations_cpr49.csv"
    path.write_bytes(text.encode("latin-1"))
    assert [f.rule for f in validate_cpr49_csv(path)] == ["encoding-error"]


def test_missing_csv_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        validate_cpr49_csv(tmp_path / "absent.csv")
