"""Benchmark the gate: prints figures, asserts nothing (speed is measured, never tested).

  seconds: cold start of the reference target, wall time per phase, the whole run with and
  without pytest-xdist, the demo, and the peak resident memory of the largest child process;
  ratios, side by side in one run: Locust (the gate's load generator) vs wrk on one
  nginx-served route at the same concurrency, the gate's log scan vs `grep -P -c`, backup
  verification (P7.1) vs a plain `mariadb-dump`, and the whole gate `--workers auto` vs `0`.

Other processes on the machine change every figure: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from staging_gate.deployment.connections import parse_mysql_dsn  # noqa: E402
from staging_gate.profile import PHASES, LogsSection, load_profile  # noqa: E402
from staging_gate.run import reference  # noqa: E402

SECTIONS = ("phases", "gate", "demo", "load", "logs", "backup")
# A route nginx answers itself (dotfiles are denied with a 404): the generator is the limit.
# And the app's stylesheet (cached, no DB): the target is the limit, as in a real load test.
ROUTES = ("/.staging-gate-bench", "/css/app.css")
LOAD_USERS, LOAD_SECONDS = 10, 8
WRK_SCRIPT = """done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.1f\\n", summary.requests, summary.duration,
                         latency:percentile(95)))
end
"""

Row = tuple[str, float, int]
Ratio = tuple[str, str, str, str]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.monotonic()
    completed = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=False)
    return time.monotonic() - started, completed.returncode


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(0.95 * len(ordered))) - 1] if ordered else float("nan")


# --- load generator: Locust vs wrk ------------------------------------------------------------

def wrk(url: str) -> tuple[float, float]:
    """req/s and p95 (ms) of wrk, one thread, LOAD_USERS connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{LOAD_USERS}", f"-d{LOAD_SECONDS}s", "-s",
                              script.name, url], capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH "))
    _, requests, duration_us, p95_us = line.split()
    return int(requests) / (int(duration_us) / 1e6), float(p95_us) / 1000


def locust(base_url: str, route: str, workdir: Path, processes: int) -> tuple[float, float]:
    """req/s and exact p95 (ms) of the gate's Locust client on the same route and users."""
    run = f"{processes}-{route.strip('/').replace('/', '-').replace('.', '')}"
    timings = workdir / f"bench-timings-{run}"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "scripts" / "bench_locustfile.py"),
               "--headless", "--host", base_url, "--users", str(LOAD_USERS), "--spawn-rate",
               str(LOAD_USERS), "--run-time", f"{LOAD_SECONDS}s", "--only-summary",
               "--csv", str(workdir / f"bench-{run}"), "--loglevel", "WARNING"]
    if processes > 1:
        command += ["--processes", str(processes)]
    env = {**os.environ, "STAGING_GATE_BENCH_ROUTE": route,
           "STAGING_GATE_BENCH_TIMINGS": str(timings)}
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    samples = [t for path in glob.glob(f"{timings}.*")
               for t in json.loads(Path(path).read_text(encoding="utf-8"))]
    stats = (workdir / f"bench-{run}_stats.csv").read_text(encoding="utf-8").splitlines()
    header, total = stats[0].split(","), stats[-1].split(",")
    return float(total[header.index("Requests/s")]), p95(samples)


def load_ratios(base_url: str, workdir: Path) -> list[Ratio]:
    """wrk before and after the Locust runs (their mean is the reference), so a machine that
    got busier or quieter half way shows as a spread instead of a skewed ratio."""
    rows: list[Ratio] = []
    for route in ROUTES:
        before = wrk(base_url + route)
        locusts = [(processes, *locust(base_url, route, workdir, processes))
                   for processes in (1, 2)]
        after = wrk(base_url + route)
        wrk_rps, wrk_p95 = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
        rows.append((f"{route}: wrk (1 thread, {LOAD_USERS} connections)",
                     f"{wrk_rps:.0f} req/s ({before[0]:.0f}/{after[0]:.0f})",
                     f"p95 {wrk_p95:.1f} ms ({before[1]:.0f}/{after[1]:.0f})", "reference"))
        for processes, rps, p95_ms in locusts:
            rows.append((f"{route}: Locust FastHttpUser, {processes} process"
                         f"{'es' if processes > 1 else ''}",
                         f"{rps:.0f} req/s", f"p95 {p95_ms:.1f} ms",
                         f"{rps / wrk_rps:.0%} of wrk's req/s, p95 {p95_ms / wrk_p95 - 1:+.0%}"))
    return rows


