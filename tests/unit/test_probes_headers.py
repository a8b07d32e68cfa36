"""P5.4 header judging: field lines read as browsers read them (Fetch, HTML, CSP3, RFC 6797,
Referrer Policy). Each expected verdict is what a browser enforces, not what a join says."""

import httpx
import pytest

from staging_gate.probes import headers
from staging_gate.profile import SecuritySection

GOOD = [
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; object-src 'none'; frame-ancestors 'self'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
EXPECT = SecuritySection()


def with_lines(
    *changes: tuple[str, str | None], drop: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """GOOD with headers dropped, then extra field lines appended (None value: drop only)."""
    gone = {name.lower() for name in drop} | {n.lower() for n, v in changes if v is None}
    kept = [(n, v) for n, v in GOOD if n.lower() not in gone]
    return kept + [(n, v) for n, v in changes if v is not None]


def findings(lines) -> headers.HeaderFindings:
    return headers.header_findings(lines, EXPECT)


def test_healthy_headers_pass_as_pairs_mapping_and_httpx():
    assert findings(GOOD) == headers.HeaderFindings()
    assert headers.header_problems(dict(GOOD), EXPECT) == []
    assert headers.header_problems(httpx.Headers(GOOD), EXPECT) == []


def test_httpx_headers_keep_each_field_line():
    response = httpx.Response(200, headers=[("X-Frame-Options", "SAMEORIGIN"),
                                            ("x-frame-options", "SAMEORIGIN")])
    assert response.headers["x-frame-options"] == "SAMEORIGIN, SAMEORIGIN"  # httpx's join
    assert headers.lines_of(headers.field_lines(response.headers), "X-Frame-Options") == [
        "SAMEORIGIN", "SAMEORIGIN"]


def test_split_values_respects_quotes():
    assert headers.split_values(['a, "b, c"', " d "]) == ["a", '"b, c"', "d"]


# --- X-Content-Type-Options (Fetch: the first value counts) --------------------------------


@pytest.mark.parametrize(
    ("lines", "problem", "note"),
    [
        # the sample: nginx and the app both send it
        ([("X-Content-Type-Options", "nosniff")] * 2, None, "browsers use the first"),
        ([("X-Content-Type-Options", "nosniff, nosniff")], None, "sent 2 values"),
        ([("X-Content-Type-Options", "NoSniff")], None, None),
        ([("X-Content-Type-Options", "nosniff"), ("X-Content-Type-Options", "sniff")], None,
         "browsers use the first"),
        ([("X-Content-Type-Options", "sniff"), ("X-Content-Type-Options", "nosniff")],
         "the first value is not nosniff", None),
        ([("X-Content-Type-Options", "")], "the first value is not nosniff", None),
        ([], "X-Content-Type-Options nosniff missing", None),
    ],
)
def test_nosniff(lines, problem, note):
    found = headers.nosniff_findings([(n.lower(), v) for n, v in lines])
    assert [problem in p for p in found.problems] == ([True] if problem else [])
    assert [note in n for n in found.notes] == ([True] if note else [])


# --- X-Frame-Options and frame-ancestors ---------------------------------------------------

NO_ANCESTORS = ("Content-Security-Policy", "default-src 'self'; object-src 'none'")


@pytest.mark.parametrize(
    ("xfo", "csp", "verdict", "problem"),
    [
        # the sample: SAMEORIGIN twice, CSP without frame-ancestors
        (["SAMEORIGIN", "SAMEORIGIN"], [NO_ANCESTORS], "sameorigin", None),
        (["sameorigin, SAMEORIGIN"], [NO_ANCESTORS], "sameorigin", None),
        (["DENY", "DENY"], [NO_ANCESTORS], "deny", None),
        (["DENY", "SAMEORIGIN"], [NO_ANCESTORS], "conflict", "conflicting values"),
        (["SAMEORIGIN, ALLOW-FROM https://x.test"], [NO_ANCESTORS], "conflict", "conflicting"),
        (["ALLOW-FROM https://x.test"], [NO_ANCESTORS], "", "neither X-Frame-Options"),
        ([], [NO_ANCESTORS], "", "neither X-Frame-Options"),
        # frame-ancestors in the *second* policy still limits framing
        ([], [NO_ANCESTORS, ("Content-Security-Policy", "frame-ancestors 'self'")], "", None),
        (["DENY", "SAMEORIGIN"],
         [NO_ANCESTORS, ("Content-Security-Policy", "frame-ancestors 'none'")], "conflict",
         None),
    ],
)
def test_framing(xfo, csp, verdict, problem):
    lines = [("x-frame-options", v) for v in xfo] + [(n.lower(), v) for n, v in csp]
    assert headers.frame_options(lines) == verdict
    found = headers.framing_findings(lines)
    assert [problem in p for p in found.problems] == ([True] if problem else [])


# --- Content-Security-Policy (every policy enforced) ---------------------------------------


@pytest.mark.parametrize(
    ("policies", "problems"),
    [
        # the sample: object-src 'none' only in the second policy
        (["default-src 'self'; frame-ancestors 'self'", "object-src 'none'"], []),
        (["default-src 'self', object-src 'none'; frame-ancestors 'self'"], []),
        (["object-src 'none'", "frame-ancestors 'self'"], []),
        (["default-src 'none'; frame-ancestors 'none'"], []),  # object-src falls back
        (["OBJECT-SRC   'NONE'; frame-ancestors 'self'"], []),
        (["default-src 'self'; frame-ancestors 'self'"],
         ["Content-Security-Policy object-src is \"'self'\", expected \"'none'\""]),
        (["object-src 'self'; frame-ancestors 'self'", "script-src 'self'"],
         ["Content-Security-Policy object-src is \"'self'\", expected \"'none'\""]),
        (["script-src 'self'; frame-ancestors 'self'"],
         ["Content-Security-Policy has no object-src"]),
        (["object-src 'none'"], ["Content-Security-Policy has no frame-ancestors"]),
        (["object-src 'none'; object-src 'self'; frame-ancestors 'self'"], []),  # first wins
        ([], ["Content-Security-Policy missing"]),
    ],
)
def test_csp_policies(policies, problems):
    lines = [("content-security-policy", p) for p in policies]
    assert headers.csp_findings(lines, EXPECT.csp_directives).problems == problems


def test_parse_csp():
    assert headers.parse_csp("default-src 'self'; OBJECT-SRC 'none';;") == {
        "default-src": "'self'", "object-src": "'none'"}


def test_report_only_policy_is_not_enforced():
    lines = with_lines(("Content-Security-Policy-Report-Only", "object-src 'none'"),
                       ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'"),
                       drop=("Content-Security-Policy",))
    assert "object-src is" in " ".join(headers.header_problems(lines, EXPECT))


# --- Strict-Transport-Security (RFC 6797: the first field only) ----------------------------

YEAR = "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ([YEAR], []),
        ([YEAR, YEAR], ["sent 2 times"]),  # the sample: same value twice
        ([YEAR, "max-age=0"], ["sent 2 times"]),  # different: the first (good) one applies
        (["max-age=0", YEAR], ["sent 2 times", "'max-age=0': max-age below 31536000"]),
        (["max-age=86400", YEAR], ["sent 2 times", "max-age below 31536000"]),
        (["max-age=31536000; includeSubDomains; includeSubDomains"], ["is invalid"]),
        (["max-age=31536000; max-age=31536000"], ["is invalid"]),
        (["includeSubDomains"], ["is invalid"]),
        (['max-age="31536000"; preload'], []),
        (["MAX-AGE = 63072000 ; includesubdomains"], []),
        (["max-age=31536000, max-age=0"], ["is invalid"]),  # a proxy joined two fields
        (["max-age=abc"], ["is invalid"]),
        ([], ["Strict-Transport-Security missing"]),
    ],
)
def test_hsts(values, problems):
    found = headers.hsts_findings([("strict-transport-security", v) for v in values], 31_536_000)
    assert len(found.problems) == len(problems)
    for got, want in zip(found.problems, problems, strict=True):
        assert want in got


