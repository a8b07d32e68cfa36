import fnmatch
from typing import Any

import pytest

from staging_gate.errors import CouldNotVerify
from staging_gate.probes import cache_checks


def test_new_or_refreshed_keys_were_written_between_snapshots():
    before = {"p_a": 30, "p_b": 50, "p_forever": -1}
    after = {"p_a": 60, "p_b": 48, "p_c": 60, "p_forever": -1}
    assert cache_checks.written_between(before, after) == ["p_a", "p_c"]


def test_production_writes_during_the_check_are_named():
    verdict = cache_checks.judge_prefixes(
        staging_after={"askpro_staging_stats_1": 59},
        production_before={},
        production_after={"askpro_cache_stats_1": 60},
    )
    problems = verdict.problems("askpro_staging_*", "askpro_cache_*")
    assert problems == [
        "the app wrote 1 key(s) under the production prefix (askpro_cache_*) during the check: "
        "askpro_cache_stats_1"
    ]


def test_no_staging_keys_is_a_problem_and_clean_cache_is_not():
    empty = cache_checks.judge_prefixes({}, {}, {})
    assert empty.problems("s_*", "p_*") == [
        "no key matching s_* after the app served a cached page"
    ]
    clean = cache_checks.judge_prefixes({"s_x": 10}, {}, {})
    assert clean.problems("s_*", "p_*") == []


class FakeRedis:
    def __init__(self, ttls: dict[str, int]) -> None:
        self.ttls = ttls

    def scan_iter(self, match, count):
        return iter([k for k in self.ttls if fnmatch.fnmatchcase(k, match)])

    def ttl(self, key):
        return self.ttls.get(key, -2)

    def ping(self):
        return True

    def info(self, section):
        return {"redis_version": "7.0.15"}


def test_snapshot_reads_ttls_without_writing():
    client: Any = FakeRedis({"s_a": 10, "s_b": -1, "p_a": 3})
    assert cache_checks.snapshot(client, "s_*") == {"s_a": 10, "s_b": -1}
    assert cache_checks.snapshot(client, "s_*", limit=1) == {"s_a": 10}
    assert cache_checks.ping(client).server_version == "7.0.15"


# --- issue 9 kind 9: keys as Laravel writes them (connection prefix + cache prefix) ----------

ANY = cache_checks.KeyLayout("askpro_staging_", "askpro_cache_")
NAMED = cache_checks.KeyLayout("askpro_staging_", "askpro_cache_", "askpro_ai_gateway_database_")


@pytest.mark.parametrize(
    ("layout", "key", "which"),
    [
        (ANY, "askpro_ai_gateway_database_askpro_staging_dashboard_stats_1", "staging"),
        (ANY, "askpro_ai_gateway_database_askpro_cache_dashboard_stats_1", "production"),
        (ANY, "askpro_staging_dashboard_stats_1", "staging"),  # no connection prefix at all
        (ANY, "laravel_database_askpro_staging_x", "staging"),
        (ANY, "askpro_ai_gateway_staging_database_askpro_cache_x", "production"),
        (ANY, "askpro_ai_gateway_database_laravel_session:abc", None),
        (NAMED, "askpro_ai_gateway_database_askpro_staging_x", "staging"),
        (NAMED, "askpro_ai_gateway_database_askpro_cache_x", "production"),
        (NAMED, "other_app_database_askpro_staging_x", None),
        # the staging prefix inside the production prefix: the earlier occurrence decides
        (cache_checks.KeyLayout("app_", "myapp_"), "laravel_database_myapp_x", "production"),
        (cache_checks.KeyLayout("app_", "myapp_"), "laravel_database_app_myapp_x", "staging"),
    ],
)
def test_keys_are_classified_behind_any_connection_prefix(layout, key, which):
    assert layout.classify(key) == which


def test_globs_put_the_connection_prefix_before_the_cache_prefix():
    assert ANY.glob("staging", "dashboard_*") == "*askpro_staging_dashboard_*"
    assert NAMED.glob("production") == "askpro_ai_gateway_database_askpro_cache_*"
    assert cache_checks.KeyLayout("a[1]_", "p_").glob("staging") == "*a\\[1\\]_*"


