"""One reference target per test session, driven only through its command line."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CLI_TIMEOUT = 180


@dataclass(frozen=True)
class Deployment:
    """A running reference target as a client sees it: ports, CA, command line."""

    state_dir: Path
    endpoints: dict[str, Any]

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command, *rest = args
        result = subprocess.run(
            [sys.executable, "-m", "reference_target", command, "--state-dir",
             str(self.state_dir), *rest],
            capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False)
        if check and result.returncode != 0:
            pytest.fail(f"`reference_target {' '.join(args)}` exited {result.returncode}:\n"
                        f"{result.stderr}")
        return result

    @property
    def runtime(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.state_dir / "runtime.json").read_text())
        return data

    @property
    def https_port(self) -> int:
        return int(self.runtime["https_port"])

    @property
    def http_port(self) -> int:
        return int(self.runtime["http_port"])

    @property
    def db_port(self) -> int:
        return int(self.runtime["mariadb"]["port"])

    @property
    def redis_port(self) -> int:
        return int(self.runtime["redis"]["port"])

    def trusting_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.state_dir / "tls" / "ca.pem"))

    def get(self, path: str, *, verify: bool = True) -> httpx.Response:
        with httpx.Client(verify=self.trusting_context() if verify else False,
                          timeout=10) as client:
            return client.get(f"https://localhost:{self.https_port}{path}")

    def get_http(self, path: str) -> httpx.Response:
        with httpx.Client(timeout=10) as client:
            return client.get(f"http://localhost:{self.http_port}{path}")

    def handshake(self, context: ssl.SSLContext) -> ssl.SSLSocket:
        """A finished TLS handshake with the HTTPS port (caller closes it)."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=5)
        try:
            return context.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise

    def status(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.cli("status").stdout)
        return data


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    state_dir = tmp_path_factory.mktemp("rt")
    started = Deployment(state_dir, {})
    result = started.cli("up")
    try:
        yield Deployment(state_dir, json.loads(result.stdout))
    finally:
        started.cli("down", check=False)


@pytest.fixture
def clean(deployment: Deployment) -> Iterator[Deployment]:
    """The session's deployment, with every defect off before and after the test."""
    deployment.cli("defect", "reset")
    yield deployment
    deployment.cli("defect", "reset")
