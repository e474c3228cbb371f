"""The one build of a dataset folder, and the CLI's cache of its whole output.

`build_dataset` is the build: a dataset's documents extracted, normalized, linked to its own
organisations authority, validated, its acknowledgements applied, and every output file rendered.
The library (`amif_extract.build`), `build`, `extract` and `check` all go through it.

`build_outputs` wraps it with a cache of the whole output: the extraction cache spares the PDF
parsing, this one also spares the normalizing, linking, validation and report rendering when nothing
they read has changed. The key of a build's outputs is made of everything that can change a byte of
them: every document's extraction key, a fingerprint of the package's code, contracts and default
profiles, and the dataset's steward files (acknowledgements, authority, rejections, profiles). A
change to any of these misses the cache; a hit gives the bytes a fresh build would give, because
nothing else goes into them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from amif_extract.acknowledge import Acknowledgement, acknowledge_findings, load_acknowledgements
from amif_extract.assembly import assemble, finding_rows
from amif_extract.build_records import (
    BuildResult,
    BuildSettings,
    InputDocument,
    Progress,
    check_page_limit,
    no_progress,
)
from amif_extract.cache import load_entry, open_cache_dir, store_entry
from amif_extract.dataset import Dataset, open_dataset
from amif_extract.errors import read_input_bytes
from amif_extract.findings import with_finding_ids
from amif_extract.organisations import authority_at, default_authority
from amif_extract.pipeline import (
    extract_all,
    extraction_cache_key,
    manifest_documents,
    named_documents,
    output_files,
    refuse_schema_failures,
)
from amif_extract.registry import has_page_count, pdf_page_count_for

PACKAGE_DIR = Path(__file__).resolve().parent
OUTPUTS_CACHE_VERSION = "outputs 3"  # bump when what a cached build entry holds changes shape
# Package files a build never reads: the CSV defaults a new dataset copies (`init`); a build reads its
# dataset's own, which are part of the key by themselves.
_NOT_READ_BY_A_BUILD = (".csv",)


def with_acknowledgements(result: BuildResult, acknowledgements: Sequence[Acknowledgement]) -> BuildResult:
    """The build with its findings marked by `acknowledgements` (replacing any earlier marks)."""
    findings = with_finding_ids(acknowledge_findings(result.findings, acknowledgements))
    tables = {**result.tables, "findings": finding_rows(findings)}
    return dataclasses.replace(result, findings=findings, tables=tables)


def build_from(
    documents: Sequence[InputDocument], dataset: Dataset | None, settings: BuildSettings, progress: Progress
) -> tuple[BuildResult, dict[str, bytes]]:
    """The build of `documents` with `dataset`'s steward files, and every output file's bytes.

    Without a dataset (`extract` outside one) the packaged authority is used and nothing is
    acknowledged. The steward files are read first, so a malformed one stops the build before any
    document is parsed.
    """
    authority = authority_at(dataset.authority) if dataset is not None else default_authority()
    acknowledgements = load_acknowledgements(dataset.acknowledgements) if dataset is not None else []
    extractions = extract_all(documents, settings, progress)
    profile_dir = dataset.profiles if dataset is not None else None
    result = with_acknowledgements(assemble(extractions, authority, profile_dir), acknowledgements)
    return result, output_files(result)


def build_dataset(
    dataset: Dataset, settings: BuildSettings | None = None, progress: Progress = no_progress
) -> tuple[BuildResult, dict[str, bytes]]:
    """The build of a dataset folder: its manifest's documents, verified, with its steward files.

    The files are what `amif-extract build` writes to `dataset.normalized`, byte for byte. A build
    whose tables fail their contracts is returned as it is (its failures are findings);
    `refuse_schema_failures` is what stops it from being written.
    """
    settings = settings or BuildSettings()
    return build_from(
        manifest_documents(dataset.raw, settings, dataset.profiles), dataset, settings, progress
    )


def build(
    project: str | Path | None = None, settings: BuildSettings | None = None, progress: Progress = no_progress
) -> BuildResult:
    """The build of the dataset folder `project` (default: `$AMIF_EXTRACT_PROJECT`, else the working
    folder), acknowledgements applied: `output_files` of it are the files `amif-extract build` writes."""
    folder = Path(project) if project is not None else None
    return build_dataset(open_dataset(folder), settings, progress)[0]


def extract_outputs(
    paths: Sequence[Path], dataset: Dataset | None, settings: BuildSettings, progress: Progress
) -> tuple[BuildResult, dict[str, bytes]]:
    """The build of documents named directly (kind read from content), refused if a table fails."""
    documents = named_documents(paths, settings, dataset.profiles if dataset is not None else None)
    result, files = build_from(documents, dataset, settings, progress)
    refuse_schema_failures(result)
    return result, files


@cache
def code_fingerprint() -> str:
    """sha256 over the package's files a build reads: code, table contracts, default profiles."""
    digest = hashlib.sha256()
    contracts = Path(str(resources.files("amif_extract.schemas")))
    for folder in sorted({PACKAGE_DIR, contracts}):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in _NOT_READ_BY_A_BUILD:
                digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(read_input_bytes(path)).hexdigest()


