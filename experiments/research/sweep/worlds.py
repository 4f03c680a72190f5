"""Sweeps over plausible worlds: a sampled design of levers, each row joined with one world.

``phase0 sweep --method lhs --parameter-sets posterior`` samples the design's parameters (the
levers by default) over their ranges, as any LHS design, and joins design row ``i`` with world
``i mod n`` of the ``n`` parameter sets, in the file's order: every world appears in
``rows // n`` or one more rows, and LHS rows come in no order, so which lever values meet which
world is as good as random. A world's values enter the design as columns, as in a
``--method table`` design (the runs table holds them and an analysis sees them), and a
``world`` column holds its id. A parameter the scenario sets itself keeps the scenario's value
where that is what the scenario is about, as in ``phase0 compare``
(:func:`experiments.research.worlds.scenario_in_worlds`): a world supplies behaviour, the scenario
its own settings.

The manifest's ``worlds`` records the source, the ids, the parameters a world supplies and a
hash of the worlds the design uses; ``phase0 reproduce`` derives the levers again from the
method, n and seed and checks that every row holds its world (:func:`failures`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.sweep import design as designs
from experiments.support.outputs import UserError

WORLD = designs.WORLD
#: How design rows meet worlds, as the manifest states it.
ASSIGNMENT = "design row i takes world i mod count (the worlds in the file's order)"


def wanted(spec: str | None) -> bool:
    """Whether ``--parameter-sets`` asks for worlds (not the registry's defaults)."""
    from experiments.research.compare import uses_defaults

    return spec is not None and not uses_defaults(spec)


def levers() -> list[str]:
    """What a design over worlds samples unless told otherwise: the lever parameters."""
    from simulation.parameters import names

    return names("lever")


def check_method(method: str, model: str | None) -> None:
    """Refuse a design that cannot be joined with worlds (one line, naming the option)."""
    if method != "lhs":
        raise UserError(f"--parameter-sets goes with --method lhs only (each design row is "
                        f"joined with one world); a {method} design has its own structure: "
                        "give --parameter-sets defaults")
    if model is not None:
        raise UserError("--parameter-sets gives worlds of the phase0 model; --model has none")


def load(spec: str, limit: int, scenario_sets: Iterable[str], sampled: Sequence[str]
         ) -> tuple[list[int], pd.DataFrame]:
    """World ids and their values (floats, checked as ``--set`` checks a value).

    Parameters the scenario sets (``scenario_sets``: its settings as they apply in a world,
    :func:`experiments.research.worlds.scenario_in_worlds`) are left to the scenario; a
    parameter the design samples (``sampled``) may not come from the worlds too.
    """
    from experiments.research.compare import load_worlds

    ids, sets = load_worlds(spec, limit or None)
    table = pd.DataFrame(sets)
    clash = [n for n in sampled if n in table.columns]
    if clash:
        raise UserError(f"--params names {', '.join(clash)}, which every world of "
                        f"--parameter-sets {spec} supplies; sample levers (or structure) only")
    table = table.drop(columns=[c for c in table.columns if c in set(scenario_sets)])
    if table.columns.empty:
        raise UserError(f"the worlds of --parameter-sets {spec} set nothing the scenario does "
                        "not set itself")
    return ids, designs.numeric_table(table)


def join(design: pd.DataFrame, ids: Sequence[int], table: pd.DataFrame) -> pd.DataFrame:
    """``design`` with, in row ``i``, world ``i mod len(ids)``: its id and its values."""
    pick = np.arange(len(design)) % len(ids)
    out = design.reset_index(drop=True).copy()
    out[WORLD] = np.asarray(ids, float)[pick]
    return pd.concat([out, table.iloc[pick].reset_index(drop=True)], axis=1)


def digest(ids: Sequence[int], table: pd.DataFrame) -> str:
    """Hash of worlds: their ids, parameter names and values."""
    h = hashlib.sha256(json.dumps([list(map(int, ids)), list(table.columns)]).encode())
    h.update(table.to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


def source(spec: str) -> str:
    """How the manifest names a source: 'posterior', or the CSV's path."""
    from experiments.research.compare import POSTERIOR_NAMES
    from experiments.support.outputs import portable_path

    return "posterior" if spec.strip().lower() in POSTERIOR_NAMES else portable_path(spec)


def record(spec: str, limit: int, ids: Sequence[int], table: pd.DataFrame,
           rows: int) -> dict[str, Any]:
    """The manifest's ``worlds``: source, ids, parameters and the hash of the worlds used."""
    used = min(len(ids), rows)
    return {"source": source(spec), "max_sets": int(limit or 0), "count": len(ids),
            "ids": [int(i) for i in ids], "parameters": list(table.columns),
            "assignment": ASSIGNMENT, "sha256": digest(ids[:used], table.iloc[:used])}


def columns(manifest: Mapping[str, Any]) -> list[str]:
    """The design's columns: the sampled ones and the dummy, then the world and its values."""
    w = manifest.get("worlds")
    if w:
        return list(manifest["problem"]["names"]) + [WORLD, *w["parameters"]]
    # a table whose rows name their worlds (the funding explorer's): the world id last
    return list(manifest["problem"]["names"]) + ([WORLD] if manifest.get("world_seeds") else [])


def failures(manifest: Mapping[str, Any], design: pd.DataFrame,
             sampled: pd.DataFrame) -> list[str]:
    """How a worlds design departs from its levers derived again (``sampled``) and its worlds."""
    w = manifest["worlds"]
    used = min(w["count"], len(design))
    table = design[w["parameters"]].iloc[:used].reset_index(drop=True)
    out = []
    if digest(w["ids"][:used], table) != w["sha256"]:
        out.append("the worlds in design.parquet are not those the manifest's worlds sha256 "
                   "records")
    from experiments.research.sweep.storage import design_hash

    if design_hash(join(sampled, w["ids"], table)) != design_hash(design):
        out.append(f"design.parquet does not follow from the manifest's method, n, seed, "
                   f"problem and worlds ({ASSIGNMENT})")
    return out


def source_note(manifest: Mapping[str, Any]) -> list[str]:
    """A note when the worlds' source now holds other worlds than those the sweep ran."""
    w = manifest.get("worlds")
    if not w:
        return []
    try:
        ids, table = load(w["source"], w["max_sets"], (), ())
    except UserError as exc:
        return [f"the worlds' source '{w['source']}' cannot be read now ({exc})"]
    used = min(len(ids), manifest["design_rows"])
    cols = [c for c in w["parameters"] if c in table.columns]
    if len(cols) < len(w["parameters"]) or \
            digest(ids[:used], table[cols].iloc[:used]) != w["sha256"]:
        return [f"the worlds of '{w['source']}' now differ from those the sweep ran (its design "
                "keeps the worlds it ran)"]
    return []


def run_seeds(seeds: Sequence[int], columns: Sequence[str],
              rows: Sequence[Sequence[float]]) -> list[int]:
    """The seed of every run of some design rows (``columns`` their names), rows slowest.

    Common random numbers: every row runs on the same ``seeds``, except in a design over
    plausible worlds (a ``world`` column), where each world runs on its own
    (:func:`experiments.research.worlds.world_seeds`), the same in every row of that world.
    """
    if WORLD not in columns:
        return list(seeds) * len(rows)
    from experiments.research.worlds import world_seeds

    j = list(columns).index(WORLD)
    return [s for values in rows for s in world_seeds(seeds, int(values[j]))]
