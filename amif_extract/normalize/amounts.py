"""Euro amounts as printed in French, German, Luxembourgish and English documents, read exactly.

One rule decides what a separator means, so a cell is either read one way or refused:

* the last ``.`` or ``,`` is the decimal separator when one or two digits follow it;
* a single ``.`` or ``,`` followed by exactly three digits, with no other separator, groups
  thousands (``135.000€`` is 135 000, as the AMIF table prints whole euros);
* every other separator groups thousands: spaces (plain, no-break, narrow no-break, thin),
  apostrophes (``1'234.50``), or the one of ``.`` / ``,`` that is not the decimal separator;
* grouping uses one separator style throughout, the first group has one to three digits and
  every later group exactly three.

Anything else (mixed or contradictory separators, three or more decimals, a sign, words) raises
``AmountError``. Money never passes through a float: the digits go straight into a ``Decimal``.
"""

from __future__ import annotations

import re
from decimal import Decimal

# A cell that prints no value: empty, blanks or a dash.
_NO_VALUE = re.compile(r"[\s\-\u2010-\u2015\u2212]*")
_CURRENCY = r"(?:€|eur(?:os?)?)"
_CURRENCY_AROUND = re.compile(
    rf"(?P<before>{_CURRENCY}(?![a-z]))?\s*(?P<number>.*?)\s*(?P<after>(?<![a-z]){_CURRENCY})?",
    re.IGNORECASE | re.DOTALL,
)
# ",-" / ",–" after whole euros says "no cents" (45.000,-€); ".-" is the Swiss spelling.
_NO_CENTS_MARK = re.compile(r"[.,]\s*[-\u2010-\u2015\u2212]$")
_SIGN = re.compile(r"^[-+\u2010-\u2015\u2212]\s*[0-9]")
_SPACES = "\u0020\u00a0\u2007\u2009\u200a\u202f"
_GROUPED_DIGITS = re.compile(rf"[0-9]+(?:(?:[{_SPACES}]+|[.,'\u2019])[0-9]+)*")
_SEPARATOR = re.compile(rf"[{_SPACES}]+|[.,'\u2019]")
_DECIMAL_MARKS = (".", ",")


class AmountError(ValueError):
    """A cell that prints something other than one euro amount; the message names the text."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not an amount: {reason}")


def parse_amount(text: str | None) -> Decimal | None:
    """The euro amount a cell prints, in cents precision; ``None`` when the cell prints no value.

    >>> parse_amount("150.974,15€")
    Decimal('150974.15')
    >>> parse_amount("135.000€")
    Decimal('135000.00')
    """
    if text is None or _NO_VALUE.fullmatch(text):
        return None
    number = _strip_currency(text)
    if _NO_VALUE.fullmatch(number):
        return None
    if _SIGN.match(number):
        raise AmountError(text, "a signed value is not an amount here")
    whole_euros = _NO_CENTS_MARK.search(number)
    if whole_euros:
        number = number[: whole_euros.start()].rstrip()
    if not _GROUPED_DIGITS.fullmatch(number):
        raise AmountError(text, "expected digits with thousands and decimal separators")
    integer_part, cents_part = _split_decimal(text, number)
    if whole_euros and cents_part:
        raise AmountError(text, "',-' says no cents but cents are printed")
    # Built from the digit string with exactly two decimals: exact at any size, no rounding context.
    return Decimal(f"{integer_part}.{cents_part.ljust(2, '0')}")


def _strip_currency(text: str) -> str:
    match = _CURRENCY_AROUND.fullmatch(text.strip())
    assert match is not None, "every part of the pattern is optional"
    if match["before"] and match["after"]:
        raise AmountError(text, "currency printed twice")
    return match["number"]


def _split_decimal(text: str, number: str) -> tuple[str, str]:
    """The integer digits and the decimal digits ('' when none) of a separator-checked number."""
    groups = re.findall(r"[0-9]+", number)
    separators = [_separator_kind(found) for found in _SEPARATOR.findall(number)]
    decimal_mark = _decimal_mark(text, groups, separators)
    if decimal_mark is None:
        integer_groups, decimals = groups, ""
    else:
        integer_groups, decimals = groups[:-1], groups[-1]
        separators = separators[:-1]
    _check_grouping(text, integer_groups, separators, decimal_mark)
    return "".join(integer_groups), decimals


def _separator_kind(separator: str) -> str:
    if separator[0] in _SPACES:
        return " "
    return "'" if separator == "\u2019" else separator


def _decimal_mark(text: str, groups: list[str], separators: list[str]) -> str | None:
    """Which separator, if any, is the decimal one (see the module's rule)."""
    if not separators or separators[-1] not in _DECIMAL_MARKS:
        return None
    last, digits_after = separators[-1], len(groups[-1])
    if digits_after in (1, 2):
        return last
    if digits_after > 3:
        raise AmountError(text, f"{digits_after} digits after {last!r}: more than two decimals")
    if last in separators[:-1] or len(separators) == 1:
        return None
    raise AmountError(
        text, f"{last!r} followed by three digits after other separators: three decimals or mixed grouping"
    )


def _check_grouping(text: str, groups: list[str], separators: list[str], decimal_mark: str | None) -> None:
    if len(set(separators)) > 1:
        raise AmountError(text, f"mixed thousands separators {sorted(set(separators))}")
    if separators and separators[0] == decimal_mark:
        raise AmountError(text, f"{decimal_mark!r} used both for thousands and for decimals")
    first = groups[0]
    if first.startswith("0") and (len(first) > 1 or separators):
        raise AmountError(text, "leading zero")
    if separators and not 1 <= len(first) <= 3:
        raise AmountError(text, f"first group {first!r} is longer than three digits")
    for group in groups[1:]:
        if len(group) != 3:
            raise AmountError(text, f"thousands group {group!r} is not three digits")
