"""Everything the app holds for its lifetime: runtime, env settings, defects, cache, log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reference_target.app.applog import AppLog
from reference_target.app.cache import (
    PRODUCTION_PREFIX,
    STAGING_PREFIX,
    Cache,
    connection_prefix,
)
from reference_target.app.defects import DefectSwitch
from reference_target.app.flags import EnvSettings
from reference_target.dbconfig import Runtime, load_runtime
from reference_target.dialect import Dialect

VERSION = "1.0.0"


@dataclass
class AppState:
    runtime: Runtime
    env: EnvSettings
    defects: DefectSwitch
    cache: Cache
    log: AppLog

    @classmethod
    def from_state_dir(cls, state_dir: Path) -> AppState:
        runtime = load_runtime(state_dir)
        return cls(runtime=runtime, env=EnvSettings(runtime.env_file),
                   defects=DefectSwitch(state_dir),
                   cache=Cache(runtime.redis_host, runtime.redis_port),
                   log=AppLog(runtime.log_file))

    @property
    def dialect(self) -> Dialect:
        return self.runtime.dialect

    @property
    def database(self) -> str:
        return self.env.get("DB_DATABASE") or self.runtime.database

    @property
    def environment(self) -> str:
        return self.env.get("APP_ENV") or "staging"

    @property
    def version(self) -> str:
        return self.env.get("APP_VERSION") or VERSION

    @property
    def cache_prefix(self) -> str:
        """Every cache key's prefix as Laravel writes it: REDIS_PREFIX, then CACHE_PREFIX."""
        values = self.env.values()
        connection = connection_prefix(values.get("REDIS_PREFIX"), values.get("APP_NAME", ""))
        if self.defects.on("cache_production_prefix"):
            return connection + PRODUCTION_PREFIX
        return connection + (self.env.get("CACHE_PREFIX") or STAGING_PREFIX)

    def flags(self) -> dict[str, bool]:
        return self.env.flags(frozen=self.defects.on("flag_toggle_ignored"))

    def section_enabled(self, section: str | None) -> bool:
        return self.env.section_enabled(section, frozen=self.defects.on("flag_toggle_ignored"))
