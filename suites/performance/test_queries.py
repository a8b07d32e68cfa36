"""P6.5: no N+1 queries — the calls list runs a bounded number of SQL statements that does not
grow with the rows it lists (read from the target's ``X-Query-Count`` response header).

Read-only: two ordinary page loads as a tenant user, each taken twice (the fewer counts),
so a session write that lands on one load does not look like growth.
"""

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes.performance import QueryObservation, count_table_rows, judge_query_growth

QUERY_HEADER = "X-Query-Count"
PAGE_PAST_THE_END = 99999  # lists nothing: the same page code with no rows


def observe_queries(client, url: str) -> QueryObservation:
    seen = []
    for _ in range(2):
        response = client.get(url)
        attach_response(response)
        header = response.headers.get(QUERY_HEADER)
        expect.that(response.status_code == 200,
                    f"GET {url} answered {response.status_code}, expected 200 (the list page)")
        expect.that(header is not None and header.strip().isdigit(),
                    f"GET {url} sent no numeric {QUERY_HEADER} header: query counts unobservable")
        seen.append(QueryObservation(url, count_table_rows(response.text), int(str(header))))
    return min(seen, key=lambda o: o.queries)


def test_P6_5_calls_list_has_no_n_plus_one(tenants, profile):
    """The calls list runs under max_queries_per_page queries, no more for 25 rows than for 0."""
    client = next(iter(tenants.values()))
    calls = profile.routes.calls
    full = observe_queries(client, f"{calls}?page=1")
    sparse = observe_queries(client, f"{calls}?page={PAGE_PAST_THE_END}")
    attach_json("query counts", {"full": full.__dict__, "sparse": sparse.__dict__,
                                 "max_queries_per_page": profile.budgets.max_queries_per_page})
    expect.no_problems(
        judge_query_growth(full, sparse, profile.budgets.max_queries_per_page),
        f"SQL queries per page on {calls}",
    )
