"""Check a finished calibration: the outcome definitions' effect and the joint point.

Every world of the ensemble runs again on the posterior check's own seeds with one outcome
definition (kind = measurement: the engagement threshold and hold, the threshold definition of
phase zero) moved to an end of its sweep range, and the share of worlds meeting each target is
compared with the fixed definitions (which must reproduce the committed check). The paper's
other patterns are measured in every world (patterns.csv); among the worlds in which all of them
hold and go without their mechanisms (point_screen.csv), the best run again on many fresh seeds
beside the calibration's own point (point.csv), and the best of them is recommended as the
registry defaults. Writes those files and a manifest (docs/calibration.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_replicates, add_run_options, at_least, workers


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 check-calibration`` options."""
    p.add_argument("--calibration", default="experiments/calibration",
                   help="the calibration folder to check (default experiments/calibration)")
    add_replicates(p, 16, "runs of each world for each definition, as in the check")
    p.add_argument("--point-runs", type=at_least(16), default=1000,
                   help="fresh runs of the point and of each candidate (default 1000)")
    p.add_argument("--candidates", type=at_least(0), default=10,
                   help="next best worlds run beside the point (default 10)")
    p.add_argument("--screen", type=at_least(1), default=30,
                   help="best worlds in which every pattern holds that also run the patterns' "
                        "ablations, to choose the point among (default 30)")
    add_run_options(p, out="results/calibration_checks", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Run the checks and write the folder."""
    from experiments.research.calibrate.check_report import check_calibration

    summary = check_calibration(Path(args.calibration), Path(args.out), args.replicates,
                                args.point_runs, args.candidates, workers(args),
                                overwrite=args.overwrite, progress=not args.quiet,
                                screen=args.screen)
    print(summary)
    print(f"wrote {args.out}/")
    return 0
