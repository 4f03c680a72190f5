"""Reference implementation of the phase-zero rules, written for reading, not speed.

Written from docs/ODD.md: every agent has its own ``step()``; everything is a Python loop over
agents; random numbers come from the model's own generator, one at a time, in whatever order the
rules ask for them. It shares no code with ``simulation/`` except the parameter registry, so
agreement between the two (tests/test_docking.py) checks the fast model against its description.
"""

from __future__ import annotations

import math

import mesa

from simulation.parameters import resolve


def clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def trust_change(trust: float, quality: float, gain: float, tok: float, asym: float) -> float:
    """ODD 7.3: rise above the tokenism threshold, fall (faster) below it."""
    if quality >= tok:
        return gain * (quality - tok) / max(1.0 - tok, 1e-9) * (1.0 - trust)
    return -gain * asym * (tok - quality) / max(tok, 1e-9) * trust


class Ledger:
    """A month's accumulated effects: meetings read the start-of-month state and add up."""

    def __init__(self) -> None:
        self.delta: dict[tuple, float] = {}
        self.count: dict[tuple, int] = {}

    def add(self, key: tuple, value: float, contact: bool = True) -> None:
        self.delta[key] = self.delta.get(key, 0.0) + value
        if contact:
            self.count[key] = self.count.get(key, 0) + 1


class CBO(mesa.Agent):
    def __init__(self, model: ReferenceModel, index: int, faith: bool) -> None:
        super().__init__(model)
        self.index, self.faith = index, faith
        p, rng = model.p, model.rng
        self.standing = clip(0.3 + 0.4 * rng.random() + p["faith_standing_bonus"] * faith)
        self.trust_statutory = clip(p["initial_trust_statutory"] + 0.1 * (2 * rng.random() - 1))
        self.trust_broker = clip(p["initial_trust_broker"] + 0.1 * (2 * rng.random() - 1))
        self.base_statutory, self.base_broker = self.trust_statutory, self.trust_broker
        self.trust_cbo: dict[int, float] = {}
        self.skill = 0.0
        self.fatigue = 0.0

    def amplification(self) -> float:
        w = self.model.p["standing_weight"]
        return (1 - w) + w * self.standing

    def solidarity(self) -> float:
        return sum(self.trust_cbo.values()) / max(len(self.trust_cbo), 1)

    def step(self) -> None:
        """Convene a meeting with statutory leaders in the CBO's own venue, if skilled enough."""
        m, p = self.model, self.model.p
        if m.rng.random() < self.skill * p["self_contact_rate"]:
            official = m.pick_official(senior_share=1.0 if p["senior_engagement"] else 0.0)
            m.hold_meeting([self], official, community=True, by_broker=False, among_cbos=False)


class Broker(mesa.Agent):
    def step(self) -> None:
        """Convene this month's meetings within the capacity funding (or persistence) allows."""
        m, p = self.model, self.model.p
        capacity = m.broker_staff * p["meetings_per_staff"] * max(m.funding_level,
                                                                   p["broker_persistence"])
        for _ in range(m.slots_held(capacity)):
            among = m.rng.random() < p["cbo_meeting_share"]
            community = m.rng.random() < p["venue_community_share"]
            official = None if among else m.pick_official(m.senior_share())
            invited = m.invite()
            present = [c for c in invited if m.rng.random() < m.attendance(c.trust_broker, c)]
            m.hold_meeting(present, official, community, by_broker=True, among_cbos=among)


class Official(mesa.Agent):
    def __init__(self, model: ReferenceModel, rank: str) -> None:
        super().__init__(model)
        self.rank = rank
        p = model.p
        self.recognition = clip(p["initial_recognition"] + 0.1 * (2 * model.rng.random() - 1))
        self.base = self.recognition
        self.endorsement = self.recognition
        annual = p[{"executive": "turnover_executive", "senior": "turnover_senior",
                    "frontline": "turnover_frontline"}[rank]]
        self.leave_p = 1 - (1 - annual) ** (1 / 12)

    @property
    def senior(self) -> bool:
        return self.rank != "frontline"

    def step(self) -> None:
        """Learning spreads within the statutory side; endorsement follows recognition."""
        p = self.model.p
        self.recognition += p["org_diffusion"] * (self.model.org_mean - self.recognition)
        self.endorsement += p["endorsement_rate"] * (self.recognition - self.endorsement)


