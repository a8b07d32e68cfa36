"""`Target`: the one object that represents the deployment under test."""

from __future__ import annotations

import functools
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx

from staging_gate.deployment.connections import MysqlDsn, parse_mysql_dsn
from staging_gate.deployment.guard import Fingerprint, take_fingerprint
from staging_gate.errors import ConfigError
from staging_gate.profile import Profile

USER_AGENT = "staging-gate/0.1 (+post-deploy validation)"


class Target:
    def __init__(self, profile: Profile, read_only: bool = False) -> None:
        self.profile = profile
        self.read_only = read_only

    @property
    def base_url(self) -> str:
        return self.profile.target.base_url

    @property
    def http_url(self) -> str:
        if self.profile.target.http_url:
            return self.profile.target.http_url
        parts = urlsplit(self.base_url)
        return f"http://{parts.hostname}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @functools.cache  # noqa: B019 - one context per Target, reused by every client
    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.profile.target.ca_bundle or None)
        return context

    def client(self, **overrides: Any) -> httpx.Client:
        """An httpx client for the target: CA trusted, bounded timeouts, no auto-redirects."""
        timeout = self.profile.target.timeout_seconds
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "verify": self.ssl_context(),
            "timeout": httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            "follow_redirects": False,
            "headers": {"User-Agent": USER_AGENT},
        }
        options.update(overrides)
        return httpx.Client(**options)

    def dsn(self) -> MysqlDsn:
        env_var = self.profile.database.dsn_env
        return parse_mysql_dsn(self.profile.secret(env_var), env_var)

    def cache_url(self) -> str:
        return self.profile.secret(self.profile.cache.url_env)

    def read_health(self) -> tuple[dict[str, object] | None, str | None]:
        """The health JSON, or None and why it could not be read."""
        try:
            with self.client() as client:
                response = client.get(self.profile.health.path)
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            return None, f"{type(error).__name__}: {error}"
        if not isinstance(data, dict):
            return None, f"health answered {type(data).__name__}, not a JSON object"
        return data, None

    @functools.cached_property
    def fingerprint(self) -> Fingerprint:
        health, health_error = self.read_health()
        try:
            database_name: str | None = self.dsn().database
        except ConfigError:
            database_name = None
        return take_fingerprint(
            host=self.profile.target.host,
            production_host=self.profile.target.production_host,
            health=health,
            health_error=health_error,
            database_name=database_name,
            production_database_name=self.profile.database.production_name,
            expected_environment=self.profile.target.environment,
            read_only=self.read_only,
        )


def check_reachable(profile: Profile, timeout: float = 5.0) -> None:
    """Preflight: the target's HTTPS port accepts a TCP connection, else ConfigError (exit 2)."""
    host, port = profile.target.host, profile.target.port
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as error:
        raise ConfigError(
            f"target {profile.target.base_url} is unreachable ({host}:{port}: "
            f"{error.strerror or error}); check target.base_url and that the deploy is up"
        ) from None
