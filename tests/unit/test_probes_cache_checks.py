from typing import Any

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
        prefix = match.rstrip("*")
        return iter([k for k in self.ttls if k.startswith(prefix)])

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
