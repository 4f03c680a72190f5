"""Reference implementation of the phase-zero rules (model 3), written for reading, not speed.

Written from docs/ODD.md (sections 2 to 7, and 9 for what is not built) and the parameter
registry only: every agent has its own ``step()``; everything is a Python loop over agents;
random numbers come from the Mesa model's own generator, one at a time, in whatever order the
rules ask for them. It shares no code with ``simulation/`` except the parameter registry, so
agreement between the two (tests/test_docking.py) checks the fast model against its
description.

All of a month's meetings read the state at the start of the month; their effects go into a
:class:`Ledger` and are applied together afterwards, so meeting order never matters (ODD 3).

Where the ODD is silent or ambiguous the choice made here is marked ``ODD ambiguity:``.
"""

from __future__ import annotations

import math

import mesa

from simulation.parameters import resolve

RANKS = ("executive", "senior", "frontline")
TURNOVER = {"executive": "turnover_executive", "senior": "turnover_senior",
            "frontline": "turnover_frontline"}


def clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def meaningfulness(q: float, threshold: float, width: float) -> float:
    """ODD 7.3: the meaningful weight of a contact of quality ``q`` (logistic)."""
    z = (q - threshold) / width
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def trust_change(t: float, m: float, gain: float, asym: float) -> float:
    """ODD 7.3: the meaningful part builds, the tokenistic part erodes ``asym`` times as fast."""
    return gain * (m * (1.0 - t) - asym * (1.0 - m) * t)


class Ledger:
    """A month's accumulated effects: meetings read the start-of-month state and add up.

    ``add`` records a trust-like change and marks the quantity as having had contact (so it does
    not drift this month); ``tally`` adds to a counter (meetings attended, skill lessons).
    """

    def __init__(self) -> None:
        self.delta: dict[tuple, float] = {}
        self.contact: set[tuple] = set()
        self.sums: dict[tuple, float] = {}

    def add(self, key: tuple, value: float) -> None:
        self.delta[key] = self.delta.get(key, 0.0) + value
        self.contact.add(key)

    def tally(self, key: tuple, value: float) -> None:
        self.sums[key] = self.sums.get(key, 0.0) + value

    def settle(self, key: tuple, value: float, base: float, decay: float) -> float:
        """The new value: this month's summed changes, or a drift home without contact."""
        if key in self.contact:
            return clip(value + self.delta[key])
        return clip(value + decay * (base - value))


# ------------------------------------------------------------------------------------ agents
class CBO(mesa.Agent):
    """A community organisation (ODD 2, 5)."""

    def __init__(self, model: ReferenceModel, index: int, faith: bool) -> None:
        super().__init__(model)
        p, rng = model.p, model.rng
        self.index, self.faith = index, faith
        self.standing = clip(p["standing_mean"] + p["standing_spread"] * (2 * rng.random() - 1)
                             + p["faith_standing_bonus"] * faith)
        self.level = p["cbo_level_spread"] * (2 * rng.random() - 1)
        spread = p["initial_trust_spread"]
        self.trust_statutory = clip(p["initial_trust_statutory"] - model.history
                                    + spread * (2 * rng.random() - 1))
        self.trust_broker = clip(p["initial_trust_broker"] + spread * (2 * rng.random() - 1))
        self.solidarity = clip(p["initial_trust_cbo"] + spread * (2 * rng.random() - 1))
        # the starting values are the baselines trust drifts back to (ODD 5)
        self.base_statutory = self.trust_statutory
        self.base_broker = self.trust_broker
        self.base_solidarity = self.solidarity
        # ODD ambiguity: skill = initial_skill + level could leave [0, 1]; it is limited to it
        # (ODD 2: all skill values lie in [0, 1]).
        self.skill = clip(p["initial_skill"] + self.level)
        self.fatigue = 0.0

    def standing_factor(self) -> float:
        w = self.model.p["standing_weight"]
        return (1 - w) + w * self.standing

    def voice_factor(self) -> float:
        w = self.model.p["solidarity_weight"]
        return (1 - w) + w * self.solidarity

    def step(self) -> None:
        """Convene a meeting of its own, in its own venue, with probability skill x rate."""
        m, p = self.model, self.model.p
        if m.rng.random() >= self.skill * p["self_contact_rate"]:
            return
        among = m.rng.random() < p["cbo_meeting_share"]
        official = None
        if not among:
            # "a CBO invites a senior official whenever seniors engage" (while a senior
            # champion is in post, ODD 7.13); ODD ambiguity: which senior is uniform over
            # executives and senior managers together, and a frontline official (uniformly) is
            # invited when seniors do not engage.
            senior = m.levers["senior_engagement"] and bool(m.seniors)
            official = m.uniform(m.seniors if senior else m.frontline)
        m.hold_meeting("cbo", self.invite_own(), official, community=True)

    def invite_own(self) -> list[CBO]:
        """Invite meeting_size - 1 distinct other CBOs; they attend on solidarity (ODD 3.1)."""
        m = self.model
        others = [c for c in m.cbos if c is not self]
        invited = m.sample(others, min(m.p["meeting_size"] - 1, len(others)))
        present = [self]  # the convener always attends its own meeting
        for c in invited:
            if m.rng.random() < m.attendance(c.solidarity, c):
                present.append(c)
        return present

    def host_session(self) -> None:
        """ODD 3.1c, 7.13: a running commissioned activity's monthly session, in this CBO's venue.

        One official: senior in proportion to the ranks when seniors engage (a champion is in
        post), otherwise frontline. ODD ambiguity: the session is read as a CBO's meeting, so
        the host invites meeting_size - 1 other CBOs as for its own meetings (3.1b), who attend
        on solidarity; it is never among CBOs only.
        """
        m = self.model
        if m.levers["senior_engagement"] or not m.frontline:
            official = m.uniform(m.officials)
        else:
            official = m.uniform(m.frontline)
        m.hold_meeting("activity", self.invite_own(), official, community=True)


