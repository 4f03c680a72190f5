"""The study commands `phase0 ablations` and `phase0 robustness` end to end, on tiny designs."""

import json

import pandas as pd

from experiments.cli import main


def test_ablations_write_one_row_per_mechanism(tmp_path):
    from experiments.research.ablations import ABLATIONS

    out = tmp_path / "abl"
    assert main(["ablations", "--replicates", "4", "--horizon", "60", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "ablations.csv")
    assert list(table["mechanism_off"]) == ["(none)", *ABLATIONS]
    assert table[["p_phase_zero", "p_engagement"]].apply(lambda c: c.between(0, 1)).all().all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"].startswith("phase0 ablations ")


def test_robustness_writes_every_nudge_and_refuses_an_occupied_folder(tmp_path):
    out = tmp_path / "rob"
    args = ["robustness", "--seeds", "2", "--horizon", "24", "--scenarios", "tpn_baseline",
            "--recheck", "1", "--recheck-seeds", "2", "--workers", "1", "--out", str(out),
            "--quiet"]
    assert main(args) == 0
    table = pd.read_csv(out / "knife_edge.csv")
    assert len(table) == 2 * table["parameter"].nunique()
    assert main(args) == 2  # a one-line error, and the first result left as it was
    assert pd.read_csv(out / "knife_edge.csv").equals(table)
