"""The validation report (JSON + HTML), source context and acknowledgements, on the real AMIF list."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from conftest import ACKNOWLEDGEMENTS

from amif_extract.acknowledge import (
    acknowledge_findings,
    load_acknowledgements,
    parse_acknowledgements,
    unmatched_acknowledgements,
)
from amif_extract.assembly import finding_rows
from amif_extract.build_records import BuildResult, InputDocument
from amif_extract.check import CheckOutcome, format_outcome
from amif_extract.context import ContextSettings, SourceTexts
from amif_extract.errors import InputError
from amif_extract.findings import (
    FINDING_CODES,
    FINDING_ID_COLUMNS,
    Finding,
    SourceLocation,
    finding_digest,
    format_bbox,
    format_coordinate,
    with_finding_ids,
)
from amif_extract.pipeline import extract_files, output_files
from amif_extract.rebuild import with_acknowledgements
from amif_extract.report import (
    REPORT_HTML,
    REPORT_JSON,
    codes_markdown_table,
    refresh_codes_table,
    render_report,
    report_files,
    report_page,
)
from amif_extract.sources import load_manifest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FORCED_RETURNS = "so3-organisation-et-execution-de-retour-8f0704"
NO_PERIOD_ROW = "so2-construire-ensemble-une-societe-forte-bae2e6"


def acknowledged(result: BuildResult) -> BuildResult:
    return with_acknowledgements(result, load_acknowledgements(ACKNOWLEDGEMENTS))


@pytest.fixture(scope="module")
def text_build(raw_dir: Path) -> BuildResult:
    return acknowledged(extract_files([raw_dir / "amif_projets_cofinances.txt"]))


@pytest.fixture(scope="module")
def pdf_build(raw_dir: Path) -> BuildResult:
    return acknowledged(extract_files([raw_dir / "amif_projets_cofinances.pdf"]))


@pytest.fixture(scope="module")
def pdf_outputs(pdf_build: BuildResult) -> dict[str, bytes]:
    """Every file the build writes (reading the PDF's pages for the report takes a second: once)."""
    return output_files(pdf_build)


@pytest.fixture(scope="module")
def pdf_files(pdf_outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {name: pdf_outputs[name] for name in (REPORT_JSON, REPORT_HTML)}


@pytest.fixture(scope="module")
def text_files(text_build: BuildResult) -> dict[str, bytes]:
    return report_files(text_build)


def the_finding(result: BuildResult, code: str, row_id: str) -> Finding:
    matches = [f for f in result.findings if f.code == code and f.row_id == row_id]
    assert len(matches) == 1, matches
    return matches[0]


# ---------------------------------------------------------------- JSON


def test_json_report_has_build_metadata_counts_and_every_finding(pdf_build: BuildResult, pdf_files, raw_dir):
    data = json.loads(pdf_files[REPORT_JSON])
    manifest = {source.file: source for source in load_manifest(raw_dir).sources}
    [document] = data["build"]["inputs"]
    assert document == {
        "source_file": "amif_projets_cofinances.pdf",
        "kind": "amif_table",
        "format": "pdf",
        "sha256": manifest["amif_projets_cofinances.pdf"].sha256,
    }
    assert set(data["build"]["versions"]) == {
        "amif-extract",
        "python",
        "pdfplumber",
        "pandas",
        "pandera",
        "pyarrow",
    }
    assert data["counts"]["rows"]["amif_projects"] == len(pdf_build.tables["amif_projects"])
    counts = data["counts"]["findings"]
    assert counts["total"] == len(pdf_build.findings) == len(data["findings"])
    assert sum(counts["by_severity"].values()) == counts["total"] == sum(counts["by_code"].values())
    assert counts["unacknowledged_errors"] == 0
    assert counts["acknowledged"] == sum(1 for finding in pdf_build.findings if finding.acknowledged) >= 2

    reported = [(entry["code"], entry["row_id"], entry["column"]) for entry in data["findings"]]
    assert reported == [(finding.code, finding.row_id, finding.column) for finding in pdf_build.findings]
    ids = [row["finding_id"] for row in pdf_build.tables["findings"]]
    assert [entry["finding_id"] for entry in data["findings"]] == ids

    mismatch = next(
        e for e in data["findings"] if e["code"] == "total_mismatch" and e["row_id"] == FORCED_RETURNS
    )
    assert mismatch["severity"] == "error"
    assert mismatch["value"] == "1218327.29"
    assert (
        mismatch["message"]
        == "shares add up to 1231733.21 but the total is 1218327.29 (difference -13405.92)"
    )
    assert mismatch["source_file"] == "amif_projets_cofinances.pdf"
    assert mismatch["source_page"] == 12 and mismatch["source_line"] is None
    assert mismatch["acknowledged"] == "2026-11-23"
    assert "1 218 327.29" in mismatch["extra"]["acknowledgement_reason"]
    assert data["codes"]["total_mismatch"]["title"] == FINDING_CODES["total_mismatch"].title


def test_json_report_is_deterministic_sorted_and_utf8(text_build: BuildResult, text_files, raw_dir):
    again = report_files(acknowledged(extract_files([raw_dir / "amif_projets_cofinances.txt"])))
    assert again == text_files, "two builds of the same document must give byte-identical reports"
    raw = text_files[REPORT_JSON]
    assert raw.endswith(b"}\n")
    text = raw.decode("utf-8")
    assert "« »" in text and "\\u00ab" not in text  # ensure_ascii=False
    data = json.loads(text)
    assert json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n" == text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), "no wall-clock timestamp in the report"


def test_report_files_are_part_of_every_build_output(text_build: BuildResult, text_files):
    files = output_files(text_build)
    assert files[REPORT_JSON] == text_files[REPORT_JSON]
    assert files[REPORT_HTML] == text_files[REPORT_HTML]


# ---------------------------------------------------------------- HTML


def test_html_is_one_self_contained_offline_file(pdf_files):
    page = pdf_files[REPORT_HTML].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "<svg" in page
    assert page.count("<script") == 1, "the page's own filter script is its only script"
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page), "no external resource"
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_html_summary_chart_and_groups_come_from_the_build(pdf_build: BuildResult, pdf_files):
    page = pdf_files[REPORT_HTML].decode("utf-8")
    assert "amif_projets_cofinances.pdf" in page
    rows = len(pdf_build.tables["amif_projects"])
    assert f'<td><code>amif_projects</code></td><td class="num">{rows}</td>' in page
    codes = {finding.code for finding in pdf_build.findings}
    for code in codes:
        assert f'<section class="code-group" id="code-{code}"' in page
        assert f'<a href="#code-{code}">' in page  # its bar in the chart links to the group
        assert FINDING_CODES[code].description.replace("'", "&#x27;") in page
    assert page.count('<li class="finding"') == len(pdf_build.findings)
    assert page.count('data-acknowledged="yes">') == sum(
        1 for finding in pdf_build.findings if finding.acknowledged
    )


def finding_item(page: str, code: str, row_id: str, column: str) -> str:
    """The <li> of one finding in its code's group: its head names the row, its facts the column."""
    start = page.index(f'<section class="code-group" id="code-{code}"')
    group = page[start : page.index("</section>", start)]
    for item in re.findall(r'<li class="finding".*?</li>', group, flags=re.S):
        if f"· {row_id}</span>" in item and f"<dd><code>{column}</code></dd>" in item:
            return item
    raise AssertionError(f"no finding item for {code} {row_id} {column}")


def test_html_shows_the_pdf_page_lines_around_the_mismatched_total(pdf_build: BuildResult, pdf_files):
    page = pdf_files[REPORT_HTML].decode("utf-8")
    item = finding_item(page, "total_mismatch", FORCED_RETURNS, "total_cost")
    assert "amif_projets_cofinances.pdf, page 12" in item
    assert "acknowledged 2026-11-23" in item
    marked = re.findall(r'<span class="line marked">.*?<span class="tx">(.*?)</span></span>', item)
    assert marked == [
        "Organisation et exécution de retour forcés 01/01/2021- 923 799,91 € 307 933,30 € 1 218 327.29 €"
    ]
    assert "- Porteur du projet : Direction de l&#x27;immigration 31/12/2029" in item


def test_html_shows_the_text_lines_around_the_finding_escaped(text_build: BuildResult, text_files):
    finding = the_finding(text_build, "total_mismatch", FORCED_RETURNS)
    page = text_files[REPORT_HTML].decode("utf-8")
    item = finding_item(page, "total_mismatch", FORCED_RETURNS, "total_cost")
    assert f"amif_projets_cofinances.txt, line {finding.location.line}" in item
    marked = re.findall(r'<span class="line marked"><span class="ln" title="line">(\d+)</span>', item)
    assert marked == [str(finding.location.line)]
    assert "923 799,91 €" in item
    # The text extraction's leaked hyperlink markup is shown as text, never as markup.
    assert "&lt;u&gt;Direction de&lt;/u&gt;" in item
    assert "<u>" not in page


def test_html_shows_repairs_before_and_after_with_their_rule(text_build: BuildResult, text_files):
    page = text_files[REPORT_HTML].decode("utf-8")
    repair = next(f for f in text_build.findings if f.code == "repaired_value" and f.value == "155.0 | 000€")
    item = finding_item(page, "repaired_value", repair.row_id, repair.column)
    assert '<code class="value before">155.0 | 000€</code>' in item
    assert '<code class="value after">155.000€</code>' in item
    assert f"rule: {repair.rule}" in item


def test_every_piece_of_document_text_is_escaped(raw_dir: Path):
    """Synthetic: the documents contain no script, so one is planted in every text field of a finding."""
    evil = "<script>alert(1)</script>"
    document = InputDocument(
        raw_dir / "amif_projets_cofinances.txt", "amif_projets_cofinances.txt", "amif_table", "text", "0" * 64
    )
    finding = Finding(
        "repaired_value",
        f"message {evil}",
        SourceLocation("amif_projets_cofinances.txt", line=29),
        table=f"t{evil}",
        row_id=f"r{evil}",
        column=f"c{evil}",
        value=evil,
        repaired=f"after {evil}",
        rule=f"rule {evil}",
        context=f"near {evil}",
        extra=(("note", evil),),
        acknowledged="2026-11-23",
    )
    result = BuildResult({"findings": finding_rows([finding])}, [finding], [document])
    page = report_files(result)[REPORT_HTML].decode("utf-8")
    assert "<script>alert(1)" not in page
    assert page.count("<script") == 1
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 9
    assert '"' + evil not in page and "'" + evil not in page


def test_github_annotation_of_a_pdf_finding_gives_its_page(pdf_build: BuildResult):
    """Without its acknowledgement the published total fails `check`; a PDF has no lines: no line, a page."""
    forced_returns = ("total_mismatch", "amif_projects", FORCED_RETURNS)
    kept = [a for a in load_acknowledgements(ACKNOWLEDGEMENTS) if a.key[:3] != forced_returns]
    result = with_acknowledgements(pdf_build, kept)
    outcome = CheckOutcome(Path("raw"), Path("normalized"), Path("acks.csv"), result, [], [], [])
    assert [f.row_id for f in outcome.blocking] == [FORCED_RETURNS]
    assert format_outcome(outcome, "github").splitlines()[0] == (
        "::error file=raw/amif_projets_cofinances.pdf,"
        f"title=total_mismatch [amif_projects {FORCED_RETURNS} total_cost] page 12"
        "::page 12: shares add up to 1231733.21 but the total is 1218327.29 (difference -13405.92)"
        " (value '1218327.29')"
    )


# ---------------------------------------------------------------- data apart from rendering


def test_every_finding_carries_the_id_of_its_findings_table_row(pdf_build: BuildResult):
    ids = [finding.finding_id for finding in pdf_build.findings]
    assert ids == [row["finding_id"] for row in pdf_build.tables["findings"]]
    assert all(ids) and len(set(ids)) == len(ids)
    # Acknowledging a finding does not rename it: without the acknowledgements, the same ids.
    plain = with_acknowledgements(pdf_build, [])
    assert sum(1 for finding in pdf_build.findings if finding.acknowledged) == 9
    assert not any(finding.acknowledged for finding in plain.findings)
    assert [finding.finding_id for finding in plain.findings] == ids
    assert [row["finding_id"] for row in plain.tables["findings"]] == ids


def test_the_page_is_rendered_from_its_data_with_the_package_css_and_script_inlined(text_build: BuildResult):
    page = report_page(text_build)
    assert [view.finding for view in page.views] == text_build.findings
    assert "conventions" in page.filter_tables  # a table without findings can still be chosen
    html_bytes = render_report(page)
    assert html_bytes == render_report(page) == report_files(text_build)[REPORT_HTML]
    text = html_bytes.decode("utf-8")
    for name in ("report.css", "report.js"):
        asset = resources.files("amif_extract").joinpath("report_assets", name)
        assert asset.is_file()
        assert asset.read_text(encoding="utf-8") in text
    assert "<link" not in text and " src=" not in text  # nothing fetched: the page opens offline
    for finding in text_build.findings:
        assert f'id="finding-{finding.finding_id}"' in text


def test_the_assets_are_package_data_of_the_wheel():
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    package_data = tomllib.loads(pyproject)["tool"]["setuptools"]["package-data"]["amif_extract"]
    assert {"report_assets/*.css", "report_assets/*.js"} <= set(package_data)


# ---------------------------------------------------------------- finding ids

STITCH_FILE, STITCH_ROW = "amif_projets_cofinances.pdf", "so1-racines-dda1ee"
# The box of the summary of *Racines* stitched from page 3, and the same box half a point off, as a second
# PDF engine reads it.
STITCH_BBOX = (39.8, 67.9, 734.7, 156.2)
OTHER_ENGINE_BBOX = (40.3, 68.4, 735.1, 156.7)


def test_finding_ids_are_made_of_what_a_finding_says_and_where():
    assert FINDING_ID_COLUMNS == (
        "code",
        "severity",
        "table",
        "row_id",
        "column",
        "message",
        "source_file",
        "source_page",
        "source_line",
        "value",
        "repaired",
        "rule",
    )


def test_a_finding_keeps_its_id_whatever_its_bbox_and_context(pdf_build: BuildResult):
    stitched = the_finding(pdf_build, "page_stitch", STITCH_ROW)
    assert stitched.location.bbox is not None
    assert tuple(round(value, 1) for value in stitched.location.bbox) == STITCH_BBOX
    assert stitched.finding_id == "51d3e6e558ca" == finding_digest(stitched)
    moved = dataclasses.replace(
        stitched,
        location=dataclasses.replace(stitched.location, bbox=OTHER_ENGINE_BBOX),
        context=stitched.context[:40],
    )
    assert moved.as_record()["bbox"] == "40.3 68.4 735.1 156.7"
    assert finding_digest(moved) == "51d3e6e558ca"


@pytest.mark.parametrize(
    ("change", "changed_id"),
    [
        ({"location": SourceLocation(STITCH_FILE, page=4, bbox=STITCH_BBOX)}, "22b89b0467a5"),
        ({"row_id": "so1-zougang-4dcbc9"}, "f285e100b916"),
        ({"code": "missing_value", "severity": "warning"}, "6e50a17c2cd4"),
    ],
)
def test_another_page_row_or_code_is_another_id(pdf_build: BuildResult, change: dict, changed_id: str):
    stitched = the_finding(pdf_build, "page_stitch", STITCH_ROW)
    assert finding_digest(dataclasses.replace(stitched, **change)) == changed_id != stitched.finding_id


def test_repeats_are_numbered_in_order_whatever_their_boxes(pdf_build: BuildResult):
    """Synthetic: the real documents print no finding twice; two engines' boxes of one stitch stand in."""
    stitched = the_finding(pdf_build, "page_stitch", STITCH_ROW)
    at = [dataclasses.replace(stitched.location, bbox=bbox) for bbox in (STITCH_BBOX, OTHER_ENGINE_BBOX)]
    twice = [dataclasses.replace(stitched, location=location, finding_id="") for location in at]
    assert [finding.finding_id for finding in with_finding_ids(twice)] == ["51d3e6e558ca", "51d3e6e558ca-2"]
    by_box = {finding.location.bbox: finding.finding_id for finding in with_finding_ids(twice[::-1])}
    assert by_box == {OTHER_ENGINE_BBOX: "51d3e6e558ca", STITCH_BBOX: "51d3e6e558ca-2"}


def test_the_acknowledged_total_mismatch_has_its_id_of_the_committed_findings(pdf_build: BuildResult):
    mismatch = the_finding(pdf_build, "total_mismatch", FORCED_RETURNS)
    assert mismatch.acknowledged == "2026-11-23"
    assert mismatch.finding_id == "96d3e5c1f7e5"
    committed = (PROJECT_ROOT / "normalized" / "findings.csv").read_text(encoding="utf-8")
    assert f"96d3e5c1f7e5,total_mismatch,error,2026-11-23,amif_projects,{FORCED_RETURNS}," in committed


# ---------------------------------------------------------------- bbox


@pytest.mark.parametrize(
    ("one_engine", "other_engine", "printed"),
    [
        (39.8499, 39.8501, "39.9"),  # a tie at 39.85, read a hair below and a hair above
        (39.85, 39.849998474121094, "39.9"),  # 39.85 and its float32 reading
        (267.8500000000001, 267.85, "267.9"),  # a tie of the real brochure, page 16
        (39.8494, 39.84, "39.8"),
        (156.2, 156.2001, "156.2"),
    ],
)
def test_a_coordinate_prints_alike_when_two_engines_read_it_a_hair_apart(
    one_engine: float, other_engine: float, printed: str
):
    assert format_coordinate(one_engine) == format_coordinate(other_engine) == printed


def test_the_bbox_column_prints_each_coordinate_with_one_decimal():
    box = (39.8499, 67.94, 734.6, 156.2501)
    location = SourceLocation(STITCH_FILE, page=3, bbox=box)
    assert format_bbox(box) == "39.9 67.9 734.6 156.3"
    assert Finding("page_stitch", "stitched", location).as_record()["bbox"] == "39.9 67.9 734.6 156.3"


# ---------------------------------------------------------------- context


def test_text_context_marks_the_line_and_shows_its_neighbours(raw_dir: Path):
    document = InputDocument(
        raw_dir / "amif_projets_cofinances.txt", "amif_projets_cofinances.txt", "amif_table", "text", ""
    )
    finding = Finding("missing_value", "m", SourceLocation("amif_projets_cofinances.txt", line=1))
    with SourceTexts([document], ContextSettings(lines_before=3, lines_after=2)) as texts:
        context = texts.context_for(finding)
    assert context is not None
    assert [line.number for line in context.lines] == [1, 2, 3]  # no lines before the first one
    assert context.lines[0].text == "Version FR:" and context.lines[0].marked
    assert not any(line.marked for line in context.lines[1:])


def test_pdf_context_uses_the_findings_bbox(pdf_build: BuildResult, raw_dir: Path):
    stitched = next(
        f for f in pdf_build.findings if f.location.bbox is not None and f.code == "missing_value"
    )
    document = next(doc for doc in pdf_build.inputs)
    with SourceTexts([document]) as texts:
        context = texts.context_for(stitched)
    assert context is not None and context.how == "bbox" and context.page == stitched.location.page
    row = next(r for r in pdf_build.tables["amif_projects"] if r["project_id"] == stitched.row_id)
    marked = " ".join(line.text for line in context.lines if line.marked)
    assert str(row["title"]).split()[0] in marked


def test_context_settings_refuse_nonsense():
    with pytest.raises(ValueError, match="lines_before"):
        ContextSettings(lines_before=-1)
    with pytest.raises(ValueError, match="max_line_chars"):
        ContextSettings(max_line_chars=0)


# ---------------------------------------------------------------- acknowledgements


def test_acknowledged_findings_stay_in_the_outputs_marked_with_the_date(pdf_build: BuildResult, pdf_outputs):
    mismatch = the_finding(pdf_build, "total_mismatch", FORCED_RETURNS)
    assert mismatch.acknowledged == "2026-11-23"
    no_period = the_finding(pdf_build, "period_invalid", NO_PERIOD_ROW)
    assert no_period.acknowledged == "2026-11-23"
    csv_text = pdf_outputs["findings.csv"].decode("utf-8")
    line = next(line for line in csv_text.splitlines() if line.split(",")[1] == "total_mismatch")
    assert ",error,2026-11-23,amif_projects," + FORCED_RETURNS + ",total_cost," in line


def test_every_seeded_acknowledgement_matches_a_finding_of_both_formats(pdf_build, text_build):
    """Row ids are the same in the PDF and the text build, so one file serves both."""
    acknowledgements = load_acknowledgements(ACKNOWLEDGEMENTS)
    assert unmatched_acknowledgements(pdf_build.findings, acknowledgements) == []
    assert unmatched_acknowledgements(text_build.findings, acknowledgements) == []
    assert all(acknowledgement.reason for acknowledgement in acknowledgements)


def test_acknowledging_again_replaces_the_marks(pdf_build: BuildResult):
    cleared = acknowledge_findings(pdf_build.findings, [])
    assert not any(finding.acknowledged for finding in cleared)
    assert not any(name == "acknowledgement_reason" for finding in cleared for name, _ in finding.extra)


HEADER = "code,table,row_id,column,reason,acknowledged_on,acknowledged_by\n"


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("total_mismatch,amif_projects,r1,total_cost,true fact,2026-11-23\n", 2, "6 fields, expected 7"),
        ("no_such_code,amif_projects,r1,total_cost,true fact,2026-11-23,me\n", 2, "unknown finding code"),
        ("total_mismatch,amif_projects,r1,total_cost,true fact,23/11/2026,me\n", 2, "is not a date"),
        ("total_mismatch,amif_projects,r1,total_cost,,2026-11-23,me\n", 2, "reason empty"),
        (
            "total_mismatch,amif_projects,r1,total_cost,a,2026-11-23,me\n\n"
            "total_mismatch,amif_projects,r1,total_cost,b,2026-11-23,me\n",
            4,
            "same finding as line 2",
        ),
    ],
)
def test_malformed_acknowledgements_name_file_and_line(tmp_path: Path, body: str, line: int, reason: str):
    """Synthetic: broken steward files the repository does not contain."""
    path = tmp_path / "acknowledged_findings.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_acknowledgements(path)
    assert str(raised.value).startswith(f"{path}: line {line}: ")
    assert reason in str(raised.value)


