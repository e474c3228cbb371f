"""Records the extractors produce: what a document says, with where it says it.

The AMIF list's records hold text as printed (markup removed, lines joined) and leave parsing of
amounts, periods and names to the normalizers, so the PDF and text paths share every rule after the
layout. The brochure's and the web pages' records hold the rows of their tables.

They live here, apart from the extractors, because a rebuild served from the cache decodes them
without reading a document: this module imports nothing the extractors need to read (patterns,
phone-number metadata, PDF engines), so a cached build never pays for those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amif_extract.findings import Finding, SourceLocation
from amif_extract.pagetext import PageText

# One row of an output table: column name -> plain Python value (str, int, Decimal, date, None).
Row = dict[str, Any]

# The money columns of the AMIF table, in the order the published table prints them.
AMOUNT_COLUMNS: tuple[str, ...] = (
    "eu_share",
    "national_share",
    "other_public_share",
    "private_share",
    "total_cost",
)


@dataclass
class AmifRow:
    """One project row of the AMIF list, as printed.

    Empty strings mean the document prints nothing there (or the extraction lost it); the
    normalizer turns them into missing values with a ``missing_value`` finding.
    """

    specific_objective: int
    specific_objective_label: str
    title: str
    carrier_raw: str
    procedure_raw: str
    action_code: str
    period_raw: str
    amounts_raw: dict[str, str]
    summary: str
    location: SourceLocation
    findings: list[Finding] = field(default_factory=list)


@dataclass
class AmifExtraction:
    """Everything read from one AMIF list document."""

    source_file: str
    rows: list[AmifRow]
    findings: list[Finding] = field(default_factory=list)
    page_text: PageText = field(default_factory=dict)  # PDF pages' printed lines, for the report


@dataclass
class PracticeSheetsExtraction:
    """Everything read from the brochure: the two tables as rows, findings, organisation names."""

    source_file: str
    sheets: list[Row]
    contacts: list[Row]
    findings: list[Finding] = field(default_factory=list)
    organisation_mentions: list[tuple[str, SourceLocation]] = field(default_factory=list)
    page_text: PageText = field(default_factory=dict)  # PDF pages' printed lines, for the report


@dataclass
class WebPageExtraction:
    """Everything read from one known web page: its rows of either table, findings, organisation names."""

    source_file: str
    kind: str  # which known page: ministry_conventions, convention_summary or iom_project_list
    conventions: list[Row] = field(default_factory=list)
    narrative_projects: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    organisation_mentions: list[tuple[str, SourceLocation]] = field(default_factory=list)
