"""Conservation checks: nothing printed is lost, nothing output is invented, structural counts agree.

The extractors can be wrong in ways no schema sees: a re-worded label sends every contact to the
wrong field, a page header splits a sheet in three, a summary swallows a row's amounts. These checks
compare what a build wrote with what its sources print, independently of how the extractors read
them, and turn every disagreement into an error finding that points at the source:

1. ``lost_value_findings``: every e-mail, phone number, web address, amount and date printed in a
   source (in what its kind publishes as data) is in an output cell or in a finding.
2. ``invented_value_findings``: every amount, date, e-mail and phone of the output is printed in
   its source, inside the extent its row's provenance names.
3. ``structure_findings``: printed rows with amounts vs projects (AMIF list); sheet-start labels vs
   sheets and field labels vs filled fields (brochure), labels read from the document's profile.

A fourth check, comparing a build's row counts with the previous build's folder, is in
`amif_extract.row_changes`.

Values are compared in normalised form: amounts as ``Decimal``, dates as ISO dates, phones by their
digits (national number), e-mails lower-cased, web addresses without scheme or trailing slash.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amif_extract.build_records import Row
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.amounts import AmountError, parse_amount
from amif_extract.normalize.periods import find_date_atoms, scan_periods
from amif_extract.pdf_text import steady_round
from amif_extract.profiles import Profile, fold_label, load_profile
from amif_extract.records import AMOUNT_COLUMNS, AmifExtraction, PracticeSheetsExtraction
from amif_extract.textclean import collapse_spaces, normalise_apostrophes, strip_markup

if TYPE_CHECKING:
    from amif_extract.build_records import DocumentExtraction

VALUE_KINDS: tuple[str, ...] = ("email", "phone", "url", "amount", "date")
VALUE_NAMES = {
    "email": "e-mail",
    "phone": "phone number",
    "url": "web address",
    "amount": "amount",
    "date": "date",
}

# Output columns that hold a typed value, by table: what "found in an output cell" means for a
# value whose printed form the output does not keep (94 092.97€ → 94092.97). Every other string
# cell counts as text a printed value may sit in.
TYPED_COLUMNS: dict[str, dict[str, str]] = {
    "amif_projects": {
        **{column: "amount" for column in AMOUNT_COLUMNS},
        "start_date": "date",
        "end_date": "date",
    },
    "practice_contacts": {"email": "email", "phone": "phone", "website": "url"},
    "narrative_projects": {"start_date": "date", "end_date": "date"},
}
# The typed values "nothing invented" checks: a web address is not compared with its source
# because the output adds a scheme the source never prints.
CHECKED_INVENTIONS: frozenset[str] = frozenset({"email", "phone", "amount", "date"})
# Document kinds that are lists of records: every contact or money value and every date they print
# is data of some record (an e-mail in a summary stays in the summary). Other kinds (web pages)
# are prose around a few facts: only the value kinds their tables type as columns are data, read
# from TYPED_COLUMNS for the tables the document's extraction fills.
RECORD_LIST_KINDS: frozenset[str] = frozenset({"amif_table", "practice_sheets"})
# The tables each document kind fills.
KIND_TABLES: dict[str, tuple[str, ...]] = {
    "amif_table": ("amif_projects",),
    "practice_sheets": ("practice_sheets", "practice_contacts"),
    "web_page": ("conventions", "narrative_projects"),
}
# Contact values a document whose tables have a column for them must put there: an e-mail or a
# phone number of a contact block that lands in a text field (the contacts heading not recognised,
# the block read as "other information") is lost as data although its text survives. Web
# addresses are not among them: sheets print them in their prose ("le PCI sera online sur …").
CONTACT_KINDS: frozenset[str] = frozenset({"email", "phone"})
# Tables whose rows a structural count compares with the printed labels.
SHEETS_TABLE = "practice_sheets"
CONTACTS_TABLE = "practice_contacts"
PROJECTS_TABLE = "amif_projects"
# A brochure field the sheet rows do not hold as a column: its labels are counted against the
# sheets that have at least one contact row.
CONTACTS_FIELD = "contacts"

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_URL = re.compile(r"(?<![\w@./-])(?:https?://|www\.)[^\s,;<>()\"]+[^\s,;<>()\".:!?]", re.IGNORECASE)
_NUMBER = (
    r"[0-9]{1,3}(?:[ \u00a0\u202f.,'\u2019][0-9]{3})*(?:[.,][0-9]{1,2})?(?![0-9])"  # 1 234,56 / 135.000
    r"|[0-9]+(?:[.,][0-9]{1,2})?(?![0-9])"  # 1234,56
)
# An amount with its currency before or after it. Which one a line uses decides the pairing of a
# number with a currency: "Total objectif 1 EUR 4,473,138.34" is a heading's number, then an amount.
_AMOUNT_PREFIX = re.compile(rf"(?<![\w.,])(?:€|EUR)\s*(?:{_NUMBER})", re.IGNORECASE)
_AMOUNT_SUFFIX = re.compile(rf"(?<![\w.,])(?:{_NUMBER})(?:,-)?\s*(?:€|EUR\b|euros?\b)", re.IGNORECASE)
_CURRENCY = re.compile(r"€|\bEUR\b|\beuros?\b", re.IGNORECASE)


def amount_patterns(text: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The line's own currency position first: before the number when its last currency sign is
    followed by a number, else after it."""
    signs = list(_CURRENCY.finditer(text))
    after_last = text[signs[-1].end() :].lstrip(" \u00a0\u202f\t") if signs else ""
    if after_last[:1].isdigit():
        return _AMOUNT_PREFIX, _AMOUNT_SUFFIX
    return _AMOUNT_SUFFIX, _AMOUNT_PREFIX


