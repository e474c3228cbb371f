"""On a Dask cluster extraction gives the serial bytes; an unreachable scheduler is an input error."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster
from typer.testing import CliRunner

from amif_extract import parallel
from amif_extract.build_records import BuildSettings, InputDocument
from amif_extract.cli import app
from amif_extract.errors import InputError
from amif_extract.pipeline import build, extract_all, output_files
from amif_extract.sources import sha256_of

runner = CliRunner()


@pytest.fixture(scope="module")
def scheduler_address() -> Iterator[str]:
    with LocalCluster(host="127.0.0.1", n_workers=2, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_build_on_a_dask_cluster_is_byte_identical_to_a_serial_build(
    raw_dir: Path, serial_output_files: dict[str, bytes], scheduler_address: str
) -> None:
    result = build(raw_dir, BuildSettings(scheduler=scheduler_address, use_cache=False))
    files = output_files(result)
    for name, data in serial_output_files.items():
        assert files[name] == data, name
    assert result.tables["practice_contacts"]
    assert result.tables["amif_projects"][1]["title"] == "Motirõ"


def test_an_input_error_on_a_dask_worker_names_the_callers_file(
    raw_dir: Path, tmp_path: Path, scheduler_address: str
) -> None:
    """An empty web page (synthetic): the worker reads a temporary copy, the error names the real file."""
    empty = tmp_path / "empty_page.txt"
    empty.write_bytes(b"")
    documents = [
        InputDocument(path, path.name, "web_page", "text", sha256_of(path))
        for path in (raw_dir / "asti_convention_2021.txt", empty)
    ]
    with pytest.raises(InputError) as caught:
        extract_all(documents, BuildSettings(scheduler=scheduler_address, use_cache=False))
    assert str(caught.value) == f"{empty}: file is empty"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_scheduler_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    arguments = ["build", "--out", str(tmp_path / "out"), "--no-cache", "--scheduler", address]
    result = runner.invoke(app, [*arguments, "--scheduler-timeout", "1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {address}: cannot reach the Dask scheduler")


def test_a_task_whose_worker_dies_is_one_input_error_naming_the_file(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-task (as by the out-of-memory killer): no retry, the file and pages named."""
    # A lambda travels to the workers by value (cloudpickle); the test module is not importable there.
    monkeypatch.setattr(parallel, "run_task_from_bytes", lambda task, data: os._exit(137))
    path = raw_dir / "amif_projets_cofinances.pdf"
    document = InputDocument(path, path.name, "amif_table", "pdf", sha256_of(path))
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(host="127.0.0.1", n_workers=1, processes=True, dashboard_address=":0") as cluster,
        pytest.raises(InputError) as caught,
    ):
        extract_all([document], BuildSettings(scheduler=cluster.scheduler_address, use_cache=False))
    assert caught.value.path == str(path)
    assert caught.value.reason == (
        "a worker process died (killed, or out of memory) while reading pages 1-4;"
        " run again with --workers 1 to read it here"
    )
