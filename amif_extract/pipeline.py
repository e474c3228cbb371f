"""The build: sources → extract → normalize → validate → output files. The CLI is a thin layer over this."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amif_extract.errors import InputError, SchemaFailure
from amif_extract.findings import Finding, sorted_findings
from amif_extract.normalize.projects import attach_issue_codes, normalize_projects
from amif_extract.records import AmifExtraction

# pandas, pandera and pyarrow (through `tables`) are imported only where tables are validated or
# written: a PDF extraction then runs without their ~90 MB, and a cached rebuild never loads them.
if TYPE_CHECKING:
    from amif_extract.extract.practice_sheets import PracticeSheetsExtraction
    from amif_extract.extract.web_pages import WebPageExtraction
    from amif_extract.tables import Row, TableSpec
from amif_extract.sources import Source, load_manifest, preferred_sources, sha256_of, verify_source
from amif_extract.validate import validate_projects
from amif_extract.write import write_output_folder

Progress = Callable[[str, int, int], None]


def _no_progress(message: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class BuildSettings:
    """Limits and switches of a build, with the CLI option that sets each."""

    max_file_mb: float = 200.0  # --max-file-mb: larger source files are refused
    max_pages: int = 5000  # --max-pages: PDFs with more pages are refused
    workers: int | None = None  # --workers: extraction processes (None: every core; 1: serial, no pool)
    # (library only) PDF pages one task reads; None: chosen per PDF (see `parallel.pages_per_task`).
    pages_per_task: int | None = None
    scheduler: str | None = None  # --scheduler: a Dask scheduler's address (tcp://HOST:PORT) to run on
    scheduler_timeout_s: float = 10.0  # --scheduler-timeout: seconds to wait for the scheduler
    use_cache: bool = True  # --no-cache turns it off: every document is parsed again
    # --cache-dir: where extraction results are cached (None: $AMIF_EXTRACT_CACHE, else
    # $XDG_CACHE_HOME/amif-extract, else ~/.cache/amif-extract).
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.max_file_mb <= 0:
            raise ValueError("max_file_mb must be positive")
        if self.max_pages <= 0:
            raise ValueError("max_pages must be positive")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")
        if self.pages_per_task is not None and self.pages_per_task < 1:
            raise ValueError(f"pages_per_task must be at least 1 (got {self.pages_per_task})")
        if self.scheduler is not None and "://" not in self.scheduler:
            raise ValueError(f"scheduler must be an address like tcp://HOST:PORT (got {self.scheduler!r})")
        if self.scheduler_timeout_s <= 0:
            raise ValueError("scheduler_timeout_s must be positive")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def effective_workers(self) -> int:
        return self.workers if self.workers is not None else os.cpu_count() or 1

    @property
    def effective_cache_dir(self) -> Path:
        from amif_extract.cache import default_cache_dir

        return self.cache_dir if self.cache_dir is not None else default_cache_dir()


@dataclass(frozen=True)
class InputDocument:
    """A document the build reads: where it is, what it is, and its checksum."""

    path: Path
    source_file: str
    kind: str
    format: str
    sha256: str


@dataclass
class DocumentExtraction:
    """What one document gave: exactly one of the fields below is set, by the document's kind."""

    document: InputDocument
    amif: AmifExtraction | None = None
    practice_sheets: PracticeSheetsExtraction | None = None
    web_page: WebPageExtraction | None = None


@dataclass
class BuildResult:
    tables: dict[str, list[Row]]
    findings: list[Finding]
    inputs: list[InputDocument]
    metadata: dict[str, Any] = field(default_factory=dict)


REVIEW_QUEUE = "review/organisation_matches.csv"


def table_specs() -> dict[str, TableSpec]:
    """Every output table, in the order the build validates and writes them."""
    from amif_extract.cpr49 import CPR49_SPEC
    from amif_extract.schemas.amif_projects import AmifProjects
    from amif_extract.schemas.findings import Findings
    from amif_extract.schemas.organisations_table import Organisations
    from amif_extract.schemas.practice_sheets import TABLES
    from amif_extract.tables import TableSpec

    specs = [
        TableSpec("amif_projects", AmifProjects, "project_id"),
        CPR49_SPEC,
        TableSpec("organisations", Organisations, "org_id"),
        *(TableSpec(name, model, key) for name, (model, key) in TABLES.items()),
        TableSpec("findings", Findings, "finding_id"),
    ]
    return {spec.name: spec for spec in specs}


# Bump an extractor's version whenever a change to it (or to the code it calls) changes what it
# returns: cached results of the old version are then never used again.
EXTRACTOR_VERSIONS: dict[tuple[str, str], str] = {
    ("amif_table", "pdf"): "amif_pdf 3",
    ("amif_table", "text"): "amif_text 1",
    ("practice_sheets", "pdf"): "practice_sheets 2",
    ("practice_sheets", "text"): "practice_sheets 2",
    ("web_page", "text"): "web_pages 1",
}


