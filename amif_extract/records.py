"""Records the extractors produce: what a document says, as printed, with where it says it.

Extractors fill these with text (markup removed, lines joined) and leave parsing of amounts, periods
and names to the normalizers, so the PDF and text paths share every rule after the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amif_extract.findings import Finding, SourceLocation
from amif_extract.pagetext import PageText

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
