"""The command line as a whole: help with examples, version, verbosity, progress lines, exit codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from amif_extract import __version__
from amif_extract.cli import EXIT_CODES_TABLE, ProgressDisplay, Verbosity, app

runner = CliRunner()


def command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of the CLI, walked from typer's own tree so none is forgotten."""
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if hasattr(command, "commands"):  # a group (typer ships its own copy of click's classes)
            paths += command_paths(command, (*prefix, name))
    return paths


COMMANDS = command_paths(typer.main.get_command(app))


def test_every_command_is_walked() -> None:
    assert {"build", "extract", "fetch", "check", "diff", "review", "review apply"} <= {
        " ".join(path) for path in COMMANDS
    }


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(path) for path in COMMANDS])
def test_every_command_help_shows_an_example(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    example = result.stdout.split("Example", 1)[1]
    assert f"amif-extract {path[0]}" in example


def test_top_level_help_shows_the_exit_codes_table() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes:" in result.stdout
    for line in EXIT_CODES_TABLE.splitlines():
        assert line in result.stdout
    assert [line.split("|")[1].strip() for line in EXIT_CODES_TABLE.splitlines()[2:]] == [
        "0", "1", "1", "1", "2", "2", "2", "2",
    ]  # fmt: skip


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"amif-extract {__version__}\n"


@pytest.mark.parametrize("flag", ["-q", "--quiet", "-v", "--verbose"])
def test_verbosity_flags_are_accepted_before_every_command(flag: str) -> None:
    for path in COMMANDS:
        assert runner.invoke(app, [flag, *path, "--help"]).exit_code == 0, path


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Builds in these tests cache their extractions here, never in the user's cache folder."""
    monkeypatch.setenv("AMIF_EXTRACT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


PLAIN_PROGRESS_LINE = re.compile(r"^\[(\d+)/(\d+)\] \S")


def test_extract_prints_plain_progress_lines_to_stderr_off_a_terminal(raw_dir: Path, tmp_path: Path) -> None:
    arguments = ["extract", str(raw_dir / "asti_convention_2021.txt"), "--out", str(tmp_path / "out")]
    first = runner.invoke(app, arguments)
    assert first.exit_code == 0, first.output
    lines = first.stderr.splitlines()
    assert lines[0] == "[0/1] extracting asti_convention_2021.txt"
    assert lines[-1] == "[1/1] extracted"
    assert all(PLAIN_PROGRESS_LINE.match(line) for line in lines)
    assert first.stdout.splitlines()[0] == f"built 1 document(s) → {tmp_path / 'out'}"
    assert "conventions: 1 rows" in first.stdout

    cached = runner.invoke(app, arguments)  # the second run reads the extraction from the cache
    assert cached.exit_code == 0, cached.output
    assert cached.stderr.splitlines() == ["[1/1] extracted"]
    assert cached.stdout == first.stdout


def test_quiet_prints_nothing_and_verbose_prints_every_finding(raw_dir: Path, tmp_path: Path) -> None:
    asti = str(raw_dir / "asti_convention_2021.txt")
    quiet = runner.invoke(app, ["-q", "extract", asti, "--out", str(tmp_path / "quiet")])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert (tmp_path / "quiet" / "conventions.csv").exists()

    oim = str(raw_dir / "oim_france_projets.txt")
    normal = runner.invoke(app, ["extract", oim, "--out", str(tmp_path / "normal")])
    verbose = runner.invoke(app, ["-v", "extract", oim, "--out", str(tmp_path / "verbose")])
    assert normal.exit_code == verbose.exit_code == 0
    detail = [line for line in verbose.stdout.splitlines() if line.startswith("  ")]
    assert detail and all("oim_france_projets.txt" in line for line in detail)
    assert not [line for line in normal.stdout.splitlines() if line.startswith("  ")]


def test_progress_display_is_silent_when_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    previous, Verbosity.level = Verbosity.level, 0
    try:
        with ProgressDisplay() as progress:
            progress("extracting a.pdf", 0, 2)
    finally:
        Verbosity.level = previous
    assert capsys.readouterr() == ("", "")
