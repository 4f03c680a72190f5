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
from simulation.streams import MonthlyBlocks, mechanism_generators

# ---------------------------------------------------------------- trust


def test_meaningfulness_is_graded_around_the_tokenism_threshold():
    q = np.array([0.2, 0.35, 0.4, 0.45, 0.6])
    m = trust.meaningful(q, 0.4, 0.05)
    assert m[2] == pytest.approx(0.5)
    assert np.all(np.diff(m) > 0) and 0 < m[0] < 0.05 and 0.95 < m[-1] < 1
    # symmetric around the threshold, and sharper with a narrower width
    assert m[1] == pytest.approx(1 - m[3])
    assert trust.meaningful(np.array([0.45]), 0.4, 0.01)[0] > m[3]


def test_meaningful_contact_builds_trust_and_tokenistic_contact_erodes_it():
    t = np.array([0.5])
    assert trust.contact_trust_change(t, np.array([0.9]), 0.1, 2.0)[0] > 0
    assert trust.contact_trust_change(t, np.array([0.1]), 0.1, 2.0)[0] < 0
    # at the equilibrium of a contact's meaningfulness nothing changes
    m = np.array([0.8])
    eq = trust.equilibrium(m, 2.0)
    assert trust.contact_trust_change(eq, m, 0.1, 2.0)[0] == pytest.approx(0.0, abs=1e-15)
    assert eq[0] == pytest.approx(0.8 / (0.8 + 2.0 * 0.2))


def test_trust_has_diminishing_returns():
    m = np.array([0.9, 0.9])
    d = trust.contact_trust_change(np.array([0.2, 0.8]), m, 0.1, 2.0)
    assert d[0] > d[1] > 0


def test_trust_is_lost_faster_than_built():
    t = np.array([0.5, 0.5])
    d = trust.contact_trust_change(t, np.array([1.0, 0.0]), 0.1, 3.0)
    assert d[1] == pytest.approx(-3.0 * d[0])


def test_repeated_contact_settles_at_its_equilibrium():
    t, m = np.array([0.1, 0.9]), np.array([0.7, 0.7])
    for _ in range(2000):
        t = t + trust.contact_trust_change(t, m, 0.05, 2.0)
    assert t == pytest.approx(trust.equilibrium(m, 2.0), abs=1e-9)


# ---------------------------------------------------------------- solidarity, heterogeneity


def test_solidarity_gives_a_collective_voice():
    v = solidarity.voice_factor(np.array([0.0, 0.5, 1.0]), 0.4)
    assert v.tolist() == pytest.approx([0.6, 0.8, 1.0])
    assert (solidarity.voice_factor(np.array([0.0, 1.0]), 0.0) == 1.0).all()


def test_actor_and_network_levels_are_uniform_in_their_spread():
    u = np.linspace(0, 1, 10_001)[:-1]
    x = heterogeneity.centred(u, 0.2)
    assert x.min() == pytest.approx(-0.2) and x.max() < 0.2
    assert x.mean() == pytest.approx(0, abs=1e-4)
    a = heterogeneity.around(np.array([0.95]), u[None, :], 0.1)
    assert a.max() == 1.0 and a.min() == pytest.approx(0.85)
    assert (heterogeneity.centred(u, 0.0) == 0).all()


def test_drift_and_inheritance():
    assert trust.drift_toward(np.array([0.8]), np.array([0.2]), 0.5)[0] == pytest.approx(0.5)
    assert trust.inherited_level(np.array([0.8]), 0.2, 0.0)[0] == pytest.approx(0.2)
    assert trust.inherited_level(np.array([0.8]), 0.2, 1.0)[0] == pytest.approx(0.8)
    m = trust.organisational_memory(0.3, np.array([0.0, 1.0]))
    assert m[0] == pytest.approx(0.3) and m[1] == pytest.approx(1.0)


# ---------------------------------------------------------------- venues, contact


