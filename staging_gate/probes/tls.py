"""P1.2: the certificate chain, host name and expiry horizon — the gate's own rules.

Each property is probed on its own so one defect fails exactly one check: the chain is
verified with host-name checking off, the host name is matched against the certificate's
SANs by `hostname_matches`, and expiry is judged from the certificate as served against the
profile's horizon. Protocols, cipher suites, curves and the chain as sent are sslyze's job
(`staging_gate.probes.tls_scan`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import socket
import ssl
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes

ExpiryLevel = Literal["ok", "warn", "fail"]

class CertificateExpiryWarning(UserWarning):
    """The certificate is valid but inside the profile's warning horizon (a pytest warning,
    never a failure)."""


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    sha256: str

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer

    def as_evidence(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "subject_alt_names": {"dns": list(self.dns_names), "ip": list(self.ip_addresses)},
            "sha256": self.sha256,
            "self_signed": self.self_signed,
        }


@dataclass(frozen=True)
class ChainVerification:
    verified: bool
    error: str | None = None
    protocol: str | None = None


@dataclass(frozen=True)
class Expiry:
    level: ExpiryLevel
    days_left: int
    message: str


def parse_certificate(der: bytes) -> CertificateInfo:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns_names, ips = (), ()
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        dns_names=dns_names,
        ip_addresses=ips,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def _unverified_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _handshake(
    host: str, port: int, context: ssl.SSLContext, timeout: float
) -> tuple[bytes | None, str | None]:
    """The peer's leaf certificate (DER) and negotiated protocol; raises on failure."""
    with (
        socket.create_connection((host, port), timeout=timeout) as sock,
        context.wrap_socket(sock, server_hostname=host) as tls,
    ):
        return tls.getpeercert(binary_form=True), tls.version()


def fetch_certificate(host: str, port: int, timeout: float) -> CertificateInfo:
    """The certificate as served, without judging it (so a bad one can still be described)."""
    der, _ = _handshake(host, port, _unverified_context(), timeout)
    if der is None:
        raise ssl.SSLError(f"{host}:{port} presented no certificate")
    return parse_certificate(der)


def verify_chain(host: str, port: int, ca_bundle: str | None, timeout: float) -> ChainVerification:
    """Does the served chain verify against the CA bundle (host name judged separately)?"""
    context = ssl.create_default_context(cafile=ca_bundle)
    context.check_hostname = False
    try:
        _, protocol = _handshake(host, port, context, timeout)
    except ssl.SSLCertVerificationError as error:
        return ChainVerification(False, error.verify_message or str(error))
    except (ssl.SSLError, OSError) as error:
        return ChainVerification(False, f"TLS handshake failed: {error}")
    return ChainVerification(True, protocol=protocol)


def _dns_name_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == host
    # RFC 6125 6.4.3: a wildcard stands for exactly one whole left-most label.
    head, _, rest = host.partition(".")
    return bool(head) and rest == pattern[2:]


def hostname_matches(cert: CertificateInfo, host: str) -> bool:
    """RFC 6125 matching against the SANs only (browsers ignore the subject CN)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return any(_dns_name_matches(name, host) for name in cert.dns_names)
    return any(ipaddress.ip_address(value) == ip for value in cert.ip_addresses)


def judge_expiry(
    cert: CertificateInfo, host: str, now: dt.datetime, warn_days: int, fail_days: int
) -> Expiry:
    remaining = cert.not_after - now
    days = int(remaining.total_seconds() // 86400)
    date = cert.not_after.date().isoformat()
    if remaining.total_seconds() <= 0:
        ago = math.ceil(-remaining.total_seconds() / 86400)
        return Expiry("fail", days, f"certificate for {host} expired on {date} ({ago} days ago)")
    if days < fail_days:
        return Expiry(
            "fail",
            days,
            f"certificate for {host} expires in {days} days ({date}), "
            f"below the {fail_days}-day fail threshold",
        )
    if days < warn_days:
        return Expiry(
            "warn",
            days,
            f"certificate for {host} expires in {days} days ({date}), "
            f"below the {warn_days}-day warning threshold",
        )
    return Expiry("ok", days, f"certificate for {host} expires in {days} days ({date})")
