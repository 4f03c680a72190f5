import numpy as np
import pytest

from simulation import (
    acknowledgement,
    commissioning,
    contact,
    engagement,
    fatigue,
    funding,
    harm,
    heterogeneity,
    outcomes,
    solidarity,
    trust,
    turnover,
    venues,
)
from simulation.streams import STREAMS, mechanism_generators


def vec(fn, *otypes):
    """``fn``, a compiled scalar mechanism, applied elementwise over NumPy arrays."""
    return np.vectorize(fn, otypes=list(otypes) or [float])


# ---------------------------------------------------------------- trust


def test_meaningfulness_is_graded_around_the_tokenism_threshold():
    q = np.array([0.2, 0.35, 0.4, 0.45, 0.6])
    m = vec(trust.meaningful)(q, 0.4, 0.05)
    assert m[2] == pytest.approx(0.5)
    assert np.all(np.diff(m) > 0) and 0 < m[0] < 0.05 and 0.95 < m[-1] < 1
    # symmetric around the threshold, and sharper with a narrower width
    assert m[1] == pytest.approx(1 - m[3])
    assert trust.meaningful(0.45, 0.4, 0.01) > m[3]


def test_meaningful_contact_builds_trust_and_tokenistic_contact_erodes_it():
    assert trust.contact_trust_change(0.5, 0.9, 0.1, 2.0) > 0
    assert trust.contact_trust_change(0.5, 0.1, 0.1, 2.0) < 0
    # at the equilibrium of a contact's meaningfulness nothing changes
    eq = trust.equilibrium(0.8, 2.0)
    assert trust.contact_trust_change(eq, 0.8, 0.1, 2.0) == pytest.approx(0.0, abs=1e-15)
    assert eq == pytest.approx(0.8 / (0.8 + 2.0 * 0.2))


def test_trust_has_diminishing_returns():
    low, high = (trust.contact_trust_change(t, 0.9, 0.1, 2.0) for t in (0.2, 0.8))
    assert low > high > 0


def test_trust_is_lost_faster_than_built():
    gained = trust.contact_trust_change(0.5, 1.0, 0.1, 3.0)
    lost = trust.contact_trust_change(0.5, 0.0, 0.1, 3.0)
    assert lost == pytest.approx(-3.0 * gained)


def test_repeated_contact_settles_at_its_equilibrium():
    for t in (0.1, 0.9):
        for _ in range(2000):
            t = t + trust.contact_trust_change(t, 0.7, 0.05, 2.0)
        assert t == pytest.approx(trust.equilibrium(0.7, 2.0), abs=1e-9)


def test_settle_adds_a_months_change_or_drifts_back_without_contact():
    # with contact the month's change is added, kept in [0, 1]
    assert trust.settle(0.5, 0.1, 2.0, 0.2, 0.5) == pytest.approx(0.6)
    assert trust.settle(0.9, 0.3, 1.0, 0.2, 0.5) == 1.0
    assert trust.settle(0.1, -0.3, 1.0, 0.2, 0.5) == 0.0
    # without contact the change is ignored and the value drifts back toward its baseline
    assert trust.settle(0.8, 0.1, 0.0, 0.2, 0.5) == pytest.approx(0.5)


# ---------------------------------------------------------------- solidarity, heterogeneity


def test_solidarity_gives_a_collective_voice():
    v = [solidarity.voice_factor(s, 0.4) for s in (0.0, 0.5, 1.0)]
    assert v == pytest.approx([0.6, 0.8, 1.0])
    assert all(solidarity.voice_factor(s, 0.0) == 1.0 for s in (0.0, 1.0))


def test_actor_and_network_levels_are_uniform_in_their_spread():
    u = np.linspace(0, 1, 10_001)[:-1]
    x = vec(heterogeneity.centred)(u, 0.2)
    assert x.min() == pytest.approx(-0.2) and x.max() < 0.2
    assert x.mean() == pytest.approx(0, abs=1e-4)
    a = vec(heterogeneity.around)(0.95, u, 0.1)
    assert a.max() == 1.0 and a.min() == pytest.approx(0.85)
    assert (vec(heterogeneity.centred)(u, 0.0) == 0).all()


def test_drift_and_inheritance():
    assert trust.drift_toward(0.8, 0.2, 0.5) == pytest.approx(0.5)
    assert trust.inherited_level(0.8, 0.2, 0.0) == pytest.approx(0.2)
    assert trust.inherited_level(0.8, 0.2, 1.0) == pytest.approx(0.8)
    assert trust.organisational_memory(0.3, 0.0) == pytest.approx(0.3)
    assert trust.organisational_memory(0.3, 1.0) == pytest.approx(1.0)