def extract_document(document: InputDocument, settings: BuildSettings) -> DocumentExtraction:
    """Run the extractor for one document; a plain top-level function so it can run in a worker process."""
    if document.kind == "amif_table" and document.format == "pdf":
        from amif_extract.extract.amif_pdf import extract_amif_pdf

        pdf_page_count_for(document, settings)
        return DocumentExtraction(document, amif=extract_amif_pdf(document.path, document.source_file))
    if document.kind == "amif_table":
        from amif_extract.extract.amif_text import extract_amif_text

        return DocumentExtraction(document, amif=extract_amif_text(document.path, document.source_file))
    if document.kind == "practice_sheets":
        from amif_extract.extract.practice_sheets import extract_practice_sheets

        if document.format == "pdf":
            pdf_page_count_for(document, settings)
        sheets = extract_practice_sheets(document.path, document.source_file)
        return DocumentExtraction(document, practice_sheets=sheets)
    if document.kind == "web_page":
        from amif_extract.extract.web_pages import extract_web_page

        return DocumentExtraction(document, web_page=extract_web_page(document.path, document.source_file))
    raise InputError(
        document.path, f"no extractor for documents of kind {document.kind!r} ({document.format})"
    )


def pdf_page_count_for(document: InputDocument, settings: BuildSettings) -> int:
    """A PDF's page count, read as its extractor opens it; `InputError` past `settings.max_pages`."""
    if document.kind == "amif_table":
        from amif_extract.extract.amif_pdf import pdf_page_count

        count = pdf_page_count(document.path)
    else:
        from amif_extract.extract.practice_sheets import brochure_page_count

        count = brochure_page_count(document.path)
    check_page_limit(document, count, settings)
    return count


def check_page_limit(document: InputDocument, page_count: int | None, settings: BuildSettings) -> None:
    if page_count is not None and page_count > settings.max_pages:
        raise InputError(
            document.path, f"PDF has {page_count} pages, over the limit of {settings.max_pages} (--max-pages)"
        )


def manifest_documents(raw_dir: Path, settings: BuildSettings) -> list[InputDocument]:
    """The documents a build of `raw_dir` reads, each verified against the manifest."""
    manifest = load_manifest(raw_dir)
    documents = []
    for source in preferred_sources(manifest):
        path = verify_source(source, manifest, settings.max_file_bytes)
        documents.append(_input_document(path, source))
    return documents


def _input_document(path: Path, source: Source) -> InputDocument:
    return InputDocument(path, source.file, source.kind, source.format, source.sha256)


def named_documents(paths: Sequence[Path], settings: BuildSettings) -> list[InputDocument]:
    """Documents named on the command line: kind recognised from content, no manifest needed."""
    from amif_extract.detect import detect_document_kind

    documents = []
    for path in paths:
        if not path.is_file():
            raise InputError(path, "file not found")
        if path.stat().st_size > settings.max_file_bytes:
            raise InputError(
                path, f"file is over the limit of {settings.max_file_bytes} bytes (--max-file-mb)"
            )
        detected = detect_document_kind(path)
        documents.append(InputDocument(path, path.name, detected.kind, detected.format, sha256_of(path)))
    names = [document.source_file for document in documents]
    for name in names:
        if names.count(name) > 1:
            raise InputError(name, "two input files share this name; outputs refer to sources by file name")
    return documents


def extract_all(
    documents: Sequence[InputDocument], settings: BuildSettings, progress: Progress = _no_progress
) -> list[DocumentExtraction]:
    """Every document's extraction, in the order given: from the cache, else serially or in parallel.

    Whatever runs the extractors, the results are the same; a document that cannot be read raises
    the `InputError` a serial run would raise first.
    """
    cache_dir = settings.effective_cache_dir if settings.use_cache else None
    keys = [extraction_cache_key(document) for document in documents]
    results: list[DocumentExtraction | None] = [
        cached_extraction(cache_dir, key, document, settings)
        for key, document in zip(keys, documents, strict=True)
    ]
    missing = [index for index, result in enumerate(results) if result is None]
    if missing:
        fresh = _extract_missing([documents[index] for index in missing], settings, progress)
        for index, extraction in zip(missing, fresh, strict=True):
            results[index] = extraction
            if cache_dir is not None:
                from amif_extract.cache import store_entry

                store_entry(cache_dir, keys[index], _cached_fields(extraction, settings))
    progress("extracted", len(documents), len(documents))
    return [result for result in results if result is not None]


