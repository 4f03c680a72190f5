"""Scenario discovery: the parameter boxes in which an outcome meets a target.

``phase0 discover DIR --target "engagement_months <= 60"`` reads a finished sweep (typically an
LHS sweep of the levers in the plausible worlds, ``phase0 sweep --parameter-sets posterior``,
whose worlds' behaviour parameters are candidates too; or one of every lever and behaviour
parameter over its prior range) and runs PRIM, the patient rule induction method
(Friedman and Fisher 1999), as the EMA Workbench implements it for scenario discovery (Bryant and
Lempert 2010; Kwakkel 2017), on every run: a run is "of interest" when it meets the target. A
censored run (the outcome not reached within the horizon) never meets ``X_months <= v``, and
meets ``X_months > v`` when the horizon is at least v. Features are scored with extra trees (the
Workbench's ``get_ex_feature_scores``): which parameters matter most, whatever their box.

Needs the optional extra ``phase0[discovery]``.
"""

from __future__ import annotations

import inspect
import logging
import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.support.outputs import (
    UserError,
    check_writable_target,
    portable_path,
    write_results,
)
from simulation.parameters import REGISTRY

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_TARGET = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|<|>)\s*([-+0-9.eE]+)\s*$")
DUMMY = "dummy"


@dataclass(frozen=True)
class Target:
    """A condition on one output of a run: ``output op value``."""

    output: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.output} {self.op} {self.value:g}"

    def evaluate(self, runs: pd.DataFrame) -> np.ndarray:
        """Whether each run meets the target; a censored run as far as its censoring tells.

        Its event comes after its censoring time C (the horizon; another model's time observed):
        never within an upper bound or equality; ``>= v``, ``> v`` only when C >= v.
        """
        if self.output not in runs.columns:
            known = sorted(c for c in runs.columns if c.endswith("_months") or c in _numeric(runs))
            raise UserError(f"target output '{self.output}' is not in this sweep's results; "
                            f"outputs are: {', '.join(known)}")
        col = runs[self.output]
        flag = (self.output.removesuffix("_months") + "_censored"
                if self.output.endswith("_months") else self.output + "_censored")
        if flag in runs:
            censored = runs[flag].astype(bool).to_numpy()
            values = col.astype("Float64").astype(float).to_numpy(copy=True)
            met = np.asarray(_OPS[self.op](np.where(censored, 0.0, values), self.value), bool)
            if self.op in (">=", ">"):
                when = (values if not self.output.endswith("_months") else
                        runs["horizon_months"].astype(float).to_numpy()
                        if "horizon_months" in runs else np.full(len(runs), np.inf))
                met[censored] = when[censored] >= self.value
            else:
                met[censored] = False
            return met
        values = pd.to_numeric(col, errors="coerce").astype(float).to_numpy()
        if np.isnan(values).any():
            raise UserError(f"target output '{self.output}' has missing values")
        return np.asarray(_OPS[self.op](values, self.value), bool)


def _numeric(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.select_dtypes("number").columns]


def parse_target(text: str) -> Target:
    """``"engagement_months <= 60"`` to a :class:`Target`; UserError if malformed."""
    m = _TARGET.match(text or "")
    if not m:
        raise UserError(f"--target must look like 'engagement_months <= 60' (an output, one of "
                        f"{', '.join(_OPS)}, a number), got {text!r}")
    try:
        value = float(m.group(3))
    except ValueError:
        raise UserError(f"--target: {m.group(3)!r} is not a number") from None
    return Target(m.group(1), m.group(2), value)


def load_runs(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, list[str]]:
    """A finished sweep's manifest, per-run results and the parameters that vary in it.

    Candidates are the swept parameters (without the dummy) and, in a sweep over plausible
    worlds, the parameters the worlds supply; those that take one value in every run go.
    """
    from experiments.research.sweep.storage import RESULTS, SweepFolder

    manifest, runs = SweepFolder(folder).read_finished(RESULTS)
    swept = [n for n in manifest["problem"]["names"] if n != DUMMY]
    swept += (manifest.get("worlds") or {}).get("parameters", [])
    varying = [n for n in swept if runs[n].nunique() > 1]
    if not varying:
        raise UserError(f"the sweep in '{folder}' varies no parameter")
    return manifest, runs, varying


