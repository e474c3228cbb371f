"""`normalized/datapackage.json`: the output folder described as a Frictionless Data Package (v2).

Every table's CSV is a tabular resource whose Table Schema is derived from the table's pandera contract
in `schemas/`: the column types, and the constraints its checks state (`required` for a non-nullable
column, `unique`, `enum` from `isin`, `pattern` from `str_matches`, bounds from `ge`/`le`/`gt`/`lt`,
lengths from `str_length`). A check with no Table Schema counterpart stays in the contract only; the
build already refuses to write a table that fails it. The Kohesio table keeps its hand-written schema
(`schemas/amif_operations_cpr49.schema.json`), the one the Commission's format is checked against.
Each Parquet file is listed as a plain file resource with its hash and size.

Relations between tables are not part of any one contract, so `FOREIGN_KEYS` lists them here.
The descriptor is deterministic: sorted keys, no timestamp, no absolute path; file hashes and sizes
come from the bytes the build writes, so `frictionless validate normalized/datapackage.json` checks
the files against the build that described them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa_arrow

from amif_extract import __version__
from amif_extract.cpr49 import TABLE as KOHESIO_TABLE
from amif_extract.cpr49 import table_schema_descriptor
from amif_extract.errors import InputError
from amif_extract.sources import MANIFEST_NAME, Source, load_manifest
from amif_extract.specs import table_specs
from amif_extract.tables import TableSpec, arrow_schema

if TYPE_CHECKING:
    from amif_extract.build_records import BuildResult, InputDocument

DATAPACKAGE_JSON = "datapackage.json"
# Data Package v2: the version that has `exclusiveMinimum` (pandera's `gt`, e.g. an exchange rate > 0).
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PACKAGE_NAME = "amif-luxembourg"
PACKAGE_TITLE = "AMIF-funded migration and integration projects in Luxembourg"
PACKAGE_DESCRIPTION = (
    "Validated tables extracted by amif-extract from public documents on projects co-financed by the EU "
    "Asylum, Migration and Integration Fund (AMIF) in Luxembourg, and on local integration practice: the "
    "AMIF list of projects (also in the Commission's CPR Article 49(3) / Kohesio column set), the "
    "organisations carrying them, the practice sheets of the 2nd Assises nationales de l'intégration au "
    "niveau local with their contacts, the ministry's integration conventions, and IOM France's project "
    "list. findings lists every problem seen in the documents, with its location. Each source is listed "
    "under `sources` by its file name in the build's raw/ folder and its sha256; the source documents "
    "remain under their publishers' terms."
)
KEYWORDS = ("AMIF", "Luxembourg", "migration", "integration", "EU funds", "CPR Article 49")
# The licence of the extracted tables; the documents they come from keep their publishers' terms.
LICENSES = (
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0",
    },
)
CONTRIBUTORS = ({"title": "amif-extract", "roles": ["creator"]},)
MISSING_VALUES = ("",)
CSV_MEDIATYPE = "text/csv"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"

TABLE_TITLES: dict[str, str] = {
    "amif_projects": "AMIF projects in Luxembourg, one row per project of the published list",
    "amif_operations_cpr49": "AMIF list of operations in the CPR Article 49(3) / Kohesio column set",
    "organisations": "Organisations carrying the projects, from the steward-edited authority file",
    "practice_sheets": "Practice sheets of the 2nd Assises nationales de l'intégration au niveau local",
    "practice_contacts": "Contact persons printed on the practice sheets",
    "conventions": "Integration conventions of the ministry, one row per organisation and year",
    "narrative_projects": "Projects listed on IOM France's project page",
    "findings": "Every finding of the build: problems and repairs, with their source location",
}


@dataclass(frozen=True)
class ForeignKey:
    """`table.column` refers to `reference_table.reference_column`; an empty cell refers to nothing."""

    table: str
    column: str
    reference_table: str
    reference_column: str


FOREIGN_KEYS: tuple[ForeignKey, ...] = (
    ForeignKey("amif_projects", "carrier_id", "organisations", "org_id"),
    ForeignKey("amif_operations_cpr49", "Operation_Unique_Identifier", "amif_projects", "project_id"),
    ForeignKey("organisations", "parent_id", "organisations", "org_id"),
    ForeignKey("practice_contacts", "sheet_id", "practice_sheets", "sheet_id"),
    ForeignKey("conventions", "organisation_id", "organisations", "org_id"),
)


# ---------------------------------------------------------------- fields from pandera columns


def field_type(arrow_type: pa_arrow.DataType) -> dict[str, Any]:
    """The Table Schema type of a column, from the Arrow type its Parquet file stores."""
    if pa_arrow.types.is_decimal(arrow_type):
        # Written as plain digits with a point ("135000.00"): a bare number, read without a float.
        return {"type": "number", "bareNumber": True}
    if pa_arrow.types.is_integer(arrow_type):
        return {"type": "integer", "bareNumber": True}
    if pa_arrow.types.is_date(arrow_type):
        return {"type": "date", "format": "default"}  # ISO 8601, as tables.format_cell writes dates
    if pa_arrow.types.is_boolean(arrow_type):
        return {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
    return {"type": "string"}


def json_value(value: Any) -> Any:
    """A check's bound or allowed value as JSON: whole numbers as integers, other non-JSON values as text."""
    if isinstance(value, bool | str | int | float) or value is None:
        return value
    try:
        if value == int(value):
            return int(value)
    except (TypeError, ValueError):
        pass
    return str(value)


