"""Linking stage: every organisation named in any document resolves against the authority file.

The AMIF carriers get their `carrier_id` and canonical name, the practice sheets and conventions the
ids of the organisations they name, and the `organisations` table counts what each one carries. Names
the matcher is not sure of go to the stewards' review queue instead of being merged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from amif_extract.build_records import Row
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.name_lists import organisation_names
from amif_extract.organisations import (
    Authority,
    Match,
    ReviewItem,
    organisation_findings,
    resolve_many,
)

Mention = tuple[str, SourceLocation]
ORGANISATION_SECTIONS = ("commune_institution", "organisers")


@dataclass
class LinkResult:
    findings: list[Finding] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)
    organisations: list[Row] = field(default_factory=list)


def _row_location(row: Row) -> SourceLocation:
    return SourceLocation(row["source_file"], page=row.get("source_page"), line=row.get("source_line"))


def carrier_mentions(projects: Sequence[Row]) -> list[Mention]:
    return [(row["carrier_raw"], _row_location(row)) for row in projects if row.get("carrier_raw")]


def sheet_mentions(sheet: Row) -> list[str]:
    return [
        name for section in ORGANISATION_SECTIONS for name in organisation_names(sheet.get(section) or "")
    ]


def _resolved_id(matches: dict[str, Match], name: str) -> str | None:
    match = matches.get(name)
    return match.org_id if match is not None and match.status == "auto" else None


EXACT_SCORE = 100.0


def fuzzy_match_findings(
    mentions: Sequence[Mention], matches: dict[str, Match], projects: Sequence[Row]
) -> list[Finding]:
    """An info finding per place a name was merged automatically without being spelt as a known name."""
    row_of_carrier = {
        (row["carrier_raw"], _row_location(row)): row for row in projects if row.get("carrier_raw")
    }
    findings = []
    for name, location in sorted(
        set(mentions),
        key=lambda mention: (mention[1].file, mention[1].page or 0, mention[1].line or 0, mention[0]),
    ):
        match = matches.get(name)
        if match is None or match.status != "auto" or match.score >= EXACT_SCORE:
            continue
        row = row_of_carrier.get((name, location))
        findings.append(
            Finding(
                "organisation_fuzzy_match",
                f"{name!r} matched to {match.name} ({match.org_id}) with score {match.score:.1f}",
                location,
                table="amif_projects" if row else "",
                row_id=row["project_id"] if row else "",
                column="carrier" if row else "organisation",
                value=name,
                repaired=match.name or "",
                rule=f"fuzzy match, score {match.score:.1f} of 100",
            )
        )
    return findings


def link_projects(projects: list[Row], matches: dict[str, Match]) -> None:
    """Resolved carriers take the canonical name and id; the others keep their cleaned printed name."""
    for row in projects:
        match = matches.get(row.get("carrier_raw") or "")
        if match is not None and match.status == "auto":
            row["carrier_id"] = match.org_id
            row["carrier"] = match.name


def _joined_ids(ids: Iterable[str | None]) -> str | None:
    unique = sorted({org_id for org_id in ids if org_id})
    return "; ".join(unique) or None


def link_sheets(sheets: list[Row], matches: dict[str, Match]) -> None:
    for sheet in sheets:
        sheet["organisation_ids"] = _joined_ids(_resolved_id(matches, name) for name in sheet_mentions(sheet))


def link_conventions(conventions: list[Row], matches: dict[str, Match]) -> None:
    for row in conventions:
        row["organisation_id"] = _resolved_id(matches, row["organisation"])


def organisation_rows(
    authority: Authority, projects: Sequence[Row], sheets: Sequence[Row], conventions: Sequence[Row]
) -> list[Row]:
    """One row per organisation of the authority file, with what the documents say it carries."""
    rows = []
    for org in sorted(authority.organisations, key=lambda org: org.org_id):
        carried = [row for row in projects if row.get("carrier_id") == org.org_id]
        rows.append(
            {
                "org_id": org.org_id,
                "name": org.name,
                "acronym": org.acronym or None,
                "kind": org.kind,
                "parent_id": org.parent_id or None,
                "amif_projects": len(carried),
                "amif_eu_share": _total(row.get("eu_share") for row in carried),
                "amif_total_cost": _total(row.get("total_cost") for row in carried),
                "practice_sheets": sum(
                    org.org_id in (sheet.get("organisation_ids") or "").split("; ") for sheet in sheets
                ),
                "conventions": sum(row.get("organisation_id") == org.org_id for row in conventions),
            }
        )
    return rows


def _total(values: Iterable[Decimal | None]) -> Decimal:
    return sum((value for value in values if value is not None), Decimal("0.00"))


def link_organisations(
    tables: dict[str, list[Row]], other_mentions: Sequence[Mention], authority: Authority
) -> LinkResult:
    """Resolve every name once, fill the id columns in `tables` and build the organisations table."""
    projects = tables.get("amif_projects", [])
    sheets = tables.get("practice_sheets", [])
    conventions = tables.get("conventions", [])
    mentions = carrier_mentions(projects) + list(other_mentions)
    matches, review_items = resolve_many(mentions, authority)
    link_projects(projects, matches)
    link_sheets(sheets, matches)
    link_conventions(conventions, matches)
    return LinkResult(
        findings=organisation_findings(review_items) + fuzzy_match_findings(mentions, matches, projects),
        review_items=review_items,
        organisations=organisation_rows(authority, projects, sheets, conventions),
    )
