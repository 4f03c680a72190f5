"""The experiments API: one call, two tidy tables, the same runs as ``phase0 sweep``."""

from __future__ import annotations

import pandas as pd

from experiments.research.perform import perform_experiments
from simulation.model import PhaseZeroModel


def hope(network):
    """Every service user's trust rises a little each month (works under run_batch)."""
    network.state.user_trust[:] = (network.state.user_trust + 0.01).clip(max=1.0)


class HopefulModel(PhaseZeroModel):
    """The model with :func:`hope` after the service users' step."""

    submodels = PhaseZeroModel.submodels.insert("hope", hope, after="service_users")


def test_perform_experiments_returns_experiments_and_outcomes(tmp_path):
    design = pd.DataFrame({"trust_gain": [0.02, 0.08], "kpi_tied": [0.0, 1.0]})
    experiments, outcomes = perform_experiments("tpn_baseline", design, replicates=3, seed=5,
                                                folder=tmp_path / "e")
    assert len(experiments) == len(outcomes) == 6
    assert list(experiments.columns[:4]) == ["row", "replicate", "seed", "scenario"]
    assert (experiments[["row", "replicate", "seed"]]
            .equals(outcomes[["row", "replicate", "seed"]]))
    assert set(experiments["trust_gain"]) == {0.02, 0.08}
    assert {"phase_zero_months", "phase_zero_censored", "engagement_months"} <= set(outcomes)
    # the same call again reads the finished sweep and gives the same tables
    again = perform_experiments("tpn_baseline", design, replicates=3, seed=5,
                                folder=tmp_path / "e")
    pd.testing.assert_frame_equal(again[1], outcomes)


def test_a_sampled_design_without_a_folder(tmp_path):
    experiments, outcomes = perform_experiments(None, 4, method="lhs",
                                                params=["trust_gain"], replicates=2)
    assert len(experiments) == 8 and "trust_gain" in experiments
    assert outcomes["phase_zero_censored"].dtype == bool


def test_a_model_class_by_its_path_runs_its_month(tmp_path):
    from simulation import run

    plain = run({"horizon_months": 24}, seed=3, timeseries=False)
    same = run({"horizon_months": 24}, seed=3, timeseries=False,
               model_class="simulation.model:PhaseZeroModel")
    assert plain.summary == same.summary
    design = pd.DataFrame({"trust_gain": [0.05]})
    experiments, outcomes = perform_experiments(
        None, design, replicates=2, folder=tmp_path / "c",
        model_class="tests.test_perform:HopefulModel")
    import json

    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["model_class"] == "tests.test_perform:HopefulModel"
    assert len(outcomes) == 2
    base, _ = perform_experiments(None, design, replicates=2)
    hopeful = outcomes["engaged_share"].mean()
    assert hopeful > perform_experiments(None, design, replicates=2)[1]["engaged_share"].mean()
    assert base["seed"].equals(experiments["seed"])
