"""The load runner's pure parts: what Locust is told (host, bounds, inputs) and the budgets."""

import json
from pathlib import Path

import pytest

from staging_gate import load
from staging_gate.errors import ConfigError
from staging_gate.profile import Profile, load_profile
from tests.profile_factory import write_profile

EXTRA = """
[[tenants]]
key = "a"
company = "A"
email_env = "SG_TEST_TENANT_EMAIL"
password_env = "SG_TEST_TENANT_PASSWORD"

[routes]
portal_api_paths = ["/api/portal/calls", "/api/portal/stats"]

[budgets]
api_p95_ms = 400
load = { users = 5, spawn_rate = 5, duration_seconds = 8 }
"""


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return load_profile(write_profile(tmp_path, "https://127.0.0.1:8443", EXTRA))


def test_locust_is_bounded_and_aimed_at_the_profiles_base_url_only(profile, tmp_path):
    command = load.locust_command(profile, load.LoadFiles(tmp_path))
    assert command[command.index("--host") + 1] == "https://127.0.0.1:8443"
    assert command[command.index("--run-time") + 1] == "8s"
    assert command[command.index("--users") + 1] == "5"
    assert {"--headless", "--only-summary", "--csv", "--json-file", "--html"} <= set(command)


def test_budget_rules_follow_the_profile(profile):
    rules = {rule.kind: rule for rule in load.budget_rules(profile)}
    assert rules["api"].p95_ms == 400 and rules["api"].covers("/api/portal/calls/[id]")
    assert rules["portal_dashboard"].paths == ("/portal",)
    assert not rules["portal_dashboard"].covers("/portal/calls")


def test_locustfile_inputs_carry_routes_budgets_and_secrets(profile, tmp_path, monkeypatch):
    monkeypatch.setenv("SG_TEST_TENANT_EMAIL", "a@example.test")
    monkeypatch.setenv("SG_TEST_TENANT_PASSWORD", "pw")
    files = load.LoadFiles(tmp_path)
    env = load.locust_env(profile, files, load.budget_rules(profile))
    assert json.loads(env[load.ENV_ROUTES])["api"] == ["/api/portal/calls", "/api/portal/stats"]
    assert json.loads(env[load.ENV_BUDGETS])["max_failure_ratio"] == 0.01
    assert env[load.ENV_TENANT_EMAIL] == "a@example.test"
    assert env[load.ENV_TIMINGS_FILE] == str(files.timings)


def test_a_missing_tenant_secret_is_a_configuration_error(profile, tmp_path, monkeypatch):
    monkeypatch.delenv("SG_TEST_TENANT_EMAIL", raising=False)
    with pytest.raises(ConfigError, match="SG_TEST_TENANT_EMAIL"):
        load.locust_env(profile, load.LoadFiles(tmp_path), load.budget_rules(profile))
