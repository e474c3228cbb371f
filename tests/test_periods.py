"""Periods: the AMIF table's date cells, the IOM page's French prose, other forms, and refusals."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amif_extract.normalize.periods import (
    Period,
    PeriodError,
    find_date_atoms,
    find_periods,
    is_period_fragment,
    numeric_dates,
    parse_period,
    parse_period_detailed,
    scan_periods,
)

D = date
# (text, start, end, start precision, end precision, stated duration in months)
Expected = tuple[str, date, date | None, str, str | None, int | None]

NUMERIC_FORMS: list[Expected] = [
    ("01/01/2023-\n31/12/2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("01/01/2023- 31/12/2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("01/01/2023 – 31/12/2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("01/01/2023—31/12/2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("01.01.2023 - 31.12.2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("1-1-2023 - 31-12-2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("du 01/03/2025 au 31/12/2028", D(2025, 3, 1), D(2028, 12, 31), "day", "day", None),
    ("Du 01/03/2025 jusqu'au 31/12/2028", D(2025, 3, 1), D(2028, 12, 31), "day", "day", None),
    ("01/01/2023 au 31/12/2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("01/01/2023 à 31/12/2024", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("2023-01-01/2024-12-31", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("2023-01-01 – 2024-12-31", D(2023, 1, 1), D(2024, 12, 31), "day", "day", None),
    ("01/2023 - 06/2024", D(2023, 1, 1), D(2024, 6, 30), "month", "month", None),
    ("2024-02-01 - 2024-02-29", D(2024, 2, 1), D(2024, 2, 29), "day", "day", None),
    ("2021-2023", D(2021, 1, 1), D(2023, 12, 31), "year", "year", None),
    ("2011 – 2014", D(2011, 1, 1), D(2014, 12, 31), "year", "year", None),
]

PROSE_FORMS: list[Expected] = [
    ("janvier à décembre 2021", D(2021, 1, 1), D(2021, 12, 31), "month", "month", None),
    ("de janvier 2021 à mars 2022", D(2021, 1, 1), D(2022, 3, 31), "month", "month", None),
    ("entre octobre 2007 et septembre 2008", D(2007, 10, 1), D(2008, 9, 30), "month", "month", None),
    ("d'avril 2002 à septembre 2003", D(2002, 4, 1), D(2003, 9, 30), "month", "month", None),
    ("septembre 2014-décembre 2016", D(2014, 9, 1), D(2016, 12, 31), "month", "month", None),
    ("sept. 2008 – déc. 2009", D(2008, 9, 1), D(2009, 12, 31), "month", "month", None),
    ("de sept 2008 à févr. 2009", D(2008, 9, 1), D(2009, 2, 28), "month", "month", None),
    ("de janv. 2020 à juil. 2020", D(2020, 1, 1), D(2020, 7, 31), "month", "month", None),
    ("du 30 sept. 2008 au 1er déc. 2008", D(2008, 9, 30), D(2008, 12, 1), "day", "day", None),
    ("de février à août 2024", D(2024, 2, 1), D(2024, 8, 31), "month", "month", None),
    ("du 1er mars au 30 juin 2020", D(2020, 3, 1), D(2020, 6, 30), "day", "day", None),
    ("du 1er mars 2019 au 28 février 2021", D(2019, 3, 1), D(2021, 2, 28), "day", "day", None),
    ("du 1er janvier 2020 au 31/12/2021", D(2020, 1, 1), D(2021, 12, 31), "day", "day", None),
    ("de 2021 à 2023", D(2021, 1, 1), D(2023, 12, 31), "year", "year", None),
    ("entre 2021 et 2023", D(2021, 1, 1), D(2023, 12, 31), "year", "year", None),
    ("de Mai 2009 à fin 2010", D(2009, 5, 1), D(2010, 12, 31), "month", "year", None),
    (
        "a débuté en mai 2009 pour une durée de deux ans",
        D(2009, 5, 1),
        D(2011, 4, 30),
        "month",
        "month",
        24,
    ),
    (
        "a débuté en Mai 2009 pour une durée initiale de deux ans",
        D(2009, 5, 1),
        D(2011, 4, 30),
        "month",
        "month",
        24,
    ),
    (
        "a débuté en mai 2009 pour une durée de 18 mois",
        D(2009, 5, 1),
        D(2010, 10, 31),
        "month",
        "month",
        18,
    ),
    (
        "a démarré le 1er mars 2020 pour une durée de trente-six mois",
        D(2020, 3, 1),
        D(2023, 2, 28),
        "day",
        "day",
        36,
    ),
    ("a commencé en 2009, sur une durée de dix-huit mois", D(2009, 1, 1), D(2010, 6, 30), "year", "year", 18),
    ("a débuté le 31 janvier 2020 pour une durée d'un mois", D(2020, 1, 31), D(2020, 2, 28), "day", "day", 1),
    (
        "pour une durée de vingt-quatre mois à compter du 1er janvier 2020",
        D(2020, 1, 1),
        D(2021, 12, 31),
        "day",
        "day",
        24,
    ),
    (
        "pour une durée de douze mois à partir de juin 2010",
        D(2010, 6, 1),
        D(2011, 5, 31),
        "month",
        "month",
        12,
    ),
    ("Depuis juin 2008", D(2008, 6, 1), None, "month", None, None),
    ("depuis 2008", D(2008, 1, 1), None, "year", None, None),
    ("depuis le 1er janvier 2020", D(2020, 1, 1), None, "day", None, None),
    ("à partir du 01/03/2025", D(2025, 3, 1), None, "day", None, None),
    ("en 2011", D(2011, 1, 1), D(2011, 12, 31), "year", "year", None),
    ("pendant l'année 2011", D(2011, 1, 1), D(2011, 12, 31), "year", "year", None),
    ("durant l’année 2011", D(2011, 1, 1), D(2011, 12, 31), "year", "year", None),
    ("en avril 2002", D(2002, 4, 1), D(2002, 4, 30), "month", "month", None),
    ("en févr. 2024", D(2024, 2, 1), D(2024, 2, 29), "month", "month", None),
    ("en sept. 2008", D(2008, 9, 1), D(2008, 9, 30), "month", "month", None),
    ("Depuis fin mai 2009", D(2009, 5, 1), None, "month", None, None),
    ("a lancé le 31 octobre 2011", D(2011, 10, 31), None, "day", None, None),
]


def _assert_period(period: Period, expected: Expected) -> None:
    _, start, end, start_precision, end_precision, duration = expected
    assert (period.start, period.end) == (start, end)
    assert (period.start_precision, period.end_precision) == (start_precision, end_precision)
    assert period.duration_months == duration


@pytest.mark.parametrize("expected", NUMERIC_FORMS + PROSE_FORMS, ids=lambda e: e[0])
def test_parse_period_reads_every_form(expected: Expected) -> None:
    text = expected[0]
    period = parse_period_detailed(text)
    _assert_period(period, expected)
    assert period.text == text
    assert parse_period(text) == (period.start, period.end)


@pytest.mark.parametrize("expected", NUMERIC_FORMS + PROSE_FORMS, ids=lambda e: e[0])
def test_a_period_inside_a_sentence_is_found_with_its_position(expected: Expected) -> None:
    """Synthetic: the same forms with words around them, as prose carries them."""
    sentence = f"Le projet, mis en œuvre {expected[0]}, vise l'intégration."
    period = parse_period_detailed(sentence)
    _assert_period(period, expected)
    assert sentence[period.offset : period.offset + len(period.text)] == period.text
    assert expected[0] in period.text


# The IOM France page, read whole: every period it states, in order, with what it means.
IOM_PAGE_PERIODS: list[Expected] = [
    ("En 2011", D(2011, 1, 1), D(2011, 12, 31), "year", "year", None),
    ("Depuis juin 2008", D(2008, 6, 1), None, "month", None, None),
    ("Depuis 2008", D(2008, 1, 1), None, "year", None, None),
    (
        "a commencé le 1er janvier 2012 pour une durée de 18 mois",
        D(2012, 1, 1),
        D(2013, 6, 30),
        "day",
        "day",
        18,
    ),
    ("a lancé le 31 octobre 2011", D(2011, 10, 31), None, "day", None, None),
    (
        "a débuté en Mai 2009 pour une durée initiale de deux ans",
        D(2009, 5, 1),
        D(2011, 4, 30),
        "month",
        "month",
        24,
    ),
    ("Depuis janvier 2007", D(2007, 1, 1), None, "month", None, None),
    ("Depuis fin mai 2009", D(2009, 5, 1), None, "month", None, None),
    ("entre octobre 2007 et septembre 2008", D(2007, 10, 1), D(2008, 9, 30), "month", "month", None),
    ("entre octobre 2002 et mai 2003", D(2002, 10, 1), D(2003, 5, 31), "month", "month", None),
    ("en avril 2002", D(2002, 4, 1), D(2002, 4, 30), "month", "month", None),
]


def test_find_periods_reads_every_period_of_the_iom_page(raw_dir: Path) -> None:
    page = (raw_dir / "oim_france_projets.txt").read_text(encoding="utf-8")
    periods = find_periods(page)
    assert [period.text for period in periods] == [expected[0] for expected in IOM_PAGE_PERIODS]
    for period, expected in zip(periods, IOM_PAGE_PERIODS, strict=True):
        _assert_period(period, expected)
        assert page[period.offset : period.offset + len(period.text)] == period.text
    assert scan_periods(page).rejected == ()


@pytest.mark.parametrize(
    ("sentence", "expected_text"),
    [
        (
            "Ce programme d’aide au retour et à la réinsertion financé par l’OFII (Office Français de "
            "l’Immigration et de l’Intégration) a débuté en Mai 2009 pour une durée initiale de deux ans.",
            "a débuté en Mai 2009 pour une durée initiale de deux ans",
        ),
        (
            "Dans le cadre d’une convention signée avec l’OFII, les bureaux de l’OIM France ont mis "
            "en œuvre, entre octobre 2007 et septembre 2008, le projet de Programme expérimental",
            "entre octobre 2007 et septembre 2008",
        ),
        (
            "3. Depuis juin 2008, l’OIM coopère avec la France et le HCR dans le cadre de réinstallation",
            "Depuis juin 2008",
        ),
        (
            "Il a commencé le 1er janvier 2012 pour une durée de 18 mois durant lesquels les activités",
            "a commencé le 1er janvier 2012 pour une durée de 18 mois",
        ),
    ],
)
def test_iom_sentences_parse_alone(raw_dir: Path, sentence: str, expected_text: str) -> None:
    page = (raw_dir / "oim_france_projets.txt").read_text(encoding="utf-8")
    assert sentence in page
    assert parse_period_detailed(sentence).text == expected_text


def _amif_period_cells(raw_dir: Path) -> list[str]:
    """The "Période de cofinancement" cells, with a start ending in "-" joined to the next line's cell."""
    lines = (raw_dir / "amif_projets_cofinances.txt").read_text(encoding="utf-8").splitlines()
    start_cell = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}-( ?[0-9]{2}/[0-9]{2}/[0-9]{4})?")
    cells = []
    for number, line in enumerate(lines):
        for column, cell in enumerate(line.split("\t")):
            if not start_cell.fullmatch(cell.strip()):
                continue
            if cell.strip().endswith("-"):
                cell += "\n" + lines[number + 1].split("\t")[column]
            cells.append(cell)
    return cells


