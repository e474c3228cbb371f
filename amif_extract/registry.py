"""The one registry of document kinds and their extractors: everything the build knows about a kind.

A *kind* (`DocumentKind`) says which output tables its documents fill and how its extractor's record
feeds the assembly: rows per table and findings, organisation names to link, PDF pages' lines for
the report. An *extractor* (`Extractor`, one per kind and format) says how a file of that kind is
recognised from its content, read whole, and, for a long PDF, read in page ranges that workers share
and put back together. The pipeline, the parallel runner, the cache, detection and the manifest ask
this module; none of them names a kind. Adding a kind: see `docs/architecture.md`.

The built-in extractors are imported on first use, each through a small function below: pdfplumber
alone costs a cached rebuild about 0.12 s, and the text extractors compile their patterns and load
phone-number metadata on import, which a build whose extractions all come from the cache never needs.
Their records live in `amif_extract.records`, which imports none of that, so the cache can be told
which classes it may build without importing an extractor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amif_extract.build_records import (
    BuildResult,
    BuildSettings,
    DocumentExtraction,
    InputDocument,
    Row,
    check_page_limit,
)
from amif_extract.cache_codec import provide_record_types
from amif_extract.errors import InputError
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.projects import normalize_projects
from amif_extract.pagetext import PageLine, PageText
from amif_extract.profiles import Profile, profile_for
from amif_extract.records import AmifExtraction, AmifRow, PracticeSheetsExtraction, WebPageExtraction

if TYPE_CHECKING:
    from amif_extract.extract.amif_pdf import PageLayout
    from amif_extract.extract.practice_sheets import SourceLine
    from amif_extract.tables import TableSpec

# An organisation as a document names it, and where.
Mention = tuple[str, SourceLocation]


@dataclass(frozen=True)
class KindTables:
    """What all documents of one kind give the output tables: rows per table, and findings."""

    tables: dict[str, list[Row]]
    findings: list[Finding]


def _no_mentions(payload: Any) -> list[Mention]:
    return []


def _no_page_text(payload: Any) -> PageText:
    return {}


def _no_record_types() -> Sequence[type]:
    return ()


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: the tables it fills and how its extractor's record feeds the assembly."""

    name: str  # as the manifest's `kind` spells it
    description: str  # what a reader calls it, for the error naming the kinds detection knows
    # The kind's output tables (contracts load pandera, so they are built on call).
    table_specs: Callable[[], Sequence[TableSpec]]
    # Every record of this kind, in document order -> rows of the kind's tables and findings.
    collect: Callable[[Sequence[Any]], KindTables]
    # One record -> the organisations it names, to link against the authority.
    mentions: Callable[[Any], Sequence[Mention]] = _no_mentions
    # One record -> its PDF pages' printed lines, kept for the report's source context.
    page_text: Callable[[Any], PageText] = _no_page_text
    # The record classes its extractor's payload is made of: the cache decodes only listed classes.
    record_types: Callable[[], Sequence[type]] = _no_record_types


@dataclass(frozen=True)
class Sample:
    """What detection looks at: the file, and its decoded text when the format is text ("" for a PDF)."""

    path: Path
    text: str = ""
    profiles_dir: Path | None = None  # a dataset's profiles, which win over the packaged ones

    def profile(self, kind: str) -> Profile | None:
        return profile_for(kind, self.profiles_dir)


@dataclass(frozen=True)
class Extractor:
    """How documents of one kind and format are recognised and read."""

    kind: str
    format: str  # pdf | text
    # Bump whenever a change to the extractor (or to the code it calls) changes what it returns:
    # cached results of the old version are then never used again.
    version: str
    detect: Callable[[Sample], bool]  # whether a file of this format is a document of this kind
    # (path, source file name, the kind's profile) -> the kind's record
    extract: Callable[[Path, str, Profile | None], Any]
    # PDFs: the page count as the extractor opens the file (checked against --max-pages).
    page_count: Callable[[Path], int] | None = None
    # Splittable PDFs: pages first..last as plain picklable data, one item per page...
    read_pages: Callable[[Path, int, int, Profile | None], list[Any]] | None = None
    # ...and the record from every page's data in page order, as `extract` would give it.
    assemble_pages: Callable[[Path, str, list[Any], Profile | None], Any] | None = None

    @property
    def splittable(self) -> bool:
        return self.read_pages is not None and self.assemble_pages is not None


