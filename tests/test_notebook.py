"""`notebooks/amif_overview.ipynb`: committed without outputs, and it runs on the published outputs alone."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "amif_overview.ipynb"
PLOT_TAG = "plot"


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def stdout_of(cell: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def test_committed_notebook_has_no_outputs_and_reads_only_public_files() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in code_cells(notebook):
        assert cell.outputs == [], f"cell {cell.id} was committed with outputs"
        assert cell.execution_count is None, f"cell {cell.id} was committed with an execution count"
        assert not re.search(r"^\s*(from|import)\s+amif_extract\b", cell.source, flags=re.M), cell.id
    assert len([cell for cell in code_cells(notebook) if PLOT_TAG in cell.metadata.get("tags", [])]) == 5


@pytest.fixture
def repository_copy(tmp_path: Path) -> Path:
    """The notebook and the published outputs only, laid out as in the repository: no raw/, no package."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(NOTEBOOK, tmp_path / "notebooks" / NOTEBOOK.name)
    shutil.copytree(ROOT / "normalized", tmp_path / "normalized")
    return tmp_path


def test_notebook_runs_in_this_interpreter_and_every_plot_cell_draws_a_png(
    repository_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMIF_NORMALIZED", raising=False)
    notebook = nbformat.read(repository_copy / "notebooks" / NOTEBOOK.name, as_version=4)
    # nbclient's "python3" is ipykernel's own spec, whose command jupyter_client runs with sys.executable;
    # the extra cell proves the kernel is this virtualenv's interpreter.
    notebook.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable)", id="interpreter"))
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(repository_copy / "notebooks")}},
    )
    client.execute()

    cells = {cell.id: cell for cell in code_cells(notebook)}
    assert os.path.realpath(stdout_of(cells["interpreter"]).strip()) == os.path.realpath(sys.executable)
    plots = [cell for cell in cells.values() if PLOT_TAG in cell.metadata.get("tags", [])]
    for cell in plots:
        assert any("image/png" in output.get("data", {}) for output in cell.outputs), cell.id
    assert stdout_of(cells["load"]).startswith("38 projects, ")
    assert "sums agree with organisations.amif_eu_share: True" in stdout_of(cells["carriers"])
    assert "above 75 %: 9 project(s)" in stdout_of(cells["rates"])
    table = cells["findings"].outputs[-1]["data"]["text/plain"]
    assert re.search(r"^missing_value\s+0\s+\d+\s+0\s+\d+$", table, flags=re.M), table
