"""The AMIF project list, read from its text extraction (tab-separated cells, rows split over lines).

The extraction tool wrote each table row as a first line (title, period, amounts separated by tabs)
followed by continuation lines (the rest of the title, the period's second half, the carrier and
the selection procedure), then the full-width summary as untabbed paragraphs. The reading is a
chain of small steps, each testable on its own:

``read_lines`` (cells, markup removed) → ``group_rows`` (which lines make which row: a row starts
at a line with a period and an amount, or at a field label once the previous summary has begun)
→ ``read_row``: ``read_header`` (labels split the text into title / carrier / procedure / action,
the period's halves are joined, amounts are placed in their columns) → ``summary_paragraphs`` →
``title_from_summary`` and ``duplicate_summary_findings``.

Values stay text as printed (markup removed, lines joined); the normalizers parse them. Every
repair, guess or leftover is a finding on the line where the damage is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.amounts import AmountError, parse_amount
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

# --- patterns ------------------------------------------------------------------------------------

_DATE = r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"
# A period cell or one of its halves: "01/01/2023-", "31/12/2024", "01/01/2023- 31/12/2024".
_PERIOD_CELL = re.compile(rf"-?\s*{_DATE}\s*-?\s*(?:{_DATE}\s*)?")
_DATE_FOUND = re.compile(_DATE)
_CURRENCY = re.compile(r"€|\bEUR\b", re.IGNORECASE)
_MONEY_TEXT = re.compile(r"(?:€|EUR)?\s?[\d .,']+\s?(?:€|EUR)?", re.IGNORECASE)
_PUNCTUATION_ONLY = re.compile(r"[^\w€]+")
_SECTION = re.compile(r"obj[ée]ctif\s+sp[ée]cifique\s*(?:n[°o]\.?\s*)?(\d+)\b\s*(.*)", re.IGNORECASE)
_SECTION_LABEL_EDGES = ' \t:-–—"«»“”'
# A section line is a heading; a longer line starting with the same words is a paragraph.
_SECTION_LINE_MAX_CHARS = 160
_COLUMN_HEADER_LABELS = tuple(
    re.compile(label, re.IGNORECASE)
    for label in (
        r"\bprojet\b",
        r"p[ée]riode",
        r"part\s+ue",
        r"part\s+nationale",
        r"autre\s+part\s+publique",
        r"part\s+priv[ée]e",
        r"\btotal\b",
    )
)
# The column header row: a tabbed line with at least 3 of the column labels, or an untabbed one
# with at least 5 (a summary sentence may well say "projet", "période" and "total").
_COLUMN_HEADER_MIN_LABELS_TABBED = 3
_COLUMN_HEADER_MIN_LABELS_UNTABBED = 5
# A finding quotes at most this much of a long paragraph.
_FINDING_VALUE_MAX_CHARS = 200
# Field labels anywhere in a header cell; the "- " bullet before them is optional and dropped.
_FIELD_LABEL = re.compile(
    r"(?<!\w)(?:-\s*)?(?:"
    r"(?P<carrier>porteur\s+du\s+projet\s*:?)"
    r"|(?P<procedure>proc[ée]dure\s+de\s+s[ée]lection\s*:?)"
    r"|(?P<summary>r[ée]sum[ée]\s+du\s+projet\s*:?)"
    r")",
    re.IGNORECASE,
)
# "Action A.3. (OS1)": the code is the value; case-sensitive so prose "action" never matches.
_ACTION_LABEL = re.compile(
    r"(?<!\w)(?:-\s*)?Action\s+(?P<letter>[A-Z])\s?\.\s?(?P<number>\d+)\.?(?:\s*\(\s*OS\s*\d+\s*\))?"
)
_SUMMARY_LABEL_LINE = re.compile(r"\s*r[ée]sum[ée]\s+du\s+projet\s*:?\s*(?P<rest>.*)", re.IGNORECASE)
# A selection procedure is complete once it reads as a dated call or a direct award; until then
# the next fragments continue it, and a fragment repeating its end is a duplicate print.
_COMPLETE_PROCEDURE = re.compile(r"appel\b.*\b\d{4}|attribution\s+directe", re.IGNORECASE)
_QUOTED_TITLE = re.compile(r"«\s*([^«»]+?)\s*»")
# A paragraph cut mid-sentence: ends on a word, a comma or an opening bracket, and the next
# paragraph starts in lower case.
_UNFINISHED_END = re.compile(r"[\w,(\-–]$")
_AMIF_LABELS = (
    re.compile(r"part\s+ue", re.IGNORECASE),
    re.compile(r"p[ée]riode", re.IGNORECASE),
    re.compile(r"porteur\s+du\s+projet", re.IGNORECASE),
    re.compile(r"obj[ée]ctif\s+sp[ée]cifique", re.IGNORECASE),
)

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
    """

    number: int
    raw: str
    cells: tuple[str, ...]
    tabbed: bool

    @property
    def text(self) -> str:
        return " ".join(cell for cell in self.cells if cell)


