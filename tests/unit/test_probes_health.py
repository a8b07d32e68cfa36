import httpx

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
