"""Command line: parse options, call the library, print, set the exit code. Nothing else lives here.

Exit codes, the one table (shown by `amif-extract --help` and copied in the README, checked by a test):

| code | meaning | commands |
|---|---|---|
| 0 | done; differences found by `diff` are not errors; nothing to change is not an error | all |
| 1 | a table breaks its schema: nothing is written | `build`, `extract` |
| 1 | an unacknowledged error finding, or `normalized/` differs from a fresh build | `check` |
| 1 | a source could not be downloaded (the other sources are still written) | `fetch` |
| 2 | usage error: unknown command or option, invalid option value | all |
| 2 | input error: a file missing, unreadable, of unknown kind or over a limit; checksum mismatch | all |
| 2 | a worker process died reading a file (killed, out of memory) | `build`, `extract`, `check` |
| 2 | a malformed acknowledgements, authority or decisions file (the message names its line) | all |
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from amif_extract import __version__
from amif_extract.build_records import BuildResult, BuildSettings
from amif_extract.dataset import PROJECT_ENV, Dataset, open_dataset
from amif_extract.errors import InputError, SchemaFailure
from amif_extract.pdf_engine import DEFAULT_ENGINE
from amif_extract.row_changes import (
    RowChangeSettings,
    RowCountChange,
    csv_row_counts,
    row_count_changes,
    table_row_counts,
)

# Each command imports the stage it runs (rebuild, check, diff, fetch, the organisations review) in
# its own body: together they cost ~0.15 s of start-up (ssl and http for fetch, the report, the
# organisations code), which `--help`, `--version` and every other command need not pay.

# pandera probes for dask.dataframe when it builds a schema, which costs ~0.5 s whenever dask is
# installed (the `cluster` extra). The command line never validates Dask frames, so in this process
# the probe is told dask.dataframe is absent; the library API leaves the import system alone.
sys.modules.setdefault("dask.dataframe", None)  # type: ignore[arg-type]

EXIT_OK, EXIT_DATA, EXIT_INPUT = 0, 1, 2

# "\b" keeps click from re-wrapping the table.
EXIT_CODES_TABLE = "\n".join(line for line in (__doc__ or "").splitlines() if line.startswith("|"))

app = typer.Typer(
    help="Turn the public documents on AMIF-funded projects in Luxembourg into validated datasets.",
    epilog=f"\b\nExit codes:\n{EXIT_CODES_TABLE}\n\n\b\nExample:\n  amif-extract build && amif-extract check",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class Verbosity:
    level = 1  # 0 quiet, 1 normal, 2 verbose


class WarningLine(logging.Handler):
    """The library's warnings (an ignored cache entry) as one `warning:` line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        if Verbosity.level:
            err.print(f"warning: {record.getMessage()}", markup=False)


logging.getLogger("amif_extract").addHandler(WarningLine(logging.WARNING))


def _version(value: bool) -> None:
    if value:
        out.print(f"amif-extract {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every finding.")] = False,
) -> None:
    Verbosity.level = 0 if quiet else 2 if verbose else 1


