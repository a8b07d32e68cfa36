import httpx
import pytest

from staging_gate.probes import health

REQUIRED = ("status", "environment", "database", "cache", "version")
EXPECTED = {"status": "ok", "environment": "staging", "database": "connected", "cache": "connected"}
HEALTHY = {**EXPECTED, "version": "1.4.2"}


def test_healthy_payload_has_no_problems():
    assert health.field_problems(HEALTHY, REQUIRED, EXPECTED) == []


def test_missing_and_wrong_fields_are_named():
    payload = {**HEALTHY, "environment": "production"}
    del payload["version"]
    problems = health.field_problems(payload, REQUIRED, EXPECTED)
    assert "field 'version' missing" in problems
    assert "environment is 'production', expected 'staging'" in problems


def test_read_health_rejects_non_json_and_non_objects():
    request = httpx.Request("GET", "https://x/health")
    html = health.read_health(httpx.Response(502, text="<html>Bad Gateway</html>", request=request))
    assert html.payload is None and "not JSON" in (html.error or "")
    array = health.read_health(httpx.Response(200, json=[1], request=request))
    assert array.payload is None and "list" in (array.error or "")
    ok = health.read_health(httpx.Response(200, json=HEALTHY, request=request))
    assert ok.payload == HEALTHY


def test_a_claim_contradicted_by_the_direct_probe_is_reported():
    probes = {
        "database": health.DirectProbe(False, "database unreachable at 127.0.0.1:3307"),
        "cache": health.DirectProbe(True, "PONG"),
    }
    found = health.contradictions(HEALTHY, EXPECTED, probes)
    assert found == [
        "health says database='connected' but the gate's direct check failed: "
        "database unreachable at 127.0.0.1:3307"
    ]


def test_an_honest_degraded_health_is_no_contradiction():
    degraded = {**HEALTHY, "status": "degraded", "database": "disconnected"}
    probes = {"database": health.DirectProbe(False, "down")}
    assert health.contradictions(degraded, EXPECTED, probes) == []


# --- issue 9 kind 4: booleans and numbers, compared by type -----------------------------------

BOOLEAN_HEALTH = {"status": "ok", "database": True, "cache": True}


@pytest.mark.parametrize(
    ("payload", "expected", "problems"),
    [
        (BOOLEAN_HEALTH, {"status": "ok", "database": True, "cache": True}, []),
        ({"database": 1, "queue": 0.5}, {"database": 1, "queue": 0.5}, []),
        ({"database": 1.0}, {"database": 1}, []),
        ({"database": False}, {"database": True}, ["database is false, expected true"]),
        ({"workers": 2}, {"workers": 3}, ["workers is 2, expected 3"]),
        ({"database": True}, {"database": "true"},
         ["database is true (a JSON boolean), expected 'true' (a string); "
          "to expect the boolean write database = true"]),
        ({"database": "true"}, {"database": True},
         ["database is 'true' (a JSON string), expected true (a boolean)"]),
        ({"database": 1}, {"database": True},
         ["database is 1 (a JSON number), expected true (a boolean)"]),
        ({"database": None}, {"database": "connected"}, ["database is null, expected 'connected'"]),
    ],
)
def test_expected_values_compare_by_type(payload, expected, problems):
    assert health.field_problems(payload, (), expected) == problems


def test_profile_accepts_toml_booleans_numbers_and_strings(tmp_path):
    import tomllib

    from staging_gate.profile import HealthSection

    data = tomllib.loads('expected = { database = true, workers = 3, ratio = 0.5, '
                         'env = "staging" }')
    section = HealthSection.model_validate(data)
    assert section.expected == {"database": True, "workers": 3, "ratio": 0.5, "env": "staging"}
    assert type(section.expected["database"]) is bool
    assert type(section.expected["workers"]) is int
    assert type(section.expected["env"]) is str


DOWN = {"database": health.DirectProbe(False, "database unreachable at 127.0.0.1:3307")}


@pytest.mark.parametrize(
    "claimed",
    [True, "connected", "ok", "UP", "up", "true", "Healthy", "available", "pass", 1,
     {"status": "UP"}, {"healthy": True}, {"state": "ready", "latency_ms": 3}],
)
def test_any_spelling_of_up_contradicted_by_the_probe_is_reported(claimed):
    found = health.contradictions({"database": claimed}, {}, DOWN)
    assert len(found) == 1 and "but the gate's direct check failed" in found[0]


def test_the_boolean_health_sample_contradiction_check_stays_on():
    found = health.contradictions(BOOLEAN_HEALTH, {"database": True}, DOWN)
    assert found == ["health says database=true but the gate's direct check failed: "
                     "database unreachable at 127.0.0.1:3307"]


@pytest.mark.parametrize(
    "claimed", [False, "disconnected", "down", "DOWN", "error", 0, {"status": "DOWN"}, None, ""],
)
def test_any_spelling_of_down_is_honest(claimed):
    assert health.contradictions({"database": claimed}, {}, DOWN) == []
