"""Scenario discovery (PRIM) over a sweep.

Find the parameter boxes of a finished sweep (typically an LHS sweep of the levers in the
plausible worlds, whose behaviour parameters are candidates too) in which a target is met, with
PRIM from the EMA Workbench: boxes with coverage and density, the peeling trade-off,
restrictions the data support (quasi-p), feature scores (extra trees) and a plain-words reading.
Censored runs never meet an upper bound on a month. Needs the extra phase0[discovery].
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_out, add_overwrite, add_seed, add_sweep_folder


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 discover`` options."""
    add_sweep_folder(p)
    p.add_argument("--target", required=True, metavar="'OUTPUT OP VALUE'",
                   help="e.g. 'engagement_months <= 60' or 'phase_zero_months <= 48' "
                   "(OP is one of <=, <, >=, >, ==)")
    add_out(p, None, "FOLDER/discovery")
    p.add_argument("--density", type=float, default=0.8,
                   help="density wanted of a reported box (default 0.8); the box with the most "
                   "coverage at this density is reported, or the densest")
    p.add_argument("--boxes", type=int, default=3, help="at most this many boxes (default 3)")
    p.add_argument("--peel-alpha", type=float, default=0.05,
                   help="share peeled off at each step (default 0.05)")
    p.add_argument("--mass-min", type=float, default=None,
                   help="smallest box, as a share of runs (default: 0.05, or the share meeting "
                   "the target if smaller)")
    p.add_argument("--significance", type=float, default=0.05,
                   help="lift restrictions whose quasi-p value is above this (default 0.05)")
    add_seed(p, 0, "feature-scoring seed")
    add_overwrite(p)


def run(args: argparse.Namespace) -> int:
    """Discover, print the reading and write the folder."""
    from experiments.policy.discover import discover, parse_target

    target = parse_target(args.target)
    result = discover(Path(args.folder), target, out=Path(args.out) if args.out else None,
                      threshold=args.density, max_boxes=args.boxes, peel_alpha=args.peel_alpha,
                      mass_min=args.mass_min, significance=args.significance, seed=args.seed,
                      overwrite=args.overwrite)
    print(result["text"])
    print(f"wrote {result['out']}/")
    return 0
