"""Speed figures for the model (a benchmark, never a timed test).

Run ``python -m experiments.bench`` (or ``make bench``). Prints milliseconds per default 15-year
run for ``run`` with and without the timeseries, per run amortised through ``run_batch`` at 32
replicates, and the cost as the number of service users grows.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from simulation import run, run_batch
from simulation.provenance import package_versions


def _best_ms(fn: Callable[[], object], repeat: int, per: int = 1) -> float:
    """Median of ``repeat`` timings, in milliseconds per unit of work."""
    fn()  # warm-up: imports, caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000 / per)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    """Print the benchmark figures."""
    parser = argparse.ArgumentParser(prog="python -m experiments.bench",
                                     description="Print the model's speed figures.")
    parser.add_argument("--repeat", type=int, default=5, help="timings per figure (median)")
    args = parser.parse_args(argv)
    print(f"phase0 benchmark, default 15-year runs; {package_versions()}")
    print(f"run, with timeseries       : {_best_ms(lambda: run(seed=1), args.repeat):7.1f} ms/run")
    print(f"run, without timeseries    : "
          f"{_best_ms(lambda: run(seed=1, timeseries=False), args.repeat):7.1f} ms/run")
    seeds = list(range(32))
    print(f"run_batch, 32 replicates   : "
          f"{_best_ms(lambda: run_batch({}, seeds), args.repeat, 32):7.2f} ms/run")
    print(f"run_batch, 32, timeseries  : "
          f"{_best_ms(lambda: run_batch({}, seeds, timeseries=True), args.repeat, 32):7.2f} "
          "ms/run")
    print("service users   run (ms/run)   run_batch x32 (ms/run)")
    for n in (100, 1000, 10_000):
        p = {"n_service_users": n}
        single = _best_ms(lambda p=p: run(p, seed=1, timeseries=False), max(args.repeat // 2, 1))
        batch = _best_ms(lambda p=p: run_batch(p, seeds), max(args.repeat // 2, 1), 32)
        print(f"{n:13d}   {single:12.1f}   {batch:22.2f}")


if __name__ == "__main__":
    main()
