"""Properties of the parsers on arbitrary text: a value, or the documented refusal, never a crash.

Inputs are generated (hypothesis), so every case here is synthetic; the strategies are seeded with
pieces and lines of the real documents so that generated text reaches deep into each parser. The
"any text" and format round-trip properties of `parse_amount` / `parse_period` live in test_amounts.py
and test_periods.py; here are the character-level alphabets, the re-read round trips and the
extractors' line parsers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from amif_extract.extract.amif_text import (
    extract_amif_text_lines,
    join_split_amounts,
    looks_like_amif_text,
    split_labelled_text,
)
from amif_extract.extract.practice_sheets import (
    PracticeSheetSettings,
    content_pages,
    looks_like_practice_sheets,
    match_heading,
    sheet_records,
    split_sheets,
    text_pages,
)
from amif_extract.extract.web_pages import (
    WEB_PAGE_KINDS,
    WebPageSettings,
    page_lines,
    read_convention_summary,
    read_iom_projects,
    read_ministry_conventions,
    web_page_kind,
)
from amif_extract.findings import SourceLocation
from amif_extract.normalize.amounts import AmountError, parse_amount
from amif_extract.normalize.contacts import (
    ContactLine,
    looks_like_person_name,
    read_contact_block,
    read_emails,
    read_phone_numbers,
)
from amif_extract.normalize.name_lists import organisation_names
from amif_extract.normalize.periods import PeriodError, parse_period

RAW = Path(__file__).resolve().parents[1] / "raw"
AMIF_LINES = (RAW / "amif_projets_cofinances.txt").read_text(encoding="utf-8").splitlines()
SHEET_LINES = (RAW / "assises_integration_locale_fiches.txt").read_text(encoding="utf-8").splitlines()
WEB_LINES = [
    line
    for name in ("asti_convention_2021.txt", "mfamigr_associations_integration.txt", "oim_france_projets.txt")
    for line in (RAW / name).read_text(encoding="utf-8").splitlines()
]

FEW = settings(max_examples=200, deadline=None)

# --- amounts and periods -----------------------------------------------------------------------

AMOUNT_ALPHABET = "0123456789 .,'’-–+€EURuros\u00a0\u202f\u2009"
PERIOD_ALPHABET = "0123456789/.-– aueréjnvfsptmbc"


@FEW
@given(st.text(alphabet=AMOUNT_ALPHABET, max_size=24))
def test_amount_alphabet_text_gives_an_amount_none_or_amount_error(text: str) -> None:
    try:
        value = parse_amount(text)
    except AmountError as error:
        assert error.text == text
        return
    if value is not None:
        assert value >= 0 and value.as_tuple().exponent == -2


@FEW
@given(st.text(alphabet=AMOUNT_ALPHABET, max_size=24))
def test_an_accepted_amount_reads_back_the_same_from_its_plain_and_grouped_forms(text: str) -> None:
    """Text → value → printed again (plain, AMIF style, German style) → the same value."""
    try:
        value = parse_amount(text)
    except AmountError:
        return
    if value is None:
        return
    whole, cents = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}"
    assert parse_amount(f"{value}") == value
    assert parse_amount(f"{grouped.replace(',', ' ')}.{cents}€") == value
    assert parse_amount(f"{grouped.replace(',', '.')},{cents} EUR") == value


@FEW
@given(st.text(alphabet=PERIOD_ALPHABET, max_size=40))
def test_period_alphabet_text_gives_a_period_or_period_error(text: str) -> None:
    try:
        start, end = parse_period(text)
    except PeriodError:
        return
    assert isinstance(start, date)
    assert end is None or start <= end


_DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@FEW
@given(
    start=_DAYS, length=st.integers(min_value=0, max_value=4000), style=st.sampled_from(["-", "- ", " - "])
)
def test_a_printed_period_reads_back_as_its_dates(start: date, length: int, style: str) -> None:
    """The AMIF table's ``dd/mm/yyyy- dd/mm/yyyy`` (and its spacing variants) for any pair of dates."""
    end = start + timedelta(days=length)
    printed = f"{start:%d/%m/%Y}{style}{end:%d/%m/%Y}"
    assert parse_period(printed) == (start, end)