def clean_cell(cell: str) -> str:
    return collapse_spaces(unicodedata.normalize("NFC", strip_markup(cell)))


def read_lines(lines: Sequence[str]) -> list[TextLine]:
    read = []
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n").lstrip("\ufeff")
        cells = [clean_cell(cell) for cell in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        read.append(TextLine(number, line, tuple(cells), "\t" in line))
    return read


def is_money_cell(cell: str) -> bool:
    """A cell printing an amount with its currency sign (not a fragment of one)."""
    return (
        bool(_CURRENCY.search(cell))
        and any(ch.isdigit() for ch in cell)
        and bool(_MONEY_TEXT.fullmatch(cell))
    )


def is_period_cell(cell: str) -> bool:
    return bool(_PERIOD_CELL.fullmatch(cell))


def section_of(line: TextLine) -> tuple[int, str] | None:
    """``(number, label)`` of a specific-objective line, the label as printed without quotes."""
    match = _SECTION.match(line.text)
    if match is None or len(line.text) > _SECTION_LINE_MAX_CHARS:
        return None
    return int(match.group(1)), match.group(2).strip(_SECTION_LABEL_EDGES)


def is_column_header(line: TextLine) -> bool:
    found = sum(1 for label in _COLUMN_HEADER_LABELS if label.search(line.text))
    needed = _COLUMN_HEADER_MIN_LABELS_TABBED if line.tabbed else _COLUMN_HEADER_MIN_LABELS_UNTABBED
    return found >= needed and not any(is_money_cell(cell) for cell in line.cells)


def period_cell_index(cells: Sequence[str]) -> int | None:
    return next((index for index, cell in enumerate(cells) if is_period_cell(cell)), None)


def is_row_start(line: TextLine) -> bool:
    """A row's first line: a period followed by an amount, or (period lost) two amounts."""
    if not line.tabbed:
        return False
    period = period_cell_index(line.cells)
    if period is not None:
        return any(is_money_cell(cell) for cell in line.cells[period + 1 :])
    return sum(1 for cell in line.cells if is_money_cell(cell)) >= 2


def is_date_fragments(line: TextLine) -> bool:
    filled = [cell for cell in line.cells if cell]
    return bool(filled) and all(is_period_cell(cell) for cell in filled)


def summary_label_rest(line: TextLine) -> str | None:
    """The text after a "Résumé du projet:" line's label ('' when alone); None for other lines."""
    match = _SUMMARY_LABEL_LINE.fullmatch(line.text)
    if match is None or has_field_label(match.group("rest")):
        return None
    return match.group("rest")


def has_field_label(text: str) -> bool:
    return any(kind in ("carrier", "procedure", "action") for kind, _, _ in iter_labels(text))


def starts_with_label(line: TextLine, kinds: Sequence[str] = ("carrier", "procedure")) -> bool:
    """One of ``kinds`` of label opens the line (a leaked "Résumé du projet" before it aside)."""
    for kind, start, _ in iter_labels(line.text):
        if kind == "summary" and start == 0:
            continue
        leading = line.text[:start]
        return kind in kinds and not _SUMMARY_LABEL_LINE.sub("", leading).strip()
    return False


def iter_labels(text: str) -> Iterator[tuple[str, int, int]]:
    """``(kind, start, end)`` of every label in ``text``, left to right, never overlapping."""
    found = [(match.start(), match.end(), str(match.lastgroup)) for match in _FIELD_LABEL.finditer(text)]
    found += [(match.start(), match.end(), "action") for match in _ACTION_LABEL.finditer(text)]
    end = 0
    for start, stop, kind in sorted(found):
        if start >= end:
            yield kind, start, stop
            end = stop


# --- rows: which lines belong together ------------------------------------------------------------


@dataclass
class RowBlock:
    """The lines of one row: its header lines and its summary paragraphs' lines."""

    section: tuple[int, str] | None
    header: list[TextLine]
    body: list[tuple[int, str]] = field(default_factory=list)
    summary_started: bool = False

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


def group_rows(lines: Sequence[TextLine], source: str) -> tuple[list[RowBlock], list[Finding]]:
    """Split the table into rows; lines before the table (the intro) are not read."""
    blocks: list[RowBlock] = []
    findings: list[Finding] = []
    section: tuple[int, str] | None = None
    row: RowBlock | None = None
    in_table = False
    for line in lines:
        if not line.text:
            continue
        found_section = section_of(line)
        if found_section is not None:
            section, row, in_table = found_section, None, True
        elif is_column_header(line):
            in_table = True
        elif is_row_start(line) or (in_table and _opens_reduced_row(line, row)):
            row, in_table = RowBlock(section, [line]), True
            blocks.append(row)
        elif not in_table:
            continue
        elif row is None:
            findings.append(_unreadable(line, source, "before the first project of its section"))
        else:
            _add_row_line(row, line, findings, source)
    return blocks, findings


def _opens_reduced_row(line: TextLine, row: RowBlock | None) -> bool:
    """A carrier or procedure label after the summary has begun (or before any row) opens a row."""
    return starts_with_label(line) and (row is None or row.summary_started)


def _add_row_line(row: RowBlock, line: TextLine, findings: list[Finding], source: str) -> None:
    """Header lines until the summary begins (a "Résumé du projet" line or the first prose)."""
    summary_rest = summary_label_rest(line)
    if summary_rest is not None:
        row.summary_started = True
        if summary_rest:
            row.body.append((line.number, summary_rest))
    elif _belongs_to_header(row, line):
        row.header.append(line)
    elif line.tabbed:
        findings.append(_unreadable(line, source, "table cells inside a summary"))
    else:
        row.summary_started = True
        row.body.append((line.number, line.raw))


def _belongs_to_header(row: RowBlock, line: TextLine) -> bool:
    if is_date_fragments(line) or starts_with_label(line, ("action",)):
        return True
    return not row.summary_started and (line.tabbed or has_field_label(line.text))


# --- one row's header: title, carrier, procedure, action, period, amounts --------------------------


@dataclass(frozen=True)
class Segment:
    """A stretch of header text and the field it belongs to ('' = the field being read)."""

    field: str
    text: str


def split_labelled_text(text: str) -> list[Segment]:
    """Cut a header cell at its labels: ``Porteur du projet : X Procédure de sélection : Y``.

    Text before the first label continues the field being read (``''``); each label takes the
    text up to the next label; an action label's value is its code.
    """
    labels = list(iter_labels(text))
    if not labels:
        return [Segment("", text.strip())] if text.strip() else []
    ends = [start for _, start, _ in labels[1:]] + [len(text)]
    lead = text[: labels[0][1]].strip()
    segments = [Segment("", lead)] if lead else []
    for (kind, start, end), stop in zip(labels, ends, strict=True):
        value = text[end:stop].strip()
        if kind == "action":
            match = _ACTION_LABEL.match(text, start)
            segments.append(Segment("action", f"{match['letter']}.{match['number']}" if match else ""))
            if value:
                segments.append(Segment("", value))
        else:
            segments.append(Segment(kind, value))
    return segments


@dataclass
class HeaderDraft:
    """What a row's header lines said so far; filled line by line by ``read_header``."""

    source: str
    current: str = "title"
    parts: dict[str, list[str]] = field(default_factory=lambda: {"title": [], "carrier": [], "procedure": []})
    action_code: str = ""
    period: list[str] = field(default_factory=list)
    amounts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(AMOUNT_COLUMNS, ""))
    summary_lead: list[tuple[int, str]] = field(default_factory=list)
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
        return len(_DATE_FOUND.findall(" ".join(self.period))) >= 2