def has_top_level_alternation(pattern: str) -> bool:
    """Whether `pattern` has a `|` outside every group and class: anchoring it would bind one branch only."""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
    return False


def table_schema_pattern(pandera_pattern: str) -> str:
    """pandera's `str_matches` pattern (matched from the start) as a Table Schema one (matched whole).

    `(?:P).*` matched whole is always `P` matched from the start; the usual `^...$` form is written
    without the anchors instead, which reads better and means the same.
    """
    if has_top_level_alternation(pandera_pattern):
        return f"(?:{pandera_pattern}).*"
    body = pandera_pattern.removeprefix("^")
    if body.endswith("$") and not body.endswith("\\$"):
        return body[:-1]
    return body + ".*"


def _bound_constraints(statistics: Mapping[str, Any], minimum: str, maximum: str) -> dict[str, Any]:
    constraints = {}
    if statistics.get("min_value") is not None:
        constraints[minimum] = json_value(statistics["min_value"])
    if statistics.get("max_value") is not None:
        constraints[maximum] = json_value(statistics["max_value"])
    return constraints


def _in_range_constraints(statistics: Mapping[str, Any]) -> dict[str, Any]:
    minimum = "minimum" if statistics.get("include_min", True) else "exclusiveMinimum"
    maximum = "maximum" if statistics.get("include_max", True) else "exclusiveMaximum"
    return _bound_constraints(statistics, minimum, maximum)


def _length_constraints(statistics: Mapping[str, Any]) -> dict[str, Any]:
    exact = statistics.get("exact_value")
    if exact is not None:
        return {"minLength": int(exact), "maxLength": int(exact)}
    constraints = {}
    if statistics.get("min_value") is not None:
        constraints["minLength"] = int(statistics["min_value"])
    if statistics.get("max_value") is not None:
        constraints["maxLength"] = int(statistics["max_value"])
    return constraints


def check_constraints(check_name: str | None, statistics: Mapping[str, Any]) -> dict[str, Any]:
    """The Table Schema constraints one pandera check states; `{}` for a check with no counterpart."""
    if check_name == "isin":
        allowed = [value for value in statistics["allowed_values"] if value not in MISSING_VALUES]
        return {"enum": [json_value(value) for value in allowed]}
    if check_name == "equal_to":
        return {"enum": [json_value(statistics["value"])]}
    if check_name == "str_matches":
        return {"pattern": table_schema_pattern(str(statistics["pattern"]))}
    if check_name == "str_length":
        return _length_constraints(statistics)
    if check_name == "greater_than_or_equal_to":
        return _bound_constraints(statistics, "minimum", "maximum")
    if check_name == "less_than_or_equal_to":
        return _bound_constraints(statistics, "minimum", "maximum")
    if check_name == "greater_than":
        return _bound_constraints(statistics, "exclusiveMinimum", "exclusiveMaximum")
    if check_name == "less_than":
        return _bound_constraints(statistics, "exclusiveMinimum", "exclusiveMaximum")
    if check_name == "in_range":
        return _in_range_constraints(statistics)
    return {}


def field_descriptor(name: str, column: Any, arrow_type: pa_arrow.DataType) -> dict[str, Any]:
    """One column of a pandera contract as a Table Schema field."""
    field: dict[str, Any] = {"name": name, **field_type(arrow_type)}
    if column.title:
        field["title"] = column.title
    if column.description:
        field["description"] = column.description
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    for check in column.checks:
        constraints.update(check_constraints(check.name, check.statistics or {}))
    if constraints:
        field["constraints"] = constraints
    return field


# ---------------------------------------------------------------- tables


def primary_key(spec: TableSpec) -> list[str]:
    """The key column when it is unique alone, else the contract's composite unique key that holds it."""
    schema = spec.model.to_schema()
    if schema.columns[spec.key].unique:
        return [spec.key]
    composite = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    if spec.key not in composite:
        raise ValueError(
            f"table {spec.name}: key column {spec.key} is neither unique"
            " nor part of the contract's composite unique key"
        )
    return composite


def foreign_keys(table: str) -> list[dict[str, Any]]:
    return [
        {"fields": [key.column], "reference": reference(key)} for key in FOREIGN_KEYS if key.table == table
    ]


