"""Sensitivity indices of a Sobol or Morris sweep.

Sobol (first, total, second order) or Morris indices with 95% bootstrap intervals for both
outcomes (restricted mean time, probability of reaching them) and for their replicate variance,
marked non-influential where they overlap the dummy's; convergence over growing subsets;
tables (CSV), figures and a summary, written inside the sweep folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    add_model_class,
    add_overwrite,
    add_seed,
    add_sweep_folder,
    at_least,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 analyze`` options."""
    add_sweep_folder(p)
    p.add_argument("--output", default="analysis", help="subfolder to write (default analysis)")
    add_seed(p, 0, "bootstrap seed")
    p.add_argument("--resamples", type=at_least(2), default=1000,
                   help="bootstrap resamples, at least 2 (default 1000)")
    p.add_argument("--against", default=None, metavar="DIR",
                   help="the same sweep run with another --seed-set: report how far the "
                   "indices move")
    p.add_argument("--oat", type=at_least(0), default=0, metavar="K",
                   help="one-factor-at-a-time curves for the K most influential parameters "
                   "(a sweep of a model class runs it: name it again with --model-class)")
    add_model_class(p)
    add_overwrite(p)


def run(args: argparse.Namespace) -> int:
    """Analyse the sweep and say what was written."""
    from experiments.research.sensitivity import analyze
    from experiments.research.sweep.run import trusted_model_class
    from experiments.research.sweep.storage import SweepFolder

    if args.oat:  # the curves run the sweep's model class: only one the user names again
        trusted_model_class(SweepFolder(Path(args.folder)).read_manifest(), args.model_class)
    report = analyze(Path(args.folder), args.output, args.seed, args.resamples,
                     Path(args.against) if args.against else None, args.oat,
                     overwrite=args.overwrite)
    for note in report["notes"]:
        print(f"note: {note}")
    if report["tables"]:
        print(f"wrote {', '.join(report['tables'])} tables and figures into {report['out']}/")
    else:
        print(f"no target varied over the design; wrote only the summary into {report['out']}/")
    return 0
