"""Jinja2 templates from reference_target/templates; a dialect's folder
(``templates/filament``) overrides templates of the same name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_ENVS: dict[str | None, Environment] = {}


def url_with(query: Mapping[str, str], **changes: object) -> str:
    """``?query`` with ``changes`` applied; empty values are dropped."""
    values = {**dict(query), **{key: str(value) for key, value in changes.items()}}
    return "?" + urlencode({key: value for key, value in values.items() if value != ""})


def _env(templates: str | None) -> Environment:
    env = _ENVS.get(templates)
    if env is None:
        folders = [TEMPLATES / templates] if templates else []
        loader = ChoiceLoader([FileSystemLoader(str(folder))
                               for folder in (*folders, TEMPLATES)])
        env = Environment(loader=loader, autoescape=select_autoescape(["html"]),
                          trim_blocks=True, lstrip_blocks=True)
        env.globals["url_with"] = url_with
        _ENVS[templates] = env
    return env


def render_text(name: str, templates: str | None = None, **context: Any) -> str:
    return _env(templates).get_template(name).render(**context)


def page(name: str, status: int = 200, templates: str | None = None,
         **context: Any) -> HTMLResponse:
    return HTMLResponse(render_text(name, templates, **context), status_code=status)
