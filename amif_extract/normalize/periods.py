"""Periods as French documents write them: numeric ranges, month names, prose with durations.

Reading is two steps, each a plain function:

1. ``find_date_atoms``: every date-like piece of the text (``01/01/2023``, ``2023-01-01``,
   ``1er janvier 2020``, ``sept. 2008``, ``fin mai 2009``, ``janvier``, ``2011``), with its
   position and what it states (day, month, year; missing parts stay missing).
2. ``scan_periods``: the period forms built from those pieces and the words around them
   (``du … au …``, ``entre … et …``, ``… – …``, ``depuis …``, ``en 2011``, ``a débuté en … pour
   une durée de …``), each read into a ``Period`` or rejected with a ``PeriodError``.

Month names are read from an explicit French table, not by dateparser: dateparser fills the
parts a phrase leaves out from today's date (``"2011"`` reads as 2011-<this month>-<today>),
and up to at least 1.4, told the text is French, it read ``sept.`` as the number seven
(scrapinghub/dateparser#1285; 1.5 reads it right, the project allows >=1.2). Every part
of a date here comes from the text; a calendar-impossible date is refused, never adjusted.

A start that prints only a month is the 1st of that month, an end the last day of it
(precision ``"month"``); a year alone is 1 January or 31 December (precision ``"year"``). The
qualifiers ``début`` / ``mi-`` / ``fin`` are kept in the text but do not move the date: the
precision already says the date is only known to the month (or year).
"""

from __future__ import annotations

import calendar
import dataclasses
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Precision = Literal["day", "month", "year"]
AtomKind = Literal["iso", "numeric", "prose", "year"]

# How far before a date to look for the words that introduce it ("du", "depuis le", …).
INTRODUCER_WINDOW = 80

FRENCH_MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1,
    "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2, "fev": 2,
    "mars": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7, "juill": 7,
    "août": 8, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}  # fmt: skip

# Numbers a duration may be written with ("pour une durée de deux ans").
FRENCH_NUMBERS: dict[str, int] = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "vingt": 20,
    "vingt-quatre": 24, "trente": 30, "trente-six": 36, "quarante-huit": 48,
}  # fmt: skip

_FLAGS = re.IGNORECASE | re.VERBOSE
_APOSTROPHE = "['\u2019]"
_DASH = "[-\u2010-\u2015\u2212]"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_MONTH = rf"(?:{_alternation(list(FRENCH_MONTHS))})"
_NUMBER_WORD = rf"(?:{_alternation(list(FRENCH_NUMBERS))})"

_DATE_ATOM = re.compile(
    rf"""
    (?<!\w)
    (?:
        (?P<iso>(?P<iso_y>[0-9]{{4}})-(?P<iso_m>[0-9]{{2}})-(?P<iso_d>[0-9]{{2}}))(?![0-9])
      | (?P<numeric>(?P<num_d>[0-9]{{1,2}})(?P<sep>[/.-])(?P<num_m>[0-9]{{1,2}})(?P=sep)
            (?P<num_y>[0-9]{{4}}))(?![0-9])
      | (?P<month_year>(?P<my_m>[0-9]{{1,2}})/(?P<my_y>[0-9]{{4}}))(?![0-9])
      | (?P<prose>
            (?:(?:début|debut|mi|fin)(?:\s+|-))?
            (?:(?P<pr_d>1er|1ᵉʳ|premier|[0-9]{{1,2}})\s+)?
            (?P<pr_m>{_MONTH})(?:\.|(?!\w))
            (?:\s+(?P<pr_y>[0-9]{{4}})(?![0-9]))?
        )
      | (?P<year>(?:(?:début|debut|mi|fin)(?:\s+|-))?(?P<yr>(?:19|20)[0-9]{{2}}))(?![\w,.][0-9]|\w)
    )
    """,
    _FLAGS,
)

