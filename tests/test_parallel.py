"""Parallel extraction: page-range tasks on a process pool give the bytes a serial run gives."""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amif_extract import parallel
from amif_extract.build_records import BuildSettings, InputDocument
from amif_extract.cli import app
from amif_extract.errors import InputError
from amif_extract.parallel import ExtractionTask, TaskFailure, collector_paused, pages_per_task, plan_tasks
from amif_extract.pipeline import (
    build,
    extract_all,
    extraction_processes,
    manifest_documents,
    output_files,
    pdf_pages,
)
from amif_extract.sources import sha256_of

runner = CliRunner()


def _document(path: Path, kind: str = "web_page", file_format: str = "text") -> InputDocument:
    return InputDocument(path, path.name, kind, file_format, sha256_of(path))


def test_two_workers_build_raw_byte_identical_to_a_serial_build(
    raw_dir: Path, serial_output_files: dict[str, bytes]
) -> None:
    result = build(raw_dir, BuildSettings(workers=2, use_cache=False))
    files = output_files(result)
    assert sorted(files) == sorted(serial_output_files)
    for name, data in serial_output_files.items():
        assert files[name] == data, name
    titles = [row["title"] for row in result.tables["amif_projects"]]
    assert titles[:2] == ["Ateliers autour de la naissance", "Motirõ"]
    assert len(result.tables["practice_sheets"]) == 24


def test_a_pdf_is_cut_into_page_ranges_read_in_page_order(raw_dir: Path) -> None:
    documents = manifest_documents(raw_dir, BuildSettings())
    amif_pdf = next(
        document for document in documents if document.source_file == "amif_projets_cofinances.pdf"
    )
    tasks = plan_tasks(0, amif_pdf, BuildSettings(workers=2))
    assert [(task.first_page, task.last_page) for task in tasks] == [(1, 4), (5, 8), (9, 12), (13, 13)]
    text = next(document for document in documents if document.format == "text")
    assert [(task.first_page, task.last_page) for task in plan_tasks(1, text, BuildSettings())] == [(0, 0)]


def test_long_pdfs_get_larger_page_ranges_so_each_opening_of_the_file_stays_cheap() -> None:
    """Page counts the documents lack (650 pages): the split depends only on the count and the workers."""
    assert pages_per_task(13, 2) == 4
    assert pages_per_task(650, 2) == 82
    assert pages_per_task(650, 16) == 11


def test_the_pool_grows_with_the_pdf_pages_to_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page counts of raw/ (the AMIF PDF 13, the brochure 48, both 61; no PDF 0) and of the
    benchmark's long documents (260, 650): none in this process, then one process beside it while it
    loads the table libraries, then every core."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    default = BuildSettings()
    assert (default.pool_min_pages, default.all_cores_min_pages) == (4, 150)
    pages = (0, 4, 5, 13, 48, 61, 149, 150, 260, 650)
    assert [default.extraction_processes(count) for count in pages] == [0, 0, 1, 1, 1, 1, 1, 2, 2, 2]
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert [default.extraction_processes(count) for count in (4, 61, 650)] == [0, 7, 8]
    assert BuildSettings(pool_min_pages=13).extraction_processes(13) == 0
    # pdfplumber parses a page in about four times PDFium's time: raw/'s 61 pages take every core.
    assert [BuildSettings(engine="pdfplumber").extraction_processes(n) for n in (4, 13, 61)] == [0, 7, 8]
    assert [BuildSettings(workers=3).extraction_processes(count) for count in (0, 61)] == [3, 3]
    assert BuildSettings(workers=1).extraction_processes(650) == 0
    with pytest.raises(ValueError, match="pool_min_pages and all_cores_min_pages must not be negative"):
        BuildSettings(pool_min_pages=-1)


def test_the_pages_that_decide_are_the_pdf_pages_of_the_documents_to_parse(
    raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    settings = BuildSettings(use_cache=False)
    documents = manifest_documents(raw_dir, settings)
    pdfs = {document.source_file: document for document in documents if document.format == "pdf"}
    texts = [document for document in documents if document.format == "text"]
    assert pdf_pages(documents, settings) == 61
    assert pdf_pages([pdfs["amif_projets_cofinances.pdf"]], settings) == 13
    assert pdf_pages([pdfs["assises_integration_locale_fiches.pdf"]], settings) == 48
    assert pdf_pages(texts, settings) == 0
    assert extraction_processes(documents, settings) == 1
    assert extraction_processes(texts, settings) == 0
    assert extraction_processes(texts, BuildSettings(workers=2)) == 2
    truncated = tmp_path / "truncated.pdf"  # synthetic damage: reading it reports it, counting skips it
    truncated.write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    assert pdf_pages([_document(truncated, "amif_table", "pdf"), *texts], settings) == 0


def test_web_pages_alone_are_extracted_without_a_pool(raw_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*arguments: object) -> None:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "extract_in_parallel", no_pool)
    documents = [_document(raw_dir / name) for name in ("asti_convention_2021.txt", "oim_france_projets.txt")]
    extractions = extract_all(documents, BuildSettings(use_cache=False))
    assert [extraction.document.source_file for extraction in extractions] == [
        "asti_convention_2021.txt",
        "oim_france_projets.txt",
    ]


