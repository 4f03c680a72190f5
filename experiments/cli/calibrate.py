"""Calibrate by ABC-SMC against the paper's patterns: an ensemble of plausible worlds.

Morris screening on the distance to the studied network, then ABC-SMC (pyabc, two seeded
single-core chains) over the parameters that matter, the others carried at their priors. Writes
the ensemble of worlds (ensemble.csv), the weighted posterior, the generations, the screening,
identifiability, correlations, the posterior predictive check and figures (docs/calibration.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import add_replicates, add_run_options, workers


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 calibrate`` options."""
    from experiments.research.calibrate import Settings

    d = Settings()
    p.add_argument("--population", type=int, default=d.population,
                   help=f"particles per ABC-SMC chain and generation (default {d.population})")
    p.add_argument("--generations", type=int, default=d.generations,
                   help=f"most generations per chain (default {d.generations})")
    p.add_argument("--max-simulations", type=int, default=d.max_simulations,
                   help="stop a chain after about this many simulations "
                   f"(default {d.max_simulations})")
    p.add_argument("--trajectories", type=int, default=d.trajectories,
                   help=f"Morris trajectories for the screening (default {d.trajectories})")
    p.add_argument("--worlds", type=int, default=d.worlds,
                   help=f"worlds to resample into the ensemble (default {d.worlds})")
    add_replicates(p, d.replicates, "runs of a parameter set per simulation")
    add_run_options(p, seed_default=d.seed, out="experiments/calibration", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Screen, calibrate, check and write the calibration folder."""
    from experiments.research.calibrate import Settings, calibrate
    from experiments.research.calibrate.report import write_calibration
    from experiments.support.outputs import UserError, check_writable_target

    for name in ("population", "generations", "max_simulations", "trajectories", "worlds",
                 "replicates"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1, "
                            f"got {getattr(args, name)}")
    out = Path(args.out)
    check_writable_target(out, args.overwrite)
    settings = Settings(seed=args.seed, replicates=args.replicates,
                        trajectories=args.trajectories, population=args.population,
                        generations=args.generations, max_simulations=args.max_simulations,
                        worlds=args.worlds)
    cal = calibrate(settings, workers(args), progress=not args.quiet)
    write_calibration(cal, out, {"settings": vars(settings)}, overwrite=args.overwrite)
    carried = len(cal.prior) - len(cal.calibrated)
    print(f"calibrated {len(cal.calibrated)} parameters, carried {carried} at their priors;"
          f" {len(cal.population)} weighted particles (effective size "
          f"{cal.ess:.0f}), {len(cal.worlds)} worlds")
    print(cal.predictive.to_string(index=False))
    print(f"wrote {out}/")
    return 0
