import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from staging_gate.probes import tls

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def make_cert(
    dns_names=("localhost",), ips=(), not_after=NOW + dt.timedelta(days=90), san=True
) -> bytes:
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "staging.example.test")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(not_after)
    )
    if san:
        entries: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
        entries += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_parse_certificate_reads_sans_dates_and_issuer():
    info = tls.parse_certificate(make_cert(("localhost", "*.staging.test"), ("127.0.0.1",)))
    assert info.dns_names == ("localhost", "*.staging.test")
    assert info.ip_addresses == ("127.0.0.1",)
    assert info.self_signed
    assert str(info.as_evidence()["not_after"]).startswith("2027-02-23")


@pytest.mark.parametrize(
    ("host", "matches"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("api.staging.test", True),
        ("a.b.staging.test", False),
        ("staging.test", False),
        ("127.0.0.1", True),
        ("10.0.0.1", False),
        ("askproai.de", False),
    ],
)
def test_hostname_matching_follows_rfc6125(host, matches):
    info = tls.parse_certificate(make_cert(("localhost", "*.staging.test"), ("127.0.0.1",)))
    assert tls.hostname_matches(info, host) is matches


def test_subject_common_name_alone_does_not_match():
    info = tls.parse_certificate(make_cert(san=False))
    assert not tls.hostname_matches(info, "staging.example.test")


@pytest.mark.parametrize(
    ("days", "level", "text"),
    [
        (90, "ok", "expires in 90 days"),
        (20, "warn", "below the 30-day warning threshold"),
        (5, "fail", "expires in 5 days (2026-11-30), below the 14-day fail threshold"),
        (-1, "fail", "expired on 2026-11-24 (1 days ago)"),
    ],
)
def test_expiry_is_judged_against_warn_and_fail_thresholds(days, level, text):
    info = tls.parse_certificate(make_cert(not_after=NOW + dt.timedelta(days=days, minutes=1)))
    expiry = tls.judge_expiry(info, "localhost", NOW, warn_days=30, fail_days=14)
    assert expiry.level == level
    assert text in expiry.message
