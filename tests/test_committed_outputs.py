"""Committed outputs name files by their place in the repository, never by where a machine keeps it.

A manifest that records ``/home/someone/phase0/...`` or a temporary folder tells a reader nothing
they can use, and leaks the machine it was made on.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("results", "experiments/calibration", "docs")
TEXT = {".json", ".md", ".csv", ".html", ".txt", ".toml"}


def _committed_text_files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*")
                  if p.is_file() and p.suffix in TEXT)


@pytest.mark.parametrize("path", _committed_text_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_machine_paths_in_committed_outputs(path):
    text = path.read_text(errors="replace")
    for marker in (str(ROOT), "/tmp/"):
        assert marker not in text, f"{path.relative_to(ROOT)} records the machine path {marker}"
