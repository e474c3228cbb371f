"""parse_amount on the amounts the AMIF list prints, on the other euro styles, and on refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amif_extract.normalize.amounts import AmountError, parse_amount

# Cells exactly as the AMIF text prints them (tab-separated), with the value they state.
AMIF_PRINTED_AMOUNTS: list[tuple[str, str]] = [
    ("135.000€", "135000.00"),
    ("45.000€", "45000.00"),
    ("14.321€", "14321.00"),
    ("194.321€", "194321.00"),
    ("150.974,15€", "150974.15"),
    ("16.774,91€", "16774.91"),
    ("69.624,90€", "69624.90"),
    ("94 092.97€", "94092.97"),
    ("923 799,91 €", "923799.91"),
    ("307 933,30 €", "307933.30"),
    ("59.866,5€", "59866.50"),
    ("1 357 950.00€", "1357950.00"),
    ("1 218 327.29 €", "1218327.29"),
    ("87 446€", "87446.00"),
    ("19 899€", "19899.00"),
    ("79 479.90 €", "79479.90"),
    ("21 118.52 €", "21118.52"),
    ("7 500.00€", "7500.00"),
]

OTHER_STYLES: list[tuple[str, str]] = [
    ("1\u00a0234,56\u00a0€", "1234.56"),  # FR with no-break spaces
    ("1\u202f234,56 €", "1234.56"),  # FR with narrow no-break space
    ("1\u2009234\u2009567,89", "1234567.89"),  # thin spaces
    ("12  345,00 €", "12345.00"),  # doubled space from a text extraction
    ("EUR 14 321.00", "14321.00"),
    ("EUR14.321,00", "14321.00"),
    ("14.321,00 EUR", "14321.00"),
    ("€ 1 234,56", "1234.56"),
    ("12 345 euros", "12345.00"),
    ("1 euro", "1.00"),
    ("45.000,-€", "45000.00"),
    ("45.000,–", "45000.00"),
    ("1 000,- €", "1000.00"),
    ("1'234.–", "1234.00"),  # Swiss whole-euro spelling
    ("1,234.56", "1234.56"),
    ("1,234,567.89", "1234567.89"),
    ("1,234", "1234.00"),
    ("1'234.50", "1234.50"),
    ("1\u2019234.50", "1234.50"),
    ("1.234.567,89", "1234567.89"),
    ("1.234.567", "1234567.00"),
    ("1234.5", "1234.50"),
    ("1234,56", "1234.56"),
    ("0,50", "0.50"),
    ("0", "0.00"),
    ("  135.000€\n", "135000.00"),
    ("100000000000000000000000000", "100000000000000000000000000.00"),  # beyond the default context
]


@pytest.mark.parametrize(("printed", "expected"), AMIF_PRINTED_AMOUNTS + OTHER_STYLES)
def test_parse_amount_reads_every_style(printed: str, expected: str) -> None:
    value = parse_amount(printed)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent == -2


def test_the_amif_examples_are_printed_in_the_document(raw_dir: Path) -> None:
    cells = _amif_cells(raw_dir)
    missing = [printed for printed, _ in AMIF_PRINTED_AMOUNTS if printed not in cells]
    assert missing == []


def test_every_amount_cell_of_the_amif_text_parses_except_split_cells(raw_dir: Path) -> None:
    """The two totals split over two cells ("155.0" | "000€", "167.749,0" | "6€") are the only misfits."""
    failures = []
    values = []
    for cell in _amif_cells(raw_dir):
        if not cell.endswith("€"):
            continue
        try:
            values.append(parse_amount(cell))
        except AmountError:
            failures.append(cell)
    assert failures == ["000€"]
    assert len(values) > 100
    assert Decimal("1810600.00") in values


def test_shares_of_a_real_row_add_up_exactly(raw_dir: Path) -> None:
    """Ateliers autour de la naissance: 94 092.97€ + 31 364.32€ = 125 457.29€, to the cent."""
    row = next(line for line in _amif_lines(raw_dir) if line.startswith("Ateliers autour de la naissance"))
    amounts = [parse_amount(cell) for cell in row.split("\t") if cell.endswith("€")]
    assert amounts == [Decimal("94092.97"), Decimal("31364.32"), Decimal("125457.29")]
    assert amounts[0] + amounts[1] == amounts[2]  # type: ignore[operator]


@pytest.mark.parametrize("printed", [None, "", " ", "\t\n", "-", "–", "—", " - ", "--", "€", " € ", "EUR"])
def test_cells_without_a_value_give_none(printed: str | None) -> None:
    assert parse_amount(printed) is None


@pytest.mark.parametrize(
    ("printed", "reason"),
    [
        ("1.234,567.89", "mixed thousands separators"),
        ("1,234.567,89", "mixed thousands separators"),
        ("1,23.456", "three digits after other separators"),
        ("1 234.567", "three digits after other separators"),
        ("1.234 567", "mixed thousands separators"),
        ("1 234 56", "not three digits"),
        ("1.23,45", "not three digits"),
        ("1.234.56,78", "not three digits"),
        ("12345.000", "longer than three digits"),
        ("1234 567", "longer than three digits"),
        ("1.2345", "more than two decimals"),
        ("1,234567", "more than two decimals"),
        ("1,23,45", "both for thousands and for decimals"),
        ("1.234.56", "both for thousands and for decimals"),
        ("0135", "leading zero"),
        ("0.135", "leading zero"),
        ("-1 234,56", "signed"),
        ("−5", "signed"),
        ("+5", "signed"),
        ("– 45.000€", "signed"),
        ("45,50,-", "no cents"),
        ("€ 5 EUR", "currency printed twice"),
        ("12,", "expected digits"),
        (",50", "expected digits"),
        ("12 €€", "expected digits"),
        ("1 234,56 USD", "expected digits"),
        ("N/A", "expected digits"),
        ("voir ci-dessus", "expected digits"),
        ("(1 234)", "expected digits"),
        ("١٢٣", "expected digits"),  # Arabic-Indic digits are not read as money
        ("1 234\n567", "expected digits"),
    ],
)
def test_parse_amount_refuses_what_is_not_one_amount(printed: str, reason: str) -> None:
    with pytest.raises(AmountError) as raised:
        parse_amount(printed)
    assert repr(printed) in str(raised.value)
    assert reason in str(raised.value)


# Formatters for the round trip: each writes an amount the way one kind of document does.
def _grouped(value: Decimal, separator: str) -> str:
    return f"{int(value):,}".replace(",", separator)


def _cents(value: Decimal) -> str:
    return f"{value:.2f}"[-2:]


def _french(space: str) -> Callable[[Decimal], str]:
    return lambda value: f"{_grouped(value, space)},{_cents(value)}{space}€"


WITH_CENTS: dict[str, Callable[[Decimal], str]] = {
    "fr": _french(" "),
    "fr_nbsp": _french("\u00a0"),
    "fr_nnbsp": _french("\u202f"),
    "fr_thin": _french("\u2009"),
    "de_lu": lambda v: f"{_grouped(v, '.')},{_cents(v)}€",
    "de_eur_suffix": lambda v: f"{_grouped(v, '.')},{_cents(v)} EUR",
    "en": lambda v: f"{_grouped(v, ',')}.{_cents(v)}",
    "eur_prefix": lambda v: f"EUR {_grouped(v, ' ')}.{_cents(v)}",
    "amif_dot_cents": lambda v: f"{_grouped(v, ' ')}.{_cents(v)}€",
    "swiss": lambda v: f"{_grouped(v, chr(39))}.{_cents(v)}",
    "plain": lambda v: f"{v:.2f}",
}
WHOLE_EUROS: dict[str, Callable[[Decimal], str]] = {
    "dash_no_cents": lambda v: f"{_grouped(v, '.')},-€",
    "en_dash_no_cents": lambda v: f"{_grouped(v, '.')},–",
    "dot_no_cents": lambda v: f"{_grouped(v, '.')}€",
    "space_no_cents": lambda v: f"{_grouped(v, ' ')}€",
    "euros_word": lambda v: f"{_grouped(v, ' ')} euros",
}

_amounts = st.integers(min_value=0, max_value=10**12).map(lambda cents: Decimal(cents).scaleb(-2))
_whole_amounts = st.integers(min_value=0, max_value=10**10).map(
    lambda euros: Decimal(euros).quantize(Decimal("0.01"))
)


@settings(max_examples=300, deadline=None)
@given(value=_amounts, style=st.sampled_from(sorted(WITH_CENTS)))
def test_every_style_round_trips(value: Decimal, style: str) -> None:
    assert parse_amount(WITH_CENTS[style](value)) == value


@settings(max_examples=200, deadline=None)
@given(value=_whole_amounts, style=st.sampled_from(sorted(WHOLE_EUROS)))
def test_whole_euro_styles_round_trip(value: Decimal, style: str) -> None:
    assert parse_amount(WHOLE_EUROS[style](value)) == value


_AMOUNT_PIECES = [
    "1",
    "23",
    "456",
    "000",
    "0",
    " ",
    "\u00a0",
    ".",
    ",",
    "'",
    "-",
    "–",
    "€",
    "EUR",
    "euros",
    "+",
]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_AMOUNT_PIECES), max_size=12).map("".join)))
def test_any_text_gives_an_amount_none_or_amount_error(text: str) -> None:
    try:
        value = parse_amount(text)
    except AmountError as error:
        assert repr(text) in str(error)
        return
    assert value is None or (isinstance(value, Decimal) and value.as_tuple().exponent == -2)


def _amif_lines(raw_dir: Path) -> list[str]:
    return (raw_dir / "amif_projets_cofinances.txt").read_text(encoding="utf-8").splitlines()


def _amif_cells(raw_dir: Path) -> list[str]:
    return [cell.strip() for line in _amif_lines(raw_dir) for cell in re.split(r"\t", line) if cell.strip()]


# The printed forms a next edition of the AMIF list may use (issue 15), each read to the cent.
NEXT_EDITION_FORMS: list[tuple[str, str]] = [
    ("EUR 1,234.56", "1234.56"),
    ("1.234,56 €", "1234.56"),
    ("1 234,56 €", "1234.56"),
    ("1234,56€", "1234.56"),
    ("14 321.00 EUR", "14321.00"),
    ("€1,234.56", "1234.56"),
    ("1\u202f218\u202f327,29\u00a0€", "1218327.29"),
    ("EUR 1.218.327,29", "1218327.29"),
]


@pytest.mark.parametrize(("printed", "expected"), NEXT_EDITION_FORMS)
def test_next_edition_amount_forms(printed: str, expected: str) -> None:
    assert parse_amount(printed) == Decimal(expected)


@pytest.mark.parametrize(
    ("printed", "expected"), [("1,234", "1234.00"), ("1.234", "1234.00"), ("EUR 1,234", "1234.00")]
)
def test_a_lone_separator_before_three_digits_groups_thousands_as_today(printed: str, expected: str) -> None:
    """Ambiguous alone (1,234 could be 1.234 with three decimals), read by the module's rule as
    thousands: no euro amount has three decimals; the cross-field sum check is what catches a misread."""
    assert parse_amount(printed) == Decimal(expected)


@pytest.mark.parametrize("printed", ["1,234.567", "EUR 1.234,5678", "1 234,56 € 7", "1.234,56 EUR €"])
def test_next_edition_misprints_are_refused(printed: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(printed)