def _extract_missing(
    documents: Sequence[InputDocument], settings: BuildSettings, progress: Progress
) -> list[DocumentExtraction]:
    if settings.scheduler is None and settings.effective_workers == 1:
        results = []
        for index, document in enumerate(documents):
            progress(f"extracting {document.source_file}", index, len(documents))
            results.append(extract_document(document, settings))
        return results
    from amif_extract.parallel import TaskFailure, extract_in_parallel

    outcomes = extract_in_parallel(documents, settings, progress)
    for outcome in outcomes:
        if isinstance(outcome, TaskFailure):
            raise outcome.error()
    return [outcome for outcome in outcomes if isinstance(outcome, DocumentExtraction)]


def extraction_cache_key(document: InputDocument) -> str:
    """The cache key of a document's extraction.

    No `BuildSettings` field changes what an extractor returns (the limits only refuse a file) and
    the extractors' tolerances are code defaults covered by `EXTRACTOR_VERSIONS`; a setting that
    comes to change an extraction must be added to the key here.
    """
    from amif_extract.cache import cache_key

    version = EXTRACTOR_VERSIONS.get((document.kind, document.format), "unknown")
    return cache_key(document.sha256, document.source_file, version, {"kind": document.kind})


CACHED_FIELDS = frozenset({"amif", "practice_sheets", "web_page", "page_count"})


def _cached_fields(extraction: DocumentExtraction, settings: BuildSettings) -> dict[str, Any]:
    # The document itself is not cached: its path is wherever the file is on this build. A PDF's
    # page count is, so that --max-pages still refuses it when its extraction comes from the cache.
    document = extraction.document
    is_pdf = document.format == "pdf" and document.kind in ("amif_table", "practice_sheets")
    return {
        "amif": extraction.amif,
        "practice_sheets": extraction.practice_sheets,
        "web_page": extraction.web_page,
        "page_count": pdf_page_count_for(document, settings) if is_pdf else None,
    }


def cached_extraction(
    cache_dir: Path | None, key: str, document: InputDocument, settings: BuildSettings
) -> DocumentExtraction | None:
    """The cached extraction of `document`, or None (no cache, no entry, or an unusable one).

    A PDF over `settings.max_pages` is refused here as a fresh read would refuse it.
    """
    if cache_dir is None:
        return None
    from amif_extract.cache import load_entry

    entry = load_entry(cache_dir, key)
    if not isinstance(entry, dict) or set(entry) != CACHED_FIELDS:
        return None
    check_page_limit(document, entry["page_count"], settings)
    return DocumentExtraction(
        document, amif=entry["amif"], practice_sheets=entry["practice_sheets"], web_page=entry["web_page"]
    )


def preload_assembly() -> None:
    """Warm up `assemble`: run it once on no documents, which imports and initialises everything it uses.

    A parallel build calls this while its workers parse the PDFs: the parent only waits then, and
    pandas, pandera, pyarrow and frictionless (imported on first use, some deep inside validation)
    take about 0.7 s of a cold build, most of which the wait hides.
    """
    assemble([])


def assemble(extractions: Sequence[DocumentExtraction]) -> BuildResult:
    """Normalize, link, validate and collect findings: from extracted records to the output tables."""
    from amif_extract.cpr49 import cpr49_findings, cpr49_rows, written_csv_findings
    from amif_extract.link import link_organisations
    from amif_extract.organisations import default_authority

    projects = normalize_projects([result.amif for result in extractions if result.amif is not None])
    findings = list(projects.findings)
    tables: dict[str, list[Row]] = {"amif_projects": projects.rows}
    for name, rows in other_tables(extractions).items():
        tables[name] = rows
    findings += [finding for result in extractions for finding in _other_findings(result)]
    linked = link_organisations(tables, _other_mentions(extractions), default_authority())
    findings += linked.findings
    tables["organisations"] = linked.organisations
    findings += validate_projects(projects.rows)
    tables["amif_operations_cpr49"] = cpr49_rows(projects.rows)
    findings += cpr49_findings(tables["amif_operations_cpr49"])
    findings += written_csv_findings(tables["amif_operations_cpr49"])
    from amif_extract.tables import schema_findings

    specs = table_specs()
    for name, rows in tables.items():
        findings += schema_findings(specs[name], rows)
    findings = sorted_findings(findings)
    attach_issue_codes(projects.rows, findings, "amif_projects", "project_id")
    tables["findings"] = finding_rows(findings)
    metadata: dict[str, Any] = {"review_items": linked.review_items, "page_text": _page_text(extractions)}
    return BuildResult(tables, findings, [result.document for result in extractions], metadata)