# --- the AMIF text extraction's line parsers ------------------------------------------------------

_CELL_PIECES = [
    "94 092.97€", "31 364.32€", "125 457.29€", "155.0", "000€", "167.749,0", "6€", "€", "0.00€",
    "01/01/2023-", "31/12/2024", "01/01/2023- 31/12/2023", "Ateliers", "- Porteur du projet :",
    "Porteur du projet:", "- Procédure de sélection : Appel 2022", "Procédure de sélection:",
    "Résumé du projet:", 'Objectif spécifique 2 "Migration légale"', "Action A.1", "Action B 12",
    "<u>Initiativ</u>", "<u>", "</u>", "« Social Return on Invest »", "-", "–", "(", ")", "",
]  # fmt: skip
_CELLS = st.one_of(st.sampled_from(_CELL_PIECES), st.text(max_size=12))
_TABBED_LINES = st.lists(_CELLS, max_size=9).map("\t".join)


@st.composite
def edited_slices(draw: st.DrawFn, lines: list[str], new_line: st.SearchStrategy[str]) -> list[str]:
    """A run of a real document's lines with some lines dropped, doubled or replaced."""
    start = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    run = list(lines[start : start + draw(st.integers(min_value=1, max_value=45))])
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        where = draw(st.integers(min_value=0, max_value=len(run)))
        action = draw(st.sampled_from(["drop", "double", "replace", "insert"]))
        if action == "insert" or not run:
            run.insert(where, draw(new_line))
        elif action == "drop":
            del run[min(where, len(run) - 1)]
        elif action == "double":
            run.insert(where, run[min(where, len(run) - 1)])
        else:
            run[min(where, len(run) - 1)] = draw(new_line)
    return run


_AMIF_DOCUMENTS = st.one_of(
    edited_slices(AMIF_LINES, st.one_of(_TABBED_LINES, st.text(max_size=30))),
    st.lists(st.one_of(_TABBED_LINES, st.sampled_from(AMIF_LINES), st.text(max_size=30)), max_size=25),
)


def points_into(location: SourceLocation, lines: Sequence[str]) -> bool:
    """Whether a location names the generated file and, when it has one, a line of it."""
    return location.file == "generated.txt" and (location.line is None or 1 <= location.line <= len(lines))


@FEW
@given(_AMIF_DOCUMENTS)
def test_the_amif_text_reader_never_raises_and_every_record_points_into_the_text(lines: list[str]) -> None:
    extraction = extract_amif_text_lines(lines, "generated.txt")
    assert all(points_into(finding.location, lines) for finding in extraction.findings)
    for row in extraction.rows:
        assert points_into(row.location, lines)
        assert all(points_into(finding.location, lines) for finding in row.findings)
    looks_like_amif_text("\n".join(lines))  # detection reads any text without raising


@FEW
@given(st.lists(_CELLS, max_size=8))
def test_joining_split_amounts_keeps_every_character(cells: list[str]) -> None:
    joined = join_split_amounts(cells)
    for cell in joined:
        if cell.fragments:
            first, second = cell.fragments
            assert cell.text in (first + second, first + second[1:])
    rebuilt = [piece for cell in joined for piece in (cell.fragments or (cell.text,))]
    assert rebuilt == cells


@FEW
@given(st.lists(_CELLS, max_size=6).map(" ".join))
def test_labelled_text_splits_into_segments_of_its_own_words(text: str) -> None:
    for segment in split_labelled_text(text):
        assert segment.field in ("", "carrier", "procedure", "action", "summary")
        if segment.field != "action":
            assert segment.text in text


# --- practice sheets ------------------------------------------------------------------------------

_HEADING_PIECES = [
    "Commune / Institution", "Organisateur(s)", "Objectifs", "Brève description", "Résultats",
    "Contact", "Public cible", "Partenaires", ":", " | ", "COMMUNE", "présentation", "\u00a0", "Ville de",
]  # fmt: skip
_SHEET_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(_HEADING_PIECES), st.text(max_size=8)), max_size=6).map(" ".join),
)


