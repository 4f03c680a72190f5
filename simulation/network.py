"""The network's state and its months, run by the compiled engine (:mod:`simulation.month`).

:class:`Network` holds the state of ``R`` replicates that share their structure, draws each
mechanism's random numbers (:mod:`simulation.streams`), and hands months to the compiled step,
or, when the month's submodels were changed (:mod:`simulation.submodels`), runs them one at a
time. The Mesa model (:mod:`simulation.model`) is the public face; its agents read their state
from a :class:`Network` with a single replicate.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from simulation import interventions, month, stepped
from simulation.parameters import BUILT_IN, REGISTRY, names
from simulation.records import METRICS, OUTCOMES, SUMMARY
from simulation.streams import generator_states, seed_states
from simulation.submodels import DEFAULT_SUBMODELS, Submodel, Submodels

__all__ = ["METRICS", "OUTCOMES", "Network"]

_MAX_MEETINGS_PER_STAFF = REGISTRY["meetings_per_staff"].valid[1]
_MAX_STATUTORY_MEETINGS = REGISTRY["statutory_meetings_per_month"].valid[1]
_MAX_ACTIVITIES = int(REGISTRY["coproduction_activities"].valid[1])
_STRUCTURE = tuple(names("structure")) + ("horizon_months",)
#: Parameters the engine reads, one record field each (everything but the structure).
_ENGINE_PARAMETERS = tuple(n for n in BUILT_IN if REGISTRY[n].kind != "structure")
#: Second spawn-key word of a user's own stream (``Network.stream``): the engine's streams are
#: spawned with one-word keys, so no user stream can coincide with one of them.
_USER_STREAM_TAG = 0x70686173
_PARAMETER_DTYPE = np.dtype([(n, np.float64) for n in _ENGINE_PARAMETERS])
_RECORD = {"none": 0, "current": 1, "full": 2}


def shape_of(first: Mapping[str, Any]) -> month.Shape:
    """The structure of a batch from one replicate's parameters."""
    C = int(first["n_cbos"])
    n_exec = int(first["n_executives"])
    n_senior_tier = n_exec + int(first["n_senior_managers"])
    n_frontline = int(first["n_frontline"])
    broker_staff = int(first["broker_staff"])
    # Meeting slots a month: the most any lever or behaviour value could ask for, so that the
    # size of the contact stream's monthly block depends on the structure alone.
    M = int(np.ceil(max(broker_staff * _MAX_MEETINGS_PER_STAFF, _MAX_STATUTORY_MEETINGS)))
    return month.Shape(
        C=C, S=n_senior_tier + n_frontline, U=int(first["n_service_users"]),
        G=min(int(first["meeting_size"]), C), M=M, A=_MAX_ACTIVITIES, n_exec=n_exec,
        n_senior_tier=n_senior_tier, n_frontline=n_frontline, broker_staff=broker_staff,
        n_faith=int(round(float(first["faith_share"]) * C)),
        share_no_cbo=float(first["share_users_no_cbo"]),
        share_two_cbos=float(first["share_users_two_cbos"]))


def state_bytes(params: Mapping[str, Any]) -> int:
    """Bytes one replicate of these structure parameters holds while it runs (state and draws).

    What sizes a memory-aware batch: the state arrays, one month of every stream's uniforms and
    a full timeseries.
    """
    shape = shape_of(params)
    blocks = sum(month.block_sizes(shape).values())
    state = 8 * (15 * shape.C + 5 * shape.S + 8 * shape.U + 2 * shape.A + 60)
    history = 8 * len(METRICS) * (int(params["horizon_months"]) + 1)
    return state + history + 8 * blocks


_engine_ready = False
_stepped_ready = False


