"""Process plumbing: free loopback ports, PID files, spawning, stopping, waiting.

Every server runs detached (its own session) so it outlives the command that started it;
it is found again through its PID file and stopped by PID, never by name.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
# The machine's own services: a private instance must never take (or be mistaken for) them.
FORBIDDEN_PORTS = frozenset({80, 443, 3306, 6379})


class StartupError(RuntimeError):
    """A part of the deployment did not come up; the message names it and shows its log."""


def free_ports(count: int) -> list[int]:
    """Ask the kernel for ``count`` distinct free ports on the loopback interface."""
    held: list[socket.socket] = []
    try:
        ports: list[int] = []
        while len(ports) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(sock)
            sock.bind((LOOPBACK, 0))
            port = int(sock.getsockname()[1])
            if port not in FORBIDDEN_PORTS:
                ports.append(port)
        return ports
    finally:
        for sock in held:
            sock.close()


def port_accepts(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    """True when the port can be bound on loopback (nobody listens on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


# --- PIDs ---------------------------------------------------------------------------------

def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name, or None if there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rfind(")") + 2:].split()


def is_alive(pid: int) -> bool:
    """True for a running process; a zombie (dead, not yet reaped) counts as gone."""
    fields = _proc_stat(pid)
    return fields is not None and fields[0] != "Z"


def parent(pid: int) -> int | None:
    fields = _proc_stat(pid)
    return int(fields[1]) if fields is not None else None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def mentions(pid: int, marker: str) -> bool:
    """True when ``marker`` is in the command line as a whole word or path.

    Followed by whitespace or the end, so /tmp/rt-a never matches /tmp/rt-ab/...
    """
    return re.search(re.escape(marker) + r"(\s|$)", cmdline(pid)) is not None


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` that are still running."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _proc_stat(int(entry.name))
        if fields is not None and fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children(pending.pop()):
            found.append(child)
            pending.append(child)
    return found


def pid_in_file(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def read_pid(pid_file: Path, marker: str) -> int | None:
    """The PID in ``pid_file`` if that process runs and is ours (``marker`` in its cmdline).

    The marker guards against PID reuse: a stale file must never make us signal a stranger.
    """
    pid = pid_in_file(pid_file)
    if pid is None:
        return None
    if is_alive(pid) and mentions(pid, marker):
        return pid
    return None


def write_pid(pid_file: Path, pid: int) -> None:
    tmp = pid_file.with_suffix(".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(pid_file)


# --- start / stop -------------------------------------------------------------------------

def spawn(argv: Sequence[str], log_file: Path, env: Mapping[str, str] | None = None,
          cwd: Path | None = None) -> int:
    """Start ``argv`` detached, output appended to ``log_file``; return its PID."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True)
    return process.pid


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reap(pid: int) -> None:
    """Collect our own exited children so they do not linger as zombies."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def stop_all(pids: Sequence[int], timeout: float = 10.0) -> None:
    """SIGTERM each PID, wait up to ``timeout`` s, then SIGKILL it and its descendants.

    Descendants are collected first: an nginx master killed hard would orphan its workers.
    """
    tree = {pid: descendants(pid) for pid in pids if is_alive(pid)}
    for pid in tree:
        _signal(pid, signal.SIGTERM)
    everything = [pid for pid, kids in tree.items() for pid in (pid, *kids)]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in everything:
            _reap(pid)
        if not any(is_alive(pid) for pid in everything):
            return
        time.sleep(0.05)
    for pid in everything:
        if is_alive(pid):
            _signal(pid, signal.SIGKILL)
    kill_deadline = time.monotonic() + 5.0
    while time.monotonic() < kill_deadline and any(is_alive(pid) for pid in everything):
        for pid in everything:
            _reap(pid)
        time.sleep(0.05)


def processes_mentioning(marker: str) -> Iterator[int]:
    """Running processes (other than this one) whose command line mentions ``marker``."""
    own = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != own:
            pid = int(entry.name)
            if mentions(pid, marker) and is_alive(pid):
                yield pid


# --- waiting ------------------------------------------------------------------------------

def log_tail(log_file: Path, lines: int = 20) -> str:
    try:
        text = log_file.read_text(errors="replace")
    except FileNotFoundError:
        return f"(no log at {log_file})"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else f"({log_file} is empty)"


def wait_until(ready: Callable[[], bool], timeout: float, part: str, log_file: Path,
               alive: Callable[[], bool] | None = None) -> None:
    """Poll ``ready`` until it is true; raise StartupError naming ``part`` on timeout.

    ``alive`` lets the wait fail fast when the process has already died.
    """
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if alive is not None and not alive():
            raise StartupError(f"{part} exited during startup\n"
                               f"--- tail of {log_file} ---\n{log_tail(log_file)}")
        if time.monotonic() >= deadline:
            raise StartupError(f"{part} did not come up within {timeout:.0f} s\n"
                               f"--- tail of {log_file} ---\n{log_tail(log_file)}")
        time.sleep(0.05)
