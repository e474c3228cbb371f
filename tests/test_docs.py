"""The README and docs/ stay true to the code: generated tables current, every column explained, every
documented command line accepted by the CLI, links and anchors alive, the README short."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import typer.main

from amif_extract.cli import EXIT_CODES_TABLE, app
from amif_extract.findings import FINDING_CODES
from amif_extract.organisations import REVIEW_COLUMNS
from amif_extract.report import codes_markdown_table, refresh_codes_table
from amif_extract.specs import table_specs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README_PATH = PROJECT_ROOT / "README.md"
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))
PAGES = [README_PATH, *DOCS]


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def section(markdown: str, title_start: str) -> str:
    """The text from the heading that starts with `title_start` to the next heading."""
    pattern = rf"^#+ {re.escape(title_start)}.*?$(.*?)(?=^#+ |\Z)"
    match = re.search(pattern, markdown, re.MULTILINE | re.DOTALL)
    assert match, f"no section starting {title_start!r}"
    return match.group(1)


def test_readme_is_the_way_in_not_the_reference() -> None:
    assert len(text_of(README_PATH).splitlines()) <= 250


def test_finding_codes_table_is_generated_and_current() -> None:
    report_doc = text_of(PROJECT_ROOT / "docs" / "report.md")
    assert codes_markdown_table() in report_doc, "run: python -m amif_extract.report docs/report.md"
    assert refresh_codes_table(report_doc) == report_doc
    for code, entry in FINDING_CODES.items():
        assert f"| `{code}` | {entry.severity} |" in report_doc


def test_exit_codes_table_is_the_one_in_the_cli() -> None:
    table = text_of(README_PATH).split("<!-- exit-codes:start", 1)[1].split("<!-- exit-codes:end -->", 1)[0]
    assert table.split("\n", 1)[1].strip() == EXIT_CODES_TABLE


def test_every_column_of_every_output_table_is_explained() -> None:
    tables_doc = text_of(PROJECT_ROOT / "docs" / "tables.md")
    for name, spec in table_specs().items():
        explained = set(re.findall(r"`([A-Za-z_0-9]+)`", section(tables_doc, f"`{name}` —")))
        missing = [column for column in spec.columns if column not in explained]
        assert not missing, f"docs/tables.md section of {name} does not explain {missing}"


def test_review_queue_columns_are_explained() -> None:
    text = section(text_of(PROJECT_ROOT / "docs" / "tables.md"), "Other files of `normalized/`")
    for column in REVIEW_COLUMNS:
        if not column.startswith(("candidate_2", "candidate_3")):
            assert f"`{column}`" in text, column
    assert "`candidate_3_*`" in text


def test_quick_start_keeps_the_commands_ci_runs() -> None:
    quick_start = section(text_of(README_PATH), "Quick start")
    install = "python3 -m venv .venv && .venv/bin/pip install '.[dev]' && .venv/bin/amif-extract build"
    tests = ".venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest"
    assert f"\n{install}\n" in quick_start and f"\n{tests}\n" in quick_start
    ci = text_of(PROJECT_ROOT / ".ci" / "run")
    assert "pip install -q -e '.[dev]'" in ci and ".venv/bin/python -m pytest" in ci
    assert "pip install -q '.[dev]' && .venv/bin/amif-extract --quiet build" in ci, (
        "CI installs as a user does"
    )
    assert re.search(r"pip\"? install -q [^\n]*\.whl", ci), "CI also installs the wheel in a fresh venv"


def anchor(heading: str) -> str:
    """GitHub's rule: lowercase, drop punctuation, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    return {anchor(heading) for heading in re.findall(r"^#+ (.+)$", text_of(path), re.MULTILINE)}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_and_their_anchors_exist(page: Path) -> None:
    for target in re.findall(r"\]\(([^)\s]+)\)", text_of(page)):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, fragment = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        assert linked.exists(), f"{page.name}: {target}"
        if fragment and linked.suffix == ".md":
            assert fragment in anchors_of(linked), f"{page.name}: {target}"


def test_the_readme_shows_the_report_screenshot() -> None:
    assert "](docs/report-screenshot.png)" in text_of(README_PATH)


def documented_command_lines(markdown: str) -> list[str]:
    """Every `amif-extract …` invocation shown in code blocks or inline code, as printed."""
    found = re.findall(r"(?:^|\$ |`)(amif-extract [^`\n#]*)", markdown, re.MULTILINE)
    return [line.rstrip(" |&") for line in found if not line.startswith("amif-extract 0.")]


def resolve_command(words: list[str]) -> tuple[list[Any], list[str]]:
    """The chain of commands the words name (the group first) and the words left after it.

    Typer vendors its own click, so groups are recognised by their `commands`, not by class.
    """
    chain: list[Any] = [typer.main.get_command(app)]
    rest = list(words)
    while rest and hasattr(chain[-1], "commands"):
        if rest[0].startswith("-"):
            rest.pop(0)  # a global option such as -q before the command
            continue
        sub = chain[-1].commands.get(rest[0])
        assert sub is not None, f"no command {rest[0]!r}"
        chain.append(sub)
        rest.pop(0)
    return chain, rest


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_documented_command_line_uses_real_commands_and_options(page: Path) -> None:
    for line in documented_command_lines(text_of(page)):
        words = shlex.split(line)[1:]
        if not words or words[0] == "…":  # "`amif-extract …`": any command, said in prose
            continue
        chain, _ = resolve_command(words)
        options = {"--help"} | {opt for command in chain for param in command.params for opt in param.opts}
        used = {word.split("=", 1)[0] for word in words if word.startswith("-") and word != "-"}
        unknown = used - options
        assert not unknown, f"{page.name}: `{line}` uses {sorted(unknown)}, unknown to {chain[-1].name}"


def test_page_counts_given_for_the_raw_pdfs_are_current() -> None:
    raw = PROJECT_ROOT / "raw"
    with (
        pdfplumber.open(raw / "amif_projets_cofinances.pdf") as amif,
        pdfplumber.open(raw / "assises_integration_locale_fiches.pdf") as brochure,
    ):
        counts = f"{len(amif.pages)} + {len(brochure.pages)} pages"
    assert counts == "13 + 48 pages"
    assert counts in text_of(PROJECT_ROOT / "docs" / "performance.md")
