"""Benchmark of judging at scale: rank, shortlist --top, plan and report over 2,000 and 10,000
enriched creators; writes bench/RESULTS-scale.md.

The databases are written straight through the store (the sandbox's synthetic population:
profiles, every note, 30 days of followers; about 63 notes a creator), not over HTTP, so a
10,000-creator database takes a minute or two rather than an afternoon of enrich. Each command
runs as a user runs it (`pgy ...` in its own process, all creators of one saved search), timed
from process start to exit, with the process's peak memory. Figures printed as ratios of one
run: 10,000 ÷ 2,000 for each command, and each command ÷ the old way of judging (loading and
judging every creator's notes, the path rank took before creator_metrics) at the same size.

Usage: .venv/bin/python bench/bench_scale.py [--sizes 2000,10000] [--out bench/RESULTS-scale.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pgyscout.models import Creator, CreatorPage, FansPoint, FansTrend, Note, NotePage
from pgyscout.sandbox.population import Population
from pgyscout.store import Store, metrics, schema
from pgyscout.store.entities import create_search, save_note_page, save_search_page, save_trend

HERE = Path(__file__).resolve().parent
PGY = str(Path(sys.executable).with_name("pgy"))
PAGE = 20
SAMPLE = 500  # creators judged again to time judging one
TIME = "/usr/bin/time"  # GNU time (Debian's package "time")
BUDGET = "200000"

# The old way, for the baseline: every creator's newest notes loaded and judged, then sorted.
OLD_RANK = """
import sys
from pgyscout.analysis import build_profile, rank
from pgyscout.store import Store
from pgyscout.store.views import load_creator_data, stored_user_ids
with Store(sys.argv[1]) as store, store.begin() as conn:
    data, _ = load_creator_data(conn, stored_user_ids(conn))
