"""P1.2: the TLS certificate is valid — chain, host name, expiry — and only TLS 1.2+ is spoken."""

import datetime as dt
import ssl
import warnings
from dataclasses import asdict

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import tls


class CertificateExpiryWarning(UserWarning):
    """The certificate is valid but inside the profile's warning horizon."""


@pytest.fixture(scope="module")
def served_certificate(profile) -> tls.CertificateInfo:
    target = profile.target
    try:
        cert = tls.fetch_certificate(target.host, target.port, target.timeout_seconds)
    except (ssl.SSLError, OSError) as error:
        pytest.fail(f"no TLS certificate from {target.host}:{target.port}: {error}", pytrace=False)
    return cert


def test_P1_2_certificate_chain_verifies(profile, served_certificate):
    """The served chain verifies against the profile's CA bundle (clients will trust it)."""
    target = profile.target
    attach_json("served certificate", served_certificate.as_evidence())
    result = tls.verify_chain(target.host, target.port, target.ca_bundle, target.timeout_seconds)
    attach_json("chain verification", {"verified": result.verified, "error": result.error,
                                       "protocol": result.protocol})
    expect.that(
        result.verified,
        f"certificate chain of {target.host}:{target.port} does not verify against "
        f"{target.ca_bundle or 'the system trust store'}: {result.error} "
        f"(issuer {served_certificate.issuer}, subject {served_certificate.subject})",
    )


def test_P1_2_certificate_matches_hostname(profile, served_certificate):
    """The certificate's subject alternative names cover the host clients connect to."""
    host = profile.target.host
    attach_json("served certificate", served_certificate.as_evidence())
    expect.that(
        tls.hostname_matches(served_certificate, host),
        f"certificate does not cover host name {host}: it names "
        f"DNS {list(served_certificate.dns_names)} and IP {list(served_certificate.ip_addresses)} "
        f"(subject {served_certificate.subject})",
    )


def test_P1_2_certificate_expiry_horizon(profile, served_certificate):
    """Days to expiry stay above the profile's fail threshold; inside the warn horizon it warns."""
    settings = profile.tls
    expiry = tls.judge_expiry(
        served_certificate,
        profile.target.host,
        dt.datetime.now(dt.UTC),
        warn_days=settings.expiry_warn_days,
        fail_days=settings.expiry_fail_days,
    )
    attach_json("certificate expiry", {**served_certificate.as_evidence(),
                                       "days_left": expiry.days_left, "verdict": expiry.level})
    expect.that(expiry.level != "fail", expiry.message)
    if expiry.level == "warn":
        warnings.warn(CertificateExpiryWarning(expiry.message), stacklevel=1)


def test_P1_2_legacy_tls_refused(profile):
    """Every protocol below the profile's minimum is refused, offered explicitly one at a time."""
    target, minimum = profile.target, profile.tls.min_version
    legacy = [tls.probe_protocol(target.host, target.port, name, target.timeout_seconds)
              for name in tls.legacy_protocols(minimum)]
    modern = [tls.probe_protocol(target.host, target.port, name, target.timeout_seconds)
              for name in tls.PROTOCOLS if name not in tls.legacy_protocols(minimum)]
    attach_json("protocol probes", [asdict(probe) for probe in legacy + modern])
    accepted = [probe.protocol for probe in legacy if probe.accepted]
    expect.that(
        not accepted,
        f"{target.host}:{target.port} accepts {', '.join(accepted)}; "
        f"only {minimum} and newer may be offered (set ssl_protocols accordingly)",
    )
    expect.that(
        any(probe.accepted for probe in modern),
        f"{target.host}:{target.port} accepted no protocol at or above {minimum}: "
        + "; ".join(probe.detail for probe in modern),
    )
    untested = [probe.detail for probe in legacy if not probe.conclusive]
    if untested:
        pytest.skip("legacy protocols could not be offered by this machine: " + "; ".join(untested))
