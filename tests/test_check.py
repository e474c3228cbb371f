"""`amif-extract check`: the CI gate, driven through the CLI on the real documents and on edited copies."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ACKNOWLEDGEMENTS, PROJECT_ROOT, copy_dataset
from typer.testing import CliRunner

from amif_extract.check import escape_data, escape_property, workflow_command
from amif_extract.cli import app
from amif_extract.dataset import open_dataset
from amif_extract.rebuild import build_dataset
from amif_extract.write import write_output_folder

TEXT = "amif_projets_cofinances.txt"
ATELIERS = "so1-ateliers-autour-de-la-naissance-ba0898"
FORCED_RETURNS = "so3-organisation-et-execution-de-retour-8f0704"
# The printed EU share of "Ateliers autour de la naissance"; the copy changes it by one cent.
ATELIERS_EU_SHARE, EDITED_EU_SHARE = "94 092.97€", "94 092.98€"

runner = CliRunner()


def invoke(*arguments: str | Path):
    return runner.invoke(app, [str(argument) for argument in arguments])


def annotations(output: str, command: str = "error") -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"::{command} ")]


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    [number] = [index for index, line in enumerate(lines, 1) if text in line]
    return number


def acknowledgements_without(tmp_path: Path, code: str, row_id: str) -> Path:
    """A copy of the steward file with one acknowledgement removed."""
    lines = ACKNOWLEDGEMENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{code},amif_projects,{row_id},")]
    assert len(kept) == len(lines) - 1
    path = tmp_path / "acknowledged_findings.csv"
    path.write_text("".join(kept), encoding="utf-8")
    return path


def use_text_extraction(raw: Path, edit: tuple[str, str]) -> None:
    """In a copy of raw/: edit the AMIF text and make the manifest list it alone, with its new sha256.

    The AMIF PDF entry goes so that the build reads the text; the other documents go too, because they
    do not bear on the AMIF rows and every `check` below rebuilds the copy (main's test reads them all).
    """
    text = raw / TEXT
    data = text.read_bytes()
    assert data.count(edit[0].encode()) == 1
    text.write_bytes(data.replace(edit[0].encode(), edit[1].encode()))
    manifest = (raw / "sources.toml").read_text(encoding="utf-8")
    header, *entries = manifest.split("[[source]]")
    [entry] = [entry for entry in entries if f'file = "{TEXT}"' in entry]
    digest = hashlib.sha256(text.read_bytes()).hexdigest()
    entry = re.sub(r'sha256 = "[0-9a-f]+"', f'sha256 = "{digest}"', entry)
    (raw / "sources.toml").write_text(header + "[[source]]" + entry, encoding="utf-8")


@pytest.fixture(scope="module")
def edited_repo(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository copy whose AMIF text has one share changed, built with the steward's acknowledgements.

    Its committed `normalized/` is what a fresh build of the edited copy writes, so the only reason for
    `check` to fail is the edited row.
    """
    root = copy_dataset(tmp_path_factory.mktemp("edited-repo"), normalized=False)
    use_text_extraction(root / "raw", (ATELIERS_EU_SHARE, EDITED_EU_SHARE))
    _, files = build_dataset(open_dataset(root))
    write_output_folder(root / "normalized", files)
    return root


# ---------------------------------------------------------------- the real repository


def test_check_passes_on_the_committed_repository(monkeypatch: pytest.MonkeyPatch):
    """On main the only error findings are acknowledged facts of the source, and normalized/ is fresh.

    If this fails with "differ from a fresh build", rebuild: `amif-extract build` and commit normalized/.
    """
    monkeypatch.chdir(PROJECT_ROOT)
    result = invoke("--quiet", "check", "--format", "json")
    data = json.loads(result.stdout)
    assert data["output_differences"] == [], result.stdout
    assert data["unacknowledged_errors"] == [], result.stdout
    assert result.exit_code == 0
    assert data["passed"] is True
    assert data["raw"] == "raw" and data["normalized"] == "normalized"
    assert data["findings"]["error"] >= 2 and data["acknowledged"] >= 2
    assert data["unmatched_acknowledgements"] == []


# ---------------------------------------------------------------- an edited copy of the text


def test_check_fails_on_the_edited_row_only(edited_repo: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(edited_repo)
    result = invoke("--quiet", "check", "--format", "github")
    assert result.exit_code == 1, result.output
    line = line_of(edited_repo / "raw" / TEXT, EDITED_EU_SHARE)
    assert annotations(result.stdout) == [
        f"::error file=raw/{TEXT},line={line},title=total_mismatch [amif_projects {ATELIERS} total_cost]"
        "::shares add up to 125457.30 but the total is 125457.29 (difference -0.01) (value '125457.29')"
    ]
    assert annotations(result.stdout, "warning") == []
    assert result.stdout.splitlines()[-1].startswith(
        "amif-extract: check failed: 1 unacknowledged error finding(s)"
    )


def test_check_text_report_names_the_row_and_the_fresh_outputs(edited_repo: Path, monkeypatch):
    monkeypatch.chdir(edited_repo)
    result = invoke("--quiet", "check")
    assert result.exit_code == 1
    line = line_of(edited_repo / "raw" / TEXT, EDITED_EU_SHARE)
    assert (
        f"  raw/{TEXT}:{line}: total_mismatch [amif_projects {ATELIERS} total_cost] shares add up to"
        in result.stdout
    )
    assert re.search(r"^normalized: all \d+ files match a fresh build$", result.stdout, flags=re.M)
    assert result.stdout.rstrip().endswith("check failed: 1 unacknowledged error finding(s)")


def test_without_its_acknowledgement_the_published_total_fails_check(
    edited_repo: Path, tmp_path, monkeypatch
):
    monkeypatch.chdir(edited_repo)
    acknowledgements = acknowledgements_without(tmp_path, "total_mismatch", FORCED_RETURNS)
    result = invoke("--quiet", "check", "--acknowledgements", acknowledgements, "--format", "github")
    assert result.exit_code == 1
    line = line_of(edited_repo / "raw" / TEXT, "Organisation et exécution de retour forcés")
    expected = (
        f"::error file=raw/{TEXT},line={line},"
        f"title=total_mismatch [amif_projects {FORCED_RETURNS} total_cost]"
        "::shares add up to 1231733.21 but the total is 1218327.29 (difference -13405.92)"
        " (value '1218327.29')"
    )
    assert expected in annotations(result.stdout)
    # The committed findings.csv still says "acknowledged": the outputs are stale for this steward file.
    assert any(a.startswith("::error file=normalized/findings.csv,line=") for a in annotations(result.stdout))


def test_junit_report_has_one_failure_for_the_edited_row(edited_repo: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(edited_repo)
    report = tmp_path / "reports" / "amif-check.xml"
    result = invoke("check", "--format", "junit", "--output", report)
    assert result.exit_code == 1
    assert f"report written to {report}" in result.stdout
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "1"
    findings, outputs = root.findall("testsuite")
    assert findings.get("name") == "findings" and findings.get("failures") == "1"
    [failed] = [case for case in findings.iter("testcase") if case.find("failure") is not None]
    assert failed.get("classname") == "amif_projects.total_mismatch"
    assert failed.get("name") == f"{ATELIERS} total_cost"
    assert failed.get("file") == f"raw/{TEXT}"
    acknowledged = next(
        case
        for case in findings.iter("testcase")
        if case.get("classname") == "amif_projects.total_mismatch" and FORCED_RETURNS in case.get("name", "")
    )
    assert "acknowledged 2026-11-23" in (acknowledged.findtext("system-out") or "")
    assert outputs.get("failures") == "0"
    assert {case.get("name") for case in outputs.iter("testcase")} >= {"normalized/amif_projects.csv"}


def test_stale_missing_and_extra_outputs_fail_check(edited_repo: Path, tmp_path: Path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(edited_repo, repo)
    monkeypatch.chdir(repo)
    acknowledgements = tmp_path / "all.csv"
    rows = list(csv.reader(io.StringIO(ACKNOWLEDGEMENTS.read_text(encoding="utf-8"))))
    rows.append(["total_mismatch", "amif_projects", ATELIERS, "total_cost", "test", "2026-11-23", "test"])
    with acknowledgements.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    projects = repo / "normalized" / "amif_projects.csv"
    text = projects.read_text(encoding="utf-8")
    assert text.count(",Zougang,") == 1
    projects.write_text(text.replace(",Zougang,", ",Zougang!,"), encoding="utf-8")
    (repo / "normalized" / "validation_report.html").unlink()
    (repo / "normalized" / "old_table.csv").write_text("id\n", encoding="utf-8")
    (repo / "normalized" / ".gitkeep").write_text("", encoding="utf-8")

    result = invoke("--quiet", "check", "--acknowledgements", acknowledgements, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["unacknowledged_errors"] == []  # the edited row is acknowledged in this steward file
    differences = {(d["file"], d["status"], d["line"]) for d in data["output_differences"]}
    assert differences >= {
        ("normalized/validation_report.html", "missing", None),
        ("normalized/old_table.csv", "extra", None),
    }
    [stale] = [d for d in data["output_differences"] if d["file"] == "normalized/amif_projects.csv"]
    assert stale["status"] == "differs" and stale["line"] is not None and stale["line"] >= 2
    assert not any(".gitkeep" in d["file"] for d in data["output_differences"])


def test_input_errors_exit_2(edited_repo: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(edited_repo)
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "code,table,row_id,column,reason,acknowledged_on,acknowledged_by\nx,y\n", encoding="utf-8"
    )
    result = invoke("check", "--acknowledgements", broken)
    assert result.exit_code == 2
    assert f"{broken}: line 2: 2 fields, expected 7" in " ".join(result.output.split())
    result = invoke("check", "--normalized", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "output folder not found" in " ".join(result.output.split())
    assert invoke("check", "--format", "xml").exit_code == 2


# ---------------------------------------------------------------- GitHub workflow-command syntax


def test_github_escaping_follows_the_workflow_command_rules():
    """Synthetic: characters the documents do not put into messages or paths."""
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    command = workflow_command("error", {"file": "raw/a,b.txt", "line": 3, "title": "x: y"}, "m: 1, 2%")
    assert command == "::error file=raw/a%2Cb.txt,line=3,title=x%3A y::m: 1, 2%25"


def test_github_annotations_of_pdf_findings_carry_the_page_and_no_made_up_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The real repository without its acknowledgements: the two PDF error findings are annotated."""
    monkeypatch.chdir(PROJECT_ROOT)
    nothing_acknowledged = tmp_path / "none.csv"
    nothing_acknowledged.write_text(ACKNOWLEDGEMENTS.read_text(encoding="utf-8").splitlines()[0] + "\n")
    result = invoke("--quiet", "check", "--acknowledgements", nothing_acknowledged, "--format", "github")
    assert result.exit_code == 1
    pdf = "raw/amif_projets_cofinances.pdf"
    findings = [a for a in annotations(result.stdout) if a.startswith(f"::error file={pdf},")]
    society = "so2-construire-ensemble-une-societe-forte-bae2e6"
    assert findings == [
        f"::error file={pdf},title=period_invalid [amif_projects {society} start_date] page 6"
        "::page 6: the project has no period",
        f"::error file={pdf},title=total_mismatch [amif_projects {FORCED_RETURNS} total_cost] page 12"
        "::page 12: shares add up to 1231733.21 but the total is 1218327.29 (difference -13405.92)"
        " (value '1218327.29')",
    ]
