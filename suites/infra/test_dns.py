"""P1.1: the staging domain resolves."""

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import dns


def test_P1_1_domain_resolves(profile):
    """The target host resolves with the system resolver, as the deploy's clients do."""
    target = profile.target
    resolution = dns.resolve(target.host, target.port)
    attach_json("DNS resolution", resolution.as_evidence())
    expect.that(
        resolution.resolves,
        f"host {target.host} (from target.base_url {target.base_url}) does not resolve with "
        f"the system resolver: {resolution.error}; create its DNS record or fix the profile",
    )
