"""The practice-sheet brochure (PDF or text extraction) as two tables: sheets and contacts.

Labels are data: every sheet label with all its spellings comes from the ``practice_sheets``
profile (``schemas/profiles/practice_sheets.toml``, read by `amif_extract.profiles`); the
functions take it as a parameter, the packaged one by default. Structure comes before wording.

Both paths end in the same list of pages of printed lines, and every rule after that is shared,
so the PDF and the text give the same rows:

* text: a page break is a run of blank lines followed by the running header (a page number
  printed above the header does not hide it); a run of blank lines without the header (the text
  extraction's gaps between partner logos) stays on the page it follows. One text line is one
  printed line.
* PDF: the printed lines (`pdf_text`, either engine), with the lines of one wrapped paragraph joined back
  (`continues_paragraph`): a wrap sits closer than ``paragraph_gap_ratio`` × the font size under
  a line that could not take the next line's first word, and a label or a phone / e-mail line is
  never run into its neighbour, whatever the producer's fonts, sizes and margins.

Then: page furniture is dropped wherever it falls (`drop_page_furniture`: lines repeated on
most pages — running headers in any ordinal spelling, ``2^{èmes}`` / ``2^{ièmes}`` / ``2èmes``,
footers — and page numbers ``- 10 -``, ``Page 3 / 9``, ``3/48``, a lone number), then trailing
runs of partner-logo lines. ``match_heading`` recognises a label in any spelling of the profile
(accents, case, ``(s)``, spaces, colon, a value on the label's line, a few words added before a
colon), and ``split_sheets`` cuts the lines into sheets: a sheet starts where the sequence of
labels starts again at the top of a page, and its title is the lines above that label. A label
of the profile that is not a sheet field (``Service :``) opens a section of its own, kept out of
every field and reported. Bold type is not used: in the PDF it follows the brochure's own heading
guesses (``Commune de Remich`` has a bold ``Commune``), and the text extraction has none.

What the reader cannot vouch for is an error finding (`structure_findings`,
`unprinted_label_findings`, `paragraph_gap_findings`): a label out of the usual order, a
label-like line where a field is missing, contact values printed while no contact was read, a
required field no sheet prints (a re-worded label), a PDF whose paragraphs have no gap.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from statistics import median

from amif_extract.errors import InputError
from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.contacts import (
    DEFAULT_PHONE_REGION,
    Contact,
    ContactLine,
    classify_contact_line,
    fold,
    printed_contact_values,
    read_contact_block,
)
from amif_extract.normalize.name_lists import organisation_names
from amif_extract.pagetext import PageLine, PageText
from amif_extract.pdf_engine import open_pdf
from amif_extract.pdf_text import PdfPage, steady_round, text_lines_from_chars
from amif_extract.pdf_text import TextLine as PrintedLine
from amif_extract.profiles import Profile, fold_label, load_profile
from amif_extract.records import PracticeSheetsExtraction, Row
from amif_extract.textclean import collapse_spaces, join_wrapped_lines, normalise_apostrophes, strip_markup

# The template's sections in the order every sheet prints them.
SECTION_ORDER: tuple[str, ...] = (
    "commune_institution",
    "organisers",
    "objectives",
    "description",
    "results",
    "target_public",
    "place_periodicity",
    "costs",
    "contacts",
    "other_info",
)
TEXT_SECTIONS: tuple[str, ...] = tuple(name for name in SECTION_ORDER if name != "contacts")

# A text is a practice-sheet brochure when it prints this many stand-alone section headings, of
# this many kinds (one sheet prints nine or ten; no other known document prints any).
DETECTION_MIN_HEADINGS = 6
DETECTION_MIN_SECTION_KINDS = 5
PROFILE_KIND = "practice_sheets"
LABEL_EXTENSION_MAX_WORDS = 4  # words a known label may gain before its colon ("du projet :")
LABEL_MAX_WORDS = 6  # a line ending with a colon is label-like up to this many words
MIN_SHEETS_FOR_LABEL_CHECK = 3  # a field printed on none of this many sheets is a re-worded label

_SUPERSCRIPT = re.compile(r"\^\{([^}]*)\}")
_STRAY_EMPHASIS_START = re.compile(r"^\*{1,2}(?=\S)")
_STRAY_EMPHASIS_END = re.compile(r"(?<=\S)\*{1,2}$")
_ORDINAL = re.compile(r"\b(\d+)\s*(?:i?[eè]mes?|i?emes?|eres?|ers?|res?|nde?s?|e)\b")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:/|sur|de)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?:;,]$")
_LIST_CONTINUES = re.compile(r"(?:\s[/;,]|,|\sou|\set)$")
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s")
_BULLET = re.compile(r"^[-–—•*→➔]")
_SLUG_STOPWORDS = frozenset(
    ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "sur", "un", "une",
     "dans", "par", "avec"]
)  # fmt: skip


@dataclass(frozen=True)
class PracticeSheetSettings:
    """Every threshold of the brochure reader, named once."""

    page_break_blank_lines: int = 3  # text: this many blank lines (or more) may end a page
    running_header_min_share: float = 0.5  # a first line repeated on this share of pages is the header
    paragraph_gap_ratio: float = 1.42  # PDF: line gap / font size above this starts a new printed line
    wrap_space_ratio: float = 0.25  # PDF: a space's width / font size, when a wrapped word is fitted back
    wrap_tolerance_ratio: float = 1.0  # PDF: a wrapped line may stop this many font sizes short of the edge
    max_title_lines: int = 6  # printed lines a sheet title (with its subtitle) may take
    logo_min_lines: int = 5  # a trailing run of this many logo-like lines is a partner-logo block
    logo_line_max_words: int = 8  # a logo line is a short caption
    sheet_id_max_chars: int = 40  # sheet ids are the title's first words, up to this length
    phone_region: str = DEFAULT_PHONE_REGION
    # Sections a sheet should fill; "Autres informations utiles" is optional in the template.
    required_sections: tuple[str, ...] = SECTION_ORDER[:-1]
    detection_pages: int = 10  # PDF kind detection reads this many pages
    # PDF: paragraphs set apart by less than this many line heights, on most pages, are an error.
    min_paragraph_gap_ratio: float = 0.3
    gap_check_min_lines: int = 5  # pages with fewer printed lines are not measured

    def __post_init__(self) -> None:
        positive = (
            "page_break_blank_lines", "max_title_lines", "logo_min_lines", "logo_line_max_words",
            "sheet_id_max_chars", "detection_pages",
        )  # fmt: skip
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.running_header_min_share <= 1:
            raise ValueError("running_header_min_share must be in (0, 1]")
        if self.wrap_space_ratio < 0 or self.wrap_tolerance_ratio < 0:
            raise ValueError("wrap_space_ratio and wrap_tolerance_ratio must not be negative")
        if self.paragraph_gap_ratio <= 1:
            raise ValueError("paragraph_gap_ratio must be above 1 (a line gap is at least the font size)")
        unknown = set(self.required_sections) - set(SECTION_ORDER)
        if unknown:
            raise ValueError(f"required_sections names unknown sections: {sorted(unknown)}")


@dataclass(frozen=True)
class SourceLine:
    """One printed line: its clean text, page, text-file line (text path) and box (PDF path)."""

    text: str
    page: int
    line: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def location(self, source_file: str) -> SourceLocation:
        # A finding's box to a tenth of a point, the same whichever PDF engine read the page.
        if self.bbox is None:
            return SourceLocation(source_file, page=self.page, line=self.line)
        x0, top, x1, bottom = (steady_round(value, 1) for value in self.bbox)
        return SourceLocation(source_file, page=self.page, line=self.line, bbox=(x0, top, x1, bottom))


@dataclass(frozen=True)
class Heading:
    """A section heading; ``value`` is the text printed on the heading's own line."""

    section: str
    value: str
    explicit_separator: bool


