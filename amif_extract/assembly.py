"""Assembly: from every document's extraction to the output tables and their findings.

normalize (by each kind's registry entry) → link organisations → validate → derive the Kohesio
operations → check every table against its contract → number the findings. Plain data in, plain
data out: nothing here reads a file but the organisations authority, or writes one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amif_extract.build_records import BuildResult, DocumentExtraction, Row
from amif_extract.findings import Finding, sorted_findings, with_finding_ids
from amif_extract.normalize.projects import attach_issue_codes
from amif_extract.registry import collect_tables, organisation_mentions, page_texts
from amif_extract.specs import table_specs
from amif_extract.validate import validate_projects

if TYPE_CHECKING:
    from amif_extract.organisations import Authority


def preload_assembly() -> None:
    """Import and initialise what `assemble` uses, validating nothing.

    A parallel build calls this while its workers parse the PDFs, so that the parent's share of a
    cold build (pandas, pandera, pyarrow and frictionless imported, each table contract built into
    its pandera schema, frictionless's plugins loaded) overlaps the parsing. Every check runs once,
    in `assemble`: a warm-up that ran `assemble` on no documents validated every table a second time.
    """
    from amif_extract.conservation import check_conservation  # noqa: F401  (the imports `assemble` does)
    from amif_extract.cpr49 import preload_table_schema_check
    from amif_extract.link import link_organisations  # noqa: F401

    for spec in table_specs().values():
        spec.model.to_schema()  # built once per contract, then kept by pandera
    preload_table_schema_check()


def assemble(
    extractions: Sequence[DocumentExtraction],
    authority: Authority | None = None,
    profile_dir: Path | None = None,
) -> BuildResult:
    """Normalize, link, validate and collect findings: from extracted records to the output tables.

    Organisations are linked to `authority`, a dataset's own (default: the one the package ships);
    the conservation checks read labels from the profiles in `profile_dir` (default: the packaged ones).
    """
    # Imported here, not above, so that a build whose outputs come from the cache never loads them:
    from amif_extract.conservation import check_conservation  # the printed values' patterns
    from amif_extract.cpr49 import cpr49_findings, cpr49_rows, written_csv_findings  # pandas, pandera
    from amif_extract.link import link_organisations  # the authority code, phone-number metadata
    from amif_extract.organisations import default_authority  # likewise
    from amif_extract.tables import formula_findings, schema_findings  # pandas, pandera, pyarrow

    collected = collect_tables(extractions)
    tables = dict(collected.tables)
    findings = list(collected.findings)
    authority = authority if authority is not None else default_authority()
    linked = link_organisations(tables, organisation_mentions(extractions), authority)
    findings += linked.findings
    tables["organisations"] = linked.organisations
    projects = tables["amif_projects"]
    findings += validate_projects(projects)
    tables["amif_operations_cpr49"] = cpr49_rows(projects)
    findings += cpr49_findings(tables["amif_operations_cpr49"])
    findings += written_csv_findings(tables["amif_operations_cpr49"])
    specs = table_specs()
    for name, rows in tables.items():
        findings += schema_findings(specs[name], rows) + formula_findings(specs[name], rows)
    conservation = check_conservation(extractions, tables, findings, profile_dir=profile_dir)
    findings = with_finding_ids(sorted_findings(findings + conservation.findings))
    attach_issue_codes(projects, findings, "amif_projects", "project_id")
    tables["findings"] = finding_rows(findings)
    metadata: dict[str, Any] = {
        "review_items": linked.review_items,
        "page_text": page_texts(extractions),
        "conservation": conservation.verified,
    }
    return BuildResult(tables, findings, [result.document for result in extractions], metadata)


def finding_rows(findings: Sequence[Finding]) -> list[Row]:
    """The findings table: one row per finding, under the id the finding carries."""
    rows: list[Row] = []
    for finding in with_finding_ids(findings):
        record: dict[str, Any] = finding.as_record()
        for column in ("source_page", "source_line"):
            record[column] = int(record[column]) if record[column] else None
        rows.append({"finding_id": finding.finding_id, "acknowledged": None, **record})
    return rows
