"""The three resources the paper names, as network-level indices in [0, 1].

Evidence: Abstract, 'coproduction is enabled by symbolic, relational and material resources';
Conceptual framework (Campbell and Cornish 2010): symbolic (status, positional power, respect),
relational (strategic relationships, trust), material (economic resources, payment). Which state
variables enter each index, and the equal weights, are assumptions.
"""

from __future__ import annotations

import numpy as np


def symbolic_index(
    endorsement: np.ndarray, acknowledgement: np.ndarray, recognised_standing: np.ndarray
) -> np.ndarray:
    """Senior endorsement, acknowledgement of harm and CBO leaders' recognised standing."""
    return (endorsement + acknowledgement + recognised_standing) / 3.0


def relational_index(
    trust_statutory: np.ndarray,
    recognition: np.ndarray,
    trust_broker: np.ndarray,
    trust_cbo: np.ndarray,
    broker_present: np.ndarray,
) -> np.ndarray:
    """Mean trust across the pair types that exist (CBO-broker only when there is a broker)."""
    total = trust_statutory + recognition + trust_cbo + broker_present * trust_broker
    return total / (3.0 + broker_present)


def material_index(level: np.ndarray, payment: np.ndarray) -> np.ndarray:
    """Funding in hand for the broker's work and payment of CBO contributions."""
    return (level + payment) / 2.0
