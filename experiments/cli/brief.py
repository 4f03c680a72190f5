"""Write the self-contained HTML policy brief.

Write one self-contained HTML file for a policy team (figures embedded, nothing fetched from the
network): the caveat first, the scenarios compared, the funding-cycle heatmaps and the minimum
runway, the main drivers, the interventions tried, the discovered conditions and the model's
limits, from the committed results (or the folders given). Each headline says in how many
plausible worlds it holds and which assumptions decide it. A scenario of your own (--scenario
own.toml) that the comparison lacks is compared with the studied network over the first
--max-sets plausible worlds, --replicates runs each, to --horizon months.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import (
    add_horizon,
    add_out,
    add_parameter_sets,
    add_replicates,
    add_run_options,
    add_scenario,
    workers,
)

SOURCES = {"compare": "results/compare", "policy": "results/policy/funding",
           "interventions": "results/policy/interventions",
           "sensitivity": "results/sensitivity", "discovery": "results/policy/discovery"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 brief`` options."""
    add_scenario(p, "new_network", " in focus (a file of your own is compared too)")
    add_out(p, "results/policy/brief", what="folder to write brief.html into")
    for name, default in SOURCES.items():
        p.add_argument(f"--{name}", default=None, metavar="DIR",
                       help=f"results to read (default {default})")
    add_parameter_sets(p, "posterior", 100)
    add_replicates(p, 8, "runs per world when the brief compares a scenario itself")
    add_horizon(p, 360)
    add_run_options(p, seed_default=20080, seed_help="root seed of the brief's own comparison",
                    overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Write the brief and say where."""
    from experiments.policy.brief import Sources, write_brief
    from experiments.policy.brief_own import OwnRun
    from experiments.research.compare import ENSEMBLE, POSTERIOR_NAMES, uses_defaults

    defaults = Sources()
    spec = args.parameter_sets.strip()
    ensemble = None if uses_defaults(spec) else (
        ENSEMBLE if spec.lower() in POSTERIOR_NAMES else Path(spec))
    sources = Sources(**{k: Path(getattr(args, k)) if getattr(args, k) else getattr(defaults, k)
                         for k in SOURCES}, ensemble=ensemble or ENSEMBLE)
    own = None if ensemble is None else OwnRun(
        worlds=args.max_sets or None, runs=args.replicates, horizon=args.horizon,
        parameter_sets=spec, seed=args.seed, workers=workers(args), progress=not args.quiet)
    path = write_brief(Path(args.out), args.scenario, sources, overwrite=args.overwrite,
                       own_run=own)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained)")
    return 0
