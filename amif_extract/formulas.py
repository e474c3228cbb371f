"""Cells a spreadsheet would run as formulas ("CSV injection"), and the opt-in spreadsheet-safe copy.

The published CSVs keep every value as the source prints it; a value that starts like a formula gets
a `formula_like_value` finding (see `tables.formula_findings`). For people who open the tables in a
spreadsheet, `spreadsheet_safe_folder` writes copies of the CSVs in which each such cell starts with
an apostrophe, which spreadsheets take as "this is text" and do not run.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.write import write_output_folder

# A cell a spreadsheet runs as a formula when it opens the CSV: one led by =, @, a tab or a carriage
# return; or by + or - directly followed by a letter, a formula character, or, further on, a function
# call, a DDE pipe, a sheet reference or a cell reference. A signed number ("-1234.56",
# "+352 621 887 941") and a "- " bullet are text a spreadsheet does not run.
_FORMULA_LED = re.compile(
    r"[=@\t\r]|[+-](?=\S)(?:[^\W\d_]|[=@(+-]|.*?(?:[|!]|[^\W\d][\w.]*\(|\$?\b[A-Z]{1,3}\$?\d+\b))",
    re.DOTALL,
)
TEXT_MARK = "'"


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet opening the CSV would take this cell for a formula and run it."""
    return _FORMULA_LED.match(value) is not None


def spreadsheet_safe_cell(value: str) -> str:
    return TEXT_MARK + value if is_formula_like(value) else value


def spreadsheet_safe_csv(data: bytes) -> tuple[bytes, int]:
    """A CSV file with every formula-like cell marked as text, its dialect kept; and how many were marked."""
    text = data.decode("utf-8")
    terminator = "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"  # Kohesio's CSV ends in CRLF
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=terminator)
    marked = 0
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""))):
        safe = cells if number == 0 else [spreadsheet_safe_cell(cell) for cell in cells]
        marked += sum(1 for before, after in zip(cells, safe, strict=True) if before != after)
        writer.writerow(safe)
    return buffer.getvalue().encode("utf-8"), marked


def spreadsheet_safe_files(build_dir: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    """The spreadsheet-safe copy of every table of a build folder, and the cells marked per table."""
    if not build_dir.is_dir():
        raise InputError(build_dir, "build folder not found")
    files: dict[str, bytes] = {}
    marked: dict[str, int] = {}
    for path in sorted(build_dir.glob("*.csv")):
        try:
            files[path.name], marked[path.stem] = spreadsheet_safe_csv(path.read_bytes())
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise InputError(path, f"cannot read table ({error})") from error
    if not files:
        raise InputError(build_dir, "no CSV tables in this folder (build it with `amif-extract build` first)")
    return files, marked


def write_spreadsheet_safe(build_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the spreadsheet-safe copy of `build_dir`'s tables as `out_dir`; the cells marked per table."""
    if out_dir.resolve() == build_dir.resolve():
        raise InputError(out_dir, "the spreadsheet-safe copy cannot replace the build it is made from")
    files, marked = spreadsheet_safe_files(build_dir)
    write_output_folder(out_dir, files)
    return marked
