"""Each nginx, TLS and process defect: its symptom with plain HTTP/TLS/sockets, then gone.

A defect proves nothing unless a plain client sees it; these tests are that client. Every
test switches the defect on, checks the symptom, switches it off and checks the healthy
behaviour is back — the contract of ``defect on|off`` ("returns once live").
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Callable

import pytest

from reference_target.defects import BY_NAME

from .conftest import Deployment

Check = Callable[[Deployment], None]
HSTS = "max-age=31536000; includeSubDomains"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; frame-ancestors 'self'")


# --- TLS ----------------------------------------------------------------------------------

def _verify_error(dep: Deployment) -> ssl.SSLCertVerificationError:
    with pytest.raises(ssl.SSLCertVerificationError) as caught:
        dep.handshake(dep.trusting_context()).close()
    return caught.value


def _days_left(dep: Deployment) -> float:
    with dep.handshake(dep.trusting_context()) as tls:
        cert = tls.getpeercert()
    assert cert is not None
    return (ssl.cert_time_to_seconds(str(cert["notAfter"])) - time.time()) / 86400


def _legacy_context() -> ssl.SSLContext:
    """A client that really offers TLS 1.0 (the default one refuses to)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def cert_valid_for_months(dep: Deployment) -> None:
    assert _days_left(dep) > 80


def cert_expires_within_a_week(dep: Deployment) -> None:
    assert 3 < _days_left(dep) < 6


def cert_expired(dep: Deployment) -> None:
    assert _verify_error(dep).verify_code == 10  # X509_V_ERR_CERT_HAS_EXPIRED


def cert_wrong_host(dep: Deployment) -> None:
    assert _verify_error(dep).verify_code == 62  # X509_V_ERR_HOSTNAME_MISMATCH


def cert_untrusted(dep: Deployment) -> None:
    assert _verify_error(dep).verify_code == 18  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT


def tls1_accepted(dep: Deployment) -> None:
    with dep.handshake(_legacy_context()) as tls:
        assert tls.version() == "TLSv1"


def tls1_refused(dep: Deployment) -> None:
    with pytest.raises(ssl.SSLError):
        dep.handshake(_legacy_context()).close()