def fail(code: int, message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


class ProgressDisplay:
    """A progress bar on a terminal, plain lines otherwise, nothing when quiet."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if Verbosity.level and err.is_terminal:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
        return self

    def __call__(self, message: str, done: int, total: int) -> None:
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task(message, total=total)
            self.bar.update(self.task, description=message, completed=done, total=total)
        elif Verbosity.level:
            err.print(f"[{done}/{total}] {message}", markup=False)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_summary(result: BuildResult, out_dir: Path | None) -> None:
    if not Verbosity.level:
        return
    tables = ", ".join(f"{name}: {len(rows)} rows" for name, rows in result.tables.items())
    severities = Counter(str(finding.severity) for finding in result.findings)
    counts = ", ".join(f"{severities.get(level, 0)} {level}" for level in ("error", "warning", "info"))
    where = f" → {out_dir}" if out_dir else ""
    out.print(f"built {len(result.inputs)} document(s){where}", markup=False)
    out.print(f"tables: {tables}", markup=False)
    out.print(f"findings: {counts}", markup=False)
    if Verbosity.level > 1:
        for finding in result.findings:
            out.print(
                f"  {finding.severity:7} {finding.code:28} {finding.location.describe()}: {finding.message}",
                markup=False,
            )


def settings_from(
    max_file_mb: float,
    max_pages: int,
    workers: int | None = None,
    scheduler: str | None = None,
    scheduler_timeout: float = 10.0,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    worker_timeout: float = 60.0,
    max_stream_mb: float = 256.0,
    engine: str = DEFAULT_ENGINE,
) -> BuildSettings:
    try:
        return BuildSettings(
            max_file_mb=max_file_mb,
            max_pages=max_pages,
            workers=workers,
            scheduler=scheduler,
            scheduler_timeout_s=scheduler_timeout,
            worker_timeout_s=worker_timeout,
            max_stream_mb=max_stream_mb,
            engine=engine,
            use_cache=not no_cache,
            cache_dir=cache_dir,
        )
    except ValueError as error:
        fail(EXIT_INPUT, str(error))


Project = Annotated[
    Path | None,
    typer.Option(
        "--project",
        envvar=PROJECT_ENV,
        metavar="DIR",
        help="Dataset folder: raw/, schemas/, normalized/ (default: the working folder).",
    ),
]
Raw = Annotated[
    Path | None, typer.Option("--raw", help="Documents with their sources.toml (default: PROJECT/raw).")
]
MaxFileMb = Annotated[float, typer.Option("--max-file-mb", help="Refuse source files larger than this.")]
MaxPages = Annotated[int, typer.Option("--max-pages", help="Refuse PDFs with more pages than this.")]
MaxStreamMb = Annotated[
    float,
    typer.Option("--max-stream-mb", help="Refuse PDFs with a stream that inflates past this (a zip bomb)."),
]
Engine = Annotated[
    str,
    typer.Option(
        "--engine",
        help="What parses PDF pages: pdfium (fast) or pdfplumber (the reference, for cross-checks).",
    ),
]
Acknowledgements = Annotated[
    Path | None,
    typer.Option(
        "--acknowledgements",
        help="Stewards' acknowledged findings (default: PROJECT/schemas/acknowledged_findings.csv).",
    ),
]
OutDir = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Folder the tables are written to, swapped in whole (default: PROJECT/normalized)."
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Processes extracting in parallel (1: serial, in the build's own process; default: none for"
        " up to 4 PDF pages, one less than the cores below 150, every core from 150).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="tcp://HOST:PORT", help="Extract on this Dask cluster instead."),
]
SchedulerTimeout = Annotated[
    float, typer.Option("--scheduler-timeout", help="Seconds to wait for the Dask scheduler.")
]
WorkerTimeout = Annotated[
    float,
    typer.Option("--worker-timeout", help="Seconds to wait while the Dask scheduler has no worker running."),
]
NoCache = Annotated[
    bool,
    typer.Option(
        "--no-cache", help="Parse every document again; the cache folder is neither read nor checked."
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        envvar="AMIF_EXTRACT_CACHE",
        help="Cache of extraction results, a folder only you can write, created private"
        " (default: $XDG_CACHE_HOME/amif-extract or ~/.cache/amif-extract).",
    ),
]


MaxRowChange = Annotated[
    float,
    typer.Option(
        "--max-row-change",
        help="Warn when a table loses or gains more than this share of its rows against the previous build.",
    ),
]


def row_change_settings(max_row_change: float) -> RowChangeSettings:
    try:
        return RowChangeSettings(max_share=max_row_change)
    except ValueError as error:
        fail(EXIT_INPUT, str(error))


def warn_row_changes(changes: list[RowCountChange]) -> None:
    if Verbosity.level:
        for change in changes:
            err.print(f"warning: {change.describe()}", markup=False)


def dataset_from(project: Path | None, **overrides: Path | None) -> Dataset:
    try:
        return open_dataset(project, **overrides)
    except InputError as error:
        fail(EXIT_INPUT, str(error))


@app.command("build")
def build_command(
    project: Project = None,
    raw: Raw = None,
    out_dir: OutDir = None,
    acknowledgements: Acknowledgements = None,
    max_file_mb: MaxFileMb = 200.0,
    max_pages: MaxPages = 5000,
    max_stream_mb: MaxStreamMb = 256.0,
    engine: Engine = DEFAULT_ENGINE,
    workers: Workers = None,
    scheduler: Scheduler = None,
    scheduler_timeout: SchedulerTimeout = 10.0,
    worker_timeout: WorkerTimeout = 60.0,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    max_row_change: MaxRowChange = 0.2,
) -> None:
    """Build every table of a dataset folder from the documents listed in its raw/sources.toml.

    \b
    Example:
      amif-extract build --project ~/amif-data
      amif-extract build --workers 4 --cache-dir ~/.cache/amif-extract-ci
      amif-extract build --scheduler tcp://10.0.0.5:8786 --no-cache
    """
    settings = settings_from(
        max_file_mb,
        max_pages,
        workers,
        scheduler,
        scheduler_timeout,
        no_cache,
        cache_dir,
        worker_timeout,
        max_stream_mb,
        engine,
    )
    dataset = dataset_from(project, raw=raw, normalized=out_dir, acknowledgements=acknowledgements)
    row_changes = row_change_settings(max_row_change)
    from amif_extract.rebuild import build_outputs
    from amif_extract.write import write_output_folder

    previous = csv_row_counts(dataset.normalized)
    try:
        with ProgressDisplay() as progress:
            result, files = build_outputs(dataset, settings, progress)
        write_output_folder(dataset.normalized, files)
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    except SchemaFailure as error:
        fail(EXIT_DATA, str(error))
    print_summary(result, dataset.normalized)
    warn_row_changes(row_count_changes(previous, table_row_counts(result.tables), row_changes))


@app.command("extract")
def extract_command(
    files: Annotated[
        list[Path], typer.Argument(help="Documents to read (PDF or text), any name, any place.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder the tables are written to.")],
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            envvar=PROJECT_ENV,
            metavar="DIR",
            help="Dataset whose authority and acknowledgements apply (default: the working folder if it"
            " is one, else the packaged authority and none).",
        ),
    ] = None,
    max_file_mb: MaxFileMb = 200.0,
    max_pages: MaxPages = 5000,
    max_stream_mb: MaxStreamMb = 256.0,
    engine: Engine = DEFAULT_ENGINE,
    workers: Workers = None,
    scheduler: Scheduler = None,
    scheduler_timeout: SchedulerTimeout = 10.0,
    worker_timeout: WorkerTimeout = 60.0,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Read documents named on the command line; their kind is recognised from their content.

    \b
    Example:
      amif-extract extract ~/Downloads/liste_amif_2026.pdf --out /tmp/amif --workers 2
    """
    settings = settings_from(
        max_file_mb,
        max_pages,
        workers,
        scheduler,
        scheduler_timeout,
        no_cache,
        cache_dir,
        worker_timeout,
        max_stream_mb,
        engine,
    )
    from amif_extract.dataset import find_dataset
    from amif_extract.rebuild import extract_outputs
    from amif_extract.write import write_output_folder

    try:
        dataset = find_dataset(project)
        with ProgressDisplay() as progress:
            result, written = extract_outputs(files, dataset, settings, progress)
        write_output_folder(out_dir, written)
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    except SchemaFailure as error:
        fail(EXIT_DATA, str(error))
    print_summary(result, out_dir)


@app.command("fetch")
def fetch_command(
    project: Project = None,
    raw: Raw = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="FILE", help="Fetch only this manifest file (repeat for several)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for a connection or for the next bytes.")
    ] = 30.0,
    retries: Annotated[
        int, typer.Option("--retries", help="Further attempts after a timeout, a cut download or a 5xx.")
    ] = 2,
    max_file_mb: MaxFileMb = 200.0,
) -> None:
    """Download new editions of the sources that have a url in the dataset's raw/sources.toml.

    A download replaces its file only once complete; the manifest's sha256 and retrieved date are
    updated for each file that changed. A source that fails stays as it was (exit 1).

    \b
    Example:
      amif-extract fetch --only amif_projets_cofinances.pdf --timeout 20 --retries 3
    """
    dataset = dataset_from(project, raw=raw)
    # Imported here so that this command stays one self-contained block of the CLI.
    from amif_extract.fetch import FetchSettings, fetch_sources

    try:
        settings = FetchSettings(timeout_s=timeout, retries=retries, max_bytes=int(max_file_mb * 1024 * 1024))
    except ValueError as error:
        fail(EXIT_INPUT, str(error))
    try:
        report = fetch_sources(dataset.raw, settings, only or ())
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    for result in report.results:  # soft_wrap: one line per source, whatever the terminal's width
        if result.status == "failed":
            err.print(result.describe(), markup=False, soft_wrap=True)
        elif Verbosity.level:
            out.print(result.describe(), markup=False, soft_wrap=True)
    if Verbosity.level:
        out.print(f"fetched {report.summary()}", markup=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(EXIT_DATA)


def _check_format(value: str) -> str:
    from amif_extract.check import CHECK_FORMATS

    if value not in CHECK_FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(CHECK_FORMATS)}")
    return value


