"""The list of operations in the Commission's format: CPR Article 49(3) content under Kohesio's column names.

For 2021-2027 AMIF falls under Regulation (EU) 2021/1060. Its Article 49(3) lists what a published list of
operations must hold and Article 49(4) asks for an open, machine-readable format. The Commission's portal
Kohesio collects such lists under one column set and checks uploads with a validator: a CSV per RFC 4180,
exact column names, dates dd/mm/yyyy, start not after end, a location for every operation, EUR or an
exchange rate.

Three plain steps, each usable alone:

- `cpr49_rows` maps `amif_projects` rows onto that column set, one operation per project, never dropping one;
- `cpr49_findings` reports the Kohesio rules a Table Schema cannot state, and every Article 49(3) field the
  source lost, as findings;
- `validate_cpr49_csv` checks the written CSV against `schemas/amif_operations_cpr49.schema.json` with
  frictionless and against RFC 4180's CRLF record ends.

`docs/cpr49.md` maps each point of Article 49(3) to its column and says which columns stay empty and why.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from amif_extract.build_records import Row
from amif_extract.errors import InputError
from amif_extract.findings import Finding, SourceLocation
from amif_extract.schemas.amif_operations_cpr49 import AmifOperationsCpr49
from amif_extract.tables import TableSpec, csv_bytes

TABLE = "amif_operations_cpr49"
KEY = "Operation_Unique_Identifier"
CPR49_SPEC = TableSpec(TABLE, AmifOperationsCpr49, KEY, line_terminator="\r\n")
TABLE_SCHEMA_FILE = "amif_operations_cpr49.schema.json"

# Values the AMIF list implies for every operation: a Luxembourg list, of one Fund, in euro.
FUND_CODE = "AMIF"
COUNTRY = "LU"
CURRENCY = "EUR"
# Luxembourg is one region at every NUTS level (LU0, LU00, LU000), so the country code says all the list says.
COUNTRY_NUTS_CODE = "LU"
# Kohesio's date form (dd/MM/yyyy in its validator), as a strftime/strptime pattern.
KOHESIO_DATE_FORMAT = "%d/%m/%Y"
CENT = Decimal("0.01")

LOCATION_COLUMNS: tuple[str, ...] = (
    "Location_Indicator_Postcode",
    "Location_Indicator_NUTS_code",
    "Location_Indicator_latitude_longitude",
)

# Columns carrying a point of Article 49(3) that the source prints for each operation: empty means the
# document lost the value, which is reported as a gap. Points with one value for the whole list (Fund,
# country, location) are filled here and checked as rules instead.
ARTICLE_49_3_COLUMNS: dict[str, tuple[str, str]] = {
    "Beneficiary_Name": ("a", "name of the beneficiary"),
    "Operation_Name_Programme_Language": ("d", "name of the operation"),
    "Operation_Summary_Programme_Language": ("e", "purpose and expected or actual achievements"),
    "Operation_Start_Date": ("f", "start date"),
    "Operation_End_Date": ("g", "expected or actual completion date"),
    "Total_Eligible_Expenditure_amount": ("h", "total cost"),
    "Cofinancing_Rate": ("k", "Union co-financing rate (computed from the printed EU share and total)"),
}

# Where each row came from. They ride along in the row dicts so findings can point at the document; the
# writers take only the contract's columns, so they never reach the CSV or Parquet file.
PROVENANCE_KEYS: tuple[str, ...] = ("source_file", "source_page", "source_line")


def kohesio_date(value: date | None) -> str | None:
    return None if value is None else value.strftime(KOHESIO_DATE_FORMAT)


def parse_kohesio_date(text: str | None) -> date | None:
    """The date a dd/mm/yyyy cell names, or None when empty or malformed (the Table Schema reports that)."""
    if not text:
        return None
    try:
        return datetime.strptime(text, KOHESIO_DATE_FORMAT).date()
    except ValueError:
        return None


def to_cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def specific_objective(number: int, label: str) -> str:
    """`SO1 - Régime d'asile européen commun`: a language-neutral code, then the name as printed."""
    return f"SO{number} - {' '.join(label.split())}"


def cpr49_row(project: Row) -> Row:
    """One `amif_projects` row as one operation of the list, with the project's provenance alongside."""
    row: Row = {
        KEY: project["project_id"],
        "Operation_Name_Programme_Language": project.get("title"),
        "Country": COUNTRY,
        "Location_Indicator_Postcode": None,
        "Location_Indicator_NUTS_code": COUNTRY_NUTS_CODE,
        "Location_Indicator_latitude_longitude": None,
        "Operation_Start_Date": kohesio_date(project.get("start_date")),
        "Operation_End_Date": kohesio_date(project.get("end_date")),
        "Cofinancing_Rate": to_cents(project.get("eu_cofinancing_rate")),
        "Total_Eligible_Expenditure_amount": to_cents(project.get("total_cost")),
        "Total_Eligible_Expenditure_Currency": CURRENCY,
        "Total_Eligible_Expenditure_Exchange_Rate": None,
        "Project_EU_Budget": to_cents(project.get("eu_share")),
        "Beneficiary_Name": project.get("carrier"),
        "Specific_Objective": specific_objective(
            project["specific_objective"], project["specific_objective_label"]
        ),
        "Fund_Code": FUND_CODE,
        "Programme_Code": None,
        "Programming_Period": None,
        "Operation_Summary_Programme_Language": project.get("summary"),
    }
    row.update({key: project.get(key) for key in PROVENANCE_KEYS})
    return row


