"""Benchmark amif-extract's PDF engines side by side, as ratios to baselines timed in the same run.

A noisy or slow machine slows a figure and its baseline alike, so the ratios travel between machines where
the seconds do not. Every engine (`--engine pdfium`, `--engine pdfplumber`) is measured against the same
baselines, timed once, and each figure is measured for every engine before the next figure, so a change
in the machine's load between figures falls on the engines alike. Run from the repository root
(benchmarks/README.md says what each figure means):

    .venv/bin/python benchmarks/run.py [--repeat 3] [--engines pdfium,pdfplumber] [--json PATH]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

# pdfplumber, pypdfium2 and pypdf are imported only in the child modes below: a child's peak RSS as the
# kernel reports it starts at its parent's peak, so this parent process must stay small.
from amif_extract import __version__ as amif_extract_version
from amif_extract.errors import InputError
from amif_extract.pdf_engine import ENGINES
from amif_extract.sources import Source, load_manifest, preferred_sources

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = REPO_ROOT / "benchmarks" / "results" / "latest.json"
NAME_WIDTH = 56  # the first column of the printed table
CELL_WIDTH = 18  # a column per engine
STATISTIC = "median"  # every timing below is the median of its repeated runs

# The targets of the PDF-engine issue.
COLD_BUILD_VS_FLOOR_MAX = 0.5
WARM_BUILD_VS_STARTUP_MAX = 1.5
MID_EXTRACT_VS_FLOOR_MAX = 0.3
PER_PAGE_SPREAD_MAX = 1.15  # "flat within 15%": the slowest per page of the three sizes / the fastest
LARGE_PEAK_RSS_BELOW_MB = 300.0  # strictly below; MB = 10**6 bytes, the stricter reading of "300 MB"

# The three sizes of AMIF document the extract figures read: the original and two made of its pages.
SIZES = ("small", "mid", "large")
# The original's first page alone: what an extract costs whatever the page count (start-up, the
# stages' imports, validation, writing), taken off every size's time to give its time per page.
ONE_PAGE = "one"

# The cache's own environment variable: pointing it at a fresh folder keeps every child off ~/.cache,
# so a cold run cannot read what an earlier run left, whether or not the CLI has --no-cache yet.
CACHE_ENV = "AMIF_EXTRACT_CACHE"


@dataclass(frozen=True)
class BenchSettings:
    """What one benchmark run measures and how often."""

    raw_dir: Path
    json_path: Path
    repeat: int = 3  # --repeat: runs per timing; the median is reported
    large_pages: int = 650  # --large-pages: about this many pages in the biggest repeated AMIF PDF
    large_repeat: int = 1  # --large-repeat: runs on the biggest PDF (each takes minutes)
    timeout_s: float = 1800.0  # --timeout: a child still running after this is killed and reported
    mid_pages: int = 260  # --mid-pages: about this many pages in the middle-sized repeated AMIF PDF
    engines: tuple[str, ...] = ENGINES  # --engines: the PDF engines measured, one column each

    def __post_init__(self) -> None:
        for name in ("repeat", "large_pages", "large_repeat", "mid_pages"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.mid_pages > self.large_pages:
            raise ValueError(f"mid_pages ({self.mid_pages}) must not exceed large_pages ({self.large_pages})")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if not self.engines:
            raise ValueError("engines must name at least one engine")
        unknown = [engine for engine in self.engines if engine not in ENGINES]
        if unknown:
            raise ValueError(f"unknown engine {unknown[0]!r} in engines: choose from {', '.join(ENGINES)}")
        if len(set(self.engines)) != len(self.engines):
            raise ValueError("engines names an engine twice")


@dataclass(frozen=True)
class Run:
    """One timed execution: wall-clock seconds, exit code, and the child's peak resident memory."""

    seconds: float
    exit_code: int = 0
    max_rss_mb: float = 0.0
    error: str = ""  # the last line the child wrote to stderr, kept when it failed


