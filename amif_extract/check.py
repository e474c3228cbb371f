"""`check`: build in memory, then fail on unacknowledged errors or on committed outputs that are stale.

The check a CI job runs on every change: a fresh build of `raw/` must have no error finding that a
steward has not acknowledged, and must produce byte for byte the files committed under `normalized/`.
Its outcome is plain data, rendered for people (text), GitHub (workflow-command annotations), CI
servers (JUnit XML) or programs (JSON).
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from amif_extract.acknowledge import Acknowledgement, load_acknowledgements, unmatched_acknowledgements
from amif_extract.build_records import BuildResult, BuildSettings, Progress
from amif_extract.dataset import Dataset
from amif_extract.errors import InputError
from amif_extract.findings import SEVERITIES, Finding
from amif_extract.rebuild import build_dataset
from amif_extract.report import finding_record, is_blocking
from amif_extract.write import OUTPUTS_RECORD, restore_under_lock, with_outputs_record

CHECK_FORMATS = ("text", "github", "json", "junit")
DifferenceStatus = Literal["differs", "missing", "extra"]


@dataclass(frozen=True)
class FileDifference:
    """A file of `normalized/` that is not what a fresh build writes; `line` is the first differing line."""

    name: str
    status: DifferenceStatus
    line: int | None = None


@dataclass(frozen=True)
class CheckOutcome:
    raw_dir: Path
    normalized_dir: Path
    acknowledgements_path: Path
    result: BuildResult
    differences: list[FileDifference]
    unmatched: list[Acknowledgement]
    expected_files: list[str]
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [finding for finding in self.result.findings if is_blocking(finding)]

    @property
    def passed(self) -> bool:
        return not self.blocking and not self.differences


def first_differing_line(expected: bytes, actual: bytes) -> int | None:
    """1-based line of the first difference in two text files; None for binary files (Parquet)."""
    if b"\x00" in expected[:4096] or b"\x00" in actual[:4096] or expected.startswith(b"PAR1"):
        return None
    for number, (left, right) in enumerate(zip(expected.split(b"\n"), actual.split(b"\n"), strict=False), 1):
        if left != right:
            return number
    return min(expected.count(b"\n"), actual.count(b"\n")) + 1


def committed_files(folder: Path) -> set[str]:
    """Every file under `folder` as a relative posix path; hidden files (.gitkeep) are not outputs,
    except the record of what the build wrote, which a build writes like any output."""
    names = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_file() and (not hidden or relative.as_posix() == OUTPUTS_RECORD):
            names.add(relative.as_posix())
    return names


def compare_outputs(expected: Mapping[str, bytes], folder: Path) -> list[FileDifference]:
    """Byte comparison of every expected file with the one in `folder`, plus the files no build writes."""
    if not folder.is_dir():
        raise InputError(folder, "output folder not found (build it with `amif-extract build --out` first)")
    present = committed_files(folder)
    differences: list[FileDifference] = []
    for name in sorted(expected):
        if name not in present:
            differences.append(FileDifference(name, "missing"))
            continue
        actual = (folder / name).read_bytes()
        if actual != expected[name]:
            differences.append(FileDifference(name, "differs", first_differing_line(expected[name], actual)))
    differences += [FileDifference(name, "extra") for name in sorted(present - set(expected))]
    return differences


def _quiet(message: str, done: int, total: int) -> None:
    return None


def run_check(
    dataset: Dataset, settings: BuildSettings | None = None, progress: Progress | None = None
) -> CheckOutcome:
    """Build `dataset` in memory (`build_dataset`) and compare with its `normalized/` folder."""
    result, files = build_dataset(dataset, settings, progress or _quiet)
    expected = with_outputs_record(files)
    # As `build` does before writing: a swap cut between its renames left the committed output aside.
    notes = [restored_note(dataset.normalized)] if restore_under_lock(dataset.normalized, expected) else []
    differences = compare_outputs(expected, dataset.normalized)
    acknowledgements = load_acknowledgements(dataset.acknowledgements)
    unmatched = unmatched_acknowledgements(result.findings, acknowledgements)
    return CheckOutcome(
        dataset.raw,
        dataset.normalized,
        dataset.acknowledgements,
        result,
        differences,
        unmatched,
        sorted(expected),
        notes,
    )


def restored_note(folder: Path) -> str:
    return f"{repo_path(folder)} restored from {repo_path(folder)}.previous, left by an interrupted build"


# ---------------------------------------------------------------- where things are, as CI shows them


def repo_path(path: Path) -> str:
    """A path as annotations want it: relative to the working directory (the repository root in CI)."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def source_path(outcome: CheckOutcome, finding: Finding) -> str:
    return repo_path(outcome.raw_dir / finding.location.file) if finding.location.file else ""


def output_path(outcome: CheckOutcome, name: str) -> str:
    return repo_path(outcome.normalized_dir / name)


