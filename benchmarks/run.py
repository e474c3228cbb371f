"""Benchmark amif-extract in one run, as ratios to baselines timed on the same machine in the same run.

A noisy or slow machine slows a figure and its baseline alike, so the ratios travel between machines where
the seconds do not. Run from the repository root (benchmarks/README.md says what each figure means):

    .venv/bin/python benchmarks/run.py [--repeat 3] [--json benchmarks/results/latest.json]
"""

from __future__ import annotations

import argparse
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
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

# pdfplumber and pypdf are imported only in the child modes below: a child's peak RSS as the kernel
# reports it starts at its parent's peak, so this parent process must stay small.
from amif_extract import __version__ as amif_extract_version
from amif_extract.errors import InputError
from amif_extract.sources import Source, load_manifest, preferred_sources

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = REPO_ROOT / "benchmarks" / "results" / "latest.json"
NAME_WIDTH = 58  # the first column of the printed table
STATISTIC = "median"  # every timing below is the median of its repeated runs

# The targets of issue 8.
COLD_BUILD_VS_FLOOR_MAX = 0.6
WARM_BUILD_VS_STARTUP_MAX = 1.5
LARGE_PER_PAGE_VS_SMALL_MAX = 1.15  # "within 15%": a large document may be faster per page, not >15% slower
LARGE_PEAK_RSS_MAX_MB = 400.0  # MB = 10**6 bytes, the stricter reading of "400 MB"

# The cache's own environment variable: pointing it at a fresh folder keeps every child off ~/.cache,
# so a cold run cannot read what an earlier run left, whether or not the CLI has --no-cache yet.
CACHE_ENV = "AMIF_EXTRACT_CACHE"


