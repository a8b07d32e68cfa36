"""PV.1–PV.6: production right after its deploy (seed Part 8.2 step 5, Part 8.4 "Verify") —
anonymous, read-only requests only: no login, no database or cache connection, no flag, no
load, no active probe. Run by `staging-gate verify-production`, never by `staging-gate run`
(the plugin selects phase ``production`` only when asked for it by name)."""

import datetime as dt
import ssl

import httpx
import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import headers, health, production, security, tls
from staging_gate.probes.http_checks import https_redirect_problem, judge_each


def test_PV_1_certificate_valid(profile):
    """The served chain verifies, covers the host name and is not expired or about to be."""
    target = profile.target
    try:
        cert = tls.fetch_certificate(target.host, target.port, target.timeout_seconds)
    except (ssl.SSLError, OSError) as error:
        pytest.fail(f"no TLS certificate from {target.host}:{target.port}: {error}", pytrace=False)
    attach_json("served certificate", cert.as_evidence())
    chain = tls.verify_chain(target.host, target.port, target.ca_bundle, target.timeout_seconds)
    expiry = tls.judge_expiry(cert, target.host, dt.datetime.now(dt.UTC),
                              warn_days=profile.tls.expiry_warn_days,
                              fail_days=profile.tls.expiry_fail_days)
    problems = [] if chain.verified else [f"chain does not verify: {chain.error}"]
    if not tls.hostname_matches(cert, target.host):
        problems.append(f"certificate does not cover host name {target.host}")
    if expiry.level == "fail":
        problems.append(expiry.message)
    expect.no_problems(problems, f"TLS certificate of {target.host}:{target.port}")


def test_PV_1_http_redirects_to_https_301(target, profile):
    """Plain HTTP answers 301 to the same path on HTTPS for every key route."""
    expect.that(bool(profile.routes.key_routes),
                "profile lists no routes.key_routes; nothing to check")
    problems = []
    with httpx.Client(follow_redirects=False, timeout=profile.target.timeout_seconds) as plain:
        for path in profile.routes.key_routes:
            response = plain.get(target.http_url + path)
            attach_response(response)
            problem = https_redirect_problem(
                response.status_code, response.headers.get("location"), path, target.base_url
            )
            problems += [f"GET {target.http_url}{path}: {problem}"] if problem else []
    expect.no_problems(problems, "HTTP → HTTPS redirect")


def test_PV_2_health_reports_production(http, profile):
    """/health answers 200 with environment=production, database and cache connected."""
    response = http.get(profile.health.path)
    attach_response(response)
    reading = health.read_health(response)
    payload = expect.present(reading.payload, f"GET {profile.health.path} answered "
                                              f"{reading.status_code}: {reading.error}")
    problems = health.field_problems(
        payload, profile.health.required_fields, profile.production.health_expected
    )
    if reading.status_code != 200:
        problems.insert(0, f"HTTP {reading.status_code}, expected 200")
    expect.no_problems(problems, f"GET {profile.health.path} on production")


def test_PV_3_no_staging_marker(http, profile):
    """No key route carries the staging marker header."""
    expect.that(bool(profile.routes.key_routes),
                "profile lists no routes.key_routes; nothing to check")
    problems = []
    for path in profile.routes.key_routes:
        response = http.get(path)
        attach_response(response)
        problem = production.staging_marker_problem(response.headers, profile.target.staging_header)
        problems += [f"GET {path}: {problem}"] if problem else []
    expect.no_problems(problems, f"production {profile.target.base_url}")


def test_PV_4_security_headers(http, profile):
    """Public HTML pages carry every security header the profile expects (as P5.4 judges)."""
    expect.that(bool(profile.security.header_pages),
                "profile lists no security.header_pages; nothing to check")
    problems = []
    for path in profile.security.header_pages:
        response = http.get(path)
        attach_response(response)
        problems += [f"GET {path}: {problem}"
                     for problem in headers.header_problems(response.headers, profile.security)]
    expect.no_problems(problems, "security headers on production")


def test_PV_4_session_cookie_flags(http, profile):
    """Wherever a session starts anonymously, its cookie is Secure, HttpOnly and SameSite (a
    page that sets no cookie has none to protect: listed in the evidence, not failed)."""
    expected = profile.security
    expect.that(bool(expected.cookie_pages),
                "profile lists no security.cookie_pages; nothing to check")
    problems, pages = [], []
    for path in expected.cookie_pages:
        response = http.get(path)
        attach_response(response)
        cookies = response.headers.get_list("set-cookie")
        pages += [path] if cookies else []
        problems += [f"GET {path}: {problem}" for problem in security.cookie_flag_problems(
            cookies, expected.session_cookie, expected.samesite) if cookies]
    attach_json("pages that set cookies", pages)
    expect.no_problems(problems, "session cookie on production")


def test_PV_5_portal_answers_like_a_missing_page(http, profile):
    """With the portal flag off, every portal page and API path (and the portal login) answers
    exactly like a page that does not exist — status, media type, body, cookies."""
    routes, where = profile.routes, profile.production
    pages = [*routes.portal_paths, routes.portal_login]
    apis = list(routes.portal_api_paths)
    expect.that(bool(routes.portal_paths), "profile lists no routes.portal_paths; nothing to check")
    missing = {False: production.page_answer(http.get(where.missing_page)),
               True: production.page_answer(http.get(where.missing_api_path))}
    attach_json("missing pages", {path: a.describe() for path, a in
                                  ((where.missing_page, missing[False]),
                                   (where.missing_api_path, missing[True]))})
    problems, seen = [], []
    for path, is_api in dict.fromkeys([(p, False) for p in pages] + [(p, True) for p in apis]):
        response = http.get(path)
        got = production.page_answer(response)
        seen.append(got.describe())
        problem = production.missing_page_difference(got, missing[is_api])
        if problem:
            attach_response(response)
            problems.append(problem)
    attach_json("portal paths requested anonymously", seen)
    expect.no_problems(problems, f"{profile.flags.portal_flag} must be off on production "
                                 f"({len(seen)} portal paths)")


def test_PV_6_sensitive_files_not_served(http, profile):
    """.env, .git and log files answer 403/404 and show nothing secret-looking."""
    expect.that(bool(profile.security.forbidden_files),
                "profile lists no security.forbidden_files; nothing to check")
    problems = judge_each(http, profile.security.forbidden_files, security.exposed_file_problem)
    expect.no_problems(problems, f"files that must not be public on {profile.target.base_url}")


def test_PV_6_no_debug_pages(http, profile):
    """Debug tooling answers 403/404, and bad input gets ordinary answers, never a trace."""
    problems = judge_each(http, profile.production.debug_paths, production.debug_endpoint_problem)
    problems += judge_each(http, profile.security.bad_input_paths, security.debug_page_problem)
    expect.no_problems(problems, f"debug pages on {profile.target.base_url}")