def read_header(lines: Sequence[TextLine], source: str, settings: AmifTextSettings) -> HeaderDraft:
    draft = HeaderDraft(source)
    for index, line in enumerate(lines):
        if index == 0 and is_row_start(line):
            _read_first_line(draft, line, settings)
        elif is_date_fragments(line) and draft.period_complete():
            _drop_stray_dates(draft, [cell for cell in line.cells if cell], line.number)
        else:
            _read_continuation_line(draft, line)
    return draft


def _read_first_line(draft: HeaderDraft, line: TextLine, settings: AmifTextSettings) -> None:
    cells = list(line.cells)
    period = period_cell_index(cells)
    if period is None:
        period = next(index for index, cell in enumerate(cells) if is_money_cell(cell))
        amount_cells = cells[period:]
    else:
        draft.period.append(cells[period])
        amount_cells = cells[period + 1 :]
    _apply_segments(draft, _line_segments(draft, cells[:period], line.number), line.number)
    amount_cells = _drop_stray_punctuation(draft, amount_cells, line.number)
    place_amounts(draft, join_split_amounts(amount_cells), line.number, settings)


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
    period_end = _DATE_FOUND.findall(" ".join(draft.period))[-1:]
    if all(_DATE_FOUND.findall(cell) == period_end for cell in dates):
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
    segments = [segment for cell in cells for segment in split_labelled_text(cell)]
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
                draft.summary_lead.append((line, segment.text))
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


