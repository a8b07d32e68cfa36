"""Evidence attached to Allure results: JSON, text, HTTP exchanges with secrets redacted."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import allure
import httpx

REDACTED = "[redacted]"
_SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "x-csrf-token", "x-xsrf-token"}
)
# A key names a secret when it *ends* in a secret's word: ``password``, ``DB_PASSWORD``,
# ``password_confirmation``, ``_token``, ``api_token``, ``XSRF-TOKEN``, ``clientSecret``,
# ``STAGING_DB_DSN``, ``app_key``. Names that merely contain such a word are data:
# ``personal_access_tokens`` (a table), ``users.password_resets_email_index``, ``token_count``,
# ``api_credentials`` (AskPro's table: "credentials" is a plural, so it is left out).
_SECRET_KEY = re.compile(
    r"(?:^|[^a-z0-9])(?:password|passwd|pwd|passphrase|token|secret|dsn|cookie"
    r"|authorization|(?:secret|app|api|private|access|signing|encryption|master)[_-]?key)"
    r"(?:[_-](?:confirmation|hash|digest))?$"
)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names a secret value (its last word is a secret's word)."""
    return bool(_SECRET_KEY.search(_CAMEL.sub(r"\1_\2", str(key)).lower()))
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")


def redact_text(text: str) -> str:
    """Mask passwords embedded in URLs/DSNs (``mysql://user:secret@host``)."""
    return _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: REDACTED if name.lower() in _SECRET_HEADERS else value
        for name, value in headers.items()
    }


def redact_mapping(data: object) -> object:
    """Recursively mask values whose keys name a secret (`is_secret_key`)."""
    if isinstance(data, Mapping):
        return {
            key: REDACTED if is_secret_key(key) else redact_mapping(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact_mapping(item) for item in data]
    if isinstance(data, str):
        return redact_text(data)
    return data


def attach_json(name: str, data: object) -> None:
    allure.attach(
        json.dumps(redact_mapping(data), indent=2, default=str, ensure_ascii=False),
        name=name,
        attachment_type=allure.attachment_type.JSON,
    )


def attach_text(name: str, text: str) -> None:
    allure.attach(redact_text(text), name=name, attachment_type=allure.attachment_type.TEXT)


def describe_response(response: httpx.Response, body_limit: int = 2000) -> str:
    request = response.request
    lines = [f"{request.method} {request.url}"]
    lines += [f"{k}: {v}" for k, v in redact_headers(dict(request.headers)).items()]
    lines += ["", f"HTTP {response.status_code} {response.reason_phrase}"]
    lines += [f"{k}: {v}" for k, v in redact_headers(dict(response.headers)).items()]
    try:
        body = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        body = "<body not read>"
    lines += ["", body[:body_limit] + (" …[truncated]" if len(body) > body_limit else "")]
    return redact_text("\n".join(lines))


def attach_response(response: httpx.Response, name: str | None = None) -> None:
    label = (
        name or f"{response.request.method} {response.request.url.path} → {response.status_code}"
    )
    allure.attach(
        describe_response(response), name=label, attachment_type=allure.attachment_type.TEXT
    )


def attach_png(name: str, png: bytes) -> None:
    allure.attach(png, name=name, attachment_type=allure.attachment_type.PNG)


def attach_svg(name: str, svg: str) -> None:
    allure.attach(svg, name=name, attachment_type=allure.attachment_type.SVG)


def attach_html_file(name: str, path: str) -> None:
    """A self-contained HTML report (e.g. Locust's), attached as a file, unread by the gate."""
    allure.attach.file(  # type: ignore[no-untyped-call]
        path, name=name, attachment_type=allure.attachment_type.HTML
    )
