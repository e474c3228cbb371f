"""Writing a build: every output is written into a temporary sibling folder, then swapped in whole.

A killed or failing build therefore leaves the previous `normalized/` exactly as it was: readers
see either the old folder or the new one, never a mixture or a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from amif_extract.errors import InputError

_OLD_SUFFIX = ".previous"


def recover_interrupted_swap(out_dir: Path) -> None:
    """If a swap was cut between its two renames, put the previous output back."""
    previous = out_dir.with_name(out_dir.name + _OLD_SUFFIX)
    if previous.exists() and not out_dir.exists():
        previous.rename(out_dir)
    elif previous.exists():
        shutil.rmtree(previous, ignore_errors=True)


def _remove_stale_staging(out_dir: Path) -> None:
    for stale in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def refuse_foreign_target(out_dir: Path, files: dict[str, bytes]) -> None:
    """Refuse to replace what is not an earlier output: the swap deletes the old folder whole.

    An existing folder is replaced only when it is empty or holds at least one file this write
    produces, so a mistyped `--out ~` or `--out .` stops instead of deleting the folder's content.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "output path exists and is not a folder; refusing to replace it")
    if not out_dir.is_dir():
        return
    # Top-level names only: a mistaken target may be a home folder, too big to walk.
    present = {entry.name for entry in out_dir.iterdir()}
    if present and not present & {relative.split("/")[0] for relative in files}:
        raise InputError(
            out_dir,
            "output folder holds files but none of the outputs; refusing to replace a folder"
            " that is not an earlier build (empty it or choose another --out)",
        )


def write_output_folder(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write `files` (relative path → bytes) as the new content of `out_dir`, all or nothing."""
    out_dir = out_dir.absolute()
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(out_dir, f"output folder cannot be written ({error.strerror or error})") from error
    with _writers_excluded(out_dir.parent):
        _write_and_swap(out_dir, files)


@contextlib.contextmanager
def _writers_excluded(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `folder` while a write runs (waiting for another to end).

    Two builds writing to the same `--out` at once would otherwise clear each other's staging
    folder as stale; with the lock they take turns and the last one's output stands whole. Where
    there is no `fcntl` (Windows) or the file system refuses locks, writes are not serialised.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError as error:
        raise InputError(folder, f"output folder cannot be opened ({error.strerror or error})") from error
    try:
        with contextlib.suppress(OSError):  # e.g. ENOLCK on some network file systems
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


def _write_and_swap(out_dir: Path, files: dict[str, bytes]) -> None:
    try:
        recover_interrupted_swap(out_dir)
        refuse_foreign_target(out_dir, files)
        _remove_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    except OSError as error:
        raise InputError(out_dir, f"output folder cannot be written ({error.strerror or error})") from error
    try:
        for relative, data in sorted(files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap_in(staging, out_dir)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(out_dir, f"output folder cannot be written ({error.strerror or error})") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, out_dir: Path) -> None:
    staging.chmod(0o755)
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    previous = out_dir.with_name(out_dir.name + _OLD_SUFFIX)
    out_dir.rename(previous)
    try:
        staging.rename(out_dir)
    except OSError:
        previous.rename(out_dir)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def write_file_atomically(path: Path, data: bytes) -> None:
    """One file: temporary file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
