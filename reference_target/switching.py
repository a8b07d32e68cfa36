"""``defect list|on|off|reset``: switch seeded defects while the deployment runs."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Protocol, cast

from . import nginx, state, tls
from .defects import BY_NAME, CATALOGUE, Defect
from .lifecycle import PROCESS_DEFECTS, require_runtime, stop_service, wait_healthy
from .paths import StatePaths
from .runtime import Runtime
from .services import APP, MARIADB, NGINX, REDIS


class UnknownDefect(ValueError):
    """The name is not in reference_target/defects.py."""


class SwitchError(RuntimeError):
    """A defect could not be switched; the message says why and what to do."""


class _DbDefects(Protocol):
    def apply(self, state_dir: Path, name: str, on: bool) -> None: ...


def catalogue_with_state(paths: StatePaths) -> list[dict[str, Any]]:
    active = set(state.active_defects(paths))
    return [{"name": defect.name, "layer": defect.layer, "item": defect.item,
             "description": defect.description, "on": defect.name in active}
            for defect in CATALOGUE]


def lookup(name: str) -> Defect:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownDefect(f"unknown defect {name!r}; `defect list` shows the catalogue") \
            from None


def _apply_db_defect(paths: StatePaths, runtime: Runtime, name: str, on: bool) -> None:
    if MARIADB.pid(paths, runtime) is None:
        raise SwitchError(f"cannot switch {name}: MariaDB is not running "
                          "(switch db_down off or run `up` first)")
    module = cast(_DbDefects, importlib.import_module("reference_target.db_defects"))
    try:
        module.apply(paths.root, name, on)
    except Exception as error:
        raise SwitchError(f"db defect {name} could not be switched {'on' if on else 'off'}: "
                          f"{type(error).__name__}: {error}") from error


def _reload_nginx(paths: StatePaths, runtime: Runtime, active: set[str]) -> None:
    master = NGINX.pid(paths, runtime)
    if master is None:
        raise SwitchError("nginx is not running; start the deployment with `up` first")
    nginx.write_config(paths, runtime, active)
    nginx.reload(paths, master)


def _start_again(paths: StatePaths, runtime: Runtime, name: str) -> None:
    service = PROCESS_DEFECTS[name]
    if service.pid(paths, runtime) is None:
        service.launch(paths, runtime)
    service.wait_ready(paths, runtime)


def _require_up(paths: StatePaths) -> Runtime:
    runtime = require_runtime(paths)
    if NGINX.pid(paths, runtime) is None:
        raise SwitchError(f"the deployment in {paths.root} is not running; run `up` first")
    return runtime


def switch(paths: StatePaths, name: str, on: bool) -> None:
    """Switch one defect; return only once its symptom (or its absence) is observable."""
    defect = lookup(name)
    runtime = _require_up(paths)
    before = state.active_defects(paths)
    after = [*before, name] if on else [item for item in before if item != name]
    if defect.layer in ("nginx", "tls"):
        if on and defect.layer == "tls":
            tls.issue_defect_cert(paths, name)
        _reload_nginx(paths, runtime, set(after))
    elif defect.layer == "process":
        if on:
            stop_service(paths, runtime, PROCESS_DEFECTS[name])
        else:
            _start_again(paths, runtime, name)
    elif defect.layer == "db":
        _apply_db_defect(paths, runtime, name, on)
    state.save_defects(paths, after)
    if not on and not after:
        wait_healthy(paths, runtime, set())


def reset(paths: StatePaths) -> list[str]:
    """Switch every active defect off; servers first, since the DB defects need MariaDB."""
    runtime = _require_up(paths)
    active = state.active_defects(paths)
    for service in (MARIADB, REDIS, APP):
        if service.pid(paths, runtime) is None:
            service.launch(paths, runtime)
        service.wait_ready(paths, runtime)
    for name in reversed(active):
        if lookup(name).layer == "db":
            _apply_db_defect(paths, runtime, name, False)
    if any(lookup(name).layer in ("nginx", "tls") for name in active):
        _reload_nginx(paths, runtime, set())
    state.save_defects(paths, [])
    wait_healthy(paths, runtime, set())
    return active
