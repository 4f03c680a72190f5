"""The registry's behaviour defaults are one joint point of the calibration's posterior."""

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.support.scenarios import load_scenario
from simulation.parameters import DEFAULTS_WORLD, REGISTRY

ROOT = Path(__file__).resolve().parents[1]
BEHAVIOUR = [n for n, p in REGISTRY.items() if p.kind == "behaviour"]


@pytest.fixture(scope="module")
def point() -> pd.Series:
    worlds = pd.read_csv(ROOT / "experiments" / "calibration" / "ensemble.csv")
    row = worlds[worlds["world"] == DEFAULTS_WORLD]
    assert len(row) == 1
    return row.iloc[0]


def test_every_behaviour_default_is_the_point_to_three_significant_digits(point):
    wrong = {n: (REGISTRY[n].default, float(f"{point[n]:.3g}")) for n in BEHAVIOUR
             if REGISTRY[n].default != float(f"{point[n]:.3g}")}
    assert not wrong, f"defaults that are not world {DEFAULTS_WORLD}'s values: {wrong}"


def test_the_point_is_the_one_the_calibration_check_recommends():
    manifest = json.loads((ROOT / "results" / "calibration_checks" / "manifest.json")
                          .read_text())
    assert manifest["point"]["recommended"] == DEFAULTS_WORLD


@pytest.mark.parametrize("name", ["tpn_baseline", "interv_broker_leaves", "interv_funding_gap",
                                  "interv_harmful_incident", "interv_venues_move",
                                  "interv_core_funding_lost", "interv_champion_leaves"])
def test_the_studied_network_files_start_the_broker_where_the_point_does(name):
    # a studied-network file that kept another value would not run the point, and in the worlds
    # its value would count as what the scenario is about (worlds.scenario_in_worlds)
    assert load_scenario(name).overrides["initial_trust_broker"] == \
        REGISTRY["initial_trust_broker"].default
