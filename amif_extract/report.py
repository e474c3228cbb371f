"""The validation report: every finding of a build, for data stewards, as JSON and as one HTML page.

`validation_report.json` is plain data (build metadata, counts, every finding); the HTML page shows
the same findings grouped by code, filterable by severity and table, each with the source text around
it. Both are deterministic: no timestamp, sorted keys, stable order, so a rebuild is byte-identical.
Every piece of document text reaches the HTML through `html.escape`: documents can contain markup.

The page is made in two steps: `report_page` gathers its data from a build (each finding with its
`finding_id`, its row's title and its source text), and `render_report` turns that data alone into
HTML, inlining the CSS and script kept as package files in `report_assets/` so the page stays one
self-contained file.
"""

from __future__ import annotations

import html
import json
import platform
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amif_extract import __version__
from amif_extract.context import SourceContext, SourceTexts
from amif_extract.findings import FINDING_CODES, SEVERITIES, Finding
from amif_extract.specs import table_specs

if TYPE_CHECKING:
    from amif_extract.build_records import BuildResult, InputDocument

REPORT_JSON = "validation_report.json"
REPORT_HTML = "validation_report.html"
# Libraries whose behaviour shapes the outputs; their versions are recorded with every build.
RECORDED_LIBRARIES = ("pdfplumber", "pandas", "pandera", "pyarrow")
FINDINGS_TABLE = "findings"
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


# ---------------------------------------------------------------- data


def library_versions() -> dict[str, str]:
    versions = {"amif-extract": __version__, "python": platform.python_version()}
    for name in RECORDED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as JSON data: its flat record with page and line as numbers, and its extra details."""
    record: dict[str, Any] = dict(finding.as_record())
    record["source_page"], record["source_line"] = finding.location.page, finding.location.line
    record["extra"] = dict(finding.extra)
    return record


def finding_entry(finding: Finding) -> dict[str, Any]:
    return {"finding_id": finding.finding_id, **finding_record(finding)}


def is_blocking(finding: Finding) -> bool:
    """An error nobody has acknowledged: what makes `check` fail."""
    return finding.severity == "error" and not finding.acknowledged


def finding_counts(findings: Sequence[Finding]) -> dict[str, Any]:
    return {
        "total": len(findings),
        "acknowledged": sum(1 for finding in findings if finding.acknowledged),
        "unacknowledged_errors": sum(1 for finding in findings if is_blocking(finding)),
        "by_severity": {level: sum(1 for f in findings if f.severity == level) for level in SEVERITIES},
        "by_code": dict(Counter(finding.code for finding in findings)),
        "by_table": dict(Counter(finding.table or "(document)" for finding in findings)),
    }


def report_data(result: BuildResult) -> dict[str, Any]:
    """The report as plain data: what `validation_report.json` holds."""
    return {
        "build": {
            "inputs": [
                {"source_file": doc.source_file, "kind": doc.kind, "format": doc.format, "sha256": doc.sha256}
                for doc in sorted(result.inputs, key=lambda doc: doc.source_file)
            ],
            "versions": library_versions(),
        },
        "counts": {
            "rows": {name: len(rows) for name, rows in result.tables.items()},
            "findings": finding_counts(result.findings),
        },
        "codes": {
            code: {"severity": entry.severity, "title": entry.title, "description": entry.description}
            for code, entry in FINDING_CODES.items()
        },
        "findings": [finding_entry(finding) for finding in result.findings],
    }


def report_json(result: BuildResult) -> bytes:
    text = json.dumps(report_data(result), sort_keys=True, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def report_files(result: BuildResult) -> dict[str, bytes]:
    """The report's files under `normalized/`, for `pipeline.output_files`."""
    return {REPORT_JSON: report_json(result), REPORT_HTML: report_html(result)}


