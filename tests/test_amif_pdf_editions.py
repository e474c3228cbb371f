"""Metamorphic test of the AMIF PDF reader: generated next editions give the expected table or say why not.

`tests/editions/amif_pdf_editions.py` lays out the published list anew, edition after edition (labels
re-worded, page furniture, rows dropped and reordered, amounts and dates reprinted, other page sizes,
fonts, column orders and rulings, rows split across pages), and derives the `amif_projects` rows each
edition must give. Every edition is read by the pipeline's own steps (`extract_amif_pdf`, then
`normalize_projects`) and sorted into one of three outcomes:

- exact: every row and field as expected, and no error finding;
- loud: an error finding (or the file refused) says what could not be read;
- silent: a wrong or missing value without any error finding — never acceptable.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4, landscape, portrait

from amif_extract.errors import InputError
from amif_extract.extract.amif_pdf import extract_amif_pdf, looks_like_amif_pdf
from amif_extract.normalize.projects import normalize_projects
from amif_extract.pdf_engine import ENGINES, engine_in_use
from amif_extract.profiles import default_profile_bytes, load_profile

sys.path.insert(0, str(Path(__file__).resolve().parent / "editions"))

from amif_pdf_editions import Edition, generate_edition, project_values
from editions.compare import first_difference

EDITION_SEEDS = range(32)
PORTRAIT = Path(__file__).resolve().parent / "fixtures" / "amif_projets_portrait.pdf"
# Fields compared: what the extractor reads (texts as printed) and what the normalizer makes of it.
TEXT_FIELDS = ("title", "carrier_raw", "procedure_raw", "action_code", "summary")
VALUE_FIELDS = (
    "specific_objective",
    "specific_objective_label",
    "start_date",
    "end_date",
    "eu_share",
    "national_share",
    "other_public_share",
    "private_share",
    "total_cost",
)


@dataclass(frozen=True)
class Outcome:
    kind: str  # exact | loud | silent
    errors: tuple[str, ...]  # error findings (code: message: value)
    differences: tuple[str, ...]  # what differs from the expected table


def read_rows(pdf: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The table a PDF gives through the pipeline's steps, and its error findings."""
    extraction = extract_amif_pdf(pdf)
    normalized = normalize_projects([extraction])
    rows = []
    for row, record in zip(extraction.rows, normalized.rows, strict=True):
        texts = {
            "title": row.title,
            "carrier_raw": row.carrier_raw,
            "procedure_raw": row.procedure_raw,
            "action_code": row.action_code,
            "summary": row.summary,
        }
        rows.append({**texts, **{key: record[key] for key in VALUE_FIELDS}})
    errors = [
        f"{finding.code}: {finding.message}: {finding.value[:80]}"
        for finding in [*extraction.findings, *normalized.findings]
        if finding.severity == "error"
    ]
    return rows, errors


def differences(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[str]:
    if len(actual) != len(expected):
        return [f"{len(actual)} rows instead of {len(expected)}"]
    return [
        f"row {index} ({wanted['title'][:40]}) {key}: {got[key]!r:.80} instead of {wanted[key]!r:.80}"
        for index, (got, wanted) in enumerate(zip(actual, expected, strict=True))
        for key in (*TEXT_FIELDS, *VALUE_FIELDS)
        if got[key] != wanted[key]
    ]


def judge(edition: Edition) -> Outcome:
    try:
        rows, errors = read_rows(edition.pdf)
    except InputError as error:
        return Outcome("loud", (f"refused: {error}",), ())
    found = differences(rows, edition.expected)
    kind = "loud" if errors else ("silent" if found else "exact")
    return Outcome(kind, tuple(errors), tuple(found))


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Edition]:
    directory = tmp_path_factory.mktemp("amif_pdf_editions")
    return {seed: generate_edition(seed, directory) for seed in EDITION_SEEDS}


