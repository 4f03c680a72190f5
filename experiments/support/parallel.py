"""Process pools for comparisons, calibration and sweeps."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers fork from this process where the platform allows.

    Forked workers start at once with the model already imported, and work from notebooks and
    stdin. The context is chosen explicitly because importing Mesa sets the global start method
    to 'spawn' (mesa.batchrunner calls ``set_start_method("spawn", force=True)``).
    """
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


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