# Between the two dates of a range.
_RANGE_LINK = re.compile(
    rf"""
    \s*(?P<dash>{_DASH})\s*
  | \s*(?P<slash>/)\s*
  | \s+(?P<word>au|à|jusqu{_APOSTROPHE}\s*(?:au|à|en)|et)\s+(?:le\s+|l{_APOSTROPHE}année\s+)?
    """,
    _FLAGS,
)
# Before the first date of a range.
_RANGE_INTRO = re.compile(
    rf"""
    (?<!\w)(?P<intro>du|de|d{_APOSTROPHE}|entre|depuis|à\s+partir\s+du|à\s+partir\s+de|à\s+compter\s+du)
    (?:\s+(?:le|l{_APOSTROPHE}année)\s+|\s*(?<={_APOSTROPHE})|\s+)$
    """,
    _FLAGS,
)
_OPEN_INTRO = re.compile(
    rf"""
    (?<!\w)(?:depuis|dès|à\s+partir\s+(?:du|de|d{_APOSTROPHE})|à\s+compter\s+(?:du|de|d{_APOSTROPHE}))
    (?:\s+(?:le|l{_APOSTROPHE}année)\s+|\s*(?<={_APOSTROPHE})|\s+)$
    """,
    _FLAGS,
)
_SINGLE_INTRO = re.compile(
    rf"""
    (?<!\w)(?:en|pendant|durant|au\s+cours\s+de|courant)
    (?:\s+(?:l{_APOSTROPHE}année|le\s+mois\s+de)\s+|\s+le\s+mois\s+d{_APOSTROPHE}\s*|\s+)$
    """,
    _FLAGS,
)
_UNIT = r"(?P<unit>mois|ans?|années?)(?!\w)"
_DURATION_AMOUNT = rf"(?P<count>[0-9]{{1,3}}|{_NUMBER_WORD})\s+{_UNIT}"
_DURATION_PHRASE = rf"""
    (?:pour|sur|d{_APOSTROPHE})\s*une\s+(?:durée|duree|période|periode)
    (?:\s+(?:initiale|totale|prévue|prevue|prévisionnelle|globale))?
    \s+(?:de|d{_APOSTROPHE})\s*{_DURATION_AMOUNT}
"""
_START_VERB = re.compile(
    rf"""
    (?<!\w)(?:(?:a|ont|avait|avaient|a\s+été|ont\s+été|sera|seront)\s+)?
    (?:début|debut|commenc|démarr|demarr|lanc)(?:é|e|ée|és|ées|er|era|eront|ait|ant)
    \s+(?:en|le|l{_APOSTROPHE}|au\s+mois\s+de|au\s+mois\s+d{_APOSTROPHE}|dès)?\s*
    (?:l{_APOSTROPHE}année\s+)?$
    """,
    _FLAGS,
)
_DURATION_AFTER = re.compile(rf"\s*,?\s+{_DURATION_PHRASE}", _FLAGS)
_DURATION_BEFORE = re.compile(
    rf"""
    (?<!\w){_DURATION_PHRASE}
    \s*,?\s+(?:à\s+compter|à\s+partir)\s+(?:du|de|d{_APOSTROPHE})
    (?:\s+(?:le|l{_APOSTROPHE}année)\s+|\s*(?<={_APOSTROPHE})|\s+)$
    """,
    _FLAGS,
)


class PeriodError(ValueError):
    """Text that holds no readable period, or a period that cannot be (end before start, 31/02)."""

    def __init__(self, text: str, reason: str, offset: int = 0) -> None:
        self.text = text
        self.reason = reason
        self.offset = offset
        super().__init__(f"{text!r}: {reason}")


class _Refusal(Exception):
    """Why a recognised expression is not a valid period; becomes a PeriodError with its text."""


@dataclass(frozen=True)
class Period:
    """A period read from text; ``end`` is None for an open end ("depuis juin 2008").

    ``text`` is the exact substring the period was read from and ``offset`` its index in the
    string given to the parser (after NFC normalisation, which the cleaned text already has).
    """

    start: date
    end: date | None
    start_precision: Precision
    end_precision: Precision | None
    duration_months: int | None
    text: str
    offset: int = 0


