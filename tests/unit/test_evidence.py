from __future__ import annotations

from staging_gate.evidence import REDACTED, redact_headers, redact_mapping, redact_text


def test_dsn_password_is_redacted() -> None:
    assert redact_text("mysql://user:s3cret@db:3306/x") == f"mysql://user:{REDACTED}@db:3306/x"


def test_secret_headers_are_redacted() -> None:
    headers = redact_headers({"Cookie": "a=b", "Content-Type": "text/html"})
    assert headers == {"Cookie": REDACTED, "Content-Type": "text/html"}


def test_secret_fields_are_redacted_recursively() -> None:
    data = redact_mapping({"user": {"password": "x", "email_env": "E"}, "_token": "t"})
    assert data == {"user": {"password": REDACTED, "email_env": "E"}, "_token": REDACTED}


def test_password_without_user_is_redacted() -> None:
    assert redact_text("redis://:s3cret@127.0.0.1:6379/0") == f"redis://:{REDACTED}@127.0.0.1:6379/0"