class Broker(mesa.Agent):
    """The broker organisation: convenes within its capacity (ODD 3.1a)."""

    def step(self) -> None:
        m, p = self.model, self.model.p
        capacity = (p["broker_staff"] * p["meetings_per_staff"]
                    * max(m.funding_level, p["broker_persistence"]))
        for _ in range(m.slots_held(capacity)):
            among = m.rng.random() < p["cbo_meeting_share"]
            community = m.rng.random() < m.levers["venue_share"]
            official = None if among else m.pick_official()
            invited = m.sample(m.cbos, min(p["meeting_size"], len(m.cbos)))
            present = [c for c in invited
                       if m.rng.random() < m.attendance(c.trust_broker, c)]
            m.count_kpi_attendance(len(invited), len(present))
            m.hold_meeting("broker", present, official, community)


class Official(mesa.Agent):
    """A statutory official of one rank (ODD 2, 5, 7.6)."""

    def __init__(self, model: ReferenceModel, rank: str) -> None:
        super().__init__(model)
        p, rng = model.p, model.rng
        self.rank = rank
        self.level = model.culture + p["official_level_spread"] * (2 * rng.random() - 1)
        self.recognition = clip(p["initial_recognition"] + model.culture
                                + p["initial_trust_spread"] * (2 * rng.random() - 1))
        self.base = self.recognition
        self.endorsement = self.recognition
        annual = p[TURNOVER[rank]]
        self.leave_p = 1 - (1 - annual) ** (1 / 12)

    @property
    def senior(self) -> bool:
        return self.rank != "frontline"

    def step(self) -> None:
        """Recognition diffuses toward the statutory mean; endorsement follows (ODD 7.12)."""
        p = self.model.p
        self.recognition += p["org_diffusion"] * (self.model.org_mean - self.recognition)
        self.endorsement += p["endorsement_rate"] * (self.recognition - self.endorsement)

    def turn_over(self, newcomer_recognition: float, memory: float) -> None:
        """ODD 7.6: a newcomer takes the post, with inherited recognition and a level of its own.

        The newcomer's drift baseline is a stranger's start (initial_recognition plus the
        statutory culture), not the inherited value.
        """
        p = self.model.p
        self.recognition = newcomer_recognition
        self.endorsement = memory * newcomer_recognition
        self.base = clip(p["initial_recognition"] + self.model.culture)
        self.level = (self.model.culture
                      + p["official_level_spread"] * (2 * self.model.rng.random() - 1))


