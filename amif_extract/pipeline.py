"""The build: sources → extract → normalize → validate → output files. The CLI is a thin layer over this."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from amif_extract.assembly import assemble
from amif_extract.build_records import (
    BuildResult,
    BuildSettings,
    DocumentExtraction,
    InputDocument,
    Progress,
    check_page_limit,
    no_progress,
    read_pdfs_as,
)
from amif_extract.cache import cache_key, load_entry, open_cache_dir, store_entry
from amif_extract.detect import detect_document_kind
from amif_extract.errors import InputError, SchemaFailure
from amif_extract.findings import Finding
from amif_extract.profiles import Profile, profile_for
from amif_extract.registry import extract_document, extractor_version, has_page_count, pdf_page_count_for
from amif_extract.sources import Source, load_manifest, preferred_sources, sha256_of, verify_source
from amif_extract.specs import table_specs
from amif_extract.write import write_output_folder

REVIEW_QUEUE = "review/organisation_matches.csv"


def manifest_documents(
    raw_dir: Path, settings: BuildSettings, profiles_dir: Path | None = None
) -> list[InputDocument]:
    """The documents a build of `raw_dir` reads, each verified against the manifest, each with its
    kind's profile (from `profiles_dir`, a dataset's, else the packaged one)."""
    manifest = load_manifest(raw_dir)
    documents = []
    for source in preferred_sources(manifest):
        path = verify_source(source, manifest, settings.max_file_bytes)
        documents.append(_input_document(path, source, profile_for(source.kind, profiles_dir)))
    return documents


def _input_document(path: Path, source: Source, profile: Profile | None) -> InputDocument:
    return InputDocument(path, source.file, source.kind, source.format, source.sha256, profile)


def named_documents(
    paths: Sequence[Path], settings: BuildSettings, profiles_dir: Path | None = None
) -> list[InputDocument]:
    """Documents named on the command line: kind recognised from content (labels from the profiles
    in `profiles_dir`, else the packaged ones), no manifest needed."""
    read_pdfs_as(settings)  # detection opens PDFs
    documents = []
    for path in paths:
        if not path.is_file():
            raise InputError(path, "file not found")
        if path.stat().st_size > settings.max_file_bytes:
            raise InputError(
                path, f"file is over the limit of {settings.max_file_bytes} bytes (--max-file-mb)"
            )
        detected = detect_document_kind(path, profiles_dir)
        profile = profile_for(detected.kind, profiles_dir)
        documents.append(
            InputDocument(path, path.name, detected.kind, detected.format, sha256_of(path), profile)
        )
    names = [document.source_file for document in documents]
    for name in names:
        if names.count(name) > 1:
            raise InputError(name, "two input files share this name; outputs refer to sources by file name")
    return documents


def extract_all(
    documents: Sequence[InputDocument], settings: BuildSettings, progress: Progress = no_progress
) -> list[DocumentExtraction]:
    """Every document's extraction, in the order given: from the cache, else serially or in parallel.

    Whatever runs the extractors, the results are the same; a document that cannot be read raises
    the `InputError` a serial run would raise first.
    """
    read_pdfs_as(settings)  # for the PDFs this process opens
    cache_dir = settings.effective_cache_dir if settings.use_cache else None
    keys = [extraction_cache_key(document, settings.engine) for document in documents]
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
                store_entry(cache_dir, keys[index], _cached_fields(extraction, settings))
    progress("extracted", len(documents), len(documents))
    return [result for result in results if result is not None]


def _extract_missing(
    documents: Sequence[InputDocument], settings: BuildSettings, progress: Progress
) -> list[DocumentExtraction]:
    from amif_extract.parallel import TaskFailure, collector_paused, extract_in_parallel  # ~12 ms

    processes = extraction_processes(documents, settings)
    settings = replace(settings, workers=max(1, processes))
    with collector_paused():
        if settings.scheduler is None and processes == 0:
            results = []
            for index, document in enumerate(documents):
                progress(f"extracting {document.source_file}", index, len(documents))
                results.append(extract_document(document, settings))
            return results
        outcomes = extract_in_parallel(documents, settings, progress)
    for outcome in outcomes:
        if isinstance(outcome, TaskFailure):
            raise outcome.error()
    return [outcome for outcome in outcomes if isinstance(outcome, DocumentExtraction)]


def extraction_processes(documents: Sequence[InputDocument], settings: BuildSettings) -> int:
    """How many worker processes extract `documents` (0: this process): `settings.workers` when set
    (or a Dask build's), else as many as the PDF pages among them call for
    (`BuildSettings.extraction_processes`)."""
    if settings.scheduler is not None:
        return settings.effective_workers
    if settings.workers is not None:
        return settings.extraction_processes(0)
    return settings.extraction_processes(pdf_pages(documents, settings))


def pdf_pages(documents: Sequence[InputDocument], settings: BuildSettings) -> int:
    """The PDF pages among `documents`. A PDF that cannot be counted counts none here: reading it
    reports why, in document order, as it would have without this count."""
    pages = 0
    for document in documents:
        if has_page_count(document):
            with contextlib.suppress(InputError):
                pages += pdf_page_count_for(document, settings)
    return pages


def extraction_cache_key(document: InputDocument, engine: str) -> str:
    """The cache key of a document's extraction.

    No `BuildSettings` field changes what an extractor returns (the limits only refuse a file) and
    the extractors' tolerances are code defaults covered by their registry entry's version; a setting
    that comes to change an extraction must be added to the key here. The labels do change it: the
    key holds the digest of the profile the document is read with. So does a PDF's engine: the
    engines are meant to read alike, and a cross-check with the other one must not be served the
    first one's reading from the cache.
    """
    version = extractor_version(document)
    profile = document.profile.digest if document.profile is not None else ""
    extra = {"kind": document.kind, "profile": profile}
    if document.format == "pdf":
        extra["engine"] = engine
    return cache_key(document.sha256, document.source_file, version, extra)


CACHED_FIELDS = frozenset({"extraction", "page_count"})


def _cached_fields(extraction: DocumentExtraction, settings: BuildSettings) -> dict[str, Any]:
    # The whole record, every field (the codec encodes a dataclass from its fields, so a field added
    # to `DocumentExtraction` is cached too); its document is replaced on reading, the path being
    # wherever the file is on that build. A PDF's page count is kept so that --max-pages still
    # refuses it when its extraction comes from the cache.
    document = extraction.document
    return {
        "extraction": extraction,
        "page_count": pdf_page_count_for(document, settings) if has_page_count(document) else None,
    }


def cached_extraction(
    cache_dir: Path | None, key: str, document: InputDocument, settings: BuildSettings
) -> DocumentExtraction | None:
    """The cached extraction of `document`, or None (no cache, no entry, or an unusable one).

    A PDF over `settings.max_pages` is refused here as a fresh read would refuse it, and a cache
    folder others can write is refused (`InputError`) before anything is read from it.
    """
    if cache_dir is None or not open_cache_dir(cache_dir):
        return None
    entry = load_entry(cache_dir, key)
    if not isinstance(entry, dict) or set(entry) != CACHED_FIELDS:
        return None
    extraction, page_count = entry["extraction"], entry["page_count"]
    if not isinstance(extraction, DocumentExtraction) or not isinstance(page_count, int | None):
        return None
    check_page_limit(document, page_count, settings)
    return replace(extraction, document=document)


def build(
    raw_dir: Path, settings: BuildSettings | None = None, progress: Progress = no_progress
) -> BuildResult:
    """The tables of the documents listed in `raw_dir/sources.toml`, before any steward file is applied.

    The packaged authority, no acknowledgements: a building block and a test fixture. The build of a
    dataset folder, as `amif-extract build` writes it, is `amif_extract.build` (`rebuild.build_dataset`).
    """
    settings = settings or BuildSettings()
    documents = manifest_documents(raw_dir, settings)
    return assemble(extract_all(documents, settings, progress))


def extract_files(
    paths: Sequence[Path], settings: BuildSettings | None = None, progress: Progress = no_progress
) -> BuildResult:
    """The tables of documents named directly, wherever they are, before any steward file is applied.

    `amif-extract extract` applies a dataset's files too (`rebuild.extract_outputs`).
    """
    settings = settings or BuildSettings()
    return assemble(extract_all(named_documents(paths, settings), settings, progress))


def output_files(result: BuildResult) -> dict[str, bytes]:
    """Every file of `normalized/` as bytes: CSV and Parquet per table."""
    # Imported here so that a build whose outputs come from the cache never loads them:
    from amif_extract.datapackage import datapackage_json  # pyarrow
    from amif_extract.organisations import review_queue_csv  # the authority code, phone-number metadata
    from amif_extract.report import report_files  # the report's templates and source context
    from amif_extract.tables import csv_bytes, parquet_bytes  # pandas and pyarrow

    files: dict[str, bytes] = {}
    for name, spec in table_specs().items():
        rows = result.tables.get(name, [])
        files[f"{name}.csv"] = csv_bytes(spec, rows)
        if spec.parquet:
            files[f"{name}.parquet"] = parquet_bytes(spec, rows)
    files[REVIEW_QUEUE] = review_queue_csv(result.metadata.get("review_items", []))
    files.update(report_files(result))
    files["datapackage.json"] = datapackage_json(result, files)  # describes the files above: last
    return files


def blocking_schema_errors(result: BuildResult) -> list[Finding]:
    """Schema failures: the build never writes a table that fails its contract."""
    return [finding for finding in result.findings if finding.code == "schema_error"]


def refuse_schema_failures(result: BuildResult) -> None:
    """`SchemaFailure` naming the first failure when any table fails its contract.

    The other tables' failures are findings already; the findings table is made of them, so it is
    checked here, last.
    """
    from amif_extract.tables import schema_findings  # pandas and pandera: only when checking tables

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
