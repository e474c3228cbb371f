"""The README stays true to the code: generated tables current, every output column explained, links alive."""

from __future__ import annotations

import re
from pathlib import Path

from amif_extract.cli import EXIT_CODES_TABLE
from amif_extract.findings import FINDING_CODES
from amif_extract.organisations import REVIEW_COLUMNS
from amif_extract.report import codes_markdown_table, refresh_codes_table
from amif_extract.specs import table_specs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def section(title_start: str) -> str:
    """The README text from the heading that starts with `title_start` to the next heading."""
    match = re.search(rf"^#+ {re.escape(title_start)}.*?$(.*?)(?=^#+ |\Z)", README, re.MULTILINE | re.DOTALL)
    assert match, f"no README section starting {title_start!r}"
    return match.group(1)


def test_finding_codes_table_is_generated_and_current() -> None:
    assert codes_markdown_table() in README, "run: python -m amif_extract.report README.md"
    assert refresh_codes_table(README) == README
    for code, entry in FINDING_CODES.items():
        assert f"| `{code}` | {entry.severity} |" in README


def test_exit_codes_table_is_the_one_in_the_cli() -> None:
    table = README.split("<!-- exit-codes:start", 1)[1].split("<!-- exit-codes:end -->", 1)[0]
    assert table.split("\n", 1)[1].strip() == EXIT_CODES_TABLE


def test_every_column_of_every_output_table_is_explained() -> None:
    for name, spec in table_specs().items():
        text = section(f"`{name}` —")
        explained = set(re.findall(r"`([A-Za-z_0-9]+)`", text))
        missing = [column for column in spec.columns if column not in explained]
        assert not missing, f"README section of {name} does not explain {missing}"


def test_review_queue_columns_are_explained() -> None:
    text = section("Other files of `normalized/`")
    for column in REVIEW_COLUMNS:
        if not column.startswith(("candidate_2", "candidate_3")):
            assert f"`{column}`" in text, column
    assert "`candidate_3_*`" in text


def test_quick_start_keeps_the_commands_ci_runs() -> None:
    quick_start = section("Quick start")
    assert "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/amif-extract build" in (
        quick_start
    )
    assert "\n.venv/bin/python -m pytest\n" in quick_start
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -q -e '.[dev]'" in ci and ".venv/bin/python -m pytest" in ci


def test_relative_links_and_images_exist() -> None:
    targets = re.findall(r"\]\(((?:docs|raw|schemas)/[^)#\s]+)", README)
    assert "docs/report-screenshot.png" in targets
    for target in targets:
        assert (PROJECT_ROOT / target).exists(), target


def test_sections_the_contents_line_links_to_exist() -> None:
    headings = re.findall(r"^#+ (.+)$", README, re.MULTILINE)

    def anchor(heading: str) -> str:  # GitHub's rule: lowercase, drop punctuation, spaces to hyphens
        return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")

    anchors = {anchor(heading) for heading in headings}
    for link in re.findall(r"\]\(#([^)]+)\)", README):
        assert link in anchors, link
