"""The month as a list of named submodels, in the order of ODD section 3, that a user may change.

:data:`DEFAULT_SUBMODELS` is the model's month::

    levers            before step 1: a run's timed interventions (ODD 7.9)
    meetings          steps 1 to 4: contact, its quality, trust, skill, fatigue, acknowledgement
    statutory_side    step 5: recognition spreads, endorsement, officials leave and are replaced
    service_users     step 6: what members hear, safety, trust, harm, engagement
    summarise         the month's network means (read by what follows and by the records)
    commissioning     step 7: the commissioning decision, and the activities it starts
    outcomes          step 8: which outcome conditions hold, and for how long
    contract_clock    step 8: contracts, shocks, champions, and next month's money

A :class:`Submodels` collection is immutable; :meth:`~Submodels.insert`,
:meth:`~Submodels.replace` and :meth:`~Submodels.remove` return new ones. A Mesa user customises
the month in a subclass::

    def peer_support(network):
        '''Engaged users bring a friend: every service user's trust rises a little.'''
        s = network.state
        s.user_trust[:] = np.minimum(s.user_trust + 0.01, 1.0)

    class PeerSupportModel(PhaseZeroModel):
        submodels = PhaseZeroModel.submodels.insert("peer_support", peer_support,
                                                    after="service_users")

A user submodel is a Python function ``fn(network) -> None`` of the
:class:`~simulation.network.Network`, called once a month for all its replicates at once:

- ``network.state``: the state arrays (:class:`simulation.state.State`), first axis the
  replicate; read them, and write them in place (``s.user_trust[:] = ...``), keeping values in
  their ranges and indices within their arrays (the engine does not check them).
  ``network.state.monthly`` holds the month's counts once the submodels that make them have run
  (community and statutory meetings, tokenistic share: ``meetings``; users harmed:
  ``service_users``), ``network.state.summary`` the month's means once ``summarise`` has run.
- ``network.p``: every parameter as an (R,) array, by name; ``network.levers``: the lever table
  (``network.has_broker`` and ``network.core_funded`` read this month's row).
- ``network.month``: during the month's submodels, the month being simulated (1 in the first
  month; month 0 is the initial state), the same number the compiled submodels are given; after
  the month it stays at that number.
- ``network.model``: the :class:`~simulation.model.PhaseZeroModel` that owns the network, if any.
  A submodel may keep arrays of its own on the network or the model (set them in the model's
  ``__init__``, or on first call).

A user submodel that needs random numbers draws them from a stream of its own,
``network.stream(name)`` (one generator per replicate, seeded from the run's seed and the
name), never from the engine's streams: the engine's numbers then stay the same whatever the
user adds (common random numbers). Arrays of its own it keeps with ``network.extra(name)``,
which works under ``run_batch`` too (where ``network.model`` is None).

With the default list a network runs its months in one compiled call to the horizon. With any
other list it steps month by month: every stream's block of the month is drawn for all
replicates (the numbers the compiled month uses), then each submodel runs in turn (a compiled one
through its compiled loop over the replicates, a Python one called with the network), then the
month is recorded. A submodel that raises leaves its month half done (``network.month`` already
counts it): start a new network rather than step on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from simulation import stepped

__all__ = ["DEFAULT_SUBMODELS", "Submodel", "Submodels"]


@dataclass(frozen=True)
class Submodel:
    """One named step of the month.

    Attributes:
        name: its name in the list (unique).
        function: ``fn(network) -> None``; for a compiled one, the engine's entry point
            (:mod:`simulation.stepped`), called ``fn(state, params, levers, shape, work, draws,
            month)``.
        section: the part of ODD section 3 it implements ("3.1-4", ...); "user" for a user's.
        compiled: whether ``function`` is an engine entry point.
        doc: one line on what it does.
    """

    name: str
    function: Callable[..., Any]
    section: str = "user"
    compiled: bool = False
    doc: str = ""


def _first_line(fn: Callable[..., Any]) -> str:
    doc = (getattr(fn, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def _user(name: str, fn: Callable[..., Any] | Submodel, section: str, doc: str | None) -> Submodel:
    if isinstance(fn, Submodel):
        return dataclasses.replace(fn, name=name, doc=fn.doc if doc is None else doc)
    if not callable(fn):
        raise TypeError(f"submodel {name!r} must be a function fn(network), got {fn!r}")
    return Submodel(name, fn, section, False, _first_line(fn) if doc is None else doc)


class Submodels:
    """The month's submodels in order: immutable, changed by methods that return a new list."""

    __slots__ = ("_items",)

    def __init__(self, submodels: Iterable[Submodel]) -> None:
        items = tuple(submodels)
        seen: set[str] = set()
        for sub in items:
            if not isinstance(sub, Submodel):
                raise TypeError(f"expected Submodel items, got {sub!r}")
            if not isinstance(sub.name, str) or not sub.name:
                raise ValueError(f"a submodel needs a name, got {sub.name!r}")
            if sub.name in seen:
                raise ValueError(f"two submodels are named {sub.name!r}")
            seen.add(sub.name)
        self._items = items

    @property
    def names(self) -> tuple[str, ...]:
        """The submodels' names, in order."""
        return tuple(sub.name for sub in self._items)

    def _index(self, name: str) -> int:
        names = self.names
        if name not in names:
            raise ValueError(f"no submodel named {name!r}; the submodels are: "
                             + ", ".join(names))
        return names.index(name)

    def __getitem__(self, key: str | int) -> Submodel:
        return self._items[self._index(key) if isinstance(key, str) else key]

    def __iter__(self) -> Iterator[Submodel]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Submodels):
            return NotImplemented
        return self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Submodels({', '.join(self.names)})"

    def insert(self, name: str, fn: Callable[..., Any] | Submodel, *, after: str | None = None,
               before: str | None = None, section: str = "user",
               doc: str | None = None) -> Submodels:
        """A new list with ``fn(network)`` as submodel ``name``, just after or before another.

        Give exactly one of ``after`` and ``before``. ``doc`` defaults to the first line of
        ``fn``'s docstring. ``fn`` may also be a :class:`Submodel` (a built-in one, to run it
        again or elsewhere), which is inserted under ``name``.
        """
        if (after is None) == (before is None):
            raise ValueError("insert needs exactly one of after= and before=")
        if name in self.names:
            raise ValueError(f"there is already a submodel named {name!r}")
        k = self._index(after) + 1 if after is not None else self._index(before)  # type: ignore
        new = _user(name, fn, section, doc)
        return Submodels(self._items[:k] + (new,) + self._items[k:])

    def replace(self, name: str, fn: Callable[..., Any] | Submodel, *,
                doc: str | None = None) -> Submodels:
        """A new list with submodel ``name`` replaced by ``fn(network)`` (same name, section)."""
        k = self._index(name)
        new = _user(name, fn, self._items[k].section, doc)
        return Submodels(self._items[:k] + (new,) + self._items[k + 1:])

    def remove(self, name: str) -> Submodels:
        """A new list without submodel ``name``."""
        k = self._index(name)
        return Submodels(self._items[:k] + self._items[k + 1:])


