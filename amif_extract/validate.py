"""Cross-field rules on the AMIF projects table: each a named check from rows to findings.

The thresholds are the law's (AMIF Regulation (EU) 2021/1147, Art. 15: 75 % default EU rate, up to
90 % for specific actions and Annex IV actions) and the 2021-2027 programme's eligibility window
(CPR (EU) 2021/1060, Art. 63(2): expenditure from 1 January 2021 to 31 December 2029).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from amif_extract.build_records import Row
from amif_extract.findings import Finding, Severity, SourceLocation
from amif_extract.normalize.projects import TABLE

Rule = Callable[[Row], list[Finding]]


@dataclass(frozen=True)
class ValidationSettings:
    """The numbers the rules compare against, named once."""

    default_rate_cap: Decimal = Decimal("75")
    increased_rate_cap: Decimal = Decimal("90")
    programme_start: date = date(2021, 1, 1)
    programme_end: date = date(2029, 12, 31)

    def __post_init__(self) -> None:
        if not Decimal(0) < self.default_rate_cap <= self.increased_rate_cap <= Decimal(100):
            raise ValueError("rate caps must satisfy 0 < default_rate_cap <= increased_rate_cap <= 100")
        if self.programme_start > self.programme_end:
            raise ValueError("programme_start must not be after programme_end")


def row_location(row: Row) -> SourceLocation:
    return SourceLocation(row["source_file"], page=row.get("source_page"), line=row.get("source_line"))


def _finding(
    row: Row, code: str, column: str, message: str, value: str, severity: Severity | None = None
) -> Finding:
    return Finding(
        code,
        message,
        row_location(row),
        severity=severity,
        table=TABLE,
        row_id=row["project_id"],
        column=column,
        value=value,
    )


def check_total(row: Row) -> list[Finding]:
    """EU + national + other public + private = total, exactly in cents; empty shares count as zero."""
    total = row["total_cost"]
    if total is None or row["eu_share"] is None or row["national_share"] is None:
        return []
    parts = [
        row[name] or Decimal(0)
        for name in ("eu_share", "national_share", "other_public_share", "private_share")
    ]
    shares = sum(parts, Decimal(0))
    if shares == total:
        return []
    difference = total - shares
    message = f"shares add up to {shares:.2f} but the total is {total:.2f} (difference {difference:+.2f})"
    return [_finding(row, "total_mismatch", "total_cost", message, f"{total:.2f}")]


def check_cofinancing_rate(row: Row, settings: ValidationSettings) -> list[Finding]:
    rate = row["eu_cofinancing_rate"]
    if rate is None or rate <= settings.default_rate_cap:
        return []
    severity: Severity
    if rate > 100:
        severity, limit = "error", "the total itself"
    elif rate > settings.increased_rate_cap:
        severity, limit = "warning", f"the {settings.increased_rate_cap} % maximum for specific actions"
    else:
        severity, limit = "info", f"the {settings.default_rate_cap} % default (allowed for specific actions)"
    message = f"EU share is {rate} % of the total, above {limit}"
    return [_finding(row, "cofinancing_rate_above_cap", "eu_cofinancing_rate", message, str(rate), severity)]


def check_period(row: Row, settings: ValidationSettings) -> list[Finding]:
    start, end = row["start_date"], row["end_date"]
    if start is None:
        return [_finding(row, "period_invalid", "start_date", "the project has no period", "")]
    if end is not None and start > end:
        return [
            _finding(row, "period_invalid", "end_date", f"period ends ({end}) before it starts ({start})", "")
        ]
    outside = start < settings.programme_start or (end is not None and end > settings.programme_end)
    if not outside:
        return []
    window = f"{settings.programme_start.isoformat()} – {settings.programme_end.isoformat()}"
    message = f"period {start.isoformat()} – {end.isoformat() if end else '…'} is outside the window {window}"
    return [_finding(row, "period_outside_programme", "start_date", message, f"{start}/{end or ''}")]


def check_duplicates(rows: list[Row]) -> list[Finding]:
    """Two rows with the same title, carrier and period are most likely one project printed twice."""
    seen: dict[tuple[Any, ...], str] = {}
    findings: list[Finding] = []
    for row in rows:
        key = (row["title"], row["carrier"], row["start_date"], row["end_date"], row["total_cost"])
        if row["title"] is None:
            continue
        if key in seen:
            message = f"same title, carrier, period and total as {seen[key]}"
            findings.append(_finding(row, "duplicate_row", "title", message, row["title"]))
        else:
            seen[key] = row["project_id"]
    return findings


def validate_projects(rows: Iterable[Row], settings: ValidationSettings | None = None) -> list[Finding]:
    """Run every cross-field rule over the projects table."""
    settings = settings or ValidationSettings()
    rows = list(rows)
    rules: list[Rule] = [
        check_total,
        lambda row: check_cofinancing_rate(row, settings),
        lambda row: check_period(row, settings),
    ]
    findings = [finding for row in rows for rule in rules for finding in rule(row)]
    return findings + check_duplicates(rows)
