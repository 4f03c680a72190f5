"""The lesson plan's figures and the numbers its exercises quote."""

from __future__ import annotations

import numpy as np

from experiments.research.compare import common_seeds
from experiments.teaching.lessons import _runs, lesson_figures, teaching_parameters


def test_lesson_figures_are_drawn(tmp_path):
    paths = lesson_figures(tmp_path, replicates=3)
    assert [p.name for p in paths] == ["1_trust_builds.png", "2_venues.png", "3_funding.png",
                                       "4_tokenism.png", "5_service_users.png"]
    assert all(p.stat().st_size > 20_000 for p in paths)


def test_exercise_two_holds_venue_order():
    """Exercise 2 says: community venues end phase zero first, statutory sites last."""
    seeds = common_seeds(7, 12)
    medians = []
    for choice in ("community venues (100%)", "half and half (50%)", "statutory sites (0%)"):
        _, pz, _ = _runs(teaching_parameters("tpn_baseline", {"venues": choice}), seeds)
        medians.append(np.nanmedian(np.where(np.isnan(pz), np.inf, pz)))
    assert medians[0] < medians[1] < medians[2]


def test_lesson_figures_replace_only_their_own_folder(tmp_path, capsys):
    from experiments.cli import main

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("a student's notes")
    assert main(["lessons", "--out", str(mine), "--replicates", "2"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["lessons", "--out", str(mine), "--replicates", "2", "--overwrite"]) == 2
    assert (mine / "notes.txt").read_text() == "a student's notes"
    out = tmp_path / "figures"
    assert main(["lessons", "--out", str(out), "--replicates", "2"]) == 0
    assert main(["lessons", "--out", str(out), "--replicates", "2", "--overwrite"]) == 0
    assert (out / "manifest.json").exists() and len(list(out.glob("*.png"))) == 5
