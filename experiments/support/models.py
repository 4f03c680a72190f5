"""Loading a user's code named on the command line (``module:name``).

A command line or a Python call names the code to import. A sweep's manifest records it, and
resuming, merging or reproducing that sweep imports it again: those commands are for sweeps
whose code the user trusts.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import sys
from typing import Any

from experiments.support.outputs import UserError


def load_object(spec: str, option: str) -> Any:
    """``package.module:name`` to the object; a UserError naming ``option`` otherwise."""
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise UserError(f"{option} must look like module:name, got {spec!r}")
    # as `python -m` does: a module in the folder phase0 runs from can be named
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj = importlib.import_module(module)
        for part in name.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"cannot load {option} {spec!r}: {exc}") from None
    return obj


def model_class_name(cls: type | None) -> str | None:
    """``module:Class`` of a model class, as manifests record it (None: the model itself)."""
    from simulation.model import PhaseZeroModel

    if cls is None or cls is PhaseZeroModel:
        return None
    return f"{cls.__module__}:{cls.__qualname__}"


def source_hash(cls: type) -> str | None:
    """SHA-256 of the source file that defines ``cls`` (None when there is none to read).

    Recorded with the class name in a sweep's manifest and fingerprint, so that resuming a
    sweep after the class's code changed is refused instead of mixing two versions.
    """
    try:
        path = inspect.getsourcefile(cls)
    except TypeError:
        return None
    if not path or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_model_class(spec: str | type | None) -> tuple[type | None, str | None]:
    """A PhaseZeroModel subclass from ``module:Class`` (or the class), and its recorded name."""
    from simulation.model import PhaseZeroModel

    if spec is None:
        return None, None
    cls = load_object(spec, "--model-class") if isinstance(spec, str) else spec
    if not (isinstance(cls, type) and issubclass(cls, PhaseZeroModel)):
        raise UserError(f"--model-class {spec!r} is not a subclass of "
                        "simulation.model.PhaseZeroModel")
    return cls, model_class_name(cls)