def _cbc_context() -> ssl.SSLContext:
    """A TLS 1.2 client that offers only a CBC suite (Mozilla intermediate refuses it)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE-RSA-AES128-SHA")
    return context


def cbc_suite_accepted(dep: Deployment) -> None:
    with dep.handshake(_cbc_context()) as tls:
        cipher = tls.cipher()
        assert cipher is not None and cipher[0] == "ECDHE-RSA-AES128-SHA"


def cbc_suite_refused(dep: Deployment) -> None:
    with pytest.raises(ssl.SSLError):
        dep.handshake(_cbc_context()).close()


def _sent_chain(dep: Deployment) -> list[str]:
    """Subjects of the certificates the server sends, as `openssl s_client -showcerts` sees."""
    shown = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{dep.https_port}", "-servername",
         "localhost", "-showcerts"], input="", capture_output=True, text=True, timeout=10,
        check=False).stdout
    return re.findall(r"^\s*\d+ s:(.*)$", shown, re.MULTILINE)


def chain_with_root(dep: Deployment) -> None:
    chain = _sent_chain(dep)
    assert len(chain) == 2 and "Reference CA" in chain[1], chain


def chain_leaf_only(dep: Deployment) -> None:
    chain = _sent_chain(dep)
    assert len(chain) == 1 and "localhost" in chain[0], chain


# --- HTTP ---------------------------------------------------------------------------------

def _redirect(code: int) -> Check:
    def check(dep: Deployment) -> None:
        response = dep.get_http("/portal?x=1")
        assert response.status_code == code
        assert response.headers["location"] == (
            f"https://localhost:{dep.https_port}/portal?x=1")
    check.__name__ = f"http_redirects_{code}"
    return check


def http_serves_site(dep: Deployment) -> None:
    response = dep.get_http("/health")
    assert response.status_code == 200
    assert "location" not in response.headers


def _header(name: str, value: str | None) -> Check:
    def check(dep: Deployment) -> None:
        assert dep.get("/health").headers.get(name) == value
    check.__name__ = f"header_{name}_{'absent' if value is None else 'present'}"
    return check


def dotenv_served(dep: Deployment) -> None:
    response = dep.get("/.env")
    assert response.status_code == 200
    assert "APP_KEY=" in response.text


def dotfiles_denied(dep: Deployment) -> None:
    for path in ("/.env", "/.git/config", "/.htaccess"):
        response = dep.get(path)
        assert response.status_code == 404, path
        assert "APP_KEY" not in response.text


# --- processes ----------------------------------------------------------------------------

def _health(dep: Deployment) -> tuple[int, dict[str, object]]:
    response = dep.get("/health")
    return response.status_code, response.json() if response.content else {}


def healthy(dep: Deployment) -> None:
    status, body = _health(dep)
    assert status == 200, body
    assert body["status"] == "ok"


def bad_gateway(dep: Deployment) -> None:
    assert dep.get("/").status_code == 502


def _refused(port: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def db_stopped(dep: Deployment) -> None:
    _refused(dep.db_port)
    status, body = _health(dep)
    assert (status, body.get("status"), body.get("database")) == (
        503, "degraded", "disconnected")


def db_greets(dep: Deployment) -> None:
    with socket.create_connection(("127.0.0.1", dep.db_port), timeout=2) as sock:
        assert sock.recv(64)[4] == 10  # MySQL protocol 10 handshake
    healthy(dep)


def redis_stopped(dep: Deployment) -> None:
    _refused(dep.redis_port)
    status, body = _health(dep)
    assert (status, body.get("status"), body.get("cache")) == (503, "degraded", "disconnected")


def redis_pongs(dep: Deployment) -> None:
    with socket.create_connection(("127.0.0.1", dep.redis_port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(16) == b"+PONG\r\n"
    healthy(dep)


# defect → (symptom when on, healthy behaviour when off)
SYMPTOMS: dict[str, tuple[Check, Check]] = {
    "cert_expiring": (cert_expires_within_a_week, cert_valid_for_months),
    "cert_expired": (cert_expired, cert_valid_for_months),
    "cert_wrong_host": (cert_wrong_host, cert_valid_for_months),
    "cert_untrusted": (cert_untrusted, cert_valid_for_months),
    "tls_legacy_protocols": (tls1_accepted, tls1_refused),
    "tls_weak_suites": (cbc_suite_accepted, cbc_suite_refused),
    "tls_chain_sends_root": (chain_with_root, chain_leaf_only),
    "no_https_redirect": (http_serves_site, _redirect(301)),
    "redirect_302": (_redirect(302), _redirect(301)),
    "staging_header_missing": (_header("x-staging-environment", None),
                               _header("x-staging-environment", "true")),
    "hsts_missing": (_header("strict-transport-security", None),
                     _header("strict-transport-security", HSTS)),
    "csp_missing": (_header("content-security-policy", None),
                    _header("content-security-policy", CSP)),
    "dotenv_exposed": (dotenv_served, dotfiles_denied),
    "production_mode": (_header("x-staging-environment", None),
                        _header("x-staging-environment", "true")),
    # Only differs beside production_mode (its matrix row proves it): alone, staging as usual.
    "prod_staging_header": (_header("x-staging-environment", "true"),
                            _header("x-staging-environment", "true")),
    "app_down": (bad_gateway, healthy),
    "db_down": (db_stopped, db_greets),
    "redis_down": (redis_stopped, redis_pongs),
}


def test_every_infra_defect_has_a_symptom_test() -> None:
    infra = {name for name, defect in BY_NAME.items()
             if defect.layer in ("nginx", "tls", "process")}
    assert infra == set(SYMPTOMS)


def _is_on(dep: Deployment, name: str) -> bool:
    listing = json.loads(dep.cli("defect", "list").stdout)
    return bool(next(entry["on"] for entry in listing if entry["name"] == name))


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", sorted(SYMPTOMS))
def test_defect_is_observable_when_on_and_gone_when_off(clean: Deployment, name: str) -> None:
    symptom, healthy_behaviour = SYMPTOMS[name]
    healthy_behaviour(clean)
    clean.cli("defect", "on", name)
    assert _is_on(clean, name)
    symptom(clean)
    clean.cli("defect", "off", name)
    assert not _is_on(clean, name)
    healthy_behaviour(clean)
    healthy(clean)
