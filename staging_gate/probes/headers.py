"""P5.4: security headers read as browsers read them.

A header may arrive on several field lines (nginx adds it and so does the app; a proxy may
join them with ", "). Every rule here reads the individual field lines and applies the
standard that decides what a browser does with them:

- X-Content-Type-Options: Fetch §"X-Content-Type-Options" — the *first* value counts.
- X-Frame-Options: HTML §"The X-Frame-Options header" / RFC 7034 — several equal values
  mean that value; conflicting values are invalid (reported); CSP frame-ancestors, when any
  enforced policy has it, takes precedence.
- Content-Security-Policy: CSP3 §"Enforcing multiple policies" — every policy is enforced,
  so a required directive holds if *any* policy sets it (fetch directives fall back to
  default-src, CSP3 §"Get the effective directive").
- Strict-Transport-Security: RFC 6797 §8.1 — only the first field is processed; a duplicate
  is a problem, and a first field that breaks §6.1 (a directive twice, no max-age) is
  ignored by browsers, i.e. no HSTS.
- Referrer-Policy: Referrer Policy §8.1 — the last *recognised* token wins.

Input everywhere: field lines as (name, value) pairs, e.g. ``httpx.Headers.multi_items()``;
``field_lines`` accepts httpx headers, a plain mapping or the pairs themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from staging_gate.profile import SecuritySection

HSTS = "Strict-Transport-Security"
CSP = "Content-Security-Policy"
XCTO = "X-Content-Type-Options"
XFO = "X-Frame-Options"
REFERRER = "Referrer-Policy"

# Referrer Policy §3: the tokens a browser recognises; anything else is skipped.
REFERRER_POLICIES = frozenset({
    "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
    "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url",
})
# CSP3 §6.1: fetch directives fall back to default-src when a policy does not name them.
FETCH_DIRECTIVES = frozenset({
    "child-src", "connect-src", "font-src", "frame-src", "img-src", "manifest-src",
    "media-src", "object-src", "script-src", "script-src-elem", "script-src-attr", "style-src",
    "style-src-elem", "style-src-attr", "worker-src",
})

_HSTS_DIRECTIVE = re.compile(
    r"""^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+))?\s*$"""
)


class _MultiItems(Protocol):
    def multi_items(self) -> list[tuple[str, str]]: ...


Headers = _MultiItems | Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class HeaderFindings:
    """What P5.4 found: `problems` fail the check, `notes` are harmless oddities to show."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def field_lines(headers: Headers) -> list[tuple[str, str]]:
    """Every header field line as (lower-case name, value), in the order received."""
    if hasattr(headers, "multi_items"):
        pairs: Iterable[tuple[str, str]] = headers.multi_items()
    elif isinstance(headers, Mapping):
        pairs = headers.items()
    else:
        pairs = headers
    return [(str(name).lower(), str(value)) for name, value in pairs]


def lines_of(lines: Sequence[tuple[str, str]], name: str) -> list[str]:
    """The values of every field line called `name` (case-insensitive), in order."""
    wanted = name.lower()
    return [value for key, value in lines if key == wanted]


def split_values(lines: Iterable[str]) -> list[str]:
    """Fetch "get, decode, and split": the lines joined by commas, split at commas outside
    double quotes, HTTP whitespace trimmed; empty values are kept (Fetch keeps them too)."""
    values: list[str] = []
    for line in lines:
        current, quoted, escaped = "", False, False
        for char in line:
            if escaped:
                current, escaped = current + char, False
            elif char == "\\" and quoted:
                current, escaped = current + char, True
            elif char == '"':
                current, quoted = current + char, not quoted
            elif char == "," and not quoted:
                values.append(current.strip(" \t"))
                current = ""
            else:
                current += char
        values.append(current.strip(" \t"))
    return values


# --- X-Content-Type-Options ----------------------------------------------------------------


def nosniff_findings(lines: Sequence[tuple[str, str]]) -> HeaderFindings:
    """Fetch §"determine nosniff": nosniff is in force iff the first value is `nosniff`
    (ASCII case-insensitive); further values change nothing and are noted."""
    values = split_values(lines_of(lines, XCTO))
    if not values:
        return HeaderFindings([f"{XCTO} nosniff missing"])
    if values[0].lower() != "nosniff":
        return HeaderFindings([f"{XCTO} {', '.join(values)!r}: the first value is not nosniff, "
                               "so browsers may sniff content types (Fetch uses the first)"])
    if len(values) > 1:
        return HeaderFindings(notes=[f"{XCTO} sent {len(values)} values ({', '.join(values)}); "
                                     "browsers use the first (nosniff)"])
    return HeaderFindings()


