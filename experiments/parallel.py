"""Process pools for comparisons, calibration and sweeps."""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor


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