@dataclass(frozen=True)
class DateAtom:
    """A date-like piece of text; ``month`` or ``year`` is None when the text leaves it out."""

    start: int
    end: int
    printed: str
    year: int | None
    month: int | None
    day: int | None
    kind: AtomKind

    @property
    def complete(self) -> bool:
        return self.year is not None


@dataclass(frozen=True)
class PeriodScan:
    """Every period expression of a text: those read and those refused, each in text order."""

    periods: tuple[Period, ...]
    rejected: tuple[PeriodError, ...]


def parse_period(text: str) -> tuple[date, date | None]:
    """Start and end (None = open) of the one period the text states; PeriodError otherwise."""
    period = parse_period_detailed(text)
    return period.start, period.end


def parse_period_detailed(text: str) -> Period:
    """The one period the text states, with precision, stated duration and where it was read."""
    scan = scan_periods(text)
    if scan.rejected:
        raise scan.rejected[0]
    if not scan.periods:
        raise PeriodError(text, "no period found")
    if len(scan.periods) > 1:
        found = ", ".join(repr(period.text) for period in scan.periods)
        raise PeriodError(text, f"{len(scan.periods)} periods found ({found}); expected one")
    return scan.periods[0]


def find_periods(text: str) -> list[Period]:
    """Every readable period expression of a longer text, in order, non-overlapping.

    Expressions that look like periods but cannot be (end before start, an impossible date)
    are left out here; ``scan_periods`` returns them as ``PeriodError`` values.
    """
    return list(scan_periods(text).periods)


def scan_periods(text: str) -> PeriodScan:
    """Every period expression of a text; where readings overlap, the longest one wins."""
    text = unicodedata.normalize("NFC", text)
    atoms = find_date_atoms(text)
    candidates: list[Candidate] = []
    for index, atom in enumerate(atoms):
        following = atoms[index + 1] if index + 1 < len(atoms) else None
        for reader in _READERS:
            candidate = reader(text, atom, following)
            if candidate is not None:
                candidates.append(candidate)
    chosen = _longest_non_overlapping(candidates)
    return PeriodScan(
        periods=tuple(value for value in chosen if isinstance(value, Period)),
        rejected=tuple(value for value in chosen if isinstance(value, PeriodError)),
    )


def find_date_atoms(text: str) -> list[DateAtom]:
    """Every date-like piece of the text, in order (see the module docstring)."""
    return [_atom_from_match(match) for match in _DATE_ATOM.finditer(text)]


def _atom_from_match(match: re.Match[str]) -> DateAtom:
    start, end, printed = *match.span(), match[0]
    if match["iso"]:
        fields = (int(match["iso_y"]), int(match["iso_m"]), int(match["iso_d"]))
        return DateAtom(start, end, printed, *fields, kind="iso")
    if match["numeric"]:
        fields = (int(match["num_y"]), int(match["num_m"]), int(match["num_d"]))
        return DateAtom(start, end, printed, *fields, kind="numeric")
    if match["month_year"]:
        return DateAtom(start, end, printed, int(match["my_y"]), int(match["my_m"]), None, kind="numeric")
    if match["prose"]:
        month = FRENCH_MONTHS[match["pr_m"].rstrip(".").lower()]
        year = int(match["pr_y"]) if match["pr_y"] else None
        return DateAtom(start, end, printed, year, month, _prose_day(match["pr_d"]), kind="prose")
    return DateAtom(start, end, printed, int(match["yr"]), None, None, kind="year")


def _prose_day(printed: str | None) -> int | None:
    if printed is None:
        return None
    return 1 if not printed.isdigit() else int(printed)


# Each reader looks at one date atom (and the next one) in its text and returns the period
# expression it recognises there as (start offset, end offset, Period or PeriodError), or None.
Candidate = tuple[int, int, Period | PeriodError]
Reader = Callable[[str, DateAtom, DateAtom | None], Candidate | None]


