"""AMIF rows as printed → rows of the `amif_projects` table, with a finding for every gap or repair."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.amounts import AmountError, parse_amount
from amif_extract.normalize.names import clean_organisation_name
from amif_extract.normalize.periods import PeriodError, parse_period
from amif_extract.records import AMOUNT_COLUMNS, AmifExtraction, AmifRow

TABLE = "amif_projects"
# Shares the table must print; other public and private shares are legitimately empty for most rows.
REQUIRED_AMOUNTS = ("eu_share", "national_share", "total_cost")
CENT = Decimal("0.01")
_CALL = re.compile(r"^\s*appel\b", re.IGNORECASE)
_DIRECT = re.compile(r"^\s*attribution\s+directe\b", re.IGNORECASE)
_SLUG_LENGTH = 40


@dataclass(frozen=True)
class NormalizedProjects:
    rows: list[dict[str, Any]]
    findings: list[Finding]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _truncate_slug(slug: str, length: int) -> str:
    if len(slug) <= length:
        return slug
    cut = slug[:length]
    return cut.rsplit("-", 1)[0] if "-" in cut else cut


def base_project_id(row: AmifRow) -> str:
    """A readable id from the title, with a short hash of the whole title so truncation cannot collide.

    Derived from the project's own content only, so adding or removing other rows never changes it.
    """
    title = row.title or row.summary[:200] or row.carrier_raw or row.period_raw
    key = slugify(title) or "untitled"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]
    return f"so{row.specific_objective}-{_truncate_slug(key, _SLUG_LENGTH)}-{digest}"


def assign_project_ids(rows: list[AmifRow]) -> list[str]:
    """Base ids, disambiguated by start of period and then by order only when two rows share a title."""
    bases = [base_project_id(row) for row in rows]
    ids: list[str] = []
    seen: dict[str, int] = {}
    for row, base in zip(rows, bases, strict=True):
        candidate = base
        if bases.count(base) > 1:
            candidate = f"{base}-{slugify(row.period_raw.split(' ')[0]) or 'nodate'}"
        seen[candidate] = seen.get(candidate, 0) + 1
        ids.append(candidate if seen[candidate] == 1 else f"{candidate}-{seen[candidate]}")
    return ids


def split_procedure(procedure_raw: str) -> tuple[str | None, str | None]:
    """`Appel Mai 2024` → ("call", "Appel Mai 2024"); `Attribution directe` → ("direct_award", None)."""
    if _CALL.match(procedure_raw):
        return "call", " ".join(procedure_raw.split())
    if _DIRECT.match(procedure_raw):
        return "direct_award", None
    return None, None


def cofinancing_rate(eu_share: Decimal | None, total: Decimal | None) -> Decimal | None:
    if eu_share is None or total is None or total == 0:
        return None
    return (eu_share * 100 / total).quantize(CENT, rounding=ROUND_HALF_UP)


def _finding(
    code: str, row_id: str, column: str, message: str, location: SourceLocation, value: str = ""
) -> Finding:
    return Finding(code, message, location, table=TABLE, row_id=row_id, column=column, value=value)


def _amounts(row: AmifRow, row_id: str, findings: list[Finding]) -> dict[str, Decimal | None]:
    values: dict[str, Decimal | None] = {}
    for column in AMOUNT_COLUMNS:
        text = row.amounts_raw.get(column, "")
        try:
            values[column] = parse_amount(text)
        except AmountError as error:
            values[column] = None
            findings.append(
                _finding("unparsable_value", row_id, column, str(error), row.location, value=text)
            )
            continue
        if values[column] is None and column in REQUIRED_AMOUNTS:
            findings.append(
                _finding("missing_value", row_id, column, f"{column} is empty", row.location, value=text)
            )
    return values


def _period(row: AmifRow, row_id: str, findings: list[Finding]) -> tuple[date | None, date | None]:
    if not row.period_raw.strip():
        findings.append(_finding("missing_value", row_id, "start_date", "the period is empty", row.location))
        return None, None
    try:
        return parse_period(row.period_raw)
    except PeriodError as error:
        findings.append(
            _finding("unparsable_value", row_id, "start_date", str(error), row.location, value=row.period_raw)
        )
        return None, None


def _text_fields(row: AmifRow, row_id: str, findings: list[Finding]) -> dict[str, Any]:
    carrier = clean_organisation_name(row.carrier_raw) if row.carrier_raw else ""
    procedure, call = split_procedure(row.procedure_raw)
    checks = (("title", row.title), ("carrier", carrier), ("selection_procedure", row.procedure_raw))
    for column, value in checks:
        if not value.strip():
            findings.append(_finding("missing_value", row_id, column, f"{column} is empty", row.location))
    if row.procedure_raw.strip() and procedure is None:
        findings.append(
            _finding(
                "unparsable_value",
                row_id,
                "selection_procedure",
                f"unknown selection procedure {row.procedure_raw!r}",
                row.location,
                value=row.procedure_raw,
            )
        )
    return {
        "title": row.title or None,
        "carrier": carrier or None,
        "carrier_id": None,
        "carrier_raw": row.carrier_raw or None,
        "selection_procedure": procedure,
        "call": call,
        "action_code": row.action_code or None,
    }


def normalize_row(row: AmifRow, row_id: str) -> tuple[dict[str, Any], list[Finding]]:
    findings = [finding.with_row(TABLE, row_id) for finding in row.findings]
    text_fields = _text_fields(row, row_id, findings)
    start, end = _period(row, row_id, findings)
    amounts = _amounts(row, row_id, findings)
    record: dict[str, Any] = {
        "project_id": row_id,
        "specific_objective": row.specific_objective,
        "specific_objective_label": row.specific_objective_label,
        **text_fields,
        "start_date": start,
        "end_date": end,
        **amounts,
        "eu_cofinancing_rate": cofinancing_rate(amounts["eu_share"], amounts["total_cost"]),
        "summary": row.summary or None,
        "source_file": row.location.file,
        "source_page": row.location.page,
        "source_line": row.location.line,
        "issues": None,
    }
    return record, findings


def normalize_projects(extractions: Iterable[AmifExtraction]) -> NormalizedProjects:
    """Every row of every AMIF document, in document order, with the extractors' findings attached."""
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for extraction in extractions:
        ids = assign_project_ids(extraction.rows)
        findings.extend(extraction.findings)
        for row, row_id in zip(extraction.rows, ids, strict=True):
            record, row_findings = normalize_row(row, row_id)
            rows.append(record)
            findings.extend(row_findings)
    return NormalizedProjects(rows, findings)


def attach_issue_codes(rows: list[dict[str, Any]], findings: Iterable[Finding], table: str, key: str) -> None:
    """Fill each row's `issues` column with the sorted codes of the findings about it."""
    codes: dict[str, set[str]] = {}
    for finding in findings:
        if finding.table == table and finding.row_id:
            codes.setdefault(finding.row_id, set()).add(finding.code)
    for row in rows:
        row["issues"] = ";".join(sorted(codes.get(row[key], ()))) or None
