"""The AMIF project list, read from its text extraction (tab-separated cells, rows split over lines).

The extraction tool wrote each table row as a first line (title, period, amounts separated by tabs)
followed by continuation lines (the rest of the title, the period's second half, the carrier and
the selection procedure), then the full-width summary as untabbed paragraphs. A next edition may
word its labels otherwise, print amounts and dates in other forms, pad columns with spaces, put
page headers and numbers anywhere: every label comes from the ``amif_table`` profile
(``schemas/profiles/amif_table.toml``), and rows are recognised by what they carry (a period, amounts,
a carrier) before their wording. The reading is a chain of small steps, each testable on its own:

``read_lines`` (cells, markup removed) → ``drop_page_furniture`` (page numbers, lines repeated where
pages meet, form feeds; the line after marked as cut by a page break) → ``group_rows`` (which lines
make which row: a row starts at a line with a period and an amount, or at a field label once the
previous summary has begun; section headings and the column header row say the objective and the
amount columns' order) → ``read_row``: ``read_header`` (labels split the text into title / carrier /
procedure / action, the period's halves are joined, amounts are placed in their columns) →
``summary_paragraphs`` → ``title_from_summary``, ``duplicate_summary_findings`` and
``structure_findings`` → ``check_total_rows`` (a total row is no project and must add up).

Values stay text as printed (markup removed, lines joined); the normalizers parse them. Every
repair, guess or leftover is a finding on the line where the damage is; a label the profile does not
know, or a line that fits no row, is an error finding naming it, never text read into another field.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.amounts import AmountError, parse_amount
from amif_extract.normalize.periods import (
    PeriodError,
    is_period_fragment,
    numeric_dates,
    parse_period_detailed,
)
from amif_extract.profiles import Profile, fold_chars, label_pattern, load_profile, require_labels
from amif_extract.records import AMOUNT_COLUMNS, AmifExtraction, AmifRow
from amif_extract.textclean import clean_cell_text, collapse_spaces, strip_markup


@dataclass(frozen=True)
class AmifTextSettings:
    """Every tolerance of the text reading, with its default and why.

    ``duplicate_summary_min_words``: a summary paragraph is compared with the paragraphs before it
    only when it has at least this many distinct words; short paragraphs (bullets) share words
    with their neighbours without repeating them.
    ``duplicate_summary_min_overlap``: share of a paragraph's distinct words already used earlier
    in the same summary from which it is a second printing of that summary. On the published list
    the one copy scores 0.72 and every genuine paragraph at most 0.45.
    ``summary_word_min_length``: shorter words (articles, prepositions) are not counted.
    ``national_share_always_printed``: when empty cells were collapsed, the first amount after the
    EU share is taken as the national share (every project of the list has national co-financing),
    so only a further amount can be ambiguous between "other public" and "private".
    """

    duplicate_summary_min_words: int = 25
    duplicate_summary_min_overlap: float = 0.6
    summary_word_min_length: int = 4
    national_share_always_printed: bool = True

    def __post_init__(self) -> None:
        if self.duplicate_summary_min_words < 1:
            raise ValueError("duplicate_summary_min_words must be at least 1")
        if not 0 < self.duplicate_summary_min_overlap <= 1:
            raise ValueError("duplicate_summary_min_overlap must be in (0, 1]")
        if self.summary_word_min_length < 1:
            raise ValueError("summary_word_min_length must be at least 1")


DEFAULT_SETTINGS = AmifTextSettings()

# --- labels: read from the profile ----------------------------------------------------------------

PROFILE_KIND = "amif_table"
_ROW_LABELS = ("carrier", "procedure", "summary", "action", "section", "total_row")
_COLUMN_LABELS = ("project", "period", *AMOUNT_COLUMNS)
# The column header row: a tabbed line with at least 3 of the column labels, or an untabbed one
# with at least 5 (a summary sentence may well say "projet", "période" and "total").
_COLUMN_HEADER_MIN_LABELS_TABBED = 3
_COLUMN_HEADER_MIN_LABELS_UNTABBED = 5
# A column header may say its unit: "Part UE (€)", "Total en EUR".
_HEADER_UNIT = re.compile(r"\s*(?:\(\s*(?:€|eur|euros?)\s*\)|en\s+(?:€|eur|euros?)|€)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class AmifLabels:
    """The profile's labels compiled once into the patterns the reading uses.

    Every pattern is searched in ``fold_chars`` text (no accents, lower case, same offsets), so a
    match's offsets cut the original text.
    """

    profile: Profile
    fields: re.Pattern[str]  # carrier / procedure / summary anywhere in a header cell, named groups
    action: re.Pattern[str]  # "Action A.3. (OS1)": the code is the value
    summary_line: re.Pattern[str]  # a line that opens the summary, with the text after the label
    section: re.Pattern[str]  # "Objectif spécifique 2 : label"
    columns: re.Pattern[str]  # any column header label, named groups
    total_row: re.Pattern[str]  # the title cell of a total row


_COMPILED: dict[str, AmifLabels] = {}


def amif_labels(profile: Profile | None = None) -> AmifLabels:
    """The compiled labels of `profile` (the packaged one by default), compiled once per profile file."""
    profile = profile if profile is not None else load_profile(PROFILE_KIND)
    compiled = _COMPILED.get(profile.digest)
    if compiled is None or compiled.profile != profile:
        require_labels(profile, (*_ROW_LABELS, *_COLUMN_LABELS))
        compiled = _compile_labels(profile)
        _COMPILED[profile.digest] = compiled
    return compiled


def _compile_labels(profile: Profile) -> AmifLabels:
    def group(name: str, colon_after_one_word: bool = True) -> str:
        return f"(?P<{name}>{label_pattern(profile.spellings(name), colon_after_one_word)})"

    bullet = r"(?:[-–•*·]\s*)?"
    fields = "|".join(group(name) for name in ("carrier", "procedure", "summary"))
    # Column headers stand alone in their cells: no colon after them.
    columns = "|".join(group(name, False) for name in _COLUMN_LABELS)
    totals = label_pattern((*profile.spellings("total_row"), *profile.spellings("total_cost")), False)
    return AmifLabels(
        profile=profile,
        fields=re.compile(rf"(?<!\w){bullet}(?:{fields})\s*:?"),
        action=re.compile(
            rf"(?<!\w){bullet}{label_pattern(profile.spellings('action'), False)}\s*(?:n[°o]\.?\s*)?"
            r"(?P<letter>[a-z])\s?\.\s?(?P<number>\d+)\.?(?:\s*\(\s*os\s*\d+\s*\))?"
        ),
        summary_line=re.compile(rf"\s*{bullet}{label_pattern(profile.spellings('summary'))}\s*:?\s*"),
        section=re.compile(
            rf"\W*{label_pattern(profile.spellings('section'), False)}\s*(?:n[°o]\.?\s*)?(?P<number>\d+)\b\s*"
        ),
        columns=re.compile(rf"(?<!\w)(?:{columns})"),
        total_row=re.compile(rf"\s*{totals}"),
    )


# --- patterns ------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"€|\bEUR\b", re.IGNORECASE)
_MONEY_TEXT = re.compile(r"(?:€|EUR)?\s?[\d .,'\u00a0\u202f]+\s?(?:€|EUR)?", re.IGNORECASE)
_PUNCTUATION_ONLY = re.compile(r"[^\w€]+")
# A period in words is a short cell; a longer one is a title or a sentence that names dates.
_PERIOD_CELL_MAX_CHARS = 60
_PERIOD_LINK_END = re.compile(r"(?:[-–—/]|\bau)\s*$", re.IGNORECASE)
_BARE_AMOUNT = re.compile(r"\d{1,3}(?:[ .,'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+[.,]\d{2}")
_SECTION_LABEL_EDGES = ' \t:-–—"«»“”'
# A section line is a heading; a longer line starting with the same words is a paragraph.
_SECTION_LINE_MAX_CHARS = 160
# A finding quotes at most this much of a long paragraph.
_FINDING_VALUE_MAX_CHARS = 200
# A selection procedure is complete once it reads as a dated call or a direct award; until then
# the next fragments continue it, and a fragment repeating its end is a duplicate print.
_COMPLETE_PROCEDURE = re.compile(r"appel\b.*\b\d{4}|attribution\s+directe", re.IGNORECASE)
_QUOTED_TITLE = re.compile(r"«\s*([^«»]+?)\s*»")
# A paragraph cut mid-sentence: ends on a word, a comma or an opening bracket, and the next
# paragraph starts in lower case. Cut by a page break, it need only not end a sentence.
_UNFINISHED_END = re.compile(r"[\w,(\-–]$")
_SENTENCE_END = re.compile(r"[.!?:;»\"”)]$")
_BULLET_START = re.compile(r"(?:[-–•*·]|\d{1,2}[.)])\s")
# Something printed like a label ("- Structure porteuse :", "Synthèse :"): at the line's start or
# after a " - " bullet, one to four words, the first capitalised, then a colon. When the profile
# does not know it, the field it opens cannot be told, so it is reported, not read into another field.
_LABEL_WORDS = r"(?P<label>[A-ZÀ-Ý][\w'’]*(?:[ \u00a0][\w'’()]+){0,3})\s?:(?=\s|$)"
_LABEL_LIKE_AT_START = re.compile(rf"\s*(?:[-–•*·]\s*)?{_LABEL_WORDS}")
_LABEL_LIKE_AFTER_BULLET = re.compile(rf"\s[-–•]\s+{_LABEL_WORDS}")
# A heading like a specific-objective line under another label ("Priorité 2 : Migration légale"):
# a few words, a number, a separator, a title, no full stop.
_HEADING_LIKE = re.compile(r"[^\W\d][\w'’.\s]{0,40}?\s(?:n[°o]\.?\s*)?\d{1,2}\s*[:–—\-\"«“]\s*\S.{0,120}")
# An action code left in text after its label was not recognised: "A.3. (OS1)".
_STRAY_ACTION_CODE = re.compile(r"\b[A-Z]\s?\.\s?\d+\.?\s*\(\s*OS\s*\d+\s*\)")

_FIELD_COLUMN = {
    "title": "title",
    "carrier": "carrier",
    "procedure": "selection_procedure",
    "action": "action_code",
}

# --- lines ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One source line: its 1-based number, its text as read and its cells, cleaned.

    Cells are split on tabs, markup removed, NFC-normalised, spaces collapsed; empty cells in the
    middle are kept (their position can say which column a value sits in), trailing ones dropped.
    ``after_break``: page furniture or a page break was dropped right before this line, so a
    paragraph it continues may have been cut there.
    """

    number: int
    raw: str
    cells: tuple[str, ...]
    tabbed: bool
    after_break: bool = False

    @property
    def text(self) -> str:
        return " ".join(cell for cell in self.cells if cell)


