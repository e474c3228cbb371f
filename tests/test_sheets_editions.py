"""Next editions of the practice-sheet brochure (`editions/sheets_editions.py`) read right or loud.

Each edition must give exactly its expected tables (sheets and contacts), or an error finding
that names what could not be read; never different tables in silence. The counts of exact, loud
and silent editions are asserted: silent 0, exact at least 90 % of the editions made to be
readable (those re-worded beyond the profile or set without paragraph gaps must be loud).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from editions.compare import first_difference
from editions.sheets_editions import CONTACT_COLUMNS, HEADERS, SHEET_COLUMNS, Edition, Row, make_edition

from amif_extract.errors import InputError
from amif_extract.extract.practice_sheets import extract_practice_sheets
from amif_extract.findings import Finding
from amif_extract.pdf_engine import ENGINES, engine_in_use

EDITIONS_PER_FORMAT = 30
EXACT_SHARE = 0.9  # of the editions made to be readable (no wording beyond the profile, paragraph gaps)


def read_edition(edition: Edition, folder: Path) -> str:
    """``exact``, ``loud`` (an error finding, or the file refused) or ``silent`` (wrong tables, no error)."""
    path = folder / f"edition-{edition.format}-{edition.seed}.{'pdf' if edition.format == 'pdf' else 'txt'}"
    path.write_bytes(edition.document)
    try:
        result = extract_practice_sheets(path)
    except InputError:
        return "loud"
    sheets = [{column: row[column] for column in SHEET_COLUMNS} for row in result.sheets]
    contacts = [{column: row[column] for column in CONTACT_COLUMNS} for row in result.contacts]
    if sheets == edition.sheets and contacts == edition.contacts:
        return "exact"
    return "loud" if any(finding.severity == "error" for finding in result.findings) else "silent"


@pytest.mark.parametrize("format", ["text", "pdf"])
def test_next_editions_read_exactly_or_loudly(format: str, tmp_path: Path) -> None:
    editions = [make_edition(seed, format) for seed in range(EDITIONS_PER_FORMAT)]
    outcomes = {edition.seed: read_edition(edition, tmp_path) for edition in editions}
    counts = Counter(outcomes.values())
    silent = [seed for seed, outcome in outcomes.items() if outcome == "silent"]
    assert not silent, f"{format}: editions read wrong without an error finding: seeds {silent}"
    readable = [edition.seed for edition in editions if not edition.loud_by_design]
    exact = [seed for seed in readable if outcomes[seed] == "exact"]
    assert len(exact) >= EXACT_SHARE * len(readable), (
        f"{format}: {dict(counts)}, exact {len(exact)}/{len(readable)}"
    )
    assert len(readable) >= EDITIONS_PER_FORMAT * 2 // 3  # most editions are meant to be read


def test_both_pdf_engines_read_every_pdf_edition_alike(tmp_path: Path) -> None:
    """pdfplumber (the reference engine) gives every generated PDF edition the same sheets, contacts
    and findings as PDFium, the default; a difference names the seed and the first field."""
    differing = {}
    for edition in (make_edition(seed, "pdf") for seed in range(EDITIONS_PER_FORMAT)):
        path = tmp_path / f"edition-{edition.seed}.pdf"
        path.write_bytes(edition.document)
        readings = {}
        for engine in ENGINES:
            with engine_in_use(engine):
                result = extract_practice_sheets(path)
            readings[engine] = (result.sheets, result.contacts, result.findings)
        if readings["pdfium"] != readings["pdfplumber"]:
            differing[edition.seed] = first_difference(readings["pdfium"], readings["pdfplumber"])
    assert differing == {}


def read_tables(edition: Edition, folder: Path) -> tuple[list[Row], list[Row], list[Finding]]:
    suffix = "pdf" if edition.format == "pdf" else "txt"
    path = folder / f"edition-{edition.format}-{edition.seed}.{suffix}"
    path.write_bytes(edition.document)
    result = extract_practice_sheets(path)
    sheets = [{column: row[column] for column in SHEET_COLUMNS} for row in result.sheets]
    contacts = [{column: row[column] for column in CONTACT_COLUMNS} for row in result.contacts]
    return sheets, contacts, result.findings


def test_running_header_and_page_numbers_in_text(tmp_path: Path) -> None:
    """The issue's reproduction: a running header and ``- 10 -`` page numbers gave 3 sheets of 24."""
    edition = make_edition(
        1, "text", keep_all=True, header=HEADERS[0], page_number="- {n} -", number_at_top=False, footer=""
    )
    sheets, contacts, _ = read_tables(edition, tmp_path)
    assert len(sheets) == 24
    assert (sheets, contacts) == (edition.sheets, edition.contacts)


def test_personnes_de_contact_heading(tmp_path: Path) -> None:
    """The issue's reproduction: under "Personne(s) de contact :" no e-mail and no phone was read."""
    edition = make_edition(2, "text", keep_all=True, labels={"contacts": "Personne(s) de contact :"})
    _, contacts, _ = read_tables(edition, tmp_path)
    assert contacts == edition.contacts
    assert (
        sum(bool(row["email"]) for row in contacts)
        == sum(bool(row["email"]) for row in edition.contacts)
        > 25
    )


def test_serif_pdf_from_another_producer(tmp_path: Path) -> None:
    """The issue's reproduction: a serif PDF with every line typeset on its own put contacts in other_info."""
    edition = make_edition(3, "pdf", keep_all=True, font="Times-Roman")
    sheets, contacts, _ = read_tables(edition, tmp_path)
    assert (sheets, contacts) == (edition.sheets, edition.contacts)


@pytest.mark.parametrize(
    ("field", "wording"), [("contacts", "Pour nous joindre :"), ("objectives", "Buts :"), ("costs", "Budget")]
)
def test_a_label_worded_beyond_the_profile_is_an_error_naming_it(
    field: str, wording: str, tmp_path: Path
) -> None:
    edition = make_edition(4, "text", keep_all=True, labels={field: wording})
    _, _, findings = read_tables(edition, tmp_path)
    errors = [finding for finding in findings if finding.severity == "error"]
    assert any(finding.column == field and "no sheet prints a label" in finding.message for finding in errors)


def test_paragraphs_set_without_a_gap_are_an_error(tmp_path: Path) -> None:
    """A PDF whose paragraphs follow at the line spacing: their ends are guessed, so it is loud."""
    edition = make_edition(5, "pdf", spacing=0.0, font="Times-Roman")
    _, _, findings = read_tables(edition, tmp_path)
    assert any(
        "without a wider gap between paragraphs" in f.message for f in findings if f.severity == "error"
    )
