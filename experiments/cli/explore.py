"""Policy explorers (funding cycles).

Policy explorers. 'phase0 explore funding' runs a grid of funding terms and the minimum-runway
design on the sweep engine.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    Parser,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    add_scenario,
    workers,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 explore`` explorers and their options."""
    explorers = p.add_subparsers(dest="explorer", required=True, parser_class=Parser)
    f = explorers.add_parser(
        "funding", help="funding terms: heatmaps and the minimum runway",
        description="Run a grid over contract length (6-60 months), KPI-tied versus flexible, "
        "the gap between contracts and core funding on or off, from a scenario, over the "
        "calibration's accepted parameter sets; write heatmaps of the probability of reaching "
        "each outcome within 3, 5 and 10 years and of the restricted mean time; and find, for "
        "each funding regime, the minimum runway of guaranteed flexible funding whose lower 95% "
        "bound on the probability of service-user engagement within the horizon is at least "
        "0.8. Sweeps are kept in --work and resumed if interrupted.")
    add_scenario(f, "new_network", " to start from")
    add_replicates(f, 2, "runs per parameter set and setting")
    add_parameter_sets(f, "accepted", 100)
    f.add_argument("--within", type=int, default=None, metavar="MONTHS",
                   help="the runway's engagement horizon (default: the model horizon, 180)")
    f.add_argument("--work", default=None,
                   help="folder for the sweeps (default sweeps/explore_funding)")
    f.add_argument("--fresh", action="store_true",
                   help="delete the sweeps in --work and run them again (otherwise an "
                   "interrupted explorer resumes them and a finished one reuses them)")
    add_run_options(f, seed_default=2012, out="results/policy/funding", overwrite=True)
    f.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Funding-cycle explorer: heatmaps over funding terms and the minimum runway."""
    from experiments.policy.explore import explore_funding

    result = explore_funding(
        Path(args.out), scenario=args.scenario, replicates=args.replicates,
        parameter_sets=args.parameter_sets or "none", max_sets=args.max_sets,
        within=args.within, workers=workers(args), seed=args.seed,
        work=Path(args.work) if args.work else None, overwrite=args.overwrite,
        fresh=args.fresh, progress=not args.quiet)
    print((Path(args.out) / "minimum_runway.md").read_text())
    rec = result["record"]
    total, now = rec["grid_runs"] + rec["runway_runs"], rec["runs_executed_now"]
    reused = f" ({total - now} reused from {rec['sweeps']})" if now < total else ""
    print(f"{total} runs{reused}; ran {now} in {rec['seconds']:.0f} s; wrote {args.out}/")
    return 0
