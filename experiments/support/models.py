"""Loading a user's code named on the command line (``module:name``).

Only a command line or a Python call names code to import; a results file or manifest never
does on its own (a sweep's workers import what its command named).
"""

from __future__ import annotations

import importlib
from typing import Any

from experiments.support.outputs import UserError


def load_object(spec: str, option: str) -> Any:
    """``package.module:name`` to the object; a UserError naming ``option`` otherwise."""
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise UserError(f"{option} must look like module:name, got {spec!r}")
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