@dataclass(frozen=True)
class Measurement:
    """Repeated runs of one thing; `seconds` is their median, and only when every run succeeded."""

    name: str
    runs: tuple[Run, ...]
    note: str = ""

    @property
    def ok(self) -> bool:
        return all(run.exit_code == 0 for run in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def max_rss_mb(self) -> float:
        return max(run.max_rss_mb for run in self.runs)

    @property
    def failure(self) -> str:
        failed = next((run for run in self.runs if run.exit_code != 0), None)
        if failed is None:
            return ""
        if failed.exit_code < 0:  # SIGKILL is what --timeout sends
            return f"killed by signal {-failed.exit_code} after {failed.seconds:.0f} s"
        return f"exit {failed.exit_code}: {failed.error or 'no message'}"


@dataclass(frozen=True)
class Check:
    """One target: the measured ratio (None when it could not be measured) against its limit."""

    name: str
    ratio: float | None
    limit: float | None  # None: shown for information, no target
    unit: str = "×"
    note: str = ""
    strict: bool = False  # the limit itself misses ("< 300 MB"), not only what is beyond it

    @property
    def result(self) -> str:
        if self.limit is None:
            return "info"
        if self.ratio is None:
            return "FAIL"
        within = self.ratio < self.limit if self.strict else self.ratio <= self.limit
        return "PASS" if within else "MISS"

    @property
    def target(self) -> str:
        if self.limit is None:
            return "—"
        return f"{'<' if self.strict else '≤'} {self.limit:g}{self.unit}"


@dataclass(frozen=True)
class CommandOptions:
    """Which of the options the benchmark uses a CLI command accepts, read from its --help."""

    workers: bool
    no_cache: bool
    cache_dir: bool
    engine: bool


@dataclass(frozen=True)
class Documents:
    """The PDFs the run reads: those a build of raw/ reads, and the AMIF PDF in three sizes."""

    build_pdfs: tuple[Path, ...]
    paths: dict[str, Path]  # SIZES -> the AMIF PDF of that size
    pages: dict[str, int]  # SIZES -> its page count, 0 when it could not be written
    writing: dict[str, Run]  # "mid", "large" -> the run that wrote it


@dataclass
class Results:
    """Everything one run measured: baselines timed once, and each engine's figures and targets."""

    baselines: dict[str, Measurement]
    measured: dict[str, dict[str, Measurement]]  # engine -> figure key -> measurement
    checks: dict[str, list[Check]] = field(default_factory=dict)  # engine -> its targets, in table order


# --- running children -----------------------------------------------------------------------------


def cli_command() -> list[str]:
    """The installed console script beside this interpreter, else the checkout's cli.py."""
    script = Path(sys.executable).parent / "amif-extract"
    if script.exists():
        return [str(script)]
    return [sys.executable, str(REPO_ROOT / "cli.py")]


def run_child(command: Sequence[str], timeout_s: float, cache_dir: Path | None = None) -> Run:
    return spawn(command, timeout_s, cache_dir)[0]


def spawn(command: Sequence[str], timeout_s: float, cache_dir: Path | None = None) -> tuple[Run, str]:
    """Run `command` to its end: its timing, and what it printed on stdout.

    os.wait4 gives this child's own peak RSS (the largest of it and the workers it reaped), not the sum.
    """
    env = dict(os.environ, COLUMNS="200")
    if cache_dir is not None:
        env[CACHE_ENV] = str(cache_dir)
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=stdout, stderr=stderr, start_new_session=True
        )
        # A timer, not polling, so the wall-clock figure carries no sleep granularity.
        killer = threading.Timer(timeout_s, os.killpg, (child.pid, signal.SIGKILL))
        killer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
        stdout.seek(0)
        stderr.seek(0)
        printed = stdout.read().decode("utf-8", "replace")
        error = last_line(stderr.read().decode("utf-8", "replace"))
    run = Run(seconds, child.returncode, usage.ru_maxrss * 1024 / 1e6, error if child.returncode else "")
    return run, printed


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def repeated(
    name: str, times: int, run_once: Callable[[int], Run], note: str = "", engine: str = ""
) -> Measurement:
    """`times` runs, stopping at the first failure: a broken command is reported, not timed again."""
    runs: list[Run] = []
    for index in range(times):
        runs.append(run_once(index))
        if runs[-1].exit_code != 0:
            break
    tag = f"[{engine}] " if engine else ""
    print(f"  {tag}{name}: {', '.join(f'{run.seconds:.2f}s' for run in runs)}", file=sys.stderr)
    return Measurement(name, tuple(runs), note)