def test_hsts_max_age():
    assert headers.hsts_max_age("max-age=63072000; preload") == 63072000
    assert headers.hsts_max_age("includeSubDomains") is None
    assert headers.hsts_max_age("max-age=1; max-age=2") is None


# --- Referrer-Policy (the last recognised token) -------------------------------------------


@pytest.mark.parametrize(
    ("values", "policy", "problem"),
    [
        (["strict-origin-when-cross-origin"], "strict-origin-when-cross-origin", None),
        (["unsafe-url, no-referrer"], "no-referrer", None),
        (["no-referrer", "unsafe-url"], "unsafe-url", "leaks URLs"),
        (["no-referrer, made-up-policy"], "no-referrer", None),  # unknown tokens skipped
        (["made-up-policy"], "", "names no policy browsers recognise"),
        (["Same-Origin"], "same-origin", None),
        ([], "", "Referrer-Policy missing"),
    ],
)
def test_referrer_policy(values, policy, problem):
    lines = [("referrer-policy", v) for v in values]
    assert headers.referrer_policy(lines) == policy
    found = headers.referrer_findings(lines, EXPECT.referrer_policies)
    assert [problem in p for p in found.problems] == ([True] if problem else [])


# --- the whole check names each header --------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (with_lines(("Strict-Transport-Security", None)), "Strict-Transport-Security missing"),
        (with_lines(("Strict-Transport-Security", "max-age=300"),
                    drop=("Strict-Transport-Security",)), "max-age below 31536000"),
        (with_lines(("Content-Security-Policy", None)), "Content-Security-Policy missing"),
        (with_lines(("X-Content-Type-Options", None)), "X-Content-Type-Options nosniff missing"),
        (with_lines(("Referrer-Policy", "unsafe-url"), drop=("Referrer-Policy",)), "leaks URLs"),
        (with_lines(("X-Frame-Options", None), ("Content-Security-Policy", "object-src 'none'"),
                    drop=("Content-Security-Policy",)),
         "neither X-Frame-Options nor CSP frame-ancestors"),
        (with_lines(("Strict-Transport-Security", "max-age=0")), "sent 2 times"),
    ],
)
def test_header_problems_name_the_header(lines, problem):
    assert any(problem in p for p in headers.header_problems(lines, EXPECT))


def test_duplicates_that_change_nothing_are_notes_not_problems():
    lines = [*GOOD, ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN")]
    found = findings(lines)
    assert found.problems == []
    assert [note.split()[0] for note in found.notes] == ["X-Content-Type-Options"]
    framing = headers.framing_findings([("x-frame-options", "SAMEORIGIN")] * 2)
    assert framing.problems == [] and "SAMEORIGIN applies" in framing.notes[0]
