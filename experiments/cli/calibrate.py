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
    p.add_argument("--confirmation-runs", type=int, default=d.confirmation_runs,
                   help="fresh runs of each pooled particle before it enters the ensemble "
                   f"(default {d.confirmation_runs})")
    p.add_argument("--confirmation-margin", type=float, default=d.confirmation_margin,
                   help="standard errors by which each share on those runs must clear its "
                   f"required share, 0 to 3 (default {d.confirmation_margin})")
    p.add_argument("--reuse-smc", action="store_true",
                   help="reuse the screening and ABC-SMC chains of the calibration already in "
                   "--out (its screening.csv, generations.csv, posterior.csv and manifest.json, "
                   "whose settings it keeps) and run again only the steps after them: the "
                   "confirmation, the ensemble and the checks (minutes, not an hour)")
    add_replicates(p, d.replicates, "runs of a parameter set per simulation")
    add_run_options(p, seed_default=d.seed, out="experiments/calibration", overwrite=True)


def run(args: argparse.Namespace) -> int:
    """Screen, calibrate, check and write the calibration folder."""
    from experiments.research.calibrate import Settings, calibrate, run_smc
    from experiments.research.calibrate.ensemble import NothingConfirmed
    from experiments.research.calibrate.report import write_calibration, write_chains
    from experiments.research.calibrate.reuse import AFTER_CHAINS
    from experiments.support.outputs import UserError, check_writable_target

    for name in ("population", "generations", "max_simulations", "trajectories", "worlds",
                 "replicates", "confirmation_runs"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1, "
                            f"got {getattr(args, name)}")
    if not 0 <= args.confirmation_margin <= 3:
        raise UserError("--confirmation-margin must be between 0 and 3 standard errors, "
                        f"got {args.confirmation_margin}")
    out = Path(args.out)
    check_writable_target(out, args.overwrite)
    settings = Settings(seed=args.seed, replicates=args.replicates,
                        trajectories=args.trajectories, population=args.population,
                        generations=args.generations, max_simulations=args.max_simulations,
                        worlds=args.worlds, confirmation_runs=args.confirmation_runs,
                        confirmation_margin=args.confirmation_margin)
    record: dict = {}
    if args.reuse_smc:
        from experiments.research.calibrate.reuse import read_smc

        smc, settings, record = read_smc(out, settings)
        if not args.quiet:
            kept = ", ".join(f"{k} {v}" for k, v in vars(settings).items()
                             if k not in AFTER_CHAINS)
            print(f"reusing the chains in {out}, with their settings: {kept}")
    else:
        smc = run_smc(settings, workers(args), progress=not args.quiet)
    try:
        cal = calibrate(settings, workers(args), progress=not args.quiet, smc=smc)
    except NothingConfirmed as exc:
        hint = (f"lower --confirmation-margin (now {settings.confirmation_margin})"
                if settings.confirmation_margin > 0 else "run longer chains")
        if not args.reuse_smc:
            # an hour of chains is not thrown away: kept, they can be confirmed again
            write_chains(smc, out, {"settings": vars(settings)}, overwrite=args.overwrite)
            hint += f"; the chains are kept in {out}: rerun with --reuse-smc --overwrite"
        raise UserError(f"{exc}: {hint}") from None
    write_calibration(cal, out, {"settings": vars(settings), **record},
                      overwrite=args.overwrite)
    carried = len(cal.prior) - len(cal.calibrated)
    print(f"calibrated {len(cal.calibrated)} parameters, carried {carried} at their priors;"
          f" {len(cal.population)} of {len(cal.pooled)} pooled particles confirmed (effective"
          f" size {cal.ess:.0f}), {len(cal.worlds)} worlds")
    print(cal.predictive.to_string(index=False))
    print(f"wrote {out}/")
    return 0