@dataclass
class Registry:
    kinds: dict[str, DocumentKind] = field(default_factory=dict)
    extractors: dict[tuple[str, str], Extractor] = field(default_factory=dict)


_REGISTRY = Registry()


def register(kind: DocumentKind, *extractors: Extractor) -> None:
    """Add a kind and its extractors; kinds are consulted (detection, table order) in registration order."""
    if kind.name in _REGISTRY.kinds:
        raise ValueError(f"document kind {kind.name!r} is registered already")
    for extractor in extractors:
        if extractor.kind != kind.name:
            raise ValueError(f"extractor for {extractor.kind!r} registered with kind {kind.name!r}")
        if extractor.format not in FORMATS:
            raise ValueError(f"extractor format {extractor.format!r} is not one of {', '.join(FORMATS)}")
        if extractor.format == "pdf" and extractor.page_count is None:
            raise ValueError(f"the PDF extractor of {kind.name!r} needs a page_count")
        if (extractor.read_pages is None) != (extractor.assemble_pages is None):
            raise ValueError(f"the extractor of {kind.name!r} needs both read_pages and assemble_pages")
    _REGISTRY.kinds[kind.name] = kind
    for extractor in extractors:
        _REGISTRY.extractors[(extractor.kind, extractor.format)] = extractor
    provide_record_types(cached_record_types)


def unregister(name: str) -> None:
    """Remove a kind and its extractors (tests register kinds of their own)."""
    _REGISTRY.kinds.pop(name, None)
    for key in [key for key in _REGISTRY.extractors if key[0] == name]:
        del _REGISTRY.extractors[key]
    provide_record_types(cached_record_types)


def cached_record_types() -> list[type]:
    """Every record class a cache entry may hold: the build's own records and each kind's."""
    build_records = [
        BuildResult,
        DocumentExtraction,
        InputDocument,
        Finding,
        SourceLocation,
        PageLine,
        Profile,
    ]
    return build_records + [kind_type for kind in document_kinds() for kind_type in kind.record_types()]


FORMATS = ("pdf", "text")


def document_kinds() -> list[DocumentKind]:
    return list(_REGISTRY.kinds.values())


def kind_names() -> list[str]:
    """The kinds a manifest may name, in registration order."""
    return list(_REGISTRY.kinds)


def kind_named(name: str) -> DocumentKind:
    return _REGISTRY.kinds[name]


def extractors(format: str) -> list[Extractor]:
    """The extractors of one format, in registration order: the order detection tries them."""
    return [extractor for extractor in _REGISTRY.extractors.values() if extractor.format == format]


def extractor_for(document: InputDocument) -> Extractor:
    extractor = _REGISTRY.extractors.get((document.kind, document.format))
    if extractor is None:
        raise InputError(
            document.path, f"no extractor for documents of kind {document.kind!r} ({document.format})"
        )
    return extractor


def extractor_version(document: InputDocument) -> str:
    extractor = _REGISTRY.extractors.get((document.kind, document.format))
    return extractor.version if extractor is not None else "unknown"


def has_page_count(document: InputDocument) -> bool:
    """Whether the document's extractor reads a page count (a PDF's, checked against --max-pages)."""
    extractor = _REGISTRY.extractors.get((document.kind, document.format))
    return extractor is not None and extractor.page_count is not None


def is_splittable(document: InputDocument) -> bool:
    extractor = _REGISTRY.extractors.get((document.kind, document.format))
    return extractor is not None and extractor.splittable


