"""A PDF's pages as plain data, read by PDFium (the default) or by pdfplumber (the reference).

The extractors need three things of a page: its characters with their boxes and font sizes, its
horizontal rules, and its size. Both engines give them as the same plain values (`PdfPage`), with
boxes as pdfminer draws them, so `pdf_text` groups them into the same words and lines and every table
comes out the same bytes whichever engine read the file (`tests/test_pdf_engines.py`):

* ``pdfium`` (`pdf_pdfium`, pypdfium2, BSD-3/Apache-2.0) parses a page in a fraction of pdfminer's
  time; it is the default.
* ``pdfplumber`` (`pdf_plumber`, pdfminer.six) is kept as the reference (``--engine pdfplumber``).

Each engine's module is imported when a PDF is first opened with it. The pages this process parsed
last are kept a while, so a PDF's first pages, read by kind detection, are not parsed again.

PyMuPDF is not an option: it is AGPL-3.0, this project is MIT. A file that cannot be read becomes one
`InputError` naming it, whichever engine met it.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from amif_extract.errors import InputError

if TYPE_CHECKING:
    from amif_extract.pdf_text import PdfPage

ENGINES = ("pdfium", "pdfplumber")
DEFAULT_ENGINE = "pdfium"


class PdfReader(Protocol):
    page_count: int

    def page(self, number: int) -> PdfPage: ...


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}: choose one of {', '.join(ENGINES)}")
    return engine


# The engine of every PDF this process opens without naming one: set from `BuildSettings.engine` by
# every build before it opens a PDF and by every worker task, as the stream cap is (`pdf_streams`).
_selected = {"engine": DEFAULT_ENGINE}


def use_engine(engine: str) -> None:
    _selected["engine"] = check_engine(engine)


def selected_engine() -> str:
    return _selected["engine"]


@contextmanager
def engine_in_use(engine: str) -> Iterator[None]:
    """`use_engine(engine)` for the block, the engine before it chosen again after it."""
    previous = selected_engine()
    use_engine(engine)
    try:
        yield
    finally:
        use_engine(previous)


def check_pdf_file(path: Path) -> None:
    """The reasons a file is no PDF at all, before any engine opens it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except FileNotFoundError as error:
        raise InputError(path, "file not found") from error
    except OSError as error:
        raise InputError(path, f"cannot read file ({error.strerror})") from error
    if not head:
        raise InputError(path, "file is empty")
    if not head.lstrip().startswith(b"%PDF-"):
        raise InputError(path, "not a PDF file (no %PDF- header)")


@contextmanager
def open_pdf(path: Path, engine: str | None = None) -> Iterator[PdfReader]:
    """Open `path` with `engine` (default: the one `use_engine` chose); any reason it cannot be read,
    then or while its pages are read, becomes one `InputError` naming it."""
    engine = check_engine(engine or selected_engine())
    check_pdf_file(path)
    with _opener(engine)(path) as reader:
        yield _RememberingReader(reader, _file_identity(path, engine))


def _opener(engine: str) -> Callable[[Path], AbstractContextManager[PdfReader]]:
    if engine == "pdfium":
        from amif_extract.pdf_pdfium import open_with_pdfium  # ctypes and PDFium: when first used

        return open_with_pdfium
    from amif_extract.pdf_plumber import open_with_pdfplumber  # pdfminer: likewise

    return open_with_pdfplumber


# The first pages of the PDFs this process parsed last, by file, engine and page: kind detection
# reads a PDF's first pages, as one kind and then another, and the extractor reads them again; each
# is parsed once. Later pages are never kept: a long PDF's pages pass through one at a time.
FIRST_PAGES = 10
RECENT_PAGES = 12
_RECENT: collections.OrderedDict[tuple[Any, ...], PdfPage] = collections.OrderedDict()


def _file_identity(path: Path, engine: str) -> tuple[Any, ...]:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, engine)


class _RememberingReader:
    def __init__(self, reader: PdfReader, identity: tuple[Any, ...]) -> None:
        self.reader = reader
        self.identity = identity
        self.page_count = reader.page_count

    def page(self, number: int) -> PdfPage:
        if number > FIRST_PAGES:
            return self.reader.page(number)
        key = (*self.identity, number)
        page = _RECENT.get(key)
        if page is None:
            page = _RECENT[key] = self.reader.page(number)
            while len(_RECENT) > RECENT_PAGES:
                _RECENT.popitem(last=False)
        else:
            _RECENT.move_to_end(key)
        return page
