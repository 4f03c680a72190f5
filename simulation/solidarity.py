"""Solidarity among CBOs: a collective voice that makes officials listen.

Evidence: Outcome, 'the identification of shared solidarity between different community
stakeholders was recognised as a critical strategy for their efforts'; Discussion, phase zero as a
'counter-public sphere for mental health, allowing historically marginalised groups to share
perspectives, experiences and feel their voices are welcome, before engaging in wider debates where
perspectives may hold less weight'. A CBO's solidarity is its trust toward the other CBOs as a
group, built in meetings among CBOs only (that counter-public). It pays in meetings with
officials, by raising their quality (``solidarity_effect``) and how much officials recognise what
the CBO says (``solidarity_weight``). Holding solidarity toward the group rather than toward each
other CBO, and the forms, are assumptions.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def voice_factor(solidarity: float, weight: float) -> float:
    """How much of what a CBO says officials take in, in [1 - weight, 1]: its collective voice."""
    return (1.0 - weight) + weight * solidarity