def codes_markdown_table() -> str:
    """The table of finding codes in docs/report.md, generated from FINDING_CODES so it cannot drift."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| code | severity | title | what it means |", "|---|---|---|---|"]
    for code, entry in FINDING_CODES.items():
        lines.append(f"| `{code}` | {entry.severity} | {cell(entry.title)} | {cell(entry.description)} |")
    return "\n".join(lines) + "\n"


CODES_TABLE_START = "<!-- finding-codes:start (python -m amif_extract.report docs/report.md) -->"
CODES_TABLE_END = "<!-- finding-codes:end -->"


def refresh_codes_table(markdown: str) -> str:
    """`markdown` with the text between the codes-table markers replaced by the current table."""
    start, end = markdown.index(CODES_TABLE_START), markdown.index(CODES_TABLE_END)
    return markdown[: start + len(CODES_TABLE_START)] + "\n" + codes_markdown_table() + markdown[end:]


# ---------------------------------------------------------------- the page's data


@dataclass(frozen=True)
class FindingView:
    """A finding with what the page shows next to it."""

    finding: Finding
    row_title: str
    context: SourceContext | None


@dataclass(frozen=True)
class ReportPage:
    """Everything the HTML page shows, gathered from a build; the page is rendered from this alone."""

    inputs: tuple[InputDocument, ...]  # sorted by source file
    rows: dict[str, int]  # rows per output table, the findings table included
    counts: dict[str, Any]  # `finding_counts`
    views: tuple[FindingView, ...]  # every finding, in the build's order
    versions: dict[str, str]

    @property
    def findings(self) -> list[Finding]:
        return [view.finding for view in self.views]

    @property
    def filter_tables(self) -> list[str]:
        """What the table filter offers: every data table, and the findings' tables ("" for a document)."""
        tables = {name for name in self.rows if name != FINDINGS_TABLE}
        return sorted(tables | {finding.table for finding in self.findings})


def report_page(result: BuildResult) -> ReportPage:
    """The page's data: findings with the title of their row and the source text around them."""
    with SourceTexts(result.inputs, page_text=result.metadata.get("page_text")) as texts:
        views = finding_views(result, texts)
    return ReportPage(
        inputs=tuple(sorted(result.inputs, key=lambda doc: doc.source_file)),
        rows={name: len(rows) for name, rows in result.tables.items()},
        counts=finding_counts(result.findings),
        views=tuple(views),
        versions=library_versions(),
    )


def code_order(code: str) -> tuple[int, int]:
    codes = list(FINDING_CODES)
    return (_SEVERITY_RANK[FINDING_CODES[code].severity], codes.index(code))


def _keyed_rows(result: BuildResult) -> dict[tuple[str, str], Mapping[str, Any]]:
    specs = table_specs()
    index: dict[tuple[str, str], Mapping[str, Any]] = {}
    for name, rows in result.tables.items():
        key = specs[name].key if name in specs else None
        for row in rows:
            if key and row.get(key) is not None:
                index[(name, str(row[key]))] = row
    return index


