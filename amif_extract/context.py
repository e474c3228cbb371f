"""The source text around a finding, so a steward can judge it without opening the document.

For a text source the finding's line is known: the lines around it are shown with it marked. A PDF
finding knows its page and sometimes a bounding box; its page is read once (`pdf_engine`) as text
lines with their vertical position, and the lines near the box are shown. Without a box, the row is
found on its page by text the row prints (its title, its carrier, the offending value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding
from amif_extract.pagetext import PageLine, PageText
from amif_extract.pdf_engine import PdfReader, open_pdf
from amif_extract.pdf_text import text_lines_from_chars


class SourceDocument(Protocol):
    """What context needs of a build input (`pipeline.InputDocument` has these)."""

    @property
    def path(self) -> Path: ...

    @property
    def source_file(self) -> str: ...

    @property
    def format(self) -> str: ...

    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class ContextSettings:
    """How much text around a finding is shown."""

    lines_before: int = 3  # lines shown above the finding's first line
    lines_after: int = 3  # lines shown below its last line
    max_line_chars: int = 220  # longer lines (a summary is one line in a text file) are cut with "…"
    bbox_margin: float = 2.0  # points: a PDF line this close to the finding's box belongs to it
    anchor_words: int = 5  # at most this many leading words of an anchor text are searched on a PDF page
    min_anchor_chars: int = 4  # shorter anchors match too many lines to locate a row

    def __post_init__(self) -> None:
        for name in ("lines_before", "lines_after", "bbox_margin"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in ("max_line_chars", "anchor_words", "min_anchor_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass(frozen=True)
class ContextLine:
    """One line of source text; `number` is the file's line number, or the line's rank on a PDF page."""

    number: int
    text: str
    marked: bool


@dataclass(frozen=True)
class SourceContext:
    source_file: str
    page: int | None
    lines: tuple[ContextLine, ...]
    how: str  # how the finding was placed: "line", "bbox" or the kind of anchor text that matched


_NUMBER = re.compile(r"^[-+]?[\d\s.,\u00a0\u202f]+€?$")


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def window(count: int, first: int, last: int, settings: ContextSettings) -> range:
    """0-based indices of the lines shown around lines `first`..`last` (0-based) of `count` lines."""
    return range(max(0, first - settings.lines_before), min(count, last + settings.lines_after + 1))


def context_lines(
    texts: Sequence[str], marked: set[int], settings: ContextSettings
) -> tuple[ContextLine, ...]:
    """The lines around the `marked` ones (0-based indices), numbered from 1, long lines cut."""
    shown = window(len(texts), min(marked), max(marked), settings)
    limit = settings.max_line_chars
    return tuple(ContextLine(index + 1, _shorten(texts[index], limit), index in marked) for index in shown)


BBox = tuple[float, float, float, float]


def lines_in_bbox(lines: Sequence[PageLine], bbox: BBox, margin: float) -> set[int]:
    """Indices of the page lines that overlap the box vertically (bbox is x0, top, x1, bottom)."""
    top, bottom = bbox[1] - margin, bbox[3] + margin
    return {index for index, line in enumerate(lines) if line.bottom >= top and line.top <= bottom}


def anchor_needle(anchor: str, settings: ContextSettings) -> str:
    """The leading words of an anchor: the part of a wrapped cell that shares a line with the row's start."""
    return _squash(" ".join(anchor.split()[: settings.anchor_words]))


def find_anchor(lines: Sequence[PageLine], anchor: str, settings: ContextSettings) -> int | None:
    """The first page line that prints the anchor's leading words (or, for a number, its digits)."""
    needle = anchor_needle(anchor, settings)
    if len(needle) < settings.min_anchor_chars:
        return None
    for index, line in enumerate(lines):
        if needle in _squash(line.text):
            return index
    digits = _digits(anchor)
    # An amount is printed with other spacing and separators than its normalized value: compare digits.
    if _NUMBER.match(anchor) and len(digits) >= settings.min_anchor_chars:
        for index, line in enumerate(lines):
            if digits in _digits(line.text):
                return index
    return None


