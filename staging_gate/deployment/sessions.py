"""Logged-in HTTP sessions the Laravel way: CSRF token from the form, session cookie kept."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx

_TOKEN_PATTERNS = (
    re.compile(r'name="_token"\s+value="([^"]+)"'),
    re.compile(r'value="([^"]+)"\s+name="_token"'),
    re.compile(r'<meta\s+name="csrf-token"\s+content="([^"]+)"'),
)


class LoginFailed(Exception):
    """A profile user could not log in; the message says where and what was answered."""


def extract_csrf_token(html: str) -> str | None:
    for pattern in _TOKEN_PATTERNS:
        match = pattern.search(html)
        if match:
            return match.group(1)
    return None


def csrf_token(client: httpx.Client, page: str) -> str:
    response = client.get(page)
    token = extract_csrf_token(response.text)
    if response.status_code != 200 or token is None:
        raise LoginFailed(
            f"GET {page} answered {response.status_code} without a CSRF token (_token field)"
        )
    return token


def login(client: httpx.Client, login_path: str, email: str, password: str) -> None:
    """Log `client` in through the login form; raise LoginFailed naming the path on failure."""
    token = csrf_token(client, login_path)
    response = client.post(
        login_path, data={"_token": token, "email": email, "password": password}
    )
    if response.status_code not in (302, 303):
        raise LoginFailed(
            f"POST {login_path} answered {response.status_code}, expected a redirect after login"
        )
    location = response.headers.get("location", "")
    if location.rstrip("/").endswith(login_path.rstrip("/")):
        raise LoginFailed(f"POST {login_path} redirected back to the login form: bad credentials")


def logout(client: httpx.Client, page_with_token: str, logout_path: str) -> int:
    """Log out through the logout form; returns the status code answered."""
    response = client.get(page_with_token)
    token = extract_csrf_token(response.text) or ""
    return client.post(logout_path, data={"_token": token}).status_code


@contextlib.contextmanager
def logged_in(client: httpx.Client, login_path: str, email: str, password: str,
              page_with_token: str, logout_path: str) -> Iterator[httpx.Client]:
    """`client` logged in through the login form for the block, logged out after it (also when
    the block fails; an HTTP error while logging out is ignored: the session expires).
    Raises LoginFailed (see `login`) before the block runs."""
    login(client, login_path, email, password)
    try:
        yield client
    finally:
        with contextlib.suppress(httpx.HTTPError):
            logout(client, page_with_token, logout_path)
