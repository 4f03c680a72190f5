"""Service users: perceived safety, trust in the space, engagement and withdrawal.

Evidence: Discussion, 'many service users linked into the network through membership to CBOs ...
non-mental health related CBOs became bridges between service user communities and statutory
actors, relaying their views and perspectives outwards, until, service users felt the space was
safe to enter'; 'For those whose marginalisation is linked to negative experiences of violence and
racism, rejection of traditional service spaces is logical'. Mistrust is modelled as that rational
response to a history of harm, not a deficit of the community.
"""

from __future__ import annotations

from simulation.compiled import jit


@jit
def standing_factor(standing: float, weight: float) -> float:
    """How much a CBO leader's standing amplifies what passes through the CBO, in [1-w, 1]."""
    return (1.0 - weight) + weight * standing


@jit
def cbo_relay(trust_statutory: float, standing_amp: float) -> float:
    """What a CBO relays to its members about the space: its own trust, carried by standing."""
    return trust_statutory * standing_amp


@jit
def what_members_hear(relay: float, hosting: float, activity_reach: float,
                      members_engaged: float, word_of_mouth: float) -> float:
    """How safe a CBO's members hear the space is, in [0, 1].

    What the CBO relays, then a share ``activity_reach`` of the remaining way to full safety
    where the CBO hosts a commissioned activity (coproduction seen in their own space), then a
    share ``word_of_mouth x`` the engaged share of fellow members (service users among
    themselves). Evidence: Discussion, CBOs 'relaying their views and perspectives outwards,
    until, service users felt the space was safe to enter'; Symbolic contexts, care delivered 'in
    community spaces where historically marginalised groups may be more comfortable engaging'.
    The forms are assumptions.
    """
    doubt = (1.0 - relay) * (1.0 - activity_reach * hosting)
    return 1.0 - doubt * (1.0 - word_of_mouth * members_engaged)


@jit
def acknowledgement_gate(acknowledgement: float, weight: float) -> float:
    """A soft gate of acknowledgement of harm on safety, ``(1 - w) + w x acknowledgement``.

    At ``w = acknowledgement_weight`` 0 acknowledgement does not matter; at 1 safety is
    proportional to it.
    """
    return (1.0 - weight) + weight * acknowledgement


@jit
def perceived_safety(gate: float, linked: bool, heard_first: float, heard_second: float,
                     unlinked_reach: float, mean_heard: float) -> float:
    """A service user's perceived safety of the space.

    A member hears from the more reassuring of their (up to two) CBOs (``heard_*``, 0 for no
    second CBO); someone with no CBO hears a share ``unlinked_reach`` of the network's average
    (``mean_heard``). Either way it is scaled by the acknowledgement ``gate``.
    """
    if linked:
        return gate * max(heard_first, heard_second)
    return gate * (unlinked_reach * mean_heard)


@jit
def update_user_trust(trust: float, safety: float, learning: float, asymmetry: float) -> float:
    """Trust in the space after a month of moving toward perceived safety.

    Slowly up, ``asymmetry`` times faster down (the asymmetry assumption of
    :mod:`simulation.trust`).
    """
    gap = safety - trust
    rate = learning if gap > 0 else min(1.0, learning * asymmetry)
    return trust + rate * gap


@jit
def is_engaged(trust: float, threshold: float) -> bool:
    """A service user engages while their trust in the space reaches their own threshold."""
    return trust >= threshold
