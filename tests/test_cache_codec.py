"""Cache entries as JSON: every real record round-trips whole, and nothing unlisted is ever built."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from decimal import Decimal
from pathlib import Path

import pytest

from amif_extract.cache_codec import UntrustedEntry, decode, encode, record_types, types_by_name
from amif_extract.pipeline import (
    BuildSettings,
    DocumentExtraction,
    assemble,
    extract_all,
    manifest_documents,
)


@pytest.fixture(scope="module")
def real_extractions(raw_dir: Path) -> list[DocumentExtraction]:
    settings = BuildSettings(workers=1, use_cache=False)
    return extract_all(manifest_documents(raw_dir, settings), settings)


def test_every_real_extraction_round_trips_equal_field_by_field(
    real_extractions: list[DocumentExtraction],
) -> None:
    assert {extraction.document.kind for extraction in real_extractions} == {
        "amif_table",
        "practice_sheets",
        "web_page",
    }
    for extraction in real_extractions:
        again = decode(encode(extraction))
        assert again == extraction, extraction.document.source_file
        # Field by field too: equality would not see a field declared with compare=False.
        for field in dataclasses.fields(DocumentExtraction):
            assert getattr(again, field.name) == getattr(extraction, field.name), field.name


def test_a_real_build_result_round_trips_with_its_decimals_dates_and_paths(
    real_extractions: list[DocumentExtraction],
) -> None:
    result = dataclasses.replace(assemble(real_extractions), metadata={})
    again = decode(encode(result))
    assert again == result
    row = again.tables["amif_projects"][0]
    assert isinstance(row["total_cost"], Decimal)
    assert isinstance(again.inputs[0].path, Path)
    values = [value for rows in again.tables.values() for row in rows for value in row.values()]
    assert any(isinstance(value, datetime.date) for value in values)


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Sample:
    colour: Colour
    when: datetime.datetime
    data: bytes
    where: Path
    by_page: dict[int, tuple[str, ...]]
    odd_keys: dict[str, int]


def test_tagged_scalars_enums_and_non_string_keys_round_trip() -> None:
    """Types the real records do not hold today (enum, datetime, bytes), as a synthetic record."""
    types = types_by_name([Sample, Colour])
    sample = Sample(
        Colour.RED,
        datetime.datetime(2026, 12, 2, 4, 30, tzinfo=datetime.UTC),
        b"\x00\xffPDF",
        Path("raw/liste.pdf"),
        {3: ("a", "b")},
        {"$t": 1, "v": 2},
    )
    assert decode(encode(sample, types), types) == sample


def test_a_value_of_an_unlisted_type_is_not_encoded() -> None:
    with pytest.raises(TypeError, match="cannot cache a value of type"):
        encode({"settings": {1, 2}})
    with pytest.raises(TypeError, match=r"cannot cache a value of type .*BuildSettings"):
        encode(BuildSettings())


@pytest.mark.parametrize(
    "forged",
    [
        {"$t": "record", "type": "os.system", "v": {"command": "touch /tmp/owned"}},
        {"$t": "record", "type": "Popen", "v": {"args": ["true"]}},
        {"$t": "enum", "type": "subprocess.Popen", "v": "true"},
        {"$t": "pickle", "v": "gASV"},
        {"$t": "record", "type": "SourceLocation", "v": {"file": "x", "page": 1}},  # fields missing
        {"$t": "record", "type": "SourceLocation", "v": {"file": "x"}, "extra": 1},
        {"$t": "decimal", "v": "not a number"},
        {"$t": "dict", "v": [[["a list as a key"], 1]]},
    ],
    ids=["os-system", "popen", "enum-popen", "unknown-tag", "missing-fields", "extra-key", "decimal", "key"],
)
def test_a_forged_or_malformed_value_is_refused(forged: dict[str, object]) -> None:
    with pytest.raises(UntrustedEntry):
        decode(json.dumps({"extraction": forged}).encode())


def test_an_entry_written_before_a_field_was_added_is_refused() -> None:
    location = json.loads(encode(record_types()["SourceLocation"]("liste.pdf", page=2)))
    del location["v"]["bbox"]
    with pytest.raises(UntrustedEntry, match="fields of SourceLocation have changed"):
        decode(json.dumps(location).encode())


def test_only_records_are_listed() -> None:
    """The records entries hold, and not the settings or any class with behaviour of its own."""
    names = set(record_types())
    assert {"DocumentExtraction", "BuildResult", "InputDocument", "Finding", "SourceLocation"} <= names
    assert "BuildSettings" not in names