def test_every_period_cell_of_the_amif_table_parses(raw_dir: Path) -> None:
    periods = [parse_period_detailed(cell) for cell in _amif_period_cells(raw_dir)]
    assert len(periods) == 37
    assert all(p.start_precision == p.end_precision == "day" and p.start.day == 1 for p in periods)
    spans = [(p.start, p.end) for p in periods]
    assert spans[:4] == [
        (D(2023, 1, 1), D(2023, 12, 31)),  # Ateliers autour de la naissance: "01/01/2023- 31/12/2023"
        (D(2023, 1, 1), D(2024, 12, 31)),  # Motirõ: "01/01/2023-" / "31/12/2024"
        (D(2023, 1, 1), D(2024, 12, 31)),  # Chrysalis
        (D(2023, 1, 1), D(2024, 6, 30)),  # Zougang: "01/01/2023-" / "30/06/2024"
    ]
    assert (D(2025, 3, 1), D(2028, 12, 31)) in spans  # Projet Parentalité ALUPSE
    assert (D(2022, 11, 1), D(2026, 12, 31)) in spans  # the row whose title cell is empty


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Luxembourg — janvier à décembre 2021",
            ("janvier à décembre 2021", D(2021, 1, 1), D(2021, 12, 31), "month", "month", None),
        ),
        (
            "mis en œuvre entre février 2025 et décembre 2027, a pour objectif",
            ("entre février 2025 et décembre 2027", D(2025, 2, 1), D(2027, 12, 31), "month", "month", None),
        ),
        (
            "vers une mise en œuvre de l'évaluation familiale 2025-2028",
            ("2025-2028", D(2025, 1, 1), D(2028, 12, 31), "year", "year", None),
        ),
        (
            "Depuis 2008, l'organisation de retours forcés a bénéficié d'un cofinancement",
            ("Depuis 2008", D(2008, 1, 1), None, "year", None, None),
        ),
    ],
)
def test_amif_prose_periods(raw_dir: Path, sentence: str, expected: Expected) -> None:
    text = (raw_dir / "amif_projets_cofinances.txt").read_text(encoding="utf-8")
    assert sentence in " ".join(text.split())
    period = parse_period_detailed(sentence)
    assert period.text == expected[0]
    _assert_period(period, expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2023 - 31/12/2024", "impossible date '31/02/2023'"),
        ("01/01/2023 - 31/13/2024", "impossible date '31/13/2024'"),
        ("du 29 février 2023 au 31 mars 2023", "impossible date '29 février 2023'"),
        ("01/01/2024 - 31/12/2023", "before start"),
        ("entre 2012 et 2011", "before start"),
        ("de novembre à février 2021", "before start"),
        ("a débuté en mai 2009 pour une durée de 0 mois", "duration of zero"),
        ("31/02/2023", "no period"),
        ("01/01/2023-", "no period"),
        ("", "no period"),
        ("rien de daté ici", "no period"),
        ("le 1er janvier 2020", "no period"),
        ("Appel 2022", "no period"),
        ("pendant 6 mois à 2 ans", "no period"),
        ("en 2011 et en 2012", "2 periods found"),
        ("01/01/2023 - 31/12/2023 puis 01/01/2024 - 31/12/2024", "2 periods found"),
    ],
)
def test_parse_period_refuses(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text)
    assert reason in str(raised.value)
    assert repr(raised.value.text) in str(raised.value)


