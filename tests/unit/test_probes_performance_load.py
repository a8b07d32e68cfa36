"""The load runner's pure parts: what Locust is told (host, bounds, inputs) and the budgets."""

import json
from pathlib import Path

import pytest

from staging_gate.errors import ConfigError
from staging_gate.profile import Profile, load_profile
from staging_gate.run import load
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


# --- distributed load ---------------------------------------------------------------------

def shaped(tmp_path: Path, load_shape: str) -> Profile:
    extra = EXTRA.replace("load = { users = 5, spawn_rate = 5, duration_seconds = 8 }",
                          f"load = {{ {load_shape} }}")
    return load_profile(write_profile(tmp_path, "https://127.0.0.1:8443", extra))


def test_one_process_by_default_no_master(profile, tmp_path):
    command = load.locust_command(profile, load.LoadFiles(tmp_path))
    assert "--processes" not in command and "--master" not in command


def test_processes_spread_the_users_over_local_worker_processes(tmp_path):
    command = load.locust_command(shaped(tmp_path, "users = 10, processes = 2"),
                                  load.LoadFiles(tmp_path))
    assert command[command.index("--processes") + 1] == "2"


def test_external_workers_make_the_gate_a_bounded_master(tmp_path):
    profile = shaped(tmp_path, "workers = 3, master_port = 6000, workers_wait_seconds = 45")
    command = load.locust_command(profile, load.LoadFiles(tmp_path))
    assert command[command.index("--expect-workers") + 1] == "3"
    assert command[command.index("--expect-workers-max-wait") + 1] == "45"
    assert command[command.index("--master-bind-port") + 1] == "6000"
    assert "--master" in command and "--processes" not in command
    worker = load.worker_command(profile, "gate.ci.internal", processes=2)
    assert worker[worker.index("--master-host") + 1] == "gate.ci.internal"
    assert worker[worker.index("--master-port") + 1] == "6000"
    assert "--worker" in worker and worker[worker.index("--processes") + 1] == "2"


def test_processes_and_external_workers_do_not_combine(tmp_path):
    with pytest.raises(ConfigError, match="processes and workers cannot be combined"):
        shaped(tmp_path, "processes = 2, workers = 2")


def test_the_login_form_fields_come_from_the_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("SG_TEST_TENANT_EMAIL", "a@example.test")
    monkeypatch.setenv("SG_TEST_TENANT_PASSWORD", "pw")
    extra = EXTRA.replace('[routes]\n', '[routes]\nlogin_form = { email_field = "data.email", '
                          'password_field = "data.password", token_field = "" }\n')
    profile = load_profile(write_profile(tmp_path, "https://127.0.0.1:8443", extra))
    env = load.locust_env(profile, load.LoadFiles(tmp_path), load.budget_rules(profile))
    assert json.loads(env[load.ENV_LOGIN_FORM]) == {
        "email_field": "data.email", "password_field": "data.password", "token_field": ""}


@pytest.mark.parametrize("html, expected", [
    ('<input type="hidden" name="_token" value="abc123">', "abc123"),
    ('<input value="xyz" type="hidden" name="_token">', "xyz"),
    ('<input name="_token" type="hidden" value="">', ""),
    ('<input name="_token_other" value="no"><input name="email" value="e">', ""),
    ("<form></form>", ""),
])
def test_a_forms_token_is_read_whatever_the_attribute_order(html, expected):
    assert load.form_value(html, "_token") == expected


def test_the_worker_command_line_is_part_of_the_cli():
    from staging_gate.run.cli import build_parser

    args = build_parser().parse_args(
        ["load-worker", "--profile", "shop.toml", "--master-host", "gate.internal",
         "--processes", "2"])
    assert (args.command, args.master_host, args.processes) == ("load-worker", "gate.internal", 2)
