import httpx

from staging_gate.probes import production
from staging_gate.probes.http_checks import Observation

MISSING_HTML = "<html><title>404 Not Found</title><p>Not Found</p></html>"


def answer(status: int = 404, body: str = MISSING_HTML, media: str = "text/html; charset=utf-8",
           cookies: tuple[str, ...] = (), path: str = "/portal") -> production.PageAnswer:
    headers = [("content-type", media)] + [("set-cookie", f"{c}=v; Path=/") for c in cookies]
    request = httpx.Request("GET", f"https://t.test{path}")
    return production.page_answer(httpx.Response(status, headers=headers, text=body,
                                                 request=request))


def test_a_disabled_route_answering_like_a_missing_page_is_fine():
    assert production.missing_page_difference(answer(), answer(path="/no-such")) is None


def test_page_answer_masks_session_tokens_and_reads_cookie_names():
    token = '<meta name="csrf-token" content="AbCdEfGhIjKlMnOpQrStUvWx12">'
    other = '<meta name="csrf-token" content="ZyXwVuTsRqPoNmLkJiHgFeDc98">'
    got = answer(body=token, cookies=("XSRF-TOKEN",))
    assert got.body == answer(body=other).body
    assert got.cookies == frozenset({"XSRF-TOKEN"})
    assert got.media_type == "text/html"


def test_each_kind_of_difference_is_named():
    missing = answer(path="/no-such")
    cases = {
        "a missing page answers 404": answer(status=302),
        "a missing page answers 404 ": answer(status=403),
        "as application/json, a missing page as text/html": answer(
            media="application/json", body='{"message":"Not Found."}'),
        "with its own body": answer(body="<p>Portal coming soon</p>"),
        "sets cookie(s) askpro_session": answer(cookies=("askpro_session",)),
    }
    for expected, got in cases.items():
        problem = production.missing_page_difference(got, missing)
        assert problem is not None and expected.strip() in problem, (expected, problem)


def test_a_cookie_the_missing_page_also_sets_is_no_difference():
    both = ("XSRF-TOKEN",)
    assert production.missing_page_difference(answer(cookies=both), answer(cookies=both)) is None


def test_staging_marker_must_be_absent():
    assert production.staging_marker_problem({}, "X-Staging-Environment") is None
    problem = production.staging_marker_problem({"X-Staging-Environment": "true"},
                                                "X-Staging-Environment")
    assert problem is not None and "X-Staging-Environment: true is sent" in problem


def test_debug_endpoints_must_be_closed_and_quiet():
    seen = Observation("GET", "/_ignition/health-check", 200)
    assert "debug tooling reachable" in (production.debug_endpoint_problem(seen, "{}") or "")
    closed = Observation("GET", "/telescope", 404)
    assert production.debug_endpoint_problem(closed, "Not Found") is None
    trace = production.debug_endpoint_problem(closed, "Stack trace:\n#0 /var/www/x.php(12)")
    assert trace is not None and "debug output" in trace