@dataclass
class SheetSection:
    name: str
    heading: SourceLine
    lines: list[SourceLine] = field(default_factory=list)


@dataclass
class SheetDraft:
    """One sheet as printed: title lines and sections, in reading order."""

    title_lines: list[SourceLine]
    sections: list[SheetSection] = field(default_factory=list)
    out_of_order: list[SourceLine] = field(default_factory=list)  # labels printed against the order

    @property
    def open_lines(self) -> list[SourceLine]:
        return self.sections[-1].lines if self.sections else self.title_lines

    def section(self, name: str) -> SheetSection | None:
        return next((section for section in self.sections if section.name == name), None)

    def all_lines(self) -> list[SourceLine]:
        lines = list(self.title_lines)
        for section in self.sections:
            lines += [section.heading, *section.lines]
        return lines


# --- reading lines -------------------------------------------------------------------------


def clean_line(text: str) -> str:
    """The printed text of a line: superscripts, markup and stray emphasis marks removed."""
    text = unicodedata.normalize("NFC", text)
    text = _SUPERSCRIPT.sub(r"\1", text)
    text = strip_markup(text)
    text = _STRAY_EMPHASIS_END.sub("", _STRAY_EMPHASIS_START.sub("", text.strip()))
    return collapse_spaces(normalise_apostrophes(text))


def running_header_key(text: str) -> str:
    """A header line's spelling-free form: ``2^{ièmes} Assises`` and ``2èmes Assises`` agree."""
    key = fold(clean_line(text))
    key = _ORDINAL.sub(r"\1e", key)
    return re.sub(r"[^a-z0-9]+", " ", key).strip()


def find_running_header(first_lines: list[str], settings: PracticeSheetSettings) -> str | None:
    """The key of the first line most pages share, if enough of them share it."""
    keys = Counter(running_header_key(text) for text in first_lines if text.strip())
    if not keys:
        return None
    key, count = keys.most_common(1)[0]
    if count < 2 or count < settings.running_header_min_share * len(first_lines):
        return None
    return key


def text_chunks(lines: list[str], settings: PracticeSheetSettings) -> list[list[tuple[int, str]]]:
    """Runs of text separated by ``page_break_blank_lines`` or more blank lines, as (line number, text)."""
    chunks: list[list[tuple[int, str]]] = [[]]
    blank_run = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            blank_run += 1
            continue
        if blank_run >= settings.page_break_blank_lines and chunks[-1]:
            chunks.append([])
        blank_run = 0
        chunks[-1].append((number, text))
    return [chunk for chunk in chunks if chunk]


def text_pages(lines: list[str], settings: PracticeSheetSettings) -> list[list[SourceLine]]:
    """Pages of a text extraction: a new page where a chunk starts with the running header.

    A page number printed above the header (``- 10 -``) does not hide it: the chunk's first line
    that is not a page number is compared.
    """
    chunks = text_chunks(lines, settings)
    firsts = [_first_text(chunk) for chunk in chunks]
    header = find_running_header(firsts, settings)
    pages: list[list[SourceLine]] = []
    for chunk, first in zip(chunks, firsts, strict=True):
        starts_page = header is None or running_header_key(first) == header or not pages
        if starts_page:
            pages.append([])
        page_number = len(pages)
        pages[-1] += [SourceLine(clean_line(text), page_number, line=number) for number, text in chunk]
    return [[line for line in page if line.text] for page in pages]


