"""P1.3: the vhost answers — HTTP redirects permanently to HTTPS, the staging marker is set."""

import httpx

from staging_gate import expect
from staging_gate.evidence import attach_response
from staging_gate.probes.http_checks import https_redirect_problem, marker_header_problem


def test_P1_3_http_redirects_to_https_301(target, profile):
    """Plain HTTP answers 301 to the same path on HTTPS, so no one stays on cleartext."""
    expect.that(bool(profile.routes.key_routes),
                "profile lists no routes.key_routes; nothing to check")
    problems: list[str] = []
    with httpx.Client(follow_redirects=False, timeout=profile.target.timeout_seconds) as plain:
        for path in profile.routes.key_routes:
            response = plain.get(target.http_url + path)
            attach_response(response)
            problem = https_redirect_problem(
                response.status_code, response.headers.get("location"), path, target.base_url
            )
            if problem:
                problems.append(f"GET {target.http_url}{path}: {problem}")
    expect.no_problems(problems, "HTTP → HTTPS redirect")


def test_P1_3_vhost_sends_staging_marker(http, profile):
    """Every key route carries the staging marker header, so no one mistakes staging for live."""
    name, value = profile.target.staging_header, profile.target.staging_header_value
    expect.that(bool(profile.routes.key_routes),
                "profile lists no routes.key_routes; nothing to check")
    problems: list[str] = []
    for path in profile.routes.key_routes:
        response = http.get(path)
        attach_response(response)
        problem = marker_header_problem(response.headers, name, value)
        if problem:
            problems.append(f"GET {path} ({response.status_code}): {problem}")
    expect.no_problems(problems, f"staging marker on {profile.target.base_url}")
