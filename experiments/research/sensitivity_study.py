"""The canonical sensitivity study behind ``phase0 sensitivity-study`` (``make sensitivity``).

For ``tpn_baseline`` and ``new_network``: Morris screening over the default design (every
behaviour and lever parameter, plus the dummy) less the settings that define the scenario, which
stay at the scenario's values (otherwise both scenarios would be the same sweep: they differ
only in a setting the default design varies). Then Sobol over the most influential parameters,
run twice with different seed sets, analysed with seed robustness and one-factor-at-a-time
curves. Sweeps go to ``sweeps/sensitivity/`` (resumable; not committed); the tables, figures and
summaries go to ``results/sensitivity/<scenario>/``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from experiments.research.sensitivity import analyze
from experiments.research.sweep.design import default_parameters
from experiments.research.sweep.run import new_sweep, run_sweep
from experiments.support.outputs import UserError, check_writable_target, copies, write_results
from experiments.support.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("tpn_baseline", "new_network")
MORRIS = {"n": 16, "replicates": 20}
SOBOL = {"n": 256, "replicates": 20}
TOP = 10
OAT = 5


def _sweep(out: Path, scenario: str, method: str, n: int, replicates: int, workers: int,
           params: list[str] | None = None, seed_set: int = 1, progress: bool = True) -> Path:
    folder, planned = new_sweep(out, method=method, n=n, replicates=replicates, seed=2008,
                                params=params, scenario=scenario, model=None,
                                problem_file=None, second_order=False, levels=4, values=None,
                                chunk_rows=None, seed_set=seed_set)
    run_sweep(folder, planned, resume=True, workers=workers, scheduler=None, shard=None,
              progress=progress)
    return out


def top_parameters(analysis: Path, k: int) -> list[str]:
    """The ``k`` parameters with the largest mu* on any outcome's mean target."""
    m = pd.read_csv(analysis / "morris.csv")
    m = m[m["target"].str.startswith(("rmst_", "p_")) & (m["parameter"] != "dummy")]
    return m.groupby("parameter")["mu_star"].max().sort_values(ascending=False).head(k).index \
        .tolist()


def study(sweeps: Path, results: Path, workers: int, progress: bool = True,
          overwrite: bool = False) -> None:
    """Run the study's sweeps in ``sweeps`` and copy their analyses into ``results``.

    ``overwrite`` replaces analyses and copies written before (only folders phase0 wrote).
    """
    from experiments.support.ownership import _protect

    # checked before about an hour of work, not when the copies are written
    _protect(results, [sweeps])
    for scenario in SCENARIOS:
        for kind in ("morris", "sobol"):
            check_writable_target(results / scenario / kind, overwrite, [sweeps])
    timing = results / "wall_time.txt"
    if timing.exists() and not overwrite:
        raise UserError(f"'{timing}' already exists; use --overwrite to replace it")
    t0 = time.perf_counter()
    for scenario in SCENARIOS:
        held = set(load_scenario(scenario).overrides)
        design = [p for p in default_parameters() if p not in held]
        morris = _sweep(sweeps / f"{scenario}_morris", scenario, "morris", workers=workers,
                        params=design, progress=progress, **MORRIS)
        analyze(morris, overwrite=overwrite)
        top = top_parameters(morris / "analysis", TOP)
        print(f"{scenario}: Morris screening's top {TOP}: {', '.join(top)}")
        sobol = [_sweep(sweeps / f"{scenario}_sobol_seeds{s}", scenario, "sobol",
                        workers=workers, params=top, seed_set=s, progress=progress, **SOBOL)
                 for s in (1, 2)]
        analyze(sobol[0], against=sobol[1], oat=OAT, overwrite=overwrite)
        for kind, folder in (("morris", morris), ("sobol", sobol[0])):
            write_results(results / scenario / kind, {
                **copies(folder / "analysis"),
                "sweep_manifest.json": copies(folder, ["manifest.json"])["manifest.json"]},
                overwrite=overwrite, inputs=[sweeps])
    minutes = (time.perf_counter() - t0) / 60
    tmp = timing.with_name(f".{timing.name}.tmp-{os.getpid()}")
    tmp.write_text(f"make sensitivity: {minutes:.1f} minutes with {workers} workers\n")
    os.replace(tmp, timing)  # whole or not at all, like every result
    print(f"wrote {results}/ in {minutes:.1f} minutes")
