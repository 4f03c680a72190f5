"""Run the standard sensitivity study into results/sensitivity.

For each of the study's scenarios: Morris screening of every behaviour and lever parameter the
scenario does not fix, then Sobol indices of the most influential ones with two seed sets, and
their analyses; copies the analyses into results/sensitivity (about an hour on 2 cores).
"""

from __future__ import annotations

import argparse

from experiments.cli.options import add_run_options


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 sensitivity-study`` options."""
    p.add_argument("--sweeps", default="sweeps/sensitivity",
                   help="folder for the sweeps (default sweeps/sensitivity)")
    add_run_options(p, out="results/sensitivity", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Run the study."""
    from pathlib import Path

    from experiments.cli.options import workers
    from experiments.research.sensitivity_study import study

    study(Path(args.sweeps), Path(args.out), workers(args), progress=not args.quiet,
          overwrite=args.overwrite)
    return 0
