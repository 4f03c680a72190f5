"""What a sweep keeps besides its end-of-run outputs: monthly values, used values, censoring.

- ``--record monthly`` keeps chosen metrics every month, in long format (one row a run, month
  and metric), as time-series outcomes (BehaviorSpace measures every step; the EMA Workbench
  has ``TimeSeriesOutcome``): ``chunks/monthly-NNNNNN.parquet`` beside each chunk, joined into
  ``monthly.parquet`` when the sweep is assembled.
- The values the model used: a design's raw value becomes the model's value by the registry's
  rules (integers rounded, booleans true from 0.5 up); ``results.parquet`` keeps both, the
  used one as ``NAME_used``.
- Censoring of another model's outputs (``--model``): an output ``X`` with a flag
  ``X_censored`` is a time to event, ``X`` its time observed (the event's, or the censoring
  time's when the flag is true); the analyses treat it as they treat phase0's outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.support.outputs import UserError

#: Metrics ``--record monthly`` keeps when none are named.
MONTHLY_DEFAULT = ("trust_cbo_statutory", "recognition", "senior_endorsement", "relational",
                   "engaged_share")
#: The monthly table's columns, in order.
MONTHLY_COLUMNS = ("row", "replicate", "seed", "month", "metric", "value")
USED = "_used"


def parse_record(text: str | None) -> list[str] | None:
    """``--record monthly`` or ``monthly:M1,M2`` to the metric names (None: no monthly record)."""
    if text is None:
        return None
    from simulation.records import METRICS

    kind, _, names = text.partition(":")
    if kind != "monthly":
        raise UserError(f"--record must be 'monthly' or 'monthly:METRIC,...', got {text!r}")
    metrics = [m.strip() for m in names.split(",") if m.strip()] or list(MONTHLY_DEFAULT)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise UserError(f"--record names unknown metric(s) {unknown}; metrics are: "
                        f"{', '.join(METRICS)}")
    return list(dict.fromkeys(metrics))


def monthly_table(results: Sequence[Any], rows: np.ndarray, replicates: np.ndarray,
                  seeds: np.ndarray, metrics: Sequence[str]) -> pd.DataFrame:
    """Long-format monthly values of ``metrics`` for runs with a timeseries."""
    months = len(results[0].timeseries)
    n = len(results)
    values = np.stack([np.stack([r.timeseries[m].to_numpy(float) for m in metrics], axis=1)
                       for r in results])                       # (runs, months, metrics)
    k = len(metrics)
    return pd.DataFrame({
        "row": np.repeat(rows, months * k), "replicate": np.repeat(replicates, months * k),
        "seed": np.repeat(seeds, months * k),
        "month": np.tile(np.repeat(np.arange(months, dtype=np.int64), k), n),
        "metric": pd.Categorical(np.tile(np.asarray(metrics), n * months), categories=metrics),
        "value": values.reshape(-1)})


def add_used_values(results: pd.DataFrame, design: pd.DataFrame,
                    base: dict[str, Any]) -> pd.DataFrame:
    """``results`` with ``NAME_used`` beside each registry parameter of the design."""
    from experiments.research.sweep.design import DUMMY, REGISTRY, row_parameters

    cols = [c for c in design.columns if c != DUMMY and c in REGISTRY]
    if not cols:
        return results
    used = row_parameters(design[cols], base)
    out = results.copy()
    at = {c: out.columns.get_loc(c) + 1 for c in cols}
    for shift, c in enumerate(cols):
        values = np.asarray([float(u[c]) for u in used])[out["row"].to_numpy()]
        out.insert(at[c] + shift, c + USED, values)
    return out


def censored_outputs(results: pd.DataFrame) -> list[str]:
    """Outputs ``X`` that come with a censoring flag ``X_censored`` (another model's)."""
    return [c[:-len("_censored")] for c in results.columns
            if c.endswith("_censored") and c[:-len("_censored")] in results.columns]


def as_flags(records: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Another model's outputs with every ``X_censored`` as booleans (checked 0/1)."""
    out = dict(records)
    for k, v in records.items():
        if k.endswith("_censored"):
            if not np.isin(v, (0.0, 1.0)).all():
                raise UserError(f"model output '{k}' must be true or false")
            out[k] = v.astype(bool)
    return out
