"""P1.5, P1.6: the database and Redis answer directly; the app caches under staging keys."""

from dataclasses import asdict
from urllib.parse import urlsplit

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import cache_checks, schema


def test_P1_5_database_connection(db, target):
    """A direct connection with the deploy's credentials works and reports the server version."""
    info = schema.server_info(schema.query_runner(db))
    attach_json("database server", {"address": target.dsn().address, **asdict(info)})
    expect.that(bool(info.version), f"database at {target.dsn().address} reported no version")


def test_P1_6_redis_answers_ping(cache, target):
    """Redis answers PING with the deploy's URL and reports its version."""
    pong = cache_checks.ping(cache)
    url = urlsplit(target.cache_url())
    attach_json("redis", {"address": f"{url.hostname}:{url.port}", "latency_ms": pong.latency_ms,
                          "server_version": pong.server_version})


def test_P1_6_cache_keys_use_staging_prefix(cache, tenants, profile):
    """Serving a cached page writes keys under the staging prefix, none under production's —
    behind the Redis connection prefix Laravel puts before every key (cache.redis_prefix)."""
    settings = profile.cache
    layout = cache_checks.KeyLayout(settings.prefix, settings.production_prefix,
                                    settings.redis_prefix)
    staging_glob = layout.glob("staging", settings.stats_key_pattern)
    production_glob = layout.glob("production")
    production_before = layout.only("production", cache_checks.snapshot(cache, production_glob))
    client = next(iter(tenants.values()))
    response = client.get(profile.routes.portal)
    expect.that(
        response.status_code == 200,
        f"GET {profile.routes.portal} as a tenant answered {response.status_code}; "
        "cannot make the app fill its cache",
    )
    staging_after = layout.only("staging", cache_checks.snapshot(cache, staging_glob))
    production_after = layout.only("production", cache_checks.snapshot(cache, production_glob))
    verdict = cache_checks.judge_prefixes(staging_after, production_before, production_after)
    attach_json("cache keys", {
        "staging_glob": staging_glob, "production_glob": production_glob,
        "staging": staging_after, "production_before": production_before,
        "production_after": production_after,
    })
    expect.no_problems(verdict.problems(staging_glob, production_glob), "Redis cache prefixes")