class ServiceUser(mesa.Agent):
    def __init__(self, model: ReferenceModel) -> None:
        super().__init__(model)
        p, rng, C = model.p, model.rng, model.n_cbos
        u_member = rng.random()
        first = min(int(rng.random() * C), C - 1)
        other = (first + 1 + min(int(rng.random() * (C - 1)), C - 2)) % C if C > 1 else -1
        self.cbos = []
        if u_member >= p["share_users_no_cbo"]:
            self.cbos.append(first)
            if u_member >= 1 - p["share_users_two_cbos"] and C > 1:
                self.cbos.append(other)
        harm = rng.random()
        self.trust = p["su_initial_trust"] * (1 - p["harm_weight"] * harm)
        self.learning = p["su_learning"] * (1 - p["harm_weight"] * harm)
        self.threshold = clip(p["su_threshold_mean"]
                              + p["su_threshold_spread"] * (2 * rng.random() - 1))
        self.engaged = self.trust >= self.threshold

    def step(self) -> None:
        """Hear from the CBOs how safe the space is; learn; meet harm; engage or not."""
        m, p = self.model, self.model.p
        relay = m.relay
        if self.cbos:
            heard = max(relay[c] for c in self.cbos)
        else:
            heard = p["unlinked_reach"] * sum(relay) / len(relay)
        w = p["acknowledgement_weight"]
        safety = ((1 - w) + w * m.acknowledgement) * heard
        gap = safety - self.trust
        rate = self.learning if gap > 0 else min(1.0, self.learning * p["trust_loss_asymmetry"])
        self.trust += rate * gap
        # one draw decides both routes of harm, from opposite ends: at most one a month
        draw = m.rng.random()
        forced = (m.acknowledgement < p["acknowledgement_safe"]
                  and draw < p["direct_recruitment"] + m.kpi_pressure * p["kpi_recruitment"])
        token = self.engaged and draw >= 1 - p["encounter_rate"] * m.tokenistic_share
        if forced or token:
            self.trust = clip(self.trust - p["tokenism_shock"])
        self.engaged = self.trust >= self.threshold