def supported_options(cli: Sequence[str], command: str) -> CommandOptions:
    help_text = subprocess.run(
        [*cli, command, "--help"], capture_output=True, text=True, env=dict(os.environ, COLUMNS="200")
    ).stdout

    def has(option: str) -> bool:
        return re.search(re.escape(option) + r"(?![\w-])", help_text) is not None

    return CommandOptions(
        workers=has("--workers"),
        no_cache=has("--no-cache"),
        cache_dir=has("--cache-dir"),
        engine=has("--engine"),
    )


# --- what is measured ------------------------------------------------------------------------------


def build_pdfs(raw_dir: Path) -> list[Source]:
    """The PDFs a build of `raw_dir` reads, chosen by the library's own rule."""
    return [source for source in preferred_sources(load_manifest(raw_dir)) if source.format == "pdf"]


def extract_words_everywhere(paths: Sequence[Path]) -> float:
    """The floor, in a child of its own: seconds of pdfplumber's bare extract_words() over every page."""
    import pdfplumber

    started = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
    return time.perf_counter() - started


def time_extractor(engine: str, path: Path) -> float:
    """Seconds of the AMIF extractor over `path` read by `engine`, in process. Both engines' modules are
    imported before the clock starts, as the floor imports pdfplumber before its clock starts."""
    import pdfplumber  # noqa: F401
    import pypdfium2  # noqa: F401

    from amif_extract.extract.amif_pdf import extract_amif_pdf
    from amif_extract.pdf_engine import engine_in_use

    with engine_in_use(engine):
        started = time.perf_counter()
        extract_amif_pdf(path)
        return time.perf_counter() - started


def timed_in_child(
    name: str, command: Sequence[str], settings: BenchSettings, engine: str = ""
) -> Measurement:
    """One child per repeat, which prints the seconds it timed inside itself: interpreter start-up and
    imports are not counted."""

    def once(_: int) -> Run:
        run, printed = spawn(command, settings.timeout_s)
        if run.exit_code != 0:
            return run
        return Run(float(printed.split()[-1]), run.exit_code, run.max_rss_mb)

    return repeated(name, settings.repeat, once, engine=engine)


def measure_floor(name: str, pdfs: Sequence[Path], settings: BenchSettings) -> Measurement:
    return timed_in_child(name, [sys.executable, __file__, "--child-floor", *map(str, pdfs)], settings)


def measure_extractor(pdf: Path, pages: int, settings: BenchSettings, engine: str) -> Measurement:
    command = [sys.executable, __file__, "--child-extractor", engine, str(pdf)]
    return timed_in_child(
        f"AMIF extractor in process, {pages} pages (the original)", command, settings, engine
    )


def engine_args(options: CommandOptions, engine: str) -> list[str]:
    return ["--engine", engine] if options.engine else []


def cold_build_args(options: CommandOptions, workers: int | None) -> list[str]:
    args = ["--no-cache"] if options.no_cache else []
    if workers is not None and options.workers:
        args += ["--workers", str(workers)]
    return args


def measure_cold_build(
    cli: Sequence[str],
    settings: BenchSettings,
    work: Path,
    options: CommandOptions,
    workers: int | None,
    engine: str,
) -> Measurement:
    label = "default workers" if workers is None else f"--workers {workers}"

    def once(index: int) -> Run:
        run_dir = Path(tempfile.mkdtemp(prefix=f"cold-{engine}-{index}-", dir=work))
        command = [*cli, "-q", "build", "--raw", str(settings.raw_dir), "--out", str(run_dir / "out")]
        command += [*cold_build_args(options, workers), *engine_args(options, engine)]
        return run_child(command, settings.timeout_s, run_dir / "cache")

    return repeated(f"cold build ({label})", settings.repeat, once, engine=engine)