@app.command("check")
def check_command(
    project: Project = None,
    raw: Raw = None,
    normalized: Annotated[
        Path | None,
        typer.Option(
            "--normalized",
            help="Committed outputs a fresh build must reproduce exactly (default: PROJECT/normalized).",
        ),
    ] = None,
    acknowledgements: Acknowledgements = None,
    output_format: Annotated[
        str,
        typer.Option("--format", callback=_check_format, help="text, github, json or junit (XML)."),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report (e.g. the JUnit XML) to this file.")
    ] = None,
    max_file_mb: MaxFileMb = 200.0,
    max_pages: MaxPages = 5000,
    max_row_change: MaxRowChange = 0.2,
    engine: Engine = DEFAULT_ENGINE,
) -> None:
    """Build in memory; fail (exit 1) on an unacknowledged error or on stale files in normalized/.

    \b
    Examples:
      amif-extract check
      amif-extract check --format github
      amif-extract check --format junit --output reports/amif-check.xml
    """
    # Imported here so that this command stays one self-contained block of the CLI.
    from amif_extract.check import format_outcome, run_check, verdict, write_report

    settings = settings_from(max_file_mb, max_pages, engine=engine)
    dataset = dataset_from(project, raw=raw, normalized=normalized, acknowledgements=acknowledgements)
    row_changes = row_change_settings(max_row_change)
    try:
        with ProgressDisplay() as progress:
            outcome = run_check(dataset, settings, progress)
        report = format_outcome(outcome, output_format)
        if output is not None:
            write_report(output, report)
    except InputError as error:
        fail(EXIT_INPUT, str(error))

    new_counts = table_row_counts(outcome.result.tables)
    warn_row_changes(row_count_changes(csv_row_counts(dataset.normalized), new_counts, row_changes))
    if output is None:
        # --quiet silences the human report only: a machine format is the command's output.
        if Verbosity.level or not outcome.passed or output_format != "text":
            typer.echo(report, nl=False)
    elif Verbosity.level or not outcome.passed:
        typer.echo(f"{verdict(outcome)} (report written to {output})")
    raise typer.Exit(EXIT_OK if outcome.passed else EXIT_DATA)


