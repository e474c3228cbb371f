"""Running extraction as tasks: in this process, on a local process pool, or on a Dask cluster.

A PDF's pages are parsed independently and parsing dominates a build, so a PDF is split into
page-range tasks; each task opens the file itself and returns plain picklable page data (layouts or
printed lines), which the parent puts back in page order and assembles exactly as a whole-document
read would. Other documents are one task each. All tasks of all documents go to one pool, so a long
PDF and the small documents beside it keep every worker busy.

An `InputError` raised in a worker does not cross a process boundary intact (its constructor takes
two arguments, pickle replays one), so a task returns a `TaskFailure` instead, and the parent raises
the same one-line `InputError` a serial run would: the first failing document in document order.

Dask workers may run on machines that do not share this filesystem, so the parent sends each
document's bytes to the cluster once (as a task of their own, which the scheduler can run again if
the worker holding them dies), and a task writes them to a temporary file of its own for the
duration of the task: nothing is assumed about paths on the workers.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from amif_extract.assembly import preload_assembly
from amif_extract.build_records import (
    BuildSettings,
    DocumentExtraction,
    InputDocument,
    Progress,
    read_pdfs_as,
)
from amif_extract.errors import InputError, read_input_bytes
from amif_extract.registry import (
    assemble_pages,
    extract_document,
    is_splittable,
    pdf_page_count_for,
    read_page_range,
)


@dataclass(frozen=True)
class ExtractionTask:
    """One unit of work: a whole document (``first_page == 0``) or pages first..last of a PDF."""

    index: int  # position of the document in the build's document list
    document: InputDocument
    settings: BuildSettings
    first_page: int = 0
    last_page: int = 0

    def describe(self) -> str:
        if self.first_page == 0:
            return self.document.source_file
        return f"{self.document.source_file} pages {self.first_page}-{self.last_page}"


@dataclass(frozen=True)
class TaskFailure:
    """An `InputError` as plain data, so it crosses process and machine boundaries unchanged."""

    path: str
    reason: str

    def error(self) -> InputError:
        return InputError(self.path, self.reason)


PageData = list[Any]  # one item per page, as the document's extractor reads a page range
TaskOutcome = DocumentExtraction | PageData | TaskFailure


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while extraction runs, back as it was afterwards.

    Parsing allocates millions of objects that form almost no reference cycles (about 100 a page), and
    the page layouts stay alive until the table is assembled, so every full collection walks a heap
    that only grows and frees next to nothing: a quarter of the time of a 650-page extraction. The
    few cycles wait for the first collection after extraction.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_task(task: ExtractionTask) -> TaskOutcome:
    """Run one task; a top-level function so a process pool or a Dask worker can import it."""
    read_pdfs_as(task.settings)  # a worker may not have the build's cap and engine
    try:
        with collector_paused():
            if task.first_page == 0:
                return extract_document(task.document, task.settings)
            return read_page_range(task.document, task.first_page, task.last_page)
    except InputError as error:
        return TaskFailure(error.path, error.reason)


def run_task_from_bytes(task: ExtractionTask, data: bytes) -> TaskOutcome:
    """Run a task on a worker that may not see the document's path: read it from `data` instead."""
    suffix = task.document.path.suffix
    handle, temporary = tempfile.mkstemp(prefix="amif-extract-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        local = replace(task, document=replace(task.document, path=Path(temporary)))
        outcome = run_task(local)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    if isinstance(outcome, TaskFailure) and outcome.path == temporary:
        return TaskFailure(str(task.document.path), outcome.reason)
    if isinstance(outcome, DocumentExtraction):
        outcome.document = task.document
    return outcome


def plan_tasks(index: int, document: InputDocument, settings: BuildSettings) -> list[ExtractionTask]:
    """The tasks of one document: page ranges of `settings.pages_per_task` for a splittable PDF
    shared by several workers; the whole document for one worker, or for any other."""
    if not is_splittable(document) or (settings.effective_workers == 1 and not settings.scheduler):
        return [ExtractionTask(index, document, settings)]
    count = pdf_page_count_for(document, settings)
    step = settings.pages_per_task or pages_per_task(count, settings.effective_workers)
    return [
        ExtractionTask(index, document, settings, first, min(first + step - 1, count))
        for first in range(1, count + 1, step)
    ]


# A task opens its PDF, which costs about as much as parsing a page or two of a long file (the page
# tree is read whole), so tasks hold at least this many pages...
MIN_PAGES_PER_TASK = 4
# ...and a long PDF is cut into about this many tasks per worker: enough for the workers to finish
# together when pages differ in cost, few enough that opening the file stays a small share.
TASKS_PER_WORKER = 4


def pages_per_task(page_count: int, workers: int) -> int:
    """Pages in each task of a `page_count`-page PDF shared by `workers` workers."""
    return max(MIN_PAGES_PER_TASK, -(-page_count // (workers * TASKS_PER_WORKER)))


def extract_in_parallel(
    documents: Sequence[InputDocument], settings: BuildSettings, progress: Progress
) -> list[DocumentExtraction | TaskFailure]:
    """Each document's extraction (or why it failed), in the order given."""
    tasks: list[ExtractionTask] = []
    failures: dict[int, TaskFailure] = {}
    for index, document in enumerate(documents):
        try:
            tasks += plan_tasks(index, document, settings)
        except InputError as error:
            failures[index] = TaskFailure(error.path, error.reason)
    if settings.scheduler:
        outcomes = run_on_dask(tasks, settings, progress)
    else:
        outcomes = run_on_pool(tasks, settings.effective_workers, progress)
    parts: dict[int, list[tuple[ExtractionTask, TaskOutcome]]] = {}
    for task, outcome in zip(tasks, outcomes, strict=True):
        parts.setdefault(task.index, []).append((task, outcome))
    return [
        failures.get(index) or combine_parts(document, parts.get(index, []))
        for index, document in enumerate(documents)
    ]


def combine_parts(
    document: InputDocument, parts: list[tuple[ExtractionTask, TaskOutcome]]
) -> DocumentExtraction | TaskFailure:
    """A document's outcome from its tasks' outcomes, kept in page order."""
    for _, outcome in parts:
        if isinstance(outcome, TaskFailure):
            return outcome
    if len(parts) == 1 and isinstance(parts[0][1], DocumentExtraction):
        return parts[0][1]
    pages = [
        page
        for _, outcome in sorted(parts, key=lambda part: part[0].first_page)
        if isinstance(outcome, list)
        for page in outcome
    ]
    try:
        return assemble_pages(document, pages)
    except InputError as error:
        return TaskFailure(error.path, error.reason)


def run_on_pool(tasks: Sequence[ExtractionTask], workers: int, progress: Progress) -> list[TaskOutcome]:
    """Run tasks on a local process pool of `workers` processes, one of them enough to extract
    beside this process while it loads the table libraries (in this process when there are none)."""
    if workers < 1 or not tasks:
        outcomes = []
        for done, task in enumerate(tasks):
            progress(f"extracting {task.describe()}", done, len(tasks))
            outcomes.append(run_task(task))
        return outcomes
    context = pool_context()
    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=context,
        initializer=start_worker,
        initargs=(os.getpid(), context.get_start_method() == "fork"),
    ) as pool:
        futures = {pool.submit(run_task, task): position for position, task in enumerate(tasks)}
        return _collect(futures, tasks, progress)


def pool_context() -> multiprocessing.context.BaseContext:
    """The "fork" context when this process runs no other thread, else "forkserver".

    A child forked from a threaded process (the progress bar's refresh thread, a Dask client) can
    inherit a lock held mid-update and hang, so then the workers come from the fork server, a clean
    single-threaded process with the extractors preloaded (about 0.5 s to start). With no other
    thread, plain fork is safe and the workers start at once with everything already imported.
    """
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["amif_extract.parallel", "amif_extract.extract.amif_pdf"])
    return context


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_S = 1.0  # how often a worker without the parent-death signal looks for its parent


def start_worker(parent_pid: int, forked_by_parent: bool) -> None:
    """Pool initializer: the collector on between tasks (a forked worker inherits the build's paused
    one; each task pauses it again), and the worker ends with its build."""
    gc.enable()
    end_with_parent(parent_pid, forked_by_parent)


def end_with_parent(parent_pid: int, forked_by_parent: bool) -> None:
    """This worker ends when the build that started it dies, even by SIGKILL.

    A killed build cannot shut its pool down, and a worker would otherwise parse on for minutes.
    A worker forked by the build, on Linux, has the kernel send it SIGKILL when its parent dies; the
    parent may have died before that was armed, which shows as another parent. A worker of the fork
    server cannot rely on its parent (the server lives on while any of its workers holds the pipe
    that keeps it alive), nor can a worker where there is no `prctl`: a thread watches the build.
    """
    if forked_by_parent and sys.platform.startswith("linux") and _arm_parent_death_signal():
        if os.getppid() != parent_pid:
            os._exit(1)
        return
    thread = threading.Thread(target=_watch_parent, args=(parent_pid,), name="watch-parent", daemon=True)
    thread.start()


def _arm_parent_death_signal() -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # no libc or no prctl: the watch thread does it
        return False


def _watch_parent(parent_pid: int) -> None:
    while _alive(parent_pid):
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def _alive(pid: int) -> bool:
    """Whether `pid` runs; a killed process that its parent has not reaped yet (a zombie) does not."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone (or its number now someone else's)
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc here: signal 0 is all there is to ask
        return True
    return state not in (b"Z", b"X")


def _collect(
    futures: dict[Future[TaskOutcome], int], tasks: Sequence[ExtractionTask], progress: Progress
) -> list[TaskOutcome]:
    outcomes: list[TaskOutcome | None] = [None] * len(tasks)
    progress("extracting", 0, len(tasks))
    preload_assembly()  # the workers are busy: spend this process's wait on assembly's imports
    for done, future in enumerate(as_completed(futures), start=1):
        position = futures[future]
        try:
            outcomes[position] = future.result()
        except BrokenProcessPool as error:
            raise _worker_died(tasks[position], known=False) from error
        progress(f"extracted {tasks[position].describe()}", done, len(tasks))
    return [outcome for outcome in outcomes if outcome is not None]


def _worker_died(task: ExtractionTask, known: bool) -> InputError:
    """A dead worker as an input error naming the task's file (and pages).

    A process pool cannot tell which of its unfinished tasks a dead worker was running (`known` is
    False); a Dask scheduler can.
    """
    pages = "" if task.first_page == 0 else f" pages {task.first_page}-{task.last_page}"
    other = "" if known else " (or another part of the build)"
    return InputError(
        task.document.path,
        f"a worker process died (killed, or out of memory) while reading{pages}{other};"
        " run again with --workers 1 to read it here",
    )


# Dask runs a task again when an exception escapes it (an `InputError` never does: it is returned as
# a `TaskFailure`), at most this many times; a task whose worker dies is run again by the scheduler
# itself, up to its `distributed.scheduler.allowed-failures` (3 by default), then `KilledWorker`.
DASK_TASK_RETRIES = 2
WORKER_CHECK_S = 1.0  # while a task is pending, how often the scheduler is asked for running workers


def run_on_dask(
    tasks: Sequence[ExtractionTask], settings: BuildSettings, progress: Progress
) -> list[TaskOutcome]:
    """Run tasks on the Dask cluster at `settings.scheduler`; each document's bytes are sent once.

    A document's bytes are the result of a task of their own, which the scheduler keeps: when the
    worker holding them dies they are computed again elsewhere (scattered data would be lost, and
    every task reading it cancelled). A cluster failure is one `InputError`: no worker within
    `settings.worker_timeout_s` (at the start or mid-build), a task killed too often, a task
    cancelled or the scheduler gone — each naming the file and pages it stopped.
    """
    from distributed import Client  # dask: only for a build on a cluster

    address = settings.scheduler or ""
    try:
        client = Client(address, timeout=settings.scheduler_timeout_s, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(address, f"cannot reach the Dask scheduler ({_first_line(error)})") from error
    with client, _dask_client_quiet(client):
        _wait_for_a_worker(client, settings, address, "no Dask worker joined the scheduler")
        sent: dict[Path, Any] = {}
        futures = {}
        for position, task in enumerate(tasks):
            path = task.document.path
            if path not in sent:
                sent[path] = _send_document(client, read_input_bytes(path), settings)
            future = client.submit(
                run_task_from_bytes, task, sent[path], pure=False, retries=DASK_TASK_RETRIES
            )
            futures[future] = position
        outcomes: list[TaskOutcome] = []
        progress("extracting", 0, len(tasks))
        preload_assembly()
        # Collected in submission order through each future's own client: `distributed.as_completed`
        # looks for a default client, and this one is deliberately not made the process default.
        for done, (future, position) in enumerate(futures.items(), start=1):
            outcomes.append(_dask_outcome(client, future, tasks[position], settings))
            progress(f"extracted {tasks[position].describe()}", done, len(tasks))
    return outcomes


@contextlib.contextmanager
def _dask_client_quiet(client: Any) -> Iterator[None]:
    """Silence the Dask client's own reports while it runs for us: each failure becomes our one line.

    When a worker dies the client logs "Couldn't gather ... rescheduling" (quiet while we run), and
    a fetch still pending when the client closes ends in an `AllExit` that nobody collects, which
    asyncio would print as a traceback whenever the task is freed: Dask's event loop drops those.
    """
    from distributed.client import AllExit

    loop = client.loop.asyncio_loop

    def drop_all_exit(event_loop: Any, context: dict[str, Any]) -> None:
        if not isinstance(context.get("exception"), AllExit):
            event_loop.default_exception_handler(context)

    loop.set_exception_handler(drop_all_exit)
    logger = logging.getLogger("distributed.client")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _send_document(client: Any, data: bytes, settings: BuildSettings) -> Any:
    """A future holding `data`, computed again if the worker holding it dies (unlike scattered data)."""
    import dask

    # The bytes travel once, inside this one task's arguments: Dask's warning about a large graph
    # (meant for data repeated in many tasks) does not apply, up to the largest file a build reads.
    threshold = max(settings.max_file_bytes, 10 * 1024 * 1024) + 1024 * 1024
    with dask.config.set({"distributed.admin.large-graph-warning-threshold": threshold}):
        return client.submit(_document_bytes, data, pure=False)


def _document_bytes(data: bytes) -> bytes:
    return data


def _wait_for_a_worker(client: Any, settings: BuildSettings, path: str, reason: str) -> None:
    """Return while a worker runs; `InputError` (path, reason) after `settings.worker_timeout_s` without."""
    from distributed.comm.core import CommClosedError

    timeout = settings.worker_timeout_s
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as error:  # WorkerStartTimeoutError
        raise InputError(path, f"{reason} within {timeout:g} s (--worker-timeout)") from error
    except (CommClosedError, OSError) as error:
        address = settings.scheduler or ""
        raise InputError(path, f"lost the Dask scheduler {address} ({_first_line(error)})") from error


def _dask_outcome(client: Any, future: Any, task: ExtractionTask, settings: BuildSettings) -> TaskOutcome:
    """The outcome of one task, waiting while workers run; a cluster failure as one `InputError`.

    Waited for in steps, with a look for running workers between them: a finished task whose result
    died with its worker is pending again, and without a worker it would never end.
    """
    from concurrent.futures import CancelledError

    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    pages = "" if task.first_page == 0 else f" pages {task.first_page}-{task.last_page}"
    while True:
        try:
            return future.result(timeout=WORKER_CHECK_S)
        except KilledWorker as error:
            raise _worker_died(task, known=True) from error
        except TimeoutError:
            if future.status == "error":  # the task's own TimeoutError, not the wait's
                raise
            _wait_for_a_worker(
                client, settings, str(task.document.path), f"no Dask worker left to read{pages}"
            )
        except (CancelledError, CommClosedError, OSError) as error:  # FutureCancelledError, lost scheduler
            raise _cluster_failed(task, error) from error


def _cluster_failed(task: ExtractionTask, error: BaseException) -> InputError:
    pages = "" if task.first_page == 0 else f" pages {task.first_page}-{task.last_page}"
    return InputError(
        task.document.path,
        f"the Dask cluster lost the task reading{pages} ({type(error).__name__}: {_first_line(error)});"
        " run again, or with --workers to read it here",
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
