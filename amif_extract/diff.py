"""`diff`: what changed between two builds, row by row and field by field, for a steward's review.

Two `normalized/` folders are compared table by table (every CSV present in both), rows matched by
the table's key column. Provenance columns (file, page, line, bounding box) and ids derived from
them are left out by default: a new edition moves rows between pages without changing a fact, and a
PDF build and a text build of one document differ there by nature.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amif_extract.errors import InputError
from amif_extract.sources import MANIFEST_NAME, load_manifest, preferred_sources, sha256_of
from amif_extract.specs import table_specs
from amif_extract.write import restore_under_lock

# Columns that say where a value was printed, not what it is.
PROVENANCE_COLUMNS: tuple[str, ...] = ("source_file", "source_page", "source_line", "bbox", "finding_id")
# A finding's identity across builds is what it is about, not its content hash (`finding_id`).
FINDING_KEY: tuple[str, ...] = ("code", "table", "row_id", "column")
# Columns whose value best tells a person which row they are looking at.
LABEL_COLUMNS: tuple[str, ...] = ("title", "name", "message")

CsvRow = dict[str, str]  # a row as read back from a CSV file: every value a string


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    key: str
    label: str
    changes: tuple[FieldChange, ...]


@dataclass
class TableDiff:
    """The differences of one table; `key` names the column(s) rows are matched by."""

    name: str
    key: tuple[str, ...]
    added: list[CsvRow] = field(default_factory=list)
    removed: list[CsvRow] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns_added or self.columns_removed)


@dataclass
class BuildDiff:
    old_dir: Path
    new_dir: Path
    tables: list[TableDiff]
    only_in_old: list[str]
    only_in_new: list[str]
    ignored_columns: tuple[str, ...]
    # What a reader must know about what was compared: a raw/ folder built, a file it did not read.
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return all(table.is_empty for table in self.tables) and not self.only_in_old and not self.only_in_new


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[CsvRow]


def read_csv_table(path: Path) -> CsvTable:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read table ({error})") from error
    return parse_csv_table(path, text)


def parse_csv_table(path: Path, text: str) -> CsvTable:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = next(reader, [])
        rows = [dict(zip(columns, cells, strict=False)) for cells in reader if cells]
    except csv.Error as error:
        raise InputError(path, f"not a valid CSV file ({error})") from error
    return CsvTable(columns, rows)


def table_key(name: str, columns: Sequence[str]) -> tuple[str, ...]:
    """The column(s) that identify a row: the table contract's key, else the first column."""
    if name == "findings" and all(column in columns for column in FINDING_KEY):
        return FINDING_KEY
    specs = table_specs()
    if name in specs and specs[name].key in columns:
        return (specs[name].key,)
    return (columns[0],) if columns else ()


def keyed_rows(rows: Iterable[CsvRow], key: Sequence[str]) -> dict[str, CsvRow]:
    """Rows by key; a key printed twice gets `#2`, `#3`… in document order so no row is lost."""
    keyed: dict[str, CsvRow] = {}
    for row in rows:
        base = " | ".join(row.get(column, "") for column in key)
        candidate, count = base, 1
        while candidate in keyed:
            count += 1
            candidate = f"{base} #{count}"
        keyed[candidate] = row
    return keyed


def row_label(row: Mapping[str, str]) -> str:
    for column in LABEL_COLUMNS:
        if row.get(column):
            return row[column]
    return ""


def diff_rows(old: CsvRow, new: CsvRow, columns: Sequence[str]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(column, old.get(column, ""), new.get(column, ""))
        for column in columns
        if old.get(column, "") != new.get(column, "")
    )


def diff_tables(name: str, old: CsvTable, new: CsvTable, ignored: Sequence[str]) -> TableDiff:
    key = table_key(name, new.columns or old.columns)
    compared = [column for column in new.columns if column in old.columns and column not in ignored]
    result = TableDiff(
        name,
        key,
        columns_added=[column for column in new.columns if column not in old.columns],
        columns_removed=[column for column in old.columns if column not in new.columns],
    )
    old_rows, new_rows = keyed_rows(old.rows, key), keyed_rows(new.rows, key)
    for row_key, row in new_rows.items():
        if row_key not in old_rows:
            result.added.append(row)
            continue
        changes = diff_rows(old_rows[row_key], row, compared)
        if changes:
            result.changed.append(RowChange(row_key, row_label(row) or row_label(old_rows[row_key]), changes))
        else:
            result.unchanged += 1
    result.removed = [row for row_key, row in old_rows.items() if row_key not in new_rows]
    return result