# An amount printed without a currency, as a table's money columns may print it: thousands grouped,
# or four digits at least, and exactly two decimals ("60,000.00", "125 457,29", "1234.56").
_BARE_AMOUNT = re.compile(
    r"(?<![\w.,/:\-])(?:[0-9]{1,3}(?:[ \u00a0\u202f.,'\u2019][0-9]{3})+|[0-9]{4,})"
    r"[.,][0-9]{2}(?![0-9]|[.,][0-9])"
)
# A phone number: an optional country code, then groups of digits joined by spaces, dots or dashes.
_PHONE = re.compile(
    r"(?<![\w.,/@-])(?:\(?\+\s?[0-9]{2,3}\)?[\s.]*)?"  # +352, (+352)
    r"[0-9]{2,10}(?:(?:\s?[-\u2010-\u2015.]\s?|\s)[0-9]{1,8}){0,5}"  # 26 12 10 – 1, 691-964447, 310262270
    r"(?![\w@]|[.,][0-9])"
)
PHONE_MIN_DIGITS = 6  # fewer digits are a number in prose (a year, a count), not a phone
PHONE_MAX_DIGITS = 13
_DIGITS_ONLY = re.compile(r"[^0-9]+")
_YEAR_RANGE = re.compile(r"(?:19|20)[0-9]{2}\s*[-\u2010-\u2015]\s*(?:19|20)[0-9]{2}")  # 2017-2020: years
_YEAR = re.compile(r"[0-9]{4}")
_INTERNATIONAL = re.compile(r"\s*\(?(?:\+|00)")


@dataclass(frozen=True)
class ConservationSettings:
    """Every tolerance of the conservation checks, named once."""

    phone_country_code: str = "352"  # digits a national phone number may be printed with (Luxembourg)
    # Points above a PDF row's box where its first printed line may start (boxes and words differ).
    row_top_tolerance: float = 3.0
    # Printed lines after a row's extent where its values may still sit (a cell wrapping below
    # the next row's first line in a text extraction).
    row_overhang_lines: int = 0
    # A sheet-start label counts only within this many printed lines of its page's top (a sheet
    # starts on a new page under its title; the same label inside a sheet is text).
    sheet_start_max_line: int = 8
    # A line printed alike on at least this share of a document's pages (and on 3 pages or more)
    # is page furniture: a running header or footer, an edition line. Its values are the
    # document's, not a record's (an edition date, a ministry's address on every page).
    furniture_min_share: float = 0.5

    def __post_init__(self) -> None:
        if not self.phone_country_code.isdigit():
            raise ValueError(f"phone_country_code must be digits (got {self.phone_country_code!r})")
        if self.row_top_tolerance < 0:
            raise ValueError("row_top_tolerance must not be negative")
        if self.row_overhang_lines < 0:
            raise ValueError("row_overhang_lines must not be negative")
        if self.sheet_start_max_line < 1:
            raise ValueError("sheet_start_max_line must be at least 1")
        if not 0 < self.furniture_min_share <= 1:
            raise ValueError("furniture_min_share must be in (0, 1]")


# ---------------------------------------------------------------- the source's printed lines


@dataclass(frozen=True)
class PrintedLine:
    """One printed line of a source: its page (PDF, or a text brochure's inferred page), its
    text-file line, its top on the page (PDF), its index in document order, and its clean text."""

    index: int
    text: str
    page: int | None = None
    line: int | None = None
    top: float = 0.0

    @property
    def position(self) -> tuple[int, float]:
        """Where the line sits in document order, comparable with a row's start."""
        return (self.page or 0, self.top) if self.line is None else (self.line, 0.0)

    def location(self, source_file: str) -> SourceLocation:
        return SourceLocation(source_file, page=self.page, line=self.line)


def clean_printed(text: str) -> str:
    """A line or a cell as compared: markup removed, NFC, plain apostrophes, single spaces."""
    if "<" in text or "*" in text or "_" in text:  # markup a text extraction leaked
        text = strip_markup(text)
    return collapse_spaces(normalise_apostrophes(unicodedata.normalize("NFC", text)))


def _amif_of(extraction: DocumentExtraction) -> AmifExtraction | None:
    """The AMIF list's record, when that is what `extraction` holds."""
    return extraction.payload if isinstance(extraction.payload, AmifExtraction) else None


def _sheets_of(extraction: DocumentExtraction) -> PracticeSheetsExtraction | None:
    """The brochure's record, when that is what `extraction` holds."""
    payload = extraction.payload
    return payload if isinstance(payload, PracticeSheetsExtraction) else None


def printed_lines(extraction: DocumentExtraction) -> list[PrintedLine]:
    """The source's printed lines: a PDF's lines the extractor kept, or the text file's lines."""
    source = _amif_of(extraction) or _sheets_of(extraction)
    if source is not None and source.page_text:
        return _numbered(
            (text, page, None, line.top)
            for page, lines in sorted(source.page_text.items())
            for line in lines
            for text in [line.text]
        )
    if extraction.document.format == "pdf":
        return []  # a PDF whose extractor kept no printed line: nothing to compare with
    from amif_extract.extract.textfile import read_text_document

    document = read_text_document(extraction.document.path, extraction.document.source_file)
    pages = _text_line_pages(extraction, document.lines)
    return _numbered(
        (text, pages.get(number), number, 0.0) for number, text in enumerate(document.lines, start=1)
    )


