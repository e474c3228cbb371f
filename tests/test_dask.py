"""On a Dask cluster extraction gives the serial bytes; an unreachable scheduler is an input error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from amif_extract import parallel
from amif_extract.build_records import BuildSettings, InputDocument
from amif_extract.cli import app
from amif_extract.errors import InputError
from amif_extract.pipeline import build, extract_all, output_files
from amif_extract.sources import sha256_of

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))

from bomb_pdf import write_bomb_pdf

runner = CliRunner()
DASK = str(Path(sys.executable).with_name("dask"))  # the `dask` command of this environment


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


def _pids_of_workers(address: str) -> dict[str, int]:
    with Client(address, set_as_default=False) as client:
        return dict(client.run(os.getpid))


def _killing_after_first_result(pid: int) -> Callable[[str, int, int], None]:
    """A progress callback that SIGKILLs worker `pid` once the first task's result is in."""
    killed: list[int] = []

    def progress(message: str, done: int, total: int) -> None:
        if message.startswith("extracted ") and not killed:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    return progress


def test_a_worker_killed_mid_build_is_replaced_and_the_build_is_the_same(raw_dir: Path) -> None:
    """The worker holding the document's bytes and finished pages dies: both are computed again."""
    path = raw_dir / "amif_projets_cofinances.pdf"
    document = InputDocument(path, path.name, "amif_table", "pdf", sha256_of(path))
    serial = extract_all([document], BuildSettings(workers=1, use_cache=False))
    with LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        victim = sorted(_pids_of_workers(cluster.scheduler_address).values())[0]
        settings = BuildSettings(scheduler=cluster.scheduler_address, use_cache=False, pages_per_task=1)
        again = extract_all([document], settings, _killing_after_first_result(victim))
    assert again == serial


def test_a_build_whose_only_worker_dies_stops_after_the_worker_timeout_naming_the_pages(
    raw_dir: Path,
) -> None:
    """A worker without a nanny (nothing restarts it) is killed mid-build; the scheduler stays up."""
    path = raw_dir / "amif_projets_cofinances.pdf"
    document = InputDocument(path, path.name, "amif_table", "pdf", sha256_of(path))
    with LocalCluster(host="127.0.0.1", n_workers=0, dashboard_address=":0") as cluster:
        worker = subprocess.Popen(
            [DASK, "worker", cluster.scheduler_address, "--no-nanny", "--nthreads", "1", "--no-dashboard"],
            stderr=subprocess.DEVNULL,
        )
        try:
            with Client(cluster.scheduler_address, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=60)  # started: only its death is under test
            settings = BuildSettings(
                scheduler=cluster.scheduler_address, use_cache=False, pages_per_task=1, worker_timeout_s=2
            )
            started = time.monotonic()
            with pytest.raises(InputError) as caught:
                extract_all([document], settings, _killing_after_first_result(worker.pid))
        finally:
            worker.kill()
            worker.wait()
    assert time.monotonic() - started < 60
    assert caught.value.path == str(path)
    assert caught.value.reason.startswith("no Dask worker left to read pages ")
    assert caught.value.reason.endswith(" within 2 s (--worker-timeout)")


@pytest.mark.parametrize("value", ["0", "-3"])
def test_the_worker_timeout_must_be_positive(tmp_path: Path, value: str) -> None:
    result = runner.invoke(app, ["build", "--out", str(tmp_path / "out"), "--worker-timeout", value])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: worker_timeout_s must be positive (got {float(value)})"]


def test_the_stream_cap_holds_on_dask_workers(tmp_path: Path, scheduler_address: str) -> None:
    """A Dask worker is a process of its own: the cap travels with the task's settings."""
    bomb = write_bomb_pdf(tmp_path / "bombe.pdf", 8 * 1024 * 1024)
    document = InputDocument(bomb, bomb.name, "amif_table", "pdf", sha256_of(bomb))
    settings = BuildSettings(scheduler=scheduler_address, use_cache=False, max_stream_mb=1)
    with pytest.raises(InputError) as caught:
        extract_all([document], settings)
    assert caught.value.path == str(bomb)
    assert "inflates past 1 MB (--max-stream-mb)" in caught.value.reason
