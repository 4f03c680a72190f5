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
import contextlib
import errno
import importlib
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

from experiments.cli.options import Parser
from experiments.support.outputs import UserError
from experiments.support.parallel import Terminated
from simulation.parameters import ParameterError

#: The commands in ``phase0 --help`` order (by user; module ``a_b`` is command ``a-b``).
COMMANDS = ("run", "params", "outcomes", "compare", "sweep", "reproduce", "analyze",
            "calibrate", "ablations", "robustness", "sensitivity_study", "explore", "discover",
            "brief", "dashboard", "lessons", "bench", "docs")


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


#: Advice for the operating-system errors a user can act on.
_ADVICE = {errno.ENOSPC: "free some disk space or write elsewhere with --out",
           errno.EDQUOT: "free some of your disk quota or write elsewhere with --out",
           errno.EROFS: "the disk is read-only: write elsewhere with --out",
           errno.EACCES: "check the permissions, or write elsewhere with --out",
           errno.EPERM: "check the permissions, or write elsewhere with --out",
           errno.EBUSY: "the file or folder is in use: close what uses it and try again",
           errno.ENOENT: "check the path"}


def os_error_line(exc: OSError) -> str:
    """An operating-system error as one line: the file, the reason, what to do."""
    where = f" '{exc.filename}'" if exc.filename else ""
    reason = exc.strerror or str(exc)
    advice = _ADVICE.get(exc.errno or 0, "")
    return f"cannot use{where}: {reason}" + (f" ({advice})" if advice else "")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while a command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame: Any) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``phase0``: every user or system error becomes one line and exit 2.

    Tracebacks are shown only with ``--debug`` (or ``PHASE0_DEBUG=1``); an error that is a bug
    of phase0 rather than of the input says so, exits 1, and asks for ``--debug``.
    """
    from experiments.support import outputs

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, or a usage mistake already reported in one line
        return int(done.code or 0)
    outputs.COMMAND = [a for a in argv if a != "--debug"]
    debug = args.debug or os.environ.get("PHASE0_DEBUG", "") not in ("", "0")
    name = f"phase0 {args.command}"
    try:
        with _sigterm_as_interrupt():
            return args.func(args)
    except (ParameterError, UserError) as exc:
        if debug:
            traceback.print_exc()
        print(f"{name}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. 'head': not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except Terminated:
        print(f"{name}: terminated; no result folder was left half-written", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"{name}: interrupted; no result folder was left half-written", file=sys.stderr)
        return 130
    except OSError as exc:
        if debug:
            traceback.print_exc()
        print(f"{name}: error: {os_error_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{name}: error: out of memory; ask for fewer runs or settings, or fewer "
              "--workers", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of phase0: one line, and how to get the details
        if debug:
            traceback.print_exc()
        print(f"{name}: internal error: {type(exc).__name__}: {exc} (this is a bug of phase0, "
              "not of your input; run again with 'phase0 --debug ...' for the traceback and "
              "report it)", file=sys.stderr)
        return 1
