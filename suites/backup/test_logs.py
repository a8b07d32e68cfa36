"""P7.4: no personal data in the application log — neither in what the gate's own traffic
wrote (a scan, with the profile's PII patterns, of everything the log gained since the run
started, after a logged-in journey over the portal pages) nor when a user submits some (a
canary).

The scan reads from the run-start mark (`log_mark`): the gate's own requests, logged in and
not, are what it judges — not a tail that may predate every login, and not what a defect
left in the log before this run. Many applications log personal data only for logged-in
requests (the user's address in every request line), so each profile tenant first logs in
through the real login form and opens the portal pages; the evidence says how many lines
the run and that journey wrote.

The canary is a failed login with a unique `canary-<random>@staging-gate.invalid` address
and a never-assigned phone number as password. It is not exclusive: a failed login for an
address that has no account changes no data, locks no real user out (throttles key on the
submitted address), and the check only looks for its own random marker, so it runs in
parallel with other checks. But it submits made-up personal data to the target, so it is
marked `active`: the production guard refuses it unless the target is confirmed staging
(and on --read-only runs).
"""

from collections.abc import Callable

import httpx
import pytest

from staging_gate import expect
from staging_gate.deployment.commands import CommandFailed
from staging_gate.deployment.sessions import LoginFailed, login
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes import logs
from staging_gate.profile import TenantUser

SETTLE_SECONDS = 2.0


@pytest.fixture
def logged_in_journey(target, profile) -> Callable[[TenantUser], list[str]]:
    """For a tenant: log in through the real login form, open every portal page, log out;
    what happened, for the evidence (`logs.portal_journey`). A failed login fails the check."""
    routes = profile.routes

    def journey(tenant: TenantUser) -> list[str]:
        with target.client() as client:
            try:
                login(client, routes.portal_login, profile.secret(tenant.email_env),
                      profile.secret(tenant.password_env))
            except (LoginFailed, httpx.HTTPError) as error:
                pytest.fail(f"login as ${tenant.email_env} failed: {error}", pytrace=False)
            visited = logs.portal_journey(client, routes)
        return [f"{tenant.key}: {step}" for step in visited]

    return journey


@pytest.mark.active
def test_P7_4_canary_pii_not_logged(target, profile):
    """A canary e-mail and phone number submitted through the login forms never reach the log."""
    settings = profile.logs
    canary = logs.Canary.new()
    routes = profile.routes
    before = logs.mark_log(settings.path, settings.command)
    with target.client() as client:
        submitted = [logs.submit_canary(client, path, canary)
                     for path in dict.fromkeys((routes.portal_login, routes.admin_login))]
    try:
        after = logs.wait_for_new_lines(before, settings.path, settings.command, SETTLE_SECONDS)
    except CommandFailed as error:
        pytest.fail(f"the application log cannot be read: {error}", pytrace=False)
    leaked = canary.found_in(after.text)
    attach_json("canary", {
        "email": canary.email, "phone": canary.phone, "submitted": submitted,
        "log": after.source, "log_gained_bytes": len(after.text.encode()),
        "found": leaked,
    })
    expect.that(any(" → " in line for line in submitted),
                f"the canary could not be submitted to any login form: {submitted}")
    lines = logs.lines_with(after.text, leaked)
    expect.that(not leaked,
                f"canary PII {', '.join(leaked)} submitted to the login form appears in the log "
                f"{after.source}: {' | '.join(line[:200] for line in lines)}")


def test_P7_4_no_pii_in_log(profile, log_mark, logged_in_journey):
    """What the log gained since the run started — the gate's own traffic, including a
    logged-in journey over the portal pages by every profile tenant — holds no e-mail
    address or phone number (profile PII patterns, minus its allow-list and the gate's own
    canaries)."""
    settings = profile.logs
    expect.that(bool(profile.tenants), "profile lists no tenants; no logged-in journey "
                "can precede the log scan")
    expect.that(bool(settings.pii_patterns), "profile lists no logs.pii_patterns; nothing to check")
    before_journey = logs.mark_log(settings.path, settings.command)
    journey = [step for tenant in profile.tenants for step in logged_in_journey(tenant)]
    try:
        logs.wait_for_new_lines(before_journey, settings.path, settings.command, SETTLE_SECONDS)
        result = logs.scan_since(log_mark, settings.path, settings.command,
                                 settings.pii_patterns, (*settings.allow, logs.CANARY_ALLOW),
                                 max_bytes=settings.max_bytes)
    except CommandFailed as error:
        pytest.fail(f"the application log cannot be read: {error}", pytrace=False)
    journey_lines = logs.lines_since(before_journey, settings.path)
    read = (f"read {result.lines} line(s) written since the gate's run started"
            + (f", {journey_lines} of them during its logged-in journey" if journey_lines
               is not None else "") + (f"; {result.note}" if result.note else ""))
    attach_json("PII scan", {
        "log": result.source, "run_start_mark": log_mark and {
            "offset": log_mark.offset, "last_line": log_mark.last_line, "error": log_mark.error},
        "start_offset": result.start_offset, "bytes_scanned": result.bytes_scanned,
        "lines_scanned": result.lines, "lines_written_during_journey": journey_lines,
        "journey": journey, "note": result.note, "engine": result.engine,
        "seconds": round(result.seconds, 3), "patterns": list(settings.pii_patterns),
        "allow": list(settings.allow), "matches": result.total,
        "samples (masked)": [m.describe() for m in result.matches[:20]],
    })
    if result.matches:
        attach_text("PII lines (masked)", "\n".join(m.describe() for m in result.matches))
    expect.that(
        not result.matches,
        f"{result.total} PII match(es) (e-mail address or phone number) in the log "
        f"{result.source} ({read}): " + "; ".join(m.describe() for m in result.matches[:3]),
    )