def extract_document(document: InputDocument, settings: BuildSettings) -> DocumentExtraction:
    """Run the extractor for one document; a plain top-level function so it can run in a worker process."""
    extractor = extractor_for(document)
    if extractor.page_count is not None:
        pdf_page_count_for(document, settings)
    return DocumentExtraction(
        document, extractor.extract(document.path, document.source_file, document.profile)
    )


def pdf_page_count_for(document: InputDocument, settings: BuildSettings) -> int:
    """A PDF's page count, read as its extractor opens it; `InputError` past `settings.max_pages`."""
    extractor = extractor_for(document)
    if extractor.page_count is None:
        raise InputError(document.path, f"documents of kind {document.kind!r} have no pages to count")
    count = extractor.page_count(document.path)
    check_page_limit(document, count, settings)
    return count


def read_page_range(document: InputDocument, first: int, last: int) -> list[Any]:
    """Pages first..last of a splittable PDF, as the plain data its assembler takes."""
    extractor = extractor_for(document)
    if extractor.read_pages is None:
        raise InputError(document.path, f"documents of kind {document.kind!r} are not read in page ranges")
    return extractor.read_pages(document.path, first, last, document.profile)


def assemble_pages(document: InputDocument, pages: list[Any]) -> DocumentExtraction:
    """A splittable PDF's extraction from all its pages in order, as `extract_document` would give it."""
    extractor = extractor_for(document)
    if extractor.assemble_pages is None:
        raise InputError(document.path, f"documents of kind {document.kind!r} are not read in page ranges")
    payload = extractor.assemble_pages(document.path, document.source_file, pages, document.profile)
    return DocumentExtraction(document, payload)


def collect_tables(extractions: Sequence[DocumentExtraction]) -> KindTables:
    """Every kind's rows and findings, kinds in registration order, each kind's documents in order.

    A kind without documents still gives its tables, empty, so every output table is written.
    """
    tables: dict[str, list[Row]] = {}
    findings: list[Finding] = []
    for kind in document_kinds():
        payloads = [result.payload for result in extractions if result.document.kind == kind.name]
        collected = kind.collect(payloads)
        tables.update(collected.tables)
        findings += collected.findings
    return KindTables(tables, findings)


def organisation_mentions(extractions: Sequence[DocumentExtraction]) -> list[Mention]:
    """The organisations every document names, in document order."""
    return [
        mention
        for result in extractions
        for mention in kind_named(result.document.kind).mentions(result.payload)
    ]


def page_texts(extractions: Sequence[DocumentExtraction]) -> dict[str, PageText]:
    """The PDF pages' printed lines kept by the extractors, by source file, for the report."""
    kept = {}
    for result in extractions:
        text = kind_named(result.document.kind).page_text(result.payload)
        if text:
            kept[result.document.source_file] = text
    return kept


def kind_table_specs() -> list[TableSpec]:
    """Every registered kind's output tables, kinds in registration order."""
    return [spec for kind in document_kinds() for spec in kind.table_specs()]


def expected_kinds() -> str:
    """The kinds detection knows, as a reader would list them."""
    names = [kind.description for kind in document_kinds()]
    return ", ".join(names) if len(names) < 2 else f"{', '.join(names[:-1])}, or {names[-1]}"


# --- the AMIF project list ---------------------------------------------------------------------


def _amif_table_specs() -> list[TableSpec]:
    from amif_extract.schemas.amif_projects import AmifProjects  # pandera: only when tables are built
    from amif_extract.tables import TableSpec  # pandas and pyarrow: likewise

    return [TableSpec("amif_projects", AmifProjects, "project_id")]


def _collect_amif(payloads: Sequence[AmifExtraction]) -> KindTables:
    projects = normalize_projects(payloads)
    return KindTables({"amif_projects": projects.rows}, list(projects.findings))


def _amif_record_types() -> list[type]:
    return [AmifExtraction, AmifRow]