def measure_warm_build(
    cli: Sequence[str], settings: BenchSettings, work: Path, options: CommandOptions, engine: str
) -> Measurement:
    """Rebuild with nothing changed: one untimed run fills the cache, then the same command is timed."""
    cache_dir, out_dir = work / f"warm-{engine}-cache", work / f"warm-{engine}-out"
    command = [*cli, "-q", "build", "--raw", str(settings.raw_dir), "--out", str(out_dir)]
    command += engine_args(options, engine)
    if options.cache_dir:
        command += ["--cache-dir", str(cache_dir)]
    warming = run_child(command, settings.timeout_s, cache_dir)
    if warming.exit_code != 0:
        return Measurement("warm rebuild", (warming,), "the warming run failed")
    note = "" if options.cache_dir else f"no --cache-dir: the cache was pointed at by ${CACHE_ENV}"
    return repeated(
        "warm rebuild",
        settings.repeat,
        lambda _: run_child(command, settings.timeout_s, cache_dir),
        note,
        engine,
    )


def measure_startup(cli: Sequence[str], settings: BenchSettings) -> Measurement:
    command = [*cli, "--version"]
    return repeated(
        "CLI start-up (--version)", settings.repeat, lambda _: run_child(command, settings.timeout_s)
    )


def write_repeated_pdf(source: Path, target_pages: int, destination: Path) -> tuple[int, int]:
    """The source's pages repeated to about `target_pages`; returns (source pages, written pages)."""
    import pypdf

    reader = pypdf.PdfReader(source)
    writer = pypdf.PdfWriter()
    if target_pages < len(reader.pages):  # its first pages only: the one-page document
        for page in reader.pages[:target_pages]:
            writer.add_page(page)
        written = target_pages
    else:
        copies = max(1, round(target_pages / len(reader.pages)))
        for _ in range(copies):
            for page in reader.pages:
                writer.add_page(page)
        written = copies * len(reader.pages)
    with destination.open("wb") as handle:
        writer.write(handle)
    return len(reader.pages), written


def make_repeated_pdf(
    source: Path, target_pages: int, destination: Path, settings: BenchSettings
) -> tuple[Run, int, int]:
    """Written in a child (see the note on imports at the top): the run, source pages, written pages."""
    command = [sys.executable, __file__, "--child-repeat-pdf", str(source), str(target_pages)]
    run, printed = spawn([*command, str(destination)], settings.timeout_s)
    small, written = (int(count) for count in printed.split()) if run.exit_code == 0 else (0, 0)
    return run, small, written


def documents_of(settings: BenchSettings, work: Path) -> Documents:
    sources = build_pdfs(settings.raw_dir)
    amif_pdf = amif_table_pdf(sources, settings.raw_dir)
    paths, pages, writing = {"small": amif_pdf}, {"small": 0}, {}
    for size, target in ((ONE_PAGE, 1), ("mid", settings.mid_pages), ("large", settings.large_pages)):
        paths[size] = work / f"amif_{size}.pdf"
        writing[size], small, pages[size] = make_repeated_pdf(amif_pdf, target, paths[size], settings)
        pages["small"] = pages["small"] or small
    if not pages["small"]:  # neither could be written: count the original's pages all the same
        pages["small"] = make_repeated_pdf(amif_pdf, 1, work / "amif_count.pdf", settings)[1]
    build = tuple(settings.raw_dir / source.file for source in sources)
    return Documents(build, paths, pages, writing)


def document_label(documents: Documents, size: str) -> str:
    return f"{documents.pages[size]} pages" + (" (the original)" if size == "small" else "")