def _read_range(text: str, first: DateAtom, second: DateAtom | None) -> Candidate | None:
    """``du 01/03/2025 au 31/12/2028``, ``entre octobre 2007 et septembre 2008``, ``2021-2023``."""
    if second is None or not second.complete:
        return None
    link = _RANGE_LINK.fullmatch(text, first.end, second.start)
    if link is None or (link["slash"] and not first.kind == second.kind == "iso"):
        return None
    intro = _RANGE_INTRO.search(text, max(0, first.start - INTRODUCER_WINDOW), first.start)
    says_between = intro is not None and intro["intro"].lower() == "entre"
    if (link["word"] or "").lower() == "et" and not says_between:
        return None
    if says_between and (link["word"] or "").lower() != "et":
        return None
    if not first.complete and second.month is None:
        return None
    span_start = intro.start() if intro is not None else first.start
    return _build(text, span_start, second.end, lambda: _range_period(first, second))


def _read_open_start(text: str, atom: DateAtom, _: DateAtom | None) -> Candidate | None:
    """``Depuis juin 2008``, ``depuis 2008``, ``à partir du 1er mars 2020``."""
    intro = _OPEN_INTRO.search(text, max(0, atom.start - INTRODUCER_WINDOW), atom.start)
    if intro is None or not atom.complete:
        return None
    return _build(text, intro.start(), atom.end, lambda: _open_period(atom))


def _read_single(text: str, atom: DateAtom, _: DateAtom | None) -> Candidate | None:
    """``en 2011``, ``pendant l'année 2011``, ``en avril 2002``: one whole year or month."""
    intro = _SINGLE_INTRO.search(text, max(0, atom.start - INTRODUCER_WINDOW), atom.start)
    if intro is None or not atom.complete or atom.day is not None:
        return None
    return _build(text, intro.start(), atom.end, lambda: _whole_period(atom))


def _read_start_and_duration(text: str, atom: DateAtom, _: DateAtom | None) -> Candidate | None:
    """``a débuté en Mai 2009 pour une durée initiale de deux ans``; without a duration the end is open."""
    verb = _START_VERB.search(text, max(0, atom.start - INTRODUCER_WINDOW), atom.start)
    if verb is None or not atom.complete:
        return None
    duration = _DURATION_AFTER.match(text, atom.end)
    if duration is None:
        return _build(text, verb.start(), atom.end, lambda: _open_period(atom))
    return _build(text, verb.start(), duration.end(), lambda: _period_with_duration(atom, duration))


def _read_duration_then_start(text: str, atom: DateAtom, _: DateAtom | None) -> Candidate | None:
    """``pour une durée de deux ans à compter du 1er janvier 2020``."""
    duration = _DURATION_BEFORE.search(text, max(0, atom.start - INTRODUCER_WINDOW), atom.start)
    if duration is None or not atom.complete:
        return None
    return _build(text, duration.start(), atom.end, lambda: _period_with_duration(atom, duration))


_READERS: tuple[Reader, ...] = (
    _read_range,
    _read_open_start,
    _read_single,
    _read_start_and_duration,
    _read_duration_then_start,
)


def _build(text: str, start: int, end: int, make: Callable[[], Period]) -> Candidate:
    """Run a period constructor on the substring; its refusal becomes a PeriodError value."""
    printed = text[start:end]
    try:
        period = make()
    except _Refusal as refusal:
        return start, end, PeriodError(printed, str(refusal), offset=start)
    return start, end, dataclasses.replace(period, text=printed, offset=start)


def _longest_non_overlapping(candidates: list[Candidate]) -> list[Period | PeriodError]:
    taken: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        start, end, _ = candidate
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in taken):
            taken.append(candidate)
    return [value for _, _, value in sorted(taken, key=lambda c: c[0])]