def csv_tables(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise InputError(folder, "build folder not found")
    return {path.stem: path for path in sorted(folder.glob("*.csv"))}


def is_raw_folder(folder: Path) -> bool:
    """A folder of source documents (with its manifest) rather than a build's tables."""
    return (folder / MANIFEST_NAME).is_file() and not any(folder.glob("*.csv"))


def folder_tables(folder: Path) -> dict[str, CsvTable]:
    """The tables a folder holds, or those a build of it writes when it is a raw/ folder."""
    if is_raw_folder(folder):
        return raw_folder_tables(folder)
    previous = folder.with_name(folder.name + ".previous")
    if not folder.is_dir() and previous.is_dir():
        raise InputError(folder, f"build folder not found ({previous} holds an earlier build; compare that)")
    return {name: read_csv_table(path) for name, path in csv_tables(folder).items()}


def restored_notes(*folders: Path) -> list[str]:
    """As `build` does, put back a build folder that a swap cut between its renames left aside."""
    return [
        f"{folder} restored from {folder}.previous, left by an interrupted build"
        for folder in folders
        if restore_under_lock(folder)
    ]


def raw_folder_tables(raw_dir: Path) -> dict[str, CsvTable]:
    """The CSV tables `amif-extract build` writes for `raw_dir`: with the steward files of the dataset
    whose `raw/` it is, else with the packaged authority and no acknowledgements."""
    # Imported here: building is what diff does beyond reading CSVs, and only for a raw/ folder.
    from amif_extract.build_records import BuildSettings
    from amif_extract.dataset import dataset_paths, missing_files
    from amif_extract.pipeline import manifest_documents
    from amif_extract.rebuild import build_from

    def quiet(message: str, done: int, total: int) -> None:
        return None

    settings = BuildSettings()
    candidate = dataset_paths(raw_dir.parent, raw=raw_dir)
    dataset = None if missing_files(candidate) else candidate
    _, files = build_from(manifest_documents(raw_dir, settings), dataset, settings, quiet)
    return {
        name.removesuffix(".csv"): parse_csv_table(raw_dir / name, data.decode("utf-8"))
        for name, data in sorted(files.items())
        if name.endswith(".csv") and "/" not in name
    }


def unread_sources(raw_dir: Path) -> list[str]:
    """Per document listed in two formats: which file a build reads, and that the other is not compared."""
    if not is_raw_folder(raw_dir):
        return []
    manifest = load_manifest(raw_dir)
    read = {source.document: source for source in preferred_sources(manifest)}
    return [
        f"read {read[source.document].file} for document {source.document}; {source.file} was not compared"
        " (a build reads one file per document, the PDF where there is one)"
        for source in manifest.sources
        if read[source.document] is not source
    ]


def unread_notes(old_dir: Path, new_dir: Path) -> list[str]:
    """What each raw/ folder's build did not read: once when alike, else per folder."""
    old_notes, new_notes = unread_sources(old_dir), unread_sources(new_dir)
    if old_notes == new_notes or not old_notes or not new_notes:
        return list(dict.fromkeys(old_notes + new_notes))
    return [f"{old_dir}: {note}" for note in old_notes] + [f"{new_dir}: {note}" for note in new_notes]


def changed_unread_sources(old_dir: Path, new_dir: Path) -> list[str]:
    """Unread files that differ between two raw/ folders: an edit there changes no table."""
    if not (is_raw_folder(old_dir) and is_raw_folder(new_dir)):
        return []
    notes = []
    old_manifest, new_manifest = load_manifest(old_dir), load_manifest(new_dir)
    read = {source.file for source in preferred_sources(new_manifest) + preferred_sources(old_manifest)}
    old_files = {source.file for source in old_manifest.sources}
    for source in new_manifest.sources:
        old_path, new_path = old_dir / source.file, new_dir / source.file
        if (
            source.file in read
            or source.file not in old_files
            or not (old_path.is_file() and new_path.is_file())
        ):
            continue
        if sha256_of(old_path) != sha256_of(new_path):
            notes.append(f"{source.file} differs between the two folders, but no build reads it")
    return notes


def diff_builds(
    old_dir: Path,
    new_dir: Path,
    tables: Sequence[str] = (),
    ignored_columns: Sequence[str] = PROVENANCE_COLUMNS,
) -> BuildDiff:
    """Compare the tables of two build folders; `tables` limits the comparison to those named.

    A raw/ folder (documents and their sources.toml) stands for the build of it.
    """
    notes = restored_notes(old_dir, new_dir)
    old_tables, new_tables = folder_tables(old_dir), folder_tables(new_dir)
    notes += changed_unread_sources(old_dir, new_dir) + unread_notes(old_dir, new_dir)
    wanted = set(tables) if tables else set(old_tables) | set(new_tables)
    for name in sorted(wanted - set(old_tables) - set(new_tables)):
        raise InputError(new_dir, f"neither build has a table {name!r}")
    common = sorted(wanted & set(old_tables) & set(new_tables))
    diffs = [diff_tables(name, old_tables[name], new_tables[name], ignored_columns) for name in common]
    return BuildDiff(
        old_dir,
        new_dir,
        diffs,
        only_in_old=sorted(wanted & (set(old_tables) - set(new_tables))),
        only_in_new=sorted(wanted & (set(new_tables) - set(old_tables))),
        ignored_columns=tuple(ignored_columns),
        notes=notes,
    )


# ---------------------------------------------------------------- formats


def _row_line(sign: str, table: TableDiff, row: CsvRow) -> str:
    key = " | ".join(row.get(column, "") for column in table.key)
    label = row_label(row)
    return f"  {sign} {key}" + (f"  “{label}”" if label and label != key else "")


def format_text(diff: BuildDiff) -> str:
    lines = [f"comparing {diff.old_dir} → {diff.new_dir}"]
    if diff.ignored_columns:
        lines.append(f"(not compared: {', '.join(diff.ignored_columns)})")
    lines += [f"note: {note}" for note in diff.notes]
    for name in diff.only_in_old:
        lines.append(f"table {name}: only in {diff.old_dir}")
    for name in diff.only_in_new:
        lines.append(f"table {name}: only in {diff.new_dir}")
    for table in diff.tables:
        counts = f"{len(table.added)} added, {len(table.removed)} removed, {len(table.changed)} changed"
        matched_by = ", ".join(table.key)
        lines.append(f"{table.name}: {counts}, {table.unchanged} unchanged (rows matched by {matched_by})")
        if table.columns_added:
            lines.append(f"  columns added: {', '.join(table.columns_added)}")
        if table.columns_removed:
            lines.append(f"  columns removed: {', '.join(table.columns_removed)}")
        lines += [_row_line("+", table, row) for row in table.added]
        lines += [_row_line("-", table, row) for row in table.removed]
        for change in table.changed:
            lines.append(f"  ~ {change.key}" + (f"  “{change.label}”" if change.label else ""))
            for item in change.changes:
                lines.append(f"      {item.column}: {item.old or '∅'!s} → {item.new or '∅'!s}")
    if diff.is_empty:
        lines.append("no differences" + (" in the files read (see the notes)" if diff.notes else ""))
    return "\n".join(lines) + "\n"


def diff_data(diff: BuildDiff) -> dict[str, Any]:
    return {
        "old": str(diff.old_dir),
        "new": str(diff.new_dir),
        "ignored_columns": list(diff.ignored_columns),
        "only_in_old": diff.only_in_old,
        "only_in_new": diff.only_in_new,
        "empty": diff.is_empty,
        "notes": diff.notes,
        "tables": {
            table.name: {
                "key": list(table.key),
                "added": table.added,
                "removed": table.removed,
                "changed": [
                    {
                        "key": change.key,
                        "label": change.label,
                        "changes": [{"column": c.column, "old": c.old, "new": c.new} for c in change.changes],
                    }
                    for change in table.changed
                ],
                "unchanged": table.unchanged,
                "columns_added": table.columns_added,
                "columns_removed": table.columns_removed,
            }
            for table in diff.tables
        },
    }


def format_json(diff: BuildDiff) -> str:
    return json.dumps(diff_data(diff), sort_keys=True, ensure_ascii=False, indent=2) + "\n"
