"""The records a build passes between its stages: settings, input documents, extractions, results.

Every stage may import this module and it imports no stage: the records sit at the bottom of the
house so that the pipeline, the parallel runner, the report and the data package can share them
without importing one another.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amif_extract.cache import default_cache_dir
from amif_extract.errors import InputError
from amif_extract.findings import Finding
from amif_extract.pdf_engine import DEFAULT_ENGINE, check_engine, use_engine
from amif_extract.pdf_streams import limit_pdf_streams
from amif_extract.profiles import Profile
from amif_extract.records import Row

# A progress callback: (what is happening, steps done, steps in all).
Progress = Callable[[str, int, int], None]


def no_progress(message: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class BuildSettings:
    """Limits and switches of a build, with the CLI option that sets each."""

    max_file_mb: float = 200.0  # --max-file-mb: larger source files are refused
    max_pages: int = 5000  # --max-pages: PDFs with more pages are refused
    # --workers: extraction processes (1: serial, in the build's own process). None: as many as the
    # PDF pages to parse call for (see `extraction_processes`).
    workers: int | None = None
    # (library only) With `workers` unset: this many PDF pages to parse or fewer are parsed in the
    # build's own process, where a pool costs as much as it saves or more...
    pool_min_pages: int = 4
    # ...fewer than this by one process less than there are cores (one at least), while the build
    # loads its table libraries, which takes as long as parsing a few dozen pages; more by every core.
    all_cores_min_pages: int = 150
    # (library only) PDF pages one task reads; None: chosen per PDF (see `parallel.pages_per_task`).
    pages_per_task: int | None = None
    scheduler: str | None = None  # --scheduler: a Dask scheduler's address (tcp://HOST:PORT) to run on
    scheduler_timeout_s: float = 10.0  # --scheduler-timeout: seconds to wait for the scheduler
    # --worker-timeout: seconds a Dask build waits while the scheduler has no running worker (at the
    # start, or once every worker has died) before it is refused.
    worker_timeout_s: float = 60.0
    use_cache: bool = True  # --no-cache turns it off: every document is parsed again
    # --cache-dir: where extraction results are cached (None: $AMIF_EXTRACT_CACHE, else
    # $XDG_CACHE_HOME/amif-extract, else ~/.cache/amif-extract).
    cache_dir: Path | None = None
    # --max-stream-mb: a PDF stream that inflates past this is refused (a decompression bomb).
    max_stream_mb: float = 256.0
    # --engine: what parses PDF pages, pdfium (fast) or pdfplumber (the reference); same tables.
    engine: str = DEFAULT_ENGINE

    def __post_init__(self) -> None:
        if self.max_file_mb <= 0:
            raise ValueError("max_file_mb must be positive")
        if self.max_pages <= 0:
            raise ValueError("max_pages must be positive")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")
        if self.pool_min_pages < 0 or self.all_cores_min_pages < 0:
            raise ValueError(
                f"pool_min_pages and all_cores_min_pages must not be negative (got {self.pool_min_pages},"
                f" {self.all_cores_min_pages})"
            )
        if self.pages_per_task is not None and self.pages_per_task < 1:
            raise ValueError(f"pages_per_task must be at least 1 (got {self.pages_per_task})")
        if self.scheduler is not None and "://" not in self.scheduler:
            raise ValueError(f"scheduler must be an address like tcp://HOST:PORT (got {self.scheduler!r})")
        if self.scheduler_timeout_s <= 0:
            raise ValueError("scheduler_timeout_s must be positive")
        if self.worker_timeout_s <= 0:
            raise ValueError(f"worker_timeout_s must be positive (got {self.worker_timeout_s})")
        if self.max_stream_mb <= 0:
            raise ValueError(f"max_stream_mb must be positive (got {self.max_stream_mb})")
        check_engine(self.engine)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_stream_bytes(self) -> int:
        return int(self.max_stream_mb * 1024 * 1024)

    @property
    def effective_workers(self) -> int:
        return self.workers if self.workers is not None else os.cpu_count() or 1

    def extraction_processes(self, pdf_pages: int) -> int:
        """Worker processes to extract with when `pdf_pages` PDF pages are to be parsed; 0: in the
        build's own process. `workers` when set (1 meaning 0), else by `pool_min_pages` and
        `all_cores_min_pages`."""
        if self.workers is not None:
            return 0 if self.workers == 1 else self.workers
        cores = os.cpu_count() or 1
        if pdf_pages <= self.pool_min_pages or cores == 1:
            return 0
        # In PDFium pages: pdfplumber parses a page in about four times as long (docs/performance.md).
        work = pdf_pages * (4 if self.engine == "pdfplumber" else 1)
        return max(1, cores - 1) if work < self.all_cores_min_pages else cores

    @property
    def effective_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else default_cache_dir()


def read_pdfs_as(settings: BuildSettings) -> None:
    """This process reads PDFs under `settings` from now on: their stream cap and their engine. Every
    build sets it before it opens a PDF, and every worker task, which may run in another process."""
    limit_pdf_streams(settings.max_stream_bytes)
    use_engine(settings.engine)


@dataclass(frozen=True)
class InputDocument:
    """A document the build reads: where it is, what it is, and its checksum."""

    path: Path
    source_file: str
    kind: str
    format: str
    sha256: str
    # The labels its kind prints (the dataset's profile, else the packaged one): data the document
    # carries to whichever process or machine reads it. None for a kind without a profile.
    profile: Profile | None = None


@dataclass
class DocumentExtraction:
    """What one document gave: its extractor's record, read through its kind's registry entry."""

    document: InputDocument
    payload: Any  # AmifExtraction, PracticeSheetsExtraction, WebPageExtraction... by `document.kind`


@dataclass
class BuildResult:
    tables: dict[str, list[Row]]
    findings: list[Finding]
    inputs: list[InputDocument]
    metadata: dict[str, Any] = field(default_factory=dict)


def check_page_limit(document: InputDocument, page_count: int | None, settings: BuildSettings) -> None:
    """`InputError` when a PDF has more pages than `settings.max_pages`."""
    if page_count is not None and page_count > settings.max_pages:
        raise InputError(
            document.path, f"PDF has {page_count} pages, over the limit of {settings.max_pages} (--max-pages)"
        )