def test_scan_keeps_refused_expressions_as_errors_and_reads_the_rest() -> None:
    """Synthetic: an impossible range beside a valid one; find_periods keeps only the valid one."""
    text = "Phase 1 du 31/02/2023 au 31/12/2023, phase 2 depuis janvier 2024."
    scan = scan_periods(text)
    assert [error.text for error in scan.rejected] == ["du 31/02/2023 au 31/12/2023"]
    assert scan.rejected[0].offset == text.index("du 31/02")
    assert [period.text for period in find_periods(text)] == ["depuis janvier 2024"]


def test_find_periods_returns_nothing_for_undated_text() -> None:
    assert find_periods("Le projet vise à renforcer les capacités des acteurs locaux.") == []


def test_month_names_are_whole_words() -> None:
    """Synthetic: "maintenance", "marsupial", "septentrional" hold no month."""
    assert find_date_atoms("la maintenance du marsupial septentrional") == []
    atoms = find_date_atoms("sept. 2008, févr., déc. et Mai 2009")
    assert [(atom.year, atom.month) for atom in atoms] == [(2008, 9), (None, 2), (None, 12), (2009, 5)]


_PERIOD_PIECES = [
    "01", "31", "/", "12", "2023", "2024", "-", "–", " ", "\n", "au", "du", "de", "entre", "et", "à",
    "janvier", "sept.", "févr", "mai", "depuis", "en", "a débuté", "pour une durée de", "deux", "18",
    "ans", "mois", "1er", "fin", "'", ".", "0000", "99",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_PERIOD_PIECES), max_size=14).map(" ".join)))