def _diff_format(value: str) -> str:
    if value not in ("text", "json"):
        raise typer.BadParameter(f"{value!r} is not one of text, json")
    return value


@app.command("diff")
def diff_command(
    old: Annotated[
        Path,
        typer.Argument(help="Folder of the earlier build (a normalized/ folder, or a raw/ folder to build)."),
    ],
    new: Annotated[Path, typer.Argument(help="Folder of the later build (or raw/ folder).")],
    output_format: Annotated[
        str, typer.Option("--format", callback=_diff_format, help="text (for people) or json.")
    ] = "text",
    tables: Annotated[
        list[str] | None, typer.Option("--table", help="Compare only this table (repeat for several).")
    ] = None,
    all_columns: Annotated[
        bool, typer.Option("--all-columns", help="Also compare provenance columns (file, page, line, bbox).")
    ] = False,
    max_row_change: MaxRowChange = 0.2,
) -> None:
    """List the rows added, removed and changed (field by field) between two builds.

    Differences are not errors: the exit code is 0 unless a folder is missing (2). A raw/ folder
    (documents and their sources.toml) is built in memory first; the output names the file read for
    each document and the other formats of it that were not compared.

    \b
    Example:
      amif-extract diff normalized /tmp/new-edition --table amif_projects
    """
    # Imported here so that this command stays one self-contained block of the CLI.
    from amif_extract.diff import PROVENANCE_COLUMNS, diff_builds
    from amif_extract.diff import format_json as diff_json
    from amif_extract.diff import format_text as diff_text

    row_changes = row_change_settings(max_row_change)
    ignored = () if all_columns else PROVENANCE_COLUMNS
    try:
        result = diff_builds(old, new, tables or (), ignored)
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    typer.echo(diff_json(result) if output_format == "json" else diff_text(result), nl=False)

    compared = {table.name for table in result.tables}
    old_counts = {name: count for name, count in csv_row_counts(old).items() if name in compared}
    warn_row_changes(row_count_changes(old_counts, csv_row_counts(new), row_changes))


@app.command("spreadsheet-safe")
def spreadsheet_safe_command(
    build_dir: Annotated[Path, typer.Argument(help="Folder of a build (a normalized/ folder).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder the spreadsheet-safe CSVs are written to.")],
) -> None:
    """Copy a build's CSV tables for spreadsheets: a cell that would run as a formula starts with '.

    The published CSVs keep values as printed (each formula-like one has a formula_like_value
    finding); this copy is for opening in Excel or LibreOffice, where the apostrophe marks text.

    \b
    Example:
      amif-extract spreadsheet-safe normalized --out /tmp/amif-for-excel
    """
    # Imported here so that this command stays one self-contained block of the CLI.
    from amif_extract.formulas import write_spreadsheet_safe

    try:
        marked = write_spreadsheet_safe(build_dir, out_dir)
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    if Verbosity.level:
        where = ", ".join(f"{table}: {count}" for table, count in marked.items() if count) or "none"
        out.print(f"wrote {len(marked)} table(s) to {out_dir}; cells marked as text: {where}", markup=False)


