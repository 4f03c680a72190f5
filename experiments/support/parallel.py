"""Process pools for comparisons, calibration and sweeps, whose workers die with their parent.

A worker holds a model's state (about 170 MB); one left running after its parent was killed
(``kill -9``, an out-of-memory kill, a closed terminal) keeps that memory and a core until
someone finds it. So every worker asks the kernel to kill it when its parent dies (Linux), and
a pool left by an exception, Ctrl-C or SIGTERM cancels its queue and terminates its workers
instead of waiting for them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import FrameType, TracebackType
from typing import Any, TypeVar

T = TypeVar("T")
#: prctl option: the signal this process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None, signum: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``signum`` to this process when its parent dies (Linux only).

    ``parent``: the parent's pid as the parent saw it; if the parent has already gone by the
    time the request is made, this process exits at once (the signal would never come). On
    other platforms nothing happens; the pool's own shutdown still stops workers there.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
        except (OSError, AttributeError):  # no libc to ask: run on, as on other platforms
            pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that temporary files are removed on the way out.

    The command line reports it as "terminated" and exits 143 (128 + SIGTERM).
    """


def _worker_start(parent: int) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the parent stops the workers, so a
    # worker ignores it rather than printing a traceback of its own. A forked worker inherits
    # the parent's SIGTERM handler; the parent's terminate() must simply end it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


#: the process that installed :func:`_interrupt` (a forked worker inherits the handler)
_HANDLER_OWNER: int | None = None


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (kill, a service manager) leaves like Ctrl-C: the pool's exit stops its workers
    # and the command reports what was kept. A worker forked but not yet through its
    # initializer still has this handler: it ends quietly, as SIG_DFL would, not with a
    # traceback of its own
    if _HANDLER_OWNER is not None and os.getpid() != _HANDLER_OWNER:
        os._exit(128 + signum)
    raise Terminated(f"signal {signum}")


class Pool(ProcessPoolExecutor):
    """A process pool that, used in ``with``, stops its workers on any exception or SIGTERM."""

    _previous: Any = None

    def __enter__(self) -> Pool:  # noqa: D105
        global _HANDLER_OWNER
        if threading.current_thread() is threading.main_thread():
            _HANDLER_OWNER = os.getpid()
            self._previous = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool | None:  # noqa: D105
        try:
            if kind is None:
                return super().__exit__(kind, exc, tb)
            stop_pool(self)
            return None
        finally:
            if self._previous is not None:
                signal.signal(signal.SIGTERM, self._previous)
                self._previous = None


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what a pool has not started and terminate its workers, without waiting on them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)


def process_pool(workers: int) -> Pool:
    """A pool whose workers fork from this process where the platform allows.

    Forked workers start at once with the model already imported, and work from notebooks and
    stdin. The context is chosen explicitly because importing Mesa sets the global start method
    to 'spawn' (mesa.batchrunner calls ``set_start_method("spawn", force=True)``). Workers die
    with this process (:func:`die_with_parent`).
    """
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    return Pool(max_workers=workers, mp_context=ctx, initializer=_worker_start,
                initargs=(os.getpid(),))


def default_workers() -> int:
    """Worker processes to use by default: the cores available to this process."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def map_in_order(fn: Callable[..., T], jobs: Sequence[tuple], sizes: Sequence[int],
                 workers: int = 1, progress: bool = True, unit: str = "run",
                 desc: str = "") -> list[T]:
    """``fn(*job)`` for every job, in order, in ``workers`` processes, with a progress bar.

    ``sizes`` is how much each job advances the bar (runs, draws). Results come back in the
    order of ``jobs`` whatever order they finish in, so they do not depend on ``workers``.
    """
    from tqdm import tqdm

    bar = tqdm(total=sum(sizes), unit=unit, desc=desc, disable=not progress, file=sys.stderr)
    results: list[T] = []
    try:
        if workers <= 1:
            for job, size in zip(jobs, sizes, strict=True):
                results.append(fn(*job))
                bar.update(size)
        else:
            with process_pool(workers) as pool:
                futures = [pool.submit(fn, *job) for job in jobs]
                for future, size in zip(futures, sizes, strict=True):
                    results.append(future.result())
                    bar.update(size)
    finally:
        bar.close()
    return results