# ---------------------------------------------------------------- venues, contact


def test_venue_share_and_effect():
    u = np.linspace(0, 0.999, 1000)
    assert vec(venues.in_community_venue, bool)(u, 0.3).mean() == pytest.approx(0.3, abs=0.002)
    assert [venues.venue_quality(c, 0.1) for c in (True, False)] == [0.1, -0.1]


def test_active_slots_hold_capacity_on_average():
    rng = np.random.default_rng(1)
    held = vec(contact.slot_held, bool)(np.arange(8), 3.25, rng.random((20000, 8)))
    assert held[:, :3].all() and not held[:, 4:].any()
    assert held[:, 3].mean() == pytest.approx(0.25, abs=0.01)


def test_senior_share_without_senior_engagement_is_zero():
    assert contact.senior_share(0.0, 0.6, 0.0, 0.4) == 0
    assert contact.senior_share(1.0, 0.6, 0.0, 0.4) == pytest.approx(0.6)
    # once seniors fully endorse, meetings return to the proportional mix
    assert contact.senior_share(1.0, 0.9, 1.0, 0.4) == pytest.approx(0.4)


def test_pick_officials_respects_ranks():
    rng = np.random.default_rng(2)
    idx, senior = vec(contact.pick_official, np.int64, bool)(rng.random(5000), rng.random(5000),
                                                             0.5, 8, 10)
    assert (idx[senior] < 8).all() and (idx[~senior] >= 8).all() and idx.max() <= 17
    assert senior.mean() == pytest.approx(0.5, abs=0.03)


