"""The names the README and the issues promise at the top of the package."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import amif_extract


def test_normalizers_are_public_functions_of_the_package() -> None:
    assert amif_extract.parse_amount("150.974,15€") == Decimal("150974.15")
    assert amif_extract.parse_period("01/01/2023 – 31/12/2024") == (date(2023, 1, 1), date(2024, 12, 31))
    assert issubclass(amif_extract.AmountError, ValueError)
    assert issubclass(amif_extract.PeriodError, ValueError)
    with pytest.raises(amif_extract.AmountError, match="douze euros"):
        amif_extract.parse_amount("douze euros")
    match = amif_extract.resolve_organisation("Coopération Nord-Sud (CNS)")
    assert isinstance(match, amif_extract.Match) and match.org_id == "cns-cooperation-nord-sud"


def test_every_listed_name_resolves_and_others_do_not() -> None:
    for name in amif_extract.__all__:
        assert getattr(amif_extract, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'parse_everything'"):
        amif_extract.parse_everything  # noqa: B018
