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
            names = page.locator("#summary td.creator-name").all_text_contents()
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
