from pathlib import Path

import pytest

from experiments.develop.docs import TARGETS, render
from simulation.parameters import BUILT_IN

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", TARGETS, ids=lambda p: p.name)
def test_parameter_tables_are_current(path):
    text = path.read_text()
    assert render(text) == text, f"{path.name} is stale: run 'make docs'"
    for name in BUILT_IN:
        assert f"`{name}`" in text


def test_readme_gives_the_two_commands_and_citation_files_exist():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    cff = (ROOT / "CITATION.cff").read_text()
    assert "10.1080/01900692.2021.1913748" in cff
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