def test_venue_share_and_effect():
    u = np.linspace(0, 0.999, 1000)
    assert venues.in_community_venue(u, 0.3).mean() == pytest.approx(0.3, abs=0.002)
    assert list(venues.venue_quality(np.array([True, False]), 0.1)) == [0.1, -0.1]


def test_active_slots_hold_capacity_on_average():
    rng = np.random.default_rng(1)
    held = contact.active_slots(np.full(20000, 3.25), rng.random((20000, 8)))
    assert held[:, :3].all() and not held[:, 4:].any()
    assert held[:, 3].mean() == pytest.approx(0.25, abs=0.01)


def test_senior_share_without_senior_engagement_is_zero():
    s = contact.senior_share(np.array([0.0, 1.0]), np.array([0.6, 0.6]), np.array([0.0, 0.0]),
                             0.4)
    assert s[0] == 0 and s[1] == pytest.approx(0.6)
    # once seniors fully endorse, meetings return to the proportional mix
    s = contact.senior_share(np.array([1.0]), np.array([0.9]), np.array([1.0]), 0.4)
    assert s[0] == pytest.approx(0.4)


def test_pick_officials_respects_ranks():
    rng = np.random.default_rng(2)
    idx, senior = contact.pick_officials(rng.random((1, 5000)), rng.random((1, 5000)),
                                         np.array([0.5]), 8, 10)
    assert (idx[senior] < 8).all() and (idx[~senior] >= 8).all() and idx.max() <= 17
    assert senior.mean() == pytest.approx(0.5, abs=0.03)


def test_pick_distinct_gives_distinct_uniform_subsets():
    rng = np.random.default_rng(3)
    picks = contact.pick_distinct(rng.random((200, 50, 4)), 20)
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
    with pytest.raises(ValueError):
        contact.pick_distinct(rng.random((1, 5)), 4)


def test_a_cbo_invites_distinct_others_never_itself():
    rng = np.random.default_rng(4)
    convener = rng.integers(0, 6, 3000)
    others = contact.pick_others(rng.random((3000, 3)), 6, convener)
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
    one, zero = np.array([1.0]), np.array([0.0])
    assert funding.funding_level(one, 0.8, one, 0.5)[0] == 1.0
    assert funding.funding_level(zero, 0.8, one, 0.5)[0] == 0.5
    assert funding.kpi_pressure(zero, one, zero, 0.5)[0] == 0.0
    assert funding.kpi_pressure(one, one, zero, 0.5)[0] == 1.0
    assert funding.kpi_pressure(one, one, one, 0.5)[0] == 0.5
    assert funding.kpi_pressure(one, zero, zero, 0.5)[0] == 0.0  # no money in hand, no pressure
    assert funding.payment_level(zero, one, 0.3, np.array([0.9]))[0] == 0.0
    low, high = (funding.payment_level(one, one, 0.3, np.array([r]))[0] for r in (0.1, 0.9))
    assert 0.3 <= low < high <= 1.0


def test_renewal_follows_relationships_or_observed_attendance():
    rel = np.array([0.2, 0.9])
    flexible = funding.renewal_probability(np.zeros(2), rel, 0.3, np.zeros(2), 0.4)
    assert flexible[0] < flexible[1]
    # KPI-tied: the attained fraction of the attendance target, capped at 1
    kpi = funding.renewal_probability(np.ones(3), np.zeros(3), 0.3, np.array([0.0, 0.3, 0.9]),
                                      0.6)
    assert kpi.tolist() == pytest.approx([0.0, 0.5, 1.0])


def test_contract_clock_renews_gaps_and_restarts():
    active, left = np.array([True, True, False, True]), np.array([1, 1, 1, 5])
    u = np.array([0.1, 0.9, 0.5, 0.5])
    a, n = funding.advance_contracts(active, left, u, np.full(4, 0.5), np.full(4, 12),
                                     np.full(4, 3))
    assert list(a) == [True, False, True, True]      # renewed, gap, gap over, running
    assert list(n) == [12, 3, 12, 4]
    a, n = funding.advance_contracts(np.array([True]), np.array([1]), np.array([0.9]),
                                     np.array([0.5]), np.array([12]), np.array([0]))
    assert a[0] and n[0] == 12                       # zero-month gap: a new contract at once


