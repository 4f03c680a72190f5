import math

import pytest

from simulation.parameters import KINDS, REGISTRY, ParameterError, defaults, names, resolve


def test_every_parameter_is_fully_described():
    for p in REGISTRY.values():
        assert p.kind in KINDS
        assert p.meaning and p.evidence and p.unit
        assert p.type in (int, float, bool)
        lo, hi = p.valid
        assert lo <= hi


@pytest.mark.parametrize("name", list(REGISTRY))
def test_default_lies_in_valid_and_sweep_ranges(name):
    p = REGISTRY[name]
    assert p.coerce(p.default) == p.default
    if p.type is not bool:
        assert p.valid[0] <= p.sweep[0] <= p.sweep[1] <= p.valid[1]
        if not p.sweep[0] <= p.default <= p.sweep[1]:
            # only an event's month may: it defaults to 0, "never", which a sweep leaves out
            assert p.kind == "event" and p.default == 0, f"{name} default outside its sweep range"
            assert "0: never" in p.meaning or "0: no" in p.meaning


def test_defaults_validate():
    assert resolve(None) == defaults()


def test_unknown_parameter_names_it_and_suggests():
    with pytest.raises(ParameterError, match="unknown parameter 'trust_gian'.*trust_gain"):
        resolve({"trust_gian": 0.1})


def test_out_of_range_names_parameter_and_range():
    with pytest.raises(ParameterError, match=r"'venue_community_share' = 1.5.*\[0, 1\]"):
        resolve({"venue_community_share": 1.5})


@pytest.mark.parametrize("value", ["abc", None, [1], float("nan"), math.inf])
def test_wrong_type_is_refused(value):
    with pytest.raises(ParameterError, match="trust_gain"):
        resolve({"trust_gain": value})


def test_integers_must_be_whole():
    with pytest.raises(ParameterError, match="whole number"):
        resolve({"n_cbos": 2.5})
    assert resolve({"n_cbos": "12"})["n_cbos"] == 12


def test_booleans_are_strict():
    assert resolve({"core_funding": "false"})["core_funding"] is False
    assert resolve({"core_funding": 1})["core_funding"] is True
    with pytest.raises(ParameterError, match="core_funding"):
        resolve({"core_funding": 0.5})
    with pytest.raises(ParameterError, match="core_funding"):
        resolve({"core_funding": "maybe"})


def test_inconsistent_membership_shares_are_refused():
    with pytest.raises(ParameterError, match="share_users_no_cbo"):
        resolve({"share_users_no_cbo": 0.7, "share_users_two_cbos": 0.5})


def test_every_kind_is_used():
    for kind in KINDS:
        assert names(kind)


def test_a_registered_parameter_joins_only_the_runs_that_name_it():
    from simulation.parameters import BUILT_IN, Parameter, defaults, register, resolve

    before = defaults()
    extra = Parameter("test_extension_gain", float, 0.3, (0.0, 1.0), (0.0, 0.5), "rate",
                      "behaviour", "A test's own parameter.", "Assumption (test).")
    register(extra)
    register(extra)  # again, the same definition: a no-op
    assert defaults() == before and "test_extension_gain" not in resolve({})
    assert resolve({}, include=["test_extension_gain"])["test_extension_gain"] == 0.3
    assert resolve({"test_extension_gain": "0.7"})["test_extension_gain"] == 0.7
    with pytest.raises(ParameterError, match="out of range"):
        resolve({"test_extension_gain": 2})
    with pytest.raises(ValueError, match="another definition"):
        register(Parameter("test_extension_gain", float, 0.1, (0.0, 1.0), (0.0, 0.5), "rate",
                           "behaviour", "Different.", "Assumption."))
    with pytest.raises(ValueError, match="structure"):
        register(Parameter("test_extension_size", int, 3, (1, 9), (1, 9), "count",
                           "structure", "A size.", "Assumption."))
    assert "test_extension_gain" not in BUILT_IN
