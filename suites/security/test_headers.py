"""P5.4: XSS and transport protection headers on HTML responses — HSTS for a year, a CSP with
object-src 'none' and frame-ancestors, nosniff, framing limited, a Referrer-Policy — judged
per field line as browsers judge them (staging_gate/probes/headers.py)."""

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import headers


def test_P5_4_security_headers_on_html_pages(http, tenants, owner_and_other, profile):
    """Public pages and a logged-in portal page carry every header the profile expects."""
    pages = [(http, path) for path in profile.security.header_pages]
    pages.append((tenants[owner_and_other[0]], profile.routes.portal))
    problems, notes = [], []
    for client, path in pages:
        response = client.get(path)
        attach_response(response)
        if "html" not in response.headers.get("content-type", ""):
            problems.append(f"GET {path} answered {response.status_code} without an HTML page")
            continue
        found = headers.header_findings(response.headers, profile.security)
        problems += [f"GET {path}: {problem}" for problem in found.problems]
        notes += [f"GET {path}: {note}" for note in found.notes]
    if notes:
        attach_json("header notes (no effect on the verdict)", notes)
    expect.no_problems(problems, "security headers")
