"""The lesson plan's figures and the numbers its exercises quote."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from experiments.research.compare import common_seeds
from experiments.support.scenarios import load_scenario
from experiments.teaching import lesson_worlds as lw
from experiments.teaching.lessons import _runs, lesson_figures, teaching_parameters
from simulation.parameters import names


def test_lesson_figures_are_drawn(tmp_path):
    paths = lesson_figures(tmp_path, replicates=3, max_sets=3)
    assert [p.name for p in paths] == ["1_trust_builds.png", "2_venues.png", "3_funding.png",
                                       "4_tokenism.png", "5_service_users.png", "worlds.csv",
                                       "worlds.md"]
    assert all(p.stat().st_size > 20_000 for p in paths if p.suffix == ".png")
    table = pd.read_csv(tmp_path / "worlds.csv")
    assert list(table["key"].unique()) == [s.key for s in lw.SETTINGS]
    assert (table["worlds"] == 3).all() and (table["runs_per_world"] == 8).all()
    assert (table["horizon_months"] == 360).all()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["parameter_sets"] == "posterior" and manifest["world_runs"] == 8
    assert "3 plausible worlds" in (tmp_path / "worlds.md").read_text()


def test_a_setting_changes_only_what_it_names():
    """A world supplies the behaviour parameters: a setting must not reset them to defaults."""
    base = load_scenario("tpn_baseline")
    by_key = {s.key: s for s in lw.SETTINGS}
    half = by_key["venues_half"].as_scenario(360).overrides
    assert half == {**base.overrides, "venue_community_share": 0.5, "horizon_months": 360}
    heavy = by_key["heavy_history"].as_scenario(360).overrides
    assert heavy["harm_weight"] == 0.8
    behaviour = set(names("behaviour")) - {"harm_weight"}
    for setting in lw.SETTINGS:  # only what the scenario file itself sets, as in compare
        own = set(load_scenario(setting.scenario).overrides)
        assert not (behaviour & set(setting.as_scenario(360).overrides)) - own, setting.key


def test_paired_delay_is_per_world_and_leaves_out_censored_worlds():
    rows = []
    for world, (a, b) in enumerate([(10, 40), (20, 20), (30, 90), (50, None)]):
        for key, t in (("ref", a), ("new", b)):
            rows.append({"scenario": key, "parameter_set": world, "outcome": "engagement",
                         "time_months": np.nan if t is None else t, "censored": t is None})
    d = lw.paired_delay(pd.DataFrame(rows), "new", "ref", "engagement")
    assert d["worlds"] == 4 and d["worlds_both"] == 3 and d["worlds_pushed_beyond"] == 1
    assert d["worlds_neither"] == 0 and d["worlds_pulled_within"] == 0
    assert d["p50"] == 30 and d["share_later"] == 3 / 4  # beyond the horizon is later


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
    fast = ["--replicates", "2", "--parameter-sets", "defaults"]
    assert main(["lessons", "--out", str(mine), *fast]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["lessons", "--out", str(mine), *fast, "--overwrite"]) == 2
    assert (mine / "notes.txt").read_text() == "a student's notes"
    out = tmp_path / "figures"
    assert main(["lessons", "--out", str(out), *fast]) == 0
    assert main(["lessons", "--out", str(out), *fast, "--overwrite"]) == 0
    assert (out / "manifest.json").exists() and len(list(out.glob("*.png"))) == 5
    assert not (out / "worlds.csv").exists()  # 'defaults': one parameter set, no worlds
    assert main(["lessons", "--out", str(tmp_path / "few"), "--replicates", "2",
                 "--world-runs", "7"]) == 2
    assert "--world-runs" in capsys.readouterr().err