class ServiceUser(mesa.Agent):
    """A service user (ODD 5, 7.7)."""

    def __init__(self, model: ReferenceModel) -> None:
        super().__init__(model)
        p, rng, C = model.p, model.rng, model.n_cbos
        u = rng.random()
        self.cbos: list[int] = []
        if u >= p["share_users_no_cbo"]:
            first = min(int(rng.random() * C), C - 1)
            self.cbos.append(first)
            if u >= 1 - p["share_users_two_cbos"] and C > 1:
                second = min(int(rng.random() * (C - 1)), C - 2)
                self.cbos.append(second + (second >= first))  # uniform among the others
        self.harm = clip(rng.random() + model.history)
        self.trust = p["su_initial_trust"] * (1 - p["harm_weight"] * self.harm)
        self.threshold = p["su_threshold_mean"] + p["su_threshold_spread"] * (2 * rng.random() - 1)
        self.engaged = self.trust >= self.threshold

    def step(self) -> None:
        """Sense safety through the CBOs, learn, meet harm, then engage or not."""
        m, p = self.model, self.model.p
        cbos, heard_by = self.cbos, m.heard
        if not cbos:
            heard = m.unlinked_heard
        else:  # the most reassuring of their CBOs (ODD 7.7)
            heard = max(heard_by[c] for c in cbos)
        gap = m.gate * heard - self.trust
        # ODD 7.14: learning is slowed by the history of harm as it stands this month.
        learning = p["su_learning"] * (1 - p["harm_weight"] * self.harm)
        # ODD ambiguity: "falls trust_loss_asymmetry times faster" is read as the rate times the
        # asymmetry when safety is below trust, capped at 1 (no overshoot).
        falling = min(1.0, learning * p["trust_loss_asymmetry"])
        self.trust += (learning if gap > 0 else falling) * gap
        # Harmful encounters (ODD 7.14): at most one a month, with probability the sum of the
        # routes' probabilities, capped at 1, one uniform. ODD ambiguity: "the engaged" for the
        # tokenistic route is the state at the start of the month (last month's decision); the
        # other routes reach every user, member or not, engaged or not.
        chance = m.harm_p + (m.token_p if self.engaged else 0.0)
        if chance > 0 and m.rng.random() < min(1.0, chance):
            self.trust = max(0.0, self.trust - p["tokenism_shock"])
            self.harm += p["harm_growth"] * (1 - self.harm)
            m.harmful_encounters += 1
        if m.incident:
            # ODD 7.9: a harmful incident strikes after the trust updates, before engagement
            # is decided. ODD ambiguity: "lose harmful_incident_size" is an absolute drop.
            self.trust = max(0.0, self.trust - m.incident)
        self.engaged = self.trust >= self.threshold
        m.n_engaged += self.engaged


