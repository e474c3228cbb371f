"""The AMIF project list as a PDF table: words and horizontal rules to `AmifRow` records.

The table is read from word positions, not from ruling lines, so a later edition laid out
differently (portrait pages, horizontal rules only or none, zebra shading, re-ordered or reworded
headers, another font, amounts wrapping in narrow cells) reads the same. Every label comes from the
``amif_table`` profile (`amif_extract.profiles`); rows and summaries are told apart by structure
first. The chain, each step a plain function:

1. ``read_page_layout`` — one page reduced to picklable data: its words and horizontal rules
   (``PageLayout``). Pages are independent, so this step can run in parallel.
2. ``find_header`` — the header row, found by the profile's column labels (matched loosely, over
   wrapped lines); a page without one goes on in the columns of the page before.
3. ``drop_page_furniture`` — running headers and footers (lines recurring at the same place,
   digits aside) and page numbers (``- 10 -``, ``Page 3 / 9``, ``3/48``, ``12``) set apart at the
   top and bottom of a page.
4. ``split_page_into_bands`` — the body cut into bands at the horizontal rules, at the lines that
   open a section or a summary, and where rows meet without a rule (a wider gap than between the
   lines of a cell; running text under cells, cells under running text).
5. ``column_grid`` — column boundaries placed in the empty vertical gaps between the words of the
   header labels and of the project rows, one boundary between each pair of adjacent labels.
6. ``classify_band`` — each band is a section row, a project row (figures in its period or amount
   columns, or at least a carrier), a summary (text under a project with neither), the
   continuation of the previous page's row or summary, or unreadable (an error finding).
7. ``assemble_amif_rows`` — project rows and their summaries stitched across pages and parsed
   into the cells the text extractor also produces; what the profile cannot vouch for (a header,
   item or summary label it does not know, a row without a title) is an error finding.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from amif_extract.errors import InputError
from amif_extract.findings import Finding, SourceLocation
from amif_extract.pagetext import PageLine, lines_from_words
from amif_extract.pdf_engine import PdfReader, open_pdf
from amif_extract.pdf_text import PdfPage, PdfRule, Word, steady_round, words_from_chars
from amif_extract.profiles import Profile, fold_label, load_profile
from amif_extract.records import AMOUNT_COLUMNS, AmifExtraction, AmifRow
from amif_extract.textclean import clean_cell_text, collapse_spaces

BBox = tuple[float, float, float, float]

TITLE = "title"
PERIOD = "period"
COLUMN_KEYS: tuple[str, ...] = (TITLE, PERIOD, *AMOUNT_COLUMNS)

# Column header labels come from the profile's labels of the same names as the columns (the title's
# is "project", as the list's header prints it), as sets of significant tokens (accents, case,
# punctuation and the filler words in ``_FILLER_TOKENS`` removed). A header cell names a column when
# it holds every token of one spelling.
COLUMN_LABELS: dict[str, str] = {TITLE: "project", PERIOD: "period", **{key: key for key in AMOUNT_COLUMNS}}
# A label is looked for among the first characters of a line only.
_LABEL_HEAD_CHARS = 80
# What `Profile.split_label` strips between a label and its value.
_LABEL_EDGES = " \t:;.-–—*•·"
_FILLER_TOKENS = frozenset(
    {"de", "du", "des", "la", "le", "l", "d", "en", "eur", "euro", "euros", "of", "the"}
)
# What follows a section label: "1", "n° 2", "No. 3", then the objective's name.
_SECTION_NUMBER = re.compile(r"^(?:n\s*[°o]\.?\s*)?(\d+)\b(.*)$", re.IGNORECASE | re.DOTALL)
_SECTION_NAME_EDGES = " :;-–—\"'«»“”"
# A bullet glyph of a standard PDF font without a Unicode mapping reads as "(cid:127)".
_UNMAPPED_BULLET = "(cid:127)"
# Leading dashes and bullets.
_BULLET = re.compile(r"^(?:\(cid:\d+\)|[\s\-–—•·*▪])*")
_BULLET_GLYPHS = frozenset("•·*▪(")  # "(" of an unmapped "(cid:127)"
# "Label : value": one to three words, the first capitalised, then a colon.
_LABEL_AND_VALUE = re.compile(r"^([A-ZÀ-Þ][\w'’-]*(?:\s+[\w'’-]+){0,2})\s*:(?:\s|$)")
_ACTION_CODE = re.compile(r"^([A-Za-z])\s*\.?\s*(\d+)")
ROW_ITEM_FIELDS = ("carrier", "procedure", "action")
_ALNUM = re.compile(r"\w")
_DIGIT = re.compile(r"\d")
# How a paragraph ends: a full stop, colon, semicolon, closing quote or bracket...
_SENTENCE_END = re.compile(r"[.!?:;»”\")…]\s*$")
# A list item's marker at the start of a line: printed structure, not a guess from line lengths.
_ITEM_START = re.compile(r"^[-–•▪●]\s")
# A date as periods print it (01/01/2023, 01.01.2023, 2023-01-01): two of them make a whole period.
_DATE = re.compile(r"\b(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})\b")
# Page numbers as printed alone on a line: "- 10 -", "Page 3 / 9", "p. 3", "3/48", "3 sur 9", "12".
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|(?:page|p\.|seite)?\s*\d{1,4}(?:\s*(?:/|sur|of|von|de)\s*\d{1,4})?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AmifLabels:
    """The labels the reader looks for, all from the ``amif_table`` profile."""

    profile: Profile
    header_synonyms: dict[str, tuple[frozenset[str], ...]]
    folded: dict[str, tuple[str, ...]]  # field → its spellings folded, for a quick first look

    def split_label(self, text: str, names: Sequence[str]) -> tuple[str, str] | None:
        """(field, rest) when `text` starts with a label of one of `names`, as `Profile.split_label`
        reads it, but folding only for the spellings the folded start of the line already shows:
        most lines start with no label, and folding every prefix for every spelling is slow."""
        head = fold_label(text[:_LABEL_HEAD_CHARS])
        best: tuple[int, str] | None = None
        for name in names:
            for spelling in self.folded[name]:
                length = _label_length(text, spelling) if head.startswith(spelling) else 0
                if length and (best is None or length > best[0]):
                    best = (length, name)
        if best is None:
            return None
        length, name = best
        return name, text[length:].lstrip(_LABEL_EDGES)


def _label_length(text: str, folded_spelling: str) -> int:
    """How many characters of `text` the label covers (0: none), ending at a word boundary, as
    `Profile.split_label` decides it."""
    for end in range(len(folded_spelling), min(len(text), len(folded_spelling) * 2 + 8) + 1):
        if fold_label(text[:end]) == folded_spelling:
            following = text[end : end + 1]
            if following and (following.isalnum() or following in "'’("):
                continue
            return end
    return 0


@functools.lru_cache(maxsize=1)
def default_amif_profile() -> Profile:
    return load_profile("amif_table")


def amif_labels(profile: Profile | None = None) -> AmifLabels:
    """Labels of the packaged profile, or of `profile` (a dataset's own)."""
    profile = profile or default_amif_profile()
    synonyms = {
        key: tuple(label_tokens(spelling) for spelling in profile.spellings(COLUMN_LABELS[key]))
        for key in COLUMN_KEYS
    }
    folded = {name: tuple(fold_label(s) for s in spellings) for name, spellings in profile.labels.items()}
    return AmifLabels(profile, synonyms, folded)


RowKind = Literal["section", "summary", "project", "project_continued", "summary_continued", "unreadable"]


@dataclass(frozen=True)
class PdfTableSettings:
    """Every tolerance of the PDF table reader, in PDF points unless said otherwise.

    "em" settings are multiples of the font size of the words concerned, so they hold for any font
    size. Defaults suit published tables set in 7-12 pt type with a few points of cell padding.
    """

    # A horizontal gap between two chars wider than this starts a new word (pdfplumber's rule).
    x_tolerance: float = 3.0
    # Chars whose tops differ by at most this are on one line when words are built (pdfplumber's rule).
    y_tolerance: float = 3.0
    # Words whose tops differ by at most this share a visual line of a cell or of the page.
    line_tolerance: float = 2.0
    # Inside one cell, words on a line are at most this far apart (em); wider gaps separate cells.
    word_gap_within_cell: float = 0.6
    # A header label wraps over at most this many lines.
    header_max_lines: int = 5
    # Two header lines belong to one header when the second starts at most this far (em) below the first.
    header_line_pitch: float = 1.8
    # Columns that must be recognised for a header (title and total among them).
    min_header_columns: int = 5
    # How many leading pages ``looks_like_amif_pdf`` searches for the header.
    header_search_pages: int = 3
    # A horizontal rule separates rows when at least this share of the widest rule's width long
    # (shorter ones are underlines of links or of single cells).
    rule_min_width_ratio: float = 0.5
    # Rules (or rectangle edges) closer than this are one row boundary.
    rule_merge_tolerance: float = 1.5
    # The narrowest empty vertical strip accepted as a column boundary.
    min_column_gap: float = 1.0
    # Headers of two pages have the same columns when their label centres differ by at most this.
    header_match_tolerance: float = 3.0
    # A summary line starts a paragraph when its distance to the previous line exceeds the usual
    # line pitch by more than this.
    paragraph_extra_gap: float = 0.5
    # ... or when the next line's first word would have fitted at the end of the previous line,
    # with this much room to spare (the line was ended on purpose, not wrapped).
    paragraph_fit_margin: float = 2.0
    # Width of a space when a line has too few words to measure it (em).
    space_width: float = 0.28
    # Rows meet where the empty space between two lines is wider than this (em): cell padding,
    # where the lines of one cell are set closer. Cuts rows apart on pages without rules.
    row_gap: float = 0.5
    # A run of words at least this share of the table's width is running text (a summary), not a cell.
    prose_min_width: float = 0.6
    # A line at the top or bottom of a page is a running header or footer when its text (digits
    # aside) stands at the same place on at least this share of the pages (and on two at least).
    furniture_min_share: float = 0.5
    # A running line or page number is page furniture when at least this far (em) from the text next to it.
    furniture_gap: float = 0.8

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"PdfTableSettings.{setting.name} must be a number, not {value!r}")
            if value < 0:
                raise ValueError(f"PdfTableSettings.{setting.name} must not be negative (got {value})")
        for name in ("header_max_lines", "min_header_columns", "header_search_pages"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"PdfTableSettings.{name} must be a whole number >= 1 (got {value!r})")
        if self.min_header_columns > len(COLUMN_KEYS):
            raise ValueError(
                f"PdfTableSettings.min_header_columns must be at most {len(COLUMN_KEYS)} "
                f"(got {self.min_header_columns})"
            )
        for name in ("prose_min_width", "furniture_min_share"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"PdfTableSettings.{name} must be in (0, 1] (got {getattr(self, name)})")
        if not 0 < self.rule_min_width_ratio <= 1:
            raise ValueError(
                f"PdfTableSettings.rule_min_width_ratio must be in (0, 1] (got {self.rule_min_width_ratio})"
            )
        for name in ("x_tolerance", "y_tolerance", "line_tolerance", "word_gap_within_cell", "space_width"):
            if getattr(self, name) == 0:
                raise ValueError(f"PdfTableSettings.{name} must be greater than 0")


