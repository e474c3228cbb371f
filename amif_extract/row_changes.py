"""Row counts against the previous build: a warning when a table loses or gains too many rows.

The commands compare a build's row counts with the previous build's folder and print a warning for
each table that moved by more than the set share; it is never part of the outputs, which must not
depend on what was in the folder before. It lives apart from the conservation checks, whose value
patterns a build served from the cache never needs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from amif_extract.records import Row


@dataclass(frozen=True)
class RowChangeSettings:
    """How much a table may shrink or grow against the previous build before a warning."""

    max_share: float = 0.2  # --max-row-change: a share of the previous row count, in (0, 1]

    def __post_init__(self) -> None:
        if not 0 < self.max_share <= 1:
            raise ValueError(f"max_row_change must be a share in (0, 1] (got {self.max_share})")


@dataclass(frozen=True)
class RowCountChange:
    table: str
    old: int
    new: int
    threshold: float

    @property
    def share(self) -> float:
        return abs(self.new - self.old) / self.old if self.old else 1.0

    def describe(self) -> str:
        verb = "lost" if self.new < self.old else "gained"
        return (
            f"table {self.table} {verb} {abs(self.new - self.old)} rows against the previous build:"
            f" {self.old} → {self.new} ({self.share:.0%}, over the threshold of {self.threshold:.0%},"
            " --max-row-change)"
        )


def csv_row_counts(folder: Path) -> dict[str, int]:
    """Rows of each CSV table in a build folder (none when the folder does not exist)."""
    counts: dict[str, int] = {}
    if not folder.is_dir():
        return counts
    for path in sorted(folder.glob("*.csv")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        counts[path.stem] = max(0, sum(1 for cells in csv.reader(io.StringIO(text, newline="")) if cells) - 1)
    return counts


# The findings table reports problems, it does not hold data read from the documents: its size
# moves with every fix and every new check, so it is not compared.
NOT_COUNTED_TABLES = frozenset({"findings"})


def row_count_changes(
    old: Mapping[str, int], new: Mapping[str, int], settings: RowChangeSettings | None = None
) -> list[RowCountChange]:
    """Tables present in both builds whose row count moved by more than the set share."""
    settings = settings or RowChangeSettings()
    changes = []
    for table in sorted((set(old) & set(new)) - NOT_COUNTED_TABLES):
        change = RowCountChange(table, old[table], new[table], settings.max_share)
        if old[table] != new[table] and change.share > settings.max_share:
            changes.append(change)
    return changes


def table_row_counts(tables: Mapping[str, Sequence[Row]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in tables.items()}