# ------------------------------------------------------------------------------------ model
class ReferenceModel(mesa.Model):
    def __init__(self, seed: int, record: bool = False, **params) -> None:
        super().__init__(rng=seed)
        self.p = p = resolve(params)
        self.n_cbos = C = p["n_cbos"]
        # ODD 5: the two network-level effects, drawn once
        self.culture = p["culture_spread"] * (2 * self.rng.random() - 1)
        self.history = p["history_spread"] * (2 * self.rng.random() - 1)
        n_faith = round(p["faith_share"] * C)
        self.cbos = [CBO(self, i, i < n_faith) for i in range(C)]
        self.officials = ([Official(self, "executive") for _ in range(p["n_executives"])]
                          + [Official(self, "senior") for _ in range(p["n_senior_managers"])]
                          + [Official(self, "frontline") for _ in range(p["n_frontline"])])
        self.seniors = [o for o in self.officials if o.senior]
        self.frontline = [o for o in self.officials if not o.senior]
        self.users = [ServiceUser(self) for _ in range(p["n_service_users"])]
        self.n_engaged = sum(u.engaged for u in self.users)
        self.broker = Broker(self) if p["broker_present"] else None
        self.acknowledgement = 0.0
        # ODD 7.13: a senior champion is in post at the start when senior_engagement is on
        self.champion = bool(p["senior_engagement"])
        # running commissioned activities: [host CBO index, months left] (ODD 2, 7.13)
        self.activities: list[list[int]] = []
        self.commissioned_month = -1
        # the project contract starts at month 0 (after a flexible runway, if any: ODD 7.9)
        self.runway = p["flexible_runway_months"]
        self.contract_running, self.months_left = True, p["contract_months"]
        self.kpi_invited = self.kpi_attended = 0
        self.month = 0
        self.tokenistic_share = 0.0
        self.run_start = {"pz_threshold": -1, "engagement": -1}
        self.reached = {"pz_threshold": -1, "engagement": -1}
        self.record = record
        self.series: list[dict[str, float]] = []
        self.set_levers()
        self.set_money()
        if record:
            self.series.append(self.observe(meetings={"community": 0, "statutory": 0}))

    # ------------------------------------------------------------ levers and money (ODD 7.5, 7.9)
    def happened(self, name: str) -> int:
        """The month of event ``name`` if it has happened by this month, else 0."""
        month = self.p[name]
        return month if 0 < month <= self.month else 0

    def latest(self, default, *setters: tuple[str, object]):
        """ODD 7.9: when several events set the same lever, the latest that has happened wins.

        ODD ambiguity: events of the same month are resolved in the order given (later wins).
        """
        value, when = default, 0
        for name, setting in setters:
            month = self.happened(name)
            if month and month >= when:
                value, when = setting, month
        return value

    def set_levers(self) -> None:
        """The levers in force this month (before step 1)."""
        p = self.p
        in_runway = self.month <= self.runway and self.runway > 0
        broker = p["broker_present"] and not self.happened("broker_leaves_month")
        if self.broker is not None and not broker:
            self.broker.remove()  # the broker leaves for good: its Mesa agent is removed
            self.broker = None
        # ODD ambiguity: during the runway the regime's own levers (core_funding, kpi_tied,
        # contracts and gaps) are replaced by full flexible funding, but timed events still act
        # on top of it (a funding cut or the loss of core funding stops that money too).
        core = self.latest(True if in_runway else p["core_funding"],
                           ("broker_core_funding_lost_month", False),
                           ("funding_cut_month", False),
                           ("funding_restored_month", True))
        # ODD ambiguity: a funding cut stops project money as well; restoration ends the cut
        # (project money flows again as the contract clock says) and restores core funding.
        # The contract clock keeps running through a cut: the money, not the contract, stops.
        cut = self.latest(False, ("funding_cut_month", True), ("funding_restored_month", False))
        # ODD 3, 7.9, 7.13: a timed champion event sets whether a champion is in post this
        # month (leaving wins a tie: it is later in 7.9's list); otherwise the champion is as
        # the month before, after the random comings and goings at the end of that month.
        if self.month > 0 and p["champion_arrives_month"] == self.month:
            self.champion = True
        if self.month > 0 and p["champion_leaves_month"] == self.month:
            self.champion = False
        self.levers = {
            "broker": broker,
            "core": bool(core) and broker,  # no core funding without a broker (registry)
            "project": (in_runway or self.contract_running) and not cut,
            "cut": cut,
            "kpi_tied": p["kpi_tied"] and not in_runway,
            "in_runway": in_runway,
            "venue_share": self.latest(p["venue_community_share"],
                                       ("venue_change_month", p["venue_share_after"])),
            "senior_engagement": self.champion,
        }

    def set_money(self) -> None:
        """ODD 7.5: funding level, KPI pressure and payment, from the levers and recognition."""
        p, lv = self.p, self.levers
        # ODD ambiguity: during the runway "fully funded" is read as core and project money
        # both on, so the level is min(1, core_capacity + project_capacity) (1 by default).
        self.funding_level = min(1.0, lv["core"] * p["core_capacity"]
                                 + lv["project"] * p["project_capacity"])
        self.kpi_pressure = (lv["kpi_tied"] * lv["project"]
                             * (1 - lv["core"] * p["core_independence"]))
        self.payment = p["pay_contributions"] * self.funding_level * (
            p["payment_floor"] + (1 - p["payment_floor"]) * self.mean_recognition())

    # ------------------------------------------------------------ helpers
    def mean_recognition(self) -> float:
        return sum(o.recognition for o in self.officials) / len(self.officials)

    def senior_endorsement(self) -> float:
        if not self.seniors:
            return 0.0
        return sum(o.endorsement for o in self.seniors) / len(self.seniors)

    def hosts(self) -> set[int]:
        """Indices of the CBOs hosting a running commissioned activity."""
        return {host for host, _ in self.activities}

    def cbo_payment(self, cbo: CBO) -> float:
        """ODD 7.13: a running activity pays its host in full (payment 1 for fatigue and
        quality); other CBOs get the month's payment (7.5).

        ODD ambiguity: the host is paid in full even when pay_contributions is off (the
        activity is commissioned money, not the broker's payment of contributions).
        """
        return 1.0 if cbo.index in self.month_hosts else self.payment

    def uniform(self, pool: list):
        return pool[min(int(self.rng.random() * len(pool)), len(pool) - 1)]

    def sample(self, pool: list, k: int) -> list:
        """``k`` distinct members of ``pool``, uniformly (a partial Fisher-Yates shuffle)."""
        pool = list(pool)
        for i in range(k):
            j = i + min(int(self.rng.random() * (len(pool) - i)), len(pool) - i - 1)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def slots_held(self, capacity: float) -> int:
        """ODD 7.1: the whole part of capacity, and one more with probability its fraction."""
        whole = math.floor(capacity)
        return whole + (1 if self.rng.random() < capacity - whole else 0)

    def pick_official(self) -> Official:
        """Broker or statutory bodies: senior with a probability that starts at senior_priority
        and moves toward the proportional mix of ranks as seniors endorse the work (ODD 3.1).

        ODD ambiguity: the probability is senior_priority x (1 - E) + (seniors / officials) x E
        with E the seniors' mean endorsement at the start of the month; 0 when seniors do not
        engage; the official is then uniform within the chosen group.
        """
        senior_p = 0.0
        if self.levers["senior_engagement"] and self.seniors:
            e = self.month_senior_endorsement
            senior_p = (self.p["senior_priority"] * (1 - e)
                        + len(self.seniors) / len(self.officials) * e)
        senior = self.rng.random() < senior_p
        if not self.frontline:
            senior = True
        return self.uniform(self.seniors if senior else self.frontline)

    def attendance(self, trust_in_convener: float, cbo: CBO) -> float:
        w = self.p["attendance_trust_weight"]
        return ((1 - w) + w * trust_in_convener) * (1 - cbo.fatigue)

    def count_kpi_attendance(self, invited: int, attended: int) -> None:
        """ODD 7.5: what a KPI-tied funder observes, at the broker's (or statutory) meetings.

        ODD ambiguity: all of those meetings count, among CBOs only or with an official, and a
        month's attendance is counted whether or not the contract is KPI-tied or running.
        """
        self.kpi_invited += invited
        self.kpi_attended += attended

    def statutory_convene(self) -> None:
        """Without a broker, statutory bodies convene statutory_meetings_per_month (ODD 3.1a).

        They meet in a community venue with probability statutory_venue_share. ODD ambiguity:
        the venue policy event (venue_share_after) changes the broker's share only, not this.
        """
        p = self.p
        for _ in range(self.slots_held(p["statutory_meetings_per_month"])):
            community = self.rng.random() < p["statutory_venue_share"]
            official = self.pick_official()
            invited = self.sample(self.cbos, min(p["meeting_size"], len(self.cbos)))
            present = [c for c in invited
                       if self.rng.random() < self.attendance(c.trust_statutory, c)]
            self.count_kpi_attendance(len(invited), len(present))
            self.hold_meeting("statutory", present, official, community)

    def quality(self, cbo: CBO, convener: str, official: Official | None,
                community: bool) -> float:
        """ODD 7.2: an attendee's quality of contact."""
        p = self.p
        q = p["quality_base"] + cbo.level
        q += p["venue_effect"] if community else -p["venue_effect"]
        if convener == "broker":
            q += p["mediation_effect"] * p["broker_credibility"] * cbo.trust_broker
        if official is not None:
            q += official.level + p["solidarity_effect"] * cbo.solidarity
            if official.senior:
                q += p["senior_effect"]
        q += p["material_effect"] * self.cbo_payment(cbo)
        q -= p["kpi_effect"] * self.kpi_pressure + p["fatigue_effect"] * cbo.fatigue
        q += p["quality_noise"] * (2 * self.rng.random() - 1)
        return clip(q)

    def hold_meeting(self, convener: str, present: list[CBO], official: Official | None,
                     community: bool) -> None:
        """Add one meeting's effects to the month's ledger (ODD 7.1-7.4, 7.10, 7.12)."""
        p, led = self.p, self.ledger
        if not present:
            # ODD ambiguity: a meeting nobody attends is not held (no contact, no count).
            return
        self.meetings["community" if community else "statutory"] += 1
        gain, asym = p["trust_gain"], p["trust_loss_asymmetry"]
        m_sum = 0.0
        for c in present:
            q = self.quality(c, convener, official, community)
            m = meaningfulness(q, p["tokenism_threshold"], p["quality_width"])
            m_sum += m
            self.n_attend += 1
            self.token_sum += 1 - m
            led.tally(("attended", c.index), 1.0)
            if official is None:
                # The trust rule with its own gain, solidarity_gain (ODD 7.10); a CBO alone at
                # a meeting among CBOs (nobody it invited came) builds no solidarity.
                if len(present) >= 2:
                    led.add(("solidarity", c.index),
                            trust_change(c.solidarity, m, p["solidarity_gain"], asym))
            else:
                led.add(("statutory", c.index), trust_change(c.trust_statutory, m, gain, asym))
                rec_gain = gain * c.standing_factor() * c.voice_factor()
                led.add(("recognition", official.unique_id),
                        trust_change(official.recognition, m, rec_gain, asym))
                if official.senior:
                    share = 1.0 if convener == "broker" else p["unmediated_skill_share"]
                    led.tally(("skill", c.index), m * share)
            if convener == "broker":
                led.add(("broker", c.index), trust_change(c.trust_broker, m, gain, asym))
        if official is not None and official.senior:
            self.senior_meeting_weight += m_sum / len(present)

    # ------------------------------------------------------------ one month
    def step(self) -> None:
        p = self.p
        self.month += 1
        # before step 1: the levers in force this month, and the money they give
        self.set_levers()
        self.set_money()
        self.month_senior_endorsement = self.senior_endorsement()
        self.month_hosts = self.hosts()
        self.ledger = led = Ledger()
        self.meetings = {"community": 0, "statutory": 0}
        self.n_attend, self.token_sum, self.senior_meeting_weight = 0, 0.0, 0.0
        self.harmful_encounters = 0

        # 1-2. contact and its quality: the broker (or statutory bodies), then the CBOs
        if self.broker is not None:
            self.broker.step()
        else:
            self.statutory_convene()
        for c in self.cbos:
            c.step()
        # (c) sessions of the running commissioned activities (ODD 3.1c, 7.13)
        for host, _ in self.activities:
            self.cbos[host].host_session()

        # 4 (conference attendance reads start-of-month endorsement). ODD ambiguity: the
        # conference month is each month divisible by conference_period_months, months
        # counted from 1.
        attending = 0.0
        if (self.month % p["conference_period_months"] == 0 and self.broker is not None
                and p["annual_conference"] and self.levers["senior_engagement"]
                and self.seniors):
            came = sum(1 for o in self.seniors if self.rng.random() < o.endorsement)
            attending = came / len(self.seniors)

        # 3. trust from the month's meetings, or drift home without contact
        decay = p["trust_decay"]
        for c in self.cbos:
            i = c.index
            c.trust_statutory = led.settle(("statutory", i), c.trust_statutory,
                                           c.base_statutory, decay)
            c.trust_broker = led.settle(("broker", i), c.trust_broker, c.base_broker, decay)
            c.solidarity = led.settle(("solidarity", i), c.solidarity, c.base_solidarity, decay)
        for o in self.officials:
            o.recognition = led.settle(("recognition", o.unique_id), o.recognition, o.base,
                                       decay)

        # 4. skill, fatigue, acknowledgement
        for c in self.cbos:
            lessons = led.sums.get(("skill", c.index), 0.0)
            c.skill = clip(c.skill + p["skill_gain"] * lessons * (1 - c.skill))
            attended = led.sums.get(("attended", c.index), 0.0)
            c.fatigue = clip(c.fatigue + p["fatigue_rate"] * attended * (1 - self.cbo_payment(c))
                             - p["fatigue_recovery"] * c.fatigue)
        rise = min(1.0, p["acknowledgement_conference_gain"] * attending
                   + p["acknowledgement_meeting_gain"] * self.senior_meeting_weight)
        a = self.acknowledgement + rise * (1 - self.acknowledgement)
        self.acknowledgement = a - p["acknowledgement_decay"] * a

        # 5. statutory side: diffusion, endorsement, then turnover
        self.org_mean = self.mean_recognition()
        for o in self.officials:
            o.step()
        leaving = [o for o in self.officials if self.rng.random() < o.leave_p]
        if leaving:
            # ODD ambiguity: memory and the organisation mean are read once, after endorsement
            # and before anyone is replaced, from all officials (leavers included).
            memory = p["memory_base"] + (1 - p["memory_base"]) * self.senior_endorsement()
            mean = self.mean_recognition()
            # ODD 7.6: a stranger's start is initial_recognition plus the statutory culture.
            init = clip(p["initial_recognition"] + self.culture)
            newcomer = init + memory * (mean - init)
            for o in leaving:
                o.turn_over(newcomer, memory)

        # 6. service users
        # ODD ambiguity: with no attendance this month the tokenistic share is 0.
        self.tokenistic_share = self.token_sum / self.n_attend if self.n_attend else 0.0
        self.heard = self.what_members_hear()
        self.unlinked_heard = p["unlinked_reach"] * sum(self.heard) / len(self.heard)
        w = p["acknowledgement_weight"]
        self.gate = (1 - w) + w * self.acknowledgement
        # ODD 7.14: the routes of harm every user faces, and the tokenistic one of the engaged
        self.harm_p = (p["everyday_harm_rate"] * (1 - p["harm_protection"] * self.acknowledgement)
                       + p["kpi_recruitment"] * self.kpi_pressure)
        if self.acknowledgement < p["acknowledgement_safe"]:
            self.harm_p += p["direct_recruitment"]
        self.token_p = p["encounter_rate"] * self.tokenistic_share
        self.incident = (p["harmful_incident_size"]
                         if self.month == p["harmful_incident_month"] else 0.0)
        self.n_engaged = 0
        for u in self.users:
            u.step()
        if self.incident:  # CBOs lose the same trust toward statutory partners at once
            for c in self.cbos:
                c.trust_statutory = clip(c.trust_statutory - self.incident)

        # 7. commissioning
        self.commission()

        # 8. outcomes, then the contract clock, then the senior champion
        means = self.track_outcomes()
        self.advance_contract(means)
        self.champion_comes_and_goes()
        if self.record:
            self.series.append(self.observe(self.meetings))

    def what_members_hear(self) -> list[float]:
        """ODD 7.7, 7.14: what each CBO's members hear about the space's safety.

        ``1 - (1 - relay) (1 - activity_reach x [hosts]) (1 - word_of_mouth x engaged share)``.
        ODD ambiguity: the engaged share is over all the CBO's members (the user included), as
        decided at the end of last month; 0 for a CBO without members. Hosting is that of the
        activities running this month (whose sessions were held in step 1).
        """
        p = self.p
        members = [0] * self.n_cbos
        engaged = [0] * self.n_cbos
        for u in self.users:
            for c in u.cbos:
                members[c] += 1
                engaged[c] += u.engaged
        heard = []
        for c in self.cbos:
            relay = c.trust_statutory * c.standing_factor()
            hosts = c.index in self.month_hosts
            share = engaged[c.index] / members[c.index] if members[c.index] else 0.0
            heard.append(1 - (1 - relay) * (1 - p["activity_reach"] * hosts)
                         * (1 - p["word_of_mouth"] * share))
        return heard

    def readiness(self) -> float:
        """ODD 7.13: geometric mean of mean CBO trust toward statutory partners, mean
        recognition and senior endorsement."""
        m = self.means()
        product = m["statutory"] * m["recognition"] * m["endorsement"]
        return max(0.0, product) ** (1 / 3)

    def commission(self) -> None:
        """ODD 3.7, 7.13: a commissioning round may open; activities count down; free slots fill.

        ODD ambiguity: readiness is read after this month's steps 1-6 (the state as it stands
        at step 7). A round that commissions fills every free slot (possibly none) and still
        counts as a commissioning.
        """
        p = self.p
        commissions = False
        interval = p["commissioning_interval_months"]
        if interval > 0 and not self.levers["cut"]:
            if self.rng.random() < min(1.0, 1.0 / interval):  # a round opens
                z = (p["commissioning_threshold"] - self.readiness()) / p["commissioning_width"]
                chance = p["commissioning_rate"] / (1.0 + math.exp(min(z, 700.0)))
                commissions = self.rng.random() < chance
        # running activities count down; an activity with no months left has ended
        for activity in self.activities:
            activity[1] -= 1
        self.activities = [a for a in self.activities if a[1] > 0]
        if not commissions:
            return
        if self.commissioned_month < 0:
            self.commissioned_month = self.month  # the end of phase zero (ODD 4)
        # ODD ambiguity: 7.13's "hosted by a CBO drawn uniformly" is read literally: uniform
        # among all CBOs, independently for each slot, so a host may be drawn again (the same
        # CBO may host two running activities, or follow itself), despite 3's "a new host CBO".
        for _ in range(p["coproduction_activities"] - len(self.activities)):
            self.activities.append([self.uniform(self.cbos).index, p["activity_months"]])

    def champion_comes_and_goes(self) -> None:
        """ODD 3.8, 7.13: the champion moves on, or, while there is none, one arrives."""
        p = self.p
        if self.champion:
            if self.rng.random() < p["champion_leave_rate"]:
                self.champion = False
        elif self.rng.random() < p["champion_arrival_rate"]:
            self.champion = True

    def means(self) -> dict[str, float]:
        C = self.n_cbos
        return {"statutory": sum(c.trust_statutory for c in self.cbos) / C,
                "recognition": self.mean_recognition(),
                "broker": sum(c.trust_broker for c in self.cbos) / C,
                "solidarity": sum(c.solidarity for c in self.cbos) / C,
                "endorsement": self.senior_endorsement(),
                "engaged": self.n_engaged / len(self.users)}

    def track_outcomes(self) -> dict[str, float]:
        """ODD 4: the first month from which the conditions hold for the hold length.

        The threshold measurement of phase zero is tracked always and reported only with
        pz_by_threshold; by default phase zero ends at the commissioning decision (7.13).
        """
        p, m = self.p, self.means()
        conditions = {
            "pz_threshold": (m["statutory"] >= p["pz_trust_threshold"]
                             and m["recognition"] >= p["pz_recognition_threshold"]
                             and m["endorsement"] >= p["pz_endorsement_threshold"]),
            "engagement": m["engaged"] >= p["engagement_threshold"],
        }
        holds = {"pz_threshold": p["pz_hold_months"],
                 "engagement": p["engagement_hold_months"]}
        for k, cond in conditions.items():
            if not cond:
                self.run_start[k] = -1
                continue
            if self.run_start[k] < 0:
                self.run_start[k] = self.month
            if self.reached[k] < 0 and self.month - self.run_start[k] + 1 >= holds[k]:
                self.reached[k] = self.run_start[k]
        return m

    def relational(self, m: dict[str, float]) -> float:
        """ODD 7.8: mean trust over the pair types present."""
        values = [m["statutory"], m["recognition"], m["solidarity"]]
        if self.levers["broker"]:
            values.append(m["broker"])
        return sum(values) / len(values)

    def advance_contract(self, means: dict[str, float]) -> None:
        """ODD 7.5: renewal on relationships (flexible) or observed attendance (KPI-tied)."""
        p = self.p
        if self.runway and self.month <= self.runway:
            if self.month == self.runway:  # the regime's first contract starts, fresh
                self.start_period(True, p["contract_months"])
            return
        self.clock(means)
        # ODD 7.14: a funding shock cuts a running contract short, starting a gap. ODD
        # ambiguity: the shock comes after the clock has advanced, so it can strike any contract
        # running for next month, one just renewed or newly begun included; never the flexible
        # runway (above); with contract_gap_months = 0 a shock has no effect ("none").
        if (self.contract_running and p["contract_gap_months"] > 0
                and self.rng.random() < p["funding_shock_rate"]):
            self.start_period(False, p["contract_gap_months"])

    def clock(self, means: dict[str, float]) -> None:
        """ODD 7.5: the contract clock ticks; an ending contract is renewed or not, a gap ends."""
        p = self.p
        self.months_left -= 1
        if self.months_left > 0:
            return
        if not self.contract_running:
            self.start_period(True, p["contract_months"])
            return
        if self.levers["kpi_tied"]:
            # ODD ambiguity: with nobody invited over the contract the attained rate is 0.
            rate = self.kpi_attended / self.kpi_invited if self.kpi_invited else 0.0
            renew_p = min(1.0, rate / p["kpi_target"])
        else:
            renew_p = p["renewal_base"] + (1 - p["renewal_base"]) * self.relational(means)
        if self.rng.random() < renew_p or p["contract_gap_months"] == 0:
            # ODD ambiguity: a gap of 0 months means the next contract starts at once
            self.start_period(True, p["contract_months"])
        else:
            self.start_period(False, p["contract_gap_months"])

    def start_period(self, running: bool, months: int) -> None:
        """A new contract or gap; the KPI attendance count restarts with it."""
        self.contract_running, self.months_left = running, months
        self.kpi_invited = self.kpi_attended = 0

    def observe(self, meetings: dict[str, int]) -> dict[str, float]:
        m = self.means()
        return {"month": self.month, "trust_cbo_statutory": m["statutory"],
                "recognition": m["recognition"], "trust_cbo_broker": m["broker"],
                "trust_cbo_cbo": m["solidarity"], "senior_endorsement": m["endorsement"],
                "acknowledgement": self.acknowledgement, "funding_level": self.funding_level,
                "kpi_pressure": self.kpi_pressure, "payment": self.payment,
                "meetings_community": meetings["community"],
                "meetings_statutory": meetings["statutory"],
                "tokenistic_share": self.tokenistic_share,
                "fatigue": sum(c.fatigue for c in self.cbos) / self.n_cbos,
                "brokerage_skill": sum(c.skill for c in self.cbos) / self.n_cbos,
                "user_trust": sum(u.trust for u in self.users) / len(self.users),
                "engaged_share": m["engaged"], "champion": float(self.champion),
                "activities": len(self.activities),
                "commissioned": float(self.commissioned_month >= 0)}


def run_reference(params: dict, seed: int, record: bool = False) -> dict:
    """Run the reference model to its horizon; return both outcomes (None when censored).

    With ``record``, the monthly means are returned too, under "series" (for diagnosis).
    """
    model = ReferenceModel(seed, record=record, **params)
    while model.month < model.p["horizon_months"]:
        model.step()
    # ODD 4: phase zero ends at the commissioning decision unless pz_by_threshold
    pz = (model.reached["pz_threshold"] if model.p["pz_by_threshold"]
          else model.commissioned_month)
    months = {"phase_zero": pz, "engagement": model.reached["engagement"]}
    out: dict = {k: (v if v >= 0 else None) for k, v in months.items()}
    if record:
        out["series"] = model.series
    return out
