"""Where everything lives inside one state folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# sun_path in struct sockaddr_un is 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH = 107


@dataclass(frozen=True)
class StatePaths:
    """The layout of a state folder (``--state-dir``)."""

    root: Path

    @classmethod
    def of(cls, state_dir: str | Path) -> StatePaths:
        return cls(Path(state_dir).expanduser().resolve())

    # --- folders ------------------------------------------------------------------------
    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def tls(self) -> Path:
        return self.root / "tls"

    @property
    def nginx(self) -> Path:
        return self.root / "nginx"

    @property
    def nginx_public(self) -> Path:
        return self.nginx / "public"

    @property
    def mariadb(self) -> Path:
        return self.root / "mariadb"

    @property
    def mariadb_data(self) -> Path:
        return self.mariadb / "data"

    @property
    def redis(self) -> Path:
        return self.root / "redis"

    @property
    def app(self) -> Path:
        return self.root / "app"

    # --- files --------------------------------------------------------------------------
    @property
    def runtime_json(self) -> Path:
        return self.root / "runtime.json"

    @property
    def endpoints_json(self) -> Path:
        return self.root / "endpoints.json"

    @property
    def secrets_env(self) -> Path:
        return self.root / "secrets.env"

    @property
    def defects_json(self) -> Path:
        return self.root / "defects.json"

    @property
    def credentials_json(self) -> Path:
        return self.app / "credentials.json"

    @property
    def env_file(self) -> Path:
        return self.app / ".env.staging"

    @property
    def laravel_log(self) -> Path:
        return self.app / "storage" / "logs" / "laravel.log"

    @property
    def app_socket(self) -> Path:
        return self.run / "app.sock"

    @property
    def mariadb_socket(self) -> Path:
        return self.mariadb / "mysqld.sock"

    @property
    def nginx_conf(self) -> Path:
        return self.nginx / "nginx.conf"

    @property
    def lock(self) -> Path:
        return self.run / "lock"

    @property
    def ca_cert(self) -> Path:
        return self.tls / "ca.pem"

    def pid_file(self, service: str) -> Path:
        return self.run / f"{service}.pid"

    def log(self, name: str) -> Path:
        return self.logs / name

    def create(self) -> None:
        for folder in (self.run, self.logs, self.tls, self.nginx, self.nginx_public,
                       self.mariadb, self.redis, self.app):
            folder.mkdir(parents=True, exist_ok=True)

    def socket_path_problem(self) -> str | None:
        """Unix socket paths are short; say so before a server fails with a cryptic error."""
        longest = max((self.app_socket, self.mariadb_socket), key=lambda p: len(str(p)))
        if len(str(longest)) > _MAX_SOCKET_PATH:
            return (f"state dir {self.root} is too deep: socket path {longest} exceeds "
                    f"{_MAX_SOCKET_PATH} bytes; use a shorter --state-dir")
        return None
