"""Measure P7.4's log scan against `grep -P -c` with the same patterns: prints figures,
asserts nothing (speed is measured, never tested).

    .venv/bin/python scripts/log_scan_speed.py [--size-mb 58] [--log FILE] [--keep]

Generates a laravel.log-like file (request lines, JSON context with ids, UUIDs and order
numbers, URL-encoded queries, exception stack traces, a few lines with personal data)
unless --log names one, then times `staging_gate.probes.logs.scan_file` over all of it
(peak Python memory via tracemalloc) and `grep -P -c` with the profile's default patterns
joined into one alternation. The public function other benches may call is
`staging_gate.probes.logs.scan_file(path, patterns, allow) -> ScanResult`
(`.mb_per_second`, `.total`, `.lines`, `.engine`).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from staging_gate.probes import logs  # noqa: E402
from staging_gate.profile import LogsSection  # noqa: E402

ROUTES = ("/portal", "/portal/calls", "/portal/appointments", "/admin", "/api/portal/calls",
          "/portal/calls/{id}", "/api/portal/appointments/{id}", "/health", "/livewire/update")
PII = ('Login attempt {"email":"erika.muster@example.org"}',
       '"GET /password/reset?email=erika.muster%40example.org" 302',
       'Callback requested {"phone":"0170 123 4567"}',
       'User updated {"email":"erika\\u0040example.org"}')
FRAMES = ("/var/www/api-gateway/vendor/laravel/framework/src/Illuminate/Database/Connection.php",
          "/var/www/api-gateway/vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php",
          "/var/www/api-gateway/app/Http/Controllers/Portal/CallController.php")


def log_line(rng: random.Random, stamp: str) -> str:
    roll = rng.random()
    if roll < 0.0005:
        return f"[{stamp}] staging.INFO: {rng.choice(PII)}\n"
    if roll < 0.01:
        frames = "".join(f"#{i} {rng.choice(FRAMES)}({rng.randint(10, 999)}): "
                         f"Illuminate\\Pipeline\\Pipeline->handle(Object(Illuminate\\Http\\"
                         f"Request))\n" for i in range(rng.randint(10, 40)))
        return (f"[{stamp}] staging.ERROR: SQLSTATE[40001]: Serialization failure: 1213 "
                f'Deadlock found {{"userId":{rng.randint(1, 900)},"exception":"[object] '
                f"(Illuminate\\\\Database\\\\QueryException(code: 40001))\"}}\n"
                f"[stacktrace]\n{frames}\"}}\n")
    route = rng.choice(ROUTES).replace("{id}", str(rng.randint(1, 99999)))
    if roll < 0.06:
        route += f"?search={rng.choice(['M%C3%BCller', 'r%C3%BCckruf', 'termin%20morgen'])}"
    request_id = str(uuid.UUID(int=rng.getrandbits(128)))
    context = {"user_id": rng.randint(1, 900), "request_id": request_id,
               "order": f"2026-{rng.randint(0, 9999999):07d}", "ms": rng.randint(3, 2500)}
    ctx = ",".join(f'"{k}":{v}' if isinstance(v, int) else f'"{k}":"{v}"'
                   for k, v in context.items())
    return f"[{stamp}] staging.INFO: GET {route} 200 {context['ms']}ms {{{ctx}}}\n"


def generate_log(path: Path, size_bytes: int, seed: int = 7) -> int:
    """Write a laravel.log-like file of at least `size_bytes`; returns its line count."""
    rng = random.Random(seed)
    written = lines = 0
    second = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < size_bytes:
            second += rng.randint(0, 2)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1_790_000_000 + second))
            block = "".join(log_line(rng, stamp) for _ in range(1000))
            handle.write(block)
            written += len(block.encode("utf-8"))
            lines += block.count("\n")
    return lines


def time_grep(path: Path, patterns: tuple[str, ...]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, grep's output) of `grep -P -c` with the patterns."""
    combined = "|".join(f"(?:{p})" for p in patterns)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["grep", "-P", "-c", combined, str(path)], capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, (done.stdout or done.stderr).strip()


def time_scan(path: Path, patterns: tuple[str, ...]) -> tuple[logs.ScanResult, float]:
    """The scan's result (its `seconds` are wall time) and the CPU seconds it took."""
    started = time.process_time()
    result = logs.scan_file(path, patterns, ())
    return result, time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=58.0)
    parser.add_argument("--log", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (machine noise)")
    args = parser.parse_args(argv)
    patterns = LogsSection().pii_patterns
    workdir = Path(tempfile.mkdtemp(prefix="staging-gate-logscan-"))
    try:
        path = args.log or workdir / "laravel.log"
        if args.log is None:
            generate_log(path, int(args.size_mb * 1e6))
        size = path.stat().st_size
        tracemalloc.start()
        result = logs.scan_file(path, patterns, ())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        megabytes = size / 1e6
        print(f"log: {path} ({megabytes:.1f} MB, {result.lines} lines); "
              f"scan_file peak Python memory {peak / 1e6:.1f} MB (traced run)")
        for _ in range(args.rounds):
            scanned, scan_cpu = time_scan(path, patterns)
            grep_wall, grep_cpu, grep_count = time_grep(path, patterns)
            print(f"scan_file [{scanned.engine}]: wall {scanned.seconds:.2f} s "
                  f"({scanned.mb_per_second:.0f} MB/s), CPU {scan_cpu:.2f} s "
                  f"({megabytes / scan_cpu:.0f} MB/s), {scanned.total} matches | "
                  f"grep -P -c: wall {grep_wall:.2f} s ({megabytes / grep_wall:.0f} MB/s), "
                  f"CPU {grep_cpu:.2f} s ({megabytes / grep_cpu:.0f} MB/s), {grep_count} lines "
                  f"| ratio wall {grep_wall / scanned.seconds:.0%}, "
                  f"CPU {grep_cpu / scan_cpu:.0%}")
        if args.keep and args.log is None:
            print(f"kept {path}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
