"""Calibrate by ABC against the paper's patterns.

Rejection ABC of four behaviour parameters against the paper's patterns (phase zero near 48
months; engagement begun but a minority at the fieldwork, months 93-96; engagement after phase
zero). Writes accepted.csv, all draws, a posterior figure and a summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_replicates, add_run_options, workers


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 calibrate`` options."""
    p.add_argument("--draws", type=int, default=2000, help="prior draws (default 2000)")
    add_replicates(p, 16, "runs per draw")
    add_run_options(p, seed_default=2012, out="experiments/calibration", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Draw, run, accept or reject, and write the calibration folder."""
    from experiments.research.calibrate import calibrate, write_calibration
    from experiments.support.outputs import UserError, check_writable_target

    if args.draws < 1 or args.replicates < 1:
        raise UserError("--draws and --replicates must be at least 1")
    out = Path(args.out)
    check_writable_target(out, args.overwrite)
    table = calibrate(args.draws, args.replicates, workers(args), args.seed,
                      progress=not args.quiet)
    summary = write_calibration(table, out, {"draws": args.draws, "replicates": args.replicates,
                                             "seed": args.seed}, overwrite=args.overwrite)
    print(f"accepted {int(table['accepted'].sum())} of {len(table)} draws")
    print(summary.to_string(index=False))
    print(f"wrote {out}/")
    return 0