review_app = typer.Typer(
    help="Apply data stewards' decisions on the organisation review queue.\n\n"
    "\b\nExample:\n  amif-extract review apply decisions.csv --project ~/amif-data",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(review_app, name="review")


@review_app.command("apply")
def review_apply_command(
    decisions: Annotated[
        Path,
        typer.Argument(help="A filled copy of normalized/review/organisation_matches.csv (decision column)."),
    ],
    project: Project = None,
    authority: Annotated[
        Path | None,
        typer.Option(
            "--authority",
            help="Authority file to update, with organisation_rejections.csv beside it"
            " (default: PROJECT/schemas/organisations.csv).",
        ),
    ] = None,
) -> None:
    """Add the decided names to the organisation authority file; applying twice changes nothing.

    In the decision column: an org_id (the name becomes its alias), new (a new organisation; fill
    new_kind, optionally new_org_id), reject (never queued again) or empty (skipped). Every row is
    checked before anything is written; a bad row stops with its line number (exit 2).

    \b
    Example:
      cp normalized/review/organisation_matches.csv decisions.csv   # then fill the decision column
      amif-extract review apply decisions.csv
    """
    # Imported here so that this command stays one self-contained block of the CLI.
    from amif_extract.organisations import ReviewDecisionError, apply_review_decisions

    # An authority file named outright needs no dataset around it.
    target = authority if authority is not None else dataset_from(project).authority
    try:
        result = apply_review_decisions(decisions, target)
    except (InputError, ReviewDecisionError) as error:
        fail(EXIT_INPUT, str(error))
    if not Verbosity.level:
        return
    for org_id, alias in result.added_aliases:
        out.print(f"alias added to {org_id}: {alias}", markup=False)
    for org_id in result.added_organisations:
        out.print(f"organisation added: {org_id}", markup=False)
    for name in result.added_rejections:
        out.print(f"rejection added: {name}", markup=False)
    counts = f"{result.already_applied} already applied, {result.skipped} skipped (no decision)"
    if result.changed:
        added = (
            f"{len(result.added_aliases)} alias(es), {len(result.added_organisations)} organisation(s),"
            f" {len(result.added_rejections)} rejection(s) added"
        )
        out.print(f"{target}: {added}; {counts}", markup=False)
    else:
        out.print(f"{target}: nothing to change; {counts}", markup=False)


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="The new dataset folder (must not exist or be empty).")],
) -> None:
    """Make a new dataset folder: an empty manifest, empty acknowledgements, the packaged organisations
    authority and rejections, and a README saying what goes where.

    \b
    Example:
      amif-extract init ~/amif-data
      amif-extract sources add ~/Downloads/liste.pdf --kind amif_table --project ~/amif-data
    """
    from amif_extract.dataset import init_dataset

    try:
        init_dataset(folder)
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    if Verbosity.level:
        out.print(f"dataset folder made: {folder}", markup=False)


sources_app = typer.Typer(
    help="Record source documents in the dataset's manifest (raw/sources.toml).\n\n"
    "\b\nExample:\n  amif-extract sources add liste.pdf --kind amif_table --url https://example.org/liste.pdf",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(sources_app, name="sources")


@sources_app.command("add")
def sources_add_command(
    file: Annotated[Path, typer.Argument(help="The document; copied into raw/ when it is elsewhere.")],
    kind: Annotated[str, typer.Option("--kind", help="amif_table, practice_sheets or web_page.")],
    url: Annotated[str, typer.Option("--url", help="Where `fetch` downloads new editions from.")] = "",
    project: Project = None,
) -> None:
    """Record a document in raw/sources.toml with its sha256 and the format read from its content.

    A kind the content is not, or a file name the manifest already lists, is refused (exit 2).

    \b
    Example:
      amif-extract sources add ~/Downloads/liste_amif_2026.pdf --kind amif_table --url https://example.org/x.pdf
    """
    from amif_extract.dataset import add_source

    dataset = dataset_from(project)
    try:
        source = add_source(dataset, file, kind, url)
    except InputError as error:
        fail(EXIT_INPUT, str(error))
    if Verbosity.level:
        what = f"{source.kind}, {source.format}, sha256 {source.sha256[:12]}…"
        out.print(f"{dataset.manifest}: added {source.file} ({what})", markup=False)