def test_laravel_keys_are_seen_staging_and_production_alike():
    """The issue's sample: on a real Laravel app neither a false alarm nor a false pass."""
    client: Any = FakeRedis({
        "askpro_ai_gateway_database_askpro_staging_dashboard_stats_1": 59,
        "askpro_ai_gateway_database_askpro_cache_dashboard_stats_1": 60,
    })
    staging = ANY.only("staging", cache_checks.snapshot(client, ANY.glob("staging")))
    production = ANY.only("production", cache_checks.snapshot(client, ANY.glob("production")))
    verdict = cache_checks.judge_prefixes(staging, {}, production)
    problems = verdict.problems(ANY.glob("staging"), ANY.glob("production"))
    assert list(staging) == ["askpro_ai_gateway_database_askpro_staging_dashboard_stats_1"]
    assert len(problems) == 1 and "under the production prefix" in problems[0]


def test_profile_names_the_connection_prefix():
    from staging_gate.profile import CacheSection

    section = CacheSection(url_env="R", prefix="s_", production_prefix="p_")
    assert section.redis_prefix is None
    named = CacheSection(url_env="R", prefix="s_", production_prefix="p_", redis_prefix="x_")
    assert named.redis_prefix == "x_"


# --- issue 9 kind 5: counters the gate did not expect -----------------------------------------

def sample(hits: int | str | None, misses: int | None, commands: int = 5000, uptime: int = 100,
           **server: str) -> cache_checks.CounterSample:
    info: dict[str, object] = {"redis_version": "7.0.15", "total_commands_processed": commands,
            "uptime_in_seconds": uptime, **server}
    if hits is not None:
        info["keyspace_hits"] = hits
    if misses is not None:
        info["keyspace_misses"] = misses
    return cache_checks.CounterSample.from_info(info)


def test_ratio_is_the_delta_between_samples():
    delta = cache_checks.hit_delta(sample(1000, 5000), sample("1009", 5001, 5030, 101))
    assert (delta.hits, delta.misses, delta.ratio) == (9, 1, 0.9)
    assert cache_checks.judge_hit_ratio(delta, 0.6, 10, "/portal") == []
    assert cache_checks.judge_hit_ratio(cache_checks.HitDelta(1, 9), 0.6, 10, "/portal") == [
        "cache hit ratio over 10 loads of /portal was 0.10 (1 hits, 9 misses), budget 0.60"]
    none = cache_checks.judge_hit_ratio(cache_checks.HitDelta(0, 0), 0.6, 10, "/portal")
    assert "no Redis lookup" in none[0]


@pytest.mark.parametrize(
    ("before", "after", "named"),
    [
        # the sample: 1200/300 before, 2/8 after (CONFIG RESETSTAT in between)
        (sample(1200, 300), sample(2, 8, 30), "keyspace_hits 1200→2"),
        # hits grew past the old value after the reset, misses did not
        (sample(5, 300), sample(10, 3, 20), "keyspace_misses 300→3"),
        # both counters grew again, but the command counter shows the reset
        (sample(5, 5, 5000), sample(9, 6, 40), "total_commands_processed 5000→40"),
        # a restart: every counter could look fine, the uptime cannot
        (sample(5, 5, 50, uptime=3600), sample(9, 6, 60, uptime=2), "uptime 3600→2 s"),
    ],
)
def test_reset_counters_are_could_not_verify_never_a_pass(before, after, named):
    with pytest.raises(CouldNotVerify) as caught:
        cache_checks.hit_delta(before, after)
    assert "the counters were reset during the check" in caught.value.what
    assert named in caught.value.what and "Redis 7.0.15" in caught.value.what
    assert "CONFIG RESETSTAT" in caught.value.fix


@pytest.mark.parametrize(
    ("server", "name"),
    [
        ({}, "Redis 7.0.15"),
        ({"server_name": "valkey", "valkey_version": "8.0.1"}, "Valkey 8.0.1"),
        ({"dragonfly_version": "df-v1.21.0"}, "Dragonfly df-v1.21.0"),
        ({"garnet_version": "1.0.1"}, "Garnet 1.0.1"),
    ],
)
def test_a_server_without_counters_is_named_and_cannot_be_measured(server, name):
    for before, after in ((sample(None, None, **server), sample(None, None, **server)),
                          (sample(3, None, **server), sample(5, None, **server))):
        with pytest.raises(CouldNotVerify) as caught:
            cache_checks.hit_delta(before, after)
        assert caught.value.what.startswith("the cache hit ratio cannot be measured: " + name)
        assert "keyspace_hits/keyspace_misses" in caught.value.what


def test_server_name_without_any_version():
    assert "Redis-compatible" in cache_checks.server_name({})
