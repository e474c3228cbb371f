"""A new document kind is one extractor, one registry entry and one schema: shown with a toy kind.

The toy kind is synthetic on purpose (no real document has this shape): a text file headed
``Toy inventory`` listing ``item: NAME = PRICE`` lines. The test registers it, writes a dataset of
its own to a temporary folder and builds it with the library and with the command line; nothing
else in the package is told about the kind.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.engines import pandas_engine
from pandera.typing import Series
from typer.testing import CliRunner

from amif_extract import registry
from amif_extract.build_records import BuildSettings, Row
from amif_extract.cli import app
from amif_extract.errors import InputError
from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding, SourceLocation
from amif_extract.pipeline import build, extract_files, output_files
from amif_extract.profiles import Profile
from amif_extract.specs import PUBLISHED_ORDER, table_specs
from amif_extract.tables import TableSpec

# --- 1. the extractor module: from a file to the kind's record -----------------------------------

HEADING = "Toy inventory"
CENT = Decimal("0.01")
_ITEM = re.compile(r"^item:\s*(?P<name>[^=]+?)\s*=\s*(?P<price>\S*)\s*$")


@dataclass
class ToyExtraction:
    source_file: str
    items: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def looks_like_toy_inventory(text: str) -> bool:
    return text.lstrip().startswith(HEADING)


def extract_toy_inventory(path: Path, source_file: str, profile: Profile | None = None) -> ToyExtraction:
    # A toy inventory prints no labels a profile would list: `profile` is None for it.
    document = read_text_document(path, source_file)
    extraction = ToyExtraction(source_file, findings=list(document.findings))
    for number, line in enumerate(document.lines, start=1):
        match = _ITEM.match(line)
        if match is None:
            continue
        item_id = re.sub(r"[^a-z0-9]+", "-", match["name"].lower()).strip("-")
        price = Decimal(match["price"]).quantize(CENT) if match["price"] else None
        if price is None:
            extraction.findings.append(
                Finding(
                    "missing_value",
                    "the item prints no price",
                    SourceLocation(source_file, line=number),
                    table="toy_items",
                    row_id=item_id,
                    column="price",
                )
            )
        extraction.items.append(
            {
                "item_id": item_id,
                "name": match["name"],
                "price": price,
                "source_file": source_file,
                "source_line": number,
            }
        )
    return extraction


# --- 2. the schema: the toy table's contract -----------------------------------------------------


Price = pandas_engine.Decimal(10, 2)


class ToyItems(pa.DataFrameModel):
    item_id: Series[str] = pa.Field(unique=True)
    name: Series[str]
    price: Series[Price] = pa.Field(nullable=True, ge=0)
    source_file: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(ge=1)

    class Config:
        strict = True
        ordered = True


# --- 3. the registry entry ---------------------------------------------------------------------


def collect_toy_items(payloads: list[ToyExtraction]) -> registry.KindTables:
    return registry.KindTables(
        {"toy_items": [item for payload in payloads for item in payload.items]},
        [finding for payload in payloads for finding in payload.findings],
    )


TOY_KIND = registry.DocumentKind(
    "toy_inventory",
    "a toy inventory",
    lambda: [TableSpec("toy_items", ToyItems, "item_id")],
    collect_toy_items,
    record_types=lambda: [ToyExtraction],  # what the cache may rebuild an entry of this kind from
)
TOY_TEXT = registry.Extractor(
    "toy_inventory",
    "text",
    "toy_inventory 1",
    lambda sample: looks_like_toy_inventory(sample.text),
    extract_toy_inventory,
)


@pytest.fixture
def toy_kind() -> Iterator[None]:
    registry.register(TOY_KIND, TOY_TEXT)
    try:
        yield
    finally:
        registry.unregister(TOY_KIND.name)


# --- the dataset and the tests -----------------------------------------------------------------

INVENTORY = f"{HEADING}\n\nitem: Lantern = 12.50\nitem: Coil of rope = 3\nitem: Compass =\n"
SETTINGS = BuildSettings(workers=1, use_cache=False)


def toy_dataset(folder: Path) -> Path:
    raw = folder / "raw"
    raw.mkdir(parents=True)
    data = INVENTORY.encode("utf-8")
    (raw / "inventory.txt").write_bytes(data)
    (raw / "sources.toml").write_text(
        '[[source]]\nfile = "inventory.txt"\nkind = "toy_inventory"\nformat = "text"\n'
        f'sha256 = "{hashlib.sha256(data).hexdigest()}"\n',
        encoding="utf-8",
    )
    return raw


def test_a_registered_kind_is_read_from_its_dataset_into_its_own_table(
    toy_kind: None, tmp_path: Path
) -> None:
    result = build(toy_dataset(tmp_path), SETTINGS)
    assert result.tables["toy_items"] == [
        {"item_id": "lantern", "name": "Lantern", "price": Decimal("12.50"), "source_file": "inventory.txt",
         "source_line": 3},
        {"item_id": "coil-of-rope", "name": "Coil of rope", "price": Decimal("3.00"),
         "source_file": "inventory.txt", "source_line": 4},
        {"item_id": "compass", "name": "Compass", "price": None, "source_file": "inventory.txt",
         "source_line": 5},
    ]  # fmt: skip
    assert [(f.code, f.row_id, f.column, f.location.line) for f in result.findings] == [
        ("missing_value", "compass", "price", 5)
    ]
    assert result.tables["amif_projects"] == [] and result.tables["practice_sheets"] == []
    files = output_files(result)
    assert files["toy_items.csv"] == (
        b"item_id,name,price,source_file,source_line\n"
        b"lantern,Lantern,12.50,inventory.txt,3\n"
        b"coil-of-rope,Coil of rope,3.00,inventory.txt,4\n"
        b"compass,Compass,,inventory.txt,5\n"
    )
    assert "toy_items.parquet" in files
    resources = [resource["name"] for resource in json.loads(files["datapackage.json"])["resources"]]
    # CSV resources first, then Parquet ones, each in table order: the toy table before the findings.
    assert resources[6:9] == ["narrative_projects", "toy_items", "findings"]
    assert resources[-3:] == ["narrative_projects-parquet", "toy_items-parquet", "findings-parquet"]


def test_a_registered_kind_is_recognised_from_content_and_built_by_the_command_line(
    toy_kind: None, tmp_path: Path
) -> None:
    raw = toy_dataset(tmp_path)
    assert extract_files([raw / "inventory.txt"], SETTINGS).tables["toy_items"][0]["name"] == "Lantern"
    out = tmp_path / "normalized"
    arguments = ["--quiet", "build", "--raw", str(raw), "--out", str(out), "--no-cache"]
    outcome = CliRunner().invoke(app, arguments)
    assert outcome.exit_code == 0, outcome.output
    assert (out / "toy_items.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "lantern,Lantern,12.50,inventory.txt,3"
    )


def test_the_toy_table_follows_the_published_tables_and_is_gone_once_unregistered(tmp_path: Path) -> None:
    published = [name for name in table_specs() if name != "findings"]
    assert published == list(PUBLISHED_ORDER)
    registry.register(TOY_KIND, TOY_TEXT)
    try:
        assert list(table_specs())[-2:] == ["toy_items", "findings"]
    finally:
        registry.unregister(TOY_KIND.name)
    assert "toy_items" not in table_specs()
    with pytest.raises(InputError, match="unknown kind 'toy_inventory'"):
        build(toy_dataset(tmp_path), SETTINGS)


def test_the_registry_refuses_an_entry_the_build_could_not_run() -> None:
    without_pages = registry.Extractor("toy_inventory", "pdf", "toy 1", TOY_TEXT.detect, TOY_TEXT.extract)
    with pytest.raises(ValueError, match="needs a page_count"):
        registry.register(TOY_KIND, without_pages)
    with pytest.raises(ValueError, match="registered already"):
        registry.register(registry.kind_named("web_page"))
    assert "toy_inventory" not in registry.kind_names()
