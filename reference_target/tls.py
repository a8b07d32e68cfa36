"""A certificate authority per state folder, the server certificate, and its defect variants."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .paths import StatePaths

SERVER_NAMES = ("localhost",)
SERVER_IPS = ("127.0.0.1",)
WRONG_HOST = "wrong.example.test"
HEALTHY_VALIDITY = dt.timedelta(days=90)

# tls-layer defects, in the order they win when several are on at once.
TLS_DEFECTS = ("cert_expired", "cert_untrusted", "cert_wrong_host", "cert_expiring",
               "tls_chain_sends_root")


@dataclass(frozen=True)
class KeyPair:
    cert: Path
    key: Path


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "AskPro reference target"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_private(path: Path, key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    tmp.replace(path)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tmp.replace(path)


def _ca_paths(paths: StatePaths) -> KeyPair:
    return KeyPair(paths.ca_cert, paths.tls / "ca.key")


def ensure_ca(paths: StatePaths) -> KeyPair:
    """The state folder's CA, created on first use (10 years)."""
    pair = _ca_paths(paths)
    if pair.cert.exists() and pair.key.exists():
        return pair
    key = _new_key()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("AskPro Staging Reference CA"))
        .issuer_name(_name("AskPro Staging Reference CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    paths.tls.mkdir(parents=True, exist_ok=True)
    _write_private(pair.key, key)
    _write_cert(pair.cert, cert)
    return pair


def _load_ca(pair: KeyPair) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    key = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError(f"{pair.key} is not an RSA key")
    return cert, key


def _san(dns_names: tuple[str, ...], ips: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    entries += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    return x509.SubjectAlternativeName(entries)


def _leaf(pair: KeyPair, *, dns_names: tuple[str, ...], ips: tuple[str, ...],
          not_before: dt.datetime, not_after: dt.datetime,
          issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None) -> KeyPair:
    """Write a server certificate; ``issuer=None`` makes it self-signed."""
    key = _new_key()
    subject = _name(dns_names[0])
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_san(dns_names, ips), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
    )
    if issuer:
        ski = issuer[0].extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    cert = builder.sign(signing_key, hashes.SHA256())
    pair.cert.parent.mkdir(parents=True, exist_ok=True)
    _write_private(pair.key, key)
    _write_cert(pair.cert, cert)
    return pair


def server_pair(paths: StatePaths, variant: str | None = None) -> KeyPair:
    """Where the healthy certificate (``variant=None``) or a defect variant lives."""
    if variant is None:
        return KeyPair(paths.tls / "server.pem", paths.tls / "server.key")
    folder = paths.tls / "defects"
    return KeyPair(folder / f"{variant}.pem", folder / f"{variant}.key")


def ensure_server_cert(paths: StatePaths) -> KeyPair:
    """The healthy certificate: SAN localhost and 127.0.0.1, signed by the CA, 90 days."""
    pair = server_pair(paths)
    if pair.cert.exists() and pair.key.exists():
        return pair
    now = dt.datetime.now(dt.UTC)
    return _leaf(pair, dns_names=SERVER_NAMES, ips=SERVER_IPS,
                 not_before=now - dt.timedelta(hours=1), not_after=now + HEALTHY_VALIDITY,
                 issuer=_load_ca(ensure_ca(paths)))


def issue_defect_cert(paths: StatePaths, defect: str) -> KeyPair:
    """Write the certificate a tls-layer defect serves (fresh, so dates are relative to now)."""
    now = dt.datetime.now(dt.UTC)
    ca = _load_ca(ensure_ca(paths))
    pair = server_pair(paths, defect)
    if defect == "cert_expiring":
        return _leaf(pair, dns_names=SERVER_NAMES, ips=SERVER_IPS,
                     not_before=now - dt.timedelta(days=85),
                     not_after=now + dt.timedelta(days=5), issuer=ca)
    if defect == "cert_expired":
        return _leaf(pair, dns_names=SERVER_NAMES, ips=SERVER_IPS,
                     not_before=now - dt.timedelta(days=30),
                     not_after=now - dt.timedelta(days=1), issuer=ca)
    if defect == "cert_wrong_host":
        return _leaf(pair, dns_names=(WRONG_HOST,), ips=(),
                     not_before=now - dt.timedelta(hours=1), not_after=now + HEALTHY_VALIDITY,
                     issuer=ca)
    if defect == "cert_untrusted":
        return _leaf(pair, dns_names=SERVER_NAMES, ips=SERVER_IPS,
                     not_before=now - dt.timedelta(hours=1), not_after=now + HEALTHY_VALIDITY,
                     issuer=None)
    if defect == "tls_chain_sends_root":
        _leaf(pair, dns_names=SERVER_NAMES, ips=SERVER_IPS,
              not_before=now - dt.timedelta(hours=1), not_after=now + HEALTHY_VALIDITY,
              issuer=ca)
        # the root CA appended to the served chain (clients must already have it)
        pair.cert.write_bytes(pair.cert.read_bytes()
                              + ca[0].public_bytes(serialization.Encoding.PEM))
        return pair
    raise ValueError(f"{defect} is not a tls-layer defect")


def active_pair(paths: StatePaths, active: set[str]) -> KeyPair:
    """The certificate nginx should serve given the active defects."""
    for defect in TLS_DEFECTS:
        if defect in active:
            pair = server_pair(paths, defect)
            return pair if pair.cert.exists() else issue_defect_cert(paths, defect)
    return ensure_server_cert(paths)