print(len(rank([build_profile(d) for d in data])[:20]))
"""


def build(path: Path, size: int) -> tuple[float, float]:
    """A database of ``size`` enriched creators in one saved search; seconds to write it and
    seconds of judging them (what enrich does as it finishes each creator)."""
    population = Population(seed=5, size=size, as_of=dt.date(2026, 11, 28))
    started = time.perf_counter()
    with Store(str(path)) as store:
        with store.begin() as conn:
            search_id = create_search(conn, {"bench": size})
        for start in range(0, size, PAGE):
            chunk = population.creators[start : start + PAGE]
            with store.begin() as conn:
                creators = [Creator.from_raw(population.record(c)) for c in chunk]
                page = CreatorPage(page=start // PAGE + 1, total=size, creators=creators)
                save_search_page(conn, search_id, page)
                for c in chunk:
                    notes = [Note.from_raw(n) for n in population.notes(c)]
                    save_note_page(conn, NotePage(user_id=c.user_id, page=1, notes=notes))
                    points = [
                        FansPoint(date=day, num=total)
                        for day, total, _ in population.history(c)[-30:]
                    ]
                    save_trend(
                        conn, FansTrend(kol_id=c.user_id, days=30, metric="total", points=points)
                    )
        written = time.perf_counter() - started
        started = time.perf_counter()
        with store.begin() as conn:
            ids = list(conn.execute(sa.select(schema.creators.c.user_id)).scalars())
            metrics.judge_and_store(conn, ids)
        return written, time.perf_counter() - started


def run(db: Path, *args: str) -> tuple[float, float, float]:
    """Seconds from start to exit, peak memory (MB) and CPU seconds (user + system) of one
    process; on a busy machine the CPU seconds are nearer what an idle one would take.

    GNU time starts the command, so the peak is the command's own: a child forked from this
    process would count this process's memory at the fork too."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env["PGYSCOUT_DB"] = str(db)
    done = subprocess.run(
        [TIME, "-f", "%e %M %U %S", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    elapsed, peak_kb, user, system = done.stderr.strip().splitlines()[-1].split()
    return float(elapsed), int(peak_kb) / 1024, float(user) + float(system)


def best(db: Path, *args: str, runs: int = 3) -> tuple[float, float, float]:
    times = [run(db, *args) for _ in range(runs)]
    return min(t[0] for t in times), max(t[1] for t in times), min(t[2] for t in times)


def measure(folder: Path, size: int) -> dict[str, Any]:
    db = folder / f"scale-{size}.db"
    written = build(db, size)[0] if not db.exists() else math.nan
    with Store(str(db)) as store, store.begin() as conn:
        ids = list(conn.execute(sa.select(schema.creators.c.user_id)).scalars())
        # rows of an older formula (a database kept by --dir) are judged now, not in a timing
        metrics.refresh(conn, ids, "photo")
        sample = ids[:: max(1, len(ids) // SAMPLE)][:SAMPLE]
        started = time.perf_counter()
        metrics.judge_and_store(conn, sample)  # what enrich does as it finishes a creator
        judged = (time.perf_counter() - started) / len(sample) * size
    with Store(str(db)) as store, store.begin() as conn:
        notes = conn.execute(sa.select(sa.func.count()).select_from(schema.notes)).scalar()
    report = folder / f"report-{size}.html"
    figures: dict[str, Any] = {
        "creators": size,
        "notes": notes,
        "write_s": written,
        "judge_ms_per_creator": judged / size * 1000,
        "version": best(db, PGY, "--version"),
        "old rank": best(db, sys.executable, "-c", OLD_RANK, str(db), runs=1),
        "rank -n 20": best(db, PGY, "-q", "rank", "--last-search", "-n", "20", "-f", "json"),
        "shortlist --top 50": best(
            db, PGY, "-q", "shortlist", "add", "b", "--create", "--top", "50", "--last-search"
        ),
        f"plan --budget {BUDGET}": best(
            db, PGY, "-q", "plan", "--last-search", "--budget", BUDGET, "-f", "json"
        ),
        "report": best(db, PGY, "-q", "report", "--last-search", "-o", str(report)),
    }
    figures["report_mb"] = report.stat().st_size / 1e6
    # The first read after every creator's figures went out of date (a new formula, or an
    # old database before creator_metrics): everything is judged once, then stored.
    with Store(str(db)) as store, store.begin() as conn:
        conn.execute(sa.delete(schema.creator_metrics))
    figures["first rank, nothing judged yet"] = run(
        db, PGY, "-q", "rank", "--last-search", "-n", "20", "-f", "json"
    )
    print(f"{size:,} creators: {figures}", file=sys.stderr)
    return figures


COMMANDS = ("rank -n 20", "shortlist --top 50", f"plan --budget {BUDGET}", "report")


def render(results: list[dict[str, Any]]) -> str:
    small, big = results[0], results[-1]
    lines = [
        "# Judging at scale (bench/bench_scale.py)",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite; a shared machine, "
        "so read the ratios first. Times are the best of 3 runs of the command as a user "
        "runs it (process start to exit, start-up included), with the CPU seconds (user + "
        "system) the process used, which a busy machine inflates less; memory is the peak "
        "resident size of the process.",
        "",
        "| | "
        + " | ".join(f"{r['creators']:,} creators ({r['notes']:,} notes)" for r in results)
        + f" | {big['creators']:,} ÷ {small['creators']:,} |",
        "|---|" + "---|" * (len(results) + 1),
    ]
    rows = ["version", "old rank", *COMMANDS, "first rank, nothing judged yet"]
    names = {
        "version": "`pgy --version` (start-up alone)",
        "old rank": "baseline: judging every creator from its notes (rank before this change)",
        "first rank, nothing judged yet": "`rank -n 20` when no creator was judged yet (once)",
    }
    for key in rows:
        cells = [f"{r[key][0]:.2f} s ({r[key][2]:.2f} s CPU), {r[key][1]:.0f} MB" for r in results]
        ratio = f"{big[key][0] / small[key][0]:.2f} ({big[key][2] / small[key][2]:.2f} CPU)"
        lines.append(f"| {names.get(key, f'`{key}`')} | " + " | ".join(cells) + f" | {ratio} |")
    lines += [
        "",
        "| | " + " | ".join(f"{r['creators']:,}" for r in results) + " |",
        "|---|" + "---|" * len(results),
        "| report file | " + " | ".join(f"{r['report_mb']:.1f} MB" for r in results) + " |",
        "| judging one creator when its data is saved | "
        + " | ".join(f"{r['judge_ms_per_creator']:.2f} ms" for r in results)
        + " |",
        "| writing the database (bench set-up) | "
        + " | ".join(
            "kept from an earlier run" if math.isnan(r["write_s"]) else f"{r['write_s']:.0f} s"
            for r in results
        )
        + " |",
        "",
        "Against the baseline at "
        + f"{big['creators']:,} creators: "
        + ", ".join(
            f"`{k}` {big['old rank'][0] / big[k][0]:.1f}× faster "
            f"({big['old rank'][2] / big[k][2]:.1f}× less CPU)"
            for k in COMMANDS
        )
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS-scale.md")
    parser.add_argument(
        "--dir", type=Path, help="keep the databases here and reuse them (default: throw away)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        results = [measure(args.dir, size) for size in sizes]
    else:
        with tempfile.TemporaryDirectory(prefix="pgy-scale-") as folder:
            results = [measure(Path(folder), size) for size in sizes]
    text = render(results)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
