"""Redraw the lesson figures of docs/teaching.md and the lesson's numbers over worlds.

Run the lesson plan's settings at the registry's defaults (50 runs each by default) for the
figures, and over the calibration's plausible worlds (8 runs of each setting in each world, a
30-year horizon) for the numbers the lesson quotes, into docs/teaching/ or another folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    add_out,
    add_overwrite,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    at_least,
    workers,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 lessons`` options."""
    add_out(p, None, "docs/teaching")
    add_replicates(p, 50, "runs per setting for the figures, at the registry's defaults")
    add_parameter_sets(p, "posterior", 0)
    p.add_argument("--world-runs", type=at_least(8), default=8,
                   help="runs of each setting in each world, at least 8 (default 8)")
    add_overwrite(p)
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    """Redraw the figures, write the numbers over worlds, and list the files."""
    from experiments.teaching.lessons import FIGURE_DIR, lesson_figures

    for path in lesson_figures(Path(args.out) if args.out else FIGURE_DIR, args.replicates,
                               overwrite=args.overwrite, parameter_sets=args.parameter_sets,
                               world_runs=args.world_runs, max_sets=args.max_sets or None,
                               workers=workers(args), progress=not args.quiet):
        print(f"wrote {path}")
    return 0
