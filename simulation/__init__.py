"""phase0: an agent-based model of 'phase zero' in coproduction of mental health services.

Burgess, R. A. and Choudary, N. (2021). Time is on our side: operationalising 'phase zero' in
coproduction of mental health services for marginalised and underserved populations in London.
International Journal of Public Administration 44(9), 753-766.

The public API: :class:`PhaseZeroModel` (a Mesa model), :func:`run`, :func:`run_batch`,
:class:`RunResult`, the parameter registry :data:`REGISTRY` and :class:`ParameterError`.
"""

from simulation.model import PhaseZeroModel
from simulation.parameters import REGISTRY, Parameter, ParameterError, defaults, resolve
from simulation.runner import RunResult, run, run_batch

__all__ = [
    "REGISTRY",
    "Parameter",
    "ParameterError",
    "PhaseZeroModel",
    "RunResult",
    "defaults",
    "resolve",
    "run",
    "run_batch",
]
__version__ = "0.1.0"