def _text_line_pages(extraction: DocumentExtraction, lines: list[str]) -> dict[int, int]:
    """A text brochure's page of each line, as its extractor splits the pages (rows name pages)."""
    if _sheets_of(extraction) is None:
        return {}
    from amif_extract.extract.practice_sheets import PracticeSheetSettings, text_pages

    return {
        line.line: line.page
        for page in text_pages(lines, PracticeSheetSettings())
        for line in page
        if line.line is not None
    }


def _numbered(lines: Iterable[tuple[str, int | None, int | None, float]]) -> list[PrintedLine]:
    kept: list[PrintedLine] = []
    for text, page, line, top in lines:
        clean = clean_printed(text)
        if clean:
            kept.append(PrintedLine(len(kept), clean, page, line, top))
    return kept


# ---------------------------------------------------------------- values printed in a line


@dataclass(frozen=True)
class PrintedValue:
    kind: str
    printed: str
    normal: str
    line: PrintedLine


def normal_email(text: str) -> str:
    return text.strip().lower()


def normal_url(text: str) -> str:
    bare = re.sub(r"^https?://", "", text.strip(), flags=re.IGNORECASE).rstrip("/")
    return bare.lower()


def phone_digits(text: str, country_code: str) -> str:
    """A phone's digits as compared: without the separators, and without `country_code` when the
    number is printed with it ("+352 …", "(+352) …", "00352 …"); another country's code stays."""
    digits = _DIGITS_ONLY.sub("", text)
    international = _INTERNATIONAL.match(text)
    if international is None:
        return digits
    digits = digits.removeprefix("00")
    return digits.removeprefix(country_code)


def normal_amount(text: str) -> str | None:
    try:
        value = parse_amount(text)
    except AmountError:
        return None
    return None if value is None else str(value)


def values_in_line(line: PrintedLine, settings: ConservationSettings) -> list[PrintedValue]:
    """Every e-mail, web address, amount, date and phone the line prints, each read once.

    Read in that order, each kind's text masked before the next: the digits of a date or an
    amount are never read again as a phone number.
    """
    text = line.text
    found: list[PrintedValue] = []
    masked = text

    def take(kind: str, start: int, end: int, normal: str | None) -> None:
        nonlocal masked
        if normal:
            found.append(PrintedValue(kind, text[start:end], normal, line))
        masked = masked[:start] + " " * (end - start) + masked[end:]

    digit_count = len(_DIGITS_ONLY.sub("", text))
    if not digit_count and "@" not in text and "ww" not in text.lower():
        return found  # no value of any kind: most lines of prose (the cheap test first)
    for match in _EMAIL.finditer(masked) if "@" in text else ():
        take("email", *match.span(), normal_email(match[0]))
    for match in _URL.finditer(masked):
        take("url", *match.span(), normal_url(match[0]))
    # Dates before amounts: "31/12/2023 EUR 800,000.00" must not give the amount "31 EUR".
    for atom in find_date_atoms(masked) if _YEAR.search(masked) else ():
        if atom.year is not None and atom.month is not None and atom.day is not None:
            take("date", atom.start, atom.end, _iso(atom.year, atom.month, atom.day))
    for pattern in amount_patterns(masked):
        for match in pattern.finditer(masked):
            take("amount", *match.span(), normal_amount(match[0]))
    for match in _BARE_AMOUNT.finditer(masked):
        take("amount", *match.span(), normal_amount(match[0]))
    for match in _PHONE.finditer(masked) if digit_count >= PHONE_MIN_DIGITS else ():
        digits = phone_digits(match[0], settings.phone_country_code)
        if PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS and not _YEAR_RANGE.fullmatch(match[0]):
            take("phone", *match.span(), digits)
    return found


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- one document: lines, rows, extents


@dataclass
class DocumentRecords:
    """One source: its printed lines and the output rows that name it, with each row's extent."""

    source_file: str
    kind: str
    lines: list[PrintedLine]
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # (table, row index) → indexes of the printed lines the row was read from.
    extents: dict[tuple[str, int], range] = field(default_factory=dict)

    # Each printed line's values, read once (see `values_in_line`).
    line_values: list[list[PrintedValue]] = field(default_factory=list)
    line_digits: list[str] = field(default_factory=list)  # each line's digits, for phone numbers

    def values(self) -> list[PrintedValue]:
        return [value for values in self.line_values for value in values]


def document_records(
    extraction: DocumentExtraction, tables: Mapping[str, Sequence[Row]], settings: ConservationSettings
) -> DocumentRecords:
    name = extraction.document.source_file
    record = DocumentRecords(name, extraction.document.kind, printed_lines(extraction))
    record.line_values = [values_in_line(line, settings) for line in record.lines]
    record.line_digits = [_DIGITS_ONLY.sub("", line.text) for line in record.lines]
    for table, rows in tables.items():
        mine = [row for row in rows if row.get("source_file") == name]
        if mine:
            record.rows[table] = mine
    record.extents = row_extents(record, extraction, settings)
    return record


def row_extents(
    record: DocumentRecords, extraction: DocumentExtraction, settings: ConservationSettings
) -> dict[tuple[str, int], range]:
    """The printed lines each row was read from.

    A row whose provenance names a line or a position (AMIF rows, web-page items) runs from there
    to the next row's start (plus `row_overhang_lines`); a row that names pages only (sheets,
    contacts) covers those pages whole, a contact its sheet's pages.
    """
    extents: dict[tuple[str, int], range] = {}
    page_lines = PageLines.of(record.lines)
    sheet_pages = _sheet_pages(record.rows)
    for table, rows in record.rows.items():
        starts = _row_starts(table, rows, extraction, settings)
        if starts is not None:
            extents.update(_extents_from_starts(table, starts, record.lines, settings))
        else:
            for index, row in enumerate(rows):
                extents[(table, index)] = page_lines.extent(_row_pages(table, row, sheet_pages))
    return extents


