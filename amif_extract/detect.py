"""Document-kind detection from content, never from the file name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.extract.textfile import decode_text

_PDF_MAGIC = b"%PDF-"
EXPECTED = (
    "expected the AMIF project list (PDF or text extraction), the practice-sheet brochure (PDF or text), "
    "or one of the known web pages (ministry conventions, ASTI convention summary, IOM France project list)"
)


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # amif_table | practice_sheets | web_page
    format: str  # pdf | text


def is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(1024).lstrip().startswith(_PDF_MAGIC)


def _pdf_kind(path: Path) -> str | None:
    from amif_extract.extract.amif_pdf import looks_like_amif_pdf
    from amif_extract.extract.practice_sheets import looks_like_practice_sheets_pdf

    if looks_like_amif_pdf(path):
        return "amif_table"
    if looks_like_practice_sheets_pdf(path):
        return "practice_sheets"
    return None


def _text_kind(text: str) -> str | None:
    from amif_extract.extract.amif_text import looks_like_amif_text
    from amif_extract.extract.practice_sheets import looks_like_practice_sheets
    from amif_extract.extract.web_pages import web_page_kind

    if looks_like_amif_text(text):
        return "amif_table"
    if looks_like_practice_sheets(text):
        return "practice_sheets"
    if web_page_kind(text) is not None:
        return "web_page"
    return None


def detect_document_kind(path: Path) -> DocumentKind:
    """Which extractor reads this file; an `InputError` naming the file when none does."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise InputError(path, "file not found") from error
    if size == 0:
        raise InputError(path, "file is empty")
    if is_pdf(path):
        kind = _pdf_kind(path)
        if kind is None:
            raise InputError(path, f"PDF of an unknown kind: {EXPECTED}")
        return DocumentKind(kind, "pdf")
    if path.suffix.lower() == ".pdf":
        raise InputError(path, "not a PDF file (no %PDF- header) although named .pdf")
    text, _, _ = decode_text(path.read_bytes(), path, path.name)
    kind = _text_kind(text)
    if kind is None:
        raise InputError(path, f"document of an unknown kind: {EXPECTED}")
    return DocumentKind(kind, "text")