def _amif_page_text(payload: AmifExtraction) -> PageText:
    return payload.page_text


def _looks_like_amif_pdf(sample: Sample) -> bool:
    from amif_extract.extract.amif_pdf import looks_like_amif_pdf  # pdfplumber: see the module's doc

    return looks_like_amif_pdf(sample.path, profile=sample.profile("amif_table"))


def _extract_amif_pdf(path: Path, source_file: str, profile: Profile | None) -> AmifExtraction:
    from amif_extract.extract.amif_pdf import extract_amif_pdf  # pdfplumber: see the module's doc

    return extract_amif_pdf(path, source_file, profile=profile)


def _amif_pdf_page_count(path: Path) -> int:
    from amif_extract.extract.amif_pdf import pdf_page_count  # pdfplumber: see the module's doc

    return pdf_page_count(path)


def _read_amif_pages(path: Path, first: int, last: int, profile: Profile | None) -> list[PageLayout]:
    from amif_extract.extract.amif_pdf import read_page_layouts  # pdfplumber: see the module's doc

    return read_page_layouts(path, first, last)  # words and rules: the labels are read on assembly


def _assemble_amif_pages(
    path: Path, source_file: str, pages: list[PageLayout], profile: Profile | None
) -> AmifExtraction:
    from amif_extract.extract.amif_pdf import amif_rows_from_layouts  # pdfplumber: see the module's doc

    return amif_rows_from_layouts(path, source_file, pages, profile=profile)


def _looks_like_amif_text(sample: Sample) -> bool:
    from amif_extract.extract.amif_text import looks_like_amif_text  # compiles its patterns on import

    return looks_like_amif_text(sample.text, sample.profile("amif_table"))


def _extract_amif_text(path: Path, source_file: str, profile: Profile | None) -> AmifExtraction:
    from amif_extract.extract.amif_text import extract_amif_text  # compiles its patterns on import

    return extract_amif_text(path, source_file, profile=profile)


# --- the practice-sheet brochure ---------------------------------------------------------------


def _practice_table_specs() -> list[TableSpec]:
    from amif_extract.schemas.practice_sheets import TABLES  # pandera: only when tables are built
    from amif_extract.tables import TableSpec  # pandas and pyarrow: likewise

    return [TableSpec(name, *TABLES[name]) for name in ("practice_sheets", "practice_contacts")]


def _collect_practice_sheets(payloads: Sequence[PracticeSheetsExtraction]) -> KindTables:
    return KindTables(
        {
            "practice_sheets": [row for payload in payloads for row in payload.sheets],
            "practice_contacts": [row for payload in payloads for row in payload.contacts],
        },
        [finding for payload in payloads for finding in payload.findings],
    )


def _practice_mentions(payload: PracticeSheetsExtraction) -> list[Mention]:
    return list(payload.organisation_mentions)


def _practice_record_types() -> list[type]:
    return [PracticeSheetsExtraction]


def _practice_page_text(payload: PracticeSheetsExtraction) -> PageText:
    return payload.page_text


def _looks_like_brochure_pdf(sample: Sample) -> bool:
    from amif_extract.extract.practice_sheets import looks_like_practice_sheets_pdf  # see module doc

    return looks_like_practice_sheets_pdf(sample.path, profile=sample.profile("practice_sheets"))


def _looks_like_brochure_text(sample: Sample) -> bool:
    from amif_extract.extract.practice_sheets import looks_like_practice_sheets  # see module doc

    return looks_like_practice_sheets(sample.text, sample.profile("practice_sheets"))


def _extract_practice_sheets(
    path: Path, source_file: str, profile: Profile | None
) -> PracticeSheetsExtraction:
    from amif_extract.extract.practice_sheets import extract_practice_sheets  # see module doc

    return extract_practice_sheets(path, source_file, profile=profile)


def _brochure_page_count(path: Path) -> int:
    from amif_extract.extract.practice_sheets import brochure_page_count  # pdfplumber: see module doc

    return brochure_page_count(path)