def _row_starts(
    table: str, rows: Sequence[Row], extraction: DocumentExtraction, settings: ConservationSettings
) -> list[tuple[int, float]] | None:
    amif = _amif_of(extraction)
    if table == PROJECTS_TABLE and amif is not None and len(amif.rows) == len(rows):
        starts = []
        for amif_row in amif.rows:
            location = amif_row.location
            if location.line is not None:
                starts.append((location.line, 0.0))
            else:
                top = location.bbox[1] - settings.row_top_tolerance if location.bbox else float("-inf")
                starts.append((location.page or 0, top))
        return starts
    if rows and all(row.get("source_line") for row in rows):
        return [(int(row["source_line"]), 0.0) for row in rows]
    return None


def _extents_from_starts(
    table: str, starts: list[tuple[int, float]], lines: list[PrintedLine], settings: ConservationSettings
) -> dict[tuple[str, int], range]:
    order = sorted(range(len(starts)), key=lambda index: starts[index])
    # The furthest position reached by each line and the lines before it: the first line at or after
    # a start is the first whose reach is (a line printed above an earlier one on its page does not
    # need the positions sorted), found by bisection instead of a scan of every line for every row.
    reach = list(itertools.accumulate((line.position for line in lines), max))
    extents = {}
    for rank, index in enumerate(order):
        first = bisect.bisect_left(reach, starts[index])
        following = (
            bisect.bisect_left(reach, starts[order[rank + 1]]) if rank + 1 < len(order) else len(lines)
        )
        end = min(len(lines), max(following, first + 1) + settings.row_overhang_lines)
        extents[(table, index)] = range(first, end)
    return extents


def _sheet_pages(rows: Mapping[str, Sequence[Row]]) -> dict[Any, str]:
    """Each sheet's `source_pages`, by sheet id (the first sheet of an id, as its contacts find it)."""
    pages: dict[Any, str] = {}
    for sheet in rows.get(SHEETS_TABLE, ()):
        pages.setdefault(sheet.get("sheet_id"), str(sheet.get("source_pages") or ""))
    return pages


def _row_pages(table: str, row: Row, sheet_pages: Mapping[Any, str]) -> tuple[int, int] | None:
    if table == CONTACTS_TABLE and row.get("sheet_id") in sheet_pages:
        # A contact belongs to its sheet: its lines may run over the sheet's page break.
        return _page_span(sheet_pages[row.get("sheet_id")])
    if row.get("source_pages"):
        return _page_span(str(row["source_pages"]))
    if row.get("source_page"):
        page = int(row["source_page"])
        return page, page
    return None


def _page_span(text: str) -> tuple[int, int] | None:
    parts = [int(part) for part in re.findall(r"[0-9]+", text)]
    return (min(parts), max(parts)) if parts else None


@dataclass(frozen=True)
class PageLines:
    """The first and last printed line of each page, read once for every row's page extent."""

    line_count: int
    pages: list[int]  # the pages that print a line, in order
    first: dict[int, int]  # page → index of its first line
    last: dict[int, int]  # page → index of its last line

    @classmethod
    def of(cls, lines: Sequence[PrintedLine]) -> PageLines:
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for line in lines:
            if line.page is not None:
                first.setdefault(line.page, line.index)
                last[line.page] = line.index
        return cls(len(lines), sorted(first), first, last)

    def extent(self, pages: tuple[int, int] | None) -> range:
        """The lines from the first to the last printed on `pages` (first, last); all for None."""
        if pages is None:
            return range(0, self.line_count)
        inside = self.pages[
            bisect.bisect_left(self.pages, pages[0]) : bisect.bisect_right(self.pages, pages[1])
        ]
        if not inside:
            return range(0, 0)
        return range(min(self.first[page] for page in inside), max(self.last[page] for page in inside) + 1)


# ---------------------------------------------------------------- check 1: nothing lost


_DIGIT_RUN = re.compile(r"[0-9]+")
FURNITURE_MIN_PAGES = 3  # fewer repeats are a coincidence (one contact printed on two sheets)


def _furniture_keys(line: PrintedLine) -> list[tuple[str, int]]:
    """How a line recurs from page to page: its text alike anywhere on the page, or, on a PDF page
    where its place is known, its text with digits masked at the same place (a footer's page number
    or date changes, its place does not)."""
    text = line.text.casefold()
    keys = [(text, -1)]
    if line.top:
        keys.append((_DIGIT_RUN.sub("#", text), int(steady_round(line.top / 3))))
    return keys


def furniture_lines(lines: Sequence[PrintedLine], settings: ConservationSettings) -> frozenset[int]:
    """Indexes of the lines printed alike on many pages (see `furniture_min_share`)."""
    pages_of: dict[tuple[str, int], set[int]] = {}
    for line in lines:
        if line.page is not None:
            for key in _furniture_keys(line):
                pages_of.setdefault(key, set()).add(line.page)
    page_count = len({line.page for line in lines if line.page is not None})
    needed = max(FURNITURE_MIN_PAGES, settings.furniture_min_share * page_count)
    repeated = {key for key, pages in pages_of.items() if len(pages) >= needed}
    return frozenset(line.index for line in lines if any(key in repeated for key in _furniture_keys(line)))


def published_kinds(record: DocumentRecords) -> frozenset[str]:
    """The value kinds this document publishes as data (see RECORD_LIST_KINDS)."""
    if record.kind in RECORD_LIST_KINDS:
        return frozenset(VALUE_KINDS)
    return frozenset(kind for table in record.rows for kind in TYPED_COLUMNS.get(table, {}).values())