# PDF page text by (file sha256, page number), shared by the builds of one process (`check`, tests):
# a page reads the same whenever its file has the same checksum, and reading one takes ~0.1 s.
_SHARED_PAGE_LINES: dict[tuple[str, int], list[PageLine]] = {}
SHARED_PAGE_LIMIT = 2000  # pages kept at most; the cache is emptied when full


class SourceTexts:
    """The text of a build's documents, read once each (a PDF page once) and cached for the build."""

    def __init__(
        self,
        documents: Iterable[SourceDocument],
        settings: ContextSettings | None = None,
        page_text: Mapping[str, PageText] | None = None,
    ) -> None:
        self.settings = settings or ContextSettings()
        self.documents = {document.source_file: document for document in documents}
        self._text_lines: dict[str, list[str]] = {}
        self._pdfs: dict[str, PdfReader] = {}
        self._stack = ExitStack()
        self._page_lines: dict[tuple[str, int], list[PageLine]] = {}
        # Lines the extractors kept: a page found here is never parsed again.
        for source_file, pages in (page_text or {}).items():
            for number, lines in pages.items():
                self._page_lines[(source_file, number)] = list(lines)

    def __enter__(self) -> SourceTexts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        self._pdfs.clear()

    def text_lines(self, source_file: str) -> list[str]:
        if source_file not in self._text_lines:
            document = self.documents[source_file]
            self._text_lines[source_file] = read_text_document(document.path, source_file).lines
        return self._text_lines[source_file]

    def page_lines(self, source_file: str, page_number: int) -> list[PageLine]:
        key = (source_file, page_number)
        shared_key = (self.documents[source_file].sha256, page_number)
        if key not in self._page_lines and shared_key[0] and shared_key in _SHARED_PAGE_LINES:
            self._page_lines[key] = _SHARED_PAGE_LINES[shared_key]
        if key not in self._page_lines:
            if source_file not in self._pdfs:  # only for a page no extractor kept: the slow path
                self._pdfs[source_file] = self._stack.enter_context(
                    open_pdf(self.documents[source_file].path)
                )
            reader = self._pdfs[source_file]
            lines: list[PageLine] = []
            if 1 <= page_number <= reader.page_count:
                found = text_lines_from_chars(reader.page(page_number).chars)
                lines = [PageLine(line.text, line.top, line.bottom) for line in found]
            self._page_lines[key] = lines
            if shared_key[0]:
                if len(_SHARED_PAGE_LINES) >= SHARED_PAGE_LIMIT:
                    _SHARED_PAGE_LINES.clear()
                _SHARED_PAGE_LINES[shared_key] = lines
        return self._page_lines[key]

    def context_for(self, finding: Finding, anchors: Sequence[tuple[str, str]] = ()) -> SourceContext | None:
        """The text around `finding`; `anchors` are (kind, text) pairs its row prints, best first."""
        location = finding.location
        document = self.documents.get(location.file)
        if document is None:
            return None
        if document.format == "pdf":
            if location.page is None:
                return None
            return self._pdf_context(finding, anchors)
        if location.line is None:
            return None
        texts = self.text_lines(location.file)
        if not 1 <= location.line <= len(texts):
            return None
        lines = context_lines(texts, {location.line - 1}, self.settings)
        return SourceContext(location.file, None, lines, "line")

    def _pdf_context(self, finding: Finding, anchors: Sequence[tuple[str, str]]) -> SourceContext | None:
        location = finding.location
        assert location.page is not None
        page_lines = self.page_lines(location.file, location.page)
        texts = [line.text for line in page_lines]
        if location.bbox is not None:
            marked = lines_in_bbox(page_lines, location.bbox, self.settings.bbox_margin)
            if marked:
                lines = context_lines(texts, marked, self.settings)
                return SourceContext(location.file, location.page, lines, "bbox")
        for kind, anchor in anchors:
            index = find_anchor(page_lines, anchor, self.settings)
            if index is not None:
                lines = context_lines(texts, {index}, self.settings)
                return SourceContext(location.file, location.page, lines, kind)
        return None