def test_an_acknowledgements_file_keyed_by_finding_id_is_refused_on_its_header_line(tmp_path: Path):
    """Synthetic: a file a steward might make from findings.csv; acknowledgements never used finding ids."""
    path = tmp_path / "acknowledged_findings.csv"
    path.write_text(
        "finding_id,reason,acknowledged_on,acknowledged_by\n96d3e5c1f7e5,fact,2026-11-23,me\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        load_acknowledgements(path)
    assert str(raised.value) == (
        f"{path}: line 1: a finding_id column, but acknowledgements match findings on code, table, row_id"
        " and column, not on finding ids (which change when a finding's message or place does): copy those"
        " four columns from findings.csv; the header must be"
        " code,table,row_id,column,reason,acknowledged_on,acknowledged_by"
    )


def test_acknowledgements_file_needs_its_header_and_must_exist(tmp_path: Path):
    with pytest.raises(InputError, match=r"line 1: the header must be code,table,row_id"):
        parse_acknowledgements("code,row_id\n", tmp_path / "a.csv")
    with pytest.raises(InputError, match="acknowledgements file not found"):
        load_acknowledgements(tmp_path / "missing.csv")


# ---------------------------------------------------------------- docs


def test_readme_section_lists_every_finding_code_from_the_one_source():
    docs = (PROJECT_ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert codes_markdown_table() in docs, "run: python -m amif_extract.report docs/report.md"
    assert refresh_codes_table(docs) == docs
    for code in FINDING_CODES:
        assert f"| `{code}` |" in codes_markdown_table()