def typed_kinds(kind: str) -> frozenset[str]:
    """The value kinds the tables of a document kind hold in a typed column."""
    return frozenset(
        value for table in KIND_TABLES.get(kind, ()) for value in TYPED_COLUMNS.get(table, {}).values()
    )


def must_be_typed(record: DocumentRecords, value: PrintedValue, row_lines: frozenset[int]) -> bool:
    """Whether a printed value counts as kept only in its typed column (or a finding), not as text.

    Contact values where the document's tables have contact columns (see CONTACT_KINDS), and the
    amounts and dates printed on an AMIF list's amount rows: a row whose amounts or period ran into
    its summary lost them although their text survives there.
    """
    if value.kind in CONTACT_KINDS and value.kind in typed_kinds(record.kind):
        return True
    return record.kind == "amif_table" and value.kind in ("amount", "date") and value.line.index in row_lines


def data_region(record: DocumentRecords, values: Sequence[PrintedValue]) -> int:
    """Index of the first printed line that is data.

    An AMIF list opens with prose about the fund (a contact address for questions, versions in
    other languages, maybe the date of the list) before its table; its table starts at the first
    line printing an amount, which only a project row prints. Other kinds are data from their
    first line.
    """
    if record.kind != "amif_table":
        return 0
    return min((value.line.index for value in values if value.kind == "amount"), default=0)


def typed_values(rows: Mapping[str, Sequence[Row]], settings: ConservationSettings) -> dict[str, set[str]]:
    """Every typed output value of a document's rows, normalised, by kind."""
    found: dict[str, set[str]] = {kind: set() for kind in VALUE_KINDS}
    for table, table_rows in rows.items():
        for column, kind in TYPED_COLUMNS.get(table, {}).items():
            for row in table_rows:
                found[kind].update(normal_cell_values(kind, row.get(column), settings))
    return found


def normal_cell_values(kind: str, cell: Any, settings: ConservationSettings) -> list[str]:
    """The normalised values of a typed cell ("a; b" lists several)."""
    if cell is None or cell == "":
        return []
    if kind == "amount":
        return [str(Decimal(cell).quantize(Decimal("0.01")))] if isinstance(cell, (Decimal, int)) else []
    if kind == "date":
        return [cell.isoformat()] if isinstance(cell, date) else [str(cell)]
    parts = [part for part in str(cell).split("; ") if part]
    if kind == "email":
        return [normal_email(part) for part in parts]
    if kind == "phone":
        return [phone_digits(part, settings.phone_country_code) for part in parts]
    return [normal_url(part) for part in parts]


def text_cells(rows: Mapping[str, Sequence[Row]]) -> str:
    """Every string cell of a document's rows, cleaned, one per line: where printed text may sit."""
    # Cells are clean text already; only their line breaks and spacing differ from a printed line.
    return "\n".join(
        " ".join(value.split())
        for table_rows in rows.values()
        for row in table_rows
        for value in row.values()
        if isinstance(value, str)
    )


def finding_text(findings: Iterable[Finding], source_file: str) -> str:
    """What a document's findings say: the values they left out or repaired, and their context."""
    return "\n".join(
        clean_printed(part)
        for finding in findings
        if finding.location.file == source_file
        for part in (finding.value, finding.repaired, finding.context, finding.message)
        if part
    )


def occurring_in(needles: Iterable[str], text: str) -> frozenset[str]:
    """The needles that occur in `text`, as `needle in text` says, read in one pass over the text.

    The needles become one regular expression shaped as their trie: at each place of the text it
    matches the longest needle that starts there, and a needle occurs where it is the start of a
    longest one (`in` for each needle rescans the text: needles x text, both growing with the pages).
    """
    wanted = set(needles)
    longest: set[str] = set()
    if wanted - {""}:
        pattern = re.compile(_trie_pattern(sorted(wanted - {""})))
        position = 0
        while (match := pattern.search(text, position)) is not None:
            longest.add(match[0])
            position = match.start() + 1
    ordered = sorted(longest)

    def starts_a_longest(needle: str) -> bool:
        place = bisect.bisect_left(ordered, needle)
        return place < len(ordered) and ordered[place].startswith(needle)

    return frozenset(needle for needle in wanted if needle == "" or starts_a_longest(needle))


def _trie_pattern(words: Sequence[str]) -> str:
    """An alternation of `words` (sorted, distinct) that shares their prefixes and prefers the
    longest: branches part on distinct characters, and a word ending where others go on comes last."""
    branches = []
    for _, group in itertools.groupby((word for word in words if word), key=lambda word: word[0]):
        members = list(group)
        shared = _shared_start(members[0], members[-1])  # sorted: what these two share, all do
        rest = [member[len(shared) :] for member in members]
        branches.append(re.escape(shared) + ("" if rest == [""] else f"(?:{_trie_pattern(rest)})"))
    if "" in words:
        branches.append("")
    return "|".join(branches)


def _shared_start(first: str, second: str) -> str:
    size = 0
    while size < min(len(first), len(second)) and first[size] == second[size]:
        size += 1
    return first[:size]