def _first_text(chunk: list[tuple[int, str]]) -> str:
    return next((text for _, text in chunk if not is_page_number(clean_line(text))), chunk[0][1])


def brochure_page_count(path: Path) -> int:
    with open_pdf(path) as reader:
        return reader.page_count


def pdf_pages(
    path: Path, settings: PracticeSheetSettings, max_pages: int | None = None, profile: Profile | None = None
) -> list[list[SourceLine]]:
    """Pages of the PDF as printed lines, wrapped paragraph lines joined back."""
    return pdf_page_range(path, settings, 1, max_pages, profile)


def pdf_page_range(
    path: Path,
    settings: PracticeSheetSettings,
    first: int = 1,
    last: int | None = None,
    profile: Profile | None = None,
) -> list[list[SourceLine]]:
    """Printed lines of pages ``first``..``last`` (1-based, inclusive; ``None``: to the end).

    Each page's parsed objects are released once its lines are read, so memory stays flat on long
    PDFs; a worker process reads one such range of a document on its own.
    """
    with open_pdf(path) as reader:
        end = reader.page_count if last is None else min(last, reader.page_count)
        return [pdf_page_lines(reader.page(number), settings, profile) for number in range(first, end + 1)]


def pdf_page_lines(
    page: PdfPage, settings: PracticeSheetSettings, profile: Profile | None = None
) -> list[SourceLine]:
    """One PDF page's printed lines, the lines of a wrapped paragraph joined back (`continues_paragraph`)."""
    profile = profile or packaged_profile()
    raw_lines = text_lines_from_chars(page.chars)
    right_edge = text_right_edge(raw_lines, settings)
    groups: list[list[PrintedLine]] = []
    for line in raw_lines:
        if groups and continues_paragraph(groups[-1][-1], line, right_edge, settings, profile):
            groups[-1].append(line)
        else:
            groups.append([line])
    lines = []
    for group in groups:
        text = clean_line(join_wrapped_lines(part.text for part in group))
        bbox = (
            min(part.x0 for part in group),
            min(part.top for part in group),
            max(part.x1 for part in group),
            max(part.bottom for part in group),
        )
        if text:
            lines.append(SourceLine(text, page.number, bbox=bbox))
    return lines


def _is_label_line(text: str, profile: Profile) -> bool:
    """A label alone or with its colon, capitalised ("informations utiles …" wrapped is prose)."""
    heading = match_heading(text, profile)
    return heading is not None and (not heading.value or heading.explicit_separator) and text[:1].isupper()


def text_right_edge(lines: list[PrintedLine], settings: PracticeSheetSettings) -> float:
    """Where the page's body text ends on the right: the widest line that has a close line under it.

    Lines set apart (a running header, a footer, a page number) may run wider than the body's
    column, so they do not count; a page with no such pair falls back to its widest line.
    """
    close = [
        line.x1
        for line, below in pairwise(lines)
        if below.top - line.top <= settings.paragraph_gap_ratio * line.size
    ]
    return max(close or [line.x1 for line in lines] or [0.0])


def continues_paragraph(
    previous: PrintedLine,
    line: PrintedLine,
    right_edge: float,
    settings: PracticeSheetSettings,
    profile: Profile,
) -> bool:
    """Whether `line` is the wrapped rest of `previous`'s paragraph.

    A wrap sits closer than ``paragraph_gap_ratio`` × the font size under a line that could not
    take the next line's first word (a paragraph's last line stops short), and neither line is a
    label or a contact line: a producer that sets every line with the same leading still ends a
    paragraph where the line stops short, and never runs a label or a phone into its neighbour.
    """
    if line.top - previous.top > settings.paragraph_gap_ratio * previous.size:
        return False
    if not _fills_its_line(previous, line, right_edge, settings):
        return False
    before, after = clean_line(previous.text), clean_line(line.text)
    if any(_is_label_line(text, profile) for text in (before, after)):
        return False
    if _LIST_CONTINUES.search(before):
        return True  # "E-mail: a@b.lu /" goes on with the next address
    if is_contact_line(before) or is_contact_line(after):
        return False
    return not (_SENTENCE_END.search(previous.text.strip()) and _BULLET.match(line.text.strip()))


def _fills_its_line(
    previous: PrintedLine, line: PrintedLine, right_edge: float, settings: PracticeSheetSettings
) -> bool:
    """Whether `line` would not have fit at the end of `previous`: so it was wrapped there.

    The whole of `line` is measured, not its first word: the reader has always measured it so (the
    characters pdfplumber gave for a line hold no spaces to find the first word's end by), and the
    brochure's paragraphs are read right that way; both engines keep it.
    """
    space = settings.wrap_space_ratio * previous.size
    return (
        previous.x1 + space + (line.x1 - line.x0) > right_edge - settings.wrap_tolerance_ratio * previous.size
    )


