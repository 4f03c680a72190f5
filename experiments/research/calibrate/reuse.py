"""Reading back a calibration's screening and ABC-SMC chains, to rerun only what follows them.

The chains take most of an hour; the steps after them (confirmation, ensemble, checks) take
minutes. ``phase0 calibrate --reuse-smc`` reads what the chains left in a calibration folder and
runs those steps again, keeping the chains' settings and recording where they came from.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from experiments.research.calibrate.priors import priors
from experiments.support.outputs import UserError

if TYPE_CHECKING:
    from experiments.research.calibrate import Settings, SMCRun

#: settings of the steps after the chains: these the reusing run sets, the rest it keeps
AFTER_CHAINS = ("worlds", "confirmation_runs", "confirmation_margin")
#: columns of posterior.csv written by the steps after the chains
_LATER = ("confirmed", "posterior_weight")


def read_smc(folder: Path, settings: Settings) -> tuple[SMCRun, Settings, dict[str, Any]]:
    """The screening and pooled chains in ``folder``, the settings they ran with, provenance."""
    from experiments.research.calibrate import Settings, SMCRun

    names = ("manifest.json", "screening.csv", "generations.csv", "posterior.csv")
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise UserError(f"--reuse-smc: {folder} holds no calibration to reuse "
                        f"(missing {', '.join(missing)}); run 'phase0 calibrate' first")
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        old = manifest["settings"]
        kept = {f.name: old[f.name] for f in fields(Settings)
                if f.name not in AFTER_CHAINS and f.name in old}
        calibrated = list(manifest["calibrated"])
        chain_seeds = [int(c) for c in manifest["chain_seeds"]]
        screening = pd.read_csv(folder / "screening.csv")
        generations = pd.read_csv(folder / "generations.csv")
        pooled = pd.read_csv(folder / "posterior.csv")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"--reuse-smc: {folder}'s calibration cannot be read back: {exc}"
                        ) from None
    absent = [n for n in ["chain", "weight", "distance", *priors()] if n not in pooled]
    if absent:
        raise UserError(f"--reuse-smc: {folder}/posterior.csv lacks the columns "
                        f"{', '.join(absent[:5])}")
    if pooled.empty:
        raise UserError(f"--reuse-smc: {folder}/posterior.csv holds no particle")
    unknown = [n for n in calibrated if n not in priors()]
    if unknown:
        raise UserError(f"--reuse-smc: {folder}/manifest.json calibrates parameters that are "
                        f"not behaviour parameters: {', '.join(unknown)}")
    if "chain" not in generations or sorted(generations["chain"].unique()) != sorted(
            chain_seeds):
        raise UserError(f"--reuse-smc: {folder}/generations.csv does not hold one chain for "
                        f"each of the manifest's chain seeds {chain_seeds}")
    pooled = pooled[[c for c in pooled.columns
                     if not c.startswith("confirm:") and c not in _LATER]]
    smc = SMCRun(screening=screening, calibrated=calibrated, chain_seeds=chain_seeds,
                 generations=[generations[generations["chain"] == c].drop(columns="chain")
                              .reset_index(drop=True) for c in chain_seeds],
                 pooled=pooled)
    # a run that itself reused chains passes on where they first came from
    origin = manifest.get("smc_reused_from") or {
        "command": manifest.get("command"), "code_version": manifest.get("code_version")}
    return smc, replace(settings, **kept), {"smc_reused_from": origin}
