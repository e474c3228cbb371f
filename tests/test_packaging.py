"""What a wheel ships: every package and every data file of the package's folders, as pyproject lists them.

CI builds a real wheel and builds the dataset with it (`.ci/run`); this test names the file a wheel
would leave out, before anyone builds one: a new subpackage, a contract's JSON, a report asset.
"""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import PurePosixPath

from conftest import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
PACKAGES: list[str] = SETUPTOOLS["packages"]
# The checkout's own steward file: a dataset's, not a default; `amif-extract init` writes an empty one.
NOT_SHIPPED = {"schemas/acknowledged_findings.csv"}


def package_folder(package: str) -> PurePosixPath:
    """The checkout folder of a package, following `package-dir` (amif_extract.schemas is schemas/)."""
    mapped = SETUPTOOLS.get("package-dir", {})
    for prefix in sorted(mapped, key=len, reverse=True):
        if package == prefix or package.startswith(prefix + "."):
            rest = package[len(prefix) :].lstrip(".").split(".")
            return PurePosixPath(mapped[prefix], *[part for part in rest if part])
    return PurePosixPath(*package.split("."))


FOLDERS = {package_folder(package): package for package in PACKAGES}


def tracked_files() -> list[PurePosixPath]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", *sorted({str(folder.parts[0]) for folder in FOLDERS})],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [PurePosixPath(name) for name in listing.split("\0") if name]


def owning_package(path: PurePosixPath) -> tuple[str, PurePosixPath] | None:
    """The listed package whose folder holds `path` most closely, and the path relative to it."""
    for folder in sorted(FOLDERS, key=lambda folder: len(folder.parts), reverse=True):
        if folder in path.parents:
            return FOLDERS[folder], path.relative_to(folder)
    return None


def test_every_python_package_of_the_checkout_is_listed() -> None:
    folders = {path.parent for path in tracked_files() if path.name == "__init__.py"}
    assert folders - set(FOLDERS) == set()


def test_every_data_file_is_shipped_except_the_checkouts_own_steward_file() -> None:
    data = [path for path in tracked_files() if path.suffix != ".py"]
    assert PurePosixPath("schemas/profiles/amif_table.toml") in data
    shipped, left_out = set(), set()
    for path in data:
        owner = owning_package(path)
        assert owner is not None, f"{path} is in no package"
        package, relative = owner
        patterns = SETUPTOOLS.get("package-data", {}).get(package, [])
        excluded = SETUPTOOLS.get("exclude-package-data", {}).get(package, [])
        matches = any(fnmatch.fnmatch(str(relative), pattern) for pattern in patterns)
        if matches and not any(fnmatch.fnmatch(str(relative), pattern) for pattern in excluded):
            shipped.add(str(path))
        else:
            left_out.add(str(path))
    assert left_out == NOT_SHIPPED
    assert {"schemas/organisations.csv", "schemas/amif_operations_cpr49.schema.json"} <= shipped
