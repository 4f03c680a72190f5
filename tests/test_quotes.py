"""Every quotation the model cites is in the paper, word for word.

The registry's evidence and meanings and the scenario files quote Burgess and Choudary (2021) in
single quotes. Each quotation is searched for in the paper's text (``shared/seed/`` next to the
repository or next to a folder above it, or the folder ``PHASE0_PAPER`` names),
case-insensitively, after normalising quotation marks, dashes and whitespace, and split at '...'
(an ellipsis marks words left out). Without the
paper the test is skipped with a message, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from experiments.support.scenarios import SCENARIO_DIR
from simulation.parameters import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def _paper_dir() -> Path:
    # A clone may sit deeper than the development copy (CI clones into a folder of its own), so
    # the shared folder is looked for beside every folder above the repository.
    if os.environ.get("PHASE0_PAPER"):
        return Path(os.environ["PHASE0_PAPER"])
    for folder in ROOT.parents:
        if (folder / "shared" / "seed").is_dir():
            return folder / "shared" / "seed"
    return ROOT.parent / "shared" / "seed"


PAPER_DIR = _paper_dir()

#: A quotation: single quotes not inside a word (so "TPN's" or "it's" do not end one).
_QUOTE = re.compile(r"(?<![\w])'(.+?)'(?![\w])", re.DOTALL)


def normalise(text: str) -> str:
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2026", "...")
    return re.sub(r"\s+", " ", text).strip().lower()


def fragments(quote: str) -> list[str]:
    """The parts of a quotation between ellipses, without surrounding punctuation."""
    parts = re.split(r"\.\.\.+", normalise(quote))
    return [p.strip(" .,;:") for p in parts if len(p.strip(" .,;:")) >= 3]


def quotations(text: str) -> list[str]:
    return _QUOTE.findall(normalise(text))


def _registry_quotes() -> list[tuple[str, str]]:
    out = []
    for p in REGISTRY.values():
        for field in (p.evidence, p.meaning):
            out += [(f"parameter '{p.name}'", q) for q in quotations(field)]
    return out


def _scenario_quotes() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        comments = " ".join(line.lstrip("# ") for line in path.read_text().splitlines()
                            if line.startswith("#"))
        out += [(f"scenario {path.name}", q) for q in quotations(comments)]
    return out


QUOTES = _registry_quotes() + _scenario_quotes()


@pytest.fixture(scope="module")
def paper() -> str:
    files = sorted(PAPER_DIR.glob("*.txt")) if PAPER_DIR.is_dir() else []
    if not files:
        message = (f"the paper is not at {PAPER_DIR} (set PHASE0_PAPER to the folder holding "
                   "its text)")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return normalise(" ".join(f.read_text(encoding="utf-8") for f in files))


def test_there_are_quotations_to_check():
    assert len(QUOTES) >= 80
    assert any(where.startswith("scenario") for where, _ in QUOTES)


@pytest.mark.parametrize(("where", "quote"), QUOTES, ids=[f"{w}:{q[:30]}" for w, q in QUOTES])
def test_quotation_is_in_the_paper(paper, where, quote):
    for part in fragments(quote):
        assert part in paper, f"{where} quotes '{part}', which is not in the paper"


def test_the_check_catches_a_misquotation(paper):
    assert all(p in paper for p in fragments("linking actors in the health system across power "
                                             "levels"))
    assert not all(p in paper for p in fragments("linked groups across power levels"))