def steward_digests(dataset: Dataset) -> dict[str, str]:
    """sha256 of each steward file a build of `dataset` reads, by its role (not its path: a clone of
    the dataset elsewhere shares the cache)."""
    roles = {dataset.acknowledgements: "acknowledgements", dataset.authority: "authority"}
    roles[dataset.rejections] = "rejections"
    return {roles.get(path, f"profiles/{path.name}"): _file_digest(path) for path in dataset.steward_files()}


def outputs_key(documents: Sequence[InputDocument], dataset: Dataset, engine: str) -> str:
    parts = {
        "version": OUTPUTS_CACHE_VERSION,
        "code": code_fingerprint(),
        "documents": [extraction_cache_key(document, engine) for document in documents],
        "steward": steward_digests(dataset),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def build_outputs(
    dataset: Dataset, settings: BuildSettings, progress: Progress = no_progress
) -> tuple[BuildResult, dict[str, bytes]]:
    """`build_dataset` through the output cache, refused (`SchemaFailure`) if a table fails its contract.

    Sources are verified and PDF page limits checked on every run, cached or not; a refused build
    is never cached.
    """
    documents = manifest_documents(dataset.raw, settings, dataset.profiles)
    cache_dir = settings.effective_cache_dir if settings.use_cache else None
    key = outputs_key(documents, dataset, settings.engine) if cache_dir is not None else ""
    if cache_dir is not None:
        cached = _cached_outputs(cache_dir, key, documents, settings)
        if cached is not None:
            progress("outputs unchanged (cached)", len(documents), len(documents))
            return cached
    result, files = build_from(documents, dataset, settings, progress)
    refuse_schema_failures(result)
    if cache_dir is not None:
        _store_outputs(cache_dir, key, documents, settings, result, files)
    return result, files


def _cached_outputs(
    cache_dir: Path, key: str, documents: Sequence[InputDocument], settings: BuildSettings
) -> tuple[BuildResult, dict[str, bytes]] | None:
    if not open_cache_dir(cache_dir):  # `InputError` for a folder others can write
        return None
    entry = load_entry(cache_dir, key)
    if not (isinstance(entry, dict) and set(entry) == {"result", "files", "page_counts"}):
        return None
    result, files, page_counts = entry["result"], entry["files"], entry["page_counts"]
    if not (isinstance(result, BuildResult) and isinstance(files, dict) and isinstance(page_counts, dict)):
        return None
    for document in documents:
        check_page_limit(document, page_counts.get(document.source_file), settings)
    return result, files


def _store_outputs(
    cache_dir: Path,
    key: str,
    documents: Sequence[InputDocument],
    settings: BuildSettings,
    result: BuildResult,
    files: dict[str, bytes],
) -> None:
    # The page counts keep --max-pages refusing a PDF whose outputs come from the cache. The
    # metadata (pages' lines, review items) only serves files already rendered into `files`.
    page_counts = {
        document.source_file: pdf_page_count_for(document, settings)
        for document in documents
        if has_page_count(document)
    }
    entry = {"result": dataclasses.replace(result, metadata={}), "files": files, "page_counts": page_counts}
    store_entry(cache_dir, key, entry)