def clean_cell(cell: str) -> str:
    return collapse_spaces(unicodedata.normalize("NFC", strip_markup(cell)))


def read_lines(lines: Sequence[str]) -> list[TextLine]:
    read = []
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n").lstrip("\ufeff").replace("\f", "")
        cells = [clean_cell(cell) for cell in split_cells(line)]
        while cells and not cells[-1]:
            cells.pop()
        read.append(TextLine(number, line, tuple(cells), len(cells) > 1 or "\t" in line))
    return read


_WIDE_GAP = re.compile(r"\S(?:\s{3,}|\t)")


def split_cells(line: str) -> list[str]:
    """A line's cells: split on tabs or, in a layout without tabs, on runs of three or more spaces.

    The gap split is kept only when it yields a period or an amount cell, so prose typed with
    double spaces stays one cell.
    """
    if "\t" in line or not _WIDE_GAP.search(line.strip()):
        return line.split("\t")
    cells = re.split(r"\s{3,}", line.strip())
    if any(_is_value_cell(clean_cell(cell)) for cell in cells[1:]):
        return cells
    return [line]


def _is_value_cell(cell: str) -> bool:
    return is_money_cell(cell) or is_period_cell(cell) or is_bare_amount(cell)


def is_money_cell(cell: str) -> bool:
    """A cell printing an amount with its currency sign (not a fragment of one)."""
    return (
        bool(_CURRENCY.search(cell))
        and any(ch.isdigit() for ch in cell)
        and bool(_MONEY_TEXT.fullmatch(cell))
    )


def is_period_cell(cell: str) -> bool:
    """A period cell or a piece of one (numeric dates), or a whole period in words ("janvier 2023 –
    décembre 2024") that the period normalizer reads."""
    return is_period_fragment(cell) or _is_whole_period(cell)


@functools.lru_cache(maxsize=4096)
def _is_whole_period(cell: str) -> bool:
    if not cell or len(cell) > _PERIOD_CELL_MAX_CHARS or not any(char.isdigit() for char in cell):
        return False
    try:
        return parse_period_detailed(cell).text == cell.strip()
    except PeriodError:
        return False


def section_of(line: TextLine, labels: AmifLabels) -> tuple[int, str] | None:
    """``(number, label)`` of a specific-objective line, the label as printed without quotes."""
    match = labels.section.match(fold_chars(line.text))
    if match is None or len(line.text) > _SECTION_LINE_MAX_CHARS:
        return None
    return int(match["number"]), line.text[match.end() :].strip(_SECTION_LABEL_EDGES)


def column_fields(line: TextLine, labels: AmifLabels) -> list[str]:
    """The column labels a line prints, in order: per cell when tabbed, else found in the text."""
    found: list[str] = []
    for cell in line.cells:
        name = labels.profile.field_of(_HEADER_UNIT.sub("", cell))
        if name in _COLUMN_LABELS and name not in found:
            found.append(name)
    if len(found) >= _COLUMN_HEADER_MIN_LABELS_TABBED:
        return found
    searched: list[str] = []
    for match in labels.columns.finditer(fold_chars(line.text)):
        name = str(match.lastgroup)
        if name not in searched:
            searched.append(name)
    return searched


def is_column_header(line: TextLine, labels: AmifLabels) -> bool:
    found = len(column_fields(line, labels))
    needed = _COLUMN_HEADER_MIN_LABELS_TABBED if line.tabbed else _COLUMN_HEADER_MIN_LABELS_UNTABBED
    return found >= needed and not any(is_money_cell(cell) for cell in line.cells)


def amount_columns_of(header: TextLine, labels: AmifLabels) -> tuple[str, ...]:
    """The amount columns a header row prints, in its order; all five in table order when unclear."""
    printed = tuple(name for name in column_fields(header, labels) if name in AMOUNT_COLUMNS)
    if "eu_share" in printed and "total_cost" in printed:
        return printed
    return AMOUNT_COLUMNS