def cpr49_rows(project_rows: Sequence[Row]) -> list[Row]:
    """Every project as an operation, in the projects' order; a project with gaps is listed, never dropped."""
    return [cpr49_row(project) for project in project_rows]


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _location(row: Row) -> SourceLocation:
    return SourceLocation(
        str(row.get("source_file") or f"{TABLE}.csv"),
        page=row.get("source_page"),
        line=row.get("source_line"),
    )


def _finding(code: str, row: Row, column: str, message: str, *, rule: str, value: str = "") -> Finding:
    row_id = str(row.get(KEY) or "")
    return Finding(
        code, message, _location(row), table=TABLE, row_id=row_id, column=column, value=value, rule=rule
    )


def gap_findings(row: Row) -> list[Finding]:
    return [
        _finding(
            "cpr49_gap",
            row,
            column,
            f"Article 49(3)({point}) {subject} is empty: the source does not give it for this operation",
            rule=f"CPR Art. 49(3)({point})",
        )
        for column, (point, subject) in ARTICLE_49_3_COLUMNS.items()
        if _is_empty(row.get(column))
    ]


def date_order_findings(row: Row) -> list[Finding]:
    start = parse_kohesio_date(row.get("Operation_Start_Date"))
    end = parse_kohesio_date(row.get("Operation_End_Date"))
    if start is None or end is None or start <= end:
        return []
    return [
        _finding(
            "cpr49_rule",
            row,
            "Operation_Start_Date",
            f"the start date {row['Operation_Start_Date']} is after the end date {row['Operation_End_Date']}",
            value=str(row["Operation_Start_Date"]),
            rule="start date not after end date",
        )
    ]


def location_findings(row: Row) -> list[Finding]:
    if any(not _is_empty(row.get(column)) for column in LOCATION_COLUMNS):
        return []
    return [
        _finding(
            "cpr49_rule",
            row,
            "Location_Indicator_NUTS_code",
            f"no location indicator: one of {', '.join(LOCATION_COLUMNS)} must be given",
            rule="at least one location indicator",
        )
    ]


def currency_findings(row: Row) -> list[Finding]:
    currency = row.get("Total_Eligible_Expenditure_Currency")
    if (
        _is_empty(currency)
        or currency == CURRENCY
        or not _is_empty(row.get("Total_Eligible_Expenditure_Exchange_Rate"))
    ):
        return []
    return [
        _finding(
            "cpr49_rule",
            row,
            "Total_Eligible_Expenditure_Exchange_Rate",
            f"amounts in {currency} need an exchange rate to EUR",
            value=str(currency),
            rule="currency EUR or an exchange rate",
        )
    ]


def cpr49_findings(rows: Iterable[Row]) -> list[Finding]:
    """Kohesio's cross-field rules (errors) and Article 49(3) fields the source lost (warnings), per row."""
    findings: list[Finding] = []
    for row in rows:
        findings += gap_findings(row)
        findings += date_order_findings(row)
        findings += location_findings(row)
        findings += currency_findings(row)
    return findings