def measure_extract(
    cli: Sequence[str],
    settings: BenchSettings,
    work: Path,
    options: CommandOptions,
    documents: Documents,
    size: str,
    engine: str,
) -> Measurement:
    pdf = documents.paths[size]
    name = f"extract --workers 1, {document_label(documents, size)}"
    if size in documents.writing and documents.writing[size].exit_code != 0:
        return Measurement(f"writing {pdf.name}", (documents.writing[size],))
    args = [*cold_build_args(options, workers=1), *engine_args(options, engine)]

    def once(index: int) -> Run:
        run_dir = Path(tempfile.mkdtemp(prefix=f"extract-{engine}-{size}-{index}-", dir=work))
        command = [*cli, "-q", "extract", str(pdf), "--out", str(run_dir / "out"), *args]
        return run_child(command, settings.timeout_s, run_dir / "cache")

    times = settings.large_repeat if size == "large" else settings.repeat
    return repeated(name, times, once, engine=engine)


def measure_baselines(settings: BenchSettings, documents: Documents) -> dict[str, Measurement]:
    """What every engine's figures are divided by, timed once for the whole run."""
    build_pdfs = f"{len(documents.build_pdfs)} PDFs a build reads"
    baselines = {
        "floor": measure_floor(f"floor: extract_words, {build_pdfs}", documents.build_pdfs, settings),
        "floor_small": measure_floor(
            f"extract_words, {document_label(documents, 'small')}",
            [documents.paths["small"]],
            settings,
        ),
    }
    if documents.writing["mid"].exit_code == 0:
        baselines["floor_mid"] = measure_floor(
            f"extract_words, {document_label(documents, 'mid')}",
            [documents.paths["mid"]],
            settings,
        )
    else:
        baselines["floor_mid"] = Measurement(
            f"writing {documents.paths['mid'].name}", (documents.writing["mid"],)
        )
    baselines["startup"] = measure_startup(cli_command(), settings)
    return baselines


def measure_engines(
    settings: BenchSettings, work: Path, documents: Documents, build: CommandOptions, extract: CommandOptions
) -> dict[str, dict[str, Measurement]]:
    """Each figure for every engine in turn, then the next figure."""
    cli = cli_command()
    figures: list[tuple[str, Callable[[str], Measurement]]] = [
        ("cold", lambda engine: measure_cold_build(cli, settings, work, build, None, engine)),
        ("warm", lambda engine: measure_warm_build(cli, settings, work, build, engine)),
    ]
    if build.workers:
        cores = os.cpu_count() or 1
        figures += [
            ("cold_one", lambda engine: measure_cold_build(cli, settings, work, build, 1, engine)),
            ("cold_all", lambda engine: measure_cold_build(cli, settings, work, build, cores, engine)),
        ]
    small = documents.paths["small"], documents.pages["small"]
    figures.append(("extractor_amif", lambda engine: measure_extractor(*small, settings, engine)))
    figures += [
        (f"extract_{size}", functools.partial(measure_extract, cli, settings, work, extract, documents, size))
        for size in (ONE_PAGE, *SIZES)
    ]
    measured: dict[str, dict[str, Measurement]] = {engine: {} for engine in settings.engines}
    for key, measure in figures:
        for engine in settings.engines:
            measured[engine][key] = measure(engine)
    return measured


# --- from measurements to targets ------------------------------------------------------------------


def ratio(numerator: Measurement, denominator: Measurement) -> float | None:
    if not (numerator.ok and denominator.ok) or denominator.seconds <= 0:
        return None
    return numerator.seconds / denominator.seconds


def per_page(measurement: Measurement, pages: int, fixed: Measurement) -> float | None:
    """Seconds per page once what every extract pays whatever its length (`fixed`: the same command
    on the original's first page alone, start-up, imports, validation and writing) is taken off:
    (time − one-page time) / (pages − 1)."""
    if not (measurement.ok and fixed.ok) or pages <= 1:
        return None
    return (measurement.seconds - fixed.seconds) / (pages - 1)


def spread(values: Sequence[float | None]) -> float | None:
    """The largest of `values` over the smallest; None when one is missing or not above zero."""
    known = [value for value in values if value is not None and value > 0]
    if not known or len(known) < len(values):
        return None
    return max(known) / min(known)


