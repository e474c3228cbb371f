"""The validation report: every finding of a build, for data stewards, as JSON and as one HTML page.

`validation_report.json` is plain data (build metadata, counts, every finding); the HTML page shows
the same findings grouped by code, filterable by severity and table, each with the source text around
it. Both are deterministic: no timestamp, sorted keys, stable order, so a rebuild is byte-identical.
Every piece of document text reaches the HTML through `html.escape`: documents can contain markup.
"""

from __future__ import annotations

import html
import json
import platform
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amif_extract import __version__
from amif_extract.context import SourceContext, SourceTexts
from amif_extract.findings import FINDING_CODES, SEVERITIES, Finding
from amif_extract.specs import table_specs

if TYPE_CHECKING:
    from amif_extract.build_records import BuildResult

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


def finding_ids(result: BuildResult) -> list[str]:
    """The `finding_id` of each finding, taken from the findings table built from the same list."""
    rows = result.tables.get(FINDINGS_TABLE, [])
    if len(rows) != len(result.findings):
        return ["" for _ in result.findings]
    return [
        str(row.get("finding_id", "")) if row.get("code") == finding.code else ""
        for row, finding in zip(rows, result.findings, strict=True)
    ]


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as JSON data: its flat record with page and line as numbers, and its extra details."""
    record: dict[str, Any] = dict(finding.as_record())
    record["source_page"], record["source_line"] = finding.location.page, finding.location.line
    record["extra"] = dict(finding.extra)
    return record


def finding_entry(finding: Finding, finding_id: str) -> dict[str, Any]:
    return {"finding_id": finding_id, **finding_record(finding)}


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
    ids = finding_ids(result)
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
        "findings": [finding_entry(finding, ids[index]) for index, finding in enumerate(result.findings)],
    }


def report_json(result: BuildResult) -> bytes:
    text = json.dumps(report_data(result), sort_keys=True, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def report_files(result: BuildResult) -> dict[str, bytes]:
    """The report's files under `normalized/`, for `pipeline.output_files`."""
    return {REPORT_JSON: report_json(result), REPORT_HTML: report_html(result)}


def codes_markdown_table() -> str:
    """The README's table of finding codes, generated from FINDING_CODES so it cannot drift."""

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


# ---------------------------------------------------------------- HTML pieces


def esc(value: object) -> str:
    """Every piece of text that reaches the page goes through here."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class FindingView:
    """A finding with what the page shows next to it."""

    finding: Finding
    finding_id: str
    row_title: str
    context: SourceContext | None


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
    for finding, finding_id in zip(result.findings, finding_ids(result), strict=True):
        row = rows.get((finding.table, finding.row_id))
        title = str(row.get("title") or "") if row is not None else ""
        context = texts.context_for(finding, anchors_for(finding, row))
        views.append(FindingView(finding, finding_id, title, context))
    return views


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
    anchor = f' id="finding-{esc(view.finding_id)}"' if view.finding_id else ""
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


def render_summary(result: BuildResult, counts: Mapping[str, Any]) -> str:
    by_severity = counts["by_severity"]
    acknowledged_by_severity = Counter(str(f.severity) for f in result.findings if f.acknowledged)
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
            for doc in sorted(result.inputs, key=lambda doc: doc.source_file)
        ),
    )
    tables = _table(
        ("table", "rows"),
        ((f"<code>{esc(name)}</code>", str(len(rows))) for name, rows in result.tables.items()),
        numeric=(1,),
    )
    return (
        f'<section class="summary" aria-label="Summary"><div class="cards">{"".join(cards)}</div>'
        f'<div class="summary-grid"><div><h2>Inputs</h2>{inputs}</div>'
        f"<div><h2>Rows per table</h2>{tables}</div></div>"
        f'<figure class="chart-box"><figcaption>Findings per code</figcaption>{render_chart(result.findings)}'
        f'<p class="legend">{"".join(severity_badge(s) for s in SEVERITIES)}</p></figure></section>'
    )


def render_filters(findings: Sequence[Finding]) -> str:
    severities = "".join(
        f'<label class="check"><input type="checkbox" name="severity" value="{s}" checked> {s}</label>'
        for s in SEVERITIES
    )
    tables = sorted({finding.table for finding in findings})
    options = '<option value="*">all tables</option>' + "".join(
        f'<option value="{esc(name)}">{esc(name) or "(whole document)"}</option>' for name in tables
    )
    return (
        '<form class="filters" id="filters" hidden aria-label="Filter findings">'
        f"<fieldset><legend>Severity</legend>{severities}</fieldset>"
        f'<label class="select">Table <select id="filter-table">{options}</select></label>'
        '<label class="check"><input type="checkbox" id="filter-acknowledged" checked>'
        " show acknowledged</label>"
        f'<output id="filter-count" aria-live="polite">{len(findings)} findings</output></form>'
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
    counts = finding_counts(result.findings)
    with SourceTexts(result.inputs, page_text=result.metadata.get("page_text")) as texts:
        views = finding_views(result, texts)
    groups: dict[str, list[FindingView]] = {}
    for view in views:
        groups.setdefault(view.finding.code, []).append(view)
    sections = "".join(render_group(code, groups[code]) for code in sorted(groups, key=code_order))
    rows = sum(len(rows) for name, rows in result.tables.items() if name != FINDINGS_TABLE)
    lede = (
        f"{len(result.inputs)} input document(s) · {rows} data row(s) · {counts['total']} finding(s),"
        f" {counts['acknowledged']} acknowledged"
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Validation report · amif-extract</title>
<style>{_CSS}</style>
</head>
<body>
<header class="page-head"><p class="kicker">amif-extract {esc(__version__)}</p><h1>Validation report</h1>
<p class="lede">{esc(lede)}</p></header>
<main>
{render_summary(result, counts)}
<section class="all-findings" aria-label="Findings"><h2>Findings by code</h2>
{render_filters(result.findings)}
{sections or '<p class="empty">This build has no findings.</p>'}
</section>
{render_rule_set()}
</main>
{render_versions(library_versions())}
<script>{_SCRIPT}</script>
</body>
</html>
"""
    return page.encode("utf-8")


_CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #dde1e8; --bg: #f6f7f9; --card: #fff;
  --error: #b42318; --error-bg: #fef3f2; --warning: #a15c07; --warning-bg: #fffaeb;
  --info: #1849a9; --info-bg: #eff4ff; --ok: #067647; --ok-bg: #ecfdf3; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
  "Liberation Sans", Arial, sans-serif; -webkit-font-smoothing: antialiased; }
code, pre, .hash { font-size: 0.86em;
  font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.page-head, main, .page-foot { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem; }
.page-head { padding-top: 2rem; padding-bottom: 0.5rem; }
.kicker { margin: 0; color: var(--muted); font-size: 0.85rem; letter-spacing: 0.04em;
  text-transform: uppercase; }
h1 { margin: 0.1rem 0 0.3rem; font-size: 2rem; line-height: 1.2; letter-spacing: -0.01em; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.6rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.3rem; display: flex; flex-wrap: wrap; gap: 0.5rem;
  align-items: center; }
.lede { margin: 0; color: var(--muted); font-size: 1.05rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.8rem;
  margin-top: 1.2rem; }
.card { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--muted);
  border-radius: 8px; padding: 0.7rem 1rem; display: flex; flex-direction: column; }
.card .num { text-align: left; font-size: 1.8rem; font-weight: 700; line-height: 1.1;
  font-variant-numeric: tabular-nums; }
