"""Options shared by several commands, each defined here once.

A command module calls these instead of writing the same ``add_argument`` again, so that a
flag means the same thing, with the same check and the same help, wherever it appears.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from typing import Any

from experiments.support.outputs import UserError


class Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one line, like every other user error."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def seed(text: str) -> int:
    """A non-negative integer seed (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"seed must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {text!r}")
    return value


def positive(text: str) -> int:
    """An integer of at least 1 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


#: The most runs per setting a command accepts: far beyond any useful Monte Carlo precision, and
#: small enough that a slip of the keyboard (``--replicates 100000000``) is refused at once
#: instead of planning a run that would not end.
MAX_REPLICATES = 100_000


def replicates(text: str) -> int:
    """Runs per setting: a whole number from 1 to :data:`MAX_REPLICATES` (an argparse type)."""
    value = positive(text)
    if value > MAX_REPLICATES:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_REPLICATES:,} runs per setting, got {text!r}")
    return value


def months(text: str) -> int:
    """A horizon in months: a whole number from 1 to 1200 (100 years; an argparse type)."""
    value = positive(text)
    if value > 1200:
        raise argparse.ArgumentTypeError(f"must be at most 1200 months, got {text!r}")
    return value


def at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``low`` (``--levels``, ``--resamples``)."""

    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {text!r}")
        return value

    check.__name__ = f"at_least_{low}"  # argparse names the type in its own messages
    return check


def gigabytes(text: str) -> float:
    """A positive, finite number of gigabytes (``--memory-per-worker``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of GB, got {text!r}") from None
    if not math.isfinite(value) or value < 0.001:
        raise argparse.ArgumentTypeError(f"must be at least 0.001 GB (and finite), got {text!r}")
    return value


def shard(text: str) -> tuple[int, int]:
    """``I/K``: the I-th of K parts of a design (an argparse type)."""
    i, sep, k = text.partition("/")
    try:
        part = (int(i), int(k))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must look like I/K, got {text!r}") from None
    if not sep or not 1 <= part[0] <= part[1]:
        raise argparse.ArgumentTypeError(f"--shard I/K needs 1 <= I <= K, got {text!r}")
    return part


def parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    """``["a=1", "b=true"]`` to ``{"a": "1", "b": "true"}``; names are checked by the registry."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UserError(f"--set expects NAME=VALUE, got {item!r}")
        if name in out:
            # the last would silently win; a repeated name is more likely a slip than a choice
            raise UserError(f"--set {name} is given twice ({name}={out[name]} and "
                            f"{name}={value}); give each parameter once")
        out[name] = value
    return out


def add_run_options(p: argparse.ArgumentParser, *, seed_default: int | None = None,
                    seed_help: str = "root seed", out: str | None = None,
                    overwrite: bool = False, workers: bool = True) -> None:
    """``--workers``, ``--seed``, ``--out``, ``--overwrite`` and ``--quiet``, as a command needs.

    ``seed_default`` None leaves out ``--seed``; ``out`` None leaves out ``--out``.
    """
    if workers:
        p.add_argument("--workers", type=positive, default=None,
                       help="worker processes (default: one per core)")
    if seed_default is not None:
        add_seed(p, seed_default, seed_help)
    if out is not None:
        add_out(p, out)
    if overwrite:
        add_overwrite(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_overwrite(p: argparse.ArgumentParser) -> None:
    """``--overwrite``: replace an existing output folder, but only one phase0 wrote."""
    p.add_argument("--overwrite", action="store_true",
                   help="replace the output folder if it exists and phase0 wrote it (never "
                   "another folder, the current or home folder, or one holding an input)")


def add_out(p: argparse.ArgumentParser, default: str | None, shown: str | None = None,
            what: str = "output folder") -> None:
    """``--out``: the folder a command writes (``shown``: how to describe a computed default)."""
    p.add_argument("--out", default=default, help=f"{what} (default {shown or default})")


def add_sweep_folder(p: argparse.ArgumentParser) -> None:
    """The positional ``folder``: a finished sweep."""
    p.add_argument("folder", help="a finished sweep folder")


def add_json(p: argparse.ArgumentParser) -> None:
    """``--json``: print every field of a registry as JSON."""
    p.add_argument("--json", action="store_true", help="print JSON with every field")


def add_horizon(p: argparse.ArgumentParser, default: int = 360) -> None:
    """``--horizon``: months simulated."""
    p.add_argument("--horizon", type=months, default=default,
                   help=f"months simulated (default {default}: {default / 12:g} years)")


def add_replicates(p: argparse.ArgumentParser, default: int | None, what: str = "runs",
                   shown: str | None = None) -> None:
    """``--replicates``: runs with common seeds, per setting (``shown``: a computed default)."""
    p.add_argument("--replicates", type=replicates, default=default,
                   help=f"{what} (default {shown or default})")


def add_scenarios(p: argparse.ArgumentParser, default: str) -> None:
    """``--scenarios``: comma-separated scenario names or .toml paths."""
    p.add_argument("--scenarios", default="",
                   help=f"comma-separated scenario names or .toml paths (default: {default})")


def add_seed(p: argparse.ArgumentParser, default: int, what: str = "root seed") -> None:
    """``--seed``: a non-negative integer."""
    p.add_argument("--seed", type=seed, default=default, help=f"{what} (default {default})")


def add_scenario(p: argparse.ArgumentParser, default: str | None, what: str = "") -> None:
    """``--scenario``: a built-in scenario name or a .toml file."""
    shown = f" (default {default})" if default else ""
    p.add_argument("--scenario", default=default,
                   help=f"a scenario name or .toml file{what}{shown}")


def add_set(p: argparse.ArgumentParser) -> None:
    """``--set NAME=VALUE`` (repeatable), checked against the parameter registry."""
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter (repeatable); see 'phase0 params'")


def add_parameter_sets(p: argparse.ArgumentParser, default: str, max_default: int) -> None:
    """``--parameter-sets`` and ``--max-sets``: run under many plausible parameter sets."""
    p.add_argument("--parameter-sets", default=default,
                   help="'posterior' (the calibration's ensemble of plausible worlds, "
                   "experiments/calibration/ensemble.csv, written by 'make calibrate'; "
                   "'accepted' is another name for it), a CSV of parameter sets (one a row, "
                   "columns named after parameters), or 'defaults' (also 'none' or '') for the "
                   "registry's defaults and the scenario's values only "
                   f"(default {default or 'defaults'})")
    p.add_argument("--max-sets", type=int, default=max_default,
                   help="use this many parameter sets, evenly spaced through the file, 0 for "
                   "all (default: "
                   f"{max_default or 'all'})")


def add_model(p: argparse.ArgumentParser, help_text: str) -> None:
    """``--model MODULE:FUNCTION``: another model, f(params, seed) -> dict of outputs.

    One definition for the command that runs it (``sweep``) and the one that must be told it
    again (``reproduce``): no code is imported because a results file names it.
    """
    p.add_argument("--model", default=None, metavar="MODULE:FUNCTION", help=help_text)


def add_model_class(p: argparse.ArgumentParser) -> None:
    """``--model-class``: a PhaseZeroModel subclass, as ``package.module:Class``."""
    p.add_argument("--model-class", default=None, metavar="MODULE:CLASS",
                   help="run a subclass of PhaseZeroModel (its submodels and agents) instead "
                   "of the model itself, e.g. mypkg.models:PeerSupportModel; recorded in the "
                   "manifest (see docs/extending.md)")


def workers(args: argparse.Namespace) -> int:
    """The number of worker processes asked for, or one per core."""
    from experiments.support.parallel import default_workers

    return args.workers or default_workers()