def checks_from(
    base: dict[str, Measurement], found: dict[str, Measurement], pages: dict[str, int]
) -> list[Check]:
    """One engine's targets, and the figures shown beside them for information."""
    startup = base["startup"]
    fixed = found[f"extract_{ONE_PAGE}"]
    seconds_per_page = {size: per_page(found[f"extract_{size}"], pages[size], fixed) for size in SIZES}
    sizes = ", ".join(str(pages[size]) for size in SIZES)
    large = found["extract_large"]
    checks = [
        Check(
            "cold build / extract_words floor", ratio(found["cold"], base["floor"]), COLD_BUILD_VS_FLOOR_MAX
        ),
        Check("warm rebuild / CLI start-up", ratio(found["warm"], startup), WARM_BUILD_VS_STARTUP_MAX),
        Check(
            f"{pages['mid']}-page extract / extract_words, same pages",
            ratio(found["extract_mid"], base["floor_mid"]),
            MID_EXTRACT_VS_FLOOR_MAX,
        ),
        *(
            Check(f"per page, {pages[size]} pages (one-page run taken off)", seconds, None, unit=" s")
            for size, seconds in seconds_per_page.items()
        ),
        Check(
            f"per page, slowest / fastest of {sizes} pages",
            spread(list(seconds_per_page.values())),
            PER_PAGE_SPREAD_MAX,
        ),
        Check(
            f"peak RSS, {pages['large']}-page extract",
            large.max_rss_mb if large.ok else None,
            LARGE_PEAK_RSS_BELOW_MB,
            unit=" MB",
            strict=True,
        ),
        Check(
            f"AMIF extractor in process / extract_words, same {pages['small']} pages",
            ratio(found["extractor_amif"], base["floor_small"]),
            None,
        ),
    ]
    if "cold_one" in found:
        checks += [
            Check("cold build --workers 1 / floor", ratio(found["cold_one"], base["floor"]), None),
            Check("cold build --workers N / floor", ratio(found["cold_all"], base["floor"]), None),
            Check("speed-up, --workers N over 1", ratio(found["cold_one"], found["cold_all"]), None),
        ]
    return checks


# --- machine, table, JSON --------------------------------------------------------------------------


def proc_field(path: str, key: str) -> str:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "")


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    mem_kb = proc_field("/proc/meminfo", "MemTotal").split()
    return {
        "cpu_model": proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "cpu_count": os.cpu_count(),
        "ram_gb": round(int(mem_kb[0]) / 1e6, 1) if mem_kb else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pdfplumber": package_version("pdfplumber"),
        "pypdfium2": package_version("pypdfium2"),
        "pypdf": package_version("pypdf"),
        "amif_extract": amif_extract_version,
        # Set, Python writes no bytecode: a checkout's modules are compiled again by every command.
        "pythondontwritebytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
    }


def runs_label(measurement: Measurement) -> str:
    count = len(measurement.runs)
    return f"{count} run" if count == 1 else f"{count} runs"


def format_baseline(measurement: Measurement) -> str:
    if not measurement.ok:
        return f"  {measurement.name:{NAME_WIDTH}} FAILED ({measurement.failure})"
    return f"  {measurement.name:{NAME_WIDTH}} {measurement.seconds:8.2f} s  ({runs_label(measurement)})"


def measurement_cell(measurement: Measurement) -> str:
    if not measurement.ok:
        return "FAILED"
    rss = f", {measurement.max_rss_mb:.0f} MB" if measurement.max_rss_mb else ""
    return f"{measurement.seconds:.2f} s{rss}"


def check_cell(check: Check) -> str:
    if check.ratio is None:
        return "— FAIL" if check.limit is not None else "—"
    digits = {" MB": 0, " s": 3}.get(check.unit, 2)
    measured = f"{check.ratio:.{digits}f}{check.unit}"
    return measured if check.limit is None else f"{measured} {check.result}"


def table_rows(results: Results, engines: Sequence[str]) -> list[dict[str, Any]]:
    """The table, a row per figure with a cell per engine, as printed and as written to the JSON."""
    first = results.measured[engines[0]]
    rows: list[dict[str, Any]] = []
    for key, measurement in first.items():
        runs = {runs_label(results.measured[engine][key]) for engine in engines}
        rows.append(
            {
                "section": "measurements",
                "figure": measurement.name,
                "key": key,
                "cells": {engine: measurement_cell(results.measured[engine][key]) for engine in engines},
                "runs": "/".join(sorted(runs)),
            }
        )
    for index, check in enumerate(results.checks[engines[0]]):
        rows.append(
            {
                "section": "targets",
                "figure": check.name,
                "cells": {engine: check_cell(results.checks[engine][index]) for engine in engines},
                "target": check.target,
            }
        )
    return rows


