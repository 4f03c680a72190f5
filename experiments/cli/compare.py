"""Compare scenarios over plausible worlds, or over many replicates of one parameter set.

By default each scenario runs 8 times with the same seeds in every plausible world of the
calibration's ensemble (--parameter-sets posterior) to a 30-year horizon, and the folder says in
what share of worlds each outcome comes within 5, 10, 15 and 30 years and how far the worlds'
times spread (worlds.csv, comparison.md); a horizon set by a scenario or by --set
horizon_months=N wins. With --parameter-sets defaults each scenario runs 200
times with the registry's defaults and the folder holds Kaplan-Meier tables (CSV, Markdown).
Both write figures, trajectories with spread bands, per-run results and a manifest.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.cli.options import (
    add_model_class,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    add_scenarios,
    add_set,
    parse_assignments,
    workers,
)

if TYPE_CHECKING:
    from experiments.support.scenarios import Scenario

#: Runs per scenario in each world, and with the registry's defaults only.
RUNS_PER_WORLD, RUNS_WITHOUT_WORLDS = 8, 200


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 compare`` options."""
    add_scenarios(p, "the eight standard scenarios")
    add_replicates(p, None, "runs per scenario (in each world, with parameter sets)",
                   f"{RUNS_PER_WORLD} per world, {RUNS_WITHOUT_WORLDS} with --parameter-sets "
                   "defaults")
    add_parameter_sets(p, "posterior", 0)
    add_set(p)
    add_model_class(p)
    add_run_options(p, seed_default=20080, out="results/compare", overwrite=True)


def _settle(scenarios: list[Scenario], settings: dict[str, Any], horizon: int | None,
            include: tuple[str, ...]) -> list[Scenario]:
    """The scenarios with ``--set`` values on top, and ``horizon`` where none names one."""
    from experiments.support.outputs import UserError
    from simulation.parameters import ParameterError, resolve

    out = []
    for s in scenarios:
        overrides = {**s.overrides, **settings}
        if horizon is not None and "horizon_months" not in overrides:
            overrides["horizon_months"] = horizon
        try:
            params = resolve(overrides, include=include)
        except ParameterError as exc:
            raise UserError(f"scenario '{s.name}' with --set: {exc}") from None
        out.append(replace(s, overrides={k: params[k] for k in overrides}, params=params))
    return out


def run(args: argparse.Namespace) -> int:
    """Run the comparison, write its folder and print its table."""
    from experiments.research.compare import (
        ENSEMBLE,
        POSTERIOR_NAMES,
        common_seeds,
        load_worlds,
        markdown_table,
        uses_defaults,
        write_comparison,
    )
    from experiments.research.worlds import WORLD_HORIZON, world_markdown
    from experiments.support.models import load_model_class
    from experiments.support.outputs import UserError, portable_path
    from experiments.support.scenarios import STANDARD, load_scenario

    model_class, _ = load_model_class(args.model_class)  # first: it may register parameters
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()] if args.scenarios \
        else list(STANDARD)
    if not names:
        raise UserError("--scenarios needs at least one scenario name or file")
    scenarios = [load_scenario(n) for n in names]
    if len({s.name for s in scenarios}) != len(scenarios):
        raise UserError("--scenarios names the same scenario twice")
    settings = parse_assignments(args.set)
    world_ids, param_sets = load_worlds(args.parameter_sets, args.max_sets or None)
    spec = args.parameter_sets.strip()
    source = ("the calibration's ensemble, " + portable_path(ENSEMBLE)
              if spec.lower() in POSTERIOR_NAMES else portable_path(spec))
    # With worlds, a 30-year horizon backs "not within 30 years" (unless the user or the
    # scenario, or the worlds themselves, set one).
    horizon = (WORLD_HORIZON if param_sets and not any("horizon_months" in p for p in param_sets)
               else None)
    scenarios = _settle(scenarios, settings, horizon,
                        tuple(model_class.parameters) if model_class else ())
    replicates = args.replicates or (RUNS_WITHOUT_WORLDS if uses_defaults(spec)
                                     else RUNS_PER_WORLD)
    seeds = common_seeds(args.seed, replicates)
    table = write_comparison(Path(args.out), scenarios, seeds, workers(args), args.overwrite,
                             args.seed, param_sets or None, progress=not args.quiet,
                             model_class=model_class, world_ids=world_ids, source=source,
                             inputs=[] if uses_defaults(spec) else
                             [ENSEMBLE if spec.lower() in POSTERIOR_NAMES else Path(spec)])
    print(world_markdown(table) if param_sets else markdown_table(table))
    print(f"wrote {args.out}/")
    return 0
