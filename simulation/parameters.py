"""The parameter registry: one source of truth for every model parameter.

Each :class:`Parameter` carries its name, type, default, valid range, sweep range, unit, meaning,
evidence (a passage of Burgess and Choudary 2021, cited by section, or the word "assumption") and
kind. The model, validation, the CLI, sweeps and the documentation all read :data:`REGISTRY`.

Kinds:

- ``structure``: sizes of the populations; runs that share them go through the engine together.
- ``behaviour``: how agents respond; the paper is mostly silent on their values.
- ``lever``: what a policy (funder, commissioner, network) can change.
- ``event``: timed interventions (see :mod:`simulation.interventions`): the month something
  happens (0: never) and what it sets; kept out of default sweep designs, which vary behaviour and
  levers, but sweepable by name.
- ``measurement``: outcome definitions (thresholds, hold lengths, horizon); kept out of default
  sensitivity analysis because they change what is measured, not what happens.

Defaults describe the studied network (The People's Network, TPN) as the paper reports it; where
the paper gives no number the default is an assumption and says so.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["structure", "behaviour", "lever", "event", "measurement"]
KINDS: tuple[Kind, ...] = ("structure", "behaviour", "lever", "event", "measurement")


class ParameterError(ValueError):
    """A parameter name, type or value a user supplied is not valid.

    The message names the parameter and its valid range, so that command-line tools can print it
    as a one-line error.
    """


@dataclass(frozen=True)
class Parameter:
    """One model parameter and everything known about it."""

    name: str
    type: type
    default: Any
    valid: tuple[float, float]
    sweep: tuple[float, float]
    unit: str
    kind: Kind
    meaning: str
    evidence: str

    def describe_range(self) -> str:
        """Human-readable valid range, used in error messages and docs."""
        if self.type is bool:
            return "true or false"
        lo, hi = self.valid
        hi_txt = "inf" if math.isinf(hi) else _fmt(hi)
        return f"[{_fmt(lo)}, {hi_txt}]"

    def coerce(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise :class:`ParameterError`.

        Strings are parsed (so ``--set name=value`` works); numbers are checked against the valid
        range. Booleans accept true/false/yes/no/1/0 and never silently accept other numbers.
        """
        if isinstance(value, str):
            value = self._parse(value.strip())
        if self.type is bool:
            if isinstance(value, bool | int) and not isinstance(value, float) and value in (0, 1):
                return bool(value)
            if hasattr(value, "dtype") and value in (0, 1):  # numpy scalars from a design
                return bool(value)
            raise ParameterError(
                f"parameter '{self.name}' must be true or false, got {value!r}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) and not hasattr(
            value, "dtype"
        ):
            raise ParameterError(
                f"parameter '{self.name}' must be a number in {self.describe_range()}, "
                f"got {value!r}"
            )
        try:
            value = float(value)
        except OverflowError:  # an int beyond any float (10**400): out of every range
            raise ParameterError(
                f"parameter '{self.name}' must be a finite number in {self.describe_range()}, "
                f"got a number too large to represent") from None
        if not math.isfinite(value):
            raise ParameterError(
                f"parameter '{self.name}' must be a finite number in {self.describe_range()}, "
                f"got {value!r}"
            )
        if self.type is int:
            if value != round(value):
                raise ParameterError(
                    f"parameter '{self.name}' must be a whole number in "
                    f"{self.describe_range()}, got {value!r}"
                )
            value = int(round(value))
        lo, hi = self.valid
        if not lo <= value <= hi:
            raise ParameterError(
                f"parameter '{self.name}' = {_fmt(value)} is out of range; valid range is "
                f"{self.describe_range()} ({self.unit})"
            )
        return value

    def _parse(self, text: str) -> Any:
        if self.type is bool:
            low = text.lower()
            if low in ("true", "yes", "on", "1"):
                return True
            if low in ("false", "no", "off", "0"):
                return False
            raise ParameterError(f"parameter '{self.name}' must be true or false, got {text!r}")
        try:
            return float(text)
        except ValueError:
            raise ParameterError(
                f"parameter '{self.name}' must be a number in {self.describe_range()}, "
                f"got {text!r}"
            ) from None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly record of every field."""
        d = asdict(self)
        d["type"] = self.type.__name__
        d["valid"] = [_jsonable(v) for v in self.valid]
        d["sweep"] = [_jsonable(v) for v in self.sweep]
        return d


def _fmt(x: float) -> str:
    # enough digits that a value just outside a bound (1.0000001) is not shown as the bound
    return f"{x:.12g}"


def _jsonable(x: float) -> float | str:
    return "inf" if isinstance(x, float) and math.isinf(x) else x


ASSUMPTION = "Assumption: the paper gives no number."
#: Every behaviour default is one joint point of the calibration's posterior: this world of
#: experiments/calibration/ensemble.csv, each value to 3 significant digits. It was chosen by
#: ``phase0 check-calibration`` among the worlds in which the paper's other patterns hold (on
#: seeds other than the pattern tests'), as the one most often the studied network on 1,000
#: fresh runs (docs/calibration.md, The registry defaults). A test checks the values.
DEFAULTS_WORLD = 849
DEFAULTS_FROM = (f"Every behaviour default is the calibration's joint point, world "
                 f"{DEFAULTS_WORLD} of experiments/calibration/ensemble.csv to 3 significant "
                 "digits (docs/calibration.md, The registry defaults); the evidence says what the "
                 "paper gives for each.")
_P = Parameter
_INF = math.inf

# Sections of the paper are cited by their headings: Research context, Symbolic contexts,
# Relational resources, Material resource contributions, Outcome (safe space), Discussion.
_PARAMETERS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- structure
    _P("n_cbos", int, 20, (2, 500), (10, 40), "organisations", "structure",
       "Community-based organisations (faith groups and third-sector groups) in the network.",
       "Methodology: PLA workshops 'with CBO (n=20)' participants. Using it as the network size "
       "is an assumption."),
    _P("faith_share", float, 0.5, (0.0, 1.0), (0.2, 0.8), "share", "structure",
       "Share of CBOs that are faith groups (churches, mosques, a temple).",
       "Research context: 'Black Pentecostal churches, Mosques ... the Church of England, a Hindu "
       "temple'. The share is an assumption."),
    _P("n_executives", int, 2, (0, 50), (1, 4), "officials", "structure",
       "Statutory executives (chief executives, chairs, directors).",
       "Methodology: 18 statutory participants; the split by rank is an assumption."),
    _P("n_senior_managers", int, 6, (0, 100), (3, 10), "officials", "structure",
       "Statutory senior managers and commissioners.",
       "Methodology: 18 statutory participants; the split by rank is an assumption."),
    _P("n_frontline", int, 10, (1, 200), (5, 20), "officials", "structure",
       "Frontline statutory staff ('street-level officers').",
       "Relational resources: 'street-level officers'. The count is an assumption."),
    _P("n_service_users", int, 300, (1, 100_000), (100, 1000), "people", "structure",
       "Service users from racially minoritised communities within reach of the network.",
       "Assumption: the paper gives no number of service users."),
    _P("share_users_no_cbo", float, 0.3, (0.0, 1.0), (0.1, 0.6), "share", "structure",
       "Share of service users who belong to no network CBO.",
       "Discussion: 'many service users linked into the network through membership to CBOs'. "
       "The share is an assumption."),
    _P("share_users_two_cbos", float, 0.2, (0.0, 1.0), (0.0, 0.4), "share", "structure",
       "Share of service users who belong to two network CBOs.",
       "Research context: 'intersecting memberships'. The share is an assumption."),
    _P("broker_staff", int, 5, (1, 50), (2, 10), "people", "structure",
       "Broker organisation's director and staff.",
       "Research context: 'TPN had four additional staff' besides the Director."),
    _P("meeting_size", int, 4, (1, 20), (2, 8), "CBOs per meeting", "structure",
       "CBOs invited to each meeting the broker convenes.",
       "Material resources: 'regular network meetings, BAME mental health steering committees'. "
       "The size is an assumption."),
    # ---------------------------------------------------------------- levers
    _P("broker_present", bool, True, (0, 1), (0, 1), "flag", "lever",
       "A broker organisation convenes and mediates meetings.",
       "Discussion: 'TPN's work linking actors in the health system across power levels ... is a "
       "key part of phase zero'."),
    _P("venue_community_share", float, 1.0, (0.0, 1.0), (0.0, 1.0), "share", "lever",
       "Share of the meetings the broker convenes that are held in community-owned venues.",
       "Discussion: 'Discussions between CBOs and statutory partners were always held in "
       "community owned spaces - churches, mosques and community centres'."),
    _P("core_funding", bool, True, (0, 1), (0, 1), "flag", "lever",
       "The broker has core funding from a non-statutory funder, independent of contracts "
       "(none without a broker).",
       "Material resources: 'TPN's core funding was provided through non-statutory funding routes "
       "by a national foundation'."),
    _P("kpi_tied", bool, False, (0, 1), (0, 1), "flag", "lever",
       "Statutory project funding is tied to key performance indicators.",
       "Material resources: 'Funding was not linked to key performance indicators (KPIs)'."),
    _P("contract_months", int, 36, (1, 600), (6, 60), "months", "lever",
       "Length of each statutory project-funding contract.",
       "Research context: 'small pots of funding from local public sector grants and contracts'. "
       "The length is an assumption."),
    _P("contract_gap_months", int, 3, (0, 120), (0, 12), "months", "lever",
       "Months without project funding after a contract that is not renewed.",
       "Discussion: 'time may not be afforded to organisations bound by contractual obligations'. "
       "The length is an assumption."),
    _P("pay_contributions", bool, True, (0, 1), (0, 1), "flag", "lever",
       "CBO contributions are paid for at all.",
       "Symbolic contexts: 'it's only fair that if they are doing things that we are currently "
       "paying for, that we commission them'."),
    _P("payment_floor", float, 0.3, (0.0, 1.0), (0.0, 1.0), "share of full rate", "lever",
       "Share of the full rate paid for CBO work from the start, before recognition grows.",
       ASSUMPTION),
    _P("senior_engagement", bool, True, (0, 1), (0, 1), "flag", "lever",
       "A senior champion is in post at the start, so executives and senior managers take part "
       "in meetings and events; champions may later leave and others arrive "
       "(champion_leave_rate, champion_arrival_rate).",
       "Symbolic contexts: 'preliminary engagements specifically targeted high-ranking statutory "
       "officials, including executive directors and local government'."),
    _P("senior_priority", float, 0.6, (0.0, 1.0), (0.2, 0.9), "share", "lever",
       "Share of CBO-statutory meetings the broker directs at executives and senior managers "
       "early on (before they endorse the work).",
       "Symbolic contexts: 'preliminary engagements specifically targeted high-ranking statutory "
       "officials'. The share is an assumption."),
    _P("annual_conference", bool, True, (0, 1), (0, 1), "flag", "lever",
       "The broker holds an annual community conference where statutory bodies bear witness.",
       "Material resources: 'an annual conference on Black mental health for over a decade'; "
       "Outcome: statutory organisations 'bear witness to the difficult history'."),
    _P("conference_period_months", int, 12, (1, 120), (6, 24), "months", "lever",
       "Months between the broker's community conferences (12: annual).",
       "Material resources: 'an annual conference on Black mental health for over a decade'."),
    _P("direct_recruitment", float, 0.0, (0.0, 0.5), (0.0, 0.1), "probability per month",
       "lever",
       "Monthly probability that services approach a service user directly, outside CBOs.",
       "Discussion: engagement 'cannot begin immediately; a history of abuse ... must be "
       "acknowledged, before forcing that type of engagement'. The rate is an assumption."),
    _P("statutory_meetings_per_month", float, 1.0, (0.0, 8.0), (0.0, 4.0), "meetings", "lever",
       "Meetings statutory bodies convene with CBOs when there is no broker.",
       "Assumption: the usual engagement practice the paper contrasts with TPN's."),
    _P("statutory_venue_share", float, 0.0, (0.0, 1.0), (0.0, 1.0), "share", "lever",
       "Share of the meetings statutory bodies convene (without a broker) that they hold in "
       "community-owned venues (0: all at their own sites, the usual practice).",
       "Discussion: 'By working in community owned spaces instead of statutory sites, the "
       "network acknowledges and fractures the power of norms'. Statutory sites as the usual "
       "practice is an assumption."),
    _P("commissioning_interval_months", float, 6.0, (0.0, 120.0), (3.0, 24.0), "months",
       "lever",
       "Mean months between commissioning rounds, in which a statutory body can commission "
       "coproduction (0: no commissioning money).",
       "Research context: 'small pots of funding from local public sector grants and contracts'; "
       "Discussion: 'activities are jointly funded by constellations of statutory partners'. "
       "Rounds that open at random, and their frequency, are assumptions."),
    _P("coproduction_activities", int, 2, (0, 10), (1, 4), "activities", "lever",
       "Commissioned coproduction activities running at once after the commissioning decision, "
       "each hosted by a CBO.",
       "Results: a platform for 'co-production, co-design, and co-delivery of services "
       "including: the establishment of a BAME mental health forum (which included service "
       "users from racially excluded backgrounds), co-design activities including community "
       "network for family care, led by faith-based CBOs'. The number is an assumption."),
    _P("activity_months", int, 24, (1, 120), (12, 48), "months", "lever",
       "Length of each commissioned activity; when one ends a new one may be commissioned, "
       "hosted by a CBO drawn anew.",
       "Material resources: the family therapy programme 'was supported for extension to other "
       "faith groups after initial evaluations'. The length is an assumption."),
    # ---------------------------------------------------------------- events (timed)
    _P("flexible_runway_months", int, 0, (0, 1200), (0, 60), "months", "event",
       "Months of guaranteed flexible funding from month 0: the broker is fully funded (core "
       "and project money), not KPI-tied and without gaps until then; the funding regime "
       "(core_funding, kpi_tied, contract_months, contract_gap_months) takes over after it. "
       "0: no runway.",
       "Introduction: a phase 'unconstrained by typical funding cycles'; Discussion: 'time may "
       "not be afforded to organisations bound by contractual obligations'. The runway as a "
       "policy instrument is an assumption."),
    _P("broker_core_funding_lost_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month the broker loses its core funding (0: never).",
       "Material resources: TPN's 'core funding was provided through non-statutory funding "
       "routes'. Losing it is an assumption."),
    _P("broker_leaves_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month the broker organisation leaves the network for good (0: never).",
       "Discussion: 'TPN's work linking actors in the health system across power levels ... is "
       "a key part of phase zero'. Leaving is an assumption."),
    _P("funding_cut_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month all the broker's funding stops, core and project contracts, until funding is "
       "restored (0: never).",
       "Discussion: 'time-bound project outcomes may undermine the ability for coproduction "
       "efforts to gain meaning'. The cut is an assumption."),
    _P("funding_restored_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month flexible core funding is restored to the broker, ending a cut (0: never).",
       "Material resources: core funding 'not linked to key performance indicators'. The "
       "restoration is an assumption."),
    _P("venue_change_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month the venue policy changes to venue_share_after (0: never).",
       "Symbolic contexts: 'Inviting statutory actors into community-owned spaces ... worked to "
       "level out power differentials'. The change is an assumption."),
    _P("venue_share_after", float, 0.0, (0.0, 1.0), (0.0, 1.0), "share", "event",
       "Share of meetings in community-owned venues after the venue policy changes.",
       ASSUMPTION),
    _P("harmful_incident_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month of a harmful incident at a statutory service (0: never): service users and CBOs "
       "lose harmful_incident_size of their trust toward statutory services at once.",
       "Introduction: mistrust 'embedded within a history of violence(s)'; Discussion: 'a "
       "history of abuse at the hands of health services is recognised as the boundary'. A new "
       "incident as a setback of the same kind is an assumption."),
    _P("harmful_incident_size", float, 0.2, (0.0, 1.0), (0.05, 0.4), "trust", "event",
       "Trust lost by every service user and every CBO (toward statutory partners) in a "
       "harmful incident.", ASSUMPTION),
    _P("champion_arrives_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month a senior champion arrives: senior officials engage from then on (0: never).",
       "Symbolic contexts: 'preliminary engagements specifically targeted high-ranking "
       "statutory officials'. The timing is an assumption."),
    _P("champion_leaves_month", int, 0, (0, 1200), (12, 120), "month", "event",
       "Month the senior champion leaves: senior officials stop engaging (0: never).",
       "Symbolic contexts: senior officials who 'endorse coproduction efforts in early "
       "stages'. The departure is an assumption."),
    # ---------------------------------------------------------------- behaviour: contact
    _P("meetings_per_staff", float, 1.06, (0.0, 4.0), (1.0, 3.0), "meetings per month",
       "behaviour",
       "Meetings each broker staff member can convene in a fully funded month.", ASSUMPTION),
    _P("cbo_meeting_share", float, 0.174, (0.0, 1.0), (0.1, 0.5), "share", "behaviour",
       "Share of broker-convened meetings held among CBOs only (solidarity building).",
       "Discussion: brokerage 'between groups with similar histories of shared oppression (i.e. "
       "Black Caribbean and Muslim communities)'. The share is an assumption."),
    _P("broker_credibility", float, 0.605, (0.0, 1.0), (0.4, 1.0), "index", "behaviour",
       "The broker's credibility on both sides, from its director's social location.",
       "Symbolic contexts: 'social location ... enabled him to engage in spaces where others "
       "could not - and be listened to'. The value is an assumption."),
    _P("broker_persistence", float, 0.514, (0.0, 1.0), (0.0, 0.6), "share of capacity",
       "behaviour",
       "Share of its capacity the broker keeps up without any funding.",
       "Symbolic contexts: 'persistence over time was also critical'. The value is an "
       "assumption."),
    _P("core_capacity", float, 0.914, (0.0, 1.0), (0.5, 1.0), "share of capacity", "behaviour",
       "Share of the broker's capacity that core funding pays for.",
       "Research context: 'core operational funding from a charitable foundation' plus 'small "
       "pots' of public funding. The share is an assumption."),
    _P("project_capacity", float, 0.226, (0.0, 1.0), (0.2, 0.8), "share of capacity",
       "behaviour",
       "Share of the broker's capacity that a statutory project contract pays for.", ASSUMPTION),
    _P("core_independence", float, 0.111, (0.0, 1.0), (0.0, 1.0), "share", "behaviour",
       "How much core funding shields the broker from KPI pressure.",
       "Discussion: 'TPN's core funding, provides independence from statutory boundaries'. The "
       "value is an assumption."),
    # ---------------------------------------------------------------- behaviour: quality
    _P("quality_base", float, 0.385, (0.0, 1.0), (0.3, 0.55), "index", "behaviour",
       "Quality of a meeting before venue, mediation, rank, material and fatigue effects.",
       ASSUMPTION),
    _P("venue_effect", float, 0.157, (0.0, 0.5), (0.0, 0.25), "quality", "behaviour",
       "Quality added by a community-owned venue (and removed by a statutory site).",
       "Symbolic contexts: community-owned spaces 'worked to level out power differentials in "
       "early encounters'. The size is an assumption."),
    _P("mediation_effect", float, 0.178, (0.0, 0.5), (0.0, 0.3), "quality", "behaviour",
       "Quality added by broker mediation, scaled by credibility and the CBO's trust in it.",
       "Discussion: 'contact (mediated by the TPN director as lead broker), was organised around "
       "strategic conversations highlighting mutual gains'. The size is an assumption."),
    _P("senior_effect", float, 0.0289, (0.0, 0.5), (0.0, 0.2), "quality", "behaviour",
       "Quality added when an executive or senior manager is present.",
       "Symbolic contexts: 'I remember the chair coming with his key officials ... we were now "
       "moving to a very different level'. The size is an assumption."),
    _P("material_effect", float, 0.0455, (0.0, 0.5), (0.0, 0.2), "quality", "behaviour",
       "Quality added by payment for the CBO's contribution.",
       "Discussion: remuneration 'was re-affirming for communities themselves, who viewed "
       "themselves as valuable'. The size is an assumption."),
    _P("solidarity_effect", float, 0.123, (0.0, 0.5), (0.0, 0.2), "quality", "behaviour",
       "Quality added, in meetings with officials, by a CBO's trust in the other CBOs: a "
       "collective voice.",
       "Outcome: 'the identification of shared solidarity between different community "
       "stakeholders was recognised as a critical strategy'. The size is an assumption."),
    _P("solidarity_gain", float, 0.136, (0.0, 0.5), (0.02, 0.2), "per meeting", "behaviour",
       "Solidarity (trust toward the other CBOs) gained from one fully meaningful meeting among "
       "CBOs only, before diminishing returns.",
       "Discussion: brokerage 'between groups with similar histories of shared oppression (i.e. "
       "Black Caribbean and Muslim communities)'. That trust among them builds faster than "
       "across power levels, and the rate, are assumptions."),
    _P("solidarity_weight", float, 0.444, (0.0, 1.0), (0.4, 1.0), "share", "behaviour",
       "How far officials' recognition of what a CBO says depends on the CBO's solidarity with "
       "the others (0: not at all; 1: in proportion to it).",
       "Discussion: phase zero as a 'counter-public sphere', 'allowing historically marginalised "
       "groups to share perspectives, experiences and feel their voices are welcome, before "
       "engaging in wider debates where perspectives may hold less weight'. The form is an "
       "assumption."),
    _P("kpi_effect", float, 0.327, (0.0, 0.6), (0.05, 0.4), "quality", "behaviour",
       "Quality removed by full KPI pressure (contact steered to targets, not process).",
       "Discussion: 'a focus on outcomes, should be exchanged for a focus on process'. The size "
       "is an assumption."),
    _P("fatigue_effect", float, 0.352, (0.0, 0.6), (0.05, 0.4), "quality", "behaviour",
       "Quality removed by full volunteer fatigue.",
       "Discussion: 'avoiding an overreliance on volunteerism ... which has been problematic in "
       "other settings'. The size is an assumption."),
    _P("quality_noise", float, 0.0439, (0.0, 0.5), (0.0, 0.2), "quality", "behaviour",
       "Half-width of the uniform noise on each attendee's meeting quality.", ASSUMPTION),
    _P("tokenism_threshold", float, 0.316, (0.0, 0.9), (0.3, 0.5), "quality", "behaviour",
       "Quality below which contact is tokenistic and erodes trust.",
       "Introduction: without more, 'service-user engagement emerges as a tokenistic exercise'. "
       "The threshold is an assumption."),
    _P("quality_width", float, 0.0832, (0.005, 0.5), (0.04, 0.15), "quality", "behaviour",
       "Width of the smooth response around the tokenism threshold: a contact of quality q is "
       "meaningful with weight 1 / (1 + exp(-(q - tokenism_threshold) / width)), tokenistic "
       "with the rest.",
       "Discussion: contact 'must be quality contact - marked by meaningful engagement'. That "
       "meaning grows smoothly with quality, and the width, are assumptions."),
    _P("cbo_level_spread", float, 0.129, (0.0, 0.5), (0.0, 0.2), "quality", "behaviour",
       "Half-width of the uniform spread of what each CBO itself brings to a meeting's quality "
       "(its capacity and confidence to speak), drawn once per CBO.",
       "Discussion: 'identifying and supporting skills and resources marginalised groups "
       "already have at their disposal'. The spread is an assumption."),
    _P("official_level_spread", float, 0.144, (0.0, 0.5), (0.0, 0.2), "quality", "behaviour",
       "Half-width of the uniform spread of what each statutory official brings to a meeting's "
       "quality (openness, experience of work on racism), drawn once per official and again "
       "for each newcomer.",
       "Background: 'many attempts to address power imbalances are largely tokenistic'; a "
       "statutory representative: 'there has to be some giving away of power'. The spread is "
       "an assumption."),
    _P("culture_spread", float, 0.00977, (0.0, 0.3), (0.0, 0.2), "quality", "behaviour",
       "Half-width of the uniform spread, between networks, of the statutory side's culture: "
       "one draw per run shifts every official's contribution to quality.",
       "Background: outcomes 'linked to racism in services' and to 'institutional, cultural and "
       "socio-economic factors'. That places differ, and by how much, is an assumption."),
    # ---------------------------------------------------------------- behaviour: trust
    _P("trust_gain", float, 0.0134, (0.0, 0.5), (0.01, 0.08), "per meeting", "behaviour",
       "Trust gained from one meeting of the best quality, before diminishing returns.",
       "Discussion: 'repeated contact ... this must be quality contact'; 'very slow and bit by "
       "bit'. The size is an assumption."),
    _P("trust_loss_asymmetry", float, 3.96, (1.0, 10.0), (1.0, 4.0), "ratio", "behaviour",
       "How much faster poor contact destroys trust than good contact builds it.",
       "Assumption from the trust literature (the asymmetry principle, Slovic 1993), not a "
       "finding of the paper."),
    _P("trust_decay", float, 0.00331, (0.0, 0.1), (0.0, 0.01), "per month", "behaviour",
       "Monthly drift of trust back toward its starting level without contact.", ASSUMPTION),
    _P("initial_trust_statutory", float, 0.168, (0.0, 1.0), (0.1, 0.35), "index", "behaviour",
       "CBOs' starting trust toward statutory partners.",
       "Background: 'an understandable fear and mistrust of mental health services'. The value "
       "is an assumption."),
    _P("initial_recognition", float, 0.253, (0.0, 1.0), (0.1, 0.35), "index", "behaviour",
       "Statutory officials' starting recognition of community knowledge.",
       "Symbolic contexts: 'Overtime, statutory bodies began to recognise ... network "
       "contributions'. The value is an assumption."),
    _P("initial_trust_broker", float, 0.629, (0.0, 1.0), (0.1, 0.8), "index", "behaviour",
       "CBOs' starting trust toward the broker.",
       "Research context: 'Since 2001, TPN has worked with marginalised communities', years "
       "before phase zero began (about 2008). The value is an assumption."),
    _P("initial_trust_cbo", float, 0.153, (0.0, 1.0), (0.1, 0.5), "index", "behaviour",
       "CBOs' starting trust toward the other CBOs as a group (solidarity).", ASSUMPTION),
    _P("initial_trust_spread", float, 0.197, (0.0, 0.5), (0.0, 0.2), "index", "behaviour",
       "Half-width of the uniform spread of each actor's starting trust and recognition around "
       "the network's level.", ASSUMPTION),
    _P("history_spread", float, 0.0165, (0.0, 0.3), (0.0, 0.2), "index", "behaviour",
       "Half-width of the uniform spread, between networks, of the community's history with "
       "services: one draw per run lowers (or raises) every CBO's starting trust toward "
       "statutory partners and raises (or lowers) every service user's history of harm.",
       "Background: 'histories of oppression, silencing, and limited tangible outcomes from "
       "previous engagement are key factors limiting user engagement'. That places differ, and "
       "by how much, is an assumption."),
    _P("standing_mean", float, 0.683, (0.0, 1.0), (0.3, 0.7), "index", "behaviour",
       "Mean symbolic standing of CBO leaders (before the faith-leader bonus).",
       "Symbolic contexts: 'The symbolic power held by leaders of CBOs helped reduce barriers to "
       "service-users involvement'. The value is an assumption."),
    _P("standing_spread", float, 0.188, (0.0, 0.5), (0.0, 0.3), "index", "behaviour",
       "Half-width of the uniform spread of CBO leaders' standing.", ASSUMPTION),
    _P("standing_weight", float, 0.615, (0.0, 1.0), (0.2, 0.8), "share", "behaviour",
       "How much a CBO leader's standing scales what statutory partners learn from the CBO and "
       "what the CBO relays to its members.",
       "Symbolic contexts: 'you go into the church there and there are people standing saying "
       "this is good for your mental health, people listen'."),
    _P("faith_standing_bonus", float, 0.224, (0.0, 0.5), (0.0, 0.3), "index", "behaviour",
       "Extra leader standing of faith-group leaders.",
       "Symbolic contexts: faith leaders' 'cultural frames were seen as the most meaningful "
       "platform'. The size is an assumption."),
    _P("skill_gain", float, 0.0706, (0.0, 0.5), (0.0, 0.1), "per meeting", "behaviour",
       "Brokerage skill a CBO learns from one meaningful meeting with a senior official that "
       "the broker mediates (less from an unmediated one).",
       "Relational resources: CBOs 'learn how to build relationships beyond just street-level "
       "officers'. The rate is an assumption."),
    _P("initial_skill", float, 0.119, (0.0, 1.0), (0.0, 0.3), "index", "behaviour",
       "Brokerage skill CBOs start with, shifted by each CBO's own level.",
       "Discussion: 'identifying and supporting skills and resources marginalised groups "
       "already have at their disposal'. The value is an assumption."),
    _P("unmediated_skill_share", float, 0.341, (0.0, 1.0), (0.2, 0.8), "share", "behaviour",
       "Skill learned from a meeting with a senior official that the broker did not mediate, as "
       "a share of what a mediated one teaches.",
       "Relational resources: 'CBOs noted their ability to learn from the example set by TPN'. "
       "The share is an assumption."),
    _P("self_contact_rate", float, 0.488, (0.0, 1.0), (0.0, 0.6), "probability per month",
       "behaviour",
       "Monthly probability that a fully skilled CBO convenes its own meeting with statutory "
       "leaders.",
       "Relational resources: 'that's what we literally actually do now, build a relationship "
       "with the leadership in the council'. The rate is an assumption."),
    _P("attendance_trust_weight", float, 0.877, (0.0, 1.0), (0.5, 1.0), "share", "behaviour",
       "How far an invited CBO's attendance depends on its trust in whoever convenes (0: all "
       "attend; 1: attendance probability equals that trust).",
       "Outcome: 'If [the TPN director] had asked us to come together with these [statutory "
       "bodies] five years ago like this, would we have been interested? maybe not.... but "
       "relationship is where it all starts and trust'."),
    _P("endorsement_rate", float, 0.13, (0.0, 1.0), (0.02, 0.2), "per month", "behaviour",
       "Monthly rate at which an official's endorsement follows their recognition.",
       "Symbolic contexts: leaders 'repeatedly drew on their positional power to endorse "
       "coproduction efforts'. The rate is an assumption."),
    _P("org_diffusion", float, 0.0294, (0.0, 0.5), (0.0, 0.05), "per month", "behaviour",
       "Monthly rate at which recognition spreads among officials of the statutory side.",
       "Symbolic contexts: 'bring some of it back into the organisation'. The rate is an "
       "assumption."),
    _P("turnover_executive", float, 0.0812, (0.0, 1.0), (0.02, 0.25), "per year", "behaviour",
       "Annual turnover of executives.",
       "Relational resources: leaders 'are more likely to never leave their chair'. The rate is "
       "an assumption."),
    _P("turnover_senior", float, 0.122, (0.0, 1.0), (0.03, 0.3), "per year", "behaviour",
       "Annual turnover of senior managers.", "Relational resources (as above); assumption."),
    _P("turnover_frontline", float, 0.339, (0.0, 1.0), (0.05, 0.45), "per year", "behaviour",
       "Annual turnover of frontline staff.",
       "Relational resources: the contrast with 'street-level officers'. The rate is an "
       "assumption."),
    _P("memory_base", float, 0.0946, (0.0, 1.0), (0.0, 0.6), "share", "behaviour",
       "Share of the organisation's recognition a newcomer inherits without senior endorsement; "
       "it rises toward 1 with endorsement.",
       "Relational resources: 'it gets into the DNA of the whole system'. The value is an "
       "assumption."),
    _P("fatigue_rate", float, 0.0273, (0.0, 0.5), (0.0, 0.15), "per unpaid meeting", "behaviour",
       "Fatigue a CBO accrues per meeting attended without payment.",
       "Discussion: 'avoiding an overreliance on volunteerism in response to resource "
       "challenges, which has been problematic in other settings'. The rate is an assumption."),
    _P("fatigue_recovery", float, 0.107, (0.0, 1.0), (0.02, 0.3), "per month", "behaviour",
       "Monthly share of fatigue that wears off.", ASSUMPTION),
    _P("acknowledgement_conference_gain", float, 0.356, (0.0, 1.0), (0.05, 0.4), "per conference",
       "behaviour",
       "Acknowledgement of harm gained at a conference attended by all senior officials: the "
       "main channel.",
       "Outcome: statutory organisations 'bear witness to the difficult history between racially "
       "excluded communities and health systems at these events'. The size is an assumption."),
    _P("acknowledgement_meeting_gain", float, 0.00731, (0.0, 0.1), (0.0, 0.01), "per meeting",
       "behaviour",
       "Acknowledgement gained per meeting between CBOs and a senior official, weighted by how "
       "meaningful the meeting was for those present.",
       "Symbolic contexts: 'it was possible to create a safe space where uncomfortable topics - "
       "including institutional racism in the mental health sector, could be discussed "
       "openly'. The size is an assumption."),
    _P("acknowledgement_decay", float, 0.00464, (0.0, 0.1), (0.0, 0.02), "per month", "behaviour",
       "Monthly decay of acknowledgement.", ASSUMPTION),
    # ---------------------------------------------------------------- behaviour: funding
    _P("renewal_base", float, 0.594, (0.0, 1.0), (0.1, 0.6), "probability", "behaviour",
       "Probability a flexible contract is renewed with no relational basis; it rises to 1 "
       "with the relational index.",
       "Material resources: extension 'after initial evaluations based largely on trusting "
       "relationships'. The value is an assumption."),
    _P("kpi_target", float, 0.679, (0.01, 1.0), (0.4, 0.8), "attendance rate", "behaviour",
       "Attendance a KPI-tied contract expects: the share of invited CBOs who come to the "
       "broker's meetings over the contract. Renewal probability is the attained fraction of "
       "it; attendance is what a funder can observe during phase zero.",
       "Discussion: 'time-bound project outcomes may undermine the ability for coproduction "
       "efforts to gain meaning'. Attendance as the KPI, and the target, are assumptions."),
    # ---------------------------------------------------------------- behaviour: service users
    _P("su_initial_trust", float, 0.0329, (0.0, 1.0), (0.02, 0.2), "index", "behaviour",
       "Service users' starting trust in the coproduction space (before harm history).",
       "Discussion: 'rejection of traditional service spaces is logical' given 'negative "
       "experiences of violence and racism'. The value is an assumption."),
    _P("harm_weight", float, 0.522, (0.0, 1.0), (0.2, 0.8), "share", "behaviour",
       "How strongly a service user's history of harm lowers their starting trust and slows "
       "their learning that the space is safe.",
       "Introduction: engagement 'is embedded within a history of violence(s)'. The value is an "
       "assumption."),
    _P("su_learning", float, 0.0227, (0.0, 1.0), (0.01, 0.1), "per month", "behaviour",
       "Monthly rate at which a service user's trust rises toward the safety they perceive.",
       "Discussion: CBOs relayed views 'until, service users felt the space was safe to enter'. "
       "The rate is an assumption."),
    _P("su_threshold_mean", float, 0.424, (0.0, 1.0), (0.25, 0.6), "trust", "behaviour",
       "Mean trust at which a service user engages.",
       ASSUMPTION),
    _P("su_threshold_spread", float, 0.129, (0.0, 0.5), (0.0, 0.2), "trust", "behaviour",
       "Half-width of the uniform spread of engagement thresholds.", ASSUMPTION),
    _P("unlinked_reach", float, 0.261, (0.0, 1.0), (0.2, 0.9), "share", "behaviour",
       "Share of the CBOs' relayed safety that reaches service users who belong to no CBO.",
       "Discussion: 'non-mental health related CBOs became bridges between service user "
       "communities and statutory actors'. The share is an assumption."),
    _P("acknowledgement_weight", float, 0.725, (0.0, 1.0), (0.5, 1.0), "share", "behaviour",
       "Strength of the soft gate of acknowledgement of harm on service users' perceived safety: "
       "safety is scaled by (1 - weight) + weight x acknowledgement (0: no gate; 1: safety "
       "proportional to acknowledgement).",
       "Discussion: 'a history of abuse at the hands of health services is recognised as the "
       "boundary and issue that must be acknowledged, before forcing that type of "
       "engagement'."),
    _P("tokenism_shock", float, 0.184, (0.0, 1.0), (0.05, 0.3), "trust", "behaviour",
       "Trust a service user loses after a harmful encounter (everyday harm, recruitment to meet "
       "targets, or tokenistic contact).",
       "Introduction: groups 'feeling they have been used to meet statutory aims'. The size is "
       "an assumption."),
    _P("encounter_rate", float, 0.474, (0.0, 1.0), (0.1, 0.5), "probability per month",
       "behaviour",
       "Monthly probability that an engaged service user meets a tokenistic encounter when all "
       "contact that month was tokenistic (scaled by the tokenistic share).", ASSUMPTION),
    _P("kpi_recruitment", float, 0.0577, (0.0, 0.5), (0.0, 0.1), "probability per month",
       "behaviour",
       "Monthly probability, under full KPI pressure, that services recruit a service user "
       "directly to meet targets: harmful whatever the acknowledgement.",
       "Introduction: 'groups feeling they have been used to meet statutory aims'. The rate is "
       "an assumption."),
    _P("acknowledgement_safe", float, 0.392, (0.0, 1.0), (0.3, 0.7), "index", "behaviour",
       "Acknowledgement above which a direct approach to a service user is no longer harmful.",
       "Discussion: a history of abuse 'must be acknowledged, before forcing that type of "
       "engagement'. The level is an assumption."),
    _P("commissioning_rate", float, 0.598, (0.0, 1.0), (0.2, 0.8), "probability", "behaviour",
       "Probability that an open commissioning round commissions coproduction when the network "
       "is fully ready; it falls smoothly with readiness.",
       "Symbolic contexts: 'it's only fair that if they are doing things that we are currently "
       "paying for, that we commission them'. The value is an assumption."),
    _P("commissioning_threshold", float, 0.452, (0.0, 1.0), (0.4, 0.6), "readiness", "behaviour",
       "Readiness (the geometric mean of CBOs' trust toward statutory partners, officials' "
       "recognition and senior endorsement) at which an open round commissions with half the "
       "full probability.",
       "Symbolic contexts: statutory bodies 'recognised and valued the knowledge produced by "
       "CBOs as equal'. The level is an assumption."),
    _P("commissioning_width", float, 0.0262, (0.005, 0.5), (0.01, 0.06), "readiness", "behaviour",
       "Width of the smooth rise of the commissioning probability around its threshold.",
       ASSUMPTION),
    _P("activity_reach", float, 0.195, (0.0, 1.0), (0.1, 0.5), "share", "behaviour",
       "Share of the remaining way to full safety that members of a CBO hosting a commissioned "
       "activity perceive, seeing coproduction in their own space.",
       "Symbolic contexts: care delivered 'in community spaces where historically marginalised "
       "groups may be more comfortable engaging'. The share is an assumption."),
    _P("word_of_mouth", float, 0.476, (0.0, 1.0), (0.1, 0.5), "share", "behaviour",
       "How far the engaged share among a CBO's members raises what a member hears "
       "about the space's safety (a share of the remaining way to full safety).",
       "Discussion: CBOs relayed views 'until, service users felt the space was safe to enter'; "
       "'many service users linked into the network through membership to CBOs'. Hearing from "
       "fellow members, and the weight, are assumptions."),
    _P("everyday_harm_rate", float, 0.0298, (0.0, 0.2), (0.0, 0.03), "probability per month",
       "behaviour",
       "Monthly probability that a service user meets harm by services in everyday life, before "
       "any acknowledgement of harm.",
       "Discussion: 'previous and ongoing experiences of oppression and marginalisation at "
       "systemic and relational levels'. The rate is an assumption."),
    _P("harm_protection", float, 0.492, (0.0, 1.0), (0.2, 0.8), "share", "behaviour",
       "Share by which full acknowledgement of harm lowers the everyday harm rate.",
       "Outcome: 'a process where longstanding power asymmetries are recognised, and then over "
       "time, addressed'. The share is an assumption."),
    _P("harm_growth", float, 0.136, (0.0, 1.0), (0.0, 0.3), "share", "behaviour",
       "Share of the remaining way to 1 that one harmful encounter adds to a service user's "
       "history of harm (which slows their learning that the space is safe).",
       "Introduction: engagement 'is embedded within a history of violence(s)'. The size is an "
       "assumption."),
    _P("champion_leave_rate", float, 0.00751, (0.0, 1.0), (0.0, 0.03), "probability per month",
       "behaviour",
       "Monthly probability that the senior champion, while there is one, moves on: senior "
       "officials stop engaging until another arrives (on top of rank turnover).",
       "Symbolic contexts: leaders who 'endorse coproduction efforts in early stages and later, "
       "champion new modes of working'. The rate is an assumption."),
    _P("champion_arrival_rate", float, 0.0252, (0.0, 1.0), (0.0, 0.05), "probability per month",
       "behaviour",
       "Monthly probability that a senior champion arrives while there is none.",
       "Symbolic contexts: 'Participants with statutory leadership roles repeatedly drew on "
       "their positional power'. The rate is an assumption."),
    _P("funding_shock_rate", float, 0.0183, (0.0, 0.2), (0.0, 0.02), "probability per month",
       "behaviour",
       "Monthly probability that a running project contract is cut short by a funding shock "
       "(a gap of contract_gap_months follows).",
       "Discussion: 'time may not be afforded to organisations bound by contractual "
       "obligations'. The rate is an assumption."),
    # ---------------------------------------------------------------- measurement
    _P("horizon_months", int, 180, (1, 1200), (180, 180), "months", "measurement",
       "Months simulated (15 years by default).",
       "Assumption: long enough to see the paper's four-year phase zero and what follows."),
    _P("pz_by_threshold", bool, False, (0, 1), (0, 0), "flag", "measurement",
       "Date the end of phase zero by the threshold rule (the three pz_* means held for "
       "pz_hold_months) instead of the commissioning decision, the default.",
       "Discussion: phase zero lasted '4 years before the first 'official' coproduction activity "
       "began in 2012': an institutional event. The threshold rule is kept as an alternative "
       "measurement."),
    _P("pz_trust_threshold", float, 0.5, (0.0, 1.0), (0.4, 0.6), "trust", "measurement",
       "Mean CBO trust toward statutory partners needed to end phase zero by the threshold rule "
       "(pz_by_threshold).", ASSUMPTION),
    _P("pz_recognition_threshold", float, 0.5, (0.0, 1.0), (0.4, 0.6), "recognition",
       "measurement",
       "Mean statutory recognition of community knowledge needed to end phase zero.",
       "Symbolic contexts: 'they recognised and valued the knowledge produced by CBOs as "
       "equal'. The level is an assumption."),
    _P("pz_endorsement_threshold", float, 0.5, (0.0, 1.0), (0.4, 0.6), "endorsement",
       "measurement",
       "Senior endorsement needed to end phase zero.",
       "Symbolic contexts: officials 'endorse coproduction efforts in early stages'. The level "
       "is an assumption."),
    _P("pz_hold_months", int, 6, (1, 60), (3, 12), "months", "measurement",
       "Months the three phase-zero conditions must hold together.", ASSUMPTION),
    _P("engagement_threshold", float, 0.25, (0.0, 1.0), (0.15, 0.4), "share", "measurement",
       "Engaged share of service users that counts as service-user engagement.",
       "Discussion: 'a relatively limited presence of service users' at the 2015-16 fieldwork. The "
       "level is an assumption."),
    _P("engagement_hold_months", int, 6, (1, 60), (3, 12), "months", "measurement",
       "Months the engaged share must stay at or above its threshold.", ASSUMPTION),
)

REGISTRY: dict[str, Parameter] = {p.name: p for p in _PARAMETERS}
#: The model's own parameters (the engine reads these; :func:`register` adds to REGISTRY only).
BUILT_IN: tuple[str, ...] = tuple(REGISTRY)


def register(*parameters: Parameter) -> None:
    """Add an extension's parameters to the registry (see docs/extending.md).

    A registered parameter is validated by :func:`resolve`, set with ``--set``, swept and
    recorded like the model's own; the compiled engine does not read it (a user submodel does,
    from ``network.p``). It takes part in a run only where it is set or where the model class
    names it (``PhaseZeroModel.parameters``, passed to :func:`resolve` as ``include``): other
    models, their defaults and their sweeps are unchanged by a registration. Registering the
    same definition again is a no-op (a module imported twice, a sweep's workers); a different
    definition under a taken name raises ValueError. Extension parameters may not be of kind
    ``structure`` (the engine's batches are keyed by the built-in structure).
    """
    for p in parameters:
        if p.kind == "structure":
            raise ValueError(f"extension parameter '{p.name}' cannot be of kind 'structure'")
        known = REGISTRY.get(p.name)
        if known is not None and known != p:
            raise ValueError(f"parameter '{p.name}' is already registered with another "
                             "definition")
        p.coerce(p.default)  # its own default must be valid
        REGISTRY[p.name] = p


def defaults(include: Iterable[str] = ()) -> dict[str, Any]:
    """Every model parameter at its default value (and the registered ones in ``include``)."""
    return {n: REGISTRY[n].default for n in (*BUILT_IN, *include)}


def names(kind: Kind | None = None, include: Iterable[str] = ()) -> list[str]:
    """Model parameter names in registry order (then ``include``), optionally of one kind."""
    return [n for n in (*BUILT_IN, *include) if kind is None or REGISTRY[n].kind == kind]


def unknown_parameter_error(name: str) -> ParameterError:
    """The error for a name the registry does not know, with the closest known names."""
    close = difflib.get_close_matches(name, REGISTRY, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ParameterError(
        f"unknown parameter '{name}'{hint} (run 'phase0 params' for the list)"
    )


def resolve(params: Mapping[str, Any] | None = None,
            include: Iterable[str] = ()) -> dict[str, Any]:
    """Validate ``params`` and return the complete parameter dict (defaults filled in).

    ``include``: registered extension parameters to fill in at their defaults too (a model
    class's ``parameters``). Raises :class:`ParameterError` naming the parameter and its valid
    range for an unknown name, a wrong type, a value out of range, or an inconsistent
    combination.
    """
    for name in include:
        if name not in REGISTRY:
            raise unknown_parameter_error(name)
    resolved = defaults(include)
    for name, value in (params or {}).items():
        if name not in REGISTRY:
            raise unknown_parameter_error(name)
        resolved[name] = REGISTRY[name].coerce(value)
    _check_combinations(resolved)
    return resolved


def _check_combinations(p: Mapping[str, Any]) -> None:
    if p["share_users_no_cbo"] + p["share_users_two_cbos"] > 1.0 + 1e-12:
        raise ParameterError(
            "parameters 'share_users_no_cbo' + 'share_users_two_cbos' must not exceed 1, got "
            f"{p['share_users_no_cbo']:g} + {p['share_users_two_cbos']:g}"
        )
    if p["n_executives"] + p["n_senior_managers"] + p["n_frontline"] < 1:
        raise ParameterError("the network needs at least one statutory official")


def structure_key(p: Mapping[str, Any]) -> tuple:
    """The values of the structure parameters: runs sharing them can share one engine batch."""
    return tuple(p[n] for n in names("structure"))