@pytest.fixture(scope="module")
def outcomes(editions: dict[int, Edition]) -> dict[int, Outcome]:
    result = {seed: judge(edition) for seed, edition in editions.items()}
    counts = Counter(outcome.kind for outcome in result.values())
    print(f"\nAMIF PDF editions: {counts['exact']} exact, {counts['loud']} loud, {counts['silent']} silent")
    return result


def engine_reading(pdf: Path, engine: str) -> tuple[Any, ...]:
    with engine_in_use(engine):
        try:
            extraction = extract_amif_pdf(pdf)
        except InputError as error:
            return (str(error),)
    return (extraction.rows, extraction.findings)


def test_both_pdf_engines_read_every_edition_alike(editions: dict[int, Edition]) -> None:
    """pdfplumber (the reference engine) gives every generated edition the same rows and findings
    as PDFium, the default; a difference names the seed and the first row or finding."""
    differing = {}
    for seed, edition in editions.items():
        pdfium, plumber = (engine_reading(edition.pdf, engine) for engine in ENGINES)
        if pdfium != plumber:
            differing[seed] = first_difference(pdfium, plumber)
    assert differing == {}


def test_the_published_layouts_have_no_error_finding_of_their_own() -> None:
    """The baseline: an edition's error findings come from what the edition changed."""
    rows, errors = read_rows(PORTRAIT)
    assert errors == []
    assert len(rows) == 38


def test_no_edition_gives_wrong_data_in_silence(
    editions: dict[int, Edition], outcomes: dict[int, Outcome]
) -> None:
    silent = {
        seed: (outcome.differences[:3], editions[seed].description)
        for seed, outcome in outcomes.items()
        if outcome.kind == "silent"
    }
    assert silent == {}


def test_editions_worded_as_the_profile_knows_are_read_exactly(
    editions: dict[int, Edition], outcomes: dict[int, Outcome]
) -> None:
    known = [seed for seed, edition in editions.items() if not edition.unknown_label]
    exact = [seed for seed in known if outcomes[seed].kind == "exact"]
    not_exact = {seed: outcomes[seed].errors[:2] for seed in known if seed not in exact}
    assert len(exact) >= 0.9 * len(known), not_exact


def test_a_label_beyond_the_profile_is_loud(
    editions: dict[int, Edition], outcomes: dict[int, Outcome]
) -> None:
    unknown = {seed: edition.unknown_label for seed, edition in editions.items() if edition.unknown_label}
    assert unknown, "the seeds include editions with labels the profile does not know"
    assert {seed: outcomes[seed].kind for seed in unknown} == {seed: "loud" for seed in unknown}


def test_the_editions_vary_what_the_issue_lists(editions: dict[int, Edition]) -> None:
    """The seeds cover every ruling, both orientations, headers repeated or not, rows split or not,
    page numbers, dropped summaries and every amount and period form."""
    layouts = [edition.description["layout"] for edition in editions.values()]
    wordings = [edition.description["wording"] for edition in editions.values()]
    assert {layout["ruling"] for layout in layouts} == {"grid", "horizontal", "none", "zebra"}
    assert {layout["page_size"][0] > layout["page_size"][1] for layout in layouts} == {True, False}
    assert {layout["repeat_header"] for layout in layouts} == {True, False}
    assert {layout["split_rows"] for layout in layouts} == {True, False}
    assert sum(bool(layout["furniture"][1]) for layout in layouts) >= len(layouts) / 2
    assert {wording["amount_form"] for wording in wordings} >= {"fr_space", "en_prefix", "compact"}
    assert {wording["period_form"] for wording in wordings} == {"slash_dash", "dots", "du_au", "iso"}
    assert any(row["summary"] == "" for edition in editions.values() for row in edition.expected)


def test_an_edition_is_the_same_file_for_the_same_seed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = generate_edition(7, tmp_path / "a")
    second = generate_edition(7, tmp_path / "b")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    assert first.expected == second.expected