def lost_value_findings(
    record: DocumentRecords, findings: Sequence[Finding], settings: ConservationSettings
) -> tuple[list[Finding], dict[str, int]]:
    """A `value_lost` error for each printed value found in no output cell and no finding.

    Also returns how many values of each kind were verified, for the build's metadata and tests.
    """
    values = record.values()
    kinds = published_kinds(record)
    region = data_region(record, values)
    typed = typed_values(record.rows, settings)
    totals = printed_totals(record.rows) - typed["amount"]
    cells, noted = text_cells(record.rows), finding_text(findings, record.source_file)
    lost: list[Finding] = []
    verified = {kind: 0 for kind in (*VALUE_KINDS, "total", "furniture")}
    row_lines = frozenset(amount_row_lines(record, settings)) if record.kind == "amif_table" else frozenset()
    furniture = furniture_lines(record.lines, settings)
    printed = {value.printed for value in values}
    in_cells, in_noted = occurring_in(printed, cells), occurring_in(printed, noted)
    for value in values:
        if value.kind not in kinds or value.line.index < region:
            continue
        if value.line.index in furniture:
            verified["furniture"] += 1
            continue
        if value.kind == "amount" and value.normal in totals:
            verified["total"] += 1
            continue
        as_text = not must_be_typed(record, value, row_lines) and value.printed in in_cells
        if value.normal in typed[value.kind] or as_text or value.printed in in_noted:
            verified[value.kind] += 1
            continue
        lost.append(
            Finding(
                "value_lost",
                f"printed {VALUE_NAMES[value.kind]} {value.printed!r} is in no output cell and no finding",
                value.line.location(record.source_file),
                column=value.kind,
                value=value.printed,
                repaired=value.normal,
                context=value.line.text,
            )
        )
    return lost, verified


# ---------------------------------------------------------------- check 2: nothing invented


def invented_value_findings(
    record: DocumentRecords, findings: Sequence[Finding], settings: ConservationSettings
) -> tuple[list[Finding], dict[str, int]]:
    """A `value_invented` error for each typed output value not printed inside its row's extent.

    A value a finding says was repaired from a damaged print (an amount split over two cells) is
    vouched for by that finding: its `repaired` form, normalised, must be the value.
    """
    invented: list[Finding] = []
    verified = {kind: 0 for kind in VALUE_KINDS}
    repairs = repaired_values(findings, record.source_file, settings)
    for table, rows in record.rows.items():
        columns = {
            column: kind
            for column, kind in TYPED_COLUMNS.get(table, {}).items()
            if kind in CHECKED_INVENTIONS
        }
        key = _row_key(table)
        for index, row in enumerate(rows):
            extent = record.extents.get((table, index), range(0, len(record.lines)))
            printed = printed_in_extent(record, extent)
            for column, kind in columns.items():
                repaired = repairs.get((table, str(row.get(key, "")), column), set())
                for normal in normal_cell_values(kind, row.get(column), settings):
                    if normal in repaired or _is_printed(kind, normal, printed):
                        verified[kind] += 1
                    else:
                        invented.append(_invented(record, table, row, column, kind, normal, extent))
    return invented, verified


def repaired_values(
    findings: Sequence[Finding], source_file: str, settings: ConservationSettings
) -> dict[tuple[str, str, str], set[str]]:
    """(table, row, column) → the normalised values findings about that cell say they repaired."""
    repairs: dict[tuple[str, str, str], set[str]] = {}
    for finding in findings:
        if finding.location.file != source_file or not finding.repaired:
            continue
        kind = TYPED_COLUMNS.get(finding.table, {}).get(finding.column)
        if kind is None:
            continue
        normal = normal_amount(finding.repaired) if kind == "amount" else finding.repaired
        if normal:
            repairs.setdefault((finding.table, finding.row_id, finding.column), set()).add(normal)
    return repairs


@dataclass(frozen=True)
class ExtentValues:
    normals: dict[str, set[str]]
    digits: tuple[str, ...]  # each line's digits, and each pair of neighbouring lines' digits
    text: str  # the extent's lines joined, for the period reader


def printed_in_extent(record: DocumentRecords, extent: range) -> ExtentValues:
    """The normalised values printed in `extent`; dates also as the period reader reads them
    ("1er janvier 2012 pour une durée de 18 mois" states its end), phones as lines' digits."""
    inside = [record.lines[index] for index in extent]
    normals: dict[str, set[str]] = {kind: set() for kind in VALUE_KINDS}
    for index in extent:
        for value in record.line_values[index]:
            normals[value.kind].add(value.normal)
    line_digits = [record.line_digits[index] for index in extent]
    pairs = [first + second for first, second in itertools.pairwise(line_digits)]
    return ExtentValues(normals, tuple(line_digits + pairs), " ".join(line.text for line in inside))


def period_dates(text: str) -> set[str]:
    """The start and end dates of every period the text states, as the period reader reads them."""
    dates = set()
    for period in scan_periods(text).periods:
        dates.add(period.start.isoformat())
        if period.end is not None:
            dates.add(period.end.isoformat())
    return dates


def _is_printed(kind: str, normal: str, printed: ExtentValues) -> bool:
    if kind == "phone":
        return any(normal in digits for digits in printed.digits)
    if normal in printed.normals[kind]:
        return True
    # A date the lines do not print whole may be stated by a period ("1er janvier 2012 pour une
    # durée de 18 mois" ends on 30 June 2013): read only then, the period reader is the dear part.
    return kind == "date" and normal in period_dates(printed.text)


def _invented(
    record: DocumentRecords, table: str, row: Row, column: str, kind: str, normal: str, extent: range
) -> Finding:
    first = record.lines[extent.start] if extent else None
    location = first.location(record.source_file) if first else SourceLocation(record.source_file)
    row_id = str(row.get(_row_key(table), ""))
    where = describe_extent(record.lines, extent)
    return Finding(
        "value_invented",
        f"{table}.{column} {VALUE_NAMES[kind]} {normal!r} is not printed in {where}",
        location,
        table=table,
        row_id=row_id,
        column=column,
        value=normal,
    )


