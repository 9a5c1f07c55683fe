"""Benchmark of `pgy` start-up; writes its section of bench/RESULTS.md.

Every figure is measured in this one run against a baseline from the same run:

1. `python -c pass` (the interpreter alone) is the floor;
2. `pgy --version` and `pgy --help`, wall time from spawn to exit;
3. `pgy search`: from spawn until its first request reaches a local stand-in upstream,
   on a database that exists already (the usual case) and on a new one (migrations run);
4. importing every command module at once, which is what each start cost before commands
   were loaded on first use.

Each is the median of --runs runs. Usage:
    .venv/bin/python bench/bench_startup.py [--runs 15] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
PGY = str(Path(sys.executable).with_name("pgy"))
BEGIN, END = "<!-- bench_startup -->", "<!-- /bench_startup -->"


class FirstRequest:
    """A stand-in upstream that notes when each request arrives and refuses it (code 100),
    so that `pgy search` stops at once without paying anything."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.at = 0.0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not owner.arrived.is_set():
                    owner.at = time.perf_counter()
                    owner.arrived.set()
                body = json.dumps({"code": 100, "message": "bench", "data": None}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.arrived.clear()


def environment(db: Path, url: str = "http://127.0.0.1:9") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update(
        JUSTONEAPI_TOKEN="bench-token",
        JUSTONEAPI_BASE_URL=url,
        PGYSCOUT_DB=str(db),
        PGYSCOUT_CONFIG=os.devnull + ".none",
        PGYSCOUT_RETRIES="1",
    )
    return env


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def to_first_request(upstream: FirstRequest, env: dict[str, str]) -> float:
    upstream.reset()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [PGY, "search", "咖啡", "-f", "json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not upstream.arrived.wait(60):
        proc.kill()
        raise RuntimeError("pgy search made no request")
    proc.wait()
    return upstream.at - start


def median(runs: int, measure: Callable[[], float]) -> float:
    measure()  # warm the file cache
    return statistics.median(measure() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pgy-bench-startup-"))
    upstream = FirstRequest()
    kept_db = folder / "kept.db"
    env = environment(kept_db, upstream.url)
    to_first_request(upstream, env)  # creates and migrates the kept database once
    fresh = iter(range(10_000))

    def fresh_search() -> float:
        return to_first_request(
            upstream, environment(folder / f"new{next(fresh)}.db", upstream.url)
        )

    python = median(args.runs, lambda: wall([PYTHON, "-c", "pass"], env))
    version = median(args.runs, lambda: wall([PGY, "--version"], env))
    helped = median(args.runs, lambda: wall([PGY, "--help"], env))
    search = median(args.runs, lambda: to_first_request(upstream, env))
    search_new = median(max(3, args.runs // 3), fresh_search)
    eager = median(
        args.runs,
        lambda: wall(
            [PYTHON, "-c", "from pgyscout.cli._commands import load_all; load_all()"], env
        ),
    )

    rows = [
        ("`python -c pass` (the floor)", python, "", ""),
        ("`pgy --version`", version, "≤ 0.3 s", f"{version / python:.1f}× the floor"),
        ("`pgy --help`", helped, "≤ 0.3 s", f"{helped / python:.1f}× the floor"),
        (
            "`pgy search`: spawn to first request",
            search,
            "--version + 0.2 s",
            f"{search - version:+.2f} s beyond --version",
        ),
        (
            "the same on a new database",
            search_new,
            "",
            f"{search_new - search:+.2f} s creating and migrating it",
        ),
        (
            "importing every command module (each start before)",
            eager,
            "",
            f"{eager / version:.1f}× `pgy --version` now",
        ),
    ]
    load = os.getloadavg()[0]
    lines = [
        BEGIN,
        "## Start-up",
        "",
        f"`bench/bench_startup.py`, run {dt.date.today()} on {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{load:.1f} when it ended; median of {args.runs} runs.",
        "",
        "| what | wall | target | against the baseline |",
        "|---|---|---|---|",
        *(
            f"| {what} | {secs:.3f} s | {target} | {detail} |"
            for what, secs, target, detail in rows
        ),
        "",
        "The targets are for an idle machine: on a loaded one every row grows, the floor too,",
        "so the ratios are the figures to compare.",
        END,
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    args.out.write_text(text, encoding="utf-8")
    upstream.server.shutdown()


if __name__ == "__main__":
    main()