def test_a_pdf_over_max_pages_is_refused_before_any_page_is_parsed(raw_dir: Path) -> None:
    documents = manifest_documents(raw_dir, BuildSettings())
    with pytest.raises(
        InputError, match=r"amif_projets_cofinances\.pdf: PDF has 13 pages, over the limit of 12"
    ):
        extract_all(documents, BuildSettings(max_pages=12, workers=2, use_cache=False))


def test_an_input_error_inside_a_worker_reaches_the_caller_as_in_a_serial_run(
    raw_dir: Path, tmp_path: Path
) -> None:
    """An empty web page (a synthetic input) fails inside a worker process; InputError does not pickle."""
    empty = tmp_path / "empty_page.txt"
    empty.write_bytes(b"")
    documents = [_document(raw_dir / "asti_convention_2021.txt"), _document(empty)]
    messages = []
    for workers in (1, 2):
        with pytest.raises(InputError) as caught:
            extract_all(documents, BuildSettings(workers=workers, use_cache=False))
        messages.append(str(caught.value))
    assert messages == [f"{empty}: file is empty"] * 2


def test_the_first_failing_document_in_order_is_reported_wherever_it_failed(tmp_path: Path) -> None:
    """Synthetic inputs: a truncated PDF fails while tasks are planned, an empty page inside a worker."""
    empty = tmp_path / "empty_page.txt"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    pdf = _document(truncated, "amif_table", "pdf")
    for documents, named in (([pdf, _document(empty)], truncated), ([_document(empty), pdf], empty)):
        for workers in (1, 2):
            with pytest.raises(InputError) as caught:
                extract_all(documents, BuildSettings(workers=workers, use_cache=False))
            assert caught.value.path == str(named)


def test_a_task_parses_with_the_collector_paused_and_leaves_it_as_it_was(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def record_and_fail(document: InputDocument, settings: BuildSettings) -> None:
        seen.append(gc.isenabled())
        raise InputError(document.path, "stand-in failure")

    monkeypatch.setattr(parallel, "extract_document", record_and_fail)
    task = ExtractionTask(0, _document(raw_dir / "asti_convention_2021.txt"), BuildSettings())
    assert isinstance(parallel.run_task(task), TaskFailure)
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _die(task: object) -> None:
    """A worker killed in the middle of a task (out of memory, `kill -9`)."""
    os._exit(137)


def test_a_worker_that_dies_is_one_input_error_naming_the_file(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forked workers inherit the replaced task function; a fork server would import the original.
    monkeypatch.setattr(parallel, "run_task", _die)
    monkeypatch.setattr(parallel, "pool_context", lambda: multiprocessing.get_context("fork"))
    amif_pdf = _document(raw_dir / "amif_projets_cofinances.pdf", "amif_table", "pdf")
    with pytest.raises(InputError) as caught:
        extract_all([amif_pdf], BuildSettings(workers=2, use_cache=False))
    assert caught.value.path == str(amif_pdf.path)
    reason = caught.value.reason
    assert reason.startswith("a worker process died (killed, or out of memory) while reading pages ")
    assert reason.endswith("(or another part of the build); run again with --workers 1 to read it here")


def test_cli_broken_pdf_under_two_workers_exits_2_with_the_serial_message(
    raw_dir: Path, tmp_path: Path
) -> None:
    """A truncated copy of the real AMIF PDF (synthetic damage)."""
    broken = tmp_path / "amif_projets_cofinances.pdf"
    broken.write_bytes((raw_dir / "amif_projets_cofinances.pdf").read_bytes()[:3000])
    outputs = []
    for workers in ("1", "2"):
        result = runner.invoke(
            app, ["-q", "extract", str(broken), "--out", str(tmp_path / "out"), "--workers", workers]
        )
        assert result.exit_code == 2, result.output
        outputs.append(result.stderr)
    assert outputs[0] == outputs[1]
    assert outputs[0].strip() == f"error: {broken}: PDF is truncated or damaged (unexpected end of file)"


def test_cli_workers_option_runs_a_pool_and_writes_the_tables(raw_dir: Path, tmp_path: Path) -> None:
    sources = tmp_path / "in"
    sources.mkdir()
    for name in (
        "asti_convention_2021.txt",
        "oim_france_projets.txt",
        "mfamigr_associations_integration.txt",
    ):
        shutil.copy(raw_dir / name, sources / name)
    out = tmp_path / "out"
    arguments = ["-q", "extract", *map(str, sorted(sources.iterdir())), "--out", str(out), "--no-cache"]
    result = runner.invoke(app, [*arguments, "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "ASTI" in (out / "conventions.csv").read_text(encoding="utf-8")


def test_settings_refuse_zero_workers_and_a_scheduler_without_a_scheme(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="workers must be at least 1"):
        BuildSettings(workers=0)
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        BuildSettings(scheduler="localhost:8786")
    result = runner.invoke(app, ["build", "--out", str(tmp_path / "out"), "--workers", "0"])
    assert result.exit_code == 2
    assert "workers must be at least 1" in result.stderr