class ReferenceModel(mesa.Model):
    def __init__(self, seed: int, **params) -> None:
        super().__init__(rng=seed)
        self.p = p = resolve(params)
        self.n_cbos = C = p["n_cbos"]
        self.broker_staff = p["broker_staff"]
        self.G = min(p["meeting_size"], C)
        self.M = math.ceil(max(p["broker_staff"] * 4.0, 8.0))
        n_faith = round(p["faith_share"] * C)
        self.cbos = [CBO(self, i, i < n_faith) for i in range(C)]
        for c in self.cbos:
            for k in range(C):
                if k != c.index:
                    c.trust_cbo[k] = clip(p["initial_trust_cbo"]
                                          + 0.1 * (2 * self.rng.random() - 1))
            c.base_cbo = dict(c.trust_cbo)
        self.broker = Broker(self) if p["broker_present"] else None
        self.officials = ([Official(self, "executive") for _ in range(p["n_executives"])]
                          + [Official(self, "senior") for _ in range(p["n_senior_managers"])]
                          + [Official(self, "frontline") for _ in range(p["n_frontline"])])
        self.seniors = [o for o in self.officials if o.senior]
        self.frontline = [o for o in self.officials if not o.senior]
        self.users = [ServiceUser(self) for _ in range(p["n_service_users"])]
        self.acknowledgement = 0.0
        self.project_active, self.months_left = True, p["contract_months"]
        self.update_money()
        self.month = 0
        self.run_start = {k: -1 for k in ("phase_zero", "engagement")}
        self.reached = {k: -1 for k in ("phase_zero", "engagement")}

    # ---------------------------------------------------------------- helpers
    def update_money(self) -> None:
        p = self.p
        core = p["core_funding"] and p["broker_present"]  # the broker's core funding
        self.funding_level = min(1.0, core * p["core_capacity"]
                                 + self.project_active * p["project_capacity"])
        self.kpi_pressure = (p["kpi_tied"] * self.project_active
                             * (1 - core * p["core_independence"]))
        mean_rec = sum(o.recognition for o in self.officials) / len(self.officials)
        self.payment = p["pay_contributions"] * self.funding_level * (
            p["payment_floor"] + (1 - p["payment_floor"]) * mean_rec)

    def senior_endorsement(self) -> float:
        return (sum(o.endorsement for o in self.seniors) / len(self.seniors)
                if self.seniors else 0.0)

    def senior_share(self) -> float:
        p, e = self.p, self.senior_endorsement()
        if not self.seniors:
            return 0.0
        fraction = len(self.seniors) / len(self.officials)
        return p["senior_engagement"] * (p["senior_priority"] * (1 - e) + fraction * e)

    def pick_official(self, senior_share: float) -> Official:
        senior = bool(self.seniors) and self.rng.random() < senior_share
        if not self.frontline:
            senior = True
        pool = self.seniors if senior else self.frontline
        return pool[min(int(self.rng.random() * len(pool)), len(pool) - 1)]

    def slots_held(self, capacity: float) -> int:
        capacity = min(capacity, self.M)
        whole = math.floor(capacity)
        return whole + (1 if self.rng.random() < capacity - whole else 0)

    def invite(self) -> list[CBO]:
        return [self.cbos[i] for i in self.rng.choice(self.n_cbos, self.G, replace=False)]

    def attendance(self, trust_in_convener: float, cbo: CBO) -> float:
        w = self.p["attendance_trust_weight"]
        return ((1 - w) + w * trust_in_convener) * (1 - cbo.fatigue)

    def quality(self, cbo: CBO, official: Official | None, community: bool,
                by_broker: bool) -> float:
        p = self.p
        q = p["quality_base"] + (p["venue_effect"] if community else -p["venue_effect"])
        if by_broker:
            q += p["mediation_effect"] * p["broker_credibility"] * cbo.trust_broker
        if official is not None and official.senior:
            q += p["senior_effect"]
        q += p["material_effect"] * self.payment
        q += p["solidarity_effect"] * cbo.solidarity()
        q -= p["kpi_effect"] * self.kpi_pressure + p["fatigue_effect"] * cbo.fatigue
        q += p["quality_noise"] * (2 * self.rng.random() - 1)
        return clip(q)

    def hold_meeting(self, present: list[CBO], official: Official | None, community: bool,
                     by_broker: bool, among_cbos: bool) -> None:
        """Add one meeting's effects to the month's ledger (ODD 7.1-7.3)."""
        p, led = self.p, self.ledger
        tok, gain, asym = p["tokenism_threshold"], p["trust_gain"], p["trust_loss_asymmetry"]
        if present:
            self.meetings["community" if community else "statutory"] += 1
        quality = {c.index: self.quality(c, official, community, by_broker) for c in present}
        for c in present:
            q = quality[c.index]
            self.n_attend += 1
            self.n_token += q < tok
            if among_cbos:
                led.add(("attended", c.index), 1.0, contact=False)
                for other in present:
                    if other is not c:
                        led.add(("cbo", c.index, other.index),
                                trust_change(c.trust_cbo[other.index], q, gain, tok, asym))
            else:
                led.add(("stat", c.index), trust_change(c.trust_statutory, q, gain, tok, asym))
                led.add(("attended", c.index), 1.0, contact=False)
                led.add(("rec", official.unique_id), trust_change(
                    official.recognition, q, gain * c.amplification(), tok, asym))
                if official.senior and community and q >= tok:
                    self.good_senior += 1
            if by_broker:
                led.add(("broker", c.index), trust_change(c.trust_broker, q, gain, tok, asym))
                if not among_cbos and official.senior:
                    good = max(q - tok, 0.0) / max(1.0 - tok, 1e-9)
                    led.add(("skill", c.index), good, contact=False)

    def settle(self, key: tuple, value: float, base: float) -> float:
        if key in self.ledger.count:
            return clip(value + self.ledger.delta[key])
        return clip(value + self.p["trust_decay"] * (base - value))

    # ---------------------------------------------------------------- one month
    def step(self) -> None:
        p = self.p
        self.month += 1
        self.ledger = Ledger()
        self.meetings = {"community": 0, "statutory": 0}
        self.n_attend = self.n_token = self.good_senior = 0
        if self.broker is not None:
            self.broker.step()
        else:  # statutory bodies convene at their own sites (ODD 3.1)
            for _ in range(self.slots_held(p["statutory_meetings_per_month"])):
                official = self.pick_official(self.senior_share())
                invited = self.invite()
                present = [c for c in invited
                           if self.rng.random() < self.attendance(c.trust_statutory, c)]
                self.hold_meeting(present, official, False, by_broker=False, among_cbos=False)
        for c in self.cbos:
            c.step()
        attendance = 0.0
        if self.month % 12 == 0 and self.seniors:
            came = sum(self.rng.random() < o.endorsement for o in self.seniors)
            attendance = (came / len(self.seniors) * p["senior_engagement"]
                          * p["annual_conference"] * p["broker_present"])
        # apply the month's ledger
        led = self.ledger
        for c in self.cbos:
            i = c.index
            c.trust_statutory = self.settle(("stat", i), c.trust_statutory, c.base_statutory)
            c.trust_broker = self.settle(("broker", i), c.trust_broker, c.base_broker)
            c.trust_cbo = {k: self.settle(("cbo", i, k), v, c.base_cbo[k])
                           for k, v in c.trust_cbo.items()}
            c.skill = clip(c.skill + p["skill_gain"] * led.delta.get(("skill", i), 0.0)
                           * (1 - c.skill))
            c.fatigue = clip(c.fatigue + p["fatigue_rate"] * led.delta.get(("attended", i), 0.0)
                             * (1 - self.payment) - p["fatigue_recovery"] * c.fatigue)
        for o in self.officials:
            o.recognition = self.settle(("rec", o.unique_id), o.recognition, o.base)
        rise = min(p["acknowledgement_conference_gain"] * attendance
                   + p["acknowledgement_meeting_gain"] * self.good_senior, 1.0)
        a = self.acknowledgement + rise * (1 - self.acknowledgement)
        self.acknowledgement = clip(a - p["acknowledgement_decay"] * a)
        # statutory side
        self.org_mean = sum(o.recognition for o in self.officials) / len(self.officials)
        for o in self.officials:
            o.step()
        leaving = [o for o in self.officials if self.rng.random() < o.leave_p]
        if leaving:
            memory = p["memory_base"] + (1 - p["memory_base"]) * self.senior_endorsement()
            mean_rec = sum(o.recognition for o in self.officials) / len(self.officials)
            newcomer = p["initial_recognition"] + memory * (mean_rec - p["initial_recognition"])
            for o in leaving:
                o.recognition, o.endorsement = newcomer, memory * newcomer
                o.base = p["initial_recognition"]
        # service users
        self.tokenistic_share = self.n_token / max(self.n_attend, 1)
        self.relay = [c.trust_statutory * c.amplification() for c in self.cbos]
        for u in self.users:
            u.step()
        self.track_outcomes()
        self.advance_contract()
        self.update_money()

    def means(self) -> dict[str, float]:
        C, cbos = self.n_cbos, self.cbos
        trust_cbo = sum(sum(c.trust_cbo.values()) for c in cbos) / max(C * (C - 1), 1)
        m = {"stat": sum(c.trust_statutory for c in cbos) / C,
             "rec": sum(o.recognition for o in self.officials) / len(self.officials),
             "broker": sum(c.trust_broker for c in cbos) / C, "cbo": trust_cbo,
             "engaged": sum(u.engaged for u in self.users) / len(self.users)}
        b = self.p["broker_present"]
        m["relational"] = (m["stat"] + m["rec"] + m["cbo"] + b * m["broker"]) / (3 + b)
        return m

    def track_outcomes(self) -> None:
        p, m = self.p, self.means()
        conditions = {
            "phase_zero": (m["stat"] >= p["pz_trust_threshold"]
                           and m["rec"] >= p["pz_recognition_threshold"]
                           and self.senior_endorsement() >= p["pz_endorsement_threshold"]),
            "engagement": m["engaged"] >= p["engagement_threshold"],
        }
        holds = {"phase_zero": p["pz_hold_months"], "engagement": p["engagement_hold_months"]}
        for k, cond in conditions.items():
            if not cond:
                self.run_start[k] = -1
                continue
            if self.run_start[k] < 0:
                self.run_start[k] = self.month
            if self.reached[k] < 0 and self.month - self.run_start[k] + 1 >= holds[k]:
                self.reached[k] = self.run_start[k]
        self._means = m

    def advance_contract(self) -> None:
        p, m = self.p, self._means
        if p["kpi_tied"]:
            p_renew = min(1.0, m["engaged"] / p["kpi_target"])
        else:
            p_renew = p["renewal_base"] + (1 - p["renewal_base"]) * m["relational"]
        u = self.rng.random()
        self.months_left -= 1
        if self.months_left <= 0:
            if self.project_active and not u < p_renew and p["contract_gap_months"] > 0:
                self.project_active, self.months_left = False, p["contract_gap_months"]
            else:
                self.project_active, self.months_left = True, p["contract_months"]


def run_reference(params: dict, seed: int) -> dict[str, int | None]:
    """Run the reference model to its horizon; return both outcomes (None when censored)."""
    model = ReferenceModel(seed, **params)
    while model.month < model.p["horizon_months"]:
        model.step()
    return {k: (v if v >= 0 else None) for k, v in model.reached.items()}