def is_page_number(text: str) -> bool:
    """``12``, ``- 12 -``, ``Page 3 / 9``, ``3/48``, ``p. 4``: a line that is only a page number."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def is_contact_value(text: str) -> bool:
    """A line that prints an e-mail address, a web address or a phone number (by its form)."""
    return bool(printed_contact_values(text))


@lru_cache(maxsize=8192)
def is_contact_line(text: str) -> bool:
    """A phone or e-mail line of a contact block: ``Tél : …``, ``E-mail: …``, or only numbers and addresses.

    A line that is only a web address is not one: a wrapped sentence may end with it.
    """
    values = [
        value for value in printed_contact_values(text) if not value.lower().startswith(("www", "http"))
    ]
    if classify_contact_line(ContactLine(text, SourceLocation(""))).kind in ("phone", "email"):
        return bool(values) or ":" in text  # "tel projet au niveau local." is prose
    rest = text
    for value in values:
        rest = rest.replace(value, " ")
    return bool(values) and rest.strip(" /;,-–") == ""


def repeated_line_keys(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings, profile: Profile
) -> set[str]:
    """Keys of the lines printed on ``running_header_min_share`` of the pages (at least two): furniture.

    Running headers, footers and edition lines repeat page after page; labels repeat too but are
    content, so a line that is a label never counts.
    """
    pages_of: dict[str, set[int]] = {}
    for number, page in enumerate(pages):
        for line in page:
            key = running_header_key(line.text)
            if key:
                pages_of.setdefault(key, set()).add(number)
    needed = max(2.0, settings.running_header_min_share * len(pages))
    keys = {key for key, seen in pages_of.items() if len(seen) >= needed}
    if not keys:
        return keys
    labels = {
        running_header_key(line.text)
        for page in pages
        for line in page
        if running_header_key(line.text) in keys and match_heading(line.text, profile) is not None
    }
    return keys - labels


def drop_page_furniture(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings, profile: Profile | None = None
) -> list[list[SourceLine]]:
    """Each page without its furniture, wherever it falls: repeated lines and page numbers."""
    furniture = repeated_line_keys(pages, settings, profile or packaged_profile())
    return [
        [
            line
            for line in page
            if not is_page_number(line.text) and running_header_key(line.text) not in furniture
        ]
        for page in pages
    ]


def looks_like_logo_caption(
    text: str, settings: PracticeSheetSettings, profile: Profile | None = None
) -> bool:
    """A partner logo rendered as text: a few words, no digits, links or sentence punctuation."""
    if len(text.split()) > settings.logo_line_max_words:
        return False
    if (
        any(char.isdigit() for char in text)
        or "@" in text
        or re.search(r"www\.|https?:", text, re.IGNORECASE)
    ):
        return False
    if _SENTENCE_END.search(text) or _BULLET.match(text):
        return False
    return match_heading(text, profile) is None


def drop_logo_runs(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings, profile: Profile | None = None
) -> list[list[SourceLine]]:
    """Each page without the run of logo captions it ends with, when the run is long enough."""
    result = []
    for page in pages:
        run = 0
        while run < len(page) and looks_like_logo_caption(page[len(page) - 1 - run].text, settings, profile):
            run += 1
        result.append(page[: len(page) - run] if run >= settings.logo_min_lines else page)
    return result


def content_pages(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings, profile: Profile | None = None
) -> list[list[SourceLine]]:
    """The pages' content: page furniture dropped wherever it falls, then trailing partner-logo runs."""
    return drop_logo_runs(drop_page_furniture(pages, settings, profile), settings, profile)


# --- headings and sheets ---------------------------------------------------------------------


