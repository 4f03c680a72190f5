"""Policy explorers (funding cycles).

Policy explorers. 'phase0 explore funding' runs a grid of funding terms and the minimum-runway
design on the sweep engine, in every plausible world of the calibration's ensemble.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    Parser,
    add_horizon,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    add_scenario,
    workers,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 explore`` explorers and their options."""
    from experiments.policy.regimes import HORIZON, RUNS_PER_WORLD, WITHIN

    explorers = p.add_subparsers(dest="explorer", required=True, parser_class=Parser)
    f = explorers.add_parser(
        "funding", help="funding terms: heatmaps and the minimum runway, over plausible worlds",
        description="Run a grid over contract length (6-60 months), KPI-tied versus flexible, "
        "the gap between contracts and core funding on or off, from a scenario, in each "
        "plausible world of the calibration's ensemble (each world's time to an outcome is the "
        "median of its runs); write the share of worlds within 5, 10, 15 and 30 years and the "
        "spread of the worlds' times, with heatmaps; and find, for each funding regime, the "
        "minimum runway of guaranteed flexible funding at which service users engage within "
        "--within months in at least 80% of the worlds (no verdict with fewer than 20 worlds). "
        "The --horizon replaces the scenario's. Sweeps are kept in --work and resumed if "
        "interrupted.")
    add_scenario(f, "new_network", " to start from")
    add_replicates(f, RUNS_PER_WORLD, "runs per world and setting")
    add_parameter_sets(f, "posterior", 100)
    add_horizon(f, HORIZON)
    f.add_argument("--within", type=int, default=None, metavar="MONTHS",
                   help=f"the runway's engagement window (default {WITHIN} months, "
                   f"{WITHIN / 12:g} years, or the horizon if shorter)")
    f.add_argument("--regimes", default=None, metavar="FILE.toml",
                   help="your own funding regimes for the minimum runway, one [[regime]] table "
                   "each (key, words, core_funding, kpi_tied, contract_months, "
                   "contract_gap_months; see docs/policy.md); default: the six built-in ones")
    f.add_argument("--work", default=None,
                   help="folder for the sweeps (default: beside --out, as OUT-sweeps)")
    f.add_argument("--fresh", action="store_true",
                   help="delete the sweeps in --work and run them again (otherwise an "
                   "interrupted explorer resumes them and a finished one reuses them)")
    add_run_options(f, seed_default=2012, out="results/policy/funding", overwrite=True)
    f.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Funding-cycle explorer: heatmaps over funding terms and the minimum runway."""
    from experiments.policy.explore import explore_funding
    from experiments.policy.regimes import REGIMES, load_regimes

    regimes = load_regimes(args.regimes) if args.regimes else REGIMES
    result = explore_funding(
        Path(args.out), scenario=args.scenario, replicates=args.replicates,
        parameter_sets=args.parameter_sets or "none", max_sets=args.max_sets,
        within=args.within, horizon=args.horizon, workers=workers(args), seed=args.seed,
        work=Path(args.work) if args.work else None, overwrite=args.overwrite,
        fresh=args.fresh, progress=not args.quiet, regimes=regimes,
        inputs=[Path(args.regimes)] if args.regimes else [])
    print((Path(args.out) / "minimum_runway.md").read_text())
    rec = result["record"]
    total, now = rec["grid_runs"] + rec["runway_runs"], rec["runs_executed_now"]
    reused = f" ({total - now} reused from {rec['sweeps']})" if now < total else ""
    print(f"{rec['worlds']} worlds x {rec['runs_per_world']} runs: {total} runs{reused}; ran "
          f"{now} in {rec['seconds']:.0f} s; wrote {args.out}/")
    return 0
