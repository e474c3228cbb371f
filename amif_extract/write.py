"""Writing a build: every output is written into a temporary sibling folder, then swapped in whole.

A killed or failing build therefore leaves the previous `normalized/` exactly as it was: readers
see either the old folder or the new one, never a mixture or a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from amif_extract.errors import InputError

_OLD_SUFFIX = ".previous"

# The record of what a write put in its folder: the folder's content the tool may replace later.
OUTPUTS_RECORD = ".amif-extract-outputs.json"
OUTPUTS_RECORD_FORMAT = "amif-extract outputs 1"


def outputs_record(files: Collection[str]) -> bytes:
    """The record's bytes: sorted relative paths and a format version, no timestamp (deterministic)."""
    names = sorted(name for name in files if name != OUTPUTS_RECORD)
    return (json.dumps({"files": names, "format": OUTPUTS_RECORD_FORMAT}, indent=2) + "\n").encode("utf-8")


def with_outputs_record(files: dict[str, bytes]) -> dict[str, bytes]:
    """`files` plus the record of them: exactly what a write puts in its folder."""
    return {**files, OUTPUTS_RECORD: outputs_record(files)}


def recorded_outputs(folder: Path) -> set[str] | None:
    """The files `folder`'s record says the tool wrote (the record included); None without a record."""
    path = folder / OUTPUTS_RECORD
    if path.is_symlink() or not path.exists():
        return None
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise InputError(
            path, f"record of the tool's outputs is unreadable ({error}); refusing to replace"
        ) from error
    names = record.get("files") if isinstance(record, dict) else None
    if (
        not isinstance(record, dict)
        or record.get("format") != OUTPUTS_RECORD_FORMAT
        or not isinstance(names, list)
        or not all(isinstance(name, str) and _is_plain_relative(name) for name in names)
    ):
        raise InputError(path, "not a record of amif-extract's outputs (unknown format); refusing to replace")
    return {*names, OUTPUTS_RECORD}


def _is_plain_relative(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and all(part not in ("", ".", "..") for part in parts)


def first_foreign_entry(folder: Path, owned: Collection[str]) -> str | None:
    """The first entry under `folder` (sorted, depth first) that is not an owned file or its folder.

    Symbolic links are never owned (the tool writes none), and only owned folders are entered, so a
    home folder given by mistake is refused at its first name without being walked.
    """
    owned_files = set(owned)
    owned_dirs = {
        "/".join(name.split("/")[:end]) for name in owned_files for end in range(1, name.count("/") + 1)
    }
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(folder / prefix if prefix else folder) as entries:
            ordered = sorted(entries, key=lambda entry: entry.name)
        for entry in ordered:
            relative = f"{prefix}/{entry.name}" if prefix else entry.name
            if entry.is_symlink():
                return f"{relative} (a symbolic link)"
            if entry.is_dir(follow_symlinks=False):
                if relative not in owned_dirs:
                    return f"{relative}/"
                pending.append(relative)
            elif not entry.is_file(follow_symlinks=False) or relative not in owned_files:
                return relative
    return None


def _owned_by_the_tool(folder: Path, known: Collection[str]) -> str | None:
    """None when the tool may replace `folder`, else the first entry it did not write.

    A folder with a record owns what the record lists; one without (written by a version before the
    record, or empty) owns only the output names of this version, `known`.
    """
    recorded = recorded_outputs(folder)
    return first_foreign_entry(folder, known if recorded is None else recorded)


def restore_interrupted_swap(out_dir: Path, known: Collection[str] = ()) -> bool:
    """If a swap was cut between its two renames (`out_dir` gone, `.previous` there), put it back.

    Only a `.previous` folder the tool wrote is renamed: a user's folder of that name stays where it is.
    """
    previous = out_dir.with_name(out_dir.name + _OLD_SUFFIX)
    if out_dir.exists() or out_dir.is_symlink() or previous.is_symlink() or not previous.is_dir():
        return False
    if _owned_by_the_tool(previous, known) is not None:
        return False
    previous.rename(out_dir)
    return True


def recover_interrupted_swap(out_dir: Path, known: Collection[str] = ()) -> None:
    """Before a write: restore a swap cut between its renames, or remove the old folder it left."""
    if restore_interrupted_swap(out_dir, known):
        return
    previous = out_dir.with_name(out_dir.name + _OLD_SUFFIX)
    if not out_dir.exists() or (not previous.exists() and not previous.is_symlink()):
        return  # without an old folder to park, the swap does not need the name
    foreign = None if previous.is_dir() and not previous.is_symlink() else previous.name
    foreign = foreign or _owned_by_the_tool(previous, known)
    if foreign is not None:
        raise InputError(
            previous,
            f"is in the way of the output swap and holds {foreign!r}, which amif-extract did not write;"
            " move it away",
        )
    shutil.rmtree(previous, ignore_errors=True)


def restore_under_lock(out_dir: Path, known: Collection[str] = ()) -> bool:
    """`restore_interrupted_swap` taking turns with writers (a build may be swapping right now)."""
    out_dir = out_dir.absolute()
    previous = out_dir.with_name(out_dir.name + _OLD_SUFFIX)
    if out_dir.exists() or not previous.is_dir():
        return False
    try:
        with _writers_excluded(out_dir.parent):
            return restore_interrupted_swap(out_dir, known)
    except OSError as error:
        raise InputError(
            previous, f"left by an interrupted build, cannot be restored ({error.strerror or error})"
        ) from error


def _remove_stale_staging(out_dir: Path) -> None:
    for stale in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def refuse_foreign_target(out_dir: Path, files: Collection[str]) -> None:
    """Refuse to replace a folder holding anything the tool did not write: the swap deletes it whole.

    The folder's record lists what an earlier write put there; a folder without one is adopted when
    every entry is an output name of this write (`files`, from a version before the record). A
    user's file, a `.git/`, a symbolic link or an unknown sub-folder stops the write, naming it.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "output path exists and is not a folder; refusing to replace it")
    if not out_dir.is_dir():
        return
    foreign = _owned_by_the_tool(out_dir, files)
    if foreign is not None:
        raise InputError(
            out_dir,
            f"output folder holds {foreign!r}, which amif-extract did not write; refusing to replace the"
            " folder (move that away or choose another --out)",
        )


def resolve_output_link(out_dir: Path) -> Path:
    """A symbolic link given as `--out` stands for its folder: the link stays, the folder is replaced."""
    if not out_dir.is_symlink():
        return out_dir
    target = out_dir.resolve()
    if not target.is_dir():
        raise InputError(out_dir, "output path is a symbolic link to no folder; refusing to follow it")
    return target


def write_output_folder(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write `files` (relative path → bytes) and their record as the new content of `out_dir`, all or nothing.

    The folder is replaced only when the tool wrote everything in it (see `refuse_foreign_target`).
    """
    out_dir = resolve_output_link(out_dir.absolute())
    files = with_outputs_record(files)
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
        recover_interrupted_swap(out_dir, files)
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