def pick_distinct_rows(u, n):
    """``contact.pick_distinct`` over each row of ``u`` (shape (..., k)): k distinct of n each."""
    k = u.shape[-1]
    flat = np.ascontiguousarray(u).reshape(-1)
    out = np.empty(flat.size, np.int64)
    taken = np.empty(k, np.int64)
    for row in range(flat.size // k):
        contact.pick_distinct(flat, row * k, k, n, out, row * k, taken)
    return out.reshape(u.shape)


def test_pick_distinct_gives_distinct_uniform_subsets():
    rng = np.random.default_rng(3)
    picks = pick_distinct_rows(rng.random((200, 50, 4)), 20)
    assert picks.shape == (200, 50, 4) and picks.min() >= 0 and picks.max() <= 19
    assert all(len(set(row)) == 4 for row in picks.reshape(-1, 4))
    # every CBO is equally likely in every position (10,000 draws, expected 500 each)
    for g in range(4):
        counts = np.bincount(picks[..., g].ravel(), minlength=20)
        assert counts.min() > 400 and counts.max() < 600
    # and every unordered pair equally likely: 190 pairs, about 316 each among 60,000 pairs
    first_two = np.sort(picks[..., :2].reshape(-1, 2), axis=1)
    pair_counts = np.bincount(first_two[:, 0] * 20 + first_two[:, 1], minlength=400)
    used = pair_counts[pair_counts > 0]
    assert len(used) == 190 and used.min() > 15 and used.max() < 85
    # picking as many as there are gives every index once (the old ValueError for more picks
    # than indices is gone: the caller keeps k <= n, as the network's meeting size min(G, C))
    whole = pick_distinct_rows(rng.random((500, 5)), 5)
    assert (np.sort(whole, axis=1) == np.arange(5)).all()


def test_pick_distinct_writes_only_its_own_slice():
    u = np.array([0.9, 0.1, 0.5, 0.7, 0.3])
    out = np.full(6, -7, np.int64)
    contact.pick_distinct(u, 1, 3, 10, out, 2, np.empty(3, np.int64))
    # u[1:4] = 0.1, 0.5, 0.7: rank 1 of the 10, rank 4 of the 9 left (5), rank 5 of the 8 left (7)
    assert out.tolist() == [-7, -7, 1, 5, 7, -7]


def test_a_cbo_invites_distinct_others_never_itself():
    rng = np.random.default_rng(4)
    convener = rng.integers(0, 6, 3000)
    u = rng.random((3000, 3))
    others = np.empty((3000, 3), np.int64)
    taken = np.empty(3, np.int64)
    for i in range(3000):
        contact.pick_others(u[i], 0, 3, 6, convener[i], others[i], 0, taken)
    assert (others != convener[:, None]).all() and others.min() >= 0 and others.max() <= 5
    assert all(len(set(row)) == 3 for row in others)
    # each other CBO equally likely: 3 picks among 5 others, 3000 meetings -> 1800 each
    for c in range(6):
        counts = np.bincount(others[convener == c].ravel(), minlength=6)
        assert counts[c] == 0
    total = np.bincount(others.ravel(), minlength=6)
    assert total.min() > 1350 and total.max() < 1650


def test_contact_quality_factors_have_their_signs_and_stay_in_bounds():
    args = dict(base=0.4, cbo_level=0.0, official_level=0.0, venue=0.0, mediation=0.0,
                senior=0.0, material=0.0, solidarity=0.0, kpi=0.0, fatigue=0.0, noise=0.0)
    q0 = contact.contact_quality(**args)
    for k in ("cbo_level", "official_level", "venue", "mediation", "senior", "material",
              "solidarity"):
        assert contact.contact_quality(**{**args, k: 0.1}) > q0
        assert contact.contact_quality(**{**args, k: -0.1}) < q0
    for k in ("kpi", "fatigue"):
        assert contact.contact_quality(**{**args, k: 0.1}) < q0
    assert contact.contact_quality(**{**args, "base": 2.0}) == 1.0
    assert contact.contact_quality(**{**args, "kpi": 2.0}) == 0.0


# ---------------------------------------------------------------- funding, fatigue, turnover


def test_funding_level_kpi_pressure_and_payment():
    assert funding.funding_level(1.0, 0.8, True, 0.5) == 1.0
    assert funding.funding_level(0.0, 0.8, True, 0.5) == 0.5
    assert funding.kpi_pressure(0.0, True, 0.0, 0.5) == 0.0
    assert funding.kpi_pressure(1.0, True, 0.0, 0.5) == 1.0
    assert funding.kpi_pressure(1.0, True, 1.0, 0.5) == 0.5
    assert funding.kpi_pressure(1.0, False, 0.0, 0.5) == 0.0  # no money in hand, no pressure
    assert funding.payment_level(0.0, 1.0, 0.3, 0.9) == 0.0
    low, high = (funding.payment_level(1.0, 1.0, 0.3, r) for r in (0.1, 0.9))
    assert 0.3 <= low < high <= 1.0


def test_renewal_follows_relationships_or_observed_attendance():
    weak, strong = (funding.renewal_probability(0.0, rel, 0.3, 0.0, 0.4) for rel in (0.2, 0.9))
    assert weak < strong
    # KPI-tied: the attained fraction of the attendance target, capped at 1
    kpi = [funding.renewal_probability(1.0, 0.0, 0.3, a, 0.6) for a in (0.0, 0.3, 0.9)]
    assert kpi == pytest.approx([0.0, 0.5, 1.0])


def test_contract_clock_renews_gaps_and_restarts():
    cases = [(True, 1, 0.1), (True, 1, 0.9), (False, 1, 0.5), (True, 5, 0.5)]
    got = [funding.advance_contract(active, left, u, 0.5, 12, 3) for active, left, u in cases]
    # renewed, gap, gap over, running
    assert got == [(True, 12), (False, 3), (True, 12), (True, 4)]
    # zero-month gap: a new contract at once
    assert funding.advance_contract(True, 1, 0.9, 0.5, 12, 0) == (True, 12)


def test_unpaid_work_tires_and_rest_recovers():
    unpaid = fatigue.update_fatigue(0.2, 2.0, 0.0, 0.1, 0.1)
    paid = fatigue.update_fatigue(0.2, 2.0, 1.0, 0.1, 0.1)
    assert unpaid > 0.2 and paid < 0.2
    assert fatigue.update_fatigue(0.9, 50.0, 0.0, 0.1, 0.0) == 1.0


def test_turnover_compounds_to_annual_rate():
    p = turnover.monthly_leaving_probability(0.2)
    assert 1 - (1 - p) ** 12 == pytest.approx(0.2)


# ---------------------------------------------------------------- acknowledgement, outcomes


def test_acknowledgement_rises_with_witness_and_decays_without():
    up = acknowledgement.update_acknowledgement(0.2, 1.0, 0.25, 0.0, 0.0, 0.0)
    down = acknowledgement.update_acknowledgement(0.2, 0.0, 0.25, 0.0, 0.0, 0.01)
    assert up == pytest.approx(0.2 + 0.25 * 0.8) and down < 0.2
    periods = (12, 6)
    assert [acknowledgement.is_conference_month(12, p) for p in periods] == [True, True]
    assert [acknowledgement.is_conference_month(6, p) for p in periods] == [False, True]
    assert not any(acknowledgement.is_conference_month(5, p) for p in periods)


def test_sustained_outcome_needs_the_full_hold():
    run_start = reached = outcomes.NOT_REACHED
    conds = [True, True, False, True, True, True]
    seen = []
    for month, c in enumerate(conds, start=1):
        run_start, reached = outcomes.update_sustained(c, run_start, reached, month, 3.0)
        seen.append(int(reached))
    assert seen == [-1, -1, -1, -1, -1, 4]  # the broken run never counts; the next starts month 4


# ---------------------------------------------------------------- service users


def test_acknowledgement_is_a_soft_gate_on_safety():
    # a member of two CBOs that both relay 0.9, and someone with no CBO (reach 0.5)
    def safety(ack, weight):
        gate = engagement.acknowledgement_gate(ack, weight)
        return np.array([engagement.perceived_safety(gate, True, 0.9, 0.9, 0.5, 0.9),
                         engagement.perceived_safety(gate, False, 0.0, 0.0, 0.5, 0.9)])

    none, full = safety(0.0, 0.8), safety(1.0, 0.8)
    # without acknowledgement a share 1 - weight of the safety gets through, not nothing
    assert full.min() > 0
    assert none.tolist() == pytest.approx((0.2 * full).tolist())
    assert safety(0.0, 1.0).max() == 0.0


def test_members_hear_their_most_trusting_cbo_and_others_less():
    heard = [0.2, 0.8, 0.5]                 # what CBOs 0, 1 and 2 relay
    gate = engagement.acknowledgement_gate(1.0, 1.0)
    mean_heard = float(np.mean(heard))
    s = [engagement.perceived_safety(gate, True, heard[0], heard[1], 0.5, mean_heard),  # 0 and 1
         engagement.perceived_safety(gate, True, heard[0], 0.0, 0.5, mean_heard),  # 0 only
         engagement.perceived_safety(gate, False, 0.0, 0.0, 0.5, mean_heard)]  # no CBO
    assert s == pytest.approx([0.8, 0.2, 0.5 * 0.5])


def test_user_trust_falls_faster_than_it_rises():
    assert engagement.update_user_trust(0.5, 0.7, 0.1, 2.0) == pytest.approx(0.52)
    assert engagement.update_user_trust(0.5, 0.3, 0.1, 2.0) == pytest.approx(0.46)


def test_harm_routes_everyday_recruitment_and_tokenism():
    every = [harm.everyday_rate(0.02, ack, 0.5) for ack in (0.0, 1.0)]
    assert every == pytest.approx([0.02, 0.01])      # acknowledgement protects
    # a direct approach harms only before acknowledgement; recruitment to meet KPIs always
    direct = [harm.recruitment_rate(0.1, 0.0, 0.0, ack, 0.5) for ack in (0.0, 1.0)]
    assert direct == [0.1, 0.0]
    kpi = [harm.recruitment_rate(0.0, 1.0, 0.05, ack, 0.5) for ack in (0.0, 1.0)]
    assert kpi == pytest.approx([0.05, 0.05])


def test_harm_probability_is_the_sum_of_the_routes():
    u = np.linspace(0, 1, 100_000, endpoint=False)
    routes = 0.05 + 0.1                     # everyday plus recruitment
    harmed = vec(harm.harmed, bool)
    assert harmed(u, routes, True, 0.4, 0.5).mean() == pytest.approx(0.05 + 0.1 + 0.2, abs=1e-4)
    assert harmed(u, routes, False, 0.4, 0.5).mean() == pytest.approx(0.15, abs=1e-4)


def test_history_of_harm_grows_and_slows_learning():
    # grow_history is applied to a harmed user only; an unharmed one keeps 0.2
    grown = harm.grow_history(0.2, 0.5)
    assert grown == pytest.approx(0.6)
    assert harm.grow_history(0.2, 0.0) == pytest.approx(0.2)
    assert harm.learning_rate(0.04, 0.5, grown) < harm.learning_rate(0.04, 0.5, 0.2)


# ---------------------------------------------------------------- commissioning


def test_readiness_needs_all_three():
    r = [commissioning.readiness(*x) for x in ((0.8, 0.8, 0.8), (0.8, 0.0, 0.9), (0.5, 0.5, 0.5))]
    assert r == pytest.approx([0.8, 0.0, 0.5])


def test_decision_probability_rises_smoothly_and_needs_an_open_round():
    ready = np.linspace(0.3, 0.7, 41)
    decide = vec(commissioning.decision_probability)
    p = decide(ready, True, 0.6, 0.5, 0.05)
    assert np.all(np.diff(p) > 0) and p[20] == pytest.approx(0.3) and p[-1] < 0.6
    assert (decide(ready, False, 0.6, 0.5, 0.05) == 0).all()


def test_rounds_open_at_their_mean_interval_unless_money_is_cut():
    u = np.linspace(0, 1, 12_000, endpoint=False)
    opens = vec(commissioning.round_opens, bool)
    assert opens(u, 6.0, True).mean() == pytest.approx(1 / 6, abs=1e-3)
    assert not opens(u, 6.0, False).any()
    assert not opens(u, 0.0, True).any()


def test_hosts_are_drawn_uniformly():
    hosts = vec(commissioning.pick_host, np.int64)(np.linspace(0, 1, 2000, endpoint=False), 20)
    assert np.bincount(hosts, minlength=20).tolist() == [100] * 20


# ---------------------------------------------------------------- champions, funding shocks


def test_champions_leave_and_arrive_at_their_rates():
    u = np.linspace(0, 1, 10_000, endpoint=False)
    present = vec(turnover.champion_present, bool)
    stays, arrives = present(True, u, 0.1, 0.3), present(False, u, 0.1, 0.3)
    assert stays.mean() == pytest.approx(0.9) and arrives.mean() == pytest.approx(0.3)


def test_a_funding_shock_cuts_a_running_contract_into_a_gap():
    contracts = [(True, 10), (True, 10), (False, 2)]
    got = [funding.funding_shock(a, n, u, 0.1, 3) for (a, n), u in zip(contracts, (0.0, 0.9, 0.0),
                                                                       strict=True)]
    assert got == [(False, 3), (True, 10), (False, 2)]
    # no gaps, no shock
    assert [funding.funding_shock(a, n, 0.0, 0.1, 0) for a, n in contracts] == contracts


# ---------------------------------------------------------------- service users among themselves


def test_members_hear_relay_activity_and_fellow_members():
    # CBO 0 neither hosts nor has engaged members; CBO 1 hosts an activity (reach 0.4); all of
    # CBO 2's members are engaged (word of mouth 0.2)
    heard = [engagement.what_members_hear(0.5, hosting, 0.4, engaged, 0.2)
             for hosting, engaged in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))]
    assert heard == pytest.approx([0.5, 0.5 + 0.4 * 0.5, 0.5 + 0.2 * 0.5])