def _range_period(first: DateAtom, second: DateAtom) -> Period:
    start_atom = _complete_from(first, second)
    start, start_precision = _first_day(start_atom)
    end, end_precision = _last_day(second)
    if end < start:
        raise _Refusal(f"end {end.isoformat()} is before start {start.isoformat()}")
    return Period(start, end, start_precision, end_precision, None, "")


def _complete_from(partial: DateAtom, full: DateAtom) -> DateAtom:
    """``janvier à décembre 2021``: the start takes the year the end prints."""
    if partial.complete:
        return partial
    return dataclasses.replace(partial, year=full.year)


def _open_period(atom: DateAtom) -> Period:
    start, precision = _first_day(atom)
    return Period(start, None, precision, None, None, "")


def _whole_period(atom: DateAtom) -> Period:
    start, precision = _first_day(atom)
    end, _ = _last_day(atom)
    return Period(start, end, precision, precision, None, "")


def _period_with_duration(atom: DateAtom, duration: re.Match[str]) -> Period:
    """The end is the day before the same day ``months`` later: May 2009 + 2 years ends 30 April 2011."""
    count = duration["count"].lower()
    number = int(count) if count.isdigit() else FRENCH_NUMBERS[count]
    months = number if duration["unit"].lower() == "mois" else 12 * number
    if months == 0:
        raise _Refusal("duration of zero")
    start, precision = _first_day(atom)
    try:
        end = _add_months(start, months) - timedelta(days=1)
    except (ValueError, OverflowError) as error:
        raise _Refusal(f"end date out of range ({error})") from error
    return Period(start, end, precision, precision, months, "")


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _first_day(atom: DateAtom) -> tuple[date, Precision]:
    if atom.month is None:
        return _checked_date(atom, 1, 1), "year"
    if atom.day is None:
        return _checked_date(atom, atom.month, 1), "month"
    return _checked_date(atom, atom.month, atom.day), "day"


def _last_day(atom: DateAtom) -> tuple[date, Precision]:
    if atom.month is None:
        return _checked_date(atom, 12, 31), "year"
    if atom.day is None:
        if not (atom.year and 1 <= atom.month <= 12):
            raise _Refusal(f"impossible date {atom.printed!r}")
        return _checked_date(atom, atom.month, calendar.monthrange(atom.year, atom.month)[1]), "month"
    return _checked_date(atom, atom.month, atom.day), "day"


def _checked_date(atom: DateAtom, month: int, day: int) -> date:
    try:
        return date(atom.year or 0, month, day)
    except ValueError as error:
        raise _Refusal(f"impossible date {atom.printed!r}") from error


# --- period cells of a table ------------------------------------------------------------------------
# A table prints a period as two numeric dates, often cut over two lines: "01/01/2023-" then
# "31/12/2024", "du 01.01.2023 au" then "31.12.2023", "2023-01-01 /" then "2023-12-31". An
# extractor needs to know that a cell is such a piece before the whole period can be parsed.

NUMERIC_DATE = r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4})"
_NUMERIC_DATE_FOUND = re.compile(rf"(?<![0-9]){NUMERIC_DATE}(?![0-9])")
_PERIOD_LINK = rf"(?:{_DASH}|/|au|à|jusqu{_APOSTROPHE}\s*au)"
_PERIOD_FRAGMENT = re.compile(
    rf"(?:(?:du|de|période\s+du)\s+)?{_PERIOD_LINK}?\s*{NUMERIC_DATE}\s*{_PERIOD_LINK}?"
    rf"(?:\s*{NUMERIC_DATE}\s*{_PERIOD_LINK}?)?",
    re.IGNORECASE,
)


def is_period_fragment(text: str) -> bool:
    """A cell that prints a numeric period or a piece of one: one or two dates and their link words."""
    return bool(_PERIOD_FRAGMENT.fullmatch(text.strip()))


def numeric_dates(text: str) -> list[str]:
    """The numeric dates printed in `text` (``01/01/2023``, ``01.01.2023``, ``2023-01-01``), in order."""
    return _NUMERIC_DATE_FOUND.findall(text)