def test_unpaid_work_tires_and_rest_recovers():
    f0 = np.array([0.2, 0.2])
    f1 = fatigue.update_fatigue(f0, np.array([2.0, 2.0]), np.array([0.0, 1.0]), 0.1, 0.1)
    assert f1[0] > f0[0] and f1[1] < f0[1]
    assert fatigue.update_fatigue(np.array([0.9]), np.array([50.0]), np.array([0.0]), 0.1,
                                  0.0)[0] == 1.0


def test_turnover_compounds_to_annual_rate():
    p = turnover.monthly_leaving_probability(np.array([0.2]))
    assert 1 - (1 - p[0]) ** 12 == pytest.approx(0.2)


# ---------------------------------------------------------------- acknowledgement, outcomes


def test_acknowledgement_rises_with_witness_and_decays_without():
    a = np.array([0.2])
    up = acknowledgement.update_acknowledgement(a, np.array([1.0]), 0.25, np.array([0.0]), 0.0,
                                                0.0)
    down = acknowledgement.update_acknowledgement(a, np.array([0.0]), 0.25, np.array([0.0]),
                                                  0.0, 0.01)
    assert up[0] == pytest.approx(0.2 + 0.25 * 0.8) and down[0] < 0.2
    period = np.array([12, 6])
    assert acknowledgement.is_conference_month(12, period).tolist() == [True, True]
    assert acknowledgement.is_conference_month(6, period).tolist() == [False, True]
    assert not acknowledgement.is_conference_month(5, period).any()


def test_sustained_outcome_needs_the_full_hold():
    run_start = reached = np.array([-1])
    conds = [True, True, False, True, True, True]
    seen = []
    for month, c in enumerate(conds, start=1):
        run_start, reached = outcomes.update_sustained(np.array([c]), run_start, reached, month,
                                                       np.array([3]))
        seen.append(int(reached[0]))
    assert seen == [-1, -1, -1, -1, -1, 4]  # the broken run never counts; the next starts month 4


# ---------------------------------------------------------------- service users


def test_acknowledgement_is_a_soft_gate_on_safety():
    relay = np.array([[0.9, 0.9]])
    idx = engagement.membership_index(np.array([[0, -1]]), np.array([[1, -1]]), 2)
    linked = np.array([[True, False]])
    none = engagement.perceived_safety(np.array([0.0]), relay, idx, linked, np.array([0.5]), 0.8)
    full = engagement.perceived_safety(np.array([1.0]), relay, idx, linked, np.array([0.5]), 0.8)
    # without acknowledgement a share 1 - weight of the safety gets through, not nothing
    assert none[0].tolist() == pytest.approx((0.2 * full[0]).tolist())
    assert engagement.perceived_safety(np.array([0.0]), relay, idx, linked, np.array([0.5]),
                                       1.0).max() == 0.0


def test_members_hear_their_most_trusting_cbo_and_others_less():
    relay = np.array([[0.2, 0.8, 0.5]])
    first, second = np.array([[0, 0, -1]]), np.array([[1, -1, -1]])
    idx = engagement.membership_index(first, second, 3)
    s = engagement.perceived_safety(np.array([1.0]), relay, idx, first >= 0, np.array([0.5]))
    assert s[0].tolist() == pytest.approx([0.8, 0.2, 0.5 * 0.5])


def test_user_trust_falls_faster_than_it_rises():
    t = engagement.update_user_trust(np.array([0.5, 0.5]), np.array([0.7, 0.3]), 0.1, 2.0)
    assert t[0] == pytest.approx(0.52) and t[1] == pytest.approx(0.46)