def _read_brochure_pages(
    path: Path, first: int, last: int, profile: Profile | None
) -> list[list[SourceLine]]:
    from amif_extract.extract.practice_sheets import PracticeSheetSettings, pdf_page_range  # see doc

    return pdf_page_range(path, PracticeSheetSettings(), first, last, profile=profile)


def _assemble_brochure_pages(
    path: Path, source_file: str, pages: list[list[SourceLine]], profile: Profile | None
) -> PracticeSheetsExtraction:
    from amif_extract.extract.practice_sheets import (  # see the module's doc
        PracticeSheetSettings,
        check_text_layer,
        practice_sheets_from_pages,
    )

    check_text_layer(path, pages)
    return practice_sheets_from_pages(path, source_file, pages, [], PracticeSheetSettings(), profile=profile)


# --- the known web pages -----------------------------------------------------------------------


def _web_page_table_specs() -> list[TableSpec]:
    from amif_extract.schemas.practice_sheets import TABLES  # pandera: only when tables are built
    from amif_extract.tables import TableSpec  # pandas and pyarrow: likewise

    return [TableSpec(name, *TABLES[name]) for name in ("conventions", "narrative_projects")]


def _collect_web_pages(payloads: Sequence[WebPageExtraction]) -> KindTables:
    return KindTables(
        {
            "conventions": [row for payload in payloads for row in payload.conventions],
            "narrative_projects": [row for payload in payloads for row in payload.narrative_projects],
        },
        [finding for payload in payloads for finding in payload.findings],
    )


def _web_page_record_types() -> list[type]:
    return [WebPageExtraction]


def _web_page_mentions(payload: WebPageExtraction) -> list[Mention]:
    return list(payload.organisation_mentions)


def _looks_like_web_page(sample: Sample) -> bool:
    from amif_extract.extract.web_pages import web_page_kind  # compiles its patterns on import

    return web_page_kind(sample.text) is not None


def _extract_web_page(path: Path, source_file: str, profile: Profile | None) -> WebPageExtraction:
    from amif_extract.extract.web_pages import extract_web_page  # compiles its patterns on import

    return extract_web_page(path, source_file)


register(
    DocumentKind(
        "amif_table",
        "the AMIF project list (PDF or text extraction)",
        _amif_table_specs,
        _collect_amif,
        page_text=_amif_page_text,
        record_types=_amif_record_types,
    ),
    Extractor(
        "amif_table",
        "pdf",
        "amif_pdf 4",
        _looks_like_amif_pdf,
        _extract_amif_pdf,
        page_count=_amif_pdf_page_count,
        read_pages=_read_amif_pages,
        assemble_pages=_assemble_amif_pages,
    ),
    Extractor("amif_table", "text", "amif_text 3", _looks_like_amif_text, _extract_amif_text),
)
register(
    DocumentKind(
        "practice_sheets",
        "the practice-sheet brochure (PDF or text)",
        _practice_table_specs,
        _collect_practice_sheets,
        mentions=_practice_mentions,
        page_text=_practice_page_text,
        record_types=_practice_record_types,
    ),
    Extractor(
        "practice_sheets",
        "pdf",
        "practice_sheets 3",
        _looks_like_brochure_pdf,
        _extract_practice_sheets,
        page_count=_brochure_page_count,
        read_pages=_read_brochure_pages,
        assemble_pages=_assemble_brochure_pages,
    ),
    Extractor(
        "practice_sheets", "text", "practice_sheets 3", _looks_like_brochure_text, _extract_practice_sheets
    ),
)
register(
    DocumentKind(
        "web_page",
        "one of the known web pages (ministry conventions, ASTI convention summary, IOM France project list)",
        _web_page_table_specs,
        _collect_web_pages,
        mentions=_web_page_mentions,
        record_types=_web_page_record_types,
    ),
    Extractor("web_page", "text", "web_pages 2", _looks_like_web_page, _extract_web_page),
)
