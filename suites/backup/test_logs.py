"""P7.4: no personal data in the application log — neither already there (a scan of the
log's tail with the profile's PII patterns) nor written when a user submits some (a canary).

The canary is a failed login with a unique `canary-<random>@staging-gate.invalid` address
and a never-assigned phone number as password. It is not exclusive: a failed login for an
address that has no account changes no data, locks no real user out (throttles key on the
submitted address), and the check only looks for its own random marker, so it runs in
parallel with other checks. But it submits made-up personal data to the target, so it is
marked `active`: the production guard refuses it unless the target is confirmed staging
(and on --read-only runs). The canary check runs first so the scan also sees what the canary
submission wrote.
"""

import time

import httpx
import pytest

from staging_gate import expect
from staging_gate.commands import CommandFailed
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes import logs
from staging_gate.sessions import LoginFailed, csrf_token

SETTLE_SECONDS = 2.0


def read_log(profile) -> logs.LogText:
    settings = profile.logs
    try:
        return logs.read_log(settings.path, settings.command, settings.max_bytes)
    except CommandFailed as error:
        pytest.fail(f"the application log cannot be read: {error}", pytrace=False)


def submit_failed_login(client: httpx.Client, path: str, canary: logs.Canary) -> str:
    """POST the login form with the canary; returns what happened, for the evidence."""
    try:
        token = csrf_token(client, path)
    except (LoginFailed, httpx.HTTPError) as error:
        return f"{path}: not submitted ({error})"
    response = client.post(path, data={"_token": token, "email": canary.email,
                                       "password": canary.phone})
    return f"POST {path} → {response.status_code} {response.headers.get('location', '')}"


def wait_for_new_lines(profile, before: logs.LogText) -> logs.LogText:
    """Re-read the log until it changed or SETTLE_SECONDS passed (writes may lag a little)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        after = read_log(profile)
        if after.text != before.text or time.monotonic() >= deadline:
            return after
        time.sleep(0.25)


@pytest.mark.active
def test_P7_4_canary_pii_not_logged(target, profile):
    """A canary e-mail and phone number submitted through the login forms never reach the log."""
    canary = logs.Canary.new()
    routes = profile.routes
    before = read_log(profile)
    with target.client() as client:
        submitted = [submit_failed_login(client, path, canary)
                     for path in dict.fromkeys((routes.portal_login, routes.admin_login))]
    after = wait_for_new_lines(profile, before)
    leaked = canary.found_in(after.text)
    attach_json("canary", {
        "email": canary.email, "phone": canary.phone, "submitted": submitted,
        "log": after.source, "log_grew_bytes": (after.size or 0) - (before.size or 0)
        if after.size is not None and before.size is not None else None,
        "found": leaked,
    })
    expect.that(any(" → " in line for line in submitted),
                f"the canary could not be submitted to any login form: {submitted}")
    lines = logs.lines_with(after.text, leaked)
    expect.that(not leaked,
                f"canary PII {', '.join(leaked)} submitted to the login form appears in the log "
                f"{after.source}: {' | '.join(line[:200] for line in lines)}")


def test_P7_4_no_pii_in_log(profile, tenants):
    """The log's recent tail holds no e-mail address or phone number (profile PII patterns,
    minus its allow-list and the gate's own canaries). The profile's tenants are logged in
    first, so the tail holds real logins — the event most likely to write an address."""
    settings = profile.logs
    expect.that(bool(tenants), "profile lists no tenants; no login precedes the log scan")
    expect.that(bool(settings.pii_patterns), "profile lists no logs.pii_patterns; nothing to check")
    log = read_log(profile)
    matches, total = logs.scan(
        log.text, settings.pii_patterns, (*settings.allow, logs.CANARY_ALLOW)
    )
    attach_json("PII scan", {
        "log": log.source, "bytes_scanned": len(log.text.encode()),
        "lines_scanned": log.text.count("\n"), "patterns": list(settings.pii_patterns),
        "allow": list(settings.allow), "matches": total,
        "samples (masked)": [m.describe() for m in matches[:20]],
    })
    if matches:
        attach_text("PII lines (masked)", "\n".join(m.describe() for m in matches))
    expect.that(
        not matches,
        f"{total} PII match(es) (e-mail address or phone number) in the log {log.source}: "
        + "; ".join(m.describe() for m in matches[:3]),
    )