def test_harm_routes_everyday_recruitment_and_tokenism():
    ack = np.array([0.0, 1.0])
    every = harm.everyday_rate(np.array([0.02, 0.02]), ack, np.array([0.5, 0.5]))
    assert every.tolist() == pytest.approx([0.02, 0.01])      # acknowledgement protects
    # a direct approach harms only before acknowledgement; recruitment to meet KPIs always
    direct = harm.recruitment_rate(np.array([0.1, 0.1]), np.zeros(2), np.zeros(2), ack,
                                   np.array([0.5, 0.5]))
    assert direct.tolist() == [0.1, 0.0]
    kpi = harm.recruitment_rate(np.zeros(2), np.ones(2), np.array([0.05, 0.05]), ack,
                                np.array([0.5, 0.5]))
    assert kpi.tolist() == pytest.approx([0.05, 0.05])


def test_harm_probability_is_the_sum_of_the_routes():
    u = np.linspace(0, 1, 100_000, endpoint=False)[None, :]
    harmed = harm.harmful_encounters(u, np.array([0.05]), np.array([0.1]),
                                     np.ones_like(u, bool), np.array([0.4]), np.array([0.5]))
    assert harmed.mean() == pytest.approx(0.05 + 0.1 + 0.2, abs=1e-4)
    not_engaged = harm.harmful_encounters(u, np.array([0.05]), np.array([0.1]),
                                          np.zeros_like(u, bool), np.array([0.4]),
                                          np.array([0.5]))
    assert not_engaged.mean() == pytest.approx(0.15, abs=1e-4)


def test_history_of_harm_grows_and_slows_learning():
    h = harm.grow_history(np.array([0.2, 0.2]), np.array([True, False]), np.array([0.5, 0.5]))
    assert h.tolist() == pytest.approx([0.6, 0.2])
    rates = harm.learning_rate(np.array([0.04]), np.array([0.5]), h)
    assert rates[0] < rates[1]


# ---------------------------------------------------------------- commissioning


def test_readiness_needs_all_three():
    r = commissioning.readiness(np.array([0.8, 0.8, 0.5]), np.array([0.8, 0.0, 0.5]),
                                np.array([0.8, 0.9, 0.5]))
    assert r.tolist() == pytest.approx([0.8, 0.0, 0.5])


def test_decision_probability_rises_smoothly_and_needs_an_open_round():
    ready = np.linspace(0.3, 0.7, 41)
    p = commissioning.decision_probability(ready, np.ones(41, bool), 0.6, 0.5, 0.05)
    assert np.all(np.diff(p) > 0) and p[20] == pytest.approx(0.3) and p[-1] < 0.6
    closed = commissioning.decision_probability(ready, np.zeros(41, bool), 0.6, 0.5, 0.05)
    assert (closed == 0).all()


def test_rounds_open_at_their_mean_interval_unless_money_is_cut():
    u = np.linspace(0, 1, 12_000, endpoint=False)
    opened = commissioning.round_opens(u, np.full(12_000, 6.0), np.ones(12_000, bool))
    assert opened.mean() == pytest.approx(1 / 6, abs=1e-3)
    assert not commissioning.round_opens(u, np.full(12_000, 6.0), np.zeros(12_000, bool)).any()
    assert not commissioning.round_opens(u, np.zeros(12_000), np.ones(12_000, bool)).any()


def test_hosts_are_drawn_uniformly():
    hosts = commissioning.pick_host(np.linspace(0, 1, 2000, endpoint=False), 20)
    assert np.bincount(hosts, minlength=20).tolist() == [100] * 20


# ---------------------------------------------------------------- champions, funding shocks


