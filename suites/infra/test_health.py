"""P1.7: the baseline health check reports what the profile expects — and tells the truth."""

from dataclasses import asdict

import pymysql
import redis

from staging_gate import expect
from staging_gate.connections import TargetUnreachable, connect_cache, connect_db
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import health


def _read(http, profile) -> health.HealthReading:
    response = http.get(profile.health.path)
    attach_response(response)
    reading = health.read_health(response)
    expect.present(
        reading.payload,
        f"GET {profile.health.path} answered {reading.status_code}: {reading.error}",
    )
    return reading


def test_P1_7_health_reports_expected_fields(http, profile):
    """Health JSON has every required field with the profile's values (staging, ok, connected)."""
    reading = _read(http, profile)
    problems = health.field_problems(
        reading.payload or {}, profile.health.required_fields, profile.health.expected
    )
    if reading.status_code != 200:
        problems.insert(0, f"HTTP {reading.status_code}, expected 200")
    expect.no_problems(problems, f"GET {profile.health.path}")


def _database_probe(target) -> health.DirectProbe:
    try:
        connection = connect_db(target.dsn(), target.profile.database.connect_timeout_seconds)
    except TargetUnreachable as error:
        return health.DirectProbe(False, str(error))
    try:
        connection.ping(reconnect=False)
    except pymysql.MySQLError as error:
        return health.DirectProbe(False, f"database at {target.dsn().address}: {error}")
    finally:
        connection.close()
    return health.DirectProbe(True, f"database at {target.dsn().address} answered")


def _cache_probe(target) -> health.DirectProbe:
    try:
        client = connect_cache(target.cache_url(), target.profile.target.timeout_seconds)
    except (TargetUnreachable, redis.RedisError) as error:
        return health.DirectProbe(False, str(error))
    client.close()
    return health.DirectProbe(True, "Redis answered PING")


def test_P1_7_health_agrees_with_direct_probes(http, target, profile):
    """What health claims about the database and cache matches the gate's own direct checks."""
    reading = _read(http, profile)
    probes = {"database": _database_probe(target), "cache": _cache_probe(target)}
    attach_json("direct probes", {name: asdict(probe) for name, probe in probes.items()})
    expect.no_problems(
        health.contradictions(reading.payload or {}, profile.health.expected, probes),
        f"GET {profile.health.path} is not truthful",
    )
