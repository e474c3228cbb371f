from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# The checkout is a dataset folder: raw/, the steward files in schemas/, normalized/.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW = PROJECT_ROOT / "raw"
ACKNOWLEDGEMENTS = PROJECT_ROOT / "schemas" / "acknowledged_findings.csv"
STEWARD_FILES = ("acknowledged_findings.csv", "organisations.csv", "organisation_rejections.csv", "profiles")


def copy_dataset(target: Path, *, normalized: bool = True) -> Path:
    """A copy of the checkout's dataset folder at `target`: raw/, the steward files, normalized/.

    Only the steward files of schemas/ are copied (not the contracts' code): a dataset folder needs
    nothing else, and a test that finds the contracts there would not show they come from the package.
    """
    shutil.copytree(RAW, target / "raw")
    for name in STEWARD_FILES:
        source = PROJECT_ROOT / "schemas" / name
        if source.is_dir():
            shutil.copytree(source, target / "schemas" / name)
        else:
            (target / "schemas").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / "schemas" / name)
    if normalized:
        shutil.copytree(PROJECT_ROOT / "normalized", target / "normalized")
    return target


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("amif-extract-cache")


@pytest.fixture(scope="session", autouse=True)
def _cache_outside_home(session_cache_dir: Path) -> Iterator[None]:
    """Builds in tests (and the CLI processes they start) cache in a temporary folder, never ~/.cache.

    Session-wide, so that module- and session-scoped fixtures that build are covered too. One folder
    for the whole session: entries are content-addressed, so sharing them between tests changes no
    result and spares each test the PDF parsing an earlier one already did.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AMIF_EXTRACT_CACHE", str(session_cache_dir))
        yield


@pytest.fixture(scope="session")
def serial_build_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache folder `serial_output_files` filled: every document of raw/, extracted serially."""
    return tmp_path_factory.mktemp("serial-build-cache")


@pytest.fixture(scope="session")
def serial_output_files(raw_dir: Path, serial_build_cache: Path) -> dict[str, bytes]:
    """Every output file of a serial, in-process build of raw/ from an empty cache: the reference."""
    from amif_extract.build_records import BuildSettings
    from amif_extract.pipeline import build, output_files

    assert not any(serial_build_cache.iterdir())
    return output_files(build(raw_dir, BuildSettings(workers=1, cache_dir=serial_build_cache)))
