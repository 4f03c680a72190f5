"""The command line's error boundary: every user or system error becomes one line.

User mistakes (:class:`~experiments.support.outputs.UserError`,
:class:`~simulation.parameters.ParameterError`) and operating-system errors (a full or read-only
disk, a busy file) exit 2 with one line naming the file or option and what to do; SIGTERM and
Ctrl-C exit 143 and 130 after the writers have removed their temporary folders; anything else is
a bug of phase0, which says so, exits 1 and asks for ``--debug`` (tracebacks only then).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from experiments.support.outputs import UserError
from experiments.support.parallel import Terminated
from simulation.parameters import ParameterError

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


def guarded(name: str, work: Callable[[], int], debug: bool = False) -> int:
    """Run ``work`` (a command) and turn every way it can fail into one line and an exit code.

    ``name`` starts each line (``phase0 run``); ``debug`` also prints the traceback.
    """
    try:
        with _sigterm_as_interrupt():
            return work()
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
    except (UnicodeDecodeError, ValueError) as exc:
        if not _damaged_file(exc):
            return _bug(name, exc, debug)
        if debug:
            traceback.print_exc()
        print(f"{name}: error: a file phase0 read is damaged or not what it expects "
              f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]}); write it again, or "
              "run with --debug to see which", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{name}: error: out of memory; ask for fewer runs or settings, or fewer "
              "--workers", file=sys.stderr)
        return 2
    except Exception as exc:
        return _bug(name, exc, debug)


def _damaged_file(exc: BaseException) -> bool:
    """Whether ``exc`` is a reader's complaint about a file (pandas, pyarrow, text decoding)."""
    if isinstance(exc, UnicodeDecodeError):
        return True
    kind = type(exc)
    return kind.__module__.split(".")[0] in ("pandas", "pyarrow") and (
        "Error" in kind.__name__ or "Invalid" in kind.__name__)


def _bug(name: str, exc: BaseException, debug: bool) -> int:
    """A bug of phase0: one line, and how to get the details."""
    if debug:
        traceback.print_exc()
    print(f"{name}: internal error: {type(exc).__name__}: {exc} (this is a bug of phase0, not "
          "of your input; run again with 'phase0 --debug ...' for the traceback and report it)",
          file=sys.stderr)
    return 1