# Each section of the table: its heading, and what its last column holds.
SECTION_HEADINGS = {
    "measurements": ("Measurements (time, peak RSS)", "runs"),
    "targets": ("Targets", "target"),
}


def format_row(first: str, cells: Sequence[str], last: str) -> str:
    return "  " + f"{first:{NAME_WIDTH}}" + "".join(f"  {cell:>{CELL_WIDTH}}" for cell in cells) + f"  {last}"


def report_text(
    machine: dict[str, Any], results: Results, engines: Sequence[str], notes: Sequence[str]
) -> str:
    rows = table_rows(results, engines)
    lines = [
        f"amif-extract {machine['amif_extract']} benchmark — {STATISTIC} of repeated runs, wall-clock",
        f"machine: {machine['cpu_model']}, {machine['cpu_count']} cores, {machine['ram_gb']} GB RAM, "
        f"Python {machine['python']}, pdfplumber {machine['pdfplumber']}, pypdfium2 {machine['pypdfium2']}",
        "",
        "Baselines, timed once for every engine",
        *(format_baseline(measurement) for measurement in results.baselines.values()),
    ]
    columns = [f"--engine {engine}" for engine in engines]
    section = ""
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            title, last = SECTION_HEADINGS[section]
            lines += ["", format_row(title, columns, last)]
        last = row["target"] if section == "targets" else row["runs"]
        lines.append(format_row(row["figure"], list(row["cells"].values()), last))
    if notes:
        lines += ["", "Notes", *(f"  - {note}" for note in notes)]
    return "\n".join(lines)


def report_json(
    machine: dict[str, Any],
    results: Results,
    engines: Sequence[str],
    notes: Sequence[str],
    extra: dict[str, Any],
) -> str:
    def measurement_json(measurement: Measurement) -> dict[str, Any]:
        return {
            **asdict(measurement),
            "ok": measurement.ok,
            "seconds": measurement.seconds,
            "max_rss_mb": measurement.max_rss_mb,
        }

    return json.dumps(
        {
            "machine": machine,
            "statistic": STATISTIC,
            "engines": list(engines),
            "baselines": {key: measurement_json(value) for key, value in results.baselines.items()},
            "by_engine": {
                engine: {
                    "measurements": {
                        key: measurement_json(value) for key, value in results.measured[engine].items()
                    },
                    "targets": [
                        {**asdict(check), "target": check.target, "result": check.result}
                        for check in results.checks[engine]
                    ],
                }
                for engine in engines
            },
            "table": table_rows(results, engines),
            "notes": list(notes),
            **extra,
        },
        indent=2,
        sort_keys=True,
        default=str,
    )


# --- the run ---------------------------------------------------------------------------------------


def fallback_notes(build: CommandOptions, extract: CommandOptions) -> list[str]:
    notes = []
    for command, options in (("build", build), ("extract", extract)):
        missing = [name for name, present in asdict(options).items() if not present]
        if missing:
            flags = ", ".join("--" + name.replace("_", "-") for name in missing)
            notes.append(f"`amif-extract {command}` has no {flags}: run without (fallback)")
    if not build.workers:
        notes.append("the --workers 1 / --workers N comparison was skipped: build has no --workers")
    if not (build.engine and extract.engine):
        notes.append("without --engine every column measures the CLI's only engine")
    return notes


def failure_notes(results: Results, engines: Sequence[str]) -> list[str]:
    failed = [("baseline", measurement) for measurement in results.baselines.values()]
    failed += [
        (engine, measurement) for engine in engines for measurement in results.measured[engine].values()
    ]
    return [
        f"{who}: {measurement.name}: {measurement.failure}"
        for who, measurement in failed
        if not measurement.ok
    ]


