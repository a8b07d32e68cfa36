"""P1.2: the TLS certificate is valid — chain, host name, expiry (the gate's own rules) — and
the TLS configuration is what the field's scanners accept: only TLS 1.2+, Mozilla's profile,
the chain sent leaf first without the root (sslyze, staging_gate/probes/tls_scan.py)."""

import datetime as dt
import ssl
import warnings

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import tls, tls_scan


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
        warnings.warn(tls.CertificateExpiryWarning(expiry.message), stacklevel=1)


@pytest.fixture(scope="module")
def tls_configuration(profile) -> tls_scan.TlsScan:
    """One sslyze scan per module (and xdist worker): protocols, suites, curves, chain."""
    target = profile.target
    return tls_scan.scan(target.host, target.port, target.ca_bundle, target.timeout_seconds,
                         profile.tls.mozilla_profile)


def test_P1_2_legacy_tls_refused(profile, tls_configuration):
    """Every protocol below the profile's minimum is refused (sslyze offers each one)."""
    scan, minimum = tls_configuration, profile.tls.min_version
    attach_json("TLS scan (sslyze)", scan.as_evidence())
    tls_scan.require_measured(scan, *tls_scan.protocols_below(minimum), "TLSv1.2", "TLSv1.3")
    accepted = tls_scan.legacy_accepted(scan, minimum)
    expect.that(
        not accepted,
        f"{scan.server} accepts {', '.join(accepted)}; "
        f"only {minimum} and newer may be offered (set ssl_protocols accordingly)",
    )
    expect.that(
        bool(tls_scan.modern_accepted(scan, minimum)),
        f"{scan.server} accepted no protocol at or above {minimum}",
    )


def test_P1_2_tls_configuration_meets_mozilla_profile(profile, tls_configuration):
    """Protocols, cipher suites and curves within Mozilla's configuration named by
    tls.mozilla_profile, and sslyze's checker finds nothing else (certificate, key exchange,
    TLS vulnerabilities)."""
    scan, name = tls_configuration, profile.tls.mozilla_profile
    attach_json("TLS scan (sslyze)", scan.as_evidence())
    if not name:  # switched off on purpose: nothing to verify, so not a gap either
        attach_json("Mozilla TLS configuration", {"tls.mozilla_profile": "", "judged": False})
        return
    tls_scan.require_measured(scan, "cipher suites", "elliptic curves", "Mozilla profile check")
    expect.no_problems(tls_scan.mozilla_problems(scan, tls_scan.mozilla_rules(name)),
                       f"{scan.server} is not within Mozilla's {name!r} TLS configuration")


def test_P1_2_certificate_chain_sent_in_order(tls_configuration):
    """The server sends its own certificate first, then each issuer, and no root CA."""
    scan = tls_configuration
    attach_json("TLS scan (sslyze)", scan.as_evidence())
    tls_scan.require_measured(scan, "certificate chain")
    expect.no_problems(tls_scan.sent_chain_problems(scan),
                       f"certificate chain sent by {scan.server}")