def reference(key: ForeignKey) -> dict[str, Any]:
    # Table Schema v2 writes a reference to the table itself without a resource name.
    if key.reference_table == key.table:
        return {"fields": [key.reference_column]}
    return {"resource": key.reference_table, "fields": [key.reference_column]}


def table_schema(spec: TableSpec) -> dict[str, Any]:
    """The Table Schema of a table's CSV, derived from its pandera contract."""
    columns = spec.model.to_schema().columns
    arrow = arrow_schema(spec.model)
    schema: dict[str, Any] = {
        "fields": [field_descriptor(name, columns[name], arrow.field(name).type) for name in columns],
        "missingValues": list(MISSING_VALUES),
        "primaryKey": primary_key(spec),
    }
    references = foreign_keys(spec.name)
    if references:
        schema["foreignKeys"] = references
    return schema


def kohesio_table_schema() -> dict[str, Any]:
    """The hand-written Kohesio Table Schema, without its own profile URL (the package's version rules)."""
    schema = {key: value for key, value in table_schema_descriptor().items() if key != "$schema"}
    references = foreign_keys(KOHESIO_TABLE)
    if references:
        schema["foreignKeys"] = references
    return schema


def file_facts(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}


def csv_resource(spec: TableSpec, data: bytes) -> dict[str, Any]:
    """A table's CSV as a tabular resource: its dialect, schema, size and hash."""
    schema = kohesio_table_schema() if spec.name == KOHESIO_TABLE else table_schema(spec)
    resource: dict[str, Any] = {
        "name": spec.name,
        "title": TABLE_TITLES.get(spec.name, spec.name),
        "path": f"{spec.name}.csv",
        "type": "table",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": CSV_MEDIATYPE,
        "encoding": "utf-8",
        "dialect": {
            "delimiter": ",",
            "doubleQuote": True,
            "header": True,
            "lineTerminator": spec.line_terminator,
            "quoteChar": '"',
        },
        "schema": schema,
        **file_facts(data),
    }
    return resource


def parquet_resource(spec: TableSpec, data: bytes) -> dict[str, Any]:
    """A table's Parquet file as a plain file: same rows and column types as its CSV, typed exactly."""
    return {
        "name": f"{spec.name}-parquet",
        "title": f"{TABLE_TITLES.get(spec.name, spec.name)} (Parquet)",
        "path": f"{spec.name}.parquet",
        "type": "file",
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        **file_facts(data),
    }


def table_resources(specs: Iterable[TableSpec], files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    """Every table's CSV resource, then every Parquet file, for the tables whose files were written."""
    specs = list(specs)
    resources = [
        csv_resource(spec, files[f"{spec.name}.csv"]) for spec in specs if f"{spec.name}.csv" in files
    ]
    resources += [
        parquet_resource(spec, files[f"{spec.name}.parquet"])
        for spec in specs
        if f"{spec.name}.parquet" in files
    ]
    return resources


# ---------------------------------------------------------------- sources


def manifest_entries(inputs: Sequence[InputDocument]) -> dict[str, Source]:
    """The manifest entries of the inputs, by file; `{}` when they were named directly, with no manifest."""
    folders = {
        document.path.parents[len(Path(document.source_file).parts) - 1]
        for document in inputs
        if document.path.as_posix().endswith(Path(document.source_file).as_posix())
    }
    entries: dict[str, Source] = {}
    for folder in sorted(folders):
        if (folder / MANIFEST_NAME).is_file():
            try:
                manifest = load_manifest(folder)
            except InputError:
                continue  # the build read these documents without this manifest: describe them by name
            entries.update({source.file: source for source in manifest.sources})
    return entries


def source_descriptors(inputs: Sequence[InputDocument]) -> list[dict[str, Any]]:
    """Each document the build read: its manifest description and address, its file name and sha256."""
    entries = manifest_entries(inputs)
    sources = []
    for document in sorted(inputs, key=lambda document: document.source_file):
        entry = entries.get(document.source_file)
        source: dict[str, Any] = {
            "title": (entry.origin if entry is not None and entry.origin else document.source_file),
            "path": document.source_file,
            "hash": f"sha256:{document.sha256}",
        }
        if entry is not None and entry.url:
            source["url"] = entry.url
        sources.append(source)
    return sources


# ---------------------------------------------------------------- the package


def package_descriptor(result: BuildResult, files: Mapping[str, bytes]) -> dict[str, Any]:

    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": PACKAGE_DESCRIPTION,
        "version": __version__,
        "keywords": list(KEYWORDS),
        "licenses": [dict(licence) for licence in LICENSES],
        "contributors": [dict(contributor) for contributor in CONTRIBUTORS],
        "sources": source_descriptors(result.inputs),
        "resources": table_resources(table_specs().values(), files),
    }


def datapackage_json(result: BuildResult, files: Mapping[str, bytes]) -> bytes:
    """`datapackage.json` describing the output `files` (relative path → bytes) of `result`."""
    descriptor = package_descriptor(result, files)
    return (json.dumps(descriptor, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