# --- Content-Security-Policy ---------------------------------------------------------------


def parse_csp(value: str) -> dict[str, str]:
    """One serialized policy → {directive: value}; `default-src 'self'; object-src 'none'` →
    {"default-src": "'self'", "object-src": "'none'"}. Names are lower-cased; a repeated
    directive is ignored (CSP3 §2.2.1 "parse a serialized CSP")."""
    directives: dict[str, str] = {}
    for part in value.split(";"):
        name, _, rest = part.strip().partition(" ")
        if name:
            directives.setdefault(name.lower(), " ".join(rest.split()))
    return directives


def csp_policies(lines: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """Every enforced policy: one per field line, and one per comma inside a line (CSP3
    §2.2.2 "parse a response's CSP list"). Report-Only policies are not enforced and not read."""
    return [parse_csp(policy) for policy in split_values(lines_of(lines, CSP)) if policy.strip()]


def effective_directive(policy: Mapping[str, str], name: str) -> str | None:
    """The directive's value in one policy, falling back to default-src for fetch directives."""
    if name in policy:
        return policy[name]
    if name in FETCH_DIRECTIVES:
        return policy.get("default-src")
    return None


def _same_sources(got: str, required: str) -> bool:
    return sorted(got.lower().split()) == sorted(required.lower().split())


def csp_findings(
    lines: Sequence[tuple[str, str]], required: Mapping[str, str]
) -> HeaderFindings:
    """Every required directive must hold in at least one enforced policy (CSP3: all policies
    are enforced, so one that sets it is enough). `required` maps a directive to its source
    list, or to "" for "present with any value"; source lists compare as unordered sets."""
    policies = csp_policies(lines)
    if not policies:
        return HeaderFindings([f"{CSP} missing"])
    problems: list[str] = []
    for name, wanted in required.items():
        seen = [v for v in (effective_directive(p, name) for p in policies) if v is not None]
        if not seen:
            problems.append(f"{CSP} has no {name}")
        elif wanted and not any(_same_sources(value, wanted) for value in seen):
            shown = " / ".join(repr(value) for value in seen)
            problems.append(f"{CSP} {name} is {shown}, expected {wanted!r}")
    notes = [f"{CSP} sent as {len(policies)} policies; all are enforced"] if len(policies) > 1 \
        else []
    return HeaderFindings(problems, notes)


# --- X-Frame-Options -----------------------------------------------------------------------


def frame_options(lines: Sequence[tuple[str, str]]) -> str:
    """The X-Frame-Options verdict as HTML's "check adherence to X-Frame-Options" reads it:
    "deny" or "sameorigin"; "conflict" for several different values (invalid per RFC 7034
    §2.1); "" when absent or unknown (e.g. ALLOW-FROM, which browsers ignore)."""
    values = {value.lower() for value in split_values(lines_of(lines, XFO)) if value}
    if len(values) > 1:
        return "conflict"
    value = next(iter(values), "")
    return value if value in ("deny", "sameorigin") else ""


def framing_findings(lines: Sequence[tuple[str, str]]) -> HeaderFindings:
    """Framing is limited by CSP frame-ancestors in any enforced policy (it takes precedence
    over X-Frame-Options), else by X-Frame-Options DENY or SAMEORIGIN."""
    raw = ", ".join(split_values(lines_of(lines, XFO)))
    verdict = frame_options(lines)
    if any("frame-ancestors" in policy for policy in csp_policies(lines)):
        if verdict == "conflict":
            return HeaderFindings(notes=[f"{XFO} sends conflicting values ({raw}); "
                                         "CSP frame-ancestors decides instead"])
        return HeaderFindings()
    if verdict == "conflict":
        return HeaderFindings([f"{XFO} sends conflicting values ({raw}), which RFC 7034 makes "
                               "invalid, and CSP has no frame-ancestors: framing is not "
                               "reliably limited"])
    if not verdict:
        return HeaderFindings(["neither X-Frame-Options nor CSP frame-ancestors limits framing"
                               + (f" ({XFO} {raw!r} is not DENY or SAMEORIGIN)" if raw else "")])
    count = len(lines_of(lines, XFO))
    notes = [f"{XFO} sent {count} times ({raw}); same value, so {verdict.upper()} applies"] \
        if count > 1 else []
    return HeaderFindings(notes=notes)


# --- Strict-Transport-Security -------------------------------------------------------------


def parse_hsts(value: str) -> dict[str, str] | None:
    """One STS field value → {directive (lower-case): value ('' if none)}, or None when it
    breaks RFC 6797 §6.1: a directive twice, unparseable data, or no max-age (REQUIRED).
    Browsers ignore such a field entirely."""
    directives: dict[str, str] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        match = _HSTS_DIRECTIVE.match(part)
        if match is None:
            return None
        name, raw = match.group(1).lower(), match.group(2) or ""
        if name in directives:
            return None
        directives[name] = raw[1:-1] if raw.startswith('"') else raw
    age = directives.get("max-age", "")
    return directives if age.isdigit() else None


def hsts_max_age(value: str) -> int | None:
    """The max-age in seconds of a valid STS field value, else None."""
    directives = parse_hsts(value)
    return int(directives["max-age"]) if directives else None


def hsts_findings(lines: Sequence[tuple[str, str]], min_max_age: int) -> HeaderFindings:
    """RFC 6797 §8.1: only the first STS field is processed. It must be valid (§6.1) with a
    max-age of at least `min_max_age` seconds; any further field is reported as a problem."""
    values = lines_of(lines, HSTS)
    if not values:
        return HeaderFindings([f"{HSTS} missing"])
    first = values[0]
    problems: list[str] = []
    if len(values) > 1:
        shown = " | ".join(repr(value) for value in values)
        problems.append(f"{HSTS} sent {len(values)} times ({shown}); browsers use only the "
                        "first (RFC 6797 §8.1): send it once")
    if parse_hsts(first) is None:
        problems.append(f"{HSTS} {first!r} is invalid (RFC 6797 §6.1: max-age required, each "
                        "directive at most once), so browsers ignore it")
    else:
        age = hsts_max_age(first)
        if age is None or age < min_max_age:
            problems.append(f"{HSTS} {first!r}: max-age below {min_max_age}")
    return HeaderFindings(problems)


# --- Referrer-Policy -----------------------------------------------------------------------


def referrer_policy(lines: Sequence[tuple[str, str]]) -> str:
    """Referrer Policy §8.1: the last recognised token over all lines; "" when none is."""
    policy = ""
    for token in split_values(lines_of(lines, REFERRER)):
        if token.lower() in REFERRER_POLICIES:
            policy = token.lower()
    return policy


def referrer_findings(
    lines: Sequence[tuple[str, str]], allowed: Iterable[str]
) -> HeaderFindings:
    raw = lines_of(lines, REFERRER)
    if not raw:
        return HeaderFindings([f"{REFERRER} missing"])
    policy = referrer_policy(lines)
    shown = ", ".join(raw)
    if not policy:
        return HeaderFindings([f"{REFERRER} {shown!r} names no policy browsers recognise"])
    if policy not in {value.lower() for value in allowed}:
        return HeaderFindings([f"{REFERRER} {shown!r} (in force: {policy}) leaks URLs to other "
                               "sites"])
    return HeaderFindings()


# --- all of P5.4 ---------------------------------------------------------------------------


def header_findings(headers: Headers, expect: SecuritySection) -> HeaderFindings:
    """Every security header the profile expects on an HTML response: the problems (what a
    browser would not enforce) and notes (duplicates that change nothing)."""
    lines = field_lines(headers)
    parts = [
        hsts_findings(lines, expect.hsts_min_max_age),
        csp_findings(lines, expect.csp_directives),
        nosniff_findings(lines),
        framing_findings(lines),
        referrer_findings(lines, expect.referrer_policies),
    ]
    return HeaderFindings([p for part in parts for p in part.problems],
                          [n for part in parts for n in part.notes])


def header_problems(headers: Headers, expect: SecuritySection) -> list[str]:
    """The problems of `header_findings` only."""
    return header_findings(headers, expect).problems
