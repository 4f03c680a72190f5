"""The three resources the paper names, as network-level indices in [0, 1].

Evidence: Abstract, 'coproduction is enabled by symbolic, relational and material resources';
Conceptual framework (Campbell and Cornish 2010): symbolic (status, positional power, respect),
relational (strategic relationships, trust), material (economic resources, payment). Which state
variables enter each index, and the equal weights, are assumptions.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def symbolic_index(endorsement: float, acknowledgement: float,
                   recognised_standing: float) -> float:
    """Senior endorsement, acknowledgement of harm and CBO leaders' recognised standing."""
    return (endorsement + acknowledgement + recognised_standing) / 3.0


@jit
def relational_index(trust_statutory: float, recognition: float, trust_broker: float,
                     trust_cbo: float, broker_present: float) -> float:
    """Mean trust across the pair types that exist (CBO-broker only when there is a broker)."""
    total = trust_statutory + recognition + trust_cbo + broker_present * trust_broker
    return total / (3.0 + broker_present)


@jit
def material_index(level: float, payment: float) -> float:
    """Funding in hand for the broker's work and payment of CBO contributions."""
    return (level + payment) / 2.0