def written_csv_findings(rows: Sequence[Row]) -> list[Finding]:
    """The build's check of the file it is about to write: its CSV bytes through `validate_cpr49_csv`."""
    with tempfile.TemporaryDirectory(prefix="amif-cpr49-") as folder:
        path = Path(folder) / f"{TABLE}.csv"
        path.write_bytes(csv_bytes(CPR49_SPEC, rows))
        return validate_cpr49_csv(path)


def table_schema_descriptor() -> dict[str, Any]:
    """The Frictionless Table Schema of the written CSV, as shipped next to the pandera contract."""
    resource = files("amif_extract.schemas") / TABLE_SCHEMA_FILE
    descriptor: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return descriptor


def validate_cpr49_csv(csv_path: Path) -> list[Finding]:
    """Check the written CSV against its Table Schema (frictionless) and RFC 4180 record ends, as findings."""
    if not csv_path.is_file():
        raise InputError(csv_path, "file not found")
    findings = line_terminator_findings(csv_path)
    findings += table_schema_findings(csv_path)
    return findings


def preload_table_schema_check() -> None:
    """Import frictionless and read the Table Schema, which loads its plugins, checking no file."""
    from frictionless import Schema

    Schema.from_descriptor(table_schema_descriptor())


def table_schema_findings(csv_path: Path) -> list[Finding]:
    # Imported here: only validation needs frictionless, and a build that never validates skips its import.
    from frictionless import Dialect, Resource, Schema
    from frictionless.formats import CsvControl

    descriptor = table_schema_descriptor()
    schema = Schema.from_descriptor(descriptor)
    # The format is fixed (UTF-8; RFC 4180: comma, double quotes, CRLF; one header row), so it is
    # stated rather than detected: a file in another encoding or dialect is a finding, not a guess,
    # and the build is spared chardet's first run (about 0.1 s).
    dialect = Dialect(
        header_rows=[1],
        controls=[CsvControl(delimiter=",", quote_char='"', double_quote=True, line_terminator="\r\n")],
    )
    # frictionless refuses absolute paths as unsafe unless they are given relative to a base path.
    resource = Resource(
        path=csv_path.name,
        basepath=str(csv_path.parent),
        schema=schema,
        format="csv",
        encoding="utf-8",
        dialect=dialect,
    )
    report = resource.validate()
    key_position = [field["name"] for field in descriptor["fields"]].index(KEY)
    return [
        _schema_finding(csv_path, error, key_position)
        for errors in (report.errors, *(task.errors for task in report.tasks))
        for error in errors
    ]


def _schema_finding(csv_path: Path, error: Any, key_position: int) -> Finding:
    """One frictionless error as a finding; `row N` counts records as frictionless does (header = row 1)."""
    row_number = getattr(error, "row_number", None)
    cells = getattr(error, "cells", None) or []
    return Finding(
        "cpr49_schema",
        str(error.message),
        SourceLocation(csv_path.name),
        table=TABLE,
        row_id=str(cells[key_position]) if len(cells) > key_position else "",
        column=str(getattr(error, "field_name", "") or ""),
        value=str(getattr(error, "cell", "") or ""),
        rule=str(error.type),
        context="" if row_number is None else f"row {row_number}",
        extra=() if row_number is None else (("row_number", str(row_number)),),
    )


def bare_line_feed_records(text: str) -> list[int]:
    """Numbers of the records (header = 1) ended by a bare LF; a line feed inside a quoted cell is data."""
    records: list[int] = []
    record, quoted, previous = 1, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            if previous != "\r":
                records.append(record)
            record += 1
        previous = char
    return records


def line_terminator_findings(csv_path: Path) -> list[Finding]:
    text = csv_path.read_bytes().decode("utf-8", errors="replace")
    return [
        Finding(
            "cpr49_schema",
            f'Row at position "{record}" ends with a bare line feed: RFC 4180 ends records with CRLF',
            SourceLocation(csv_path.name),
            table=TABLE,
            rule="rfc4180-crlf",
            context=f"row {record}",
            extra=(("row_number", str(record)),),
        )
        for record in bare_line_feed_records(text)
    ]