def period_cell_index(cells: Sequence[str]) -> int | None:
    return next((index for index, cell in enumerate(cells) if is_period_cell(cell)), None)


def is_row_start(line: TextLine) -> bool:
    """A row's first line: a period followed by an amount, or (period lost) two amounts."""
    if not line.tabbed:
        return False
    period = period_cell_index(line.cells)
    if period is not None:
        return any(is_money_cell(cell) or is_bare_amount(cell) for cell in line.cells[period + 1 :])
    return sum(1 for cell in line.cells if is_money_cell(cell)) >= 2


def is_bare_amount(cell: str) -> bool:
    """An amount printed without its currency sign (the column header says "(€)"): grouped digits
    with cents, or thousands groups. After a period cell only, where a number is an amount."""
    return bool(_BARE_AMOUNT.fullmatch(cell)) and _parses(cell)


def is_date_fragments(line: TextLine) -> bool:
    filled = [cell for cell in line.cells if cell]
    return bool(filled) and all(is_period_cell(cell) for cell in filled)


def summary_label_rest(line: TextLine, labels: AmifLabels) -> str | None:
    """The text after a summary label opening the line ('' when alone); None for other lines."""
    match = labels.summary_line.match(fold_chars(line.text))
    if match is None:
        return None
    rest = line.text[match.end() :]
    if has_field_label(rest, labels):
        return None
    return rest


def has_field_label(text: str, labels: AmifLabels) -> bool:
    return any(kind in ("carrier", "procedure", "action") for kind, _, _ in iter_labels(text, labels))


def starts_with_label(
    line: TextLine, labels: AmifLabels, kinds: Sequence[str] = ("carrier", "procedure")
) -> bool:
    """One of ``kinds`` of label opens the line (a leaked summary label before it aside)."""
    for kind, start, _ in iter_labels(line.text, labels):
        if kind == "summary" and start == 0:
            continue
        leading = line.text[:start]
        leaked = labels.summary_line.match(fold_chars(leading))
        if leaked is not None:
            leading = leading[leaked.end() :]
        return kind in kinds and not leading.strip()
    return False


def iter_labels(text: str, labels: AmifLabels) -> Iterator[tuple[str, int, int]]:
    """``(kind, start, end)`` of every label in ``text``, left to right, never overlapping."""
    folded = fold_chars(text)
    # Inside a sentence ("Le porteur de projet (PP) encourage…") a label's words are prose: a label
    # opens the text or ends with its colon.
    found = [
        (match.start(), match.end(), str(match.lastgroup))
        for match in labels.fields.finditer(folded)
        if match.group().rstrip().endswith(":") or not text[: match.start()].strip()
    ]
    found += [
        (match.start(), match.end(), "action")
        for match in labels.action.finditer(folded)
        if text[match.start("letter")].isupper()
    ]
    end = 0
    for start, stop, kind in sorted(found):
        if start >= end:
            yield kind, start, stop
            end = stop


def unknown_label(text: str, labels: AmifLabels, anywhere: bool = False) -> str | None:
    """A label-like opening of `text` ("- Structure porteuse :") that the profile does not know.

    ``anywhere``: also after a " - " bullet inside the text, as a title cell may carry the labels.
    """
    matches = [_LABEL_LIKE_AT_START.match(text)]
    if anywhere:
        matches += list(_LABEL_LIKE_AFTER_BULLET.finditer(text))
    for match in matches:
        if match is None:
            continue
        label = match["label"]
        if labels.profile.field_of(label) is None and not labels.section.match(fold_chars(label)):
            return label
    return None


def is_total_line(line: TextLine, labels: AmifLabels) -> bool:
    """A total row's line: its first cell a total label, then amounts (a total prints no period)."""
    first = next((cell for cell in line.cells if cell), "")
    return (
        line.tabbed
        and is_total_row(first, labels)
        and any(is_money_cell(cell) or is_bare_amount(cell) for cell in line.cells[1:])
    )


def is_total_row(title: str, labels: AmifLabels) -> bool:
    """A row whose title cell is a total label ("Total", "Sous-total objectif spécifique 1")."""
    return bool(title) and labels.total_row.match(fold_chars(title)) is not None


# --- page furniture: running headers and footers, page numbers -------------------------------------

# Page numbers as printed alone on a line: "- 10 -", "Page 3 / 9", "page 3 sur 9", "3/48", "12".
_PAGE_NUMBER = re.compile(
    r"[-–—\s]*(?:(?:page|p\.|seite)\s*)?(?P<page>\d{1,3})"
    r"(?:\s*(?:/|sur|of|von|de)\s*(?P<pages>\d{1,3}))?[-–—\s]*",
    re.IGNORECASE,
)
# A running header or footer repeats on this many pages at least.
_FURNITURE_MIN_REPEATS = 3
_FURNITURE_MIN_WORDS = 3
# Where pages are not marked, running lines are printed at least this many lines apart (about a page).
_FURNITURE_MIN_GAP = 15


def is_page_number(text: str) -> bool:
    match = _PAGE_NUMBER.fullmatch(text)
    if match is None:
        return False
    return match["pages"] is None or int(match["page"]) <= int(match["pages"])


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", fold_chars(text))


def running_lines(lines: Sequence[TextLine], labels: AmifLabels) -> set[str]:
    """Lines printed again and again (digits aside) at page ends: running headers, footers, edition lines.

    Rows never repeat whole, but a line of a row can ("directe", a carrier that runs several
    projects); so a running line has a few words, holds no label, period or amount, is not the
    column header row, and sits where pages meet: in most of its printings only other running
    lines separate it from a page number or a form feed; in a document that marks no page, its
    printings are far apart and none is a label's value.
    """
    content = [line for line in lines if line.text]
    printings: dict[str, list[int]] = {}
    for index, line in enumerate(content):
        if len(line.text.split()) >= _FURNITURE_MIN_WORDS and not line.tabbed:
            printings.setdefault(_furniture_key(line.text), []).append(index)
    candidates = {
        key
        for key, indexes in printings.items()
        if len(indexes) >= _FURNITURE_MIN_REPEATS and not _holds_data(content[indexes[0]].text, labels)
    }
    markers = {index for index, line in enumerate(content) if is_page_number(line.text) or "\f" in line.raw}
    if not markers:
        return {key for key in candidates if _far_apart_and_no_value(printings[key], content)}
    band = markers | {index for key in candidates for index in printings[key]}
    return {key for key in candidates if _at_page_ends(printings[key], markers, band)}


def _holds_data(text: str, labels: AmifLabels) -> bool:
    return iter_labels_any(text, labels) or is_period_cell(text) or bool(_CURRENCY.search(text))


def _at_page_ends(indexes: Sequence[int], markers: set[int], band: set[int]) -> bool:
    """Most printings reach a page marker through furniture only (running lines, page numbers)."""

    def reaches_marker(index: int) -> bool:
        for step in (-1, 1):
            cursor = index
            while cursor in band:
                if cursor in markers:
                    return True
                cursor += step
        return False

    return sum(1 for index in indexes if reaches_marker(index)) * 3 >= len(indexes) * 2


