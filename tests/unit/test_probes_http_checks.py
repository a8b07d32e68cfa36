import httpx
import pytest

from staging_gate.probes import http_checks

BASE = "https://localhost:8443"


@pytest.mark.parametrize(
    ("status", "location", "problem"),
    [
        (301, "https://localhost:8443/portal?x=1", None),
        (
            302,
            "https://localhost:8443/portal",
            "expected 301 to https://localhost:8443/portal, got 302",
        ),
        (200, None, "got 200 without a Location"),
        (301, None, "301 without a Location header"),
        (301, "http://localhost:8443/portal", "expected the HTTPS origin"),
        (301, "https://evil.test:8443/portal", "expected the HTTPS origin"),
        (301, "https://localhost/portal", "expected the HTTPS origin"),
        (301, "https://localhost:8443/", "expected the same path /portal"),
    ],
)
def test_https_redirect_must_be_301_to_same_path(status, location, problem):
    found = http_checks.https_redirect_problem(status, location, "/portal", BASE)
    if problem is None:
        assert found is None
    else:
        assert problem in (found or "")


def test_default_https_port_equals_explicit_443():
    found = http_checks.https_redirect_problem(
        301, "https://example.test:443/a", "/a", "https://example.test"
    )
    assert found is None


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"X-Staging-Environment": "true"}, None),
        ({"x-staging-environment": "TRUE"}, None),
        ({}, "header X-Staging-Environment missing"),
        ({"X-Staging-Environment": "false"}, "is 'false', expected 'true'"),
    ],
)
def test_marker_header(headers, problem):
    found = http_checks.marker_header_problem(
        httpx.Headers(headers), "X-Staging-Environment", "true"
    )
    assert (found is None) if problem is None else problem in (found or "")


def _response(body: bytes, headers=()) -> httpx.Response:
    return httpx.Response(
        200, content=body, headers=list(headers), request=httpx.Request("GET", BASE)
    )


def test_static_page_shows_no_dynamic_signals():
    assert http_checks.dynamic_signals(_response(b"same"), _response(b"same")) == []


def test_cookies_and_per_request_tokens_are_dynamic_signals():
    first = _response(
        b"token=1", [("set-cookie", "session=a; Secure"), ("cache-control", "no-cache, private")]
    )
    signals = http_checks.dynamic_signals(first, _response(b"token=2"))
    assert any("sets cookies (session)" in s for s in signals)
    assert any("body differs" in s for s in signals)
    assert any("Cache-Control" in s for s in signals)


def test_observations_sort_into_server_errors_and_non_404s():
    seen = [
        http_checks.Observation("GET", "/portal", 404),
        http_checks.Observation("GET", "/portal/calls", 200),
        http_checks.Observation("GET", "/", 502),
    ]
    assert [o.path for o in http_checks.server_errors(seen)] == ["/"]
    assert [o.path for o in http_checks.not_found_violations(seen)] == ["/portal/calls", "/"]
    assert seen[1].describe() == "GET /portal/calls answered 200"


def test_login_redirect_is_recognised_by_path():
    seen = http_checks.Observation("GET", "/portal", 302, "https://localhost:8443/portal/login")
    assert http_checks.is_login_redirect(seen, "/portal/login")
    assert not http_checks.is_login_redirect(seen, "/admin/login")


def test_until_settled_returns_the_first_good_observation():
    answers = iter([302, 302, 404, 200])
    assert http_checks.until_settled(lambda: next(answers), lambda s: s == 404, 5, 0) == 404


def test_until_settled_gives_up_with_the_last_observation():
    assert http_checks.until_settled(lambda: 302, lambda s: s == 404, 0.05, 0.01) == 302


def test_judge_each_requests_each_path_once_in_order_and_keeps_only_problems():
    asked = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/.env":
            return httpx.Response(200, text="APP_KEY=base64:abc")
        return httpx.Response(404, text="Not Found")

    def exposed(seen, body):
        return f"{seen.path} served ({seen.status}): {body[:7]}" if seen.status == 200 else None

    with httpx.Client(base_url="https://staging.test",
                      transport=httpx.MockTransport(answer)) as client:
        paths = ["/.git/config", "/.env", "/.git/config", "/storage/logs"]
        problems = http_checks.judge_each(client, paths, exposed)
    assert asked == ["/.git/config", "/.env", "/storage/logs"]
    assert problems == ["/.env served (200): APP_KEY"]


def test_judge_each_with_no_paths_asks_nothing():
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"asked {request.url}")

    with httpx.Client(transport=httpx.MockTransport(never)) as client:
        assert http_checks.judge_each(client, [], lambda seen, body: "problem") == []
