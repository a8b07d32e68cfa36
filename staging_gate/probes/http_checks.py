"""P1.3, P1.4, P3.x: what the vhost and the app answer, judged from status and headers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

T = TypeVar("T")


@dataclass(frozen=True)
class Observation:
    """One request's outcome, kept small enough to list in a failure message."""

    method: str
    path: str
    status: int
    location: str | None = None

    def describe(self) -> str:
        where = f" → {self.location}" if self.location else ""
        return f"{self.method} {self.path} answered {self.status}{where}"


def observe(response: httpx.Response) -> Observation:
    return Observation(
        method=response.request.method,
        path=response.request.url.raw_path.decode("ascii", "replace"),
        status=response.status_code,
        location=response.headers.get("location"),
    )


def observe_all(client: httpx.Client, paths: Sequence[str]) -> list[Observation]:
    """GET each path with `client` (in order), attach every response as evidence, and
    return one `Observation` per path."""
    from staging_gate.evidence import attach_response

    observations = []
    for path in paths:
        response = client.get(path)
        attach_response(response)
        observations.append(observe(response))
    return observations


# A judgement of one answer from its observation and body: the problem, or None.
Judge = Callable[[Observation, str], str | None]


def judge_each(client: httpx.Client, paths: Iterable[str], judge: Judge) -> list[str]:
    """GET each path with `client` (in order, each once), attach every response as evidence,
    and return the problems `judge(observation, body)` names, in path order (empty: none).
    Network errors propagate as httpx raises them."""
    from staging_gate.evidence import attach_response

    problems = []
    for path in dict.fromkeys(paths):
        response = client.get(path)
        attach_response(response)
        problem = judge(observe(response), response.text)
        problems += [problem] if problem else []
    return problems


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def https_redirect_problem(
    status: int, location: str | None, path: str, base_url: str
) -> str | None:
    """A permanent (301) redirect to the same path on the HTTPS base URL, or what is wrong."""
    expected = base_url.rstrip("/") + path
    if status != 301:
        seen = f"{status}" + (f" to {location}" if location else " without a Location")
        return f"expected 301 to {expected}, got {seen}"
    if not location:
        return f"301 without a Location header (expected {expected})"
    want, got = urlsplit(expected), urlsplit(location)
    same_origin = (
        got.scheme == "https"
        and (got.hostname or "").lower() == (want.hostname or "").lower()
        and (got.port or _default_port(got.scheme)) == (want.port or _default_port(want.scheme))
    )
    if not same_origin:
        return f"301 points to {location}, expected the HTTPS origin of {expected}"
    if (got.path or "/") != (want.path or "/"):
        return f"301 points to path {got.path or '/'}, expected the same path {want.path or '/'}"
    return None


def marker_header_problem(headers: Mapping[str, str], name: str, expected: str) -> str | None:
    """The staging marker header present with its expected value, or what is wrong."""
    value = headers.get(name)
    if value is None:
        return f"header {name} missing (expected {name}: {expected})"
    if value.strip().lower() != expected.strip().lower():
        return f"header {name} is {value!r}, expected {expected!r}"
    return None


def dynamic_signals(first: httpx.Response, second: httpx.Response) -> list[str]:
    """Signs that two fresh requests were answered by the application, not a static file."""
    signals: list[str] = []
    cookies = first.headers.get_list("set-cookie") + second.headers.get_list("set-cookie")
    if cookies:
        names = sorted({cookie.split("=", 1)[0].strip() for cookie in cookies})
        signals.append(f"sets cookies ({', '.join(names)})")
    if first.content != second.content:
        signals.append("body differs between two fresh requests (per-request tokens)")
    if "no-cache" in first.headers.get("cache-control", "") or "private" in first.headers.get(
        "cache-control", ""
    ):
        signals.append(f"Cache-Control: {first.headers['cache-control']}")
    return signals


def server_errors(observations: Iterable[Observation]) -> list[Observation]:
    return [seen for seen in observations if seen.status >= 500]


def not_found_violations(observations: Iterable[Observation]) -> list[Observation]:
    """Every path that did not answer 404 (flag off must look like the routes do not exist)."""
    return [seen for seen in observations if seen.status != 404]


def is_login_redirect(seen: Observation, login_path: str) -> bool:
    return seen.status in (301, 302, 303, 307) and urlsplit(seen.location or "").path == login_path


def until_settled(
    look: Callable[[], T], ok: Callable[[T], bool], seconds: float, interval: float = 0.25
) -> T:
    """Repeat `look` until `ok` holds or `seconds` pass; the last observation is returned.

    A flag switch reaches the app only after it re-reads its configuration, so a check
    judges the state that settled, not the first answer after the switch.
    """
    deadline = time.monotonic() + seconds
    while True:
        seen = look()
        if ok(seen) or time.monotonic() >= deadline:
            return seen
        time.sleep(interval)