def amif_table_pdf(sources: Sequence[Source], raw_dir: Path) -> Path:
    for source in sources:
        if source.kind == "amif_table":
            return raw_dir / source.file
    raise SystemExit(
        f"{raw_dir / 'sources.toml'}: no AMIF table PDF listed, nothing to repeat for the large runs"
    )


def measure_all(
    settings: BenchSettings, work: Path, build: CommandOptions, extract: CommandOptions
) -> tuple[Results, dict[str, int]]:
    documents = documents_of(settings, work)
    results = Results(
        measure_baselines(settings, documents), measure_engines(settings, work, documents, build, extract)
    )
    for engine in settings.engines:
        results.checks[engine] = checks_from(results.baselines, results.measured[engine], documents.pages)
    return results, documents.pages


def parse_engines(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def parse_settings(argv: Sequence[str] | None) -> tuple[BenchSettings, list[str]]:
    """The settings, and notes on what the run chose for options it was not given."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--raw", type=Path, default=REPO_ROOT / "raw", help="source documents folder")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the JSON results go")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median reported)")
    parser.add_argument(
        "--engines", type=parse_engines, default=ENGINES, help="PDF engines to measure, comma-separated"
    )
    parser.add_argument("--mid-pages", type=int, help="pages of the middle repeated AMIF PDF (default 260)")
    parser.add_argument("--large-pages", type=int, default=650, help="pages of the biggest repeated AMIF PDF")
    parser.add_argument("--large-repeat", type=int, default=1, help="runs on the biggest PDF")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a child is killed")
    args = parser.parse_args(argv)
    notes = []
    mid_pages = args.mid_pages
    if mid_pages is None:
        mid_pages = min(BenchSettings.mid_pages, args.large_pages)
        if mid_pages < BenchSettings.mid_pages:
            notes.append(
                f"--large-pages {args.large_pages} is below 260: the middle document has as many pages"
            )
    try:
        settings = BenchSettings(
            args.raw.resolve(),
            args.json,
            args.repeat,
            args.large_pages,
            args.large_repeat,
            args.timeout,
            mid_pages,
            args.engines,
        )
    except ValueError as error:
        parser.error(str(error))
    return settings, notes


def child_mode(argv: Sequence[str]) -> bool:
    """The work this script hands to children of its own (see the note on imports at the top)."""
    if argv[:1] == ["--child-floor"]:
        print(extract_words_everywhere([Path(name) for name in argv[1:]]))
        return True
    if argv[:1] == ["--child-extractor"]:
        engine, path = argv[1:]
        print(time_extractor(engine, Path(path)))
        return True
    if argv[:1] == ["--child-repeat-pdf"]:
        source, pages, destination = argv[1:]
        print(*write_repeated_pdf(Path(source), int(pages), Path(destination)))
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the table, write the JSON; exit 1 when a measured command failed, else 0."""
    if child_mode(sys.argv[1:] if argv is None else argv):
        return 0
    settings, notes = parse_settings(argv)
    build, extract = supported_options(cli_command(), "build"), supported_options(cli_command(), "extract")
    notes += fallback_notes(build, extract)
    with tempfile.TemporaryDirectory(prefix="amif-bench-") as tmp:
        try:
            results, pages = measure_all(settings, Path(tmp), build, extract)
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    machine = machine_info()
    notes += failure_notes(results, settings.engines)
    print(report_text(machine, results, settings.engines, notes))
    extra = {
        "pages": pages,
        "options": {"build": asdict(build), "extract": asdict(extract)},
        "settings": {key: value for key, value in asdict(settings).items() if key != "json_path"},
    }
    settings.json_path.parent.mkdir(parents=True, exist_ok=True)
    settings.json_path.write_text(report_json(machine, results, settings.engines, notes, extra) + "\n")
    print(f"\nJSON written to {settings.json_path}")
    everything = [
        *results.baselines.values(),
        *(m for e in settings.engines for m in results.measured[e].values()),
    ]
    return 0 if all(measurement.ok for measurement in everything) else 1


if __name__ == "__main__":
    sys.exit(main())
