"""P6.5: no N+1 queries — the calls list runs a bounded number of SQL statements that does not
grow with the rows it lists.

Counted by the database server, not the application: the application user's statement
total in performance_schema, read before and after one page load (see
`staging_gate.probes.statement_counts`). Exclusive, so no other check's traffic lands in the
window; each load is taken twice (the fewer counts) so a stray session write does not look
like growth. The profile's optional ``budgets.query_count_header`` is judged as a second
source when the app sends it.
"""

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes.performance import judge_query_growth
from staging_gate.probes.statement_counts import observation_from_header, observe_page

pytestmark = pytest.mark.exclusive

PAGE_PAST_THE_END = 99999  # lists nothing: the same page code with no rows


def test_P6_5_calls_list_has_no_n_plus_one(tenants, profile, statement_counter):
    """The calls list runs under max_queries_per_page statements, no more for 25 rows than
    for 0 (performance_schema; the app's own header too when the profile names one)."""
    client = next(iter(tenants.values()))
    calls = profile.routes.calls
    header = profile.budgets.query_count_header
    budget = profile.budgets.max_queries_per_page
    full, full_counts, full_headers = observe_page(statement_counter, client,
                                                   f"{calls}?page=1", header)
    sparse, sparse_counts, sparse_headers = observe_page(
        statement_counter, client, f"{calls}?page={PAGE_PAST_THE_END}", header)
    attach_json("SQL statements per page load (performance_schema)", {
        "source": "performance_schema.events_statements_summary_by_user_by_event_name",
        "note": "each load counted alone (exclusive stage); the monitor's own reads are "
                "subtracted; statements the app runs after answering (session writes) are "
                "waited for and counted",
        "full": [c.__dict__ for c in full_counts], "sparse": [c.__dict__ for c in sparse_counts],
        "rows": {"full": full.rows, "sparse": sparse.rows},
        "header": {"name": header, "full": full_headers, "sparse": sparse_headers},
        "max_queries_per_page": budget,
    })
    problems = judge_query_growth(full, sparse, budget)
    full_by_header = observation_from_header(full, full_headers)
    sparse_by_header = observation_from_header(sparse, sparse_headers)
    if full_by_header is not None and sparse_by_header is not None and not problems:
        problems = [f"{p} (by the app's {header} header)"
                    for p in judge_query_growth(full_by_header, sparse_by_header, budget)]
    expect.no_problems(problems, f"SQL queries per page on {calls}")