def _far_apart_and_no_value(indexes: Sequence[int], content: Sequence[TextLine]) -> bool:
    gaps = [later - earlier for earlier, later in itertools.pairwise(indexes)]
    after_label = any(index and content[index - 1].text.rstrip().endswith(":") for index in indexes)
    return min(gaps) >= _FURNITURE_MIN_GAP and not after_label


def iter_labels_any(text: str, labels: AmifLabels) -> bool:
    folded = fold_chars(text)
    return bool(
        next(iter_labels(text, labels), None)
        or labels.section.match(folded)
        or labels.summary_line.match(folded)
        or is_column_header(TextLine(0, text, (text,), False), labels)
    )


def drop_page_furniture(
    lines: Sequence[TextLine], labels: AmifLabels, source: str
) -> tuple[list[TextLine], list[Finding]]:
    """The lines without page numbers, running lines and form feeds, each drop said as a finding.

    The line after a drop is marked ``after_break``: a paragraph cut by the page break continues there.
    """
    running = running_lines(lines, labels)
    kept: list[TextLine] = []
    findings: list[Finding] = []
    broken = False
    for line in lines:
        if "\f" in line.raw:
            broken = True
        if line.text and (is_page_number(line.text) or _furniture_key(line.text) in running):
            findings.append(
                Finding(
                    "repaired_value",
                    "page furniture (a page number or a line repeated on every page) left out",
                    SourceLocation(source, line=line.number),
                    value=line.text,
                    repaired="",
                    rule="page_furniture_dropped",
                )
            )
            broken = True
            continue
        if line.text:
            kept.append(dataclasses.replace(line, after_break=broken) if broken else line)
            broken = False
    return kept, findings


# --- rows: which lines belong together ------------------------------------------------------------


@dataclass
class RowBlock:
    """The lines of one row: its header lines and its summary paragraphs' lines.

    ``amount_columns``: the amount columns of the header row in force, in their printed order.
    ``body`` holds (line number, text, cut by a page break before it).
    """

    section: tuple[int, str] | None
    header: list[TextLine]
    amount_columns: tuple[str, ...] = AMOUNT_COLUMNS
    body: list[tuple[int, str, bool]] = field(default_factory=list)
    summary_started: bool = False
    summary_labelled: bool = False
    awaiting_value: bool = False  # the last header line ended with a label alone ("Porteur du projet :")

    @property
    def start_line(self) -> int:
        return self.header[0].number


def _unreadable(line: TextLine, source: str, why: str) -> Finding:
    return Finding(
        "unreadable_row",
        f"text in the table that belongs to no project ({why})",
        SourceLocation(source, line=line.number),
        value=line.text,
    )


def unknown_label_message(label: str, what: str = "a label") -> str:
    return f"{what} the {PROFILE_KIND} profile does not know: {label!r} (add its spelling to the profile)"


def _unknown_label_finding(line: TextLine, label: str, source: str, what: str = "a label") -> Finding:
    return Finding(
        "unreadable_row",
        unknown_label_message(label, what),
        SourceLocation(source, line=line.number),
        value=line.text[:_FINDING_VALUE_MAX_CHARS],
    )


@dataclass
class _Grouping:
    """Where ``group_rows`` stands: the section, the row being read, the header row in force."""

    section: tuple[int, str] | None = None
    row: RowBlock | None = None
    in_table: bool = False
    amount_columns: tuple[str, ...] = AMOUNT_COLUMNS


def group_rows(
    lines: Sequence[TextLine], source: str, labels: AmifLabels | None = None
) -> tuple[list[RowBlock], list[Finding]]:
    """Split the table into rows; lines before the table (the intro) are not read."""
    labels = labels or amif_labels()
    blocks: list[RowBlock] = []
    findings: list[Finding] = []
    state = _Grouping()
    broken = False  # a page break before a repeated column header row cuts what follows it
    after_header = False  # the column header row may wrap: "Période de" / "cofinancement"
    for line in lines:
        if not line.text:
            continue
        if broken:
            line, broken = dataclasses.replace(line, after_break=True), False
        if after_header and (is_units_line(line) or _continues_header(line, labels, state.row)):
            findings.append(_header_continuation_finding(line, source))
            broken = line.after_break  # the page break still cuts what follows the header
            continue
        after_header = False
        found_section = section_of(line, labels)
        if found_section is not None:
            state.section, state.row, state.in_table = found_section, None, True
        elif is_column_header(line, labels):
            state.in_table, state.amount_columns = True, amount_columns_of(line, labels)
            broken, after_header = line.after_break, True
        elif state.row is not None and _completes_period(state.row, line):
            # "⇥31/12/2024⇥395,00 €": the row's period end with an amount wrapped under its cell.
            _add_row_line(state.row, line, findings, source, labels)
        elif (
            is_row_start(line)
            or is_total_line(line, labels)
            or (state.in_table and _opens_reduced_row(line, state.row, labels))
        ):
            state.row, state.in_table = RowBlock(state.section, [line], state.amount_columns), True
            note_open_label(state.row, line, labels)
            blocks.append(state.row)
        elif _is_unknown_heading(line):
            findings.append(
                _unknown_label_finding(line, line.text.split(" ")[0], source, "a section heading")
            )
            state.row = None
        elif not state.in_table:
            continue
        elif state.row is None:
            findings.append(_unreadable(line, source, "before the first project of its section"))
        else:
            _add_row_line(state.row, line, findings, source, labels)
    return blocks, findings


def is_units_line(line: TextLine) -> bool:
    """A header's units printed on a line of their own: "⇥⇥(€)⇥(€)⇥(€)"."""
    filled = [cell for cell in line.cells if cell]
    return bool(filled) and all(_HEADER_UNIT.fullmatch(cell) for cell in filled)


def _completes_period(row: RowBlock, line: TextLine) -> bool:
    """The line prints the second date of a period whose first date the row's header printed."""
    if row.summary_started:
        return False
    printed = sum(
        len(numeric_dates(cell)) for header in row.header for cell in header.cells if is_period_cell(cell)
    )
    index = period_cell_index(line.cells)
    return printed == 1 and index is not None and len(numeric_dates(line.cells[index])) == 1


def _continues_header(line: TextLine, labels: AmifLabels, row: RowBlock | None) -> bool:
    """The rest of a wrapped column header row: words under several columns, no amount, date or label.

    Not while a row's header lines are being read: a header repeated at a page top sits between
    them, and the line after it continues the row ("dans les Structures d'accueil (APES)").
    """
    return (
        (row is None or row.summary_started)
        and sum(1 for cell in line.cells if cell) >= 2
        and not any(is_money_cell(cell) or is_period_cell(cell) for cell in line.cells)
        and not iter_labels_any(line.text, labels)
        and len(line.text) <= _SECTION_LINE_MAX_CHARS
    )


def _header_continuation_finding(line: TextLine, source: str) -> Finding:
    return Finding(
        "repaired_value",
        "the column header row wraps onto this line; its words left out",
        SourceLocation(source, line=line.number),
        value=line.text,
        repaired="",
        rule="header_continuation_dropped",
    )


def _is_unknown_heading(line: TextLine) -> bool:
    """An untabbed line printed like a section heading that no section label of the profile opens."""
    return not line.tabbed and bool(_HEADING_LIKE.fullmatch(line.text)) and not line.text.endswith(".")