# --- Step 1: one page as plain data -----------------------------------------------------------


# A word and a horizontal rule as both PDF engines give them (`pdf_text`).
PageWord = Word
PageRule = PdfRule


@dataclass(frozen=True, slots=True)
class PageLayout:
    """What row assembly needs of one page: picklable, the same whichever PDF engine read it."""

    page_number: int
    width: float
    height: float
    words: tuple[PageWord, ...]
    rules: tuple[PageRule, ...]


def page_layout_from_page(page: PdfPage, settings: PdfTableSettings) -> PageLayout:
    """Reduce a page, as either PDF engine reads it, to its words and horizontal rules."""
    # A long PDF's words are all held until its rows are assembled: words on one line share their
    # top, bottom and font size, and short words recur, so equal values share one object per page.
    shared: dict[str | float, Any] = {}
    words = tuple(
        PageWord(
            shared.setdefault(text := unicodedata.normalize("NFC", word.text), text),
            word.x0,
            word.x1,
            shared.setdefault(word.top, word.top),
            shared.setdefault(word.bottom, word.bottom),
            shared.setdefault(word.size, word.size),
        )
        for word in words_from_chars(page.chars, settings.x_tolerance, settings.y_tolerance)
        if word.text.strip()
    )
    return PageLayout(page.number, page.width, page.height, words, page.rules)


def _read_layouts(
    reader: PdfReader, page_numbers: Sequence[int] | None, settings: PdfTableSettings
) -> Iterator[PageLayout]:
    """Each wanted page's layout, one page parsed at a time (its characters dropped straight after)."""
    wanted = range(1, reader.page_count + 1) if page_numbers is None else page_numbers
    for number in wanted:
        yield page_layout_from_page(reader.page(number), settings)


def read_page_layout(
    pdf_path: Path, page_number: int, settings: PdfTableSettings | None = None
) -> PageLayout:
    """One page (1-based) of a PDF as a `PageLayout`; opens and closes the file (for worker processes)."""
    settings = settings or PdfTableSettings()
    with open_pdf(pdf_path) as reader:
        return next(_read_layouts(reader, [page_number], settings))


def read_page_layouts(
    pdf_path: Path, first: int, last: int, settings: PdfTableSettings | None = None
) -> list[PageLayout]:
    """Pages ``first``..``last`` (1-based, inclusive) as layouts, read one page at a time.

    Opens and closes the file itself, so a worker process can read its range of a long PDF alone.
    """
    settings = settings or PdfTableSettings()
    with open_pdf(pdf_path) as reader:
        return list(_read_layouts(reader, range(first, last + 1), settings))


def pdf_page_count(path: Path) -> int:
    with open_pdf(path) as reader:
        return reader.page_count


