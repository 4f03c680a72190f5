"""Knife-edge index: how far small nudges move answers.

For each standard scenario and each float behaviour parameter, nudge the parameter by plus and
minus a fraction of its sweep range, run on a long horizon with common seeds, and measure how
far the probability and median time of both outcomes move (the knife-edge index); recheck the
largest moves with more seeds; write the tables, a summary and a manifest.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_horizon, add_run_options, add_scenarios, workers


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 robustness`` options."""
    p.add_argument("--seeds", type=int, default=64,
                   help="common seeds per scenario and nudge (default 64)")
    p.add_argument("--fraction", type=float, default=0.10,
                   help="nudge as a fraction of each sweep range (default 0.10)")
    add_horizon(p)
    add_scenarios(p, "the eight standard scenarios")
    p.add_argument("--recheck", type=int, default=10,
                   help="rerun the N largest changes of P and of the median (default 10)")
    p.add_argument("--recheck-seeds", type=int, default=1000,
                   help="seeds for the recheck (default 1000)")
    add_run_options(p, out="results/robustness", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Measure every nudge, recheck the worst and write the result folder."""
    from experiments.research.robustness import knife_edge, recheck, spread_table, summary_lines
    from experiments.research.robustness import worst as worst_rows
    from experiments.support.outputs import UserError, check_writable_target, write_results
    from experiments.support.scenarios import STANDARD, load_scenario

    if args.seeds < 2 or args.recheck_seeds < 2:
        raise UserError("--seeds and --recheck-seeds must be at least 2")
    if not 0 < args.fraction <= 1:
        raise UserError(f"--fraction must be in (0, 1], got {args.fraction}")
    if not 1 <= args.horizon <= 1200:
        raise UserError(f"--horizon must be in [1, 1200] months, got {args.horizon}")
    if args.recheck < 0:
        raise UserError(f"--recheck must be 0 or more, got {args.recheck}")
    scenarios = ([n.strip() for n in args.scenarios.split(",") if n.strip()]
                 if args.scenarios else list(STANDARD))
    reads = [sc.path for sc in map(load_scenario, scenarios) if sc.path]  # never replaced
    out = Path(args.out)
    check_writable_target(out, args.overwrite, reads)
    n = workers(args)
    seeds = list(range(5000, 5000 + args.seeds))
    table = knife_edge(scenarios, seeds, args.fraction, args.horizon, n, not args.quiet)
    recheck_seeds = list(range(100_000, 100_000 + args.recheck_seeds))
    rechecked = recheck(worst_rows(table, args.recheck), recheck_seeds, args.horizon, n,
                        not args.quiet) if args.recheck else table.iloc[:0]
    spread = spread_table(scenarios, recheck_seeds, args.horizon, n, not args.quiet)
    meta = {"fraction": args.fraction, "seeds": args.seeds, "horizon_months": args.horizon,
            "recheck": args.recheck, "recheck_seeds": args.recheck_seeds,
            "scenarios": scenarios, "seed_start": 5000, "recheck_seed_start": 100_000}
    lines = summary_lines(table, rechecked, meta)

    def csv(frame):
        return lambda path: frame.to_csv(path, index=False, float_format="%.6g")

    write_results(out, {"knife_edge.csv": csv(table), "worst_rechecked.csv": csv(rechecked),
                        "scenarios.csv": csv(spread), "summary.md": "\n".join(lines) + "\n"},
                  meta, overwrite=args.overwrite, inputs=reads)
    print("\n".join(lines[4:7]))
    print(f"wrote {out}/")
    return 0