# test_engaged_share_of_each_cbos_members is gone: membership_index, member_counts and
# members_engaged now live inside the compiled month step (simulation/month.py), which passes
# the engaged share of a CBO's members to what_members_hear (tested above).


# ---------------------------------------------------------------- random streams


def test_chunked_draws_equal_month_by_month_draws():
    # a stream's doubles come in sequence: a (months, block) draw equals month-by-month draws
    block = np.empty((30, 5))
    mechanism_generators(7)["contact"].random(out=block)
    ref = mechanism_generators(7)["contact"]
    expected = np.stack([ref.random(5) for _ in range(30)])
    assert np.array_equal(block, expected)


def test_a_replicates_numbers_do_not_depend_on_the_batch():
    # a replicate's generators are its own: what other seeds in a batch draw, and when, does not
    # change its numbers (the engine-level check is test_model's run_batch-equals-seed-by-seed)
    alone = mechanism_generators(3)["engagement"].random((15, 4))
    batch = [mechanism_generators(s) for s in (9, 3)]
    got = []
    for _ in range(15):
        batch[0]["engagement"].random(7)
        got.append(batch[1]["engagement"].random(4))
    assert np.array_equal(alone, np.stack(got))


def test_mechanism_streams_are_distinct():
    g = mechanism_generators(0)
    assert list(g) == list(STREAMS)
    assert len({float(x.random()) for x in g.values()}) == len(g)


def test_attendance_follows_trust_in_the_convener():
    p = [contact.attendance_probability(t, 1.0, 0.0) for t in (0.2, 0.8)]
    assert p == pytest.approx([0.2, 0.8])
    assert [contact.attendance_probability(t, 0.0, 0.0) for t in (0.2, 0.8)] == [1, 1]
    assert contact.attendance_probability(1.0, 1.0, 0.25) == 0.75


def test_acknowledgement_weight_zero_removes_the_gate():
    def safety(weight):
        gate = engagement.acknowledgement_gate(0.0, weight)
        return engagement.perceived_safety(gate, True, 0.6, 0.0, 0.5, 0.6)

    assert safety(1.0) == 0.0 and safety(0.0) == pytest.approx(0.6)