def _page_text(extractions: Sequence[DocumentExtraction]) -> dict[str, Any]:
    """The PDF pages' printed lines kept by the extractors, by source file, for the report."""
    kept = {}
    for result in extractions:
        source = result.amif or result.practice_sheets
        if source is not None and source.page_text:
            kept[result.document.source_file] = source.page_text
    return kept


def other_tables(extractions: Sequence[DocumentExtraction]) -> dict[str, list[Row]]:
    """The practice-sheet and web-page tables, rows in document order."""
    tables: dict[str, list[Row]] = {
        "practice_sheets": [],
        "practice_contacts": [],
        "conventions": [],
        "narrative_projects": [],
    }
    for result in extractions:
        if result.practice_sheets is not None:
            tables["practice_sheets"] += result.practice_sheets.sheets
            tables["practice_contacts"] += result.practice_sheets.contacts
        if result.web_page is not None:
            tables["conventions"] += result.web_page.conventions
            tables["narrative_projects"] += result.web_page.narrative_projects
    return tables


def _other_findings(result: DocumentExtraction) -> list[Finding]:
    source = result.practice_sheets or result.web_page
    return list(source.findings) if source is not None else []


def _other_mentions(extractions: Sequence[DocumentExtraction]) -> list[tuple[str, Any]]:
    mentions: list[tuple[str, Any]] = []
    for result in extractions:
        source = result.practice_sheets or result.web_page
        if source is not None:
            mentions += source.organisation_mentions
    return mentions


def finding_rows(findings: Sequence[Finding]) -> list[Row]:
    rows: list[Row] = []
    used: set[str] = set()
    for finding in findings:
        record: dict[str, Any] = finding.as_record()
        digest = hashlib.sha256("\x1f".join(record.values()).encode("utf-8")).hexdigest()[:12]
        finding_id, counter = digest, 1
        while finding_id in used:
            counter += 1
            finding_id = f"{digest}-{counter}"
        used.add(finding_id)
        for column in ("source_page", "source_line"):
            record[column] = int(record[column]) if record[column] else None
        rows.append({"finding_id": finding_id, "acknowledged": None, **record})
    return rows


def build(
    raw_dir: Path, settings: BuildSettings | None = None, progress: Progress = _no_progress
) -> BuildResult:
    """Build every output table from the documents listed in `raw_dir/sources.toml`."""
    settings = settings or BuildSettings()
    documents = manifest_documents(raw_dir, settings)
    return assemble(extract_all(documents, settings, progress))


def extract_files(
    paths: Sequence[Path], settings: BuildSettings | None = None, progress: Progress = _no_progress
) -> BuildResult:
    """Build the output tables from documents named directly, wherever they are."""
    settings = settings or BuildSettings()
    return assemble(extract_all(named_documents(paths, settings), settings, progress))


def output_files(result: BuildResult) -> dict[str, bytes]:
    """Every file of `normalized/` as bytes: CSV and Parquet per table."""
    from amif_extract.tables import csv_bytes, parquet_bytes

    files: dict[str, bytes] = {}
    for name, spec in table_specs().items():
        rows = result.tables.get(name, [])
        files[f"{name}.csv"] = csv_bytes(spec, rows)
        if spec.parquet:
            files[f"{name}.parquet"] = parquet_bytes(spec, rows)
    from amif_extract.organisations import review_queue_csv
    from amif_extract.report import report_files  # the report reads this module's results: import late

    files[REVIEW_QUEUE] = review_queue_csv(result.metadata.get("review_items", []))
    files.update(report_files(result))
    from amif_extract.datapackage import datapackage_json  # describes the files above: last

    files["datapackage.json"] = datapackage_json(result, files)
    return files


def blocking_schema_errors(result: BuildResult) -> list[Finding]:
    """Schema failures: the build never writes a table that fails its contract."""
    return [finding for finding in result.findings if finding.code == "schema_error"]


def refuse_schema_failures(result: BuildResult) -> None:
    """`SchemaFailure` naming the first failure when any table fails its contract.

    The other tables' failures are findings already; the findings table is made of them, so it is
    checked here, last.
    """
    from amif_extract.tables import schema_findings

    findings_spec = table_specs()["findings"]
    failures = blocking_schema_errors(result) + schema_findings(findings_spec, result.tables["findings"])
    if failures:
        first = failures[0]
        raise SchemaFailure(
            f"{first.location.describe()}: {len(failures)} schema failure(s), first in table {first.table}, "
            f"column {first.column}: {first.message} (value {first.value!r}); nothing was written"
        )


def write_build(result: BuildResult, out_dir: Path) -> dict[str, bytes]:
    refuse_schema_failures(result)
    files = output_files(result)
    write_output_folder(out_dir, files)
    return files


def file_checksums(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def input_checksums(result: BuildResult) -> dict[str, str]:
    return {document.source_file: document.sha256 for document in result.inputs}
