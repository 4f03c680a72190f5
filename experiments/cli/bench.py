"""Print the model's speed figures (a benchmark, never a timed test).

Print, all measured in the same run: the machine; milliseconds per default 15-year run for run
and run_batch; the physical floor of a run and the ratio to it; the per-agent Mesa reference;
runs with up to 100,000 service users; the engine's cache load; sweep throughput; with
--compile the first-use compile and with --sobol the N = 1024 Sobol sweep.
"""

from __future__ import annotations

import argparse

from experiments.cli.options import positive


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``phase0 bench`` options."""
    p.add_argument("--repeat", type=positive, default=5, help="timings per figure (median)")
    p.add_argument("--compile", action="store_true",
                   help="also time a first-use compile with an empty numba cache")
    p.add_argument("--sobol", action="store_true",
                   help="also time the N = 1024 Sobol sweep (about 15 minutes)")


def run(args: argparse.Namespace) -> int:
    """Print the figures."""
    from experiments.develop.bench import benchmark

    benchmark(args.repeat, compile_=args.compile, sobol=args.sobol)
    return 0