def finding_subject(finding: Finding) -> str:
    """What a finding is about: table, row and column, as far as known."""
    parts = [part for part in (finding.table, finding.row_id, finding.column) if part]
    return " ".join(parts) if parts else "document"


def finding_place(outcome: CheckOutcome, finding: Finding) -> str:
    location = finding.location
    place = source_path(outcome, finding)
    if location.line is not None:
        return f"{place}:{location.line}"
    if location.page is not None:
        return f"{place}, page {location.page}"
    return place


def difference_text(difference: FileDifference) -> str:
    if difference.status == "missing":
        return "missing: a fresh build writes it"
    if difference.status == "extra":
        return "extra: no build writes it"
    where = f" (first at line {difference.line})" if difference.line else ""
    return f"differs from a fresh build{where}"


# ---------------------------------------------------------------- formats


def severity_counts(findings: Sequence[Finding]) -> str:
    counts = Counter(str(finding.severity) for finding in findings)
    acknowledged = Counter(str(finding.severity) for finding in findings if finding.acknowledged)
    parts = []
    for severity in SEVERITIES:
        part = f"{counts[severity]} {severity}"
        if acknowledged[severity]:
            part += f" ({acknowledged[severity]} acknowledged)"
        parts.append(part)
    return ", ".join(parts)


def verdict(outcome: CheckOutcome) -> str:
    if outcome.passed:
        return "check passed"
    problems = []
    if outcome.blocking:
        problems.append(f"{len(outcome.blocking)} unacknowledged error finding(s)")
    if outcome.differences:
        problems.append(f"{len(outcome.differences)} output file(s) out of date")
    return "check failed: " + ", ".join(problems)


def format_text(outcome: CheckOutcome) -> str:
    result = outcome.result
    tables = ", ".join(f"{name}: {len(rows)} rows" for name, rows in result.tables.items())
    lines = [f"note: {note}" for note in outcome.notes]
    lines += [
        f"built {len(result.inputs)} document(s) from {repo_path(outcome.raw_dir)}: {tables}",
        f"findings: {severity_counts(result.findings)}",
    ]
    blocking = outcome.blocking
    if blocking:
        lines.append(f"{len(blocking)} error finding(s) nobody acknowledged:")
        for finding in blocking:
            subject = f"{finding.code} [{finding_subject(finding)}]"
            lines.append(f"  {finding_place(outcome, finding)}: {subject} {finding.message}")
    normalized = repo_path(outcome.normalized_dir)
    if outcome.differences:
        lines.append(f"{len(outcome.differences)} file(s) of {normalized} differ from a fresh build:")
        for difference in outcome.differences:
            lines.append(f"  {output_path(outcome, difference.name)}: {difference_text(difference)}")
        lines.append(f"  (rebuild with `amif-extract build --out {normalized}` and commit the result)")
    else:
        lines.append(f"{normalized}: all {len(outcome.expected_files)} files match a fresh build")
    for acknowledgement in outcome.unmatched:
        lines.append(
            f"note: {repo_path(outcome.acknowledgements_path)}:{acknowledgement.line} matches no finding"
            f" ({acknowledgement.code} {acknowledgement.row_id} {acknowledgement.column})"
        )
    lines.append(verdict(outcome))
    return "\n".join(lines) + "\n"


