"""Speed figures for the model and the sweep engine (a benchmark, never a timed test).

Run ``phase0 bench`` (or ``make bench``). Prints, all measured in the same run:
the machine; milliseconds per default 15-year run for ``run`` with and without the timeseries
and for ``run_batch`` at 1, 32 and 128 replicates; the physical floor of a run (its random
numbers, one pass over its state a month, its exponentials, each timed here) and ``run_batch``
as a multiple of it; the per-agent Mesa reference (``tests/reference``) and how many times
faster ``run_batch`` is; the cost as the number of service users grows, to 100,000; loading the
compiled engine in a fresh process; then the sweep engine's runs per second with 1 and 2 workers,
its overhead over bare ``run_batch`` and the same small design through ``mesa.batch_run``.
``--compile`` also times a first-use compile in a fresh process with an empty numba cache
(about a minute and a half); ``--sobol`` times the default Sobol sweep (N = 1024, 4 replicates).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np

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

    from experiments.research.sweep.engine import tasks_for
    from experiments.research.sweep.run import new_sweep, run_sweep
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

    from experiments.research.sweep.run import new_sweep, run_sweep

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


def machine() -> str:
    """The processor and cores, for the record."""
    model = platform.processor() or "unknown processor"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def floor_figures(repeat: int, batch_ms: float) -> None:
    """The physical floor of a default run, each part timed here, and run_batch against it.

    A run cannot take less than drawing its random numbers, touching its state once a month
    (reading and writing every value) and its exponentials (one per attendee and meeting): the
    floor is their sum, each measured with compiled loops on this machine.
    """
    from numba import njit

    from simulation import month, streams
    from simulation.network import Network
    from simulation.parameters import resolve

    p = resolve({})
    net = Network([p], [0], record="none")
    net.run()
    sizes = month.block_sizes(net.shape)
    months = net.horizon
    numbers = sizes["init"] + months * sum(v for k, v in sizes.items() if k != "init")
    rng = streams.generator_states(1)[1].copy()
    out = np.empty(numbers)
    t_rng = _best_ms(lambda: streams.fill(rng, out), repeat)
    state = [a for a in net.state if a.dtype == np.float64]
    n_values = sum(a.size for a in state)
    flat = np.zeros(n_values)

    @njit(cache=False)
    def touch(x: np.ndarray, months: int) -> float:
        for _ in range(months):
            for i in range(x.shape[0]):
                x[i] = x[i] * 0.999 + 1e-9
        return x[0]

    t_touch = _best_ms(lambda: touch(flat, months), repeat)
    attendees = int((net.state.meetings_community[0] + net.state.meetings_statutory[0])
                    * net.shape.G)

    @njit(cache=False)
    def exps(n: int) -> float:
        total = 0.0
        for i in range(n):
            total += np.exp(-(i % 97) * 0.01)
        return total

    t_exp = _best_ms(lambda: exps(attendees), repeat)
    floor = t_rng + t_touch + t_exp
    print(f"physical floor of a default run: {floor:.3f} ms = random numbers {t_rng:.3f} "
          f"({numbers:,} at {1e6 * t_rng / numbers:.2f} ns) + state touched once a month "
          f"{t_touch:.3f} ({n_values * 8 / 1024:.0f} KB x {months}) + exponentials "
          f"{t_exp:.3f} ({attendees:,})")
    print(f"run_batch at 128 replicates is {batch_ms / floor:.1f}x the floor")


def reference_figures(repeat: int, batch_ms: float) -> None:
    """The per-agent Mesa reference model, and how many times faster run_batch is."""
    try:
        from tests.reference.model import run_reference
    except ImportError:
        print("reference model: tests/ not importable from here (run from the repository)")
        return
    from simulation.parameters import resolve

    p = resolve({})
    t_ref = _best_ms(lambda: run_reference(p, 1), max(repeat // 2, 1))
    print(f"per-agent Mesa reference    : {t_ref:7.1f} ms/run; run_batch x128 is "
          f"{t_ref / batch_ms:.0f}x faster")


def load_figure() -> None:
    """A fresh process: importing phase0, then loading the compiled engine and running once."""
    code = ("import time; t0 = time.perf_counter(); from simulation import run; "
            "t1 = time.perf_counter(); run({'horizon_months': 2}, 0); "
            "print(t1 - t0, time.perf_counter() - t1)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    print(f"fresh process: import {float(out[-2]):.2f} s (Mesa, pandas, numba), then engine "
          f"from cache and one short run {float(out[-1]):.2f} s")


def compile_figure() -> None:
    """A fresh process with an empty numba cache: the first-use compile."""
    with tempfile.TemporaryDirectory() as cache:
        code = ("from simulation.network import warm_engine; "
                "print(warm_engine(announce=False))")
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        seconds = float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True, env=env).stdout.split()[-1])
    print(f"first-use compile (empty cache)  : {seconds:.0f} s")


def benchmark(repeat: int = 5, compile_: bool = False, sobol: bool = False) -> None:
    """Print the benchmark figures (``phase0 bench``)."""
    print(f"phase0 benchmark, default 15-year runs; {package_versions()}")
    print(f"machine: {machine()}")
    run(seed=0)  # the engine loaded (or compiled) before anything is timed
    print(f"run, with timeseries       : {_best_ms(lambda: run(seed=1), repeat):7.2f} ms/run")
    print(f"run, without timeseries    : "
          f"{_best_ms(lambda: run(seed=1, timeseries=False), repeat):7.2f} ms/run")
    batch = {}
    for r in (1, 32, 128):
        seeds = list(range(r))
        batch[r] = _best_ms(lambda seeds=seeds: run_batch({}, seeds), repeat, r)
        print(f"run_batch, {r:3d} replicates  : {batch[r]:7.3f} ms/run")
    seeds = list(range(128))
    print(f"run_batch, 128, timeseries : "
          f"{_best_ms(lambda: run_batch({}, seeds, timeseries=True), repeat, 128):7.3f} "
          "ms/run")
    floor_figures(repeat, batch[128])
    reference_figures(repeat, batch[128])
    print("service users   run (ms/run)   run_batch x8 (ms/run)")
    few = list(range(8))
    for n in (100, 1000, 10_000, 100_000):
        p = {"n_service_users": n}
        single = _best_ms(lambda p=p: run(p, seed=1, timeseries=False), max(repeat // 2, 1))
        many = _best_ms(lambda p=p: run_batch(p, few), max(repeat // 2, 1), 8)
        print(f"{n:13d}   {single:12.1f}   {many:21.1f}")
    load_figure()
    if compile_:
        compile_figure()
    sweep_figures(max(repeat // 2, 1))
    if sobol:
        sobol_figure()