def _opens_reduced_row(line: TextLine, row: RowBlock | None, labels: AmifLabels) -> bool:
    """A carrier or procedure label after the summary has begun (or before any row) opens a row."""
    return starts_with_label(line, labels) and (row is None or row.summary_started)


def _add_row_line(
    row: RowBlock, line: TextLine, findings: list[Finding], source: str, labels: AmifLabels
) -> None:
    """Header lines until the summary begins (a summary label line or the first prose)."""
    summary_rest = summary_label_rest(line, labels)
    if summary_rest is not None:
        row.summary_started = row.summary_labelled = True
        if summary_rest:
            row.body.append((line.number, summary_rest, line.after_break))
    elif _belongs_to_header(row, line, labels):
        row.header.append(line)
        note_open_label(row, line, labels)
    elif line.tabbed:
        findings.append(_unreadable(line, source, "table cells inside a summary"))
    elif row.summary_started and (is_date_fragments(line) or is_money_cell(line.text)):
        # A cell of a row laid out another way (one cell per line), not prose: never summary text.
        findings.append(_unreadable(line, source, "a period or an amount alone inside a summary"))
    else:
        _check_summary_opening(row, line, findings, source, labels)
        row.summary_started = True
        row.body.append((line.number, line.raw, line.after_break))


def _check_summary_opening(
    row: RowBlock, line: TextLine, findings: list[Finding], source: str, labels: AmifLabels
) -> None:
    """Prose that opens a summary without a known label must not open with an unknown one."""
    if row.summary_started:
        return
    label = unknown_label(line.text, labels)
    if label is not None:
        findings.append(_unknown_label_finding(line, label, source))


def note_open_label(row: RowBlock, line: TextLine, labels: AmifLabels) -> None:
    """Remember a label printed alone at a line's end: its value is on the next line."""
    segments = split_labelled_text(line.text, labels)
    row.awaiting_value = bool(segments) and segments[-1].field in _FIELD_COLUMN and not segments[-1].text


def _belongs_to_header(row: RowBlock, line: TextLine, labels: AmifLabels) -> bool:
    if row.awaiting_value and not row.summary_started:
        return True
    if (is_date_fragments(line) and not row.summary_started) or starts_with_label(line, labels, ("action",)):
        return True
    return not row.summary_started and (line.tabbed or has_field_label(line.text, labels))


# --- one row's header: title, carrier, procedure, action, period, amounts --------------------------


@dataclass(frozen=True)
class Segment:
    """A stretch of header text and the field it belongs to ('' = the field being read)."""

    field: str
    text: str


def split_labelled_text(text: str, labels: AmifLabels | None = None) -> list[Segment]:
    """Cut a header cell at its labels: ``Porteur du projet : X Procédure de sélection : Y``.

    Text before the first label continues the field being read (``''``); each label takes the
    text up to the next label; an action label's value is its code.
    """
    labels = labels or amif_labels()
    found = list(iter_labels(text, labels))
    if not found:
        return [Segment("", text.strip())] if text.strip() else []
    ends = [start for _, start, _ in found[1:]] + [len(text)]
    lead = text[: found[0][1]].strip()
    segments = [Segment("", lead)] if lead else []
    for (kind, start, end), stop in zip(found, ends, strict=True):
        value = text[end:stop].strip()
        if kind == "action":
            match = labels.action.match(fold_chars(text), start)
            code = f"{text[match.start('letter')]}.{match['number']}" if match else ""
            segments.append(Segment("action", code))
            if value:
                segments.append(Segment("", value))
        else:
            segments.append(Segment(kind, value))
    return segments