def test_any_text_gives_periods_or_period_error(text: str) -> None:
    try:
        start, end = parse_period(text)
    except PeriodError:
        pass
    else:
        assert end is None or start <= end
    for period in find_periods(text):
        assert period.end is None or period.start <= period.end
        assert period.text in text or period.text in _nfc(text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_the_month_table_agrees_with_dateparser_where_dateparser_knows_the_form() -> None:
    """dateparser is the independent check of the hand-kept French month table (see the module doc).

    It knows every form but the abbreviation ``juill`` (which the brochure's era of documents uses);
    a form it reads as another month would be a mistake in the table.
    """
    import dateparser

    from amif_extract.normalize.periods import FRENCH_MONTHS

    unknown_to_dateparser = set()
    for name, month in FRENCH_MONTHS.items():
        parsed = dateparser.parse(f"15 {name} 2020", languages=["fr"])
        if parsed is None:
            unknown_to_dateparser.add(name)
        else:
            assert parsed.month == month, name
    assert unknown_to_dateparser == {"juill"}
    assert parse_period("sept. 2008 - oct. 2009") == (date(2008, 9, 1), date(2009, 10, 31))


# The printed forms a next edition of the AMIF list may use (issue 15).
@pytest.mark.parametrize(
    "printed",
    [
        "01.01.2023 – 31.12.2023",
        "du 01/01/2023 au 31/12/2023",
        "Du 01.01.2023 au 31.12.2023",
        "2023-01-01 / 2023-12-31",
        "2023-01-01 – 2023-12-31",
        "01/01/2023- 31/12/2023",
        "01/01/2023-\n31/12/2023",
        "du 01/01/2023 au\n31/12/2023",
        "2023-01-01 /\n2023-12-31",
    ],
)
def test_next_edition_period_forms(printed: str) -> None:
    assert parse_period(printed) == (D(2023, 1, 1), D(2023, 12, 31))


@pytest.mark.parametrize(
    ("cell", "dates"),
    [
        ("01/01/2023-", ["01/01/2023"]),
        ("31/12/2024", ["31/12/2024"]),
        ("du 01/01/2023 au", ["01/01/2023"]),
        ("2023-01-01 /", ["2023-01-01"]),
        ("01.01.2023 – 31.12.2023", ["01.01.2023", "31.12.2023"]),
        ("au 31.12.2023", ["31.12.2023"]),
    ],
)
def test_a_period_fragment_is_recognised_with_its_dates(cell: str, dates: list[str]) -> None:
    assert is_period_fragment(cell)
    assert numeric_dates(cell) == dates


@pytest.mark.parametrize("cell", ["Appel 2022", "2024", "2023-2024", "01/2023", "1 234,56 €", "du côté", ""])
def test_other_cells_are_not_period_fragments(cell: str) -> None:
    assert not is_period_fragment(cell)
