"""The HTML report in a real browser: Debian's Chromium, driven by Playwright.

Playwright cannot download its own browser here; `make test` installs Debian's `chromium`
(scripts/browser-setup.sh) and this test launches it through ``executable_path``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from pgyscout.store import Store, schema
from tests.cli.conftest import run_pgy

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # else Chromium calls home and the closed network refuses
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("PGYSCOUT_CHROMIUM") or shutil.which("chromium")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("no chromium: `make test` installs it with scripts/browser-setup.sh")
        pytest.skip("no chromium here (scripts/browser-setup.sh installs it)")
    return found


def plant_markup(db: str) -> str:
    with Store(db) as store, store.begin() as conn:
        row = conn.execute(sa.select(schema.creators).order_by(schema.creators.c.user_id)).first()
        assert row is not None
        raw = dict(row.raw, name="<script>alert(1)</script>")
        conn.execute(
            sa.update(schema.creators)
            .where(schema.creators.c.user_id == row.user_id)
            .values(raw=raw, name=raw["name"])
        )
        for note in conn.execute(
            sa.select(schema.notes).where(schema.notes.c.user_id == row.user_id)
        ).all():
            conn.execute(
                sa.update(schema.notes)
                .where(schema.notes.c.note_id == note.note_id)
                .values(raw=dict(note.raw, title='<img src=x onerror="alert(2)">'))
            )
    return str(row.user_id)


def test_report_renders_its_charts_and_runs_no_script_from_data(
    judged_db: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    user_id = plant_markup(judged_db)
    for args in (
        ("shortlist", "create", "e2e", "--top", "5"),
        ("shortlist", "add", "e2e", user_id),
    ):
        assert run_pgy(*args, db=judged_db, token=None).returncode == 0
    report = tmp_path / "report.html"
    done = run_pgy("report", "-s", "e2e", "-o", str(report), db=judged_db, token=None)
    assert done.returncode == 0, done.stderr

    dialogs: list[str] = []
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))

            def block_outside(route, request):  # type: ignore[no-untyped-def]
                if not request.url.startswith(("file://", "data:", "blob:")):
                    outside.append(request.url)
                    route.abort()
                else:
                    route.continue_()

            page.route("**/*", block_outside)
            page.goto(report.as_uri())
            page.wait_for_selector("#chart-cost .main-svg", timeout=30_000)
            page.wait_for_timeout(300)  # an injected onerror would fire by now
            charts = page.locator(".js-plotly-plot").count()
            traces = {
                key: page.locator(f"#chart-{key} .scatterlayer .trace").count()
                for key in ("trend", "notes", "cost")
            }
            names = page.locator("#summary .creator-name").all_text_contents()
            legend = page.locator("#chart-trend .legendtext").all_text_contents()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()

    assert dialogs == []  # neither alert(1) nor the note title's onerror ran
    assert outside == []  # the report fetched nothing
    assert errors == []
    assert charts == 3
    assert traces["trend"] == 6  # one line per creator
    assert traces["notes"] >= 5
    assert traces["cost"] == 1
    assert "<script>alert(1)</script>" in names  # shown as text
    assert "<script>alert(1)</script>" in legend


def multiply_creators(db: str, times: int) -> int:
    """Copies of every stored creator under new ids (names numbered), with their notes, follower
    points and search results: a database of many creators for the price of a few."""
    with Store(db) as store, store.begin() as conn:
        creators = conn.execute(sa.select(schema.creators)).mappings().all()
        notes = conn.execute(sa.select(schema.notes)).mappings().all()
        points = conn.execute(sa.select(schema.fans_points)).mappings().all()
        results = conn.execute(sa.select(schema.search_results)).mappings().all()
        for copy in range(1, times):

            def new(user_id: str, copy: int = copy) -> str:
                return f"{copy:02x}{user_id[2:]}"

            rows = [
                {
                    **c,
                    "user_id": new(c["user_id"]),
                    "name": f"{c['name']}{copy}",
                    "raw": {**c["raw"], "userId": new(c["user_id"]), "name": f"{c['name']}{copy}"},
                }
                for c in creators
            ]
            conn.execute(sa.insert(schema.creators), rows)
            conn.execute(
                sa.insert(schema.notes),
                [{**n, "note_id": new(n["note_id"]), "user_id": new(n["user_id"])} for n in notes],
            )
            conn.execute(
                sa.insert(schema.fans_points), [{**p, "kol_id": new(p["kol_id"])} for p in points]
            )
            conn.execute(
                sa.insert(schema.search_results),
                [
                    {**r, "user_id": new(r["user_id"]), "position": r["position"] + 100 * copy}
                    for r in results
                ],
            )
        return len(creators) * times


def screenshots_folder(tmp_path: Path) -> Path:
    """Where a person finds the pictures: $PGYSCOUT_SCREENSHOTS (make test: build/screenshots)."""
    folder = Path(os.environ.get("PGYSCOUT_SCREENSHOTS") or tmp_path / "screenshots") / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_report_reads_well_at_10_and_200_creators(judged_db: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert multiply_creators(judged_db, 5) == 200
    shots = screenshots_folder(tmp_path)
    seen: dict[int, dict[str, object]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for top in (10, 200):
                report = tmp_path / f"report-{top}.html"
                done = run_pgy(
                    "report", "--last-search", "-n", str(top), "--budget", "20000",
                    "-o", str(report), db=judged_db, token=None,
                )  # fmt: skip
                assert done.returncode == 0, done.stderr
                assert report.stat().st_size < 8_000_000
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(report.as_uri())
                page.wait_for_selector("#chart-cost .main-svg", timeout=30_000)
                page.screenshot(path=str(shots / f"report-{top}-top.png"))
                page.screenshot(path=str(shots / f"report-{top}-full.png"), full_page=True)
                for key in ("trend", "notes", "cost"):
                    page.locator(f"#chart-{key}").screenshot(path=str(shots / f"{top}-{key}.png"))
                seen[top] = {
                    "rows": page.locator("#summary tbody tr").count(),
                    "scores": page.locator(
                        "#summary tbody tr td:nth-child(12)"
                    ).all_text_contents(),
                    "cost_labels": [
                        t
                        for t in page.locator("#chart-cost .textpoint").all_text_contents()
                        if t.strip()
                    ],
                    "legend": page.locator("#chart-trend .legendtext").count(),
                    "summary": page.locator("#executive-summary").inner_text(),
                    "plan": page.locator("#plan-table tbody tr").count(),
                    "name_lines": page.evaluate(
                        "Math.max(...[...document.querySelectorAll('#summary .creator-name')]"
                        ".map(e => Math.round(e.getBoundingClientRect().height"
                        " / parseFloat(getComputedStyle(e).lineHeight))))"
                    ),
                    "height": page.evaluate("document.body.scrollHeight"),
                }
                page.close()
        finally:
            browser.close()
    for top, got in seen.items():
        assert got["rows"] == top
        texts = got["scores"]
        assert isinstance(texts, list)
        known = [float(t) for t in texts if t != "–"]
        assert known == sorted(known, reverse=True)  # rank order, best first
        assert texts[: len(known)] == [t for t in texts if t != "–"]  # unscored last
        labels = got["cost_labels"]
        assert isinstance(labels, list)
        assert 0 < len(labels) <= 10  # only the best are named; hover names the rest
        assert got["legend"] == 10
        assert "expected reads" in str(got["summary"])
        assert got["plan"] >= 1
        assert got["name_lines"] <= 2  # names no longer wrap to three lines
    assert int(seen[200]["height"]) < 16_000  # type: ignore[call-overload]
