"""Designs of experiments over the parameter registry, with SALib and scipy.stats.qmc.

The problem (names and bounds) is built from the registry's sweep ranges, as a SALib
``ProblemSpec``. By default it covers the ``behaviour`` and ``lever`` parameters; every design
also carries a ``dummy`` parameter that the model ignores, so that an analysis can tell
influence from noise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.support.inputs import read_toml
from experiments.support.outputs import UserError
from simulation.parameters import REGISTRY, names

DUMMY = "dummy"
#: The column of a design over plausible worlds holding each row's world id (not a parameter; see
#: :mod:`experiments.research.sweep.worlds`).
WORLD = "world"
METHODS = ("sobol", "morris", "lhs", "grid", "table")


@dataclass(frozen=True)
class Problem:
    """Names and bounds of the swept parameters (the dummy last)."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]

    def spec(self):
        """The SALib ProblemSpec of this problem."""
        from SALib import ProblemSpec

        return ProblemSpec({"names": list(self.names), "bounds": [list(b) for b in self.bounds],
                            "num_vars": len(self.names)})

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for manifests."""
        return {"names": list(self.names), "bounds": [list(b) for b in self.bounds]}


def default_parameters() -> list[str]:
    """The parameters a design covers unless told otherwise."""
    return names("behaviour") + names("lever")


def read_problem_file(path: str | Path) -> dict[str, tuple[float, float]]:
    """Bounds of parameters the registry does not know, from TOML (``[parameters.x] bounds``)."""
    path = Path(path)
    data = read_toml(path, "problem file")
    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        raise UserError(f"problem file '{path}' needs [parameters.NAME] tables with bounds")
    out = {}
    for name, entry in table.items():
        bounds = entry.get("bounds") if isinstance(entry, dict) else None
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, int | float) for b in bounds)):
            raise UserError(f"problem file '{path}': parameters.{name}.bounds must be "
                            "[low, high] numbers")
        _check_bounds(name, float(bounds[0]), float(bounds[1]))
        out[name] = (float(bounds[0]), float(bounds[1]))
    return out


def _check_bounds(name: str, lo: float, hi: float) -> None:
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise UserError(f"parameter '{name}' has an empty or invalid range [{lo:g}, {hi:g}]")


def build_problem(params: Sequence[str] | None = None,
                  extra: Mapping[str, tuple[float, float]] | None = None,
                  bounds: Mapping[str, tuple[float, float]] | None = None) -> Problem:
    """The problem for ``params`` (default: behaviour and lever parameters) plus the dummy.

    ``extra`` gives bounds of parameters outside the registry (for ``--model``); ``bounds``
    overrides registry sweep ranges. Unknown names and empty ranges raise ``UserError``.
    """
    extra = dict(extra or {})
    chosen = list(params) if params else (list(extra) if extra else default_parameters())
    if len(set(chosen)) != len(chosen):
        raise UserError("a parameter is named twice in the design")
    out_names, out_bounds = [], []
    for n in chosen:
        if n == DUMMY:
            raise UserError(f"'{DUMMY}' is added to every design; do not name it")
        if n == WORLD:
            raise UserError(f"'{WORLD}' is the plausible world of a row (--parameter-sets), not "
                            "a parameter; do not name it")
        if n in extra:
            lo, hi = extra[n]
        elif n in REGISTRY:
            p = REGISTRY[n]
            lo, hi = (bounds or {}).get(n, p.sweep)
            if p.type is bool:
                lo, hi = 0.0, 1.0
            vlo, vhi = p.valid
            if lo < vlo or hi > vhi:
                raise UserError(f"range of '{n}' [{lo:g}, {hi:g}] leaves its valid range "
                                f"{p.describe_range()}")
        else:
            from simulation.parameters import unknown_parameter_error

            raise UserError(str(unknown_parameter_error(n)))
        _check_bounds(n, float(lo), float(hi))
        out_names.append(n)
        out_bounds.append((float(lo), float(hi)))
    return Problem(tuple(out_names) + (DUMMY,), tuple(out_bounds) + ((0.0, 1.0),))


def numeric_table(table: pd.DataFrame) -> pd.DataFrame:
    """A design table checked cell by cell as ``--set`` checks a value, as floats for the design.

    Every column must name a registry parameter and every cell must be a value that parameter
    takes: a whole number for an integer, true/false (or 1/0) for a boolean, inside the valid
    range, never empty. Without this a table would be rounded silently on its way to the model
    (``n_cbos=2.5`` run as 2, ``kpi_tied=0.7`` as true) while its results recorded 2.5 and 0.7.
    Raises a UserError naming the row, the column and what the parameter takes.
    """
    from simulation.parameters import ParameterError, unknown_parameter_error

    if table.empty or not len(table.columns):
        raise UserError("a design table needs at least one column and one row")
    out = {}
    for n in table.columns:
        if n == DUMMY:
            raise UserError(f"'{DUMMY}' is added to every design; do not name it")
        if n not in REGISTRY:
            raise UserError(f"design table column '{n}': {unknown_parameter_error(str(n))}")
        col = table[n].reset_index(drop=True)
        cells = col.to_numpy()
        values = np.empty(len(col))
        for i, v in enumerate(cells):
            if isinstance(v, str):
                v = v.strip()  # parsed as --set parses it
            elif hasattr(v, "item"):  # a NumPy scalar: the plain number, as a message shows it
                v = v.item()
                if isinstance(v, float) and v.is_integer():
                    v = int(v)  # 1.0 of a column holding a NaN elsewhere is the 1 written
            try:
                values[i] = float(REGISTRY[n].coerce(v))
            except ParameterError as exc:
                raise UserError(f"design table row {i} (CSV line {i + 2}), column '{n}': "
                                f"{exc}") from None
        out[n] = values
    return pd.DataFrame(out)


def table_problem(table: pd.DataFrame) -> Problem:
    """The problem of an explicit design table: its columns, bounded by their observed ranges.

    Unknown names raise ``UserError``; a table need not span a range (a column may be constant).
    """
    if table.empty or not len(table.columns):
        raise UserError("a design table needs at least one column and one row")
    for n in table.columns:
        if n == DUMMY:
            raise UserError(f"'{DUMMY}' is added to every design; do not name it")
        if n not in REGISTRY:
            from simulation.parameters import unknown_parameter_error

            raise UserError(str(unknown_parameter_error(n)))
        if not pd.api.types.is_numeric_dtype(table[n]) or table[n].isna().any():
            raise UserError(f"design table column '{n}' must hold numbers in every row")
    bounds = tuple((float(table[n].min()), float(table[n].max())) for n in table.columns)
    return Problem(tuple(table.columns) + (DUMMY,), bounds + ((0.0, 1.0),))


def sample(problem: Problem, method: str, n: int, seed: int, *, second_order: bool = False,
           levels: int = 4, values: Mapping[str, Sequence[float]] | None = None,
           table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The design matrix, one row per design point, columns in problem order.

    ``sobol``: SALib's Saltelli/Sobol sequence (N (d + 2) rows, or N (2d + 2) with second
    order); ``morris``: N trajectories of d + 1 points on ``levels`` levels; ``lhs``: N points of
    a Latin hypercube (scipy.stats.qmc); ``grid``: the Cartesian product of ``values``;
    ``table``: the rows of ``table`` as they are (joint settings, such as calibrated sets).
    """
    if method == "table":
        if table is None:
            raise UserError("method 'table' needs a design table (--design FILE.csv)")
        out = table.astype(float).reset_index(drop=True)
        out[DUMMY] = 0.0  # meaningless in a table, as on a grid
        return out[list(problem.names)]
    if method not in METHODS:
        raise UserError(f"unknown method '{method}'; choose one of {', '.join(METHODS)}")
    if method not in ("grid", "table") and n < 1:
        raise UserError(f"--n must be at least 1, got {n}")
    if method == "sobol":
        if n & (n - 1):
            nxt = 1 << (n - 1).bit_length()
            warnings.warn(f"Sobol sampling works best with N a power of two; the next is {nxt}",
                          stacklevel=2)
        spec = problem.spec()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # SALib repeats our power-of-two note
            spec.sample_sobol(n, calc_second_order=second_order, seed=seed)
        x = spec.samples
    elif method == "morris":
        spec = problem.spec()
        spec.sample_morris(n, num_levels=levels, seed=seed)
        x = spec.samples
    elif method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(problem.names), seed=np.random.default_rng(seed)).random(n)
        lo = np.array([b[0] for b in problem.bounds])
        hi = np.array([b[1] for b in problem.bounds])
        x = qmc.scale(unit, lo, hi)
    else:
        x = _grid(problem, values or {})
    return pd.DataFrame(x, columns=list(problem.names))