def describe_extent(lines: Sequence[PrintedLine], extent: range) -> str:
    """The lines a row was read from, as a steward finds them: text lines, or PDF pages."""
    if not extent:
        return "the lines its row was read from (none found)"
    first, last = lines[extent.start], lines[extent.stop - 1]
    if first.line is not None and last.line is not None:
        return f"lines {first.line}-{last.line}"
    if first.page == last.page:
        return f"the lines its row was read from on page {first.page}"
    return f"the lines its row was read from, pages {first.page}-{last.page}"


def _row_key(table: str) -> str:
    from amif_extract.specs import table_specs

    spec = table_specs().get(table)
    return spec.key if spec is not None else ""


# ---------------------------------------------------------------- check 3: structural counts


def printed_totals(rows: Mapping[str, Sequence[Row]]) -> set[str]:
    """Every total an AMIF list may print, normalised: each amount column summed over each specific
    objective's projects (a section) and over all projects. A printed amount equal to one of them,
    and to no project's own amount, is a printed total that agrees with the rows read."""
    projects = rows.get(PROJECTS_TABLE, [])
    sections: dict[Any, list[Row]] = {}
    for row in projects:
        sections.setdefault(row.get("specific_objective"), []).append(row)
    totals = set()
    for members in [projects, *sections.values()]:
        for column in AMOUNT_COLUMNS:
            amounts = [row[column] for row in members if isinstance(row.get(column), Decimal)]
            if amounts:
                totals.add(str(sum(amounts, Decimal(0)).quantize(Decimal("0.01"))))
    return totals


def amount_row_lines(record: DocumentRecords, settings: ConservationSettings) -> list[int]:
    """Indexes of the printed lines with amounts in the table's data region, in order; a line that
    prints only totals of the rows read (a section's total line), or page furniture, is not a row's."""
    values = record.values()
    region = data_region(record, values)
    totals = printed_totals(record.rows) - typed_values(record.rows, settings)["amount"]
    furniture = furniture_lines(record.lines, settings)
    by_line: dict[int, list[str]] = {}
    for value in values:
        if value.kind == "amount" and value.line.index >= region and value.line.index not in furniture:
            by_line.setdefault(value.line.index, []).append(value.normal)
    return sorted(
        index for index, normals in by_line.items() if not all(normal in totals for normal in normals)
    )


def amount_rows(record: DocumentRecords, settings: ConservationSettings) -> list[PrintedLine]:
    """The first line of each printed row with amounts: a run of neighbouring lines printing
    amounts is one row (amounts wrap inside their cells)."""
    lines = amount_row_lines(record, settings)
    return [
        record.lines[index]
        for position, index in enumerate(lines)
        if position == 0 or lines[position - 1] != index - 1
    ]


def amif_structure_findings(record: DocumentRecords, settings: ConservationSettings) -> list[Finding]:
    """Printed rows with amounts vs projects with at least one amount (printed totals that agree
    with the rows are not rows; a total that does not is both a lost amount and one row too many)."""
    projects = record.rows.get(PROJECTS_TABLE, [])
    with_amounts = [row for row in projects if any(row.get(column) is not None for column in AMOUNT_COLUMNS)]
    printed = amount_rows(record, settings)
    if len(printed) == len(with_amounts):
        return []
    return [
        Finding(
            "structure_mismatch",
            f"{len(printed)} printed rows carry amounts but {len(with_amounts)} projects have amounts",
            SourceLocation(record.source_file),
            table=PROJECTS_TABLE,
            value=f"{len(printed)} printed, {len(with_amounts)} read",
            context="; ".join(line.text[:60] for line in printed[:3]),
        )
    ]


def sheet_label_lines(
    record: DocumentRecords, profile: Profile, settings: ConservationSettings
) -> list[tuple[PrintedLine, str, bool]]:
    """Every printed heading of the brochure: (line, field, whether it is near its page's top)."""
    found = []
    line_on_page = 0
    previous_page: int | None = None
    openings = _label_openings(profile)
    for line in record.lines:
        line_on_page = line_on_page + 1 if line.page == previous_page else 1
        previous_page = line.page
        name = heading_field(profile, line.text, openings)
        if name is not None:
            found.append((line, name, line_on_page <= settings.sheet_start_max_line))
    return found


LABEL_OPENING_CHARS = 4  # a line is compared with the labels only when it opens like one (speed)


def _label_openings(profile: Profile) -> dict[str, set[str]]:
    """The fields whose labels open with each folded opening."""
    openings: dict[str, set[str]] = {}
    for name, spellings in profile.labels.items():
        for spelling in spellings:
            openings.setdefault(fold_label(spelling)[:LABEL_OPENING_CHARS], set()).add(name)
    return openings


def heading_field(profile: Profile, text: str, openings: Mapping[str, set[str]] | None = None) -> str | None:
    """The field a printed heading names: the label alone, or the label and its value on one line.

    A label followed by a lower-case word is prose that starts with the label's word ("Commune de
    Remich" under "Commune/Institution", "Description du projet …"), not a heading.
    """
    openings = openings if openings is not None else _label_openings(profile)
    opening = fold_label(text[: LABEL_OPENING_CHARS * 3])
    names = {name for start, fields in openings.items() if opening.startswith(start) for name in fields}
    if not names:
        return None
    split = profile.split_label(text, names)
    if split is None:
        return None
    name, rest = split
    label_end = len(text) - len(rest)
    has_colon = ":" in text[:label_end]
    if rest and not has_colon and rest[0].islower():
        return None
    return name


