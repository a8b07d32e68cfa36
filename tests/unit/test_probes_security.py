import httpx
import pytest

from staging_gate.probes import security
from staging_gate.probes.http_checks import Observation


def seen(status: int, path: str = "/x", location: str | None = None) -> Observation:
    return Observation("GET", path, status, location)


def reply(status: int, body: str = "", path: str = "/x") -> security.Answer:
    return security.Answer(seen(status, path), body)


def test_normalized_body_masks_csrf_tokens():
    a = '<input type="hidden" name="_token" value="AbCdEfGhIjKlMnOpQrStUvWx12">'
    b = '<input type="hidden" name="_token" value="ZyXwVuTsRqPoNmLkJiHgFeDc98">'
    assert security.normalized_body(a) == security.normalized_body(b)


def test_answer_reads_status_path_and_body():
    request = httpx.Request("GET", "https://t.test/api/portal/calls/5")
    found = security.answer(httpx.Response(404, text='{"message":"Not Found."}', request=request))
    assert (found.status, found.seen.path, found.body) == (404, "/api/portal/calls/5",
                                                            '{"message":"Not Found."}')


def test_bounded_ids_dedupes_and_limits():
    assert security.bounded_ids(["3", "3", "1", "2", "1", "5"], 3) == ["3", "1", "2"]


def test_api_ids_read_resource_collections_only():
    payload = {"data": [{"id": 4, "company_id": 1}, {"id": "7"}, {"id": True}, "junk"]}
    assert security.api_ids(payload) == ["4", "7"]
    assert security.api_ids(payload, "company_id") == ["1"]
    assert security.api_ids({"message": "Unauthenticated."}) == []
    assert security.api_ids(None) == []


def test_html_ids_reads_attribute_in_page_order():
    html = '<tr data-call-id="12" data-company-id="1"></tr><tr data-call-id=\'9\'></tr>'
    assert security.html_ids(html, "data-call-id") == ["12", "9"]
    assert security.html_ids(html, "data-company-id") == ["1"]


@pytest.mark.parametrize(
    ("foreign", "problem"),
    [
        (reply(404, "nf"), None),
        (reply(200, "record"), "another tenant's record is readable"),
        (reply(403, "forbidden"), "but a missing id answers 404"),
        (reply(404, "other body"), "different body than a missing id"),
    ],
)
def test_foreign_record_must_look_missing(foreign, problem):
    found = security.foreign_record_problem(foreign, reply(404, "nf"), "tenant_b")
    assert found is None if problem is None else problem in (found or "")


@pytest.mark.parametrize(
    ("observation", "is_api", "ok"),
    [
        (seen(401), True, True),
        (seen(302, location="/portal/login"), True, False),
        (seen(302, location="https://t.test/portal/login"), False, True),
        (seen(200), False, False),
        (seen(404), False, False),
    ],
)
def test_anonymous_record_needs_login(observation, is_api, ok):
    problem = security.anonymous_record_problem(observation, is_api, "/portal/login")
    assert (problem is None) == ok


def test_list_leak_problems_name_leaked_ids_and_mixed_companies():
    problems = security.list_leak_problems(
        ["1", "2", "30"], ["2", "1", "2"], ["30", "31"], ["1"], "B's calls"
    )
    assert "B's calls lists 1 of the other tenant's ids (30)" in problems
    assert "B's calls mixes rows of 2 companies (1, 2)" in problems
    assert "B's calls shows rows of the other tenant's company 1" in problems
    assert security.list_leak_problems(["1", "2"], ["2", "2"], ["30"], ["1"], "B") == []


def test_injection_payloads_are_canaried_and_have_no_or_or_sleep():
    payloads = security.injection_payloads()
    assert all(p.startswith(security.CANARY) for p in payloads)
    assert not [p for p in payloads if " or " in p.lower() or "sleep" in p.lower()]


@pytest.mark.parametrize(
    ("status", "body", "rows", "problem"),
    [
        (200, "{}", 0, None),
        (200, "{}", None, None),
        (500, "Server Error", None, "reached the database unescaped"),
        (200, "SQLSTATE[42000]: Syntax error", 0, "SQL error text 'SQLSTATE[42000]'"),
        (200, "You have an error in your SQL syntax; check the manual", 0, "SQL error text"),
        (200, "{}", 3, "with 3 rows"),
    ],
)
def test_injection_problem(status, body, rows, problem):
    found = security.injection_problem(seen(status), body, rows)
    assert found is None if problem is None else problem in (found or "")


def test_csrf_problem_expects_419():
    assert security.csrf_problem("logout", seen(419), "missing", 419) is None
    found = security.csrf_problem("logout", seen(302, "/portal/logout", "/portal/login"),
                                  "missing", 419)
    assert found == ("logout: GET /portal/logout answered 302 → /portal/login with a missing "
                     "CSRF token, expected 419")


def test_cookie_flags():
    good = "s=abc; expires=x; Max-Age=7200; Path=/; SameSite=lax; Secure; HttpOnly"
    assert security.cookie_flag_problems([good, "XSRF-TOKEN=t; Secure"], "s", ("lax",)) == []
    assert security.cookie_flag_problems(["s=abc; Path=/; SameSite=lax"], "s", ("lax",)) == [
        "session cookie s without Secure and HttpOnly"]
    assert security.cookie_flag_problems(["s=abc; Secure; HttpOnly"], "s", ("lax",)) == [
        "session cookie s SameSite=unset, expected lax"]
    assert security.cookie_flag_problems([], "s", ("lax",)) == ["session cookie s not set"]


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (404, "<h1>Not Found</h1>", None),
        (403, "Forbidden", None),
        (200, "APP_NAME=x\nAPP_KEY=base64:abc\n", "serves its contents ('APP_KEY='"),
        (200, "[core]\n\trepositoryformatversion = 0\n", "serves its contents"),
        (404, "DB_PASSWORD=secret", "serves its contents"),
        (200, "<html>home</html>", "expected 403 or 404"),
    ],
)
def test_exposed_file_problem(status, body, problem):
    found = security.exposed_file_problem(seen(status, "/.env"), body)
    assert found is None if problem is None else problem in (found or "")


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (200, "<table></table>", None),
        (404, "Not Found", None),
        (500, 'Traceback (most recent call last):\n  File "/app/x.py", line 3', "stack trace"),
        (500, "Whoops, looks like something went wrong.", "debug page"),
        (500, "#0 /var/www/vendor/laravel/framework/src/X.php(12): y()", "stack trace"),
        (500, "<b>Fatal error</b>: Uncaught", "debug page"),
        (500, "Server Error", "bad input crashes the request"),
    ],
)
def test_debug_page_problem(status, body, problem):
    found = security.debug_page_problem(seen(status), body)
    assert found is None if problem is None else problem in (found or "")