def warm_engine(announce: bool = True, stepwise: bool = False) -> float | None:
    """Load the compiled engine, compiling it first if numba's cache cannot serve it.

    The first use after an install compiles the month step (``docs/performance.md`` says how
    long) and caches it on disk; later processes load it in well under a second. A compile is
    also needed after numba is upgraded or the engine's sources change. With ``announce``, a
    load that is taking long (a compile) is said on stderr, with a line every 15 seconds and one
    when it is done. With ``stepwise``, also the entry points that run a month submodel by
    submodel (:mod:`simulation.stepped`), which a network whose submodels were changed loads
    itself on first use. Returns the seconds taken, or ``None`` when this process had loaded it.
    """
    global _engine_ready, _stepped_ready
    from simulation.parameters import resolve

    seconds = None
    if not _engine_ready:
        _engine_ready = True

        def whole_months() -> None:
            net = Network([resolve({"horizon_months": 2})], [0], record="full", _warm=True)
            net.run()
            net.final_state()

        seconds = _loading("the model engine", announce, whole_months)
    # The submodel-by-submodel entry points are not compiled with the month: measured, they add
    # about 60 s to its 80 to 90 s, and only a model whose submodels were changed uses them.
    # Such a model's first use compiles them (cached on disk like the rest), announced as here.
    if stepwise and not _stepped_ready:
        _stepped_ready = True

        def by_submodel() -> None:
            noop = DEFAULT_SUBMODELS.insert("warm", lambda net: None, after="service_users")
            Network([resolve({"horizon_months": 2})], [0], record="full", submodels=noop,
                    _warm=True).run()

        seconds = (seconds or 0.0) + _loading("the engine's month submodel by submodel",
                                              announce, by_submodel)
    return seconds