# --- log scan vs grep -------------------------------------------------------------------------

def synthetic_log(path: Path, lines: int = 560_000) -> None:
    """A Laravel-style log with a PII line now and then (fixed seed: same file every run)."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for number in range(lines):
            stamp = f"[2026-11-29 10:{number // 6000 % 60:02d}:{number // 100 % 60:02d}]"
            if rng.random() < 0.01:
                out.write(f"{stamp} staging.INFO: login for user{number}@example.org from "
                          f"+49 30 5550{number % 10000:04d}\n")
            else:
                out.write(f"{stamp} staging.INFO: GET /portal/calls?page={number % 9} 200 "
                          f"{rng.randint(5, 400)}ms user_id={number % 97} request_id="
                          f"{rng.getrandbits(64):016x}\n")


# VmHWM, the child's own peak RSS (ru_maxrss would also count the parent's pages at fork).
SCAN = ("import re, sys; from pathlib import Path; from staging_gate.probes import logs; "
        "from staging_gate.profile import LogsSection; "
        "total = logs.scan_file(Path(sys.argv[1]), LogsSection().pii_patterns).total; "
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()); "
        "print(total, hwm.group(1) if hwm else 0)")


def scan_log(path: Path) -> tuple[int, float, float]:
    """The gate's streaming PII scan (`staging_gate.probes.logs.scan_file`, what P7.4 runs)
    with the default patterns over the whole file, in a child process of its own: (matches,
    CPU seconds, peak RSS in MB). CPU time, not wall time, so a busy machine skews it less."""
    child = subprocess.Popen([sys.executable, "-c", SCAN, str(path)], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT)
    out = (child.stdout.read() if child.stdout else "").split()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or len(out) != 2:
        raise SystemExit(f"bench: the log scan of {path} exited {child.returncode}")
    return int(out[0]), usage.ru_utime + usage.ru_stime, int(out[1]) / 1024


def grep_cpu_s(pattern: str, path: Path) -> tuple[str, float]:
    """`grep -P -c` over the same file: (matching lines, CPU seconds)."""
    child = subprocess.Popen(["grep", "-P", "-c", pattern, str(path)], stdout=subprocess.PIPE,
                             text=True)
    out = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # 1: no line matched
        raise SystemExit(f"bench: grep -P over {path} exited {child.returncode}")
    return out.strip(), usage.ru_utime + usage.ru_stime


def log_ratios(workdir: Path) -> list[Ratio]:
    """The scan vs grep on a >= 50 MB log (MB/s of CPU), and its peak memory on that log and
    on one twice as long: flat memory means the two peaks are about the same."""
    path = workdir / "laravel.log"
    synthetic_log(path)
    size_mb = path.stat().st_size / 1e6
    found, gate_s, peak_mb = scan_log(path)
    pattern = "|".join(f"(?:{p})" for p in LogsSection().pii_patterns)
    grep_lines, grep_s = grep_cpu_s(pattern, path)
    doubled = workdir / "laravel-2x.log"
    with doubled.open("wb") as out:
        for _ in range(2):
            with path.open("rb") as part:
                shutil.copyfileobj(part, out)
    _found, _seconds, peak_2x_mb = scan_log(doubled)
    gate_rate, grep_rate = size_mb / max(gate_s, 1e-3), size_mb / max(grep_s, 1e-3)
    return [(f"log scan, {size_mb:.0f} MB, default PII patterns (CPU time)",
             f"gate {gate_rate:.0f} MB/s ({found} matches)",
             f"grep -P -c {grep_rate:.0f} MB/s ({grep_lines} lines)",
             f"{gate_rate / grep_rate:.0%} of grep's MB/s"),
            (f"log scan peak memory, {size_mb:.0f} MB vs {2 * size_mb:.0f} MB log",
             f"{peak_mb:.1f} MB", f"{peak_2x_mb:.1f} MB",
             f"{peak_2x_mb / peak_mb:.2f}× for twice the log")]


# --- backup verification vs mariadb-dump ------------------------------------------------------

def backup_ratios(profile_path: Path, env: dict[str, str], workdir: Path) -> list[Ratio]:
    profile = load_profile(profile_path)
    dsn = parse_mysql_dsn(env[profile.database.dsn_env])
    dump = ["mariadb-dump", "--single-transaction", "-h", dsn.host, "-P", str(dsn.port),
            "-u", dsn.user, f"--result-file={workdir / 'plain.sql'}", dsn.database]
    dump_s, _ = timed(dump, {**env, "MYSQL_PWD": dsn.password})
    gate_s, code = timed([sys.executable, "-m", "staging_gate", "run", "--profile",
                          str(profile_path), "--check", "P7.1", "--workers", "0",
                          "--out", str(workdir / "p7")], env)
    return [("backup verified (P7.1: dump, restore to scratch DB, checksums; whole gate run)",
             f"gate {gate_s:.1f} s (exit {code})", f"mariadb-dump {dump_s:.2f} s",
             f"{gate_s / dump_s:.0f}× a plain dump")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"sections to measure: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    sections = {s for s in args.only.split(",") if s}
    gate = [sys.executable, "-m", "staging_gate"]
    rows: list[Row] = []
    ratios: list[Ratio] = []
    with tempfile.TemporaryDirectory(prefix="staging-gate-bench-") as tmp:
        state = Path(tmp) / "target"
        started = time.monotonic()
        target = reference.start(state)
        rows.append(("reference target cold start", time.monotonic() - started, 0))
        env = {**os.environ, **target.secrets}
        profile = str(target.profile_path)
        try:
            if "load" in sections:
                ratios += load_ratios(str(target.endpoints["base_url"]), Path(tmp))
            if "logs" in sections:
                ratios += log_ratios(Path(tmp))
            if "backup" in sections:
                ratios += backup_ratios(target.profile_path, env, Path(tmp))
            for phase in phases if "phases" in sections else ():
                seconds, code = timed([*gate, "run", "--profile", profile, "--phase", phase,
                                       "--out", f"{tmp}/{phase}"], env)
                rows.append((f"phase {phase}", seconds, code))
            whole: dict[str, float] = {}
            for workers in ("auto", "0") if "gate" in sections else ():
                seconds, code = timed([*gate, "run", "--profile", profile, "--workers", workers,
                                       "--out", f"{tmp}/all-{workers}"], env)
                whole[workers] = seconds
                rows.append((f"whole gate, workers={workers}", seconds, code))
            if whole:
                ratios.append(("whole gate", f"--workers auto {whole['auto']:.1f} s",
                               f"--workers 0 {whole['0']:.1f} s",
                               f"{whole['auto'] / whole['0']:.2f}× the serial time"))
        finally:
            reference.stop(state)
        if "demo" in sections:
            seconds, code = timed([*gate, "demo", "--out", f"{tmp}/demo"], dict(os.environ))
            rows.append(("staging-gate demo (start + gate + stop)", seconds, code))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'what':45} {'seconds':>8}  exit")
    for label, seconds, code in rows:
        print(f"{label:45} {seconds:8.1f}  {code}")
    print(f"{'peak RSS of the largest child process (MB)':45} {peak_mb:8.0f}")
    if ratios:
        print(f"\n{'comparison':62} | {'gate':28} | {'baseline':28} | ratio")
        for what, ours, theirs, ratio in ratios:
            print(f"{what:62} | {ours:28} | {theirs:28} | {ratio}")
    print(f"\n(cpu cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} at the end; "
          f"wrk: {shutil.which('wrk') or 'missing'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
