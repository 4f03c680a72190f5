"""Write numpy_engine_golden.npz from the retired vectorised NumPy step (for the record).

The compiled engine was ported from the vectorised NumPy step of commit 77f056a and checked
against it on every built-in scenario, 1,000 seeds each (all 14,000 runs identical). This script
wrote the golden file that keeps the engine to that step; to repeat it (or the full comparison,
with ``--seeds 1000``), run it with the retired code first on the path::

    git worktree add ../phase0-numpy 77f056a
    PYTHONPATH=../phase0-numpy python tests/data/make_numpy_engine_golden.py --out golden.npz

and compare ``golden.npz`` with what the current engine gives (tests/test_engine.py does that
for the committed file).
"""

from __future__ import annotations

import argparse

import numpy as np


def main() -> None:
    """Run every built-in scenario and save outcomes, end states and three timeseries."""
    from experiments.support.scenarios import available, load_scenario
    from simulation import run_batch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the .npz file to write")
    parser.add_argument("--seeds", type=int, default=20, help="seeds per scenario (default 20)")
    args = parser.parse_args()
    data: dict[str, np.ndarray] = {}
    for name in available():
        params = load_scenario(name).params
        results = run_batch(params, list(range(args.seeds)))
        keys = [k for k in results[0].summary if not k.endswith("_censored")]
        data[name] = np.array([[np.nan if r.summary[k] is None else float(r.summary[k])
                                for k in keys] for r in results])
        data[name + "__keys"] = np.array(keys)
        if name in ("tpn_baseline", "interv_harmful_incident", "short_kpi_contracts"):
            ts = run_batch(params, [0], timeseries=True)[0].timeseries.drop(columns="month")
            data[name + "__ts0"] = ts.to_numpy()
            data[name + "__tscols"] = np.array(list(ts.columns))
    np.savez_compressed(args.out, **data)


if __name__ == "__main__":
    main()