@FEW
@given(_SHEET_TEXT)
def test_match_heading_gives_a_heading_or_none(text: str) -> None:
    heading = match_heading(text)
    if heading is not None:
        assert heading.value == heading.value.strip()
        assert heading.value in text


@FEW
@given(st.lists(st.one_of(_SHEET_TEXT, st.sampled_from(SHEET_LINES)), max_size=6).map("\n".join))
def test_organisation_names_are_trimmed_names_of_the_value_that_are_not_people(value: str) -> None:
    def words(text: str) -> set[str]:
        return {word.strip(" .;,()") for word in text.split()} - {""}

    printed = words(value)
    printed |= {word[2:] for word in printed if word[:2].lower() == "l'"}  # a leading l' is dropped
    for name in organisation_names(value):
        assert name == name.strip(" .;") and not looks_like_person_name(name)
        assert words(name) <= printed


@FEW
@given(edited_slices(SHEET_LINES, _SHEET_TEXT))
def test_the_practice_sheet_reader_never_raises_on_content(lines: list[str]) -> None:
    sheet_settings = PracticeSheetSettings()
    looks_like_practice_sheets("\n".join(lines))  # detection reads any text without raising
    sheets, _ = split_sheets(content_pages(text_pages(lines, sheet_settings), sheet_settings), sheet_settings)
    if sheets:
        result = sheet_records(sheets, "generated.txt", sheet_settings)
        assert all(points_into(finding.location, lines) for finding in result.findings)
        assert all(row["source_file"] == "generated.txt" for row in result.sheets)


# --- contacts ---------------------------------------------------------------------------------------

_CONTACT_PIECES = [
    "Tél :", "Tel.", "+352 26 48 00 1", "(+352) 691 123 456", "26 48 00-1", "E-mail :", "info@asti.lu",
    "Prénom.Nom@ville.lu", "@", ".lu", "www.asti.lu", "https://", "/", ";", ",", " et ", "Mme", "Jean Dupont",
]  # fmt: skip
_CONTACT_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(_CONTACT_PIECES), st.text(max_size=6)), max_size=8).map(" ".join),
)


@FEW
@given(_CONTACT_TEXT)
def test_phone_numbers_are_e164_or_given_back_as_unreadable(raw: str) -> None:
    numbers, unreadable = read_phone_numbers(raw)
    assert all(re.fullmatch(r"\+[1-9][0-9]{4,14}", number) for number in numbers)
    assert all(part and part in raw for part in unreadable)


@FEW
@given(_CONTACT_TEXT)
def test_emails_are_lower_case_addresses_or_given_back_as_invalid(raw: str) -> None:
    emails, invalid = read_emails(raw)
    assert all(email == email.lower() and email.count("@") == 1 for email in emails)
    assert all(part and part in raw for part in invalid)


@FEW
@given(st.lists(_CONTACT_TEXT, max_size=8))
def test_a_contact_block_of_any_lines_is_read_without_raising(texts: list[str]) -> None:
    lines = [ContactLine(text, SourceLocation("generated.txt", line=n)) for n, text in enumerate(texts, 1)]
    block = read_contact_block(lines)
    assert all(points_into(finding.location, texts) for finding in block.findings)


# --- web pages ---------------------------------------------------------------------------------------


@FEW
@given(edited_slices(WEB_LINES, st.text(max_size=40)))
def test_the_web_page_readers_never_raise_on_content(lines: list[str]) -> None:
    assert web_page_kind("\n".join(lines)) in (None, *WEB_PAGE_KINDS)
    page = page_lines(lines)
    web_settings = WebPageSettings()
    for result in (
        read_ministry_conventions(page, "generated.txt"),
        read_convention_summary(page, "generated.txt", web_settings),
        read_iom_projects(page, "generated.txt", web_settings),
    ):
        assert all(points_into(finding.location, lines) for finding in result.findings)
