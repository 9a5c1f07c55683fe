"""How soon `pgy serve` answers its first page; writes bench/RESULTS-serve.md.

Each start is timed from the process's start to the first byte of `/` (on a database already
created, as a person would open it again); the baseline measured in the same run is
`pgy --version`, the cost of starting Python and the command line at all. Target: the first
byte within 3 s.

Usage: .venv/bin/python bench/bench_serve.py [--starts 7] [--out bench/RESULTS-serve.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PGY = str(Path(sys.executable).with_name("pgy"))


def env_for(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update({"PGYSCOUT_DB": str(db), "PGYSCOUT_CONFIG": os.devnull + ".none"})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_byte(db: Path) -> float:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [PGY, "serve", "--port", str(port)],
        env=env_for(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while server.poll() is None and time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
                    answer.read(1)
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)  # not listening yet
        raise RuntimeError("pgy serve did not answer")
    finally:
        server.terminate()
        server.wait(timeout=30)


def version_time(db: Path) -> float:
    started = time.perf_counter()
    subprocess.run([PGY, "--version"], env=env_for(db), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS-serve.md")
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "serve.db"
    first_byte(db)  # creates and migrates the database: not what is measured
    load_before = os.getloadavg()[0]
    serve = [first_byte(db) for _ in range(args.starts)]
    version = [version_time(db) for _ in range(args.starts)]
    load_after = os.getloadavg()[0]
    median_serve, median_version = statistics.median(serve), statistics.median(version)
    lines = [
        "# `pgy serve` start-up (bench/bench_serve.py)",
        "",
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}; {args.starts} starts each. Load average of the "
        f"machine ({os.cpu_count()} cores, shared): {load_before:.1f} when the run began, "
        f"{load_after:.1f} when it ended.",
        "",
        "| measure | median | slowest |",
        "|---|---:|---:|",
        f"| `pgy serve`: process start to the first byte of `/` | {median_serve:.2f} s | "
        f"{max(serve):.2f} s |",
        f"| `pgy --version` (baseline) | {median_version:.2f} s | {max(version):.2f} s |",
        "",
        f"The dashboard answers {median_serve / median_version:.2f}x the time `pgy` needs to "
        f"start at all; target first byte within 3 s: "
        f"{'met' if median_serve < 3 else 'NOT met'} (median).",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
