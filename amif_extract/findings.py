"""Findings: every problem or repair the pipeline sees, as plain data.

A finding is a value, not a log line and not an exception. It carries a stable code, a severity,
a message, where in the source document it was seen and, where relevant, the offending value and
its repair. ``FINDING_CODES`` is the one place that lists every code with its meaning and default
severity; the table of codes in docs/report.md is generated from the same entries.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class FindingCode:
    code: str
    severity: Severity
    title: str
    description: str


def _codes(*entries: FindingCode) -> dict[str, FindingCode]:
    return {entry.code: entry for entry in entries}


FINDING_CODES: dict[str, FindingCode] = _codes(
    FindingCode(
        "total_mismatch",
        "error",
        "Shares do not add up to the total",
        "EU + national + other public + private share differs from the printed total, compared in cents.",
    ),
    FindingCode(
        "missing_value",
        "warning",
        "Value missing",
        "A field the table should print is empty or was lost by the document's extraction.",
    ),
    FindingCode(
        "ambiguous_column",
        "warning",
        "Amount could belong to two columns",
        "Empty cells were collapsed, so an amount's column was inferred from its neighbours.",
    ),
    FindingCode(
        "repaired_value",
        "info",
        "Value repaired",
        "A value was rebuilt from a damaged form (split cell, wrapped line, markup); "
        "before and after are given.",
    ),
    FindingCode(
        "title_from_summary",
        "warning",
        "Title taken from the summary",
        "The title cell is empty; the title was taken from the « » quote in the project's summary.",
    ),
    FindingCode(
        "duplicate_summary",
        "warning",
        "Summary printed twice",
        "The same summary text appears twice; the copy is not a new project.",
    ),
    FindingCode(
        "duplicate_row",
        "warning",
        "Row printed twice",
        "Two rows carry the same identifying fields.",
    ),
    FindingCode(
        "unreadable_row",
        "error",
        "Row could not be read",
        "Text inside the table that could not be attached to any project.",
    ),
    FindingCode(
        "unparsable_value",
        "error",
        "Value could not be parsed",
        "A cell holds text that is not a valid amount, date or period.",
    ),
    FindingCode(
        "page_stitch",
        "info",
        "Row continued on the next page",
        "A row or summary broken by a page break was stitched back together.",
    ),
    FindingCode(
        "schema_error",
        "error",
        "Schema check failed",
        "A value breaks the output table's pandera schema.",
    ),
    FindingCode(
        "cofinancing_rate_above_cap",
        "warning",
        "EU co-financing rate above the cap",
        "EU share over total above the AMIF 2021-2027 default of 75 % (info: allowed up to 90 % for specific"
        " and Annex IV actions), above 90 % (warning), above 100 % (error).",
    ),
    FindingCode(
        "period_invalid",
        "error",
        "Period invalid or missing",
        "The co-financing period's start is after its end, or the project has no period.",
    ),
    FindingCode(
        "period_outside_programme",
        "warning",
        "Period outside the programme's eligibility window",
        "The period starts or ends outside the eligibility window of its programme"
        " (2021-2027 programme: 1 Jan 2021 - 31 Dec 2029).",
    ),
    FindingCode(
        "decoding_fallback",
        "warning",
        "Text file is not UTF-8",
        "The file was decoded as Windows-1252 because it is not valid UTF-8.",
    ),
    FindingCode(
        "organisation_fuzzy_match",
        "info",
        "Organisation matched by fuzzy matching",
        "A printed organisation name was merged automatically with an entry of the authority file although"
        " it is not spelt as any of its names (a typo, another word order); the score says how close it was.",
    ),
    FindingCode(
        "organisation_review",
        "warning",
        "Organisation matched with low certainty",
        "An organisation name resembles an entry of the authority file (schemas/organisations.csv) but not"
        " closely or not unambiguously enough to merge automatically; score and best candidate are given and"
        " the name waits in the stewards' review queue.",
    ),
    FindingCode(
        "organisation_unresolved",
        "warning",
        "Organisation not in the authority file",
        "An organisation name matches no entry of the authority file (schemas/organisations.csv); the name"
        " waits in the stewards' review queue.",
    ),
    FindingCode(
        "cpr49_gap",
        "warning",
        "List of operations: Article 49(3) field empty",
        "A field CPR Article 49(3) requires in the published list of operations is empty for this operation"
        " because the source document does not give it; the operation is still listed.",
    ),
    FindingCode(
        "cpr49_rule",
        "error",
        "List of operations: Kohesio rule broken",
        "A cross-field rule of the Kohesio validator fails: start date after end date, no location indicator,"
        " or a currency other than EUR without an exchange rate.",
    ),
    FindingCode(
        "cpr49_schema",
        "error",
        "List of operations: Table Schema check failed",
        "The written CSV breaks its Frictionless Table Schema (Kohesio's column names, types, formats,"
        " required values, allowed values, unique identifiers) or does not end its records with CRLF.",
    ),
    FindingCode(
        "invalid_phone",
        "warning",
        "Phone number not readable",
        "A printed phone number is not a valid number for the phonenumbers library (default region LU);"
        " the normalised phone column stays empty and the printed form is kept.",
    ),
    FindingCode(
        "invalid_email",
        "warning",
        "E-mail address not readable",
        "A value printed as an e-mail address does not have the shape of one; the normalised e-mail"
        " column stays empty and the printed form is kept.",
    ),
    FindingCode(
        "formula_like_value",
        "warning",
        "Value a spreadsheet would run as a formula",
        "A text cell of an output table starts like a spreadsheet formula (=, @, a tab or carriage return;"
        " + or - followed by a function, a cell reference or a DDE pipe), so a spreadsheet opening the CSV"
        ' may run it. The CSV keeps the value as printed; signed numbers and "- " bullets are not flagged.',
    ),
    FindingCode(
        "count_mismatch",
        "warning",
        "Listed items differ from the printed count",
        'A text announces a number of items ("couvre 3 domaines", "7 communes") and lists another number.',
    ),
    FindingCode(
        "value_lost",
        "error",
        "Printed value missing from the outputs",
        "An e-mail address, phone number, web address, amount or date printed in the source (in what its"
        " document kind publishes as data) is in no output cell and no finding: the extraction lost it."
        " The finding names the page or line; its value is the printed form, repaired the normalised one.",
    ),
    FindingCode(
        "value_invented",
        "error",
        "Output value not printed at its source",
        "An amount, date, e-mail address or phone number of an output row is not printed (after"
        " normalisation) in the lines its row was read from: the extraction took it from another row,"
        " misread it, or made it up.",
    ),
    FindingCode(
        "structure_mismatch",
        "error",
        "Structural counts disagree",
        "Counts the source prints disagree with what was read: printed rows with amounts vs projects with"
        " amounts (AMIF list), sheet-start labels vs sheets, a field's labels vs the sheets that fill it"
        " (brochure). Rows or sheets were lost, merged or split.",
    ),
)


def format_coordinate(value: float) -> str:
    """A PDF coordinate in points, with one decimal, printed alike by engines that read it a hair apart."""
    # Snap to 0.001 pt, then round half up: 39.8499 and 39.8501 (a tie read by two engines) both print 39.9.
    snapped = Decimal(value).quantize(Decimal("0.001"), ROUND_HALF_EVEN)
    return str(snapped.quantize(Decimal("0.1"), ROUND_HALF_UP))


def format_bbox(bbox: tuple[float, float, float, float]) -> str:
    """A bounding box as the findings table prints it: `x0 top x1 bottom`, see `format_coordinate`."""
    return " ".join(format_coordinate(value) for value in bbox)


@dataclass(frozen=True)
class SourceLocation:
    """Where something was read: a file and a page (PDF) or a line (text), 1-based."""

    file: str
    page: int | None = None
    line: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def describe(self) -> str:
        where = self.file
        if self.page is not None:
            where += f", page {self.page}"
        if self.line is not None:
            where += f", line {self.line}"
        return where


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    location: SourceLocation
    severity: Severity | None = None
    table: str = ""
    row_id: str = ""
    column: str = ""
    value: str = ""
    repaired: str = ""
    rule: str = ""
    context: str = ""
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # The date a steward acknowledged this finding as a true fact of the source (see `acknowledge`).
    acknowledged: str = ""
    # Its id in the findings table and the report (see `with_finding_ids`); not part of its record.
    finding_id: str = ""

    def __post_init__(self) -> None:
        if self.code not in FINDING_CODES:
            raise ValueError(f"unknown finding code {self.code!r}: add it to FINDING_CODES")
        if self.severity is None:
            object.__setattr__(self, "severity", FINDING_CODES[self.code].severity)
        elif self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def with_row(self, table: str, row_id: str) -> Finding:
        return dataclasses.replace(self, table=table, row_id=row_id)

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (loc.file, loc.page or 0, loc.line or 0, self.table, self.row_id, self.code, self.column)

    def as_record(self) -> dict[str, str]:
        """Flat, string-valued form for CSV and JSON output."""
        loc = self.location
        return {
            "code": self.code,
            "severity": str(self.severity),
            "table": self.table,
            "row_id": self.row_id,
            "column": self.column,
            "message": self.message,
            "source_file": loc.file,
            "source_page": "" if loc.page is None else str(loc.page),
            "source_line": "" if loc.line is None else str(loc.line),
            "bbox": "" if loc.bbox is None else format_bbox(loc.bbox),
            "value": self.value,
            "repaired": self.repaired,
            "rule": self.rule,
            "context": self.context,
            "acknowledged": self.acknowledged,
        }


FINDING_COLUMNS: tuple[str, ...] = tuple(Finding("missing_value", "", SourceLocation("")).as_record().keys())
# What a finding's id is made of: what it says and where. Not `bbox` (two PDF engines box the same words
# up to half a point apart), nor `context` (text shown beside it, not what it is about), nor `acknowledged`
# (acknowledging a finding must not rename it).
FINDING_ID_COLUMNS: tuple[str, ...] = tuple(
    column for column in FINDING_COLUMNS if column not in ("bbox", "context", "acknowledged")
)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def finding_digest(finding: Finding) -> str:
    """12 hex digits of a hash of the finding's `FINDING_ID_COLUMNS`."""
    record = finding.as_record()
    identity = "\x1f".join(record[column] for column in FINDING_ID_COLUMNS)
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]


def with_finding_ids(findings: Sequence[Finding]) -> list[Finding]:
    """The findings, each carrying its `finding_id`: `finding_digest`, `-2`, `-3`… for repeats in order.

    Set again whenever the findings change, so that a finding keeps no stale id; the report and the
    findings table read it from the finding.
    """
    identified = []
    used: set[str] = set()
    for finding in findings:
        digest = finding_digest(finding)
        finding_id, counter = digest, 1
        while finding_id in used:
            counter += 1
            finding_id = f"{digest}-{counter}"
        used.add(finding_id)
        identified.append(dataclasses.replace(finding, finding_id=finding_id))
    return identified
