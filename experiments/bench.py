"""Speed figures for the model and the sweep engine (a benchmark, never a timed test).

Run ``python -m experiments.bench`` (or ``make bench``). Prints milliseconds per default 15-year
run for ``run`` with and without the timeseries, per run amortised through ``run_batch`` at 32
replicates, and the cost as the number of service users grows; then the sweep engine's runs per
second with 1 and 2 workers (parallel efficiency), its overhead over bare ``run_batch`` on the
same chunks, and the same small design through ``mesa.batch_run``. ``--sobol`` also times the
first- and total-order Sobol sweep over the default design at N = 1024 with 4 replicates
(about a quarter of an hour on 2 cores).
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


def sweep_figures(repeat: int) -> None:
    """Print the sweep engine's throughput, parallel efficiency, overhead and Mesa comparison."""
    import tempfile
    from pathlib import Path

    import mesa

    from experiments.sweep.engine import tasks_for
    from experiments.sweep.run import new_sweep, run_sweep
    from simulation import PhaseZeroModel

    def plan(folder: Path, **kw):
        args = dict(method="lhs", n=2048, replicates=4, seed=1, params=None, scenario=None,
                    model=None, problem_file=None, second_order=False, levels=4, values=None,
                    chunk_rows=None)
        args.update(kw)
        return new_sweep(folder, **args)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder, planned = plan(root / "plan")
        runs = planned["manifest"]["design_rows"] * planned["manifest"]["replicates"]
        tasks = tasks_for(planned["manifest"], planned["design"],
                          range(-(-planned["manifest"]["design_rows"]
                                  // planned["manifest"]["chunk_rows"])))

        def bare() -> None:
            for t in tasks:
                run_batch([p for p in t.params for _ in t.seeds], list(t.seeds) * len(t.rows))

        counter = iter(range(10**6))

        def engine(workers: int) -> None:
            f, pl = plan(root / f"s{next(counter)}")
            run_sweep(f, pl, resume=False, workers=workers, scheduler=None, shard=None,
                      progress=False)

        t_bare = _best_ms(bare, repeat) / 1000
        t1 = _best_ms(lambda: engine(1), repeat) / 1000
        t2 = _best_ms(lambda: engine(2), repeat) / 1000
        print(f"sweep, LHS over the default design, {runs} runs (256-run chunks):")
        print(f"  bare run_batch on the same chunks : {runs / t_bare:7.0f} runs/s")
        print(f"  engine, 1 worker                  : {runs / t1:7.0f} runs/s "
              f"(overhead {100 * (t1 / t_bare - 1):+.1f}%)")
        print(f"  engine, 2 workers                 : {runs / t2:7.0f} runs/s "
              f"(parallel efficiency {100 * t1 / (2 * t2):.0f}%)")

        values = [0.01 + 0.01 * i for i in range(8)]
        seeds = list(range(4))

        def with_mesa() -> None:
            mesa.batch_run(PhaseZeroModel, {"trust_gain": values, "rng": seeds},
                           number_processes=1, iterations=1, max_steps=180,
                           data_collection_period=-1, display_progress=False)

        def with_engine() -> None:
            f, pl = plan(root / f"g{next(counter)}", method="grid", n=0, replicates=4,
                         params=["trust_gain"], values={"trust_gain": values})
            run_sweep(f, pl, resume=False, workers=1, scheduler=None, shard=None,
                      progress=False)

        t_mesa = _best_ms(with_mesa, max(repeat // 2, 1)) / 1000
        t_engine = _best_ms(with_engine, repeat) / 1000
        print(f"mesa.batch_run, 8 values x 4 seeds, 1 process: {32 / t_mesa:6.0f} runs/s; "
              f"engine {32 / t_engine:6.0f} runs/s ({t_mesa / t_engine:.1f}x faster)")


def sobol_figure() -> None:
    """Time the Sobol sweep over the default design at N = 1024 with 4 replicates."""
    import tempfile
    from pathlib import Path

    from experiments.sweep.run import new_sweep, run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        folder, planned = new_sweep(
            Path(tmp) / "sobol", method="sobol", n=1024, replicates=4, seed=0, params=None,
            scenario=None, model=None, problem_file=None, second_order=False, levels=4,
            values=None, chunk_rows=None)
        runs = planned["manifest"]["design_rows"] * 4
        t0 = time.perf_counter()
        run_sweep(folder, planned, resume=False, workers=2, scheduler=None, shard=None)
        minutes = (time.perf_counter() - t0) / 60
    n_params = len(planned["manifest"]["problem"]["names"])
    print(f"Sobol (first and total order), N = 1024, {n_params} parameters incl. dummy, "
          f"4 replicates: {runs} runs in {minutes:.1f} min with 2 workers")


def main(argv: list[str] | None = None) -> None:
    """Print the benchmark figures."""
    parser = argparse.ArgumentParser(prog="python -m experiments.bench",
                                     description="Print the model's speed figures.")
    parser.add_argument("--repeat", type=int, default=5, help="timings per figure (median)")
    parser.add_argument("--sobol", action="store_true",
                        help="also time the N = 1024 Sobol sweep (about 15 minutes)")
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
    sweep_figures(max(args.repeat // 2, 1))
    if args.sobol:
        sobol_figure()


if __name__ == "__main__":
    main()
