"""How the model's mechanisms are compiled: numba's ``njit``, cached on disk.

Every mechanism is a small function over one agent, one meeting or one replicate, compiled to
machine code the first time it is used and loaded from numba's cache afterwards (a folder per
version of the engine's sources, :func:`cache_dir`). ``error_model="numpy"``
gives IEEE floating point (a division by zero is ``inf``, never a Python exception), as the
vectorised NumPy step this replaced had. No ``fastmath``: the order of every floating-point
operation is the one written, so results do not depend on the compiler's choices.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

F = TypeVar("F", bound=Callable)


#: The modules whose compiled code makes the engine: a change to any of them is a new engine.
#: (simulation.submodels, the Python list of the month's submodels, compiles nothing.)
ENGINE_MODULES = ("acknowledgement", "arrays", "commissioning", "compiled", "contact",
                  "contracts", "engagement", "fatigue", "funding", "harm", "heterogeneity",
                  "initial", "interventions", "meetings", "month", "outcomes", "records",
                  "resources", "service_users", "solidarity", "state", "statutory", "stepped",
                  "streams", "tracking", "trust", "turnover", "venues")


def engine_version() -> str:
    """A hash of the engine's sources: what its compiled code in numba's cache was built from."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ENGINE_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where the compiled engine is cached: one folder per engine version.

    Numba's own cache notices a change to a function's module, not to the functions it calls
    in other modules, and would go on loading machine code built from the old sources. Keying
    the folder by a hash of every engine module rules that out: changed sources compile afresh.
    ``PHASE0_CACHE_DIR`` (or numba's ``NUMBA_CACHE_DIR``) sets the parent folder; by default it
    is ``__pycache__`` beside these sources, or the user's cache folder where that is read-only.
    """
    parent = os.environ.get("PHASE0_CACHE_DIR") or os.environ.get("NUMBA_CACHE_DIR")
    if not parent:
        beside = Path(__file__).resolve().parent / "__pycache__"
        try:
            beside.mkdir(exist_ok=True)
            usable = os.access(beside, os.W_OK)
        except OSError:
            usable = False
        parent = str(beside if usable else Path.home() / ".cache" / "phase0")
    return Path(parent) / f"engine-{engine_version()}"


_CACHE_DIR = str(cache_dir())


def _compile(fn: F, **options: object) -> F:
    # numba picks a function's cache folder when it is decorated, from numba.config.CACHE_DIR:
    # point it at the engine's folder for this decoration only
    before = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = _CACHE_DIR
    try:
        return numba.njit(cache=True, error_model="numpy", **options)(fn)  # type: ignore
    finally:
        numba.config.CACHE_DIR = before


def jit(fn: F) -> F:
    """``fn`` compiled with numba (cached, IEEE floating point)."""
    return _compile(fn)


def phase(fn: F) -> F:
    """``fn``, a phase of the month over the whole state, compiled inline into its caller.

    The state is a tuple of some fifty arrays; a call that passes it would copy and count
    references to each of them, so the phases are inlined into the month step instead.
    """
    return _compile(fn, inline="always")


@intrinsic
def borrowed(typingctx, value):  # noqa: ARG001 (numba's intrinsic signature)
    """``value`` (an array, or a tuple of arrays and scalars) without reference counting.

    Numba counts references to every array it passes around, an atomic operation each time; a
    month passes the state's fifty arrays to each phase, and that counting cost more than the
    month's arithmetic. Inside the engine's entry points (:func:`simulation.month.advance`, ...)
    the state is only ever borrowed from the caller, who keeps it alive for the call, so the
    count is switched off by giving the arrays no memory owner (as ``numba.carray`` views have
    none). Never return a borrowed array to Python.
    """
    def strip(context, builder, ty, val):
        if not isinstance(ty, types.Array):
            return val
        ary = context.make_array(ty)(context, builder, value=val)
        ary.meminfo = cgutils.get_null_value(ary.meminfo.type)
        ary.parent = cgutils.get_null_value(ary.parent.type)
        return ary._getvalue()

    def codegen(context, builder, signature, args):
        ty, val = signature.args[0], args[0]
        if isinstance(ty, types.BaseTuple):
            out = val
            for i, elem in enumerate(ty.types):
                out = builder.insert_value(
                    out, strip(context, builder, elem, builder.extract_value(val, i)), i)
            return out
        return strip(context, builder, ty, val)

    return value(value), codegen