# --- Lines and tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """Words on one visual line, left to right. Its measures are computed once: bands, cuts and
    classification ask for them again and again."""

    words: tuple[PageWord, ...]

    @functools.cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @functools.cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @functools.cached_property
    def baseline(self) -> float:
        return statistics.median(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @functools.cached_property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @functools.cached_property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @functools.cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @functools.cached_property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def group_into_lines(words: Sequence[PageWord], tolerance: float) -> list[TextLine]:
    """Group words into visual lines: a word joins a line whose first word's top is within tolerance."""
    lines: list[list[PageWord]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(word.top - lines[-1][0].top) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [TextLine(tuple(sorted(line, key=lambda w: w.x0))) for line in lines]


def split_line_into_runs(line: TextLine, gap_em: float) -> list[TextLine]:
    """Runs of words closer than ``gap_em`` times the font size: the parts of a line in one cell."""
    runs: list[list[PageWord]] = [[line.words[0]]]
    for word in line.words[1:]:
        previous = runs[-1][-1]
        if word.x0 - previous.x1 > gap_em * max(word.size, previous.size):
            runs.append([word])
        else:
            runs[-1].append(word)
    return [TextLine(tuple(run)) for run in runs]


def label_tokens(text: str, joined_pairs: bool = False) -> frozenset[str]:
    """Significant tokens of a label: no accents, case, punctuation, currency or filler words.

    With `joined_pairs`, two neighbouring tokens also count joined, for a printed header whose
    narrow cell broke a word in two ("Contributi" / "on nationale").
    """
    plain = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    tokens = re.sub(r"[^a-z0-9]+", " ", plain).split()
    joined = {a + b for a, b in itertools.pairwise(tokens)} if joined_pairs else set()
    return frozenset(tokens) - _FILLER_TOKENS | joined


def section_of(text: str, labels: AmifLabels) -> tuple[int, str] | None:
    """(number, name) when `text` opens with a section label and a number, else None."""
    split = labels.split_label(collapse_spaces(text), ["section"])
    if split is None:
        return None
    match = _SECTION_NUMBER.match(split[1])
    if match is None:
        return None
    return int(match.group(1)), clean_cell_text(match.group(2)).strip(_SECTION_NAME_EDGES).strip()


def summary_label_length(text: str, labels: AmifLabels) -> int:
    """How many characters of `text` a summary label opening it covers (0: none).

    The label must end in a colon or stand alone, so prose that starts with "Description des
    besoins" is not taken for a label.
    """
    split = labels.split_label(text, ["summary"])
    if split is None:
        return 0
    consumed = len(text) - len(split[1])
    return consumed if ":" in text[:consumed] or not split[1].strip() else 0


def row_item(line: str, labels: AmifLabels) -> tuple[str, str] | None:
    """(field, value) when a line of the project cell opens a carrier, procedure or action item.

    Without a bullet before it the label must end in a colon: a title may begin with the word
    "Bénéficiaires". An action item is its code ("Action A.3 (OS1)" → "A.3").
    """
    bullet = _BULLET.match(line)
    text = line[bullet.end() :] if bullet else line
    split = labels.split_label(text, ROW_ITEM_FIELDS)
    if split is None:
        return None
    name, rest = split
    if name == "action":
        code = _ACTION_CODE.match(rest)
        return ("action", f"{code.group(1).upper()}.{code.group(2)}") if code else None
    if (bullet is None or not bullet.group().strip()) and ":" not in text[: len(text) - len(rest)]:
        return None
    return name, rest.strip()


# --- Step 2: the header row ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderColumn:
    key: str
    label: str
    x0: float
    x1: float
    words: tuple[PageWord, ...]

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Header:
    columns: tuple[HeaderColumn, ...]  # left to right
    top: float
    bottom: float
    # Header labels that name no column the profile knows: a column the table has and cannot read.
    unknown_labels: tuple[str, ...] = ()


def match_header_label(text: str, labels: AmifLabels | None = None) -> str | None:
    """The column a header label names, or None; the most specific synonym wins."""
    labels = labels or amif_labels()
    tokens = label_tokens(text, joined_pairs=True)
    best: tuple[int, str] | None = None
    tie = False
    for key, synonyms in labels.header_synonyms.items():
        sizes = [len(s) for s in synonyms if s <= tokens]
        if not sizes:
            continue
        size = max(sizes)
        if best is None or size > best[0]:
            best, tie = (size, key), False
        elif size == best[0]:
            tie = True
    return None if best is None or tie else best[1]


def _label_clusters(lines: Sequence[TextLine], settings: PdfTableSettings) -> list[list[PageWord]]:
    """Header labels: runs of close words, merged across lines where their x ranges overlap."""
    clusters: list[list[PageWord]] = []
    for line in lines:
        for run in split_line_into_runs(line, settings.word_gap_within_cell):
            overlapping = [
                c for c in clusters if run.x0 <= max(w.x1 for w in c) and min(w.x0 for w in c) <= run.x1
            ]
            merged = [w for c in overlapping for w in c] + list(run.words)
            clusters = [c for c in clusters if c not in overlapping] + [merged]
    return clusters


def _header_from_lines(
    lines: Sequence[TextLine], settings: PdfTableSettings, labels: AmifLabels
) -> Header | None:
    columns: dict[str, HeaderColumn] = {}
    unknown: list[tuple[float, str]] = []
    for cluster in _label_clusters(lines, settings):
        ordered = sorted(cluster, key=lambda w: (steady_round(w.top), w.x0))
        label = " ".join(w.text for w in ordered)
        key = match_header_label(label, labels)
        if key is None and label_tokens(label):
            unknown.append((min(w.top for w in cluster), label))
        if key is None or key in columns:
            continue
        x0, x1 = min(w.x0 for w in cluster), max(w.x1 for w in cluster)
        columns[key] = HeaderColumn(key, label, x0, x1, tuple(ordered))
    if TITLE not in columns or "total_cost" not in columns or len(columns) < settings.min_header_columns:
        return None
    ordered_columns = tuple(sorted(columns.values(), key=lambda c: c.center))
    top, bottom = min(line.top for line in lines), max(line.bottom for line in lines)
    # Text above the highest label is a caption ("Tableau :"), not a column's label.
    labels_top = min(w.top for column in ordered_columns for w in column.words) - settings.line_tolerance
    return Header(ordered_columns, top, bottom, tuple(label for y, label in unknown if y >= labels_top))


def find_header(
    page: PageLayout,
    settings: PdfTableSettings,
    lines: Sequence[TextLine] | None = None,
    labels: AmifLabels | None = None,
) -> Header | None:
    """The table's header row on this page: the first lines whose labels name enough columns."""
    labels = labels or amif_labels()
    lines = list(lines) if lines is not None else group_into_lines(page.words, settings.line_tolerance)
    rule_ys = [rule.top for rule in page.rules]
    for start, first in enumerate(lines):
        best: Header | None = None
        band = [first]
        for following in lines[start + 1 : start + settings.header_max_lines]:
            previous = band[-1]
            ruled_between = any(previous.bottom < y < following.top for y in rule_ys)
            if ruled_between or following.top - previous.top > settings.header_line_pitch * previous.size:
                break
            band.append(following)
        for count in range(1, len(band) + 1):
            header = _header_from_lines(band[:count], settings, labels)
            if header and (best is None or len(header.columns) > len(best.columns)):
                best = header
        if best is not None:
            return best
    return None


def headers_match(first: Header, second: Header, tolerance: float) -> bool:
    if [c.key for c in first.columns] != [c.key for c in second.columns]:
        return False
    return all(
        abs(a.center - b.center) <= tolerance for a, b in zip(first.columns, second.columns, strict=True)
    )


# --- Step 3: page furniture ----------------------------------------------------------------------


def _furniture_key(line: TextLine) -> tuple[str, int]:
    """A line as it recurs from page to page: digits masked (page numbers, dates), position kept."""
    return _DIGIT.sub("#", collapse_spaces(line.text)).casefold(), int(steady_round(line.top / 3))


def repeated_lines(
    pages_lines: Sequence[Sequence[TextLine]], settings: PdfTableSettings
) -> set[tuple[str, int]]:
    """Keys of lines printed at the same place on enough pages to be running headers or footers."""
    counts: collections.Counter[tuple[str, int]] = collections.Counter()
    for lines in pages_lines:
        counts.update({_furniture_key(line) for line in lines})
    needed = max(2, settings.furniture_min_share * len(pages_lines))
    return {key for key, count in counts.items() if count >= needed}


def _is_furniture(
    line: TextLine, neighbour: TextLine | None, repeated: set[tuple[str, int]], settings: PdfTableSettings
) -> bool:
    """A running header or footer, or a page number alone on its line, set apart from the text
    next to it: a table line that happens to recur at the same place sits closer to its cell."""
    if _furniture_key(line) not in repeated and not _PAGE_NUMBER.match(collapse_spaces(line.text)):
        return False
    if neighbour is None:
        return True
    gap = line.top - neighbour.bottom if line.top > neighbour.top else neighbour.top - line.bottom
    return gap >= settings.furniture_gap * line.size


def drop_page_furniture(
    lines: Sequence[TextLine], repeated: set[tuple[str, int]], settings: PdfTableSettings
) -> list[TextLine]:
    """The page's lines without its running headers, footers and page numbers at the top and bottom."""
    kept = list(lines)
    while kept and _is_furniture(kept[0], kept[1] if len(kept) > 1 else None, repeated, settings):
        kept.pop(0)
    while kept and _is_furniture(kept[-1], kept[-2] if len(kept) > 1 else None, repeated, settings):
        kept.pop()
    return kept


# --- Step 4: bands between rules and gaps --------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """The lines between two row boundaries on one page."""

    page_number: int
    top: float
    bottom: float
    lines: tuple[TextLine, ...]
    at_page_top: bool

    @property
    def words(self) -> list[PageWord]:
        return [w for line in self.lines for w in line.words]

    @property
    def first_text(self) -> str:
        return self.lines[0].text if self.lines else ""


@dataclass(frozen=True)
class PageTable:
    """One page's part of the table: its header and body bands."""

    page_number: int
    header: Header
    bands: tuple[Band, ...]
    left: float
    right: float


def _row_boundaries(page: PageLayout, settings: PdfTableSettings) -> list[PageRule]:
    if not page.rules:
        return []
    widest = max(rule.x1 - rule.x0 for rule in page.rules)
    long_rules = sorted(
        (r for r in page.rules if r.x1 - r.x0 >= settings.rule_min_width_ratio * widest), key=lambda r: r.top
    )
    merged: list[PageRule] = []
    for rule in long_rules:
        if merged and rule.top - merged[-1].top <= settings.rule_merge_tolerance:
            last = merged[-1]
            merged[-1] = PageRule(last.top, min(last.x0, rule.x0), max(last.x1, rule.x1))
        else:
            merged.append(rule)
    return merged


def _is_repeated_header(band: Band, header: Header, settings: PdfTableSettings, labels: AmifLabels) -> bool:
    repeated = _header_from_lines(band.lines[: settings.header_max_lines], settings, labels)
    return repeated is not None and [c.key for c in repeated.columns] == [c.key for c in header.columns]


def is_prose_line(line: TextLine, table_width: float, settings: PdfTableSettings) -> bool:
    """A line of running text across the table (a summary), not cells side by side."""
    return any(
        run.x1 - run.x0 >= settings.prose_min_width * table_width
        for run in split_line_into_runs(line, settings.word_gap_within_cell)
    )


def is_cells_line(line: TextLine, table_width: float, settings: PdfTableSettings) -> bool:
    """A line with text in several cells side by side: part of a project row."""
    runs = split_line_into_runs(line, settings.word_gap_within_cell)
    return len(runs) > 1 and not is_prose_line(line, table_width, settings)


def _structural_cuts(
    body: Sequence[TextLine], rule_ys: Sequence[float], table_width: float, settings: PdfTableSettings
) -> set[float]:
    """Where rows meet without a rule: a wider gap than between the lines of a cell, or running
    text starting under cells (a summary under its row) and cells under running text."""
    cuts: set[float] = set()
    prose = [is_prose_line(line, table_width, settings) for line in body]
    cells = [is_cells_line(line, table_width, settings) for line in body]
    for index, (previous, line) in enumerate(itertools.pairwise(body), start=1):
        if any(previous.middle < y < line.middle for y in rule_ys):
            continue  # a rule already parts them
        size = max(previous.size, line.size)
        wide_gap = line.top - previous.bottom > settings.row_gap * size
        prose_after_cells = prose[index] and cells[index - 1]
        cells_after_prose = cells[index] and prose[index - 1]
        if wide_gap or prose_after_cells or cells_after_prose:
            cuts.add(line.top - 0.01)
    return cuts


def split_page_into_bands(
    page: PageLayout,
    header: Header,
    lines: Sequence[TextLine],
    settings: PdfTableSettings,
    labels: AmifLabels | None = None,
) -> PageTable:
    """Cut the body below the header at the row rules, at section and summary-label lines, and
    where the layout shows a row ending without a rule (`_structural_cuts`).

    A header row repeated lower on the page (some tools print it again where a table part resumes)
    is dropped like the one at the top.
    """
    labels = labels or amif_labels()
    boundaries = _row_boundaries(page, settings)
    body_top = header.bottom
    below_header = [r for r in boundaries if r.top > header.bottom - settings.rule_merge_tolerance]
    # The page furniture is gone: whatever text is left below the header belongs to the table,
    # also below its last rule (a row split by the page break may be left without one).
    body_bottom = page.height
    body = [line for line in lines if body_top < line.middle < body_bottom]
    if boundaries:
        left, right = min(r.x0 for r in boundaries), max(r.x1 for r in boundaries)
    else:
        all_words = [w for line in body for w in line.words] or list(header.columns[0].words)
        left, right = min(w.x0 for w in all_words), max(w.x1 for w in all_words)
    left, right = min(left, header.columns[0].x0), max(right, header.columns[-1].x1)
    opening = {line.top - 0.01 for line in body if _opens_band(line.text, labels)}
    cuts = sorted(
        {r.top for r in below_header}
        | opening
        | _structural_cuts(body, [r.top for r in below_header], right - left, settings)
    )
    bands: list[Band] = []
    edges = [body_top, *[c for c in cuts if body_top < c < body_bottom], body_bottom]
    for top, bottom in itertools.pairwise(edges):
        band_lines = tuple(line for line in body if top < line.middle <= bottom)
        if not band_lines:
            continue
        band = Band(page.page_number, top, bottom, band_lines, at_page_top=not bands)
        if not _is_repeated_header(band, header, settings, labels):
            bands.append(band)
    return PageTable(page.page_number, header, tuple(bands), left, right)


def _opens_band(text: str, labels: AmifLabels) -> bool:
    return section_of(text, labels) is not None or summary_label_length(text, labels) > 0


# --- Step 5: column boundaries ---------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnGrid:
    """Column keys left to right and the x positions between them."""

    keys: tuple[str, ...]
    boundaries: tuple[float, ...]  # len(keys) - 1
    left: float
    right: float

    def column_of(self, word: PageWord) -> str:
        middle = (word.x0 + word.x1) / 2
        for key, boundary in zip(self.keys, self.boundaries, strict=False):
            if middle < boundary:
                return key
        return self.keys[-1]

    def straddles(self, word: PageWord) -> bool:
        return any(word.x0 < b < word.x1 for b in self.boundaries)

    def x_range(self, key: str) -> tuple[float, float]:
        index = self.keys.index(key)
        edges = (self.left, *self.boundaries, self.right)
        return edges[index], edges[index + 1]


def _widest_gap(
    intervals: Sequence[tuple[float, float]], low: float, high: float, minimum: float
) -> tuple[float, float] | None:
    """The widest x range in (low, high) that no interval covers, or None."""
    cursor = low
    best: tuple[float, float] | None = None
    for x0, x1 in sorted(intervals):
        if x1 <= cursor:
            continue
        if x0 >= high:
            break
        if x0 > cursor and (best is None or x0 - cursor > best[1] - best[0]):
            best = (cursor, x0)
        cursor = max(cursor, x1)
    if cursor < high and (best is None or high - cursor > best[1] - best[0]):
        best = (cursor, high)
    return best if best is not None and best[1] - best[0] >= minimum else None


def column_grid(
    header: Header, cell_words: Sequence[PageWord], left: float, right: float, settings: PdfTableSettings
) -> ColumnGrid:
    """Boundaries in the widest empty strip between each pair of adjacent header labels.

    The strip is searched among the header's own words and the words of project rows, so a
    left-aligned title running far right of its centred label, or a right-aligned amount, stays in
    its column whatever the widths; vertical rules are not needed.
    """
    intervals = [(w.x0, w.x1) for c in header.columns for w in c.words]
    intervals += [(w.x0, w.x1) for w in cell_words]
    boundaries = []
    for first, second in zip(header.columns, header.columns[1:], strict=False):
        gap = _widest_gap(intervals, first.center, second.center, settings.min_column_gap)
        boundaries.append((gap[0] + gap[1]) / 2 if gap else (first.x1 + second.x0) / 2)
    return ColumnGrid(tuple(c.key for c in header.columns), tuple(boundaries), left, right)


# --- Step 6: what each band is -------------------------------------------------------------------


def is_full_width(band: Band, grid: ColumnGrid, settings: PdfTableSettings) -> bool:
    """Text running across column boundaries: a summary or section line, not cells of a row."""
    for line in band.lines:
        if any(grid.straddles(w) for w in line.words):
            return True
        for run in split_line_into_runs(line, settings.word_gap_within_cell):
            if len({grid.column_of(w) for w in run.words}) > 1:
                return True
    return False


def _has_row_items(band: Band, labels: AmifLabels) -> bool:
    return any(row_item(line.text, labels) for line in band.lines)


def has_row_values(band: Band, grid: ColumnGrid) -> bool:
    """Figures in the period or amount columns: what makes a band a project row."""
    return any(grid.column_of(w) != TITLE and _DIGIT.search(w.text) for w in band.words)


_PROJECT_KINDS: tuple[RowKind | None, ...] = ("project", "project_continued")
_SUMMARY_KINDS: tuple[RowKind | None, ...] = ("summary", "summary_continued")


def classify_band(
    band: Band,
    previous_kind: RowKind | None,
    grid: ColumnGrid,
    settings: PdfTableSettings,
    labels: AmifLabels | None = None,
    previous_row: _RowBuilder | None = None,
) -> RowKind:
    """What a band is, by structure first: a project row has figures in its period or amount
    columns (or at least a labelled carrier), a summary is text under a project with neither; a
    section row says so. A page's first band continues the previous page's row or summary, unless
    it opens a row of its own (`opens_new_row`, compared with the row above, `previous_row`).

    "unreadable" is a band that is none of these where it stands: text without figures or carrier
    before any project of its section.
    """
    labels = labels or amif_labels()
    if section_of(band.first_text, labels) is not None:
        return "section"
    if summary_label_length(band.first_text, labels):
        return "summary"
    full_width = is_full_width(band, grid, settings)
    values = not full_width and has_row_values(band, grid)
    title_only = all(grid.column_of(w) == TITLE for w in band.words)
    if band.at_page_top and previous_kind in _PROJECT_KINDS and full_width:
        return "summary"  # the row ended at the foot of the previous page, its summary starts here
    if band.at_page_top and previous_kind in _PROJECT_KINDS:
        new_row = previous_row is not None and opens_new_row(band, previous_row, grid, labels)
        return "project" if new_row else "project_continued"
    summary_like = full_width or (title_only and not _has_row_items(band, labels))
    if band.at_page_top and previous_kind in _SUMMARY_KINDS and summary_like:
        return "summary_continued"
    if band.at_page_top and previous_kind is None:
        # Reading starts inside the table (a page range): the rest of a row or summary not seen.
        if full_width:
            return "summary_continued"
        if _starts_with_row_item(band, grid, labels):
            return "project_continued"
    if values:
        return "project"
    if title_only and previous_kind in _PROJECT_KINDS and _starts_with_row_item(band, grid, labels):
        return "project_continued"  # the carrier or procedure of the row above, set a little apart
    if _has_row_items(band, labels) and not full_width:
        return "project"  # a carrier without figures: a row whose amounts are missing
    if previous_kind in _PROJECT_KINDS or previous_kind in _SUMMARY_KINDS:
        return "summary"
    return "unreadable"


def _item_fields(lines: Sequence[str], labels: AmifLabels) -> set[str]:
    return {found[0] for line in lines if (found := row_item(line, labels))}


def opens_new_row(band: Band, row: _RowBuilder, grid: ColumnGrid, labels: AmifLabels) -> bool:
    """Whether a page's first band is the next project rather than the rest of `row`: `row`
    already has its whole period and the band starts one, or the band's first cell opens an item
    (carrier, procedure, action) that `row` already has."""
    period_words = [w.text for w in band.words if grid.column_of(w) == PERIOD]
    if len(_DATE.findall(_cell_text(row, PERIOD))) >= 2 and any(_DATE.search(w) for w in period_words):
        return True
    band_cell = [" ".join(w.text for w in line.words if grid.column_of(w) == TITLE) for line in band.lines]
    row_cell = [line.text for part in row.cells.get(TITLE, []) for line in part.lines]
    return bool(_item_fields(band_cell, labels) & _item_fields(row_cell, labels))


def _starts_with_row_item(band: Band, grid: ColumnGrid, labels: AmifLabels) -> bool:
    first_cell = [w for w in band.lines[0].words if grid.column_of(w) == TITLE]
    return row_item(" ".join(w.text for w in first_cell), labels) is not None


# --- Step 7: the cells of a row -----------------------------------------------------------------------------


@dataclass
class _CellPart:
    page_number: int
    lines: list[TextLine]


def _add_row_band(builder: _RowBuilder, band: Band, grid: ColumnGrid, settings: PdfTableSettings) -> None:
    by_column: dict[str, list[PageWord]] = {}
    for word in band.words:
        by_column.setdefault(grid.column_of(word), []).append(word)
    for key, words in by_column.items():
        builder.cells.setdefault(key, []).append(
            _CellPart(band.page_number, group_into_lines(words, settings.line_tolerance))
        )


def _first_cell_bbox(band: Band, grid: ColumnGrid) -> BBox:
    x0, x1 = grid.x_range(TITLE)
    return _rounded_box(x0, band.top, x1, band.bottom)


def _words_bbox(lines: Sequence[TextLine]) -> BBox:
    words = [w for line in lines for w in line.words]
    return _rounded_box(
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )


def _rounded_box(x0: float, top: float, x1: float, bottom: float) -> BBox:
    """A finding's box to a tenth of a point, the same whichever engine read the page."""
    return (steady_round(x0, 1), steady_round(top, 1), steady_round(x1, 1), steady_round(bottom, 1))


def parse_first_cell(lines: Sequence[str], labels: AmifLabels | None = None) -> dict[str, str]:
    """Title, carrier, procedure and action code from the lines of the project cell.

    Lines before the first labelled item form the title; an item runs until the next label.
    """
    labels = labels or amif_labels()
    title: list[str] = []
    items: list[list[str]] = []
    for line in lines:
        if row_item(line, labels):
            items.append([line])
        elif items:
            items[-1].append(line)
        else:
            title.append(line)
    parsed = {"title": clean_cell_text("\n".join(title)), "carrier": "", "procedure": "", "action": ""}
    for item in items:
        found = row_item(clean_cell_text("\n".join(item)), labels)
        if found is not None:
            name, value = found
            parsed[name] = value
    return parsed


def unknown_items(lines: Sequence[str], labels: AmifLabels) -> list[str]:
    """Lines of the project cell that open an item whose label the profile does not know.

    Such a line starts with a bullet glyph, or reads "Label : value" after a dash or once a known
    item has begun (a title may well hold a colon, a wrapped name a dash). Left unrecognised, its
    text would end up in the title or in the item above, so it must be reported.
    """
    unknown: list[str] = []
    seen_item = False
    for line in lines[1:]:
        if row_item(line, labels):
            seen_item = True
            continue
        bullet = _BULLET.match(line)
        rest = line[bullet.end() :] if bullet else line
        # A dash may be a wrapped "Croix-Rouge – Service LISKO"; a bullet glyph never is.
        glyph = bool(bullet and set(bullet.group()) & _BULLET_GLYPHS)
        dash = bool(bullet and bullet.group().strip())
        if glyph or ((seen_item or dash) and _LABEL_AND_VALUE.match(rest)):
            unknown.append(collapse_spaces(line))
    return unknown


def unknown_summary_label(text: str) -> str:
    """The "Label :" opening a summary when it reads like a label the profile does not know, else ""."""
    match = _LABEL_AND_VALUE.match(text)
    return match.group(1) if match else ""


_ENDS_IN_DIGIT_GROUP = re.compile(r"\d$")
_STARTS_WITH_THOUSANDS_GROUP = re.compile(r"^\d{3}(?!\d)")


def join_amount_fragments(fragments: Sequence[str]) -> str:
    """Join the lines of a wrapped amount cell.

    A line break at a space (``EUR 14`` / ``321.00``, ``135.000,00`` / ``€``) keeps a space; a
    number cut inside a word, as some tools do when it is wider than the cell (``1.218.327,2`` /
    ``9 €``), joins without one: after a digit, a space is kept only before a full thousands group.
    """
    joined = ""
    for fragment in (collapse_spaces(f) for f in fragments):
        if not fragment:
            continue
        cut_inside_number = (joined and not joined[-1].isalnum() and joined[-1] not in "€)") or (
            _ENDS_IN_DIGIT_GROUP.search(joined)
            and fragment[0].isdigit()
            and not _STARTS_WITH_THOUSANDS_GROUP.match(fragment)
        )
        joined = joined + fragment if cut_inside_number or not joined else f"{joined} {fragment}"
    return joined


# The start of a date cut at the end of a line: "2023-01-0", "31/1", "2024-1" (not a whole date).
_DATE_CUT = re.compile(r"(?:^|\s)(\d{1,4}[./-]\d{0,2}(?:[./-]\d{0,3})?)$")


def join_period_fragments(fragments: Sequence[str]) -> tuple[str, bool]:
    """Join the lines of a period cell with spaces, except where a narrow cell cut a date inside
    (``2023-01-0`` / ``1 / 2024-12-31``); whether such a cut was joined."""
    joined, repaired = "", False
    for fragment in (collapse_spaces(f) for f in fragments):
        if not fragment:
            continue
        cut = _DATE_CUT.search(joined)
        if cut and not _DATE.fullmatch(cut.group(1)) and fragment[0].isdigit():
            joined, repaired = joined + fragment, True
        else:
            joined = f"{joined} {fragment}" if joined else fragment
    return joined, repaired


def _period_cell(builder: _RowBuilder, source_name: str) -> str:
    parts = builder.cells.get(PERIOD, [])
    fragments = [line.text for part in parts for line in part.lines]
    joined, repaired = join_period_fragments(fragments)
    if repaired:
        builder.findings.append(
            Finding(
                "repaired_value",
                "a date cut inside over two lines in the period column; lines joined",
                SourceLocation(source_name, page=parts[0].page_number, bbox=_words_bbox(parts[0].lines)),
                column="start_date",
                value=" | ".join(fragments),
                repaired=joined,
                rule="wrapped_date_joined",
            )
        )
    return joined


def _amount_cell(builder: _RowBuilder, key: str, source_name: str) -> str:
    parts = builder.cells.get(key, [])
    fragments = [line.text for part in parts for line in part.lines]
    joined = join_amount_fragments(fragments)
    if len(fragments) > 1:
        first_part = parts[0]
        builder.findings.append(
            Finding(
                "repaired_value",
                f"amount wrapped over {len(fragments)} lines in column {key}; lines joined",
                SourceLocation(source_name, page=first_part.page_number, bbox=_words_bbox(first_part.lines)),
                column=key,
                value=" | ".join(fragments),
                repaired=joined,
                rule="wrapped_amount_joined",
            )
        )
    return joined


# --- Summaries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    """One line of a summary: its text (label removed) and the words it came from."""

    text: str
    line: TextLine
    page_number: int
    band_index: int


def summary_lines_of_band(band: Band, band_index: int, labels: AmifLabels) -> list[SummaryLine]:
    """All words of each line, whatever column they sit in; the label dropped from the first line."""
    result: list[SummaryLine] = []
    for position, line in enumerate(band.lines):
        words = line.words
        if position == 0 and (label_length := summary_label_length(line.text, labels)):
            words = words[len(line.text[:label_length].split()) :]
        if words:
            kept = TextLine(words)
            text = kept.text.replace(_UNMAPPED_BULLET, "•")
            result.append(SummaryLine(text, kept, band.page_number, band_index))
    return result


def _line_space(line: TextLine, settings: PdfTableSettings) -> float:
    gaps = [b.x0 - a.x1 for a, b in zip(line.words, line.words[1:], strict=False) if b.x0 > a.x1]
    return statistics.median(gaps) if len(gaps) >= 3 else settings.space_width * line.size


def _first_unit_width(line: TextLine) -> float:
    """Width of the first word, extended over leading punctuation-only words (« , —).

    A « bound to the next word by a no-break space wraps with it, so « alone proves nothing.
    """
    end = 0
    while end < len(line.words) - 1 and not _ALNUM.search(line.words[end].text):
        end += 1
    return line.words[end].x1 - line.words[0].x0


def ended_on_purpose(
    previous: TextLine, following: TextLine, right_limit: float, settings: PdfTableSettings
) -> bool:
    """The previous line stopped although the next line's first word would have fitted on it."""
    room = right_limit - previous.x1 - _line_space(previous, settings)
    return _first_unit_width(following) + settings.paragraph_fit_margin <= room


def summary_paragraphs(
    lines: Sequence[SummaryLine],
    usual_pitch: float,
    right_limits: dict[int, float],
    settings: PdfTableSettings,
    trust_page_break_ends: bool = True,
) -> list[str]:
    """Summary lines grouped into paragraphs, each cleaned like a cell.

    A paragraph starts after a wider line spacing than usual, or after a line that ended although
    the next word would have fitted (the only sign left across a page break, unless the document
    shows that its tool ends lines early there: `trust_page_break_ends`).
    """
    paragraphs: list[list[str]] = []
    previous: SummaryLine | None = None
    for entry in lines:
        if previous is None:
            new_paragraph = True
        else:
            # Bands of one page are cut where the spacing widens, so compare pitches across them.
            same_page = entry.page_number == previous.page_number
            pitch = entry.line.baseline - previous.line.baseline
            right = right_limits.get(previous.page_number, previous.line.x1)
            # A line starting in lower case, or after one that stops mid-sentence, goes on with
            # the sentence however short the line before (some tools end the last line before a
            # page break early).
            goes_on = _goes_on(previous, entry)
            trusted = same_page or trust_page_break_ends
            # A list item after a finished sentence or a colon starts its own paragraph, on the same
            # page or across a page break, whether or not the tool's line ends can be trusted.
            starts_item = not goes_on and _ITEM_START.match(entry.text) is not None
            new_paragraph = (
                starts_item
                or (same_page and pitch > usual_pitch + settings.paragraph_extra_gap)
                or (trusted and not goes_on and ended_on_purpose(previous.line, entry.line, right, settings))
            )
        if new_paragraph:
            paragraphs.append([entry.text])
        else:
            paragraphs[-1].append(entry.text)
        previous = entry
    cleaned = (clean_cell_text("\n".join(paragraph)) for paragraph in paragraphs)
    return [paragraph for paragraph in cleaned if paragraph]


def _goes_on(previous: SummaryLine, entry: SummaryLine) -> bool:
    return entry.text[:1].islower() or not _SENTENCE_END.search(previous.text)


def page_break_ends_are_trusted(
    summaries: Sequence[Sequence[SummaryLine]], right_limits: dict[int, float], settings: PdfTableSettings
) -> bool:
    """Whether a summary line ending short before a page break means its paragraph ends there.

    Not when the same document has a line ending short before a page break in the middle of a
    sentence: its tool ends lines early at page breaks, so a short line there proves nothing.
    """
    for lines in summaries:
        for previous, entry in itertools.pairwise(lines):
            if entry.page_number == previous.page_number or not _goes_on(previous, entry):
                continue
            right = right_limits.get(previous.page_number, previous.line.x1)
            if ended_on_purpose(previous.line, entry.line, right, settings):
                return False
    return True


def usual_line_pitch(lines: Sequence[SummaryLine]) -> float:
    """The most common distance between consecutive lines of one summary band."""
    pitches = [
        steady_round(b.line.baseline - a.line.baseline, 1)
        for a, b in itertools.pairwise(lines)
        if a.band_index == b.band_index and b.line.baseline > a.line.baseline
    ]
    if not pitches:
        return 1.2 * (statistics.median(entry.line.size for entry in lines) if lines else 10.0)
    return statistics.median(pitches)


def summary_right_limits(lines: Sequence[SummaryLine], tables: dict[int, PageTable]) -> dict[int, float]:
    """Per page, how far right summary text may run: the widest line, or the table's right edge less
    the padding seen on the left."""
    limits: dict[int, float] = {}
    for entry in lines:
        table = tables[entry.page_number]
        padded = table.right - max(0.0, entry.line.x0 - table.left)
        limits[entry.page_number] = max(limits.get(entry.page_number, 0.0), entry.line.x1, padded)
    return limits


# --- Step 7: rows ---------------------------------------------------------------------------------


@dataclass
class _RowBuilder:
    specific_objective: int
    specific_objective_label: str
    start_band: Band
    start_grid: ColumnGrid
    cells: dict[str, list[_CellPart]] = field(default_factory=dict)
    summary: list[SummaryLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _cell_text(builder: _RowBuilder, key: str) -> str:
    return " ".join(line.text for part in builder.cells.get(key, []) for line in part.lines)


def _first_cell_finding(
    builder: _RowBuilder, source_name: str, message: str, value: str, column: str = ""
) -> None:
    """An `unreadable_row` error on the row's first cell (title, carrier, procedure, action)."""
    where = SourceLocation(
        source_name,
        page=builder.start_band.page_number,
        bbox=_first_cell_bbox(builder.start_band, builder.start_grid),
    )
    builder.findings.append(Finding("unreadable_row", message, where, column=column, value=value))


def _build_row(
    builder: _RowBuilder,
    source_name: str,
    summary_settings: tuple[float, dict[int, float], bool],
    settings: PdfTableSettings,
    labels: AmifLabels,
) -> AmifRow:
    first_cell = [line.text for part in builder.cells.get(TITLE, []) for line in part.lines]
    parsed = parse_first_cell(first_cell, labels)
    whole_cell = collapse_spaces(" ".join(first_cell))[:200]
    if not parsed["title"]:
        message = (
            "a project row without a title: the title was not found in its first cell "
            "(it may have been read as the text above the row)"
        )
        _first_cell_finding(builder, source_name, message, whole_cell, column="title")
    fields_seen = [found[0] for line in first_cell if (found := row_item(line, labels))]
    for name in sorted({name for name in fields_seen if fields_seen.count(name) > 1}):
        message = f"the project cell has more than one {name} item: two rows may have been read as one"
        _first_cell_finding(builder, source_name, message, whole_cell)
    for line in unknown_items(first_cell, labels):
        message = (
            "a line of the project cell starts with a label the amif_table profile does not "
            "know; its text is left where it stands (add the label to the profile)"
        )
        _first_cell_finding(builder, source_name, message, line[:200])
    period = _period_cell(builder, source_name)
    amounts = {key: _amount_cell(builder, key, source_name) for key in AMOUNT_COLUMNS}
    usual_pitch, right_limits, trust_page_break_ends = summary_settings
    return AmifRow(
        specific_objective=builder.specific_objective,
        specific_objective_label=builder.specific_objective_label,
        title=parsed["title"],
        carrier_raw=parsed["carrier"],
        procedure_raw=parsed["procedure"],
        action_code=parsed["action"],
        period_raw=period,
        amounts_raw=amounts,
        summary="\n".join(
            summary_paragraphs(builder.summary, usual_pitch, right_limits, settings, trust_page_break_ends)
        ),
        location=SourceLocation(
            source_name,
            page=builder.start_band.page_number,
            bbox=_first_cell_bbox(builder.start_band, builder.start_grid),
        ),
        findings=builder.findings,
    )


NO_TABLE_REASON = (
    "no AMIF table found (no page has a header row naming the project, period, share and total columns)"
)


def page_tables(
    pages: Sequence[PageLayout], settings: PdfTableSettings, labels: AmifLabels | None = None
) -> list[PageTable]:
    """Each page's header and bands; a page without its own header row reuses the previous one.

    The header is looked for among all the page's lines (a running title above it does no harm);
    the body is read from the lines left once the page furniture is dropped.
    """
    labels = labels or amif_labels()
    all_lines = [group_into_lines(page.words, settings.line_tolerance) for page in pages]
    repeated = repeated_lines(all_lines, settings)
    tables: list[PageTable] = []
    last_header: Header | None = None
    for page, lines in zip(pages, all_lines, strict=True):
        header = find_header(page, settings, lines, labels)
        body_lines = drop_page_furniture(lines, repeated, settings)
        if header is None and last_header is not None and body_lines:
            # No header row on this page: the table goes on in the previous page's columns.
            top = body_lines[0].top - 0.01
            header = Header(last_header.columns, top, top)
        if header is None:
            continue
        last_header = header
        tables.append(split_page_into_bands(page, header, body_lines, settings, labels))
    return tables


def _grid_words(table: PageTable, labels: AmifLabels, settings: PdfTableSettings) -> list[PageWord]:
    """Words of the bands that hold cells side by side (project rows, not sections or summaries),
    running text aside: where the columns' empty strips are measured."""
    width = table.right - table.left
    return [
        word
        for band in table.bands
        if section_of(band.first_text, labels) is None
        and not summary_label_length(band.first_text, labels)
        and any(is_cells_line(line, width, settings) for line in band.lines)
        for line in band.lines
        if not is_prose_line(line, width, settings)
        for word in line.words
    ]


def page_grids(
    tables: Sequence[PageTable], settings: PdfTableSettings, labels: AmifLabels | None = None
) -> list[ColumnGrid]:
    """A column grid per page, from the words of every project row under the same header layout.

    Pages are grouped by header layout first, so the work grows with the page count, not its square.
    """
    labels = labels or amif_labels()
    groups: list[tuple[PageTable, list[PageWord]]] = []  # (first table of the layout, row words)
    group_of_page: list[int] = []
    for table in tables:
        index = next(
            (
                i
                for i, (first, _) in enumerate(groups)
                if headers_match(first.header, table.header, settings.header_match_tolerance)
            ),
            None,
        )
        if index is None:
            groups.append((table, []))
            index = len(groups) - 1
        group_of_page.append(index)
        groups[index][1].extend(_grid_words(table, labels, settings))
    left = min(table.left for table in tables)
    right = max(table.right for table in tables)
    grids = [column_grid(first.header, words, left, right, settings) for first, words in groups]
    return [grids[index] for index in group_of_page]


def _stitch_finding(source_name: str, what: str, band: Band, bbox: BBox) -> Finding:
    return Finding(
        "page_stitch",
        f"{what} continues on page {band.page_number}; stitched back",
        SourceLocation(source_name, page=band.page_number, bbox=bbox),
        context=collapse_spaces(band.first_text)[:80],
    )


def _unreadable(source_name: str, band: Band, grid: ColumnGrid, why: str) -> Finding:
    return Finding(
        "unreadable_row",
        f"text {why} could not be attached to a project",
        SourceLocation(
            source_name,
            page=band.page_number,
            bbox=_rounded_box(grid.left, band.top, grid.right, band.bottom),
        ),
        value=collapse_spaces(" ".join(line.text for line in band.lines))[:200],
    )


def _unknown_header_labels(source_name: str, table: PageTable) -> Finding:
    header = table.header
    return Finding(
        "unreadable_row",
        "header label names no known column, so that column is not read "
        "(add its wording to the amif_table profile)",
        SourceLocation(
            source_name,
            page=table.page_number,
            bbox=_rounded_box(table.left, header.top, table.right, header.bottom),
        ),
        value=" | ".join(header.unknown_labels),
    )


def _no_section(source_name: str, band: Band, grid: ColumnGrid) -> Finding:
    return Finding(
        "missing_value",
        "project row before any 'Objectif spécifique' section row: specific objective unknown",
        SourceLocation(source_name, page=band.page_number, bbox=_first_cell_bbox(band, grid)),
        column="specific_objective",
    )


def _check_summary_start(
    builder: _RowBuilder, band: Band, first_line: str, grid: ColumnGrid, source_name: str, labels: AmifLabels
) -> None:
    """A summary opening with "Xxx :" that the profile does not know as a summary label is reported."""
    label = "" if summary_label_length(band.first_text, labels) else unknown_summary_label(first_line)
    if label:
        builder.findings.append(
            Finding(
                "unreadable_row",
                f"the summary starts with {label + ' :'!r}, which reads like a label the amif_table "
                "profile does not know; kept in the summary (add it to the profile if it is a label)",
                SourceLocation(source_name, page=band.page_number, bbox=_summary_bbox(band, grid)),
                value=first_line[:200],
            )
        )


def _summary_bbox(band: Band, grid: ColumnGrid) -> BBox:
    return _rounded_box(grid.left, band.top, grid.right, band.bottom)


def assemble_amif_rows(
    pages: Sequence[PageLayout],
    source_name: str,
    settings: PdfTableSettings | None = None,
    profile: Profile | None = None,
) -> AmifExtraction:
    """Rows of the AMIF table from page layouts in page order (all pages of the table, or a run of them)."""
    settings = settings or PdfTableSettings()
    labels = amif_labels(profile)
    tables = page_tables(pages, settings, labels)
    if not tables:
        raise InputError(source_name, NO_TABLE_REASON)
    grids = page_grids(tables, settings, labels)
    builders: list[_RowBuilder] = []
    findings: list[Finding] = []
    unknown_headers = {table.header.unknown_labels: table for table in reversed(tables)}
    findings += [_unknown_header_labels(source_name, table) for key, table in unknown_headers.items() if key]
    section_number, section_label = 0, ""
    previous: RowKind | None = None
    band_index = 0
    for table, grid in zip(tables, grids, strict=True):
        for band in table.bands:
            band_index += 1
            attached = previous not in (None, "section", "unreadable")
            current = builders[-1] if builders and attached else None
            kind = classify_band(band, previous, grid, settings, labels, current)
            if kind == "section":
                section_number, section_label = section_of(
                    " ".join(line.text for line in band.lines), labels
                ) or (0, "")
            elif kind == "project":
                builders.append(_RowBuilder(section_number, section_label, band, grid))
                _add_row_band(builders[-1], band, grid, settings)
                if not section_number:
                    builders[-1].findings.append(_no_section(source_name, band, grid))
            elif kind == "unreadable" or current is None:
                findings.append(_unreadable(source_name, band, grid, f"in a {kind.replace('_', ' ')} band"))
                kind = "unreadable"
            elif kind == "project_continued":
                _add_row_band(current, band, grid, settings)
                if band.at_page_top:
                    current.findings.append(
                        _stitch_finding(source_name, "row", band, _first_cell_bbox(band, grid))
                    )
            else:
                lines = summary_lines_of_band(band, band_index, labels)
                if kind == "summary" and not current.summary and lines:
                    _check_summary_start(current, band, lines[0].text, grid, source_name, labels)
                current.summary.extend(lines)
                if kind == "summary_continued":
                    current.findings.append(
                        _stitch_finding(source_name, "summary", band, _summary_bbox(band, grid))
                    )
            previous = kind
    all_summary_lines = [line for builder in builders for line in builder.summary]
    right_limits = summary_right_limits(all_summary_lines, {table.page_number: table for table in tables})
    summary_layout = (
        usual_line_pitch(all_summary_lines),
        right_limits,
        page_break_ends_are_trusted([builder.summary for builder in builders], right_limits, settings),
    )
    rows = [_build_row(builder, source_name, summary_layout, settings, labels) for builder in builders]
    return AmifExtraction(source_name, rows, findings)


def extract_amif_pdf(
    path: Path,
    source_name: str | None = None,
    settings: PdfTableSettings | None = None,
    page_numbers: Sequence[int] | None = None,
    profile: Profile | None = None,
) -> AmifExtraction:
    """Read the AMIF project list from a PDF (all pages, or the 1-based ``page_numbers`` in order)."""
    settings = settings or PdfTableSettings()
    name = source_name or path.name
    with open_pdf(path) as reader:
        layouts = list(_read_layouts(reader, page_numbers, settings))
    return amif_rows_from_layouts(path, name, layouts, settings, profile)


def amif_rows_from_layouts(
    path: Path,
    source_name: str,
    layouts: Sequence[PageLayout],
    settings: PdfTableSettings | None = None,
    profile: Profile | None = None,
) -> AmifExtraction:
    """`assemble_amif_rows` for a whole file, a failure naming the file (layouts read whole or in ranges)."""
    try:
        extraction = assemble_amif_rows(layouts, source_name, settings, profile)
    except InputError as error:
        raise InputError(path, error.reason) from error
    extraction.page_text = {layout.page_number: layout_lines(layout) for layout in layouts}
    return extraction


def layout_lines(layout: PageLayout) -> tuple[PageLine, ...]:
    """The page's printed lines, rebuilt from the words already read (for the report's context)."""
    return lines_from_words((word.text, word.x0, word.top, word.bottom) for word in layout.words)


def looks_like_amif_pdf(
    path: Path, settings: PdfTableSettings | None = None, profile: Profile | None = None
) -> bool:
    """Whether the first pages carry the AMIF table's header row (labels from the profile);
    `InputError` if the PDF is unreadable."""
    settings = settings or PdfTableSettings()
    labels = amif_labels(profile)
    with open_pdf(path) as reader:
        wanted = range(1, min(reader.page_count, settings.header_search_pages) + 1)
        return any(
            find_header(layout, settings, labels=labels) is not None
            for layout in _read_layouts(reader, wanted, settings)
        )