@dataclass(frozen=True)
class BenchSettings:
    """What one benchmark run measures and how often."""

    raw_dir: Path
    json_path: Path
    repeat: int = 3  # --repeat: runs per timing; the median is reported
    large_pages: int = 650  # --large-pages: about this many pages in the repeated AMIF PDF
    large_repeat: int = 1  # --large-repeat: runs on the large PDF (each takes minutes)
    timeout_s: float = 1800.0  # --timeout: a child still running after this is killed and reported

    def __post_init__(self) -> None:
        for name in ("repeat", "large_pages", "large_repeat"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")


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

    @property
    def result(self) -> str:
        if self.limit is None:
            return "info"
        if self.ratio is None:
            return "FAIL"
        return "PASS" if self.ratio <= self.limit else "MISS"


@dataclass(frozen=True)
class CommandOptions:
    """Which of the speed options a CLI command accepts, read from its --help."""

    workers: bool
    no_cache: bool
    cache_dir: bool


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


def repeated(name: str, times: int, run_once: Callable[[int], Run], note: str = "") -> Measurement:
    """`times` runs, stopping at the first failure: a broken command is reported, not timed again."""
    runs: list[Run] = []
    for index in range(times):
        runs.append(run_once(index))
        if runs[-1].exit_code != 0:
            break
    print(f"  {name}: {', '.join(f'{run.seconds:.2f}s' for run in runs)}", file=sys.stderr)
    return Measurement(name, tuple(runs), note)


def supported_options(cli: Sequence[str], command: str) -> CommandOptions:
    help_text = subprocess.run(
        [*cli, command, "--help"], capture_output=True, text=True, env=dict(os.environ, COLUMNS="200")
    ).stdout

    def has(option: str) -> bool:
        return re.search(re.escape(option) + r"(?![\w-])", help_text) is not None

    return CommandOptions(workers=has("--workers"), no_cache=has("--no-cache"), cache_dir=has("--cache-dir"))


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


def extractor_and_floor(path: Path) -> tuple[float, float]:
    """Seconds of bare extract_words() and of the AMIF extractor over the same PDF, in one process."""
    from amif_extract.extract.amif_pdf import extract_amif_pdf

    floor = extract_words_everywhere([path])
    started = time.perf_counter()
    extract_amif_pdf(path)
    return floor, time.perf_counter() - started


def measure_extractor(pdf: Path, settings: BenchSettings) -> tuple[Measurement, Measurement]:
    """The AMIF extractor against extract_words on the same pages, both timed inside one child."""
    command = [sys.executable, __file__, "--child-extractor", str(pdf)]
    floors: list[Run] = []
    extractors: list[Run] = []
    for _ in range(settings.repeat):
        run, printed = spawn(command, settings.timeout_s)
        if run.exit_code != 0:
            floors.append(run)
            extractors.append(run)
            continue
        floor, extractor = (float(value) for value in printed.split()[-2:])
        floors.append(Run(floor, 0, run.max_rss_mb))
        extractors.append(Run(extractor, 0, run.max_rss_mb))
    return (
        Measurement(f"extract_words, {pdf.name}", tuple(floors)),
        Measurement(f"AMIF extractor (in process), {pdf.name}", tuple(extractors)),
    )


def measure_floor(pdfs: Sequence[Path], settings: BenchSettings) -> Measurement:
    """One process per repeat, timed inside it, so interpreter start-up and imports are not counted."""
    command = [sys.executable, __file__, "--child-floor", *map(str, pdfs)]

    def once(_: int) -> Run:
        run, printed = spawn(command, settings.timeout_s)
        if run.exit_code != 0:
            return run
        return Run(float(printed.split()[-1]), run.exit_code, run.max_rss_mb)

    return repeated(f"floor: extract_words, {len(pdfs)} PDFs", settings.repeat, once)


def cold_build_args(options: CommandOptions, workers: int | None) -> list[str]:
    args = ["--no-cache"] if options.no_cache else []
    if workers is not None and options.workers:
        args += ["--workers", str(workers)]
    return args


def measure_cold_build(
    cli: Sequence[str], settings: BenchSettings, work: Path, options: CommandOptions, workers: int | None
) -> Measurement:
    label = "default workers" if workers is None else f"--workers {workers}"

    def once(index: int) -> Run:
        run_dir = Path(tempfile.mkdtemp(prefix=f"cold-{index}-", dir=work))
        command = [*cli, "-q", "build", "--raw", str(settings.raw_dir), "--out", str(run_dir / "out")]
        return run_child(
            [*command, *cold_build_args(options, workers)], settings.timeout_s, run_dir / "cache"
        )

    return repeated(f"cold build ({label})", settings.repeat, once)


def measure_warm_build(
    cli: Sequence[str], settings: BenchSettings, work: Path, options: CommandOptions
) -> Measurement:
    """Rebuild with nothing changed: one untimed run fills the cache, then the same command is timed."""
    cache_dir, out_dir = work / "warm-cache", work / "warm-out"
    command = [*cli, "-q", "build", "--raw", str(settings.raw_dir), "--out", str(out_dir)]
    if options.cache_dir:
        command += ["--cache-dir", str(cache_dir)]
    warming = run_child(command, settings.timeout_s, cache_dir)
    if warming.exit_code != 0:
        return Measurement("warm rebuild", (warming,), "the warming run failed")
    note = "" if options.cache_dir else f"no --cache-dir: the cache was pointed at by ${CACHE_ENV}"
    return repeated(
        "warm rebuild", settings.repeat, lambda _: run_child(command, settings.timeout_s, cache_dir), note
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
    copies = max(1, round(target_pages / len(reader.pages)))
    writer = pypdf.PdfWriter()
    for _ in range(copies):
        for page in reader.pages:
            writer.add_page(page)
    with destination.open("wb") as handle:
        writer.write(handle)
    return len(reader.pages), copies * len(reader.pages)


def make_large_pdf(source: Path, settings: BenchSettings, destination: Path) -> tuple[Run, dict[str, int]]:
    command = [sys.executable, __file__, "--child-repeat-pdf", str(source), str(settings.large_pages)]
    run, printed = spawn([*command, str(destination)], settings.timeout_s)
    small, large = (int(count) for count in printed.split()) if run.exit_code == 0 else (0, 0)
    return run, {"small": small, "large": large}


def measure_extract(
    cli: Sequence[str],
    settings: BenchSettings,
    work: Path,
    options: CommandOptions,
    pdf: Path,
    pages: int,
    times: int,
) -> Measurement:
    args = cold_build_args(options, workers=1)

    def once(index: int) -> Run:
        run_dir = Path(tempfile.mkdtemp(prefix=f"extract-{index}-", dir=work))
        command = [*cli, "-q", "extract", str(pdf), "--out", str(run_dir / "out"), *args]
        return run_child(command, settings.timeout_s, run_dir / "cache")

    return repeated(f"extract --workers 1, {pages}-page {pdf.name}", times, once)


# --- from measurements to targets ------------------------------------------------------------------


def ratio(numerator: Measurement, denominator: Measurement) -> float | None:
    if not (numerator.ok and denominator.ok) or denominator.seconds <= 0:
        return None
    return numerator.seconds / denominator.seconds


def per_page(measurement: Measurement, pages: int, startup: Measurement) -> float | None:
    """Seconds per page once the CLI's start-up is taken off, so a short document is not penalised."""
    if not (measurement.ok and startup.ok) or pages <= 0:
        return None
    return (measurement.seconds - startup.seconds) / pages


def per_page_note(small: float | None, large: float | None) -> str:
    if small is None or large is None:
        return "CLI start-up taken off both"
    return f"{small:.3f} → {large:.3f} s/page, CLI start-up taken off both"


def checks_from(found: dict[str, Measurement], pages: dict[str, int]) -> list[Check]:
    floor, startup = found["floor"], found["startup"]
    small = per_page(found["extract_small"], pages["small"], startup)
    large = per_page(found["extract_large"], pages["large"], startup)
    checks = [
        Check("cold build / extract_words floor", ratio(found["cold"], floor), COLD_BUILD_VS_FLOOR_MAX),
        Check("warm rebuild / CLI start-up", ratio(found["warm"], startup), WARM_BUILD_VS_STARTUP_MAX),
        Check(
            f"per page, {pages['large']} vs {pages['small']} pages",
            None if small is None or large is None or small <= 0 else large / small,
            LARGE_PER_PAGE_VS_SMALL_MAX,
            note=per_page_note(small, large),
        ),
        Check(
            f"peak RSS, {pages['large']}-page extract",
            found["extract_large"].max_rss_mb if found["extract_large"].ok else None,
            LARGE_PEAK_RSS_MAX_MB,
            unit=" MB",
        ),
    ]
    if "extractor_amif" in found:
        checks.append(
            Check(
                "AMIF extractor / extract_words, same pages",
                ratio(found["extractor_amif"], found["words_amif"]),
                None,
            )
        )
    if "cold_one" in found:
        checks += [
            Check("cold build --workers 1 / floor", ratio(found["cold_one"], floor), None),
            Check("cold build --workers N / floor", ratio(found["cold_all"], floor), None),
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


def machine_info() -> dict[str, Any]:
    mem_kb = proc_field("/proc/meminfo", "MemTotal").split()
    return {
        "cpu_model": proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "cpu_count": os.cpu_count(),
        "ram_gb": round(int(mem_kb[0]) / 1e6, 1) if mem_kb else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pdfplumber": version("pdfplumber"),
        "pypdf": version("pypdf"),
        "amif_extract": amif_extract_version,
    }


def format_measurement(measurement: Measurement) -> str:
    if not measurement.ok:
        return f"  {measurement.name:{NAME_WIDTH}} FAILED ({measurement.failure})"
    rss = f"  peak {measurement.max_rss_mb:6.0f} MB" if measurement.max_rss_mb else ""
    note = f"  [{measurement.note}]" if measurement.note else ""
    runs = f"({len(measurement.runs)} runs)"
    return f"  {measurement.name:{NAME_WIDTH}} {measurement.seconds:8.2f} s  {runs}{rss}{note}"


def format_check(check: Check) -> str:
    digits = 0 if check.unit == " MB" else 2
    measured = "not measured" if check.ratio is None else f"{check.ratio:.{digits}f}{check.unit}"
    limit = "—" if check.limit is None else f"≤ {check.limit:g}{check.unit}"
    note = f"  [{check.note}]" if check.note else ""
    return f"  {check.name:{NAME_WIDTH}} {measured:>13}  {limit:>10}  {check.result}{note}"


def report_text(
    machine: dict[str, Any],
    measurements: Sequence[Measurement],
    checks: Sequence[Check],
    notes: Sequence[str],
) -> str:
    lines = [
        f"amif-extract {machine['amif_extract']} benchmark — {STATISTIC} of repeated runs, wall-clock",
        f"machine: {machine['cpu_model']}, {machine['cpu_count']} cores, {machine['ram_gb']} GB RAM, "
        f"Python {machine['python']}, pdfplumber {machine['pdfplumber']}",
        "",
        "Measurements",
        *(format_measurement(measurement) for measurement in measurements),
        "",
        f"  {'Targets':{NAME_WIDTH}} {'measured':>13}  {'target':>10}  result",
        *(format_check(check) for check in checks),
    ]
    if notes:
        lines += ["", "Notes", *(f"  - {note}" for note in notes)]
    return "\n".join(lines)


def report_json(
    machine: dict[str, Any],
    measurements: Sequence[Measurement],
    checks: Sequence[Check],
    notes: Sequence[str],
    extra: dict[str, Any],
) -> str:
    return json.dumps(
        {
            "machine": machine,
            "statistic": STATISTIC,
            "measurements": [
                {**asdict(measurement), "ok": measurement.ok, "seconds": measurement.seconds}
                for measurement in measurements
            ],
            "targets": [{**asdict(check), "result": check.result} for check in checks],
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
    return notes


def amif_table_pdf(sources: Sequence[Source], raw_dir: Path) -> Path:
    for source in sources:
        if source.kind == "amif_table":
            return raw_dir / source.file
    raise SystemExit(
        f"{raw_dir / 'sources.toml'}: no AMIF table PDF listed, nothing to repeat for the large run"
    )


def measure_all(
    settings: BenchSettings, work: Path, build: CommandOptions, extract: CommandOptions
) -> tuple[dict[str, Measurement], dict[str, int]]:
    cli = cli_command()
    sources = build_pdfs(settings.raw_dir)
    pdfs = [settings.raw_dir / source.file for source in sources]
    amif_pdf = amif_table_pdf(sources, settings.raw_dir)
    found = {
        "floor": measure_floor(pdfs, settings),
        "startup": measure_startup(cli, settings),
        "cold": measure_cold_build(cli, settings, work, build, workers=None),
        "warm": measure_warm_build(cli, settings, work, build),
    }
    if build.workers:
        found["cold_one"] = measure_cold_build(cli, settings, work, build, workers=1)
        found["cold_all"] = measure_cold_build(cli, settings, work, build, workers=os.cpu_count() or 1)
    found["words_amif"], found["extractor_amif"] = measure_extractor(amif_pdf, settings)
    large_pdf = work / "large_amif.pdf"
    writing, pages = make_large_pdf(amif_pdf, settings, large_pdf)
    found["extract_small"] = measure_extract(
        cli, settings, work, extract, amif_pdf, pages["small"], settings.repeat
    )
    if writing.exit_code == 0:
        found["extract_large"] = measure_extract(
            cli, settings, work, extract, large_pdf, pages["large"], settings.large_repeat
        )
    else:
        found["extract_large"] = Measurement(f"writing {large_pdf.name}", (writing,))
    return found, pages


def parse_settings(argv: Sequence[str] | None) -> BenchSettings:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--raw", type=Path, default=REPO_ROOT / "raw", help="source documents folder")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the JSON results go")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median reported)")
    parser.add_argument("--large-pages", type=int, default=650, help="pages of the repeated AMIF PDF")
    parser.add_argument("--large-repeat", type=int, default=1, help="runs on the large PDF")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a child is killed")
    args = parser.parse_args(argv)
    try:
        return BenchSettings(
            args.raw.resolve(), args.json, args.repeat, args.large_pages, args.large_repeat, args.timeout
        )
    except ValueError as error:
        parser.error(str(error))


def child_mode(argv: Sequence[str]) -> bool:
    """The work this script hands to children of its own (see the note on imports at the top)."""
    if argv[:1] == ["--child-floor"]:
        print(extract_words_everywhere([Path(name) for name in argv[1:]]))
        return True
    if argv[:1] == ["--child-extractor"]:
        print(*extractor_and_floor(Path(argv[1])))
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
    settings = parse_settings(argv)
    build, extract = supported_options(cli_command(), "build"), supported_options(cli_command(), "extract")
    notes = fallback_notes(build, extract)
    with tempfile.TemporaryDirectory(prefix="amif-bench-") as tmp:
        try:
            found, pages = measure_all(settings, Path(tmp), build, extract)
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    machine = machine_info()
    measurements, checks = list(found.values()), checks_from(found, pages)
    print(report_text(machine, measurements, checks, notes))
    extra = {"pages": pages, "options": {"build": asdict(build), "extract": asdict(extract)}}
    settings.json_path.parent.mkdir(parents=True, exist_ok=True)
    settings.json_path.write_text(report_json(machine, measurements, checks, notes, extra) + "\n")
    print(f"\nJSON written to {settings.json_path}")
    return 0 if all(measurement.ok for measurement in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
