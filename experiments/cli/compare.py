"""Compare scenarios over many replicates.

Run each scenario R times with the same seeds and write Kaplan-Meier tables (CSV, Markdown) and
figures for both outcomes, trajectories with spread bands, per-run results and a manifest.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    add_model_class,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    add_scenarios,
    workers,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 compare`` options."""
    add_scenarios(p, "the eight standard scenarios")
    add_replicates(p, 200, "runs per scenario")
    add_parameter_sets(p, "", 0)
    add_model_class(p)
    add_run_options(p, seed_default=20080, out="results/compare", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Run the comparison, write its folder and print its table."""
    from experiments.research.compare import (
        common_seeds,
        load_parameter_sets,
        markdown_table,
        write_comparison,
    )
    from experiments.support.models import load_model_class
    from experiments.support.outputs import UserError
    from experiments.support.scenarios import STANDARD, load_scenario

    model_class, _ = load_model_class(args.model_class)  # first: it may register parameters
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()] if args.scenarios \
        else list(STANDARD)
    if not names:
        raise UserError("--scenarios needs at least one scenario name or file")
    scenarios = [load_scenario(n) for n in names]
    if len({s.name for s in scenarios}) != len(scenarios):
        raise UserError("--scenarios names the same scenario twice")
    if args.replicates < 1:
        raise UserError(f"--replicates must be at least 1, got {args.replicates}")
    param_sets = None
    if args.parameter_sets and args.parameter_sets != "none":
        param_sets = load_parameter_sets(args.parameter_sets, args.max_sets)
    seeds = common_seeds(args.seed, args.replicates)
    table = write_comparison(Path(args.out), scenarios, seeds, workers(args), args.overwrite,
                             args.seed, param_sets, progress=not args.quiet,
                             model_class=model_class)
    print(markdown_table(table))
    print(f"wrote {args.out}/")
    return 0
