"""Benchmark of judging stored creators (rank, shortlist, plan, report all start here);
writes bench/RESULTS-analysis.md.

Every figure is a ratio measured in this one run, so it holds on any machine:

1. judging time ÷ the time to merely read the same rows back from SQLite (the floor);
2. judging time per creator at N creators ÷ per creator at N/10 (1.0 = linear);
3. `pgy rank` wall time ÷ `pgy --version` wall time (what is left beyond starting Python);
4. judging a creator with 200 stored notes ÷ one with 30 (only the newest 30 are read).

The database is filled by `pgy search` and `pgy enrich` against an embedded sandbox.
Usage: .venv/bin/python bench/bench_analysis.py [--creators 1000] [--out bench/RESULTS-analysis.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from pgyscout.analysis import build_profile, rank
from pgyscout.sandbox import SandboxConfig, start_sandbox
from pgyscout.store import Store
from pgyscout.store.views import load_creator_data, stored_user_ids

HERE = Path(__file__).resolve().parent
PGY = str(Path(sys.executable).with_name("pgy"))


def run_pgy(db: Path, url: str, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update({"PGYSCOUT_DB": str(db), "JUSTONEAPI_BASE_URL": url, "JUSTONEAPI_TOKEN": "bench"})
    started = time.perf_counter()
    subprocess.run([PGY, "-q", *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def judge(store: Store, ids: list[str]) -> None:
    with store.begin() as conn:
        data, _ = load_creator_data(conn, ids)
    rank([build_profile(d) for d in data])


def read_rows(store: Store, ids: list[str]) -> None:
    """The floor: fetch every row judging reads (all notes, all columns), and nothing else."""
    with store.begin() as conn:
        for table, key in (
            ("creators", "user_id"),
            ("notes", "user_id"),
            ("fans_points", "kol_id"),
        ):
            for start in range(0, len(ids), 500):
                chunk = tuple(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                list(conn.exec_driver_sql(f"SELECT * FROM {table} WHERE {key} IN ({marks})", chunk))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS-analysis.md")
    args = parser.parse_args()
    n = args.creators
    folder = Path(tempfile.mkdtemp(prefix="pgy-bench-analysis-"))
    db = folder / "bench.db"
    with start_sandbox(SandboxConfig()) as server:
        run_pgy(db, server.url, "search", "--pages", str(max(1, n // 20)), "-f", "jsonl")
        fill = run_pgy(db, server.url, "enrich", "--last-search", "--notes-pages", "4")
        with Store(str(db)) as store, store.begin() as conn:
            ids = stored_user_ids(conn)
            counts = dict(
                conn.execute(sa.text("SELECT user_id, count(*) FROM notes GROUP BY user_id")).all()
            )
        # two creators with 4 full pages: one of them gets 25 pages (up to 200 notes)
        shallow = next(u for u in ids if counts.get(u, 0) >= 30)
        deep = next(u for u in ids if u != shallow and counts.get(u, 0) >= 30)
        shallow_notes = counts[shallow]
        run_pgy(db, server.url, "enrich", deep, "--notes-pages", "25", "--trend", "none")
        rank_wall = min(run_pgy(db, server.url, "rank", "-f", "json") for _ in range(3))
        start_wall = min(run_pgy(db, server.url, "--version") for _ in range(3))
    with Store(str(db)) as store:
        with store.begin() as conn:
            notes = conn.execute(sa.text("SELECT count(*) FROM notes")).scalar()
            deep_notes = conn.execute(
                sa.text("SELECT count(*) FROM notes WHERE user_id = :u"), {"u": deep}
            ).scalar()
        full = best_of(3, lambda: judge(store, ids))
        floor = best_of(3, lambda: read_rows(store, ids))
        tenth = ids[: max(1, len(ids) // 10)]
        small = best_of(3, lambda: judge(store, tenth))
        deep_time = statistics.median(best_of(5, lambda: judge(store, [deep])) for _ in range(3))
        shallow_time = statistics.median(
            best_of(5, lambda: judge(store, [shallow])) for _ in range(3)
        )
    per_full, per_small = full / len(ids), small / len(tenth)
    rows = [
        (
            "judging ÷ reading the same rows",
            f"{full / floor:.2f}",
            f"{full:.2f} s vs {floor:.2f} s for {len(ids):,} creators, {notes:,} notes",
        ),
        (
            f"per creator at {len(ids):,} ÷ at {len(tenth):,}",
            f"{per_full / per_small:.2f}",
            f"{per_full * 1000:.2f} ms vs {per_small * 1000:.2f} ms (1.00 = linear)",
        ),
        (
            "`pgy rank` ÷ `pgy --version`",
            f"{rank_wall / start_wall:.2f}",
            f"{rank_wall:.2f} s vs {start_wall:.2f} s",
        ),
        (
            f"a creator with {deep_notes} notes ÷ one with {shallow_notes}",
            f"{deep_time / shallow_time:.2f}",
            f"{deep_time * 1000:.1f} ms vs {shallow_time * 1000:.1f} ms "
            "(only the newest 30 are read)",
        ),
    ]
    lines = [
        "# Benchmark: judging stored creators",
        "",
        f"`bench/bench_analysis.py`, run {dt.date.today()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}.",
        "",
        f"Work: {len(ids):,} creators searched and enriched (4 notes pages, 30-day trend) from the "
        f"sandbox into a fresh SQLite file ({fill:.0f} s), then judged: every metric, flag and "
        "score, ranked. Every figure is a ratio of two measurements taken in this same run "
        "(best of 3).",
        "",
        "| figure | measured | detail |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