.card .label { font-weight: 600; }
.card .sub { color: var(--muted); font-size: 0.85rem; }
.card.sev-error { border-left-color: var(--error); } .card.sev-warning { border-left-color: var(--warning); }
.card.sev-info { border-left-color: var(--info); } .card.status-ok { border-left-color: var(--ok); }
.card.status-fail { border-left-color: var(--error); background: var(--error-bg); }
.summary-grid { display: grid; grid-template-columns: 3fr 2fr; gap: 1.5rem; }
@media (max-width: 760px) { .summary-grid { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; overflow: hidden; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.4rem 0.7rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: #eef0f4; font-weight: 600; }
tr:last-child td { border-bottom: 0; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart-box { margin: 1.5rem 0 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 0.8rem 1rem; }
.chart-box figcaption { font-weight: 600; margin-bottom: 0.4rem; }
svg.chart { max-width: 100%; height: auto; display: block; }
.chart-label { font-size: 13px; fill: var(--ink); }
.chart-count { font-size: 13px; fill: var(--muted); font-weight: 600; }
svg.chart a:hover .chart-label { text-decoration: underline; }
.bar.sev-error { fill: var(--error); } .bar.sev-warning { fill: #dc8a16; } .bar.sev-info { fill: #5b8def; }
.legend { margin: 0.3rem 0 0; display: flex; gap: 0.4rem; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.75rem;
  font-weight: 700; letter-spacing: 0.03em; text-transform: uppercase; border: 1px solid currentColor; }
.badge.sev-error { color: var(--error); background: var(--error-bg); }
.badge.sev-warning { color: var(--warning); background: var(--warning-bg); }
.badge.sev-info { color: var(--info); background: var(--info-bg); }
.filters { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 0.6rem 1.4rem;
  align-items: center; background: rgba(246, 247, 249, 0.96); border-bottom: 1px solid var(--line);
  padding: 0.6rem 0; margin-bottom: 1rem; backdrop-filter: blur(4px); }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 0.8rem; align-items: center; }
.filters legend { float: left; font-weight: 600; margin-right: 0.4rem; }
.filters label.select { font-weight: 600; } .filters select { margin-left: 0.4rem; font: inherit; }
.filters .check { font-weight: 400; white-space: nowrap; }
#filter-count { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
.code-group { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 1rem 1.2rem 0.4rem; margin-bottom: 1.2rem; scroll-margin-top: 4.5rem; }
.code-group .code { color: var(--muted); font-weight: 400; }
.group-count { margin-left: auto; color: var(--muted); font-weight: 400; font-size: 0.9rem; }
.description { margin: 0 0 0.6rem; color: var(--muted); max-width: 60rem; }
ol.findings { list-style: none; margin: 0; padding: 0; }
.finding { border-top: 1px solid var(--line); padding: 0.75rem 0 0.8rem; }
.finding[data-acknowledged="yes"] { opacity: 0.82; }
.finding-head { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; font-size: 0.9rem; }
.row-id { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.82rem;
  color: var(--muted); word-break: break-all; }
.ack-flag { color: var(--ok); background: var(--ok-bg); border: 1px solid var(--ok); border-radius: 999px;
  padding: 0 0.5rem; font-size: 0.78rem; font-weight: 600; }
.row-title { margin: 0.35rem 0 0; font-weight: 600; }
.message { margin: 0.2rem 0 0.4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0;
  font-size: 0.92rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code.value { background: #f1f3f6; border: 1px solid var(--line); border-radius: 4px; padding: 0 0.3rem; }
code.before { text-decoration: line-through; text-decoration-color: rgba(180, 35, 24, 0.5); }
code.after { background: var(--ok-bg); border-color: #abefc6; }
.arrow { color: var(--muted); }
.dropped { color: var(--muted); font-style: italic; }
.rule { color: var(--muted); font-size: 0.88rem; }
q.near { color: var(--muted); font-style: italic; }
details.context { margin-top: 0.45rem; }
details.context summary { cursor: pointer; color: var(--info); font-size: 0.9rem; }
pre.source { margin: 0.4rem 0 0; padding: 0.5rem 0; background: #fbfbfc; border: 1px solid var(--line);
  border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45; }
pre.source .line { display: grid; grid-template-columns: 3.2rem 1fr; }
pre.source .ln { color: #98a2b3; text-align: right; padding-right: 0.8rem; user-select: none; }
pre.source .marked { background: #fff4cc; box-shadow: inset 3px 0 0 #e7a500; }
pre.source .tab { color: #b0b7c3; padding: 0 0.4em; }
.rules { margin: 2rem 0; } .rules summary { cursor: pointer; font-weight: 600; }
.rules table { margin-top: 0.6rem; }
.page-foot { color: var(--muted); font-size: 0.85rem; padding-top: 1rem; padding-bottom: 2.5rem;
  border-top: 1px solid var(--line); }
.empty { color: var(--muted); }
[hidden] { display: none !important; }
"""

_SCRIPT = """
(function () {
  "use strict";
  // Filters live in the address's #fragment (severity=error,warning&table=amif_projects&acknowledged=0)
  // so a steward can share or bookmark a filtered view; everything runs offline from this file.
  var form = document.getElementById("filters");
  var severityBoxes = Array.prototype.slice.call(form.querySelectorAll('input[name="severity"]'));
  var tableSelect = document.getElementById("filter-table");
  var acknowledgedBox = document.getElementById("filter-acknowledged");
  var counter = document.getElementById("filter-count");
  var findings = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.code-group"));
  function readFragment() {
    var params = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) { params[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1)); }
    });
    if (params.severity !== undefined) {
      var wanted = params.severity.split(",");
      severityBoxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    }
    if (params.table !== undefined) {
      var known = Array.prototype.some.call(tableSelect.options, function (option) {
        return option.value === params.table;
      });
      if (known) { tableSelect.value = params.table; }
    }
    if (params.acknowledged !== undefined) { acknowledgedBox.checked = params.acknowledged !== "0"; }
  }
  function writeFragment() {
    var severities = severityBoxes.filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    var fragment = "severity=" + severities.join(",") + "&table=" + encodeURIComponent(tableSelect.value)
      + "&acknowledged=" + (acknowledgedBox.checked ? "1" : "0");
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + fragment);
    }
  }
  function applyFilters() {
    var severities = {};
    severityBoxes.forEach(function (box) { severities[box.value] = box.checked; });
    var table = tableSelect.value;
    var shown = 0;
    findings.forEach(function (item) {
      var visible = severities[item.dataset.severity] === true
        && (table === "*" || item.dataset.table === table)
        && (acknowledgedBox.checked || item.dataset.acknowledged !== "yes");
      item.hidden = !visible;
      if (visible) { shown += 1; }
    });
    groups.forEach(function (group) {
      var count = group.querySelectorAll("li.finding:not([hidden])").length;
      group.hidden = count === 0;
      group.querySelector(".shown").textContent = String(count);
    });
    counter.textContent = "Showing " + shown + " of " + findings.length + " findings";
    document.body.setAttribute("data-filter", "ready");
    document.body.setAttribute("data-shown", String(shown));
  }
  form.addEventListener("change", function () { applyFilters(); writeFragment(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("hashchange", function () { readFragment(); applyFilters(); });
  form.hidden = false;
  readFragment();
  applyFilters();
})();
"""


if __name__ == "__main__":
    # Rewrite the finding-codes table of the Markdown files named on the command line.
    import sys

    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(refresh_codes_table(path.read_text(encoding="utf-8")), encoding="utf-8")