def test_champions_leave_and_arrive_at_their_rates():
    u = np.linspace(0, 1, 10_000, endpoint=False)
    stays = turnover.champion_present(np.ones(10_000, bool), u, np.array(0.1), np.array(0.3))
    arrives = turnover.champion_present(np.zeros(10_000, bool), u, np.array(0.1), np.array(0.3))
    assert stays.mean() == pytest.approx(0.9) and arrives.mean() == pytest.approx(0.3)


def test_a_funding_shock_cuts_a_running_contract_into_a_gap():
    active, left = np.array([True, True, False]), np.array([10, 10, 2])
    a, n = funding.funding_shock(active, left, np.array([0.0, 0.9, 0.0]), np.full(3, 0.1),
                                 np.full(3, 3))
    assert a.tolist() == [False, True, False] and n.tolist() == [3, 10, 2]
    a, n = funding.funding_shock(active, left, np.zeros(3), np.full(3, 0.1), np.zeros(3, int))
    assert a.tolist() == active.tolist()                      # no gaps, no shock


# ---------------------------------------------------------------- service users among themselves


def test_members_hear_relay_activity_and_fellow_members():
    relay = np.array([[0.5, 0.5, 0.5]])
    heard = engagement.what_members_hear(relay, np.array([[0.0, 1.0, 0.0]]), np.array([[0.4]]),
                                         np.array([[0.0, 0.0, 1.0]]), np.array([[0.2]]))
    assert heard[0].tolist() == pytest.approx([0.5, 0.5 + 0.4 * 0.5, 0.5 + 0.2 * 0.5])


def test_engaged_share_of_each_cbos_members():
    first, second = np.array([[0, 0, 1, -1]]), np.array([[1, -1, -1, -1]])
    idx = engagement.membership_index(first, second, 2)
    members = engagement.member_counts(idx, 1, 2)
    assert members.tolist() == [[2.0, 2.0]]
    shares = engagement.members_engaged(np.array([[True, False, False, True]]), idx, members)
    assert shares.tolist() == [[0.5, 0.5]]


# ---------------------------------------------------------------- random streams


def test_chunked_blocks_equal_month_by_month_draws():
    gens = mechanism_generators(7)
    blocks = MonthlyBlocks([gens["contact"]], 5)
    got = np.concatenate([blocks.next_block()[0] for _ in range(30)])
    ref = mechanism_generators(7)["contact"]
    expected = np.concatenate([ref.random(5) for _ in range(30)])
    assert np.array_equal(got, expected)


def test_a_replicates_numbers_do_not_depend_on_the_batch():
    alone = MonthlyBlocks([mechanism_generators(3)["engagement"]], 4)
    batch = MonthlyBlocks([mechanism_generators(s)["engagement"] for s in (9, 3)], 4)
    for _ in range(15):
        assert np.array_equal(alone.next_block()[0], batch.next_block()[1])


def test_mechanism_streams_are_distinct():
    g = mechanism_generators(0)
    assert len({float(x.random()) for x in g.values()}) == len(g)


def test_attendance_follows_trust_in_the_convener():
    trust_in_convener = np.array([0.2, 0.8])
    p = contact.attendance_probability(trust_in_convener, 1.0, np.zeros(2))
    assert p.tolist() == pytest.approx([0.2, 0.8])
    assert contact.attendance_probability(trust_in_convener, 0.0, np.zeros(2)).tolist() == [1, 1]
    assert contact.attendance_probability(np.array([1.0]), 1.0, np.array([0.25]))[0] == 0.75


def test_acknowledgement_weight_zero_removes_the_gate():
    relay = np.array([[0.6]])
    idx = engagement.membership_index(np.array([[0]]), np.array([[-1]]), 1)
    gated = engagement.perceived_safety(np.array([0.0]), relay, idx, np.array([[True]]),
                                        np.array([0.5]), 1.0)
    open_ = engagement.perceived_safety(np.array([0.0]), relay, idx, np.array([[True]]),
                                        np.array([0.5]), 0.0)
    assert gated[0, 0] == 0.0 and open_[0, 0] == pytest.approx(0.6)