def _grid(problem: Problem, values: Mapping[str, Sequence[float]]) -> np.ndarray:
    swept = [n for n in problem.names if n != DUMMY]
    missing = [n for n in swept if n not in values]
    if missing:
        raise UserError(f"a grid needs --values for every swept parameter; missing: "
                        f"{', '.join(missing)}")
    for n in swept:
        for v in values[n]:
            if n in REGISTRY:
                p = REGISTRY[n]
                whole = p.type is not float and float(v).is_integer()
                try:
                    p.coerce(int(v) if whole else v)
                except Exception as exc:  # ParameterError
                    raise UserError(str(exc)) from None
    axes = [np.asarray(values[n], float) for n in swept]
    mesh = np.meshgrid(*axes, indexing="ij")
    cols = [m.ravel() for m in mesh]
    cols.append(np.zeros_like(cols[0]))  # the dummy is meaningless on a grid
    return np.column_stack(cols)


def row_parameters(design: pd.DataFrame, base: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Model parameters of every design row: the base (scenario) values with the row's values.

    Registry integers are rounded and booleans are true from 0.5 up; the dummy and the world id
    are left out; parameters the registry does not know pass through unchanged (for ``--model``).
    """
    out = []
    cols = [c for c in design.columns if c not in (DUMMY, WORLD)]
    for values in design[cols].itertuples(index=False, name=None):
        row = dict(base)
        for name, v in zip(cols, values, strict=True):
            p = REGISTRY.get(name)
            if p is None:
                row[name] = float(v)
            elif p.type is bool:
                row[name] = bool(v >= 0.5)
            elif p.type is int:
                row[name] = int(round(v))
            else:
                row[name] = float(v)
        out.append(row)
    return out
