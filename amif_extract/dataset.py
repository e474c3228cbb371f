"""A dataset folder: the unit everything a dataset owns resolves from.

One root holds the documents and their manifest (``raw/``), the files stewards edit (``schemas/``:
acknowledged findings, the organisations authority with its rejections, optional document profiles)
and the committed build (``normalized/``). The package itself ships code, table contracts and the
defaults a new dataset starts from; nothing a steward edits is read from where the package is
installed. The root is ``--project DIR``, else ``$AMIF_EXTRACT_PROJECT``, else the working folder;
this checkout is such a folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from amif_extract.acknowledge import ACKNOWLEDGEMENT_COLUMNS
from amif_extract.errors import InputError, read_input_bytes
from amif_extract.organisations import AUTHORITY_FILE, REJECTIONS_FILE, rejections_path_for
from amif_extract.registry import kind_names
from amif_extract.sources import (
    MANIFEST_NAME,
    Source,
    manifest_with,
    read_manifest,
    sha256_of,
)
from amif_extract.write import write_file_atomically

PROJECT_ENV = "AMIF_EXTRACT_PROJECT"
RAW_DIR, NORMALIZED_DIR, SCHEMAS_DIR, PROFILES_DIR = "raw", "normalized", "schemas", "profiles"
ACKNOWLEDGEMENTS_FILE = "acknowledged_findings.csv"


@dataclass(frozen=True)
class Dataset:
    """Where one dataset's files are. Made by `open_dataset`, which checks the required ones exist."""

    root: Path
    raw: Path  # the documents and their manifest
    normalized: Path  # the build's output folder
    acknowledgements: Path  # acknowledged findings
    authority: Path  # the organisations authority file
    profiles: Path  # document profiles (<kind>.toml) overriding the packaged ones; may not exist

    @property
    def manifest(self) -> Path:
        return self.raw / MANIFEST_NAME

    @property
    def rejections(self) -> Path:
        """Rejected organisation names: beside the authority file, where `review apply` writes them."""
        return rejections_path_for(self.authority)

    def steward_files(self) -> list[Path]:
        """The steward files a build reads that exist: acknowledgements, authority, rejections, profiles."""
        files = [self.acknowledgements, self.authority, self.rejections]
        if self.profiles.is_dir():
            files += sorted(path for path in self.profiles.glob("*.toml") if path.is_file())
        return [path for path in files if path.is_file()]


def project_root(project: Path | None = None) -> Path:
    """`project`, else `$AMIF_EXTRACT_PROJECT`, else the working folder (kept relative: it names paths)."""
    if project is not None:
        return project
    return Path(os.environ.get(PROJECT_ENV) or ".")


def dataset_paths(
    root: Path,
    *,
    raw: Path | None = None,
    normalized: Path | None = None,
    acknowledgements: Path | None = None,
    authority: Path | None = None,
) -> Dataset:
    """The dataset layout under `root`, with any path given here instead; nothing is checked."""
    schemas = root / SCHEMAS_DIR
    return Dataset(
        root=root,
        raw=raw if raw is not None else root / RAW_DIR,
        normalized=normalized if normalized is not None else root / NORMALIZED_DIR,
        acknowledgements=(
            acknowledgements if acknowledgements is not None else schemas / ACKNOWLEDGEMENTS_FILE
        ),
        authority=authority if authority is not None else schemas / AUTHORITY_FILE,
        profiles=schemas / PROFILES_DIR,
    )


def missing_files(dataset: Dataset) -> list[str]:
    """The required files of `dataset` that are not there, named relative to its root where inside it."""
    required = (dataset.manifest, dataset.acknowledgements, dataset.authority)
    return [_shown(dataset.root, path) for path in required if not path.is_file()]


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix() if root != Path(".") else path.as_posix()
    except ValueError:
        return str(path)


def open_dataset(
    project: Path | None = None,
    *,
    raw: Path | None = None,
    normalized: Path | None = None,
    acknowledgements: Path | None = None,
    authority: Path | None = None,
) -> Dataset:
    """The dataset at `project_root(project)`; one-line `InputError` naming what is missing if it is not one.

    The keyword paths override single parts of the layout (the CLI's `--raw`, `--out`, ...).
    """
    root = project_root(project)
    if not root.is_dir():
        raise InputError(root, "dataset folder not found")
    dataset = dataset_paths(
        root, raw=raw, normalized=normalized, acknowledgements=acknowledgements, authority=authority
    )
    missing = missing_files(dataset)
    if missing:
        raise InputError(
            root.absolute(),
            f"not a dataset folder: {', '.join(missing)} missing (`amif-extract init DIR` makes one)",
        )
    return dataset


