"""phase0 check-calibration: the outcome definitions' effect and the joint point's recheck."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from experiments.research.calibrate.checks import (
    Definition,
    measurement_definitions,
    measurement_effect,
    point_check,
)
from simulation.parameters import REGISTRY

CALIBRATION = Path(__file__).resolve().parents[1] / "experiments" / "calibration"


@pytest.fixture
def small_calibration(tmp_path):
    """The committed calibration cut to its first three worlds (world 1 as the point)."""
    folder = tmp_path / "calibration"
    folder.mkdir()
    for name in ("ensemble.csv", "predictive_worlds.csv"):
        rows = pd.read_csv(CALIBRATION / name).head(3)
        # the bytes of the committed rows, not a re-formatted copy
        lines = (CALIBRATION / name).read_text().splitlines()[:4]
        assert len(rows) == 3
        (folder / name).write_text("\n".join(lines) + "\n")
    manifest = json.loads((CALIBRATION / "manifest.json").read_text())
    manifest["point"] = {"world": 1}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_definitions_move_each_measurement_parameter_to_its_sweep_ends():
    defs = measurement_definitions()
    for name in ("engagement_threshold", "engagement_hold_months", "pz_trust_threshold",
                 "pz_hold_months"):
        values = sorted(d.values[name] for d in defs if name in d.values)
        assert values == sorted(REGISTRY[name].sweep), name
        assert REGISTRY[name].kind == "measurement"
    assert all(d.values.get("pz_by_threshold", True) for d in defs
               if any(k.startswith("pz_") for k in d.values))


def test_the_fixed_definitions_reproduce_the_committed_check(small_calibration):
    worlds = pd.read_csv(small_calibration / "ensemble.csv")
    committed = pd.read_csv(small_calibration / "predictive_worlds.csv")
    seed = json.loads((small_calibration / "manifest.json").read_text())["settings"]["seed"]
    # a definition no run can meet: phase zero by a trust threshold of 1 is never reached
    never = Definition("never", {"pz_by_threshold": True, "pz_trust_threshold": 1.0})
    table, fixed = measurement_effect(worlds, 16, seed, 1, [never], progress=False)
    for k in ("phase_zero_four_years", "limited_presence", "studied_network", "distance"):
        assert fixed[k].tolist() == pytest.approx(committed[k].tolist()), k
    assert table.loc[0, "all_targets"] == pytest.approx((committed["distance"] == 0).mean())
    assert table.loc[1, "phase_zero_four_years"] == 0.0  # the definition reached the model
    assert table.loc[1, "limited_presence"] == table.loc[0, "limited_presence"]


def test_the_point_comes_first_and_candidates_follow_the_check(small_calibration):
    worlds = pd.read_csv(small_calibration / "ensemble.csv")
    check = pd.read_csv(small_calibration / "predictive_worlds.csv")
    names = [c for c in worlds.columns if c not in ("world", "particle")]
    # world 1 a copy of world 0 (one particle drawn twice), world 2 another parameter set
    worlds.loc[1, names] = worlds.loc[0, names].to_numpy()
    assert not worlds.loc[2, names].equals(worlds.loc[0, names])
    table = point_check(worlds, check, point=0, candidates=5, runs=16, seed=9, workers=1,
                        progress=False)
    # the point's other copy is no candidate
    assert table["world"].tolist() == [0, 2]
    assert table["calibration_point"].tolist() == [True, False]
    copy = point_check(worlds, check, point=1, candidates=5, runs=16, seed=9, workers=1,
                       progress=False, eligible=[0])
    assert copy["world"].tolist() == [1, 2]  # a repeated world as the point runs as itself
    assert copy.loc[0, "check_studied_network"] == check.loc[1, "studied_network"]
    # eligibility goes with the parameter set: the point is a copy of eligible world 0
    assert copy["eligible"].tolist() == [True, False]
    rest = table.iloc[1:]
    assert rest["check_distance"].is_monotonic_increasing
    again = point_check(worlds, check, point=0, candidates=5, runs=16, seed=9, workers=2,
                        progress=False)
    pd.testing.assert_frame_equal(table, again)  # whatever the number of workers


def test_the_command_writes_its_folder_and_refuses_a_broken_calibration(small_calibration,
                                                                        tmp_path, capsys):
    from experiments.cli import main

    out = tmp_path / "checks"
    assert main(["check-calibration", "--calibration", str(small_calibration), "--out",
                 str(out), "--point-runs", "16", "--candidates", "1", "--workers", "1",
                 "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fixed_definitions_reproduce_committed_check_share"] == 1.0
    # the point runs beside the best world and the best eligible one (every pattern holds and
    # goes without its mechanism), which may be the same
    points = pd.read_csv(out / "point.csv")
    assert manifest["point"]["world"] == 1 and points["calibration_point"].tolist()[0]
    assert 2 <= manifest["point"]["candidates"] == len(points) <= 3
    assert points["eligible"].sum() == min(manifest["eligible_points"], 1)
    assert set(manifest["pattern_shares"]) == {*manifest["pattern_titles"], "all"}
    patterns = pd.read_csv(out / "patterns.csv")
    assert list(patterns["world"]) == list(pd.read_csv(small_calibration / "ensemble.csv")
                                           ["world"])
    assert manifest["pattern_shares"]["all"] == patterns["holds:all"].mean()
    effect = pd.read_csv(out / "measurement.csv")
    assert len(effect) == 1 + len(measurement_definitions())
    broken = tmp_path / "broken"
    shutil.copytree(small_calibration, broken)
    (broken / "manifest.json").write_text("{}")
    capsys.readouterr()
    assert main(["check-calibration", "--calibration", str(broken), "--out",
                 str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "manifest.json" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x").exists()
    assert main(["check-calibration", "--calibration", str(tmp_path / "nowhere"), "--out",
                 str(tmp_path / "y"), "--quiet"]) == 2
    assert "is missing" in capsys.readouterr().err


def test_the_recommended_point_is_the_best_eligible_world_that_meets_every_target():
    from experiments.research.calibrate.checks import recommended_point

    table = pd.DataFrame({"world": [302, 5, 9, 4], "calibration_point": [True, False, False, False],
                          "eligible": [False, True, True, True],
                          "fresh_distance": [0.0, 0.0, 0.1, 0.0],
                          "fresh_studied_network": [0.9, 0.6, 0.8, 0.6]})
    # 302 is best but not eligible, 9 misses a target on fresh runs; 4 and 5 tie: lower id
    assert recommended_point(table) == 4
    assert recommended_point(table.assign(eligible=False)) is None


def test_pattern_shares_count_worlds_not_parameter_sets():
    from experiments.research.calibrate.pattern_check import pattern_shares
    from experiments.research.reported_patterns import PATTERNS

    table = pd.DataFrame({f"holds:{p.key}": [True, True, False, True] for p in PATTERNS})
    table["holds:all"] = [True, True, False, False]
    shares = pattern_shares(table)
    assert shares["1a"] == 0.75 and shares["all"] == 0.5
