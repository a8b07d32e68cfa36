"""P1.7: the baseline health check reports what the profile expects — and tells the truth."""

from dataclasses import asdict

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import health


@pytest.fixture
def health_reading(http, profile) -> health.HealthReading:
    """The health endpoint's answer, attached; the check fails when it is not JSON."""
    response = http.get(profile.health.path)
    attach_response(response)
    reading = health.read_health(response)
    expect.present(
        reading.payload,
        f"GET {profile.health.path} answered {reading.status_code}: {reading.error}",
    )
    return reading


def test_P1_7_health_reports_expected_fields(health_reading, profile):
    """Health JSON has every required field with the profile's values (staging, ok, connected)."""
    reading = health_reading
    problems = health.field_problems(
        reading.payload or {}, profile.health.required_fields, profile.health.expected
    )
    if reading.status_code != 200:
        problems.insert(0, f"HTTP {reading.status_code}, expected 200")
    expect.no_problems(problems, f"GET {profile.health.path}")


def test_P1_7_health_agrees_with_direct_probes(health_reading, target, profile):
    """What health claims about the database and cache matches the gate's own direct checks."""
    reading = health_reading
    probes = {
        "database": health.database_probe(
            target.dsn(), target.profile.database.connect_timeout_seconds
        ),
        "cache": health.cache_probe(target.cache_url(), target.profile.target.timeout_seconds),
    }
    attach_json("direct probes", {name: asdict(probe) for name, probe in probes.items()})
    expect.no_problems(
        health.contradictions(reading.payload or {}, profile.health.expected, probes),
        f"GET {profile.health.path} is not truthful",
    )