def find_dataset(project: Path | None = None) -> Dataset | None:
    """The dataset named by `project` or `$AMIF_EXTRACT_PROJECT` (it must be one), else the working
    folder if it is a dataset, else None: `extract` then uses the packaged defaults."""
    if project is not None or os.environ.get(PROJECT_ENV):
        return open_dataset(project)
    here = dataset_paths(Path("."))
    return here if not missing_files(here) else None


# ---------------------------------------------------------------- a new dataset


MANIFEST_HEADER = """\
# Source documents of the dataset. `build` refuses a file whose sha256 differs from the one recorded here.
# kind: {kinds}; format: pdf | text; entries sharing `document` are
# two formats of one document (build uses the PDF). `url` is where `amif-extract fetch` downloads a new
# edition from. Add a document with `amif-extract sources add FILE --kind KIND [--url URL]`.
"""

README_STUB = """\
# {name}

A dataset folder of amif-extract: documents in, validated tables out. What goes where:

- `raw/`: the source documents, read-only; `raw/sources.toml` records each one's kind, format, url
  and sha256. Add a document with `amif-extract sources add FILE --kind KIND [--url URL]`; download
  new editions with `amif-extract fetch`.
- `schemas/acknowledged_findings.csv`: findings a steward reviewed and accepted, each with a reason.
- `schemas/organisations.csv`: the organisations authority (ids, names, acronyms, aliases), edited by
  stewards and by `amif-extract review apply`; `schemas/organisation_rejections.csv` beside it lists
  the names stewards decided not to match.
- `schemas/profiles/<kind>.toml` (optional): the labels a document kind prints, where they differ
  from the profile the package ships.
- `normalized/`: the build (tables, data package, validation report), written by `amif-extract build`
  only; `amif-extract check` fails when it is stale.

    amif-extract sources add ~/Downloads/liste.pdf --kind amif_table --url https://...
    amif-extract build
    amif-extract check
"""


def _default_bytes(name: str) -> bytes:
    return resources.files("amif_extract.schemas").joinpath(name).read_bytes()


def init_dataset(folder: Path) -> Dataset:
    """Make a new dataset folder: empty manifest, empty acknowledgements, the packaged authority and
    rejections, a README saying what goes where. A folder that exists and is not empty is refused."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(folder, "not an empty folder; a new dataset needs one of its own")
    dataset = dataset_paths(folder)
    kinds = " | ".join(kind_names())
    write_file_atomically(dataset.manifest, MANIFEST_HEADER.format(kinds=kinds).encode("utf-8"))
    header = ",".join(ACKNOWLEDGEMENT_COLUMNS) + "\n"
    write_file_atomically(dataset.acknowledgements, header.encode("utf-8"))
    write_file_atomically(dataset.authority, _default_bytes(AUTHORITY_FILE))
    write_file_atomically(dataset.rejections, _default_bytes(REJECTIONS_FILE))
    name = folder.resolve().name
    write_file_atomically(folder / "README.md", README_STUB.format(name=name).encode("utf-8"))
    return dataset


# ---------------------------------------------------------------- recording a document


def add_source(dataset: Dataset, file: Path, kind: str, url: str = "") -> Source:
    """Record `file` in the manifest with its sha256 and the format read from its content.

    A file outside `raw/` is copied there first. Refused: a kind the content is not, a name the
    manifest already lists, a different file of that name already in `raw/`. The manifest is
    rewritten whole and atomically, its comments and entries kept.
    """
    from amif_extract.detect import detect_document_kind  # reads the extractors: only when adding

    if kind not in kind_names():
        raise InputError(file, f"unknown kind {kind!r} (one of {', '.join(kind_names())})")
    manifest = read_manifest(dataset.raw)
    if any(source.file == file.name for source in manifest.sources):
        raise InputError(dataset.manifest, f"already lists {file.name}")
    detected = detect_document_kind(file)
    if detected.kind != kind:
        raise InputError(file, f"the content is of kind {detected.kind}, not {kind}")
    document = Path(file.name).stem
    other = [source for source in manifest.sources if source.document == document and source.kind != kind]
    if other:
        raise InputError(
            dataset.manifest, f"document {document!r} is listed as {other[0].kind} ({other[0].file})"
        )
    target = dataset.raw / file.name
    data = read_input_bytes(file)
    if target.resolve() != file.resolve():
        if target.exists() and read_input_bytes(target) != data:
            raise InputError(target, "a different file of this name is already in raw/")
        write_file_atomically(target, data)
    source = Source(
        file=file.name,
        kind=kind,
        format=detected.format,
        document=document,
        origin="",
        sha256=sha256_of(target),
        url=url,
    )
    text = read_input_bytes(dataset.manifest).decode("utf-8")
    write_file_atomically(dataset.manifest, manifest_with(text, source, dataset.manifest).encode("utf-8"))
    return source
