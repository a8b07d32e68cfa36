"""Synthetic allure-pytest result files, shaped like the ones the gate's plugin writes."""

from __future__ import annotations

import itertools
import json
import uuid
from pathlib import Path

from staging_gate.checklist import BY_ID, PHASE_TITLES

_clock = itertools.count(1_700_000_000_000, 1000)


def write_result(
    results_dir: Path,
    check_id: str,
    status: str,
    *,
    what: str = "check",
    message: str = "",
    history_id: str | None = None,
    refused: bool = False,
    unverified: bool = False,
    labels: bool = True,
    title: str | None = None,
    parameters: dict[str, str] | None = None,
) -> Path:
    """One ``<uuid>-result.json`` for check ``P5.4`` named ``test_P5_4_<what>``.

    Files are written in time order: each call stops later than the previous one, so
    a second call with the same history id is a rerun. ``title`` is the display name the
    gate's plugin gives a check (``P5.4 Hsts header``).
    """
    item = BY_ID[check_id]
    name = f"test_{check_id.replace('.', '_')}_{what}"
    start = next(_clock)
    label_list = [
        {"name": "epic", "value": PHASE_TITLES[item.phase]},
        {"name": "story", "value": item.story},
        {"name": "checklist", "value": item.id},
        {"name": "phase", "value": item.phase},
        {"name": "severity", "value": item.severity},
        {"name": "tag", "value": item.phase},
    ]
    if refused:
        label_list.append({"name": "guard", "value": "refused"})
    if unverified:
        label_list.append({"name": "verification", "value": "unverified"})
    document = {
        "uuid": str(uuid.uuid4()),
        "historyId": history_id or f"{name}{sorted((parameters or {}).items())}",
        "name": title or name,
        "fullName": f"suites.{item.phase}.test_x#{name}",
        "status": status,
        "statusDetails": {"message": message} if message else {},
        "labels": label_list if labels else [],
        "parameters": [{"name": k, "value": repr(v)} for k, v in (parameters or {}).items()],
        "start": start,
        "stop": start + 500,
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{document['uuid']}-result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def write_healthy_phase(results_dir: Path, phase_prefix: str) -> None:
    """One passing result for every checklist item of a phase (``"P1"`` -> P1.1..P1.7)."""
    for item_id in BY_ID:
        if item_id.startswith(phase_prefix + "."):
            write_result(results_dir, item_id, "passed")
