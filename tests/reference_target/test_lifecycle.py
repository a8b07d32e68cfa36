"""``up``, ``status``, ``down`` and the healthy vhost, as the README's contract states them."""

from __future__ import annotations

import json
import re
import socket
import ssl
import stat
import time
from pathlib import Path

import pytest

from reference_target.defects import CATALOGUE

from .conftest import Deployment

ENDPOINT_KEYS = {"state_dir", "dialect", "host", "base_url", "http_url", "ca_bundle", "db", "redis",
                 "env_file", "log_file", "python", "secrets", "tenants"}
SECRET_KEYS = {"STAGING_DB_DSN", "STAGING_DB_MONITOR_DSN", "STAGING_REDIS_URL",
               "ADMIN_EMAIL", "ADMIN_PASSWORD",
               *(f"TENANT_{t}_{kind}" for t in "ABC" for kind in ("EMAIL", "PASSWORD"))}
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-xss-protection": "1; mode=block",
    "x-staging-environment": "true",
}
FORBIDDEN_PORTS = {80, 443, 3306, 6379}


def test_endpoints_follow_the_contract(deployment: Deployment) -> None:
    endpoints = json.loads((deployment.state_dir / "endpoints.json").read_text())
    assert endpoints == deployment.endpoints
    assert set(endpoints) == ENDPOINT_KEYS
    assert endpoints["base_url"] == f"https://localhost:{deployment.https_port}"
    assert endpoints["http_url"] == f"http://localhost:{deployment.http_port}"
    assert endpoints["db"] == {"host": "127.0.0.1", "port": deployment.db_port,
                               "database": "askproai_staging", "user": "askproai_user",
                               "socket": str(deployment.state_dir / "mariadb/mysqld.sock")}
    assert endpoints["redis"] == {"host": "127.0.0.1", "port": deployment.redis_port}
    assert set(endpoints["secrets"]) == SECRET_KEYS
    assert endpoints["secrets"]["STAGING_DB_DSN"].endswith(
        f"@127.0.0.1:{deployment.db_port}/askproai_staging")
    assert [t["key"] for t in endpoints["tenants"]] == ["tenant_a", "tenant_b", "tenant_c"]
    assert endpoints["tenants"][0]["email_env"] == "TENANT_A_EMAIL"
    ports = {deployment.https_port, deployment.http_port, deployment.db_port,
             deployment.redis_port}
    assert len(ports) == 4 and not ports & FORBIDDEN_PORTS


def test_secrets_env_holds_the_same_secrets_owner_only(deployment: Deployment) -> None:
    path = deployment.state_dir / "secrets.env"
    lines = path.read_text().splitlines()
    matches = [re.fullmatch(r"export (\w+)='([^']*)'", line) for line in lines]
    parsed = {m.group(1): m.group(2) for m in matches if m is not None}
    for name, value in parsed.items():
        assert deployment.endpoints["secrets"][name] == value
    assert {line.split("=", 1)[0].removeprefix("export ") for line in lines} == SECRET_KEYS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_up_again_is_idempotent(deployment: Deployment) -> None:
    result = deployment.cli("up")
    assert json.loads(result.stdout) == deployment.endpoints
    assert "already up" in result.stderr


def test_status_shows_every_process_running(deployment: Deployment) -> None:
    status = deployment.status()
    assert status["up"] is True
    assert set(status["processes"]) == {"mariadb", "redis", "app", "nginx"}
    assert all(entry["running"] for entry in status["processes"].values())


def test_defect_list_is_the_catalogue(deployment: Deployment) -> None:
    listing = json.loads(deployment.cli("defect", "list").stdout)
    assert [entry["name"] for entry in listing] == [defect.name for defect in CATALOGUE]
    assert {"name", "layer", "item", "description", "on"} <= set(listing[0])


def test_unknown_defect_is_a_usage_error(deployment: Deployment) -> None:
    result = deployment.cli("defect", "on", "no_such_defect", check=False)
    assert result.returncode == 2
    assert "unknown defect" in result.stderr


# --- the healthy vhost ---------------------------------------------------------------------

def test_https_sends_security_headers_and_hides_version(clean: Deployment) -> None:
    response = clean.get("/health")
    assert response.status_code == 200
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["content-security-policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["server"] == "nginx"


def test_http_redirects_permanently_to_https(clean: Deployment) -> None:
    response = clean.get_http("/portal/calls?page=2")
    assert response.status_code == 301
    assert response.headers["location"] == (
        f"https://localhost:{clean.https_port}/portal/calls?page=2")


def test_certificate_chains_to_the_ca_for_localhost_and_loopback_ip(clean: Deployment) -> None:
    with clean.handshake(clean.trusting_context()) as tls:
        cert = tls.getpeercert()
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    assert cert is not None
    assert set(cert["subjectAltName"]) == {("DNS", "localhost"), ("IP Address", "127.0.0.1")}
    context = clean.trusting_context()
    raw = socket.create_connection(("127.0.0.1", clean.https_port), timeout=5)
    with context.wrap_socket(raw, server_hostname="127.0.0.1"):
        pass


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_below_1_2_is_refused(clean: Deployment) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        context.minimum_version = context.maximum_version = version
        with pytest.raises(ssl.SSLError):
            clean.handshake(context).close()


# --- down, last: it stops the session's deployment, then brings it back ---------------------

def _pids_of_tree(pid: int) -> set[int]:
    tree = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            if raw[raw.rfind(")") + 2:].split()[1] == str(pid):
                tree.add(int(entry.name))
    return tree


def _running(pid: int) -> bool:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return raw[raw.rfind(")") + 2:].split()[0] != "Z"


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_down_leaves_no_process_or_port_and_up_restarts(deployment: Deployment) -> None:
    processes = deployment.status()["processes"]
    pids = set().union(*(_pids_of_tree(entry["pid"]) for entry in processes.values()))
    ports = [port for entry in processes.values() for port in entry["ports"]]
    assert len(pids) >= 6  # mariadb, redis, app, nginx master and its two workers
    assert all(_accepts(port) for port in ports)
    # A lost PID file (say, an interrupted command) must not leave its server behind.
    (deployment.state_dir / "run" / "redis.pid").unlink()

    deployment.cli("down")

    assert sorted(pid for pid in pids if _running(pid)) == []
    assert [port for port in ports if _accepts(port)] == []
    assert not (deployment.state_dir / "run" / "app.sock").exists()
    assert deployment.status()["up"] is False

    started = time.monotonic()
    deployment.cli("up")
    assert time.monotonic() - started < 20
    assert deployment.get("/health").status_code == 200