def _loading(what: str, announce: bool, load: Callable[[], None]) -> float:
    """Seconds ``load()`` took; with ``announce``, a long one (a compile) is said on stderr."""
    done = threading.Event()
    t0 = time.perf_counter()

    def progress() -> None:
        # a load from the cache takes well under two seconds: anything longer is a compile
        if done.wait(2.0):
            return
        print(f"phase0: compiling {what} (once per install, numba version or change "
              "of its sources; later runs load it from the cache) ...", file=sys.stderr,
              flush=True)
        while not done.wait(15.0):
            print(f"phase0: still compiling, {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr, flush=True)
        print(f"phase0: {what} compiled in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr, flush=True)

    watcher = threading.Thread(target=progress, daemon=True) if announce else None
    if watcher is not None:
        watcher.start()
    try:
        load()
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    return time.perf_counter() - t0


class Network:
    """State and monthly dynamics of ``R`` independent replicates sharing their structure.

    ``params`` is one resolved parameter dict per replicate; they may differ in everything but
    the structure parameters and the horizon. ``seeds`` gives each replicate its own seed.
    ``record`` is ``"full"`` to keep every month's :data:`METRICS` in :attr:`history` (shape
    (months + 1, R)), ``"current"`` to keep only this month's (row 0), or ``"none"`` to keep
    only the state and the outcomes, which is fastest.

    The state arrays (``trust_statutory``, ``recognition``, ``user_trust``, ...; first axis the
    replicate) are the engine's own: writing to one changes what the next month reads. The
    engine does not check them (compiled code does not check indices): values written must stay
    in their ranges, indices within their arrays. ``params`` are taken as resolved
    (:func:`simulation.parameters.resolve`), as ``run`` and ``run_batch`` make them.

    ``submodels`` is the month (:mod:`simulation.submodels`): ``None`` or
    :data:`~simulation.submodels.DEFAULT_SUBMODELS` runs months in one compiled call to the
    horizon; any other list steps month by month, its submodels one after another over every
    replicate. ``model`` is the :class:`~simulation.model.PhaseZeroModel` that owns the network,
    if any (set by the model, for user submodels).
    """

    def __init__(self, params: Sequence[Mapping[str, Any]], seeds: Sequence[int],
                 record: str = "full", submodels: Submodels | Iterable[Submodel] | None = None,
                 _warm: bool = False) -> None:
        if len(params) != len(seeds) or not params:
            raise ValueError("need one parameter dict per seed, and at least one")
        if record not in _RECORD:
            raise ValueError(f"record must be 'full', 'current' or 'none', got {record!r}")
        if submodels is None:
            submodels = DEFAULT_SUBMODELS
        elif not isinstance(submodels, Submodels):
            submodels = Submodels(submodels)
        self.submodels = submodels
        self.model: Any = None
        stepwise = submodels != DEFAULT_SUBMODELS
        if not _warm:
            warm_engine(stepwise=stepwise)
        first = params[0]
        for p in params[1:]:
            for n in _STRUCTURE:
                if p[n] != first[n]:
                    raise ValueError(
                        f"replicates of one batch must share structure parameter '{n}'"
                    )
        self.R = R = len(params)
        self.horizon = int(first["horizon_months"])
        self.shape = shape = shape_of(first)
        self.C, self.S, self.U, self.G, self.M, self.A = (shape.C, shape.S, shape.U, shape.G,
                                                          shape.M, shape.A)
        self.n_exec, self.n_senior_tier = shape.n_exec, shape.n_senior_tier
        self.n_frontline, self.broker_staff = shape.n_frontline, shape.broker_staff
        # One record of every engine parameter per replicate (the engine reads p[r].name).
        self.params = np.array([tuple(float(q[n]) for n in _ENGINE_PARAMETERS) for q in params],
                               dtype=_PARAMETER_DTYPE)
        # Parameters an extension registered (simulation.parameters.register): not the
        # engine's, read by user submodels through ``p``.
        self._extension_params = {n: np.array([float(q[n]) for q in params])
                                  for n in first if n not in BUILT_IN}
        self.seeds = tuple(int(seed) for seed in seeds)
        self._user_streams: dict[str, list[np.random.Generator]] = {}
        self._extra: dict[str, np.ndarray] = {}
        # Runs that schedule timed interventions read their levers month by month; the others
        # keep month 0's throughout.
        timed = any(float(q[n]) != 0 for q in params for n in interventions.TIMED)
        self.levers = interventions.lever_table(self.params, self.horizon if timed else 0)
        self.month = 0
        self.record = record
        self._history = np.zeros((R, self.horizon + 1 if record == "full" else 1, len(METRICS)))
        self.state = month.allocate(R, shape)
        self._work = month.scratch(shape)
        # each replicate's mechanism streams, which the engine draws from month by month
        if all(int(seed) < 2**64 for seed in seeds):
            self._rng = seed_states(np.array([int(seed) for seed in seeds], np.uint64))
        else:
            self._rng = np.stack([generator_states(seed) for seed in seeds])
        month.start(self.state, self.params, self.levers, shape, self._work, self._rng,
                    self._history, _RECORD[record])
        # the month's draws of every replicate, when it steps submodel by submodel
        self._draws = stepped.draws(R, shape) if stepwise else None

    def __getattr__(self, name: str) -> np.ndarray:
        # the state arrays, by name (net.trust_statutory, net.reached, ...)
        state = self.__dict__.get("state")
        if state is not None and name in month.State._fields:
            return getattr(state, name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    # ------------------------------------------------------------------ months
    def advance(self, months: int) -> None:
        """Run ``months`` months (no further than the horizon)."""
        months = min(int(months), self.horizon - self.month)
        if months <= 0:
            return
        if self._draws is not None:
            for _ in range(months):
                self._step_submodels()
            return
        month.advance(self.state, self.params, self.levers, self.shape, self._work, self._rng,
                      self.month, months, self._history, _RECORD[self.record])
        self.month += months

    def _step_submodels(self) -> None:
        """The next month, one submodel after another over every replicate, then its record."""
        draws = self._draws
        assert draws is not None
        stepped.draw_month(self._rng, draws)
        self.month += 1          # what the submodels see: the month being simulated
        args = (self.state, self.params, self.levers, self.shape, self._work, draws, self.month)
        for sub in self.submodels:
            if sub.compiled:
                sub.function(*args)
            else:
                sub.function(self)
        record = _RECORD[self.record]
        if record > 0:
            stepped.record_month(self.state, self.shape, self._history,
                                 self.month if record == 2 else 0)

    def step(self) -> None:
        """Advance every replicate by one month, in the order of ODD section 3."""
        self.advance(1)

    def run(self) -> None:
        """Run every replicate to the horizon."""
        self.advance(self.horizon - self.month)

    @property
    def p(self) -> dict[str, np.ndarray]:
        """Every parameter but the structure as an (R,) array, by name (an extension's too)."""
        return {**{n: self.params[n] for n in _ENGINE_PARAMETERS}, **self._extension_params}

    def stream(self, name: str) -> list[np.random.Generator]:
        """A random stream of a user submodel's own: one NumPy generator per replicate.

        Seeded from each replicate's seed and ``name`` (NumPy's SeedSequence with a spawn key
        no engine stream uses), made on first use and kept: the same seed and name give the
        same numbers, and drawing from them leaves the engine's own streams, and so the
        model's common random numbers, untouched.
        """
        if name not in self._user_streams:
            digest = hashlib.sha256(name.encode()).digest()
            key = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
            self._user_streams[name] = [
                np.random.Generator(np.random.PCG64(np.random.SeedSequence(
                    seed, spawn_key=(_USER_STREAM_TAG, *key)))) for seed in self.seeds]
        return self._user_streams[name]

    def extra(self, name: str, like: str = "user_trust", dtype: Any = float) -> np.ndarray:
        """An array of a user submodel's own, kept with the network (zeros on first use).

        Shaped like the state array ``like`` (first axis the replicate), so an agent
        attribute can read it as it reads the engine's state (``EngineState``).
        """
        if name not in self._extra:
            self._extra[name] = np.zeros(getattr(self.state, like).shape, dtype=dtype)
        return self._extra[name]

    @property
    def stream_states(self) -> np.ndarray:
        """Each replicate's mechanism streams' PCG64 states now, shape (R, len(STREAMS), 4)."""
        return self._rng.copy()

    # ------------------------------------------------------------------ outputs
    @property
    def history(self) -> dict[str, np.ndarray]:
        """Recorded months of every metric, shape (months + 1, R) (one row: ``"current"``)."""
        return {m: self._history[:, :, k].T for k, m in enumerate(METRICS)}

    @property
    def summary(self) -> dict[str, np.ndarray]:
        """The network means of the current month, each of shape (R,)."""
        return {k: self.state.summary[:, i] for i, k in enumerate(SUMMARY)}

    @property
    def has_broker(self) -> np.ndarray:
        """Whether each replicate has a broker this month."""
        row = self.month if self.levers.shape[1] > 1 else 0
        return self.levers[:, row, interventions.BROKER] > 0.5

    @property
    def core_funded(self) -> np.ndarray:
        """Core funding in force this month, per replicate."""
        row = self.month if self.levers.shape[1] > 1 else 0
        return self.levers[:, row, interventions.CORE]

    @property
    def reached(self) -> np.ndarray:
        """Month each outcome was reached (-1: not yet), shape (len(OUTCOMES), R)."""
        return self.state.reached.T

    def final_state(self) -> dict[str, np.ndarray]:
        """Outcomes and end-of-run indices of every replicate, as (R,) arrays.

        Computed from the state, not the history, so it is the same whatever ``record`` is;
        the indices by the same compiled code that writes the timeseries.
        """
        s = self.state
        rows = np.zeros((self.R, len(METRICS)))
        month.end_records(s, self.shape, rows)
        record = {k: rows[:, i] for i, k in enumerate(METRICS)}
        out = {f"{name}_month": s.reached[:, i] for i, name in enumerate(OUTCOMES)}
        out.update({k: record[k] for k in SUMMARY})
        for k in ("acknowledgement", "symbolic", "material", "payment", "fatigue",
                  "brokerage_skill", "user_trust"):
            out[k] = record[k]
        out["meetings_community"] = s.meetings_community
        out["meetings_statutory"] = s.meetings_statutory
        out["harmful_encounters"] = s.harmful_total
        out["harm_history"] = record["harm_history"]
        return out