def anchors_for(finding: Finding, row: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Text the finding's row prints, best first, to find the row on a PDF page."""
    anchors: list[tuple[str, str]] = []
    if row is not None:
        for column in ("title", "carrier_raw", "summary"):
            if row.get(column):
                anchors.append((column, str(row[column])))
    if finding.value:
        anchors.append(("value", finding.value))
    return anchors


def finding_views(result: BuildResult, texts: SourceTexts) -> list[FindingView]:
    rows = _keyed_rows(result)
    views = []
    for finding in result.findings:
        row = rows.get((finding.table, finding.row_id))
        title = str(row.get("title") or "") if row is not None else ""
        context = texts.context_for(finding, anchors_for(finding, row))
        views.append(FindingView(finding, title, context))
    return views


# ---------------------------------------------------------------- HTML pieces


def esc(value: object) -> str:
    """Every piece of text that reaches the page goes through here."""
    return html.escape(str(value), quote=True)


def report_asset(name: str) -> str:
    """A file of `report_assets/` (the page's CSS and script), inlined so the page stands alone.

    Line endings are made LF so that a checkout converting them (git on Windows) renders the same bytes.
    """
    text = resources.files("amif_extract").joinpath("report_assets", name).read_text(encoding="utf-8")
    return text.replace("\r\n", "\n")


def severity_badge(severity: str) -> str:
    return f'<span class="badge sev-{esc(severity)}">{esc(severity)}</span>'


def render_context(context: SourceContext, open_: bool) -> str:
    marked_numbers = [line.number for line in context.lines if line.marked]
    if context.page is not None:
        where, numbering = f"page {context.page}", "text line on the page"
    else:
        where, numbering = f"line {marked_numbers[0]}" if marked_numbers else "lines", "line"
    lines = []
    for line in context.lines:
        text = esc(line.text).replace("\t", '<span class="tab" title="tab">⇥</span>')
        marked = " marked" if line.marked else ""
        lines.append(
            f'<span class="line{marked}"><span class="ln" title="{numbering}">{line.number}</span>'
            f'<span class="tx">{text or " "}</span></span>'
        )
    summary = f"Source text — {esc(context.source_file)}, {where}"
    if context.how not in ("line", "bbox"):
        summary += f" (row found by its {esc(context.how.replace('_', ' '))})"
    return (
        f'<details class="context"{" open" if open_ else ""}><summary>{summary}</summary>'
        f'<pre class="source">{"".join(lines)}</pre></details>'
    )


def render_facts(finding: Finding) -> str:
    facts = [("Source", esc(finding.location.describe()))]
    if finding.column:
        facts.append(("Column", f"<code>{esc(finding.column)}</code>"))
    # A rule with a value but no result is a repair that dropped the value.
    repaired = bool(finding.repaired or (finding.rule and finding.value))
    if finding.value and not repaired:
        facts.append(("Value", f'<code class="value">{esc(finding.value)}</code>'))
    if repaired:
        after = (
            f'<code class="value after">{esc(finding.repaired)}</code>'
            if finding.repaired
            else ('<span class="dropped">dropped</span>')
        )
        change = (
            f'<code class="value before">{esc(finding.value) or "∅"}</code>'
            f'<span class="arrow" aria-label="repaired to"> → </span>{after}'
        )
        if finding.rule:
            change += f' <span class="rule">rule: {esc(finding.rule)}</span>'
        facts.append(("Repair", change))
    elif finding.rule:
        facts.append(("Rule", esc(finding.rule)))
    if finding.context:
        facts.append(("Near", f'<q class="near">{esc(finding.context)}</q>'))
    extra = dict(finding.extra)
    if finding.acknowledged:
        who = extra.pop("acknowledged_by", "")
        reason = extra.pop("acknowledgement_reason", "")
        facts.append(("Acknowledged", f"{esc(finding.acknowledged)} by {esc(who)} — {esc(reason)}"))
    for name, value in sorted(extra.items()):
        facts.append((esc(name.replace("_", " ").capitalize()), esc(value)))
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    return f'<dl class="facts">{items}</dl>'


def render_finding(view: FindingView) -> str:
    finding = view.finding
    acknowledged = "yes" if finding.acknowledged else "no"
    head = [severity_badge(str(finding.severity))]
    if finding.row_id:
        head.append(f'<span class="row-id">{esc(finding.table)} · {esc(finding.row_id)}</span>')
    elif finding.table:
        head.append(f'<span class="row-id">{esc(finding.table)}</span>')
    if finding.acknowledged:
        head.append(f'<span class="ack-flag">acknowledged {esc(finding.acknowledged)}</span>')
    title = f'<p class="row-title">{esc(view.row_title)}</p>' if view.row_title else ""
    # Errors show their source text at once; the many others keep it folded to keep the page short.
    context = render_context(view.context, finding.severity == "error") if view.context is not None else ""
    anchor = f' id="finding-{esc(finding.finding_id)}"' if finding.finding_id else ""
    return (
        f'<li class="finding"{anchor} data-severity="{esc(finding.severity)}"'
        f' data-table="{esc(finding.table)}" data-acknowledged="{acknowledged}">'
        f'<div class="finding-head">{" ".join(head)}</div>{title}'
        f'<p class="message">{esc(finding.message)}</p>{render_facts(finding)}{context}</li>'
    )


def render_group(code: str, views: Sequence[FindingView]) -> str:
    entry = FINDING_CODES[code]
    items = "".join(render_finding(view) for view in views)
    return (
        f'<section class="code-group" id="code-{esc(code)}" data-code="{esc(code)}">'
        f'<h3>{severity_badge(entry.severity)} {esc(entry.title)} <code class="code">{esc(code)}</code>'
        f' <span class="group-count"><span class="shown">{len(views)}</span> of {len(views)}</span></h3>'
        f'<p class="description">{esc(entry.description)}</p><ol class="findings">{items}</ol></section>'
    )


def render_chart(findings: Sequence[Finding]) -> str:
    """Findings per code as horizontal bars split by severity, in inline SVG (links jump to the group)."""
    per_code: dict[str, Counter[str]] = {}
    for finding in findings:
        per_code.setdefault(finding.code, Counter())[str(finding.severity)] += 1
    if not per_code:
        return '<p class="empty">No findings.</p>'
    codes = sorted(per_code, key=code_order)
    label_width, bar_width, row_height = 330, 330, 26
    width, height = label_width + bar_width + 60, row_height * len(codes) + 8
    largest = max(sum(counts.values()) for counts in per_code.values())
    parts = []
    for index, code in enumerate(codes):
        y = 4 + index * row_height
        total = sum(per_code[code].values())
        parts.append(f'<a href="#code-{esc(code)}"><title>{esc(code)}: {total}</title>')
        parts.append(
            f'<text x="{label_width - 10}" y="{y + 17}" text-anchor="end" class="chart-label">'
            f"{esc(FINDING_CODES[code].title)}</text>"
        )
        x = float(label_width)
        for severity in SEVERITIES:
            count = per_code[code][severity]
            if not count:
                continue
            span = max(2.0, bar_width * count / largest)
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{span:.1f}" height="{row_height - 8}" rx="2"'
                f' class="bar sev-{severity}"/>'
            )
            x += span
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 17}" class="chart-count">{total}</text></a>')
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" role="img"'
        f' aria-label="Findings per code">{"".join(parts)}</svg>'
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table of already escaped cells; columns listed in `numeric` align right."""

    def cell(tag: str, index: int, content: str) -> str:
        css = ' class="num"' if index in numeric else ""
        return f"<{tag}{css}>{content}</{tag}>"

    head = "".join(cell("th", index, esc(header)) for index, header in enumerate(headers))
    lines = ("".join(cell("td", index, content) for index, content in enumerate(row)) for row in rows)
    body = "".join(f"<tr>{line}</tr>" for line in lines)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_summary(page: ReportPage) -> str:
    counts = page.counts
    by_severity = counts["by_severity"]
    acknowledged_by_severity = Counter(str(f.severity) for f in page.findings if f.acknowledged)
    cards = []
    for severity in SEVERITIES:
        acknowledged = acknowledged_by_severity[severity]
        note = f"{acknowledged} acknowledged" if acknowledged else "none acknowledged"
        cards.append(
            f'<div class="card sev-{severity}"><span class="num">{by_severity[severity]}</span>'
            f'<span class="label">{severity}{"s" if severity != "info" else ""}</span>'
            f'<span class="sub">{note}</span></div>'
        )
    blocking = counts["unacknowledged_errors"]
    status = "ok" if blocking == 0 else "fail"
    cards.append(
        f'<div class="card status-{status}"><span class="num">{blocking}</span>'
        '<span class="label">errors to review</span>'
        '<span class="sub">errors nobody acknowledged</span></div>'
    )
    inputs = _table(
        ("document", "kind", "format", "sha256"),
        (
            (
                f"<code>{esc(doc.source_file)}</code>",
                esc(doc.kind),
                esc(doc.format),
                f'<code class="hash" title="{esc(doc.sha256)}">{esc(doc.sha256[:12])}…</code>',
            )
            for doc in page.inputs
        ),
    )
    tables = _table(
        ("table", "rows"),
        ((f"<code>{esc(name)}</code>", str(count)) for name, count in page.rows.items()),
        numeric=(1,),
    )
    return (
        f'<section class="summary" aria-label="Summary"><div class="cards">{"".join(cards)}</div>'
        f'<div class="summary-grid"><div><h2>Inputs</h2>{inputs}</div>'
        f"<div><h2>Rows per table</h2>{tables}</div></div>"
        f'<figure class="chart-box"><figcaption>Findings per code</figcaption>{render_chart(page.findings)}'
        f'<p class="legend">{"".join(severity_badge(s) for s in SEVERITIES)}</p></figure></section>'
    )


def render_filters(page: ReportPage) -> str:
    """The filter form; every data table is offered, those without findings too (they show none)."""
    severities = "".join(
        f'<label class="check"><input type="checkbox" name="severity" value="{s}" checked> {s}</label>'
        for s in SEVERITIES
    )
    with_findings = Counter(finding.table for finding in page.findings)
    options = '<option value="*">all tables</option>' + "".join(
        f'<option value="{esc(name)}" data-findings="{with_findings[name]}">'
        f"{esc(name) or '(whole document)'}{'' if with_findings[name] else ' (no findings)'}</option>"
        for name in page.filter_tables
    )
    return (
        '<form class="filters" id="filters" hidden aria-label="Filter findings">'
        f"<fieldset><legend>Severity</legend>{severities}</fieldset>"
        f'<label class="select">Table <select id="filter-table">{options}</select></label>'
        '<label class="check"><input type="checkbox" id="filter-acknowledged" checked>'
        " show acknowledged</label>"
        f'<output id="filter-count" aria-live="polite">{len(page.views)} findings</output></form>'
        '<p class="empty" id="filter-none" hidden></p>'
    )


def render_rule_set() -> str:
    rows = (
        (
            f"<code>{esc(code)}</code>",
            severity_badge(code_entry.severity),
            esc(code_entry.title),
            esc(code_entry.description),
        )
        for code, code_entry in FINDING_CODES.items()
    )
    return (
        '<details class="rules"><summary>Rule set: every finding code</summary>'
        f"{_table(('code', 'severity', 'title', 'meaning'), rows)}</details>"
    )


def render_versions(versions: Mapping[str, str]) -> str:
    items = " · ".join(f"{esc(name)} {esc(version)}" for name, version in versions.items())
    return f'<footer class="page-foot"><p>Built with {items}.</p></footer>'


def report_html(result: BuildResult) -> bytes:
    return render_report(report_page(result))


def render_report(page: ReportPage) -> bytes:
    """The whole page, CSS and script inlined: one file that opens anywhere, offline."""
    groups: dict[str, list[FindingView]] = {}
    for view in page.views:
        groups.setdefault(view.finding.code, []).append(view)
    sections = "".join(render_group(code, groups[code]) for code in sorted(groups, key=code_order))
    rows = sum(count for name, count in page.rows.items() if name != FINDINGS_TABLE)
    counts = page.counts
    lede = (
        f"{len(page.inputs)} input document(s) · {rows} data row(s) · {counts['total']} finding(s),"
        f" {counts['acknowledged']} acknowledged"
    )
    html_page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Validation report · amif-extract</title>
<style>
{report_asset("report.css")}</style>
</head>
<body>
<header class="page-head"><p class="kicker">amif-extract {esc(__version__)}</p><h1>Validation report</h1>
<p class="lede">{esc(lede)}</p></header>
<main>
{render_summary(page)}
<section class="all-findings" aria-label="Findings"><h2>Findings by code</h2>
{render_filters(page)}
{sections or '<p class="empty">This build has no findings.</p>'}
</section>
{render_rule_set()}
</main>
{render_versions(page.versions)}
<script>
{report_asset("report.js")}</script>
</body>
</html>
"""
    return html_page.encode("utf-8")


if __name__ == "__main__":
    # Rewrite the finding-codes table of the Markdown files named on the command line.
    import sys

    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(refresh_codes_table(path.read_text(encoding="utf-8")), encoding="utf-8")
