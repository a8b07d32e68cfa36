"""P6.6: the dashboard is served from the cache — Redis hits over repeated dashboard loads
reach the budget ratio. Measured as the delta of Redis INFO keyspace_hits/misses around the
loads (never the server's lifetime counters); counters reset in between, or missing from a
Redis-compatible server, make it "could not verify", never a pass. Exclusive: it repeats
load and needs no other check touching Redis in between.
"""

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import cache_checks

pytestmark = pytest.mark.exclusive

DASHBOARD_LOADS = 10


def test_P6_6_dashboard_cache_hit_ratio(cache, tenants, profile):
    """Ten dashboard loads by one tenant hit the cache at least cache_hit_ratio of the time."""
    client = next(iter(tenants.values()))
    page = profile.routes.portal
    before = cache_checks.CounterSample.read(cache)
    answers = [client.get(page) for _ in range(DASHBOARD_LOADS)]
    after = cache_checks.CounterSample.read(cache)
    attach_json("dashboard loads", {
        "statuses": [r.status_code for r in answers],
        "x_cache": [r.headers.get("X-Cache") for r in answers],
        "server": after.server,
        "redis_before": {"hits": before.hits, "misses": before.misses, **before.monotonic},
        "redis_after": {"hits": after.hits, "misses": after.misses, **after.monotonic},
        "budget": profile.budgets.cache_hit_ratio,
    })
    failed = [r.status_code for r in answers if r.status_code != 200]
    expect.that(not failed, f"GET {page} answered {failed} during the cache check, expected 200")
    delta = cache_checks.hit_delta(before, after)
    expect.no_problems(
        cache_checks.judge_hit_ratio(delta, profile.budgets.cache_hit_ratio, DASHBOARD_LOADS, page),
        "Redis cache for the portal dashboard",
    )
