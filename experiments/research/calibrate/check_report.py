"""The folder ``phase0 check-calibration`` writes (:mod:`.checks` holds the checks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.calibrate.checks import (
    measurement_effect,
    point_check,
    point_summary,
)
from experiments.research.calibrate.pattern_check import (
    eligible_points,
    pattern_record,
    pattern_shares,
    patterns_over_worlds,
)
from experiments.research.calibrate.patterns import HELD_OUT, PAPER
from experiments.research.calibrate.seeds import seed_of
from experiments.support.inputs import read_text
from experiments.support.outputs import UserError, check_writable_target, write_results


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"'{path}' is missing: give a calibration folder written by "
                        "'phase0 calibrate' (--calibration)")
    try:
        return pd.read_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            OSError) as exc:
        raise UserError(f"cannot read '{path}' ({exc.__class__.__name__}); write the "
                        "calibration again") from None


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise UserError(f"'{path}' is missing: give a calibration folder written by "
                        "'phase0 calibrate' (--calibration)")
    try:
        data = json.loads(read_text(path, "calibration manifest"))
        seed = int(data["settings"]["seed"])
        point = int(data["point"]["world"])
    except (ValueError, KeyError, TypeError, RecursionError):
        raise UserError(f"'{path}' is not a calibration manifest (settings.seed and "
                        "point.world are needed); write the calibration again") from None
    return {"seed": seed, "point": point,
            "replicates": int(data["settings"].get("replicates", 16))}


def check_calibration(calibration: Path, out: Path, replicates: int, point_runs: int,
                      candidates: int, workers: int, overwrite: bool = False,
                      progress: bool = True, screen: int = 30) -> str:
    """Run both checks on ``calibration`` and write ``out``; return a short summary."""
    check_writable_target(out, overwrite)
    meta = _read_manifest(calibration)
    worlds = _read_csv(calibration / "ensemble.csv")
    committed = _read_csv(calibration / "predictive_worlds.csv")
    if len(committed) != len(worlds):
        raise UserError(f"'{calibration}': ensemble.csv and predictive_worlds.csv differ in "
                        "length; write the calibration again")
    effect, fixed = measurement_effect(worlds, replicates, meta["seed"], workers,
                                       progress=progress)
    same_runs = replicates == meta["replicates"]
    agree = (float(np.mean(np.isclose(fixed["distance"].to_numpy(),
                                      committed["distance"].to_numpy())))
             if same_runs else None)
    # seeds of their own (:mod:`.seeds`), not the pattern tests' (7) nor any other step's
    pattern_seed = seed_of("patterns", meta["seed"])
    point_seed = seed_of("point_check", meta["seed"])
    patterns = patterns_over_worlds(worlds, pattern_seed, workers, progress=progress)
    eligible, screened = eligible_points(worlds, committed, patterns, screen, pattern_seed,
                                         workers, progress=progress)
    points = point_check(worlds, committed, meta["point"], candidates, point_runs,
                         point_seed, workers, check_runs=meta["replicates"],
                         progress=progress, eligible=eligible)
    record = {
        "calibration": calibration.name, "replicates": replicates,
        "check_seed": seed_of("posterior_check", meta["seed"]),
        "point_seed": point_seed,
        "definitions": effect[["definition", "changes"]].to_dict("records"),
        # a calibration written before ensemble.csv kept values in full (6 significant digits)
        # checked unrounded worlds, so a world on a threshold's edge may score differently here
        "fixed_definitions_reproduce_committed_check_share": agree,
        "pattern_seed": pattern_seed,
        **pattern_record(pattern_shares(patterns), screened),
        "point": point_summary(points),
        "targets": [*PAPER.fitted, "studied_network", *HELD_OUT],
    }
    write_results(out, {"measurement.csv": lambda p: effect.to_csv(p, index=False,
                                                                   float_format="%.4f"),
                        "point.csv": lambda p: points.to_csv(p, index=False,
                                                             float_format="%.4f"),
                        "patterns.csv": lambda p: patterns.to_csv(p, index=False,
                                                                  float_format="%.2f"),
                        "point_screen.csv": lambda p: screened.to_csv(p, index=False,
                                                                      float_format="%.2f")},
                  record, overwrite=overwrite, inputs=[calibration])
    shown = effect.set_index("definition")[["phase_zero_four_years", "users_after_phase_zero",
                                            "all_targets"]]
    p = record["point"]
    return (shown.to_string(float_format=lambda v: f"{v:.0%}") + "\n"
            f"point world {p['world']}: studied network in {p['check_studied_network']:.0%} of "
            f"the check's runs, {p['fresh_studied_network']:.0%} of {p['fresh_runs']} fresh "
            f"runs (rank {p['rank_among_candidates']} of {p['candidates']} candidates)\n"
            "patterns held in the worlds: " + ", ".join(
                f"{k} {v:.0%}" for k, v in record["pattern_shares"].items()) + "\n"
            f"recommended point (every pattern holds; best on fresh runs): world "
            f"{p['recommended']}")