def _builtin(name: str, function: Callable[..., Any], section: str, doc: str) -> Submodel:
    return Submodel(name, function, section, True, doc)


#: The model's month, in the order of ODD section 3 (and of :func:`simulation.month.month_step`).
DEFAULT_SUBMODELS = Submodels((
    _builtin("levers", stepped.step_levers, "3, before step 1 (7.9)",
             "A run's timed interventions: champion events, and the money in force this month."),
    _builtin("meetings", stepped.step_meetings, "3, steps 1-4",
             "Who meets, how meaningful it is, and what it does to trust, skill, fatigue and "
             "acknowledgement."),
    _builtin("statutory_side", stepped.step_statutory_side, "3, step 5",
             "Recognition spreads, endorsement follows it, officials leave and are replaced."),
    _builtin("service_users", stepped.step_service_users, "3, step 6",
             "What members hear, their safety, trust and harm, and who engages."),
    _builtin("summarise", stepped.step_summarise, "3, after step 6",
             "The month's network means, for the outcomes, the records and contract renewal."),
    _builtin("commissioning", stepped.step_commissioning, "3, step 7",
             "The commissioning decision, and the activities it starts and runs."),
    _builtin("outcomes", stepped.step_outcomes, "3, step 8",
             "Which outcome conditions hold, and for how long."),
    _builtin("contract_clock", stepped.step_contract_clock, "3, step 8",
             "Contracts end, renew or gap; shocks; champions; next month's money."),
))
