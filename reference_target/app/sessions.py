"""Database session driver (Laravel's ``SESSION_DRIVER=database``) and the CSRF token."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from reference_target.app.db import RequestDb

LIFETIME_SECONDS = 120 * 60
TOUCH_AFTER_SECONDS = 60


def new_id() -> str:
    return secrets.token_urlsafe(30)[:40]


def new_token() -> str:
    return secrets.token_urlsafe(30)[:40]


@dataclass
class Session:
    id: str
    data: dict[str, Any]
    user_id: int | None = None
    last_activity: int = 0
    is_new: bool = True
    dirty: bool = True
    stale_ids: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        return str(self.data.get("_token", ""))

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.dirty = True

    def pull(self, key: str) -> Any:
        if key in self.data:
            self.dirty = True
            return self.data.pop(key)
        return None

    def login(self, user_id: int) -> None:
        """Log in with a fresh session id (no session fixation)."""
        self.regenerate()
        self.user_id = user_id
        self.put("login_web", user_id)

    def regenerate(self) -> None:
        if not self.is_new:
            self.stale_ids.append(self.id)
        self.id = new_id()
        self.is_new = True
        self.dirty = True

    def invalidate(self) -> None:
        """Logout: drop everything, new id, new CSRF token."""
        self.regenerate()
        self.data = {"_token": new_token()}
        self.user_id = None


def fresh() -> Session:
    return Session(id=new_id(), data={"_token": new_token()})


def _decode(payload: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.b64decode(payload))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def load(db: RequestDb, session_id: str | None) -> Session | None:
    if not session_id or len(session_id) > 255:
        return None
    row = db.first("SELECT user_id, payload, last_activity FROM sessions WHERE id = %s",
                   (session_id,))
    if row is None or int(row["last_activity"]) < time.time() - LIFETIME_SECONDS:
        return None
    data = _decode(str(row["payload"]))
    if not data.get("_token"):
        return None
    user_id = row["user_id"]
    return Session(id=session_id, data=data,
                   user_id=int(user_id) if user_id is not None else None,
                   last_activity=int(row["last_activity"]), is_new=False, dirty=False)


def save(db: RequestDb, session: Session, ip: str, user_agent: str) -> None:
    now = int(time.time())
    for stale in session.stale_ids:
        db.execute("DELETE FROM sessions WHERE id = %s", (stale,))
    session.stale_ids.clear()
    payload = base64.b64encode(json.dumps(session.data).encode()).decode()
    if session.is_new:
        db.execute("INSERT INTO sessions (id, user_id, ip_address, user_agent, payload, "
                   "last_activity) VALUES (%s, %s, %s, %s, %s, %s)",
                   (session.id, session.user_id, ip[:45], user_agent[:500], payload, now))
    elif session.dirty:
        db.execute("UPDATE sessions SET user_id = %s, payload = %s, last_activity = %s "
                   "WHERE id = %s", (session.user_id, payload, now, session.id))
    elif now - session.last_activity > TOUCH_AFTER_SECONDS:
        db.execute("UPDATE sessions SET last_activity = %s WHERE id = %s", (now, session.id))
    session.is_new = False
    session.dirty = False
    session.last_activity = now