def test_expected_rows_carry_the_published_values() -> None:
    """The expected values are the original's printed ones, parsed (not the edition's reprint)."""
    from amif_table_data import AMIF_ROWS

    first = project_values(AMIF_ROWS[0])
    assert first["title"] == "Ateliers autour de la naissance"
    assert str(first["eu_share"]) == "94092.97"
    assert str(first["start_date"]) == "2023-01-01"


# --- The issue's reproductions and the steward's one-line change ---------------------------------

COLUMN_ORDER = (
    "title",
    "period",
    "eu_share",
    "national_share",
    "other_public_share",
    "private_share",
    "total_cost",
)
# The published list's own header labels, in its column order: the reader before issue 15 found
# this table and then read 68, 68 and 3 rows of the three layouts below instead of 38.
PUBLISHED_HEADERS = {
    "title": "Projet",
    "period": "Période",
    "eu_share": "Part UE (€)",
    "national_share": "Part nationale (€)",
    "other_public_share": "Autre part publique (€)",
    "private_share": "Part privée (€)",
    "total_cost": "Total (€)",
}
PUBLISHED_COLUMNS = {"column_order": COLUMN_ORDER, "headers": PUBLISHED_HEADERS}


@pytest.mark.parametrize(
    ("layout_changes", "wording_changes"),
    [
        # Issue 15: 74 rows instead of 38, every "Résumé :" summary read as a project.
        (
            {"ruling": "horizontal", "page_size": portrait(A4)},
            {"summary": "Résumé", "amount_form": "en_prefix"},
        ),
        # Issue 15: 2 to 21 of the 38 projects.
        ({"ruling": "zebra", "repeat_header": False}, {"amount_form": "compact", "period_form": "dots"}),
        ({"ruling": "none", "repeat_header": False, "page_size": landscape(A4)}, {"summary": ""}),
    ],
    ids=["portrait-rules-only-resume", "zebra-no-repeated-header", "no-rules-no-repeated-header"],
)
def test_the_issue_reproductions_give_the_38_projects_exactly(
    tmp_path: Path, layout_changes: dict[str, Any], wording_changes: dict[str, Any]
) -> None:
    edition = generate_edition(
        1,
        tmp_path,
        all_projects=True,
        layout_changes={**PUBLISHED_COLUMNS, **layout_changes},
        wording_changes=wording_changes,
    )
    assert edition.unknown_label == ""
    rows, errors = read_rows(edition.pdf)
    assert errors == []
    assert len(rows) == 38
    assert differences(rows, edition.expected) == []


def test_a_reworded_header_is_a_one_line_change_to_the_profile(tmp_path: Path) -> None:
    """ "Coût global" is refused with the packaged profile; listed in a dataset's profile, it reads."""
    edition = generate_edition(
        1,
        tmp_path,
        # "Coût global": a wording the packaged profile does not know.
        layout_changes={
            **PUBLISHED_COLUMNS,
            "headers": {**PUBLISHED_HEADERS, "total_cost": "Coût global (€)"},
        },
        wording_changes={"summary": "Résumé du projet"},
    )
    assert not looks_like_amif_pdf(edition.pdf)
    with pytest.raises(InputError, match="no AMIF table found"):
        extract_amif_pdf(edition.pdf)

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    packaged = default_profile_bytes("amif_table").decode("utf-8")
    total_line = '[labels.total_cost]\nspellings = ["Total"'
    assert total_line in packaged
    (profiles / "amif_table.toml").write_text(
        packaged.replace(total_line, '[labels.total_cost]\nspellings = ["Coût global", "Total"'),
        encoding="utf-8",
    )
    profile = load_profile("amif_table", profiles)
    assert looks_like_amif_pdf(edition.pdf, profile=profile)
    extraction = extract_amif_pdf(edition.pdf, profile=profile)
    normalized = normalize_projects([extraction])
    assert [row.title for row in extraction.rows] == [row["title"] for row in edition.expected]
    assert [record["total_cost"] for record in normalized.rows] == [
        row["total_cost"] for row in edition.expected
    ]
