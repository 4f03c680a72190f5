import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture()
def small_scenario(tmp_path):
    """A small, short network (a scenario file) for fast sweep tests."""
    path = tmp_path / "small.toml"
    path.write_text("# a small, short network for fast tests\nname = 'small'\n[parameters]\n"
                    "horizon_months = 30\nn_service_users = 30\nn_cbos = 8\n")
    return str(path)
