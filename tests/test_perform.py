"""The experiments API: one call, two tidy tables, the same runs as ``phase0 sweep``."""

from __future__ import annotations

import pandas as pd

from experiments.research.perform import perform_experiments


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
