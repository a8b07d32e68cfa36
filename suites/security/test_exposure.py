"""P5.5: authentication on every /portal/* route, session cookie flags, no secret files
served, and no stack traces or debug pages on bad input."""

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import security
from staging_gate.probes.http_checks import judge_each, observe


def test_P5_5_portal_routes_require_login(anonymous, harvested, profile):
    """Anonymous users get the login redirect from every portal page and 401 from the API."""
    routes = profile.routes
    paths = [(path, False) for path in routes.portal_paths]
    paths += [(path, True) for path in routes.portal_api_paths]
    for found in harvested.values():
        paths += [(found.resource.page_list, False), (found.resource.api_list, True)]
        paths += found.detail_paths()[:2]
    problems, seen = [], []
    for path, is_api in dict.fromkeys(paths):
        response = anonymous.get(path)
        seen.append(observe(response).describe())
        problem = security.anonymous_record_problem(observe(response), is_api, routes.portal_login)
        if problem:
            attach_response(response)
            problems.append(problem)
    attach_json("portal routes requested anonymously", seen)
    expect.no_problems(problems, f"{len(paths)} portal routes without login")


def test_P5_5_session_cookie_flags(anonymous, profile):
    """The session cookie is Secure, HttpOnly and SameSite wherever a session starts."""
    expected = profile.security
    expect.that(bool(expected.cookie_pages),
                "profile lists no security.cookie_pages; nothing to check")
    problems = []
    for path in expected.cookie_pages:
        response = anonymous.get(path)
        attach_response(response)
        problems += [
            f"GET {path}: {problem}"
            for problem in security.cookie_flag_problems(
                response.headers.get_list("set-cookie"), expected.session_cookie, expected.samesite
            )
        ]
    expect.no_problems(problems, "session cookie")


def test_P5_5_sensitive_files_not_served(http, profile):
    """.env, .git and log files answer 403/404 and show nothing secret-looking."""
    expect.that(bool(profile.security.forbidden_files),
                "profile lists no security.forbidden_files; nothing to check")
    problems = judge_each(http, profile.security.forbidden_files, security.exposed_file_problem)
    expect.no_problems(problems, f"files that must not be public on {profile.target.base_url}")


def test_P5_5_bad_input_shows_no_debug_page(tenants, owner_and_other, profile):
    """Malformed parameters, ids and unknown routes get ordinary answers, never a stack trace."""
    client = tenants[owner_and_other[0]]
    expect.that(bool(profile.security.bad_input_paths),
                "profile lists no security.bad_input_paths; nothing to check")
    problems = judge_each(client, profile.security.bad_input_paths, security.debug_page_problem)
    expect.no_problems(problems, "bad input")
