"""Running the model: one run through Mesa, or many replicates through the compiled engine."""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.model import PhaseZeroModel
from simulation.network import METRICS, OUTCOMES, Network, state_bytes
from simulation.parameters import resolve, structure_key
from simulation.streams import check_seed

#: Model state a pass of ``run_batch`` holds at most, in bytes (its default).
BATCH_MEMORY = 256 * 2**20

#: Public names of the outcomes in a summary.
OUTCOME_NAMES = {key: f"{key}_months" for key in OUTCOMES}


@dataclass
class RunResult:
    """The result of one run.

    Attributes:
        summary: outcomes and end-of-run indices. Each outcome ``X_months`` is the month the
            condition began to hold (``None`` when not reached within the horizon), with
            ``X_censored`` saying whether it was censored; a censored run never carries a number.
        timeseries: one row a month (month 0 is the initial state), or ``None``.
        params: the complete, validated parameters.
        seed: the seed.
    """

    summary: dict[str, Any]
    timeseries: pd.DataFrame | None
    params: dict[str, Any] = field(repr=False)
    seed: int = 0


def model_class_of(model_class: type | str | None) -> type[PhaseZeroModel]:
    """``model_class`` checked to be a :class:`PhaseZeroModel` subclass (None: the model).

    ``model_class`` may be the class or its path, ``"package.module:Class"``.
    """
    if model_class is None:
        return PhaseZeroModel
    if isinstance(model_class, str):
        module, sep, name = model_class.partition(":")
        if not sep:
            raise ValueError(f"model_class must look like 'module:Class', got {model_class!r}")
        try:
            model_class = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"model_class {model_class!r} cannot be loaded: {exc}") from None
    if not (isinstance(model_class, type) and issubclass(model_class, PhaseZeroModel)):
        raise TypeError(f"model_class must be a subclass of PhaseZeroModel, got {model_class!r}")
    return model_class


def run(params: Mapping[str, Any] | None = None, seed: int = 0,
        timeseries: bool = True,
        model_class: type[PhaseZeroModel] | str | None = None) -> RunResult:
    """Run :class:`~simulation.model.PhaseZeroModel` (or a subclass) once to its horizon.

    Args:
        params: model parameters (unset ones take their defaults).
        seed: non-negative integer seed.
        timeseries: keep the monthly timeseries (recorded by the engine, as the model's
            ``DataCollector`` would record it month by month).
        model_class: a subclass of :class:`PhaseZeroModel` (or ``"module:Class"``) to run
            instead (its submodels and its own set-up; see docs/extending.md).
    """
    cls = model_class_of(model_class)
    # validated here so that a name the model's own keywords use ('rng', 'collect') is
    # reported as an unknown parameter, not as a clash of keywords
    resolve(_mapping(params, "params"), cls.parameters)
    model = cls(rng=check_seed(seed), collect=False, record="full" if timeseries else "none",
                **dict(params or {}))
    model.run_to_horizon()
    state = {k: v[0] for k, v in model.network.final_state().items()}
    ts = None
    if timeseries:
        ts = _timeseries_frame({k: v[:, 0] for k, v in model.network.history.items()})
    return RunResult(_summary(state, model.params, seed), ts, model.params, seed)


def _mapping(params: Any, what: str) -> Mapping[str, Any] | None:
    """``params`` if it is None or a mapping of parameter values, else a clear ``ValueError``."""
    if params is not None and not isinstance(params, Mapping):
        raise ValueError(f"{what} must be a dict of parameter values, got {params!r}")
    return params


def run_batch(params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
              seeds: Sequence[int], timeseries: bool = False,
              memory: int = BATCH_MEMORY,
              model_class: type[PhaseZeroModel] | str | None = None) -> list[RunResult]:
    """Run many replicates in the compiled engine; result ``i`` equals ``run(params_i, seeds[i])``.

    Args:
        params: one parameter dict for every seed, or a sequence with one dict per seed. Runs
            that share their structure parameters and horizon go through the engine together,
            in passes that hold at most about ``memory`` bytes of model state at once.
        seeds: one non-negative integer seed per run.
        timeseries: keep each run's monthly timeseries.
        memory: bytes of model state a pass may hold, a positive integer (the engine runs
            replicates in turn, so smaller passes cost little speed).
        model_class: a subclass of :class:`PhaseZeroModel` whose month (its ``submodels``) the
            replicates run; the batch runs the class's month, not one Mesa model per replicate,
            so set-up a subclass does in ``__init__`` is not repeated here (docs/extending.md).
    """
    cls = model_class_of(model_class)
    submodels, include = cls.submodels, cls.parameters
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence | np.ndarray):
        raise ValueError(f"seeds must be a sequence of non-negative integers (one per run), "
                         f"got {seeds!r}")
    seeds = [check_seed(s) for s in seeds]
    if isinstance(memory, bool) or not isinstance(memory, int | np.integer) or memory < 1:
        raise ValueError(f"memory must be a positive number of bytes, got {memory!r}")
    if not (params is None or isinstance(params, Mapping)) and (
            isinstance(params, str | bytes) or not isinstance(params, Sequence)):
        raise ValueError("params must be a dict of parameter values or a sequence of such "
                         f"dicts (one per seed), got {params!r}")
    if params is None or isinstance(params, Mapping):
        resolved = [resolve(params, include)] * len(seeds)
    else:
        if len(params) != len(seeds):
            raise ValueError(f"got {len(params)} parameter dicts for {len(seeds)} seeds")
        resolved = [resolve(_mapping(p, f"params[{i}]"), include) for i, p in enumerate(params)]
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(resolved):
        groups.setdefault(structure_key(p) + (p["horizon_months"],), []).append(i)
    results: list[RunResult | None] = [None] * len(seeds)
    passes = []
    for members in groups.values():
        per_run = state_bytes(resolved[members[0]])
        size = max(1, int(memory) // max(per_run, 1))
        passes += [members[k:k + size] for k in range(0, len(members), size)]
    for members in passes:
        net = Network([resolved[i] for i in members], [seeds[i] for i in members],
                      record="full" if timeseries else "none", submodels=submodels)
        net.run()
        state = net.final_state()
        history = net.history if timeseries else {}
        for r, i in enumerate(members):
            ts = (_timeseries_frame({k: history[k][:, r] for k in METRICS})
                  if timeseries else None)
            summary = _summary({k: v[r] for k, v in state.items()}, resolved[i], seeds[i])
            results[i] = RunResult(summary, ts, resolved[i], seeds[i])
    return results  # type: ignore[return-value]


def _timeseries_frame(columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    data = {"month": np.arange(n, dtype=np.int64)}
    data.update({k: np.asarray(columns[k], dtype=np.float64) for k in METRICS})
    return pd.DataFrame(data)


def _summary(state: Mapping[str, Any], params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {"seed": int(seed), "horizon_months": int(params["horizon_months"])}
    for key in OUTCOMES:
        month = int(state[f"{key}_month"])
        name = OUTCOME_NAMES[key]
        out[name] = month if month >= 0 else None
        out[f"{key}_censored"] = month < 0
    for k, v in state.items():
        if not k.endswith("_month"):
            value = float(v)
            out[k] = int(value) if k.startswith(("meetings_", "harmful_")) else value
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in out.values())
    return out
