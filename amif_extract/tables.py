"""Output tables: their pandera contracts, schema checks as findings, and exact CSV/Parquet encodings.

Every column's name, order and type comes from the table's `DataFrameModel` in `schemas/`; nothing
here lists columns by hand. Values travel as plain Python (str, int, Decimal, date, None) so that
money never passes through a float on its way to CSV or Parquet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.parquet as pq
from pandera.engines import pandas_engine

from amif_extract.build_records import Row
from amif_extract.findings import Finding, SourceLocation
from amif_extract.formulas import is_formula_like


@dataclass(frozen=True)
class TableSpec:
    """One output table: its file stem under `normalized/`, contract, key column and CSV dialect."""

    name: str
    model: type[pa.DataFrameModel]
    key: str
    line_terminator: str = "\n"
    parquet: bool = True

    @property
    def columns(self) -> list[str]:
        return list(self.model.to_schema().columns)


def column_types(model: type[pa.DataFrameModel]) -> dict[str, Any]:
    return {name: column.dtype for name, column in model.to_schema().columns.items()}


def _arrow_type(dtype: Any) -> pa_arrow.DataType:
    if isinstance(dtype, pandas_engine.Decimal):
        return pa_arrow.decimal128(dtype.precision, dtype.scale)
    if isinstance(dtype, pandas_engine.Date):
        return pa_arrow.date32()
    text = str(dtype).lower()
    if text.startswith("int"):
        return pa_arrow.int64()
    if text in {"bool", "boolean"}:
        return pa_arrow.bool_()
    return pa_arrow.string()


def arrow_schema(model: type[pa.DataFrameModel]) -> pa_arrow.Schema:
    return pa_arrow.schema([(name, _arrow_type(dtype)) for name, dtype in column_types(model).items()])


def frame_for(model: type[pa.DataFrameModel], rows: Sequence[Row]) -> pd.DataFrame:
    """A DataFrame with the contract's columns; decimals and dates stay Python objects."""
    data: dict[str, Any] = {}
    for name, dtype in column_types(model).items():
        values = [row.get(name) for row in rows]
        kind = _arrow_type(dtype)
        if pa_arrow.types.is_integer(kind):
            data[name] = pd.array(values, dtype="Int64")
        elif pa_arrow.types.is_string(kind) and not values:
            data[name] = pd.Series(values, dtype=dtype.type)  # an empty object column fails the str check
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def schema_findings(spec: TableSpec, rows: Sequence[Row], source_file: str = "") -> list[Finding]:
    """Validate lazily and turn every failure case into a `schema_error` finding."""
    frame = frame_for(spec.model, rows)
    try:
        spec.model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _failure_findings(spec, rows, errors.failure_cases, source_file)
    return []


def _failure_findings(
    spec: TableSpec, rows: Sequence[Row], cases: pd.DataFrame, source_file: str
) -> list[Finding]:
    findings: list[Finding] = []
    for case in cases.to_dict("records"):
        index = case.get("index")
        row = rows[int(index)] if index is not None and not pd.isna(index) else {}
        location = SourceLocation(
            str(row.get("source_file") or source_file or spec.name),
            page=row.get("source_page"),
            line=row.get("source_line"),
        )
        message = f"{case.get('check')} failed"
        findings.append(
            Finding(
                "schema_error",
                message,
                location,
                table=spec.name,
                row_id=str(row.get(spec.key, "")),
                column=str(case.get("column") or ""),
                value=str(case.get("failure_case")),
            )
        )
    return findings


def formula_findings(spec: TableSpec, rows: Sequence[Row], source_file: str = "") -> list[Finding]:
    """A `formula_like_value` warning for every text cell a spreadsheet would run; the value stays as is."""
    findings: list[Finding] = []
    for row in rows:
        for column in spec.columns:
            value = row.get(column)
            if not isinstance(value, str) or not is_formula_like(value):
                continue
            location = SourceLocation(
                str(row.get("source_file") or source_file or spec.name),
                page=row.get("source_page"),
                line=row.get("source_line"),
            )
            findings.append(
                Finding(
                    "formula_like_value",
                    f"{column} starts with {value[:1]!r}: a spreadsheet opening the CSV would run it as"
                    " a formula; kept as printed",
                    location,
                    table=spec.name,
                    row_id=str(row.get(spec.key, "")),
                    column=column,
                    value=value,
                )
            )
    return findings


def format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(spec: TableSpec, rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=spec.line_terminator)
    writer.writerow(spec.columns)
    for row in rows:
        writer.writerow([format_cell(row.get(name)) for name in spec.columns])
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(spec: TableSpec, rows: Sequence[Row]) -> bytes:
    schema = arrow_schema(spec.model)
    table = pa_arrow.Table.from_pylist(
        [{name: row.get(name) for name in schema.names} for row in rows], schema
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", write_statistics=True)
    return buffer.getvalue()