@dataclass
class HeaderDraft:
    """What a row's header lines said so far; filled line by line by ``read_header``."""

    source: str
    labels: AmifLabels
    current: str = "title"
    parts: dict[str, list[str]] = field(default_factory=lambda: {"title": [], "carrier": [], "procedure": []})
    action_code: str = ""
    period: list[str] = field(default_factory=list)
    amounts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(AMOUNT_COLUMNS, ""))
    summary_lead: list[tuple[int, str, bool]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def note(
        self,
        code: str,
        message: str,
        line: int,
        *,
        column: str = "",
        value: str = "",
        repaired: str = "",
        rule: str = "",
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        location = SourceLocation(self.source, line=line)
        self.findings.append(
            Finding(
                code, message, location, column=column, value=value, repaired=repaired, rule=rule, extra=extra
            )
        )

    def joined(self, name: str) -> str:
        return clean_cell_text("\n".join(self.parts[name]))

    def period_complete(self) -> bool:
        return len(numeric_dates(" ".join(self.period))) >= 2


def read_header(
    lines: Sequence[TextLine],
    source: str,
    settings: AmifTextSettings,
    labels: AmifLabels | None = None,
    amount_columns: Sequence[str] = AMOUNT_COLUMNS,
) -> HeaderDraft:
    draft = HeaderDraft(source, labels or amif_labels())
    lines = join_wrapped_amounts(draft, lines)
    for index, line in enumerate(lines):
        if index == 0 and (is_row_start(line) or is_total_line(line, draft.labels)):
            _read_first_line(draft, line, settings, amount_columns)
        elif is_date_fragments(line) and draft.period_complete():
            _drop_stray_dates(draft, [cell for cell in line.cells if cell], line.number)
        else:
            _read_continuation_line(draft, line)
    return draft


def join_wrapped_amounts(draft: HeaderDraft, lines: Sequence[TextLine]) -> list[TextLine]:
    """An amount cell wrapped onto the next line of its column ("1 218" / "327,29 €") joined back.

    Only where the row's first line prints a fragment without the currency sign in that column and
    the joined text reads as one amount with it; the continuation's cell is emptied.
    """
    if not lines or not is_row_start(lines[0]):
        return list(lines)
    first = list(lines[0].cells)
    joined_lines = [lines[0]]
    for line in lines[1:]:
        cells = list(line.cells)
        for index, cell in enumerate(cells):
            if (
                index >= len(first)
                or not is_money_cell(cell)
                or not first[index]
                or _CURRENCY.search(first[index])
            ):
                continue
            joined = next(
                (text for text in (f"{first[index]} {cell}", first[index] + cell) if _parses(text)), None
            )
            if joined is None:
                continue
            draft.note(
                "repaired_value",
                "an amount wrapped onto the next line of its cell was joined",
                line.number,
                value=f"{first[index]} | {cell}",
                repaired=joined,
                rule="wrapped_amount_joined",
            )
            first[index], cells[index] = joined, ""
        joined_lines.append(dataclasses.replace(line, cells=tuple(cells)))
    joined_lines[0] = dataclasses.replace(lines[0], cells=tuple(first))
    return joined_lines


def _read_first_line(
    draft: HeaderDraft, line: TextLine, settings: AmifTextSettings, amount_columns: Sequence[str]
) -> None:
    cells = list(line.cells)
    period = period_cell_index(cells)
    if period is None:
        period = next(
            index
            for index, cell in enumerate(cells)
            if is_money_cell(cell) or (index and is_bare_amount(cell))
        )
        amount_start = period
    else:
        draft.period.append(cells[period])
        amount_start = period + 1
        # A period printed in two columns (start, end) continues in the next cell.
        while (
            amount_start < len(cells) and is_period_cell(cells[amount_start]) and not draft.period_complete()
        ):
            if not _PERIOD_LINK_END.search(draft.period[-1]):
                draft.period[-1] += " –"  # the two cells are the range's ends: link them as a range
            draft.period.append(cells[amount_start])
            amount_start += 1
    _apply_segments(draft, _line_segments(draft, cells[:period], line.number), line.number)
    amount_cells = _drop_stray_punctuation(draft, cells[amount_start:], line.number)
    place_amounts(draft, join_split_amounts(amount_cells), line.number, settings, amount_columns)


def _read_continuation_line(draft: HeaderDraft, line: TextLine) -> None:
    text_cells: list[str] = []
    for cell in line.cells:
        if not cell:
            continue
        if is_period_cell(cell):
            _add_period_part(draft, cell, line.number)
        elif _PUNCTUATION_ONLY.fullmatch(cell):
            _drop_stray_punctuation(draft, [cell], line.number)
        elif is_money_cell(cell):
            draft.note("unreadable_row", "an amount outside the row's first line", line.number, value=cell)
        else:
            text_cells.append(cell)
    _apply_segments(draft, _line_segments(draft, text_cells, line.number), line.number)


def _add_period_part(draft: HeaderDraft, cell: str, line: int) -> None:
    if draft.period_complete():
        _drop_stray_dates(draft, [cell], line)
    else:
        draft.period.append(cell)


def _drop_stray_dates(draft: HeaderDraft, dates: Sequence[str], line: int) -> None:
    """Dates printed again once the period is complete: left out, and said."""
    period_end = numeric_dates(" ".join(draft.period))[-1:]
    if all(numeric_dates(cell) == period_end for cell in dates):
        draft.note(
            "repaired_value",
            "stray copies of the period's end dropped",
            line,
            column="end_date",
            value=" | ".join(dates),
            repaired="",
            rule="stray_period_fragments_dropped",
        )
    else:
        draft.note("unreadable_row", "dates that match no period of the row", line, value=" | ".join(dates))


def _drop_stray_punctuation(draft: HeaderDraft, cells: list[str], line: int) -> list[str]:
    kept = []
    for cell in cells:
        if cell and _PUNCTUATION_ONLY.fullmatch(cell):
            draft.note(
                "repaired_value",
                f"a cell holding only {cell!r} dropped",
                line,
                value=cell,
                repaired="",
                rule="stray_punctuation_dropped",
            )
            cell = ""
        kept.append(cell)
    return kept


def _line_segments(draft: HeaderDraft, cells: Sequence[str], line: int) -> list[Segment]:
    segments = [segment for cell in cells for segment in split_labelled_text(cell, draft.labels)]
    for segment in segments:
        # Checked between the known labels, so a known label never ends an unknown one.
        label = unknown_label(segment.text, draft.labels, anywhere=True)
        if label is not None:
            draft.note(
                "unreadable_row",
                unknown_label_message(label),
                line,
                value=segment.text[:_FINDING_VALUE_MAX_CHARS],
            )
        if segment.field != "action" and _STRAY_ACTION_CODE.search(segment.text):
            draft.note(
                "unreadable_row",
                "an action code without a label the profile knows",
                line,
                column="action_code",
                value=segment.text,
            )
    segments = _drop_leaked_summary_label(draft, segments, line)
    return _move_fragment_before_label(draft, segments, line)


def _drop_leaked_summary_label(draft: HeaderDraft, segments: list[Segment], line: int) -> list[Segment]:
    """A "Résumé du projet" label right before another label leaked there: it opens no summary."""
    kept: list[Segment] = []
    for index, segment in enumerate(segments):
        following = segments[index + 1] if index + 1 < len(segments) else None
        if segment.field == "summary" and not segment.text and following and following.field:
            column = _FIELD_COLUMN.get(following.field, following.field)
            draft.note(
                "repaired_value",
                "a 'Résumé du projet' label leaked into the header line was dropped",
                line,
                column=column,
                value="Résumé du projet",
                repaired="",
                rule="leaked_summary_label_dropped",
            )
            continue
        kept.append(segment)
    return kept


def _move_fragment_before_label(draft: HeaderDraft, segments: list[Segment], line: int) -> list[Segment]:
    """``directe`` ⇥ ``Procédure de sélection : Attribution``: the tool printed the end first.

    Moved only when the procedure is incomplete without the fragment and complete with it.
    """
    if len(segments) < 2 or segments[0].field or segments[1].field != "procedure":
        return segments
    fragment, label = segments[0], segments[1]
    repaired = f"{label.text} {fragment.text}".strip()
    if _COMPLETE_PROCEDURE.fullmatch(label.text) or not _COMPLETE_PROCEDURE.fullmatch(repaired):
        return segments
    draft.note(
        "repaired_value",
        "a procedure fragment printed before its label was put after it",
        line,
        column="selection_procedure",
        value=f"{fragment.text} | {label.text}",
        repaired=repaired,
        rule="fragment_before_label_moved",
    )
    return [Segment("procedure", repaired), *segments[2:]]


def _apply_segments(draft: HeaderDraft, segments: Sequence[Segment], line: int) -> None:
    for segment in segments:
        if segment.field == "":
            _append_text(draft, segment.text, line)
        elif segment.field == "summary":
            if segment.text:
                draft.summary_lead.append((line, segment.text, False))
        elif segment.field == "action":
            _set_action(draft, segment.text, line)
        else:
            _start_field(draft, segment.field, segment.text, line)


def _append_text(draft: HeaderDraft, text: str, line: int) -> None:
    if not text:
        return
    if draft.current not in draft.parts:
        draft.note(
            "unreadable_row", f"text after the {draft.current} that continues no field", line, value=text
        )
        return
    procedure = draft.joined("procedure")
    repeats_end = procedure == text or procedure.endswith(f" {text}")
    if draft.current == "procedure" and _COMPLETE_PROCEDURE.fullmatch(procedure) and repeats_end:
        draft.note(
            "repaired_value",
            "a repeated fragment of the selection procedure was dropped",
            line,
            column="selection_procedure",
            value=f"{procedure} | {text}",
            repaired=procedure,
            rule="duplicate_fragment_dropped",
        )
        return
    draft.parts[draft.current].append(text)


def _start_field(draft: HeaderDraft, name: str, text: str, line: int) -> None:
    """A label opens its field; the same label printed again with the same value is dropped."""
    previous = draft.joined(name)
    draft.current = name
    if not previous:
        if text:
            draft.parts[name].append(text)
        return
    column = _FIELD_COLUMN[name]
    if clean_cell_text(text) in ("", previous):
        draft.note(
            "repaired_value",
            f"the {column} label was printed twice; one kept",
            line,
            column=column,
            value=f"{previous} | {text}",
            repaired=previous,
            rule="duplicate_label_dropped",
        )
    else:
        draft.note("unreadable_row", f"a second, different {column} for the same row", line, value=text)
        draft.current = "conflicting label"  # what follows it joins no field


def _set_action(draft: HeaderDraft, code: str, line: int) -> None:
    draft.current = "action code"
    if draft.action_code and draft.action_code != code:
        draft.note("unreadable_row", "a second, different action code for the same row", line, value=code)
    elif not draft.action_code:
        draft.action_code = code


# --- amounts --------------------------------------------------------------------------------------


def _parses(text: str) -> bool:
    try:
        return parse_amount(text) is not None
    except AmountError:
        return False


def join_fragments(first: str, second: str) -> tuple[str, str] | None:
    """The amount two cells print together, and the rule used; None when they are not one amount.

    Plain concatenation first (``167.749,0`` + ``6€``). When that does not parse and the cut
    printed the boundary glyph on both sides (``155.0`` + ``000€`` for ``155.000€``), the glyph is
    kept once. Either result must parse and carry the currency sign.
    """
    joined = first + second
    if _parses(joined) and _CURRENCY.search(joined):
        return joined, "split_amount_joined"
    if first and second and first[-1] == second[0]:
        joined = first + second[1:]
        if _parses(joined) and _CURRENCY.search(joined):
            return joined, "split_amount_joined_duplicate_glyph_dropped"
    return None


@dataclass(frozen=True)
class AmountCell:
    """An amount cell's text; ``fragments`` and ``rule`` say how it was joined from two cells."""

    text: str
    fragments: tuple[str, ...] = ()
    rule: str = ""


def join_split_amounts(cells: Sequence[str]) -> list[AmountCell]:
    """Join an amount cut over two cells: a cell without the currency sign, then one with it.

    Only where the line's other amounts carry the sign, so a missing sign marks a fragment.
    """
    if not any(_CURRENCY.search(cell) for cell in cells):
        return [AmountCell(cell) for cell in cells]
    joined: list[AmountCell] = []
    index = 0
    while index < len(cells):
        cell = cells[index]
        following = cells[index + 1] if index + 1 < len(cells) else ""
        result = None
        if cell and following and not _CURRENCY.search(cell) and _CURRENCY.search(following):
            result = join_fragments(cell, following)
        if result is None:
            joined.append(AmountCell(cell))
            index += 1
        else:
            joined.append(AmountCell(result[0], (cell, following), result[1]))
            index += 2
    return joined


def _required_column_levels(settings: AmifTextSettings, columns: Sequence[str]) -> list[frozenset[int]]:
    """Positions a placement must fill, strictest first; relaxed when a row cannot meet them."""
    required = ["eu_share", "total_cost"]
    levels = [required, []]
    if settings.national_share_always_printed:
        levels.insert(0, [*required, "national_share"])
    return [frozenset(columns.index(name) for name in level if name in columns) for level in levels]


def amount_placements(
    cells: Sequence[str], settings: AmifTextSettings, columns: Sequence[str] = AMOUNT_COLUMNS
) -> list[tuple[int, ...]]:
    """Every order-keeping way to put the cells into the amount columns, earliest first.

    ``columns`` are the amount columns as the header row prints them. Cells in place (as many as
    columns) have one placement. Collapsed cells have several; the ones that leave a required
    column (EU share, national share, total) empty are ruled out.
    """
    filled = [index for index, cell in enumerate(cells) if cell]
    placements = list(combinations(range(len(columns)), len(cells)))
    for required in _required_column_levels(settings, columns):
        valid = [p for p in placements if required <= {p[index] for index in filled}]
        if valid:
            return valid
    return placements


def place_amounts(
    draft: HeaderDraft,
    cells: list[AmountCell],
    line: int,
    settings: AmifTextSettings,
    columns: Sequence[str] = AMOUNT_COLUMNS,
) -> None:
    """Put the amount cells in their columns; an amount with several possible columns is flagged."""
    if len(cells) > len(columns):
        cells = [cell for cell in cells if cell.text]
    if len(cells) > len(columns):
        for extra in cells[len(columns) - 1 : -1]:
            draft.note("unreadable_row", "more amounts than amount columns", line, value=extra.text)
        cells = [*cells[: len(columns) - 1], cells[-1]]
    placements = amount_placements([cell.text for cell in cells], settings, columns)
    for index, cell in enumerate(cells):
        if cell.text:
            candidates = [columns[column] for column in sorted({p[index] for p in placements})]
            _place_amount(draft, cell, columns[placements[0][index]], candidates, line)


def _place_amount(
    draft: HeaderDraft, cell: AmountCell, column: str, candidates: list[str], line: int
) -> None:
    """The cell goes to its column in the earliest placement (table order); repairs and doubts are said."""
    draft.amounts[column] = cell.text
    if cell.fragments:
        draft.note(
            "repaired_value",
            "an amount split over two cells was joined",
            line,
            column=column,
            value=" | ".join(cell.fragments),
            repaired=cell.text,
            rule=cell.rule,
        )
    if len(candidates) > 1:
        draft.note(
            "ambiguous_column",
            f"empty cells were collapsed: {cell.text} could be {' or '.join(candidates)}; read as {column}",
            line,
            column=column,
            value=cell.text,
            extra=(("candidates", ",".join(candidates)),),
        )


# --- one row's summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str


def summary_paragraphs(body: Sequence[tuple[int, str, bool]]) -> list[Paragraph]:
    """One paragraph per source line, cleaned; a paragraph cut mid-sentence is joined back.

    Each body entry is (line number, text, whether a page break was dropped before it).
    """
    paragraphs: list[tuple[int, list[str]]] = []
    for number, raw, after_break in body:
        text = clean_cell_text(raw)
        if not text:
            continue
        previous = clean_cell_text("\n".join(paragraphs[-1][1])) if paragraphs else ""
        if previous and (_continues(previous, text) or (after_break and _cut_by_break(previous, text))):
            paragraphs[-1][1].append(raw)
        else:
            paragraphs.append((number, [raw]))
    return [Paragraph(number, clean_cell_text("\n".join(raws))) for number, raws in paragraphs]


def _cut_by_break(previous: str, text: str) -> bool:
    """A page break fell inside the paragraph: it ends mid-sentence and no bullet opens the next line."""
    return not _SENTENCE_END.search(previous) and not _BULLET_START.match(text)


def _continues(previous: str, text: str) -> bool:
    return bool(_UNFINISHED_END.search(previous)) and text[0].isalpha() and text[0].islower()


def title_from_summary(paragraphs: Sequence[Paragraph]) -> Paragraph | None:
    """The first « » quote of the summary (the project's own name), with the line it is on."""
    for paragraph in paragraphs:
        match = _QUOTED_TITLE.search(paragraph.text)
        if match:
            return Paragraph(paragraph.line, collapse_spaces(match.group(1)))
    return None


def _content_words(text: str, settings: AmifTextSettings) -> set[str]:
    return set(re.findall(rf"[^\W\d_]{{{settings.summary_word_min_length},}}", text.casefold()))


def duplicate_summary_findings(
    paragraphs: Sequence[Paragraph], source: str, settings: AmifTextSettings
) -> list[Finding]:
    """A paragraph that says again, mostly in the same words, what the summary already said."""
    findings = []
    earlier: set[str] = set()
    for index, paragraph in enumerate(paragraphs):
        words = _content_words(paragraph.text, settings)
        if index and len(words) >= settings.duplicate_summary_min_words:
            overlap = len(words & earlier) / len(words)
            if overlap >= settings.duplicate_summary_min_overlap:
                findings.append(
                    Finding(
                        "duplicate_summary",
                        f"the summary is printed a second time ({overlap:.0%} of its words already used)",
                        SourceLocation(source, line=paragraph.line),
                        column="summary",
                        value=paragraph.text[:_FINDING_VALUE_MAX_CHARS],
                    )
                )
        earlier |= words
    return findings


# --- rows -----------------------------------------------------------------------------------------


def read_row(
    block: RowBlock, source: str, settings: AmifTextSettings, labels: AmifLabels | None = None
) -> AmifRow:
    draft = read_header(block.header, source, settings, labels, block.amount_columns)
    paragraphs = summary_paragraphs([*draft.summary_lead, *block.body])
    findings = list(draft.findings)
    title = draft.joined("title")
    if not title:
        quoted = title_from_summary(paragraphs)
        if quoted is not None:
            title = quoted.text
            findings.append(
                Finding(
                    "title_from_summary",
                    f"the title cell is empty; title taken from the summary's quote on line {quoted.line}",
                    SourceLocation(source, line=block.start_line),
                    column="title",
                    repaired=title,
                    context=f"line {quoted.line}",
                )
            )
    findings += duplicate_summary_findings(paragraphs, source, settings)
    number, label = block.section if block.section is not None else (0, "")
    if block.section is None:
        findings.append(
            Finding(
                "unreadable_row",
                "row printed before any specific-objective line: its objective is unknown",
                SourceLocation(source, line=block.start_line),
                column="specific_objective",
            )
        )
    row = AmifRow(
        specific_objective=number,
        specific_objective_label=label,
        title=title,
        carrier_raw=draft.joined("carrier"),
        procedure_raw=draft.joined("procedure"),
        action_code=draft.action_code,
        period_raw=collapse_spaces(" ".join(draft.period)),
        amounts_raw=draft.amounts,
        summary="\n".join(paragraph.text for paragraph in paragraphs),
        location=SourceLocation(source, line=block.start_line),
    )
    row.findings = sorted([*findings, *structure_findings(row)], key=Finding.sort_key)
    return row


def structure_findings(row: AmifRow) -> list[Finding]:
    """What makes a row one that cannot be vouched for as a project, said as errors.

    A row without a title names no project. A selection procedure reads as a dated call or a
    direct award; other text there is a label or a field the reading did not recognise. (A row
    with no period is an error of every build already: the ``period_invalid`` rule.)
    """
    found = []
    if not row.title:
        found.append(Finding("unreadable_row", "a project row without a title", row.location, column="title"))
    if row.procedure_raw and not _COMPLETE_PROCEDURE.fullmatch(row.procedure_raw):
        found.append(
            Finding(
                "unreadable_row",
                "the selection procedure reads as neither a dated call nor a direct award",
                row.location,
                column="selection_procedure",
                value=row.procedure_raw,
            )
        )
    return found


def check_total_rows(
    rows: list[AmifRow], source: str, labels: AmifLabels
) -> tuple[list[AmifRow], list[Finding]]:
    """Total rows are left out of the projects; each is checked against the rows it sums.

    A total sums the projects printed since the section began or since the previous total. A
    total that does not add up says a row was lost or misread: an error (``total_mismatch``).
    """
    projects: list[AmifRow] = []
    findings: list[Finding] = []
    since_total: list[AmifRow] = []
    section: int | None = None
    for row in rows:
        if row.specific_objective != section:
            section, since_total = row.specific_objective, []
        if not is_total_row(row.title, labels):
            projects.append(row)
            since_total.append(row)
            continue
        findings += _total_findings(row, since_total, source)
        since_total = []
    return projects, findings


def _total_findings(total: AmifRow, summed: Sequence[AmifRow], source: str) -> list[Finding]:
    findings = [
        Finding(
            "repaired_value",
            f"a total row ({total.title!r}) left out of the projects",
            total.location,
            value=total.title,
            repaired="",
            rule="total_row_left_out",
        )
    ]
    for column in AMOUNT_COLUMNS:
        printed = _amount_or_none(total.amounts_raw.get(column, ""))
        if printed is None:
            continue
        values = [_amount_or_none(row.amounts_raw.get(column, "")) for row in summed]
        added = sum((value for value in values if value is not None), Decimal(0))
        if added != printed:
            findings.append(
                Finding(
                    "total_mismatch",
                    f"the printed total {printed} of {column} is not the sum {added} of the "
                    f"{len(summed)} rows above it",
                    total.location,
                    column=column,
                    value=total.amounts_raw[column],
                )
            )
    return findings


def _amount_or_none(text: str) -> Decimal | None:
    try:
        return parse_amount(text)
    except AmountError:
        return None


def extract_amif_text_lines(
    lines: list[str],
    source_name: str,
    settings: AmifTextSettings = DEFAULT_SETTINGS,
    profile: Profile | None = None,
) -> AmifExtraction:
    """Read the AMIF list from its lines; never raises on content (problems become findings)."""
    labels = amif_labels(profile)
    kept, findings = drop_page_furniture(read_lines(lines), labels, source_name)
    blocks, grouping_findings = group_rows(kept, source_name, labels)
    rows = [read_row(block, source_name, settings, labels) for block in blocks]
    rows, total_findings = check_total_rows(rows, source_name, labels)
    findings = sorted([*findings, *grouping_findings, *total_findings], key=Finding.sort_key)
    return AmifExtraction(source_file=source_name, rows=rows, findings=findings)


def looks_like_amif_text(text: str, profile: Profile | None = None) -> bool:
    """The AMIF list's labels are there: a specific-objective heading, an EU or national share
    column, a period column and a carrier or procedure label, in any of the profile's spellings.

    A next edition may re-word one of them beyond the profile: with at least three of the four and
    rows printed with a date and an amount (structure, not wording), the list is still recognised,
    so that its reading names the unknown label instead of the file being refused as unknown.
    """
    labels = amif_labels(profile)
    folded = fold_chars(text)
    lines = folded.splitlines()
    section = any(labels.section.match(line) for line in lines)
    columns = {str(match.lastgroup) for match in labels.columns.finditer(folded)}
    row_labels = {str(match.lastgroup) for match in labels.fields.finditer(folded)}
    signals = [
        section,
        bool(columns & {"eu_share", "national_share"}),
        "period" in columns,
        bool(row_labels & {"carrier", "procedure"}),
    ]
    if all(signals):
        return True
    rows = sum(1 for line in lines if _DETECTION_DATE.search(line) and _DETECTION_AMOUNT.search(line))
    return sum(signals) >= 3 and rows >= DETECTION_MIN_ROWS


# Detection's structural sign: lines printing a date and an amount, as project rows do.
DETECTION_MIN_ROWS = 3
_DETECTION_DATE = re.compile(r"\b(?:\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{4}-\d{2}-\d{2})\b")
_DETECTION_AMOUNT = re.compile(r"€|\beur\b|\d[\d .,']*[.,]\d{2}\b")


def extract_amif_text(
    path: Path,
    source_name: str | None = None,
    settings: AmifTextSettings = DEFAULT_SETTINGS,
    profile: Profile | None = None,
) -> AmifExtraction:
    """Read the AMIF list's text extraction; `InputError` when the file is not that list."""
    document = read_text_document(path, source_name)
    if not looks_like_amif_text(document.text, profile):
        raise InputError(path, "not the AMIF project list (its table labels are missing)")
    extraction = extract_amif_text_lines(document.lines, document.source_name, settings, profile)
    extraction.findings[:0] = document.findings
    return extraction