def _inputs(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """PRIM's inputs, all floats (flags as 0/1, integers rounded).

    Floats throughout: the Workbench's pasting step writes fractional limits into integer columns,
    which pandas 2 refuses.
    """
    x = pd.DataFrame(index=runs.index)
    for n in names:
        p = REGISTRY.get(n)
        if p is not None and p.type is bool:
            x[n] = (runs[n] >= 0.5).astype(float)
        elif p is not None and p.type is int:
            x[n] = runs[n].round().astype(float)
        else:
            x[n] = runs[n].astype(float)
    return x.reset_index(drop=True)


def _choose(trajectory: pd.DataFrame, threshold: float) -> int:
    """The point of a peeling trajectory to report: the most coverage at the wanted density.

    If no point reaches ``threshold``, the densest one.
    """
    ok = trajectory[trajectory["density"] >= threshold]
    if len(ok):
        return int(ok["coverage"].idxmax())
    return int(trajectory["density"].idxmax())


def _describe(name: str, lo: float, hi: float, full: tuple[float, float]) -> str:
    p = REGISTRY.get(name)
    unit = f" {p.unit}" if p is not None and p.type is not bool and p.unit not in ("flag",) \
        else ""
    if p is not None and p.type is bool:
        return f"{name} {'on' if lo > 0 else 'off'}"
    fmt = "{:.0f}" if p is not None and p.type is int else "{:.3g}"
    if lo > full[0] and hi < full[1]:
        return f"{name} between {fmt.format(lo)} and {fmt.format(hi)}{unit}"
    if lo > full[0]:
        return f"{name} at least {fmt.format(lo)}{unit}"
    return f"{name} at most {fmt.format(hi)}{unit}"


def discover(folder: Path, target: Target, *, out: Path | None = None, threshold: float = 0.8,
             max_boxes: int = 3, peel_alpha: float = 0.05, mass_min: float | None = None,
             significance: float = 0.05, seed: int = 0,
             overwrite: bool = False) -> dict[str, Any]:
    """Run PRIM and feature scoring over a sweep and write tables, figures and a reading.

    Each box is peeled until no more than ``mass_min`` of the runs is left in it (default: 5%, or
    the share of runs meeting the target if smaller, so that a rare target can still give a
    dense box), then pasted; the point reported on its trajectory is the one with the most
    coverage among those at least ``threshold`` dense (or, if none is, the densest). Up to
    ``max_boxes`` boxes are sought, each among the runs outside the boxes before it.
    Restrictions whose quasi-p value exceeds ``significance`` are lifted, weakest first; then the
    first box is reported only if it is denser than the sweep as a whole, and a box after the
    first only if it is at least twice as dense (:func:`meets_density_rule`). The search stops at
    the first box that is not reported.
    """
    if not 0 < threshold <= 1:
        raise UserError(f"--density must be in (0, 1], got {threshold}")
    if not 0 < peel_alpha < 0.5:
        raise UserError(f"--peel-alpha must be in (0, 0.5), got {peel_alpha}")
    if mass_min is not None and not 0 < mass_min < 1:
        raise UserError(f"--mass-min must be in (0, 1), got {mass_min}")
    if max_boxes < 1:
        raise UserError(f"--boxes must be at least 1, got {max_boxes}")
    try:
        logging.getLogger("EMA").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring, prim
            from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    except ImportError:
        raise UserError("scenario discovery needs the optional extra 'discovery' (the EMA "
                        "Workbench): pip install -e '.[discovery]' (make test installs it)"
                        ) from None
    manifest, runs, names = load_runs(folder)
    out = out or folder / "discovery"
    check_writable_target(out, overwrite, [folder])
    y = target.evaluate(runs)
    share = float(y.mean())
    if y.all() or not y.any():
        raise UserError(f"every run {'meets' if y.all() else 'misses'} the target '{target}' "
                        "in this sweep: there is nothing to discover; choose another threshold")
    x = _inputs(runs, names)
    full = {n: (float(x[n].min()), float(x[n].max())) for n in names}
    if mass_min is None:
        mass_min = min(0.05, max(share, 10 / len(runs)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alg = prim.Prim(x, y, **_prim_options(prim.Prim, share, peel_alpha, mass_min))
        boxes = []
        for _ in range(max_boxes):
            box = alg.find_box()
            if box is None:
                break
            # choose the box's point now: the next box is sought among the runs outside it
            box.select(_choose(box.peeling_trajectory, threshold))
            _drop_insignificant(box, significance)
            if not meets_density_rule(float(box.density), share, first=not boxes):
                break  # no denser than the rule asks: not a finding
            boxes.append(box)
        np.random.seed(seed)  # the Workbench's extra trees draw from NumPy's global state
        scores = feature_scoring.get_ex_feature_scores(
            x, y, mode=RuleInductionType.CLASSIFICATION, nr_trees=250, random_state=seed)[0]
    if not boxes:
        raise UserError(f"PRIM found no box for '{target}' denser than the sweep as a whole "
                        f"({y.sum()} of {len(runs)} runs meet it); try a larger sweep or another "
                        "target")

    rows, trajectories, readings = [], [], []
    for k, box in enumerate(boxes, start=1):
        traj = box.peeling_trajectory.copy()
        traj.insert(0, "box", k)
        trajectories.append(traj)
        i = _selected(box)
        stats = box.peeling_trajectory.iloc[i]
        lims = box.box_lims[i]
        restricted = [n for n in names if (lims[n][0] > full[n][0]) or (lims[n][1] < full[n][1])]
        qp = _quasi_p(box, i)
        for n in restricted:
            rows.append({"box": k, "point": i, "parameter": n, "min": float(lims[n][0]),
                         "max": float(lims[n][1]), "sweep_min": full[n][0],
                         "sweep_max": full[n][1], "qp_value": qp.get(n, np.nan),
                         "coverage": float(stats["coverage"]), "density": float(stats["density"]),
                         "mass": float(stats["mass"])})
        readings.append((k, stats, [_describe(n, float(lims[n][0]), float(lims[n][1]), full[n])
                                    for n in restricted]))
    table = pd.DataFrame(rows)
    trajectory = pd.concat(trajectories, ignore_index=True)
    scores_df = scores.reset_index()
    scores_df.columns = ["parameter", "score"]
    scores_df = scores_df.sort_values("score", ascending=False).reset_index(drop=True)

    from experiments.policy.discover_report import basis, figures, reading

    text = reading(target, manifest, len(runs), share, readings, scores_df, names)
    worlds = manifest.get("worlds")
    record = {"target": str(target), "sweep": portable_path(folder), "sweep_fingerprint":
              manifest.get("fingerprint"), "sweep_method": manifest.get("method"),
              "scenario": manifest.get("scenario"), "runs": len(runs),
              "replicates": manifest.get("replicates"),
              "sampled": [n for n in manifest["problem"]["names"] if n != DUMMY],
              "worlds": {k: worlds[k] for k in ("source", "count")} if worlds else None,
              "share_meeting_target": share, "density_threshold": threshold,
              "peel_alpha": peel_alpha, "mass_min": mass_min, "significance": significance,
              "boxes": len(boxes),
              "seed": seed, "parameters": names}
    record["basis"] = basis(record)
    write_results(out, {
        "boxes.csv": table, "trajectory.csv": trajectory, "feature_scores.csv": scores_df,
        "discovery.md": text, ".": lambda folder: figures(boxes, readings, scores_df, target,
                                                           folder),
    }, record, overwrite=overwrite, inputs=[folder])
    return {"boxes": table, "scores": scores_df, "text": text, "record": record,
            "out": out}


def _prim_options(prim_class: type, share: float, peel_alpha: float,
                  mass_min: float) -> dict[str, Any]:
    """Keyword arguments for the Workbench's ``Prim``, whichever release is installed.

    EMA Workbench 2.5 takes a ``threshold``: ``find_box`` swaps a finished box less dense than it
    for a "dump box" holding every remaining run. It is set to the share of runs meeting the
    target, so that any box denser than the sweep is kept. 3.0 removed the argument and keeps
    every box. Either way :func:`meets_density_rule` decides which boxes are reported.
    """
    options: dict[str, Any] = {"peel_alpha": peel_alpha, "mass_min": mass_min}
    if "threshold" in inspect.signature(prim_class).parameters:
        options["threshold"] = share
    return options


def meets_density_rule(density: float, share: float, *, first: bool) -> bool:
    """Whether a box is dense enough to report.

    The first box must be denser than the sweep as a whole (``share``, the share of runs meeting
    the target), a later box at least twice as dense. A first box whose every restriction was
    lifted holds every run, so its density is the share itself: it is not reported.
    """
    if first:
        return density > share + 1e-9  # not the sweep itself, whatever the rounding
    return density >= 2 * share


def _selected(box) -> int:
    """The point of a box's peeling trajectory that is selected (``select``, ``update``).

    The Workbench keeps it only in the private ``PrimBox._cur_box`` (2.5 and 3.0 alike; its public
    ``density``, ``coverage`` and ``box_lim`` read that point); a negative index counts from
    the end of the trajectory.
    """
    return int(box._cur_box) % len(box.peeling_trajectory)


def _drop_insignificant(box, significance: float) -> None:
    """Lift the restriction least supported by the data, one at a time.

    The restriction with the highest quasi-p value goes first,
    until every restriction left has a quasi-p value at most ``significance``.

    PRIM over many parameters restricts some by chance; Bryant and Lempert (2010) recommend
    reporting only restrictions the data support.
    """
    while True:
        qp = _quasi_p(box, _selected(box))
        weak = {k: v for k, v in qp.items() if v > significance}
        if not weak:
            return
        box.drop_restriction(max(weak, key=weak.get))


def _quasi_p(box, i: int) -> dict[str, float]:
    """The Workbench's quasi-p value of each restricted dimension (one-sided binomial test).

    ``inspect(style="data")`` gives, per box point, its statistics and a frame whose columns are
    (box, min), (box, max) and one (box, "qp value") for each restricted side; a dimension's value
    is the smaller of its sides'.
    """
    stats_and_frames = box.inspect(i, style="data")
    frame = stats_and_frames[0][1]
    qp_cols = [c for c in frame.columns if str(c[-1] if isinstance(c, tuple) else c) == "qp value"]
    if not qp_cols:
        return {}
    values = frame[qp_cols].apply(pd.to_numeric, errors="coerce").min(axis=1, skipna=True)
    return {str(k): float(v) for k, v in values.items()}
