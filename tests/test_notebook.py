"""The researchers' notebook runs, on a tiny sample, so that it cannot rot."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "sensitivity.ipynb"


def test_sensitivity_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("PHASE0_NOTEBOOK_N", "8")
    monkeypatch.setenv("PHASE0_NOTEBOOK_R", "2")
    monkeypatch.setenv("PHASE0_NOTEBOOK_WORKERS", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(NOTEBOOK.parents[2]), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "")
                   for o in outputs)
    assert "rmst_phase_zero" in text and "ST" in text