def _fold_with_index(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, the index of the character it came from."""
    whole = fold(text)
    if len(whole) == len(text):  # accents dropped one for one (NFC text): positions are unchanged
        return whole, list(range(len(text)))
    folded: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        base = fold(char)
        folded.append(base)
        index += [position] * len(base)
    return "".join(folded), index


@dataclass(frozen=True)
class LabelMatcher:
    """The profile's labels as one pattern over folded text; ``fields[i]`` is group ``l{i}``'s field."""

    pattern: re.Pattern[str]
    fields: tuple[str, ...]


_MATCHERS: dict[str, LabelMatcher] = {}
_OPTIONAL_PLURAL = r"(?:\s*\(\s*(?:e?s|x)\s*\))?"
_LABEL_TOKEN = re.compile(r"[a-z0-9]+|\((?:e?s|x)\)|\S")


@cache
def packaged_profile() -> Profile:
    """The profile the package ships (read once per process)."""
    return load_profile(PROFILE_KIND)


def spelling_pattern(spelling: str) -> str:
    """A regex for one spelling over `fold`-ed text: spaces flexible, ``(s)`` after any word optional.

    ``/`` may be spaced or not, a hyphen may be a space (``plus-values`` / ``plus values``).
    """
    parts: list[str] = []
    previous_word = False
    for token in _LABEL_TOKEN.findall(fold(fold_label(spelling))):
        if token.startswith("("):
            continue  # the plural mark: optional after every word anyway
        if token[0].isalnum():
            parts.append((r"\s+" if previous_word else "") + re.escape(token) + _OPTIONAL_PLURAL)
            previous_word = True
        else:
            parts.append(r"[\s-]*" if token == "-" else rf"\s*{re.escape(token)}\s*")
            previous_word = False
    return "".join(parts)


def label_matcher(profile: Profile) -> LabelMatcher:
    """The compiled matcher of `profile` (built once per profile file)."""
    matcher = _MATCHERS.get(profile.digest)
    if matcher is not None:
        return matcher
    spellings = sorted(
        ((spelling, name) for name in profile.labels for spelling in profile.spellings(name)),
        key=lambda item: (-len(fold_label(item[0])), item[0]),
    )
    alternatives = [
        f"(?P<l{index}>{spelling_pattern(spelling)})" for index, (spelling, _) in enumerate(spellings)
    ]
    pattern = re.compile(
        r"^(?:" + "|".join(alternatives) + r")"
        # A remark in parentheses belongs to the label when nothing but a colon follows it.
        r"(?P<remark>\s*\([^)]*\)(?=\s*[:|]?\s*$))?"
        r"(?P<separator>\s*[:|]\s*|\s+|$)"
    )
    matcher = LabelMatcher(pattern, tuple(name for _, name in spellings))
    _MATCHERS[profile.digest] = matcher
    return matcher


def match_heading(text: str, profile: Profile | None = None) -> Heading | None:
    """The label a line starts with, in any spelling of the profile, with the value sharing its line.

    A label that is not a sheet field (``Service``) counts only with a colon: ``Service Jeunes`` is text.
    """
    profile = profile or packaged_profile()
    label_matcher(profile)
    return _heading_of(text, profile.digest)


@lru_cache(maxsize=8192)
def _heading_of(text: str, digest: str) -> Heading | None:
    """`match_heading` once per line text: the PDF reader asks about most lines twice."""
    matcher = _MATCHERS[digest]
    folded, index = _fold_with_index(text)
    match = matcher.pattern.match(folded)
    if match is None:
        return None
    group = next(name for name, value in match.groupdict().items() if value is not None and name[0] == "l")
    section = matcher.fields[int(group[1:])]
    explicit = bool(re.search(r"[:|]", match["separator"]))
    if section not in SECTION_ORDER and not explicit:
        return None
    value_start = index[match.end()] if match.end() < len(index) else len(text)
    value = text[value_start:].strip()
    if not explicit and value.endswith(":") and len(value.split()) <= LABEL_EXTENSION_MAX_WORDS:
        # "Coût éventuel de l'action :": a known wording with words added is still the label.
        return Heading(section, "", explicit_separator=True)
    return Heading(section, value, explicit_separator=explicit)


def split_sheets(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings, profile: Profile | None = None
) -> tuple[list[SheetDraft], list[SourceLine]]:
    """The sheets, in order, and the lines before the first sheet.

    A sheet starts where the sequence of labels starts again: at a label that goes back in the
    template's order (or at the first label), printed at the top of its page under at most
    ``max_title_lines`` lines: those lines are its title. A label that goes back elsewhere opens
    its section but is recorded as out of order. A label with a value on its line is only taken as
    a label when the section before it has a value (``Commune/Institution`` / ``Commune de
    Remich``: the second line is the value) and, without a colon, when its section is not yet
    filled (``Objectif général du plan…`` inside a description is text).
    """
    profile = profile or packaged_profile()
    sheets: list[SheetDraft] = []
    preamble: list[SourceLine] = []
    stream = [(line, match_heading(line.text, profile)) for page in pages for line in page]
    page, headings_on_page, position = None, 0, 0
    for index, (line, heading) in enumerate(stream):
        current = sheets[-1] if sheets else None
        if line.page != page:
            page, headings_on_page, position = line.page, 0, 0
        at_page_top = headings_on_page == 0 and position <= settings.max_title_lines
        position += 1
        action = _heading_action(heading, current, at_page_top) if heading is not None else "text"
        if (
            action == "new_sheet"
            and current is not None
            and _continues_sheet(current, heading, stream[index + 1 :])
        ):
            action = "text"  # the labels after it go on with the current sheet
        if action == "text" or heading is None:
            (current.open_lines if current is not None else preamble).append(line)
            continue
        headings_on_page += 1
        if action == "new_sheet":
            source = current.open_lines if current is not None else preamble
            title = _take_title_lines(source, line.page)
            current = SheetDraft(title)
            sheets.append(current)
        assert current is not None
        if action == "out_of_order":
            current.out_of_order.append(line)
        _open_section(current, heading, line)
    return sheets, preamble


def _continues_sheet(
    sheet: SheetDraft, heading: Heading | None, following: list[tuple[SourceLine, Heading | None]]
) -> bool:
    """Whether a label with a value that would start a sheet is text: the next label goes on with `sheet`.

    ``Commune de Strassen`` at a page top, followed by ``Coûts éventuels`` under a sheet that
    stopped at its place and periodicity, is that sheet's value, not a new sheet.
    """
    if heading is None or not heading.value:
        return False
    last = _last_field(sheet)
    upcoming = next((h for _, h in following if h is not None and h.section in SECTION_ORDER), None)
    if last is None or upcoming is None:
        return False
    return SECTION_ORDER.index(upcoming.section) > SECTION_ORDER.index(last)


def _last_field(sheet: SheetDraft) -> str | None:
    return next((section.name for section in reversed(sheet.sections) if section.name in SECTION_ORDER), None)


def _heading_action(heading: Heading, current: SheetDraft | None, at_page_top: bool) -> str:
    """``new_sheet``, ``section``, ``out_of_order`` or ``text`` (a line that only starts like a label)."""
    if current is None:
        return "new_sheet"
    if heading.section not in SECTION_ORDER:
        return "section"  # a label that is no sheet field: kept apart, never a sheet start
    last = _last_field(current)
    goes_back = last is not None and SECTION_ORDER.index(heading.section) < SECTION_ORDER.index(last)
    # Prose that starts with a label word ("Objectif général du plan…") starts no sheet, even at a
    # page top: only a bare label, a label with its colon, or the first label with its value does.
    bare = not heading.value or heading.explicit_separator or heading.section == SECTION_ORDER[0]
    if goes_back and at_page_top and bare:
        return "new_sheet"
    if heading.value and not current.open_lines:
        return "text"
    filled = current.section(heading.section) is not None
    if heading.value and (filled or goes_back) and not heading.explicit_separator:
        return "text"
    return "out_of_order" if goes_back else "section"


def _take_title_lines(source: list[SourceLine], page: int) -> list[SourceLine]:
    """Move the lines printed above the heading on its page from ``source`` to the new title."""
    start = len(source)
    while start > 0 and source[start - 1].page == page:
        start -= 1
    title = source[start:]
    del source[start:]
    return title


def _open_section(sheet: SheetDraft, heading: Heading, line: SourceLine) -> None:
    section = sheet.section(heading.section)
    if section is None:
        section = SheetSection(heading.section, line)
        sheet.sections.append(section)
    elif sheet.sections[-1] is not section:
        # A repeated heading ("Objectifs :" twice) continues its section where it was.
        sheet.sections.remove(section)
        sheet.sections.append(section)
    if heading.value:
        section.lines.append(SourceLine(heading.value, line.page, line.line, line.bbox))


# --- rows ------------------------------------------------------------------------------------


def slugify(text: str, max_chars: int) -> str:
    """Lower-case ASCII words joined by ``-``, French small words left out, cut at a word end."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = [word for word in re.split(r"[^a-z0-9]+", ascii_text) if word and word not in _SLUG_STOPWORDS]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars and slug:
            break
        slug = candidate[:max_chars]
    return slug or "untitled"


def sheet_ids(titles: list[str], settings: PracticeSheetSettings) -> list[str]:
    """``sheet-<slug of the title>``; a repeated slug gets ``-2``, ``-3`` in reading order.

    The id depends on the sheet's own title only, so adding or removing another sheet leaves it
    unchanged; the slug is cut short so that a title's last words (which a damaged rendering may
    lose) do not change it.
    """
    ids: list[str] = []
    for title in titles:
        base = "sheet-" + slugify(title, settings.sheet_id_max_chars)
        candidate, counter = base, 1
        while candidate in ids:
            counter += 1
            candidate = f"{base}-{counter}"
        ids.append(candidate)
    return ids


def page_span(lines: Iterable[SourceLine]) -> str:
    pages = sorted({line.page for line in lines})
    if not pages:
        return ""
    return str(pages[0]) if pages[0] == pages[-1] else f"{pages[0]}-{pages[-1]}"


def section_text(section: SheetSection | None) -> str:
    """A section's value: its printed lines, one per line."""
    if section is None:
        return ""
    return "\n".join(line.text for line in section.lines)


def sheet_records(
    sheets: list[SheetDraft], source_file: str, settings: PracticeSheetSettings
) -> PracticeSheetsExtraction:
    """Rows of both tables, findings and organisation mentions, from the sheets as printed."""
    titles = [" ".join(line.text for line in sheet.title_lines) for sheet in sheets]
    ids = sheet_ids(titles, settings)
    result = PracticeSheetsExtraction(source_file, [], [])
    result.findings += unprinted_label_findings(sheets, source_file, settings.required_sections)
    for sheet, sheet_id, title in zip(sheets, ids, titles, strict=True):
        row, contacts, findings, mentions = _sheet_rows(sheet, sheet_id, title, source_file, settings)
        result.sheets.append(row)
        result.contacts += contacts
        result.findings += findings
        result.organisation_mentions += mentions
    return result


def _sheet_rows(
    sheet: SheetDraft, sheet_id: str, title: str, source_file: str, settings: PracticeSheetSettings
) -> tuple[Row, list[Row], list[Finding], list[tuple[str, SourceLocation]]]:
    lines = sheet.all_lines()
    first = lines[0].location(source_file)
    values = {name: section_text(sheet.section(name)) for name in TEXT_SECTIONS}
    contact_section = sheet.section("contacts")
    block = read_contact_block(
        [
            ContactLine(line.text, line.location(source_file))
            for line in (contact_section.lines if contact_section else [])
        ],
        settings.phone_region,
    )
    if block.notes:
        notes = "\n".join(note.text for note in block.notes)
        values["other_info"] = f"{values['other_info']}\n{notes}" if values["other_info"] else notes
    row: Row = {
        "sheet_id": sheet_id,
        "title": title,
        **values,
        "source_file": source_file,
        "source_pages": page_span(lines),
    }
    findings = [finding.with_row("practice_contacts", sheet_id) for finding in block.findings]
    findings += _missing_section_findings(sheet, row, bool(block.contacts), first, settings)
    findings += [
        finding.with_row("practice_sheets", sheet_id) for finding in structure_findings(sheet, source_file)
    ]
    findings += _page_stitch_findings(sheet, sheet_id, source_file)
    contacts = [
        _contact_row(sheet_id, index, contact, source_file)
        for index, contact in enumerate(block.contacts, start=1)
    ]
    mentions = [
        (name, section.heading.location(source_file))
        for section_name in ("commune_institution", "organisers")
        if (section := sheet.section(section_name)) is not None
        for name in organisation_names(section_text(section))
    ]
    return row, contacts, findings, mentions


def _contact_row(sheet_id: str, index: int, contact: Contact, source_file: str) -> Row:
    return {
        "sheet_id": sheet_id,
        "contact_index": index,
        "name": contact.name,
        "role": contact.role,
        "organisation": contact.organisation,
        "address": contact.address,
        "phone_raw": contact.phone_raw,
        "phone": contact.phone,
        "email_raw": contact.email_raw,
        "email": contact.email,
        "website_raw": contact.website_raw,
        "website": contact.website,
        "source_file": source_file,
        "source_page": contact.location.page,
    }


def _missing_section_findings(
    sheet: SheetDraft, row: Row, has_contacts: bool, where: SourceLocation, settings: PracticeSheetSettings
) -> list[Finding]:
    findings = []
    if not row["title"]:
        findings.append(Finding("missing_value", "the sheet prints no title above its first heading", where))
    for name in settings.required_sections:
        empty = not has_contacts if name == "contacts" else not row[name]
        if not empty:
            continue
        printed = sheet.section(name) is not None
        reason = "heading printed without a value" if printed else "section not printed"
        findings.append(Finding("missing_value", f"section {name}: {reason}", where, column=name))
    return [finding.with_row("practice_sheets", row["sheet_id"]) for finding in findings]


def structure_findings(sheet: SheetDraft, source_file: str) -> list[Finding]:
    """What the sheet's structure cannot vouch for, each an error except a known non-field label.

    * a label printed against the template's order (not at a page top, so no new sheet);
    * a label that is no sheet field (``Service :``): its lines are kept out of every field;
    * a line shaped like a label (a short line ending with a colon) inside a field's value;
    * contact values (e-mail, phone, web address by form) printed while no contact was read.
    """
    findings = [
        Finding(
            "unreadable_row",
            f"label {line.text!r} printed out of the sheets' usual order: check the fields around it",
            line.location(source_file),
            value=line.text,
        )
        for line in sheet.out_of_order
    ]
    for section in sheet.sections:
        if section.name not in SECTION_ORDER:
            kept = "\n".join([section.heading.text, *(line.text for line in section.lines)])
            message = (
                f"label {section.heading.text!r} is no sheet field: its lines are kept out of every field"
            )
            findings.append(
                Finding(
                    "repaired_value",
                    message,
                    section.heading.location(source_file),
                    severity="warning",
                    value=kept,
                )
            )
            continue
        if section.name == "contacts" or not _skipped_fields(sheet, section):
            continue
        findings += [
            Finding(
                "unreadable_row",
                f"line {line.text!r} inside {section.name} looks like a label the profile does not know "
                f"(the sheet prints no {' / '.join(_skipped_fields(sheet, section))} after it)",
                line.location(source_file),
                column=section.name,
                value=line.text,
            )
            for position, line in enumerate(section.lines)
            if looks_like_unknown_label(line.text) and not _introduces_list(section.lines[position + 1 :])
        ]
    findings += _unread_contact_findings(sheet, source_file)
    return findings


def _skipped_fields(sheet: SheetDraft, section: SheetSection) -> list[str]:
    """The fields of the template's order between `section` and the next field the sheet prints."""
    printed = [name for name in SECTION_ORDER if sheet.section(name) is not None]
    position = printed.index(section.name)
    following = printed[position + 1] if position + 1 < len(printed) else None
    start = SECTION_ORDER.index(section.name) + 1
    end = SECTION_ORDER.index(following) if following else len(SECTION_ORDER)
    return [name for name in SECTION_ORDER[start:end] if name != "other_info" or following is None]


def _introduces_list(following: list[SourceLine]) -> bool:
    """A line ending with a colon above a bullet or numbered item introduces a list, not a field."""
    return bool(following) and bool(_BULLET.match(following[0].text) or _NUMBERED.match(following[0].text))


def looks_like_unknown_label(text: str) -> bool:
    """A short line ending with a colon, starting with a capital: how the brochure prints a label."""
    words = text.rstrip(" :").split()
    return (
        text.rstrip().endswith(":")
        and 0 < len(words) <= LABEL_MAX_WORDS
        and text[0].isupper()
        and not is_contact_value(text)
    )


def _unread_contact_findings(sheet: SheetDraft, source_file: str) -> list[Finding]:
    contacts = sheet.section("contacts")
    if contacts is not None and contacts.lines:
        return []
    printed = [
        (line, value)
        for section in sheet.sections
        if section.name != "other_info"
        for line in section.lines
        for value in printed_contact_values(line.text)
        if "@" in value or not value.lower().startswith(("www", "http"))
    ]
    return [
        Finding(
            "unreadable_row",
            f"the sheet prints {value!r} but no contact was read: is its contacts label worded another way?",
            line.location(source_file),
            value=value,
            context=line.text,
        )
        for line, value in printed[:1]
    ]


def unprinted_label_findings(
    sheets: list[SheetDraft], source_file: str, required: tuple[str, ...] = SECTION_ORDER
) -> list[Finding]:
    """A required field no sheet prints, in a brochure of several sheets: its label was likely re-worded."""
    if len(sheets) < MIN_SHEETS_FOR_LABEL_CHECK:
        return []
    printed = {section.name for sheet in sheets for section in sheet.sections}
    where = sheets[0].all_lines()[0].location(source_file)
    return [
        Finding(
            "unreadable_row",
            f"no sheet prints a label of {name!r}: if the brochure re-words it, add the wording"
            " to schemas/profiles/practice_sheets.toml",
            where,
            table="practice_sheets",
            column=name,
        )
        for name in required
        if name not in printed
    ]


def _page_stitch_findings(sheet: SheetDraft, sheet_id: str, source_file: str) -> list[Finding]:
    findings = []
    for section in sheet.sections:
        pages = sorted({section.heading.page, *(line.page for line in section.lines)})
        if len(pages) > 1:
            message = f"section {section.name} continues from page {pages[0]} to page {pages[-1]}"
            location = section.heading.location(source_file)
            finding = Finding("page_stitch", message, location, column=section.name)
            findings.append(finding.with_row("practice_sheets", sheet_id))
    return findings


# --- entry points ----------------------------------------------------------------------------


def looks_like_practice_sheets(text: str, profile: Profile | None = None) -> bool:
    """Whether a text reads as practice sheets: many bare section headings of most kinds."""
    profile = profile or packaged_profile()
    bare = [
        heading
        for line in text.splitlines()
        if (heading := match_heading(clean_line(line), profile)) and not heading.value
    ]
    kinds = {heading.section for heading in bare if heading.section in SECTION_ORDER}
    return len(bare) >= DETECTION_MIN_HEADINGS and len(kinds) >= DETECTION_MIN_SECTION_KINDS


def looks_like_practice_sheets_pdf(
    path: Path, settings: PracticeSheetSettings | None = None, profile: Profile | None = None
) -> bool:
    settings = settings or PracticeSheetSettings()
    pages = pdf_pages(path, settings, max_pages=settings.detection_pages, profile=profile)
    return looks_like_practice_sheets("\n".join(line.text for page in pages for line in page), profile)


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(1024).lstrip().startswith(b"%PDF-")
    except FileNotFoundError as error:
        raise InputError(path, "file not found") from error


def read_brochure_pages(
    path: Path, source_name: str, settings: PracticeSheetSettings, profile: Profile | None = None
) -> tuple[list[list[SourceLine]], list[Finding]]:
    """The brochure's pages of printed lines, from a PDF or a text extraction (told by content)."""
    if _is_pdf(path):
        pages = pdf_pages(path, settings, profile=profile)
        check_text_layer(path, pages)
        return pages, []
    document = read_text_document(path, source_name)
    if not looks_like_practice_sheets(document.text, profile):
        raise InputError(path, "not a practice-sheet brochure (no section headings found)")
    return text_pages(document.lines, settings), list(document.findings)


def check_text_layer(path: Path, pages: list[list[SourceLine]]) -> None:
    if not any(pages):
        raise InputError(path, "PDF has no text layer")


def practice_sheets_from_pages(
    path: Path,
    source_name: str,
    pages: list[list[SourceLine]],
    findings: list[Finding],
    settings: PracticeSheetSettings,
    profile: Profile | None = None,
) -> PracticeSheetsExtraction:
    """Both tables from the brochure's pages (read whole, or in page ranges by worker processes)."""
    profile = profile or packaged_profile()
    sheets, _ = split_sheets(content_pages(pages, settings, profile), settings, profile)
    if not sheets:
        raise InputError(path, "no practice sheet found (no section headings)")
    result = sheet_records(sheets, source_name, settings)
    result.findings = findings + paragraph_gap_findings(pages, source_name, settings) + result.findings
    result.page_text = page_text(pages)
    return result


def paragraph_gap_findings(
    pages: list[list[SourceLine]], source_file: str, settings: PracticeSheetSettings
) -> list[Finding]:
    """An error when the PDF sets its paragraphs with no wider gap between them than between lines.

    Paragraph ends are then told by line lengths alone, and a paragraph whose last line happens to
    fill the width runs into the next one: the reader cannot vouch for its line breaks.
    """
    measured = [
        gaps for page in pages if len(gaps := _printed_line_gaps(page)) >= settings.gap_check_min_lines
    ]
    tight = [page_gaps for page_gaps in measured if median(page_gaps) < settings.min_paragraph_gap_ratio]
    if not measured or len(tight) * 2 < len(measured):
        return []
    first = next(line for page in pages for line in page)
    message = (
        f"on {len(tight)} of {len(measured)} pages the printed lines are set without a wider gap between"
        " paragraphs: paragraph ends were guessed from line lengths; check multi-line values"
    )
    return [Finding("unreadable_row", message, first.location(source_file), table="practice_sheets")]


def _printed_line_gaps(page: list[SourceLine]) -> list[float]:
    """Gaps between a page's printed lines, over the height of one text line (PDF lines only)."""
    boxes = [line.bbox for line in page if line.bbox is not None]
    heights = sorted(box[3] - box[1] for box in boxes)
    if len(boxes) < 2 or not heights or heights[0] <= 0:
        return []
    line_height = heights[0]
    return [
        (below[1] - above[3]) / line_height for above, below in pairwise(boxes) if below[1] > above[3] - 1
    ]


def page_text(pages: list[list[SourceLine]]) -> PageText:
    """The PDF pages' printed lines for the report's context (text extractions have no boxes)."""
    return {
        lines[0].page: tuple(PageLine(line.text, line.bbox[1], line.bbox[3]) for line in lines if line.bbox)
        for lines in pages
        if lines and any(line.bbox for line in lines)
    }


def extract_practice_sheets(
    path: Path,
    source_name: str | None = None,
    settings: PracticeSheetSettings | None = None,
    profile: Profile | None = None,
) -> PracticeSheetsExtraction:
    """Both tables of the brochure, from its PDF or its text extraction, with findings.

    `profile` gives the labels (the packaged ``practice_sheets`` profile when None).
    """
    settings = settings or PracticeSheetSettings()
    profile = profile or packaged_profile()
    name = source_name or path.name
    pages, findings = read_brochure_pages(path, name, settings, profile)
    return practice_sheets_from_pages(path, name, pages, findings, settings, profile)