def escape_data(text: str) -> str:
    """GitHub workflow commands: the message part escapes %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub workflow commands: property values also escape ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: Mapping[str, str | int], message: str) -> str:
    props = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties.items())
    return f"::{command} {props}::{escape_data(message)}" if props else f"::{command}::{escape_data(message)}"


def finding_annotation(outcome: CheckOutcome, finding: Finding) -> str:
    """`::error file=raw/…,line=n::…` for a text source; a PDF has no lines, so no `line` (a made-up
    line 1 would point at the wrong place) and its page goes into the title and the message."""
    location = finding.location
    title = f"{finding.code} [{finding_subject(finding)}]"
    message = finding.message
    if location.line is None and location.page is not None:
        title += f" page {location.page}"
        message = f"page {location.page}: {message}"
    if finding.value:
        message += f" (value {finding.value!r})"
    properties: dict[str, str | int] = {"file": source_path(outcome, finding)}
    if location.line is not None:
        properties["line"] = location.line
    properties["title"] = title
    return workflow_command("error", properties, message)


def format_github(outcome: CheckOutcome) -> str:
    lines = [workflow_command("notice", {}, note) for note in outcome.notes]
    lines += [finding_annotation(outcome, finding) for finding in outcome.blocking]
    for difference in outcome.differences:
        properties: dict[str, str | int] = {"file": output_path(outcome, difference.name)}
        if difference.line:
            properties["line"] = difference.line
        properties["title"] = "output out of date"
        message = f"{output_path(outcome, difference.name)} {difference_text(difference)}"
        lines.append(workflow_command("error", properties, message + "; run `amif-extract build` and commit"))
    for acknowledgement in outcome.unmatched:
        properties = {"file": repo_path(outcome.acknowledgements_path), "line": acknowledgement.line}
        properties["title"] = "acknowledgement matches no finding"
        subject = " ".join(acknowledgement.key)
        message = f"no finding {subject}: remove or update this line"
        lines.append(workflow_command("warning", properties, message))
    lines.append(f"amif-extract: {verdict(outcome)}; findings: {severity_counts(outcome.result.findings)}")
    return "\n".join(lines) + "\n"


def finding_json(outcome: CheckOutcome, finding: Finding) -> dict[str, Any]:
    return {**finding_record(finding), "path": source_path(outcome, finding)}


def check_data(outcome: CheckOutcome) -> dict[str, Any]:
    findings = outcome.result.findings
    return {
        "passed": outcome.passed,
        "notes": outcome.notes,
        "raw": repo_path(outcome.raw_dir),
        "normalized": repo_path(outcome.normalized_dir),
        "acknowledgements": repo_path(outcome.acknowledgements_path),
        "rows": {name: len(rows) for name, rows in outcome.result.tables.items()},
        "findings": {severity: sum(1 for f in findings if f.severity == severity) for severity in SEVERITIES},
        "acknowledged": sum(1 for finding in findings if finding.acknowledged),
        "unacknowledged_errors": [finding_json(outcome, finding) for finding in outcome.blocking],
        "output_differences": [
            {"file": output_path(outcome, diff.name), "status": diff.status, "line": diff.line}
            for diff in outcome.differences
        ],
        "unmatched_acknowledgements": [
            {"line": a.line, "code": a.code, "table": a.table, "row_id": a.row_id, "column": a.column}
            for a in outcome.unmatched
        ],
    }


def format_json(outcome: CheckOutcome) -> str:
    return json.dumps(check_data(outcome), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _testcase(suite: ET.Element, classname: str, name: str, **attributes: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": classname, "name": name, **attributes})


def findings_suite(outcome: CheckOutcome) -> ET.Element:
    """One testcase per finding; an unacknowledged error fails, the rest pass with a note."""
    suite = ET.Element("testsuite", {"name": "findings"})
    for finding in outcome.result.findings:
        # A PDF finding has a page, not a line: no line attribute rather than a made-up one.
        line = {} if finding.location.line is None else {"line": str(finding.location.line)}
        case = _testcase(
            suite,
            f"{finding.table or 'document'}.{finding.code}",
            f"{finding.row_id or finding.location.file} {finding.column}".strip(),
            file=source_path(outcome, finding),
            **line,
        )
        text = f"{finding_place(outcome, finding)}: {finding.message}"
        if finding.value:
            text += f"\nvalue: {finding.value}"
        if is_blocking(finding):
            failure = ET.SubElement(case, "failure", {"message": finding.message, "type": finding.code})
            failure.text = text
        else:
            extra = dict(finding.extra)
            note = f"{finding.severity}: {text}"
            if finding.acknowledged:
                note += (
                    f"\nacknowledged {finding.acknowledged} by {extra.get('acknowledged_by', '')}:"
                    f" {extra.get('acknowledgement_reason', '')}"
                )
            ET.SubElement(case, "system-out").text = note
    _count(suite)
    return suite


def outputs_suite(outcome: CheckOutcome) -> ET.Element:
    suite = ET.Element("testsuite", {"name": "outputs"})
    differences = {difference.name: difference for difference in outcome.differences}
    names = sorted({*outcome.expected_files, *differences})
    for name in names:
        case = _testcase(suite, "outputs", output_path(outcome, name), file=output_path(outcome, name))
        difference = differences.get(name)
        if difference is not None:
            message = difference_text(difference)
            ET.SubElement(case, "failure", {"message": message, "type": difference.status}).text = message
    _count(suite)
    return suite


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    suite.set("errors", "0")


def format_junit(outcome: CheckOutcome) -> str:
    root = ET.Element("testsuites", {"name": "amif-extract check"})
    suites = [findings_suite(outcome), outputs_suite(outcome)]
    root.extend(suites)
    root.set("tests", str(sum(int(suite.get("tests", "0")) for suite in suites)))
    root.set("failures", str(sum(int(suite.get("failures", "0")) for suite in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATTERS: dict[str, Callable[[CheckOutcome], str]] = {
    "text": format_text,
    "github": format_github,
    "json": format_json,
    "junit": format_junit,
}


def format_outcome(outcome: CheckOutcome, output_format: str) -> str:
    if output_format not in FORMATTERS:
        raise ValueError(f"unknown format {output_format!r}; choose one of {', '.join(CHECK_FORMATS)}")
    return FORMATTERS[output_format](outcome)


def write_report(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(path, f"cannot write the check report ({error.strerror or error})") from error
