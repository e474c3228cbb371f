"""The HTML report in a real browser: headless Chromium runs its filter script and renders it.

Chromium is a system package (`apt-get install -y chromium`, done by `.ci/run`); without it these tests
fail and say so, because a report nobody has opened in a browser is not checked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ACKNOWLEDGEMENTS

from amif_extract.acknowledge import load_acknowledgements
from amif_extract.build_records import BuildResult
from amif_extract.pipeline import extract_files
from amif_extract.rebuild import with_acknowledgements
from amif_extract.report import REPORT_HTML, report_files

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Flags for a quiet, offline, sandbox-free headless run (root in a container has no user namespace).
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
BROWSER_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def browser() -> str:
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is needed to check the HTML report: install it with `apt-get install -y chromium`")


@pytest.fixture(scope="module")
def build(raw_dir: Path) -> BuildResult:
    result = extract_files([raw_dir / "amif_projets_cofinances.txt"])
    return with_acknowledgements(result, load_acknowledgements(ACKNOWLEDGEMENTS))


@pytest.fixture(scope="module")
def report_url(build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / REPORT_HTML
    path.write_bytes(report_files(build)[REPORT_HTML])
    return path.as_uri()


def run_browser(browser: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [browser, *BROWSER_FLAGS, f"--user-data-dir={profile}", *arguments]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed


def dump_dom(browser: str, profile: Path, url: str) -> str:
    """The page's DOM after its scripts ran."""
    return run_browser(browser, profile, "--virtual-time-budget=5000", "--dump-dom", url).stdout


def visible_findings(dom: str) -> list[str]:
    return re.findall(r'<li class="finding"(?![^>]*\bhidden\b)[^>]*>', dom)


def test_filter_script_runs_and_shows_every_finding(browser: str, report_url: str, build, tmp_path: Path):
    dom = dump_dom(browser, tmp_path / "profile", report_url)
    assert 'data-filter="ready"' in dom, "the filter script did not run"
    total = len(build.findings)
    assert f'data-shown="{total}"' in dom
    assert f"Showing {total} of {total} findings" in dom
    assert len(re.findall(r'<li class="finding"', dom)) == total == len(visible_findings(dom))
    assert '<form class="filters" id="filters" aria-label="Filter findings">' in dom  # unhidden by the script
    assert "Organisation et exécution de retour forcés" in dom


def test_filters_from_the_address_hide_the_other_findings(
    browser: str, report_url: str, build, tmp_path: Path
):
    profile = tmp_path / "profile"
    errors = [finding for finding in build.findings if finding.severity == "error"]
    assert {finding.code for finding in errors} == {"total_mismatch", "period_invalid"}
    dom = dump_dom(browser, profile, report_url + "#severity=error&table=amif_projects")
    assert f'data-shown="{len(errors)}"' in dom
    assert f"Showing {len(errors)} of {len(build.findings)} findings" in dom
    assert len(visible_findings(dom)) == len(errors)
    assert all('data-severity="error"' in item for item in visible_findings(dom))
    assert not re.search(r'<section class="code-group" id="code-total_mismatch"[^>]*hidden', dom)
    assert re.search(r'<section class="code-group" id="code-missing_value"[^>]*hidden', dom)
    # Both errors are acknowledged facts of the source: hiding acknowledged findings leaves none.
    unreviewed = dump_dom(browser, profile, report_url + "#severity=error&acknowledged=0")
    assert 'data-shown="0"' in unreviewed
    assert re.search(r'<section class="code-group" id="code-total_mismatch"[^>]*hidden', unreviewed)


def test_screenshot_renders_the_page(browser: str, report_url: str, tmp_path: Path):
    shot = tmp_path / "report.png"
    run_browser(browser, tmp_path / "profile", "--window-size=1366,900", f"--screenshot={shot}", report_url)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1366, 900)
    assert len(data) > 30_000, "a blank page compresses to a few kilobytes; the report has text and a chart"


def test_a_table_without_findings_in_the_address_shows_none_and_says_so(
    browser: str, report_url: str, build, tmp_path: Path
):
    assert build.tables["conventions"] == [] and not any(f.table == "conventions" for f in build.findings)
    dom = dump_dom(browser, tmp_path / "profile", report_url + "#table=conventions")
    assert 'data-shown="0"' in dom
    assert visible_findings(dom) == []
    assert '<p class="empty" id="filter-none">The table “conventions” has no findings.</p>' in dom
    assert '<option value="conventions" data-findings="0">conventions (no findings)</option>' in dom


def test_an_unknown_table_in_the_address_shows_every_finding_and_says_so(
    browser: str, report_url: str, build, tmp_path: Path
):
    dom = dump_dom(browser, tmp_path / "profile", report_url + "#table=%3Cb%3Enope%3C%2Fb%3E")
    assert f'data-shown="{len(build.findings)}"' in dom
    # Text, never markup: the address is anyone's to write.
    note = "This build has no table “&lt;b&gt;nope&lt;/b&gt;”: showing all tables."
    assert f'<p class="empty" id="filter-none">{note}</p>' in dom


@pytest.mark.parametrize("fragment", ["#table=%E0%A4%A&severity=error", "#%%%&severity=error&=x&table"])
def test_a_malformed_address_fragment_does_not_stop_the_script(
    browser: str, report_url: str, build, tmp_path: Path, fragment: str
):
    """A hand-edited or cut address: its broken part is ignored, the rest still filters."""
    dom = dump_dom(browser, tmp_path / "profile", report_url + fragment)
    assert 'data-filter="ready"' in dom, "the filter script stopped"
    errors = [finding for finding in build.findings if finding.severity == "error"]
    assert f'data-shown="{len(errors)}"' in dom


# Appended to a copy of the report: opens every folded part, then posts how wide the page is and what
# sticks out (the page runs in a 400 px frame: headless Chromium keeps a window at least 500 px wide).
WIDTH_PROBE = """<script>
window.addEventListener("load", function () {
  document.querySelectorAll("details").forEach(function (part) { part.open = true; });
  var root = document.documentElement, wide = [];
  document.querySelectorAll("body *").forEach(function (element) {
    if (element.getBoundingClientRect().right > root.clientWidth + 1) {
      wide.push(element.tagName + "." + element.className);
    }
  });
  parent.postMessage(root.scrollWidth + " " + root.clientWidth + " " + wide.slice(0, 5).join(" "), "*");
});
</script>"""
FRAME_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="report.html" style="width:400px;height:900px;border:0"></iframe>
<script>window.addEventListener("message", function (event) {
  document.body.setAttribute("data-probe", event.data);
});</script></body></html>"""


def test_at_400_px_wide_the_page_does_not_scroll_sideways(browser: str, tmp_path: Path):
    """The committed report (every document, errors with their source text open), on a phone's width."""
    committed = Path(__file__).resolve().parents[1] / "normalized" / REPORT_HTML
    (tmp_path / "report.html").write_bytes(committed.read_bytes() + WIDTH_PROBE.encode("utf-8"))
    (tmp_path / "frame.html").write_text(FRAME_PAGE, encoding="utf-8")
    dom = dump_dom(browser, tmp_path / "profile", (tmp_path / "frame.html").as_uri())
    [probe] = re.findall(r'data-probe="([^"]*)"', dom)
    scroll_width, client_width, *sticking_out = probe.split(" ")
    assert client_width == "400"
    assert scroll_width == "400", sticking_out
