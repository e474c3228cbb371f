"""Document-kind detection from content, never from the file name: the registry's extractors decide."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.extract.textfile import decode_text
from amif_extract.registry import Sample, expected_kinds, extractors

_PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # a registered kind's name (see `registry`)
    format: str  # pdf | text


def is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(1024).lstrip().startswith(_PDF_MAGIC)


def _first_kind(format: str, sample: Sample) -> str | None:
    """The kind of the first extractor of `format`, in registration order, that recognises the sample."""
    for extractor in extractors(format):
        if extractor.detect(sample):
            return extractor.kind
    return None


def detect_document_kind(path: Path, profiles_dir: Path | None = None) -> DocumentKind:
    """Which extractor reads this file, its labels read with the profiles in `profiles_dir` (a dataset's;
    default: the packaged ones); an `InputError` naming the file when none does."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise InputError(path, "file not found") from error
    if size == 0:
        raise InputError(path, "file is empty")
    if is_pdf(path):
        kind = _first_kind("pdf", Sample(path, profiles_dir=profiles_dir))
        if kind is None:
            raise InputError(path, f"PDF of an unknown kind: expected {expected_kinds()}")
        return DocumentKind(kind, "pdf")
    if path.suffix.lower() == ".pdf":
        raise InputError(path, "not a PDF file (no %PDF- header) although named .pdf")
    text, _, _ = decode_text(path.read_bytes(), path, path.name)
    kind = _first_kind("text", Sample(path, text, profiles_dir))
    if kind is None:
        raise InputError(path, f"document of an unknown kind: expected {expected_kinds()}")
    return DocumentKind(kind, "text")