def sheet_starts(
    labels: Sequence[tuple[PrintedLine, str, bool]], sheet_fields: Sequence[str]
) -> list[PrintedLine]:
    """Where the sequence of headings starts again, near a page top: the printed sheet starts."""
    starts = []
    last: int | None = None
    for line, name, at_top in labels:
        if name not in sheet_fields:
            continue
        order = sheet_fields.index(name)
        if at_top and (last is None or order <= last):
            starts.append(line)
        last = order
    return starts


def sheet_structure_findings(
    record: DocumentRecords,
    profile: Profile,
    sheet_fields: Sequence[str],
    findings: Sequence[Finding],
    settings: ConservationSettings,
) -> list[Finding]:
    """Sheet starts vs sheets, and each field's headings vs the sheets that fill it.

    Headings are read with the profile's labels; `sheet_fields` is the template's order. A sheet
    starts where that order starts again at a page top; counted only when the profile lists the
    labels of at least two fields (one field cannot show an order). A field's heading printed more
    often than sheets fill it, or report it empty with a `missing_value` finding, lost a value.
    """
    sheets = record.rows.get(SHEETS_TABLE, [])
    labels = sheet_label_lines(record, profile, settings)
    result = []
    if sum(1 for name in sheet_fields if name in profile.labels) >= 2:
        starts = sheet_starts(labels, sheet_fields)
        if len(starts) != len(sheets):
            message = (
                f"{len(starts)} sheet starts printed (headings back to the template's start)"
                f" but {len(sheets)} sheets read"
            )
            result.append(_structure(record, SHEETS_TABLE, "", message, starts))
    reported = {
        (f.row_id, f.column) for f in findings if f.code == "missing_value" and f.table == SHEETS_TABLE
    }
    contact_sheets = {row.get("sheet_id") for row in record.rows.get(CONTACTS_TABLE, [])}
    owner_of = sheet_owner(sheets)
    for name in profile.labels:
        if name not in sheet_fields:
            continue
        printed = [line for line, field_name, _ in labels if field_name == name]
        # A heading printed again inside one sheet (a sheet describing two services) is one field
        # whose parts are joined: count the sheets that print it, not its printings.
        printed_in = {owner_of(line) for line in printed}
        filled = sum(
            1
            for row in sheets
            if (row.get("sheet_id") in contact_sheets if name == CONTACTS_FIELD else row.get(name))
            or (row.get("sheet_id"), name) in reported
        )
        if len(printed_in) > filled:
            message = (
                f"heading of {name} printed on {len(printed_in)} sheets; {filled} sheets fill it"
                " or say it is empty"
            )
            result.append(_structure(record, SHEETS_TABLE, name, message, printed))
    return result


def sheet_owner(sheets: Sequence[Row]) -> Callable[[PrintedLine], object]:
    """Which sheet a printed line belongs to, by the pages each sheet spans (`source_pages`, "3" or
    "23-25"); a line on a page no sheet spans, or on a page two sheets share, is its own owner."""
    owners: dict[int, list[str]] = {}
    for row in sheets:
        first, _, last = str(row.get("source_pages") or "").partition("-")
        if first.isdigit():
            for page in range(int(first), int(last if last.isdigit() else first) + 1):
                owners.setdefault(page, []).append(str(row.get("sheet_id")))

    def owner(line: PrintedLine) -> object:
        on_page = owners.get(line.page or 0, [])
        return on_page[0] if len(on_page) == 1 else line

    return owner


def _structure(
    record: DocumentRecords, table: str, column: str, message: str, lines: Sequence[PrintedLine]
) -> Finding:
    where = lines[0].location(record.source_file) if lines else SourceLocation(record.source_file)
    return Finding(
        "structure_mismatch",
        message,
        where,
        table=table,
        column=column,
        context="; ".join(line.text[:60] for line in lines[:3]),
    )


# ---------------------------------------------------------------- the stage


@dataclass
class ConservationReport:
    """The checks' findings, and how many values each verified, by source file:
    ``"found"``: printed values found in the outputs or a finding, by kind, plus ``"total"`` (printed
    totals that agree with the rows) and ``"furniture"`` (values on page furniture, not data);
    ``"printed"``: output values found printed in their row's lines, by kind."""

    findings: list[Finding]
    verified: dict[str, dict[str, dict[str, int]]]


def check_conservation(
    extractions: Sequence[DocumentExtraction],
    tables: Mapping[str, Sequence[Row]],
    findings: Sequence[Finding],
    settings: ConservationSettings | None = None,
    profile_dir: Path | None = None,
) -> ConservationReport:
    """Every conservation check on every document of a build."""
    settings = settings or ConservationSettings()
    report = ConservationReport([], {})
    for extraction in extractions:
        record = document_records(extraction, tables, settings)
        lost, found = lost_value_findings(record, findings, settings)
        invented, matched = invented_value_findings(record, findings, settings)
        report.findings += (
            lost + invented + _structure_findings(record, extraction, findings, settings, profile_dir)
        )
        report.verified[record.source_file] = {"found": found, "printed": matched}
    return report


def _structure_findings(
    record: DocumentRecords,
    extraction: DocumentExtraction,
    findings: Sequence[Finding],
    settings: ConservationSettings,
    profile_dir: Path | None,
) -> list[Finding]:
    if _amif_of(extraction) is not None:
        return amif_structure_findings(record, settings)
    if _sheets_of(extraction) is not None:
        from amif_extract.extract.practice_sheets import SECTION_ORDER

        profile = load_profile("practice_sheets", profile_dir)
        return sheet_structure_findings(record, profile, SECTION_ORDER, findings, settings)
    return []
