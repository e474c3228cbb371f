"""Acknowledged findings: facts of the source a data steward has reviewed and accepted.

A published document can be wrong in a way no code should repair (a total that does not add up, a row
printed without its period). A steward records such a finding once, with a reason, in the dataset's
`schemas/acknowledged_findings.csv`; the finding stays in every output, marked as acknowledged, and
`check` stops failing on it.
Findings are matched on (code, table, row_id, column): project ids come from the project's own title,
so they are the same in the PDF and the text build and across editions that keep the row.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.findings import FINDING_CODES, Finding

ACKNOWLEDGEMENT_COLUMNS: tuple[str, ...] = (
    "code",
    "table",
    "row_id",
    "column",
    "reason",
    "acknowledged_on",
    "acknowledged_by",
)
# Columns a steward must fill; `table` and `column` may be empty for findings about a whole document.
_REQUIRED = ("code", "row_id", "reason", "acknowledged_on", "acknowledged_by")

AcknowledgementKey = tuple[str, str, str, str]
# Names under which an acknowledgement's author and reason travel in `Finding.extra`.
_ACKNOWLEDGEMENT_EXTRA = ("acknowledged_by", "acknowledgement_reason")


@dataclass(frozen=True)
class Acknowledgement:
    """One line of the acknowledgements file; `line` is its 1-based line number there."""

    code: str
    table: str
    row_id: str
    column: str
    reason: str
    acknowledged_on: str
    acknowledged_by: str
    line: int

    @property
    def key(self) -> AcknowledgementKey:
        return (self.code, self.table, self.row_id, self.column)


def finding_key(finding: Finding) -> AcknowledgementKey:
    return (finding.code, finding.table, finding.row_id, finding.column)


def _parse_line(path: Path, line: int, values: dict[str, str]) -> Acknowledgement:
    def refuse(reason: str) -> InputError:
        return InputError(path, f"line {line}: {reason}")

    empty = [name for name in _REQUIRED if not values[name]]
    if empty:
        raise refuse(f"{', '.join(empty)} empty")
    if values["code"] not in FINDING_CODES:
        raise refuse(f"unknown finding code {values['code']!r}")
    try:
        date.fromisoformat(values["acknowledged_on"])
    except ValueError as error:
        raise refuse(f"acknowledged_on {values['acknowledged_on']!r} is not a date (YYYY-MM-DD)") from error
    return Acknowledgement(**{name: values[name] for name in ACKNOWLEDGEMENT_COLUMNS}, line=line)


def parse_acknowledgements(text: str, path: Path) -> list[Acknowledgement]:
    """Every acknowledgement of a file's text; a malformed line is an InputError naming file and line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is not None and "finding_id" in (cell.strip() for cell in header):
        raise InputError(
            path,
            "line 1: a finding_id column, but acknowledgements match findings on code, table, row_id and"
            " column, not on finding ids (which change when a finding's message or place does): copy those"
            f" four columns from findings.csv; the header must be {','.join(ACKNOWLEDGEMENT_COLUMNS)}",
        )
    if header is None or tuple(cell.strip() for cell in header) != ACKNOWLEDGEMENT_COLUMNS:
        raise InputError(path, f"line 1: the header must be {','.join(ACKNOWLEDGEMENT_COLUMNS)}")
    acknowledgements: list[Acknowledgement] = []
    seen: dict[AcknowledgementKey, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(ACKNOWLEDGEMENT_COLUMNS):
            expected = len(ACKNOWLEDGEMENT_COLUMNS)
            raise InputError(path, f"line {line}: {len(cells)} fields, expected {expected}")
        values = {name: cell.strip() for name, cell in zip(ACKNOWLEDGEMENT_COLUMNS, cells, strict=True)}
        acknowledgement = _parse_line(path, line, values)
        if acknowledgement.key in seen:
            raise InputError(path, f"line {line}: same finding as line {seen[acknowledgement.key]}")
        seen[acknowledgement.key] = line
        acknowledgements.append(acknowledgement)
    return acknowledgements


def load_acknowledgements(path: Path) -> list[Acknowledgement]:
    """The acknowledgements file of a dataset (`Dataset.acknowledgements`)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise InputError(path, "acknowledgements file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read acknowledgements file ({error})") from error
    try:
        return parse_acknowledgements(text, path)
    except csv.Error as error:
        raise InputError(path, f"not a valid CSV file ({error})") from error


def acknowledgement_extra(acknowledgement: Acknowledgement) -> tuple[tuple[str, str], ...]:
    return (
        ("acknowledged_by", acknowledgement.acknowledged_by),
        ("acknowledgement_reason", acknowledgement.reason),
    )


def _without_acknowledgement(finding: Finding) -> Finding:
    extra = tuple(item for item in finding.extra if item[0] not in _ACKNOWLEDGEMENT_EXTRA)
    return dataclasses.replace(finding, acknowledged="", extra=extra)


def acknowledge_findings(
    findings: Iterable[Finding], acknowledgements: Sequence[Acknowledgement]
) -> list[Finding]:
    """Findings with `acknowledged` set to the steward's date where one matches, cleared elsewhere.

    Idempotent: applying another file to already acknowledged findings replaces the old marks.
    """
    by_key = {acknowledgement.key: acknowledgement for acknowledgement in acknowledgements}
    marked: list[Finding] = []
    for finding in findings:
        finding = _without_acknowledgement(finding)
        acknowledgement = by_key.get(finding_key(finding))
        if acknowledgement is not None:
            finding = dataclasses.replace(
                finding,
                acknowledged=acknowledgement.acknowledged_on,
                extra=finding.extra + acknowledgement_extra(acknowledgement),
            )
        marked.append(finding)
    return marked


def unmatched_acknowledgements(
    findings: Iterable[Finding], acknowledgements: Sequence[Acknowledgement]
) -> list[Acknowledgement]:
    """Acknowledgements no finding matches any more: the source was corrected, or a row id changed."""
    keys = {finding_key(finding) for finding in findings}
    return [acknowledgement for acknowledgement in acknowledgements if acknowledgement.key not in keys]
