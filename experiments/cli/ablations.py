"""Switch each mechanism off in turn: both outcomes.

For the studied network (or another scenario), switch off every mechanism of the ablation table
in turn by the parameter values listed for it, run with common seeds on a long horizon, and
write the probability, median and change of restricted mean time of both outcomes
(ablations.csv, ablations.md) and a manifest.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    add_horizon,
    add_replicates,
    add_run_options,
    add_scenario,
    workers,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 ablations`` options."""
    add_scenario(p, "tpn_baseline")
    add_replicates(p, 200, "common-seed runs per row")
    add_horizon(p)
    add_run_options(p, seed_default=0, seed_help="first seed", out="results/ablations",
                    overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Run every ablation and write ablations.csv, ablations.md and a manifest."""
    from experiments.research.ablations import ABLATIONS, ablation_table, markdown
    from experiments.support.outputs import UserError, check_writable_target, write_results
    from experiments.support.scenarios import load_scenario

    if args.replicates < 2:
        raise UserError(f"--replicates must be at least 2, got {args.replicates}")
    if not 1 <= args.horizon <= 1200:
        raise UserError(f"--horizon must be in [1, 1200] months, got {args.horizon}")
    scenario = load_scenario(args.scenario)
    out = Path(args.out)
    reads = [scenario.path] if scenario.path else []  # never replaced by --out
    check_writable_target(out, args.overwrite, reads)
    seeds = list(range(args.seed, args.seed + args.replicates))
    table = ablation_table(args.scenario, seeds, args.horizon, workers(args), not args.quiet)
    text = markdown(table, scenario.name, args.replicates, args.horizon)
    write_results(out, {
        "ablations.csv": lambda path: table.to_csv(path, index=False, float_format="%.6g"),
        "ablations.md": text,
    }, {"scenario": scenario.name, "replicates": args.replicates,
        "horizon_months": args.horizon, "seed": args.seed,
        "ablations": {k: v[1] for k, v in ABLATIONS.items()}}, overwrite=args.overwrite,
        inputs=reads)
    print(text)
    print(f"wrote {out}/")
    return 0