def _required_column_levels(settings: AmifTextSettings) -> list[frozenset[int]]:
    """Columns a placement must fill, strictest first; relaxed when a row cannot meet them."""
    eu, national, total = 0, 1, len(AMOUNT_COLUMNS) - 1
    levels = [frozenset({eu, total}), frozenset()]
    if settings.national_share_always_printed:
        levels.insert(0, frozenset({eu, national, total}))
    return levels


def amount_placements(cells: Sequence[str], settings: AmifTextSettings) -> list[tuple[int, ...]]:
    """Every order-keeping way to put the cells into the five amount columns, earliest first.

    Cells in place (as many as columns) have one placement. Collapsed cells have several; the
    ones that leave a required column (EU share, national share, total) empty are ruled out.
    """
    filled = [index for index, cell in enumerate(cells) if cell]
    placements = list(combinations(range(len(AMOUNT_COLUMNS)), len(cells)))
    for required in _required_column_levels(settings):
        valid = [p for p in placements if required <= {p[index] for index in filled}]
        if valid:
            return valid
    return placements


def place_amounts(draft: HeaderDraft, cells: list[AmountCell], line: int, settings: AmifTextSettings) -> None:
    """Put the amount cells in their columns; an amount with several possible columns is flagged."""
    if len(cells) > len(AMOUNT_COLUMNS):
        cells = [cell for cell in cells if cell.text]
    if len(cells) > len(AMOUNT_COLUMNS):
        for extra in cells[len(AMOUNT_COLUMNS) - 1 : -1]:
            draft.note("unreadable_row", "more amounts than amount columns", line, value=extra.text)
        cells = [*cells[: len(AMOUNT_COLUMNS) - 1], cells[-1]]
    placements = amount_placements([cell.text for cell in cells], settings)
    for index, cell in enumerate(cells):
        if cell.text:
            candidates = [AMOUNT_COLUMNS[column] for column in sorted({p[index] for p in placements})]
            _place_amount(draft, cell, AMOUNT_COLUMNS[placements[0][index]], candidates, line)


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


def summary_paragraphs(body: Sequence[tuple[int, str]]) -> list[Paragraph]:
    """One paragraph per source line, cleaned; a paragraph cut mid-sentence is joined back."""
    paragraphs: list[tuple[int, list[str]]] = []
    for number, raw in body:
        text = clean_cell_text(raw)
        if not text:
            continue
        if paragraphs and _continues(clean_cell_text("\n".join(paragraphs[-1][1])), text):
            paragraphs[-1][1].append(raw)
        else:
            paragraphs.append((number, [raw]))
    return [Paragraph(number, clean_cell_text("\n".join(raws))) for number, raws in paragraphs]


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


def read_row(block: RowBlock, source: str, settings: AmifTextSettings) -> AmifRow:
    draft = read_header(block.header, source, settings)
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
                "missing_value",
                "row printed before any specific-objective line",
                SourceLocation(source, line=block.start_line),
                column="specific_objective",
            )
        )
    return AmifRow(
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
        findings=sorted(findings, key=Finding.sort_key),
    )


def extract_amif_text_lines(
    lines: list[str], source_name: str, settings: AmifTextSettings = DEFAULT_SETTINGS
) -> AmifExtraction:
    """Read the AMIF list from its lines; never raises on content (problems become findings)."""
    blocks, findings = group_rows(read_lines(lines), source_name)
    rows = [read_row(block, source_name, settings) for block in blocks]
    return AmifExtraction(source_file=source_name, rows=rows, findings=findings)


def looks_like_amif_text(text: str) -> bool:
    """The AMIF list's labels are all there (Part UE, Période, Porteur du projet, Objectif spécifique)."""
    return all(label.search(text) for label in _AMIF_LABELS)


def extract_amif_text(
    path: Path, source_name: str | None = None, settings: AmifTextSettings = DEFAULT_SETTINGS
) -> AmifExtraction:
    """Read the AMIF list's text extraction; `InputError` when the file is not that list."""
    document = read_text_document(path, source_name)
    if not looks_like_amif_text(document.text):
        raise InputError(path, "not the AMIF project list (its table labels are missing)")
    extraction = extract_amif_text_lines(document.lines, document.source_name, settings)
    extraction.findings[:0] = document.findings
    return extraction
