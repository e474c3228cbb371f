"""`normalized/datapackage.json`: the committed outputs as a Data Package, checked by frictionless itself.

The committed `normalized/` is a fresh build of `raw/` (tests/test_check.py holds it to that), so these
tests read it rather than building again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import frictionless
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.engines import pandas_engine
from pandera.typing import Series

from amif_extract.build_records import BuildResult, BuildSettings
from amif_extract.cpr49 import table_schema_descriptor
from amif_extract.datapackage import (
    DATAPACKAGE_JSON,
    DATAPACKAGE_PROFILE,
    FOREIGN_KEYS,
    datapackage_json,
    table_schema,
    table_schema_pattern,
)
from amif_extract.findings import FINDING_CODES
from amif_extract.pipeline import manifest_documents
from amif_extract.sources import load_manifest
from amif_extract.specs import table_specs
from amif_extract.tables import TableSpec, csv_bytes

NORMALIZED = Path(__file__).resolve().parents[1] / "normalized"


def error_lines(report: frictionless.Report) -> list[str]:
    return [
        f"{error.type} (row {getattr(error, 'row_number', None)}): {error.message}"
        for errors in (report.errors, *(task.errors for task in report.tasks))
        for error in errors
    ]


def validate_package(folder: Path) -> frictionless.Report:
    # A path relative to the package folder: frictionless refuses absolute resource paths as unsafe.
    package = frictionless.Package(DATAPACKAGE_JSON, basepath=str(folder))
    return package.validate()


@pytest.fixture(scope="module")
def descriptor() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((NORMALIZED / DATAPACKAGE_JSON).read_text(encoding="utf-8"))
    return data


def resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [item for item in descriptor["resources"] if item["name"] == name]
    return found


def field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [item for item in schema["fields"] if item["name"] == name]
    return found


def rewrite_resource(folder: Path, descriptor: dict[str, Any], name: str, data: bytes) -> None:
    """Replace a resource's file and record its new hash and size, so only the data itself can fail."""
    target = resource(descriptor, name)
    (folder / target["path"]).write_bytes(data)
    target["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
    target["bytes"] = len(data)
    (folder / DATAPACKAGE_JSON).write_text(json.dumps(descriptor), encoding="utf-8")


# ---------------------------------------------------------------- the committed package


def test_committed_package_passes_frictionless_validation() -> None:
    report = validate_package(NORMALIZED)
    assert report.valid, "\n".join(error_lines(report))
    assert len(report.tasks) == 16  # 8 CSV tables and their 8 Parquet files


def test_every_resource_records_the_hash_and_size_of_its_file(descriptor: dict[str, Any]) -> None:
    for item in descriptor["resources"]:
        data = (NORMALIZED / item["path"]).read_bytes()
        assert item["bytes"] == len(data), item["path"]
        assert item["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}", item["path"]


def test_every_table_file_is_a_resource_and_every_csv_is_tabular(descriptor: dict[str, Any]) -> None:
    paths = {item["path"] for item in descriptor["resources"]}
    tables = {path.name for path in NORMALIZED.iterdir() if path.suffix in {".csv", ".parquet"}}
    assert paths == tables
    for item in descriptor["resources"]:
        if item["format"] == "csv":
            assert item["profile"] == "tabular-data-resource"
            assert (item["mediatype"], item["encoding"]) == ("text/csv", "utf-8")
            assert item["schema"]["missingValues"] == [""]
        else:
            assert (item["type"], item["mediatype"]) == ("file", "application/vnd.apache.parquet")


def test_package_metadata_names_version_licence_and_the_documents_read(descriptor: dict[str, Any]) -> None:
    from amif_extract import __version__

    assert descriptor["name"] == "amif-luxembourg"
    assert descriptor["version"] == __version__
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    manifest = {source.file: source for source in load_manifest(Path("raw").absolute()).sources}
    by_path = {source["path"]: source for source in descriptor["sources"]}
    # The build reads the PDF of a document published in two formats.
    assert "amif_projets_cofinances.pdf" in by_path and "amif_projets_cofinances.txt" not in by_path
    assert (
        by_path["oim_france_projets.txt"]["title"]
        == "IOM France web page listing ongoing and completed projects"
    )
    for path, source in by_path.items():
        assert source["hash"] == f"sha256:{manifest[path].sha256}"


def test_descriptor_is_what_datapackage_json_gives_for_the_committed_files(raw_dir: Path) -> None:
    """Same files and inputs, same bytes: no timestamp, no absolute path, sorted keys."""
    files = {
        path.relative_to(NORMALIZED).as_posix(): path.read_bytes()
        for path in NORMALIZED.rglob("*")
        if path.is_file() and path.name != DATAPACKAGE_JSON
    }
    result = BuildResult({}, [], manifest_documents(raw_dir, BuildSettings()))
    data = datapackage_json(result, files)
    assert data == (NORMALIZED / DATAPACKAGE_JSON).read_bytes()
    assert data == datapackage_json(result, dict(reversed(list(files.items()))))
    text = data.decode("utf-8")
    assert str(raw_dir) not in text and str(NORMALIZED) not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)


# ---------------------------------------------------------------- keys


def test_foreign_keys_are_declared_and_hold_with_empty_carriers(descriptor: dict[str, Any]) -> None:
    projects = resource(descriptor, "amif_projects")["schema"]
    assert projects["foreignKeys"] == [
        {"fields": ["carrier_id"], "reference": {"resource": "organisations", "fields": ["org_id"]}}
    ]
    declared = {
        (item["name"], key["fields"][0], key["reference"].get("resource", item["name"]))
        for item in descriptor["resources"]
        for key in item.get("schema", {}).get("foreignKeys", [])
    }
    assert declared == {(key.table, key.column, key.reference_table) for key in FOREIGN_KEYS}
    assert ("amif_operations_cpr49", "Operation_Unique_Identifier", "amif_projects") in declared
    assert ("practice_contacts", "sheet_id", "practice_sheets") in declared
    assert ("conventions", "organisation_id", "organisations") in declared

    rows = list(csv.DictReader(io.StringIO((NORMALIZED / "amif_projects.csv").read_text("utf-8"))))
    org_ids = {
        row["org_id"]
        for row in csv.DictReader(io.StringIO((NORMALIZED / "organisations.csv").read_text("utf-8")))
    }
    carriers = {row["project_id"]: row["carrier_id"] for row in rows}
    assert carriers["so1-refonte-et-migration-des-systemes-de-151bec"] == ""  # the source lost the carrier
    assert {carrier for carrier in carriers.values() if carrier} <= org_ids
    assert "oim" in carriers.values()


def test_practice_contacts_have_the_composite_primary_key(descriptor: dict[str, Any]) -> None:
    assert resource(descriptor, "practice_contacts")["schema"]["primaryKey"] == ["sheet_id", "contact_index"]
    assert resource(descriptor, "amif_projects")["schema"]["primaryKey"] == ["project_id"]
    assert resource(descriptor, "conventions")["schema"]["primaryKey"] == ["convention_id"]


# ---------------------------------------------------------------- schemas from the pandera contracts


def test_field_types_and_constraints_come_from_the_contracts(descriptor: dict[str, Any]) -> None:
    projects = resource(descriptor, "amif_projects")["schema"]
    assert field(projects, "project_id") == {
        "name": "project_id",
        "type": "string",
        "constraints": {"required": True, "unique": True, "pattern": "[a-z0-9]+(-[a-z0-9]+)*"},
    }
    assert field(projects, "specific_objective")["constraints"] == {"required": True, "enum": [1, 2, 3]}
    assert field(projects, "eu_share") == {
        "name": "eu_share",
        "type": "number",
        "bareNumber": True,
        "constraints": {"minimum": 0},
    }
    assert field(projects, "start_date") == {"name": "start_date", "type": "date", "format": "default"}
    assert field(projects, "source_page")["type"] == "integer"
    assert field(projects, "title") == {"name": "title", "type": "string"}

    conventions = resource(descriptor, "conventions")["schema"]
    assert field(conventions, "year")["constraints"] == {"required": True, "minimum": 1900, "maximum": 2100}
    narrative = resource(descriptor, "narrative_projects")["schema"]
    # "" is a missing value, never checked against the enum: it is left out of it.
    assert field(narrative, "date_precision")["constraints"] == {"enum": ["day", "month", "year"]}
    findings = resource(descriptor, "findings")["schema"]
    assert field(findings, "code")["constraints"]["enum"] == sorted(FINDING_CODES)


def test_kohesio_table_keeps_its_hand_written_schema_and_crlf_dialect(descriptor: dict[str, Any]) -> None:
    kohesio = resource(descriptor, "amif_operations_cpr49")
    hand_written = table_schema_descriptor()
    assert kohesio["schema"]["fields"] == hand_written["fields"]
    assert field(kohesio["schema"], "Operation_Start_Date")["format"] == "%d/%m/%Y"
    assert kohesio["dialect"]["lineTerminator"] == "\r\n"
    assert resource(descriptor, "amif_projects")["dialect"]["lineTerminator"] == "\n"


def test_patterns_match_whole_values_as_pandera_matches_them_from_the_start() -> None:
    cases = {
        r"^[a-z0-9]+(-[a-z0-9]+)*$": ("so1-asile", "So1"),
        r"^SO\d+ - \S": ("SO1 - Régime d'asile", "SO1 -  x"),
        r"^(?:\+\d{6,15}(?:; \+\d{6,15})*)?$": ("+352123456; +352654321", "+352 12"),
        r"^a$|^b": ("bcd", "ab"),
    }
    for pandera_pattern, (accepted, refused) in cases.items():
        whole = re.compile(f"^{table_schema_pattern(pandera_pattern)}$")
        assert re.match(pandera_pattern, accepted) and whole.match(accepted), pandera_pattern
        assert not re.match(pandera_pattern, refused) and not whole.match(refused), pandera_pattern


class SyntheticChecks(pa.DataFrameModel):
    """Checks the real contracts do not use yet (synthetic: gt, lt, in_range, exact length, boolean)."""

    code: Series[str] = pa.Field(unique=True, str_length=3)
    rate: Series[pandas_engine.Decimal(9, 4)] = pa.Field(nullable=True, gt=0, lt=1)  # type: ignore[valid-type]
    level: Series[pd.Int64Dtype] = pa.Field(in_range={"min_value": 1, "max_value": 5, "include_max": False})
    flag: Series[bool] = pa.Field(nullable=True)
    day: Series[pandas_engine.Date] = pa.Field(nullable=True)


def test_checks_without_real_examples_map_to_their_table_schema_constraints(tmp_path: Path) -> None:
    """Synthetic contract and rows: the real tables have no gt/lt/in_range/exact length/boolean column."""
    spec = TableSpec("synthetic", SyntheticChecks, "code")
    schema = table_schema(spec)
    assert field(schema, "code")["constraints"] == {
        "required": True,
        "unique": True,
        "minLength": 3,
        "maxLength": 3,
    }
    assert field(schema, "rate")["constraints"] == {"exclusiveMinimum": 0, "exclusiveMaximum": 1}
    assert field(schema, "level")["constraints"] == {"required": True, "minimum": 1, "exclusiveMaximum": 5}
    assert field(schema, "flag")["type"] == "boolean"

    rows = [
        {"code": "abc", "rate": Decimal("0.7500"), "level": 4, "flag": True, "day": date(2024, 2, 29)},
        {"code": "abd", "rate": None, "level": 1, "flag": None, "day": None},
    ]
    # Exclusive bounds are Data Package v2: the table is checked inside a v2 package, as in datapackage.json.
    package = {
        "$schema": DATAPACKAGE_PROFILE,
        "name": "synthetic",
        "resources": [{"name": "synthetic", "path": "synthetic.csv", "format": "csv", "schema": schema}],
    }
    (tmp_path / "synthetic.csv").write_bytes(csv_bytes(spec, rows))
    report = frictionless.Package(package, basepath=str(tmp_path)).validate()
    assert report.valid, "\n".join(error_lines(report))
    rows[1] = {**rows[1], "rate": Decimal("1"), "level": 5}
    (tmp_path / "synthetic.csv").write_bytes(csv_bytes(spec, rows))
    report = frictionless.Package(package, basepath=str(tmp_path)).validate()
    assert [(error.type, error.field_name) for error in report.tasks[0].errors] == [
        ("constraint-error", "rate"),
        ("constraint-error", "level"),
    ]


def test_every_table_of_the_build_has_a_schema() -> None:
    for spec in table_specs().values():
        assert [item["name"] for item in table_schema(spec)["fields"]] == spec.columns


# ---------------------------------------------------------------- a broken copy fails


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "normalized"
    shutil.copytree(NORMALIZED, folder)
    return folder


def test_a_carrier_missing_from_organisations_fails_the_foreign_key(package_copy: Path) -> None:
    descriptor = json.loads((package_copy / DATAPACKAGE_JSON).read_text(encoding="utf-8"))
    text = (package_copy / "amif_projects.csv").read_text(encoding="utf-8")
    assert text.count(",oim,") >= 1
    rewrite_resource(
        package_copy, descriptor, "amif_projects", text.replace(",oim,", ",no-such-org,", 1).encode()
    )
    report = validate_package(package_copy)
    assert not report.valid
    assert any(
        error.type == "foreign-key" and "no-such-org" in error.message
        for task in report.tasks
        for error in task.errors
    ), error_lines(report)


def test_a_changed_file_fails_its_recorded_hash_and_size(package_copy: Path) -> None:
    path = package_copy / "organisations.csv"
    path.write_bytes(path.read_bytes().replace(b"Agence du B\xc3\xa9n\xc3\xa9volat", b"Agence du Benevolat"))
    report = validate_package(package_copy)
    assert not report.valid
    [task] = [task for task in report.tasks if task.name == "organisations"]
    assert {error.type for error in task.errors} == {"hash-count", "byte-count"}


def test_a_value_outside_its_contract_fails_validation(package_copy: Path) -> None:
    descriptor = json.loads((package_copy / DATAPACKAGE_JSON).read_text(encoding="utf-8"))
    text = (package_copy / "conventions.csv").read_text(encoding="utf-8")
    rewrite_resource(package_copy, descriptor, "conventions", text.replace(",2021,", ",1021,", 1).encode())
    report = validate_package(package_copy)
    [task] = [task for task in report.tasks if task.name == "conventions"]
    assert [(error.type, error.field_name) for error in task.errors] == [("constraint-error", "year")]
