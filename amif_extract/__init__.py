"""amif-extract: the public documents on AMIF-funded projects in Luxembourg as validated datasets."""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("amif-extract")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+checkout"

# The public API, imported on first use so that `amif-extract --version` and cached rebuilds do not
# pay for modules they never call.
_PUBLIC = {
    "parse_amount": "amif_extract.normalize.amounts",
    "AmountError": "amif_extract.normalize.amounts",
    "parse_period": "amif_extract.normalize.periods",
    "PeriodError": "amif_extract.normalize.periods",
    "clean_organisation_name": "amif_extract.normalize.names",
    "resolve_organisation": "amif_extract.organisations",
    "Match": "amif_extract.organisations",
    "Finding": "amif_extract.findings",
    "SourceLocation": "amif_extract.findings",
    "InputError": "amif_extract.errors",
    "BuildSettings": "amif_extract.build_records",
    "BuildResult": "amif_extract.build_records",
    "InputDocument": "amif_extract.build_records",
    "DocumentExtraction": "amif_extract.build_records",
    "Dataset": "amif_extract.dataset",
    "open_dataset": "amif_extract.dataset",
    "init_dataset": "amif_extract.dataset",
    "build": "amif_extract.rebuild",
    "build_dataset": "amif_extract.rebuild",
    "extract_files": "amif_extract.pipeline",
    "output_files": "amif_extract.pipeline",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'amif_extract' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
