"""The ``phase0`` command line: one module per command, each with ``add_arguments`` and ``run``.

Every command has ``--help``, built from its module's docstring (first paragraph: the one-line
help; the rest: the description). A user mistake (unknown parameter, bad value, unwritable
folder) exits with status 2 and a one-line message, and writes nothing half-done.
"""

from __future__ import annotations

import os

# Sweeps and comparisons run one process per core; BLAS threads on top would oversubscribe
# them. Set before NumPy is first imported (a user's own setting wins).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from experiments.cli.options import Parser

#: The commands in ``phase0 --help`` order (by user; module ``a_b`` is command ``a-b``).
COMMANDS = ("run", "params", "outcomes", "compare", "sweep", "reproduce", "analyze",
            "calibrate", "check_calibration", "ablations", "robustness", "sensitivity_study",
            "explore", "discover", "brief", "dashboard", "lessons", "bench", "docs")


def command(name: str) -> ModuleType:
    """The module of command ``name``."""
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}")


def describe(module: ModuleType) -> tuple[str, str]:
    """A command's one-line help and its description, from its module docstring."""
    summary, _, details = (module.__doc__ or "").strip().partition("\n\n")
    line = " ".join(summary.split()).rstrip(".")
    return line[:1].lower() + line[1:], " ".join((details or summary).split())


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = Parser(prog="phase0", description="Simulate 'phase zero', the trust-building "
                    "period that lets coproduction between racially minoritised communities "
                    "and statutory mental-health agencies work (Burgess and Choudary 2021).")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error (for reporting a bug)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        module = command(name)
        summary, description = describe(module)
        p = sub.add_parser(name.replace("_", "-"), help=summary, description=description)
        module.add_arguments(p)
        p.set_defaults(func=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``phase0``: errors become one line (:mod:`experiments.cli.errors`).

    Tracebacks are shown only with ``--debug`` (or ``PHASE0_DEBUG=1``).
    """
    from experiments.cli.errors import guarded
    from experiments.support import outputs

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, or a usage mistake already reported in one line
        return int(done.code or 0)
    outputs.COMMAND = [a for a in argv if a != "--debug"]
    debug = args.debug or os.environ.get("PHASE0_DEBUG", "") not in ("", "0")
    return guarded(f"phase0 {args.command}", lambda: args.func(args), debug)
