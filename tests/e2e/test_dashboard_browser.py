"""The dashboard's whole journey in a real browser (Debian's Chromium through Playwright): home,
filter and sort creators, a creator's page, a new shortlist, compare, the plan form, the Excel
download, and a paid action's confirmation page, cancelled. Fails on any console error, any
request to another host, any dialog. Screenshots of each page are kept for a person to look at:
under the test's temporary folder, or in $PGYSCOUT_SCREENSHOTS when set."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from pgyscout.web.app import WebConfig, create_app
from tests.e2e.test_report_browser import CHROMIUM_ARGS, chromium_path
from tests.web.test_security import HOSTILE, plant_hostile


@pytest.fixture
def served(judged_db: str) -> Iterator[tuple[str, list[str]]]:
    """The dashboard on a free loopback port, in a thread of this process."""
    hostile_ids = plant_hostile(f"sqlite:///{judged_db}")
    app = create_app(
        WebConfig(db=judged_db, lang="zh", price_per_call=0.05, client_options={"token": "tok-e2e"})
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", hostile_ids
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def screenshots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PGYSCOUT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_whole_journey_in_a_browser(served: tuple[str, list[str]], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, hostile_ids = served
    shots = screenshots_folder(tmp_path)
    dialogs: list[str] = []
    outside: list[str] = []
    errors: list[str] = []

    def watch(page: Any) -> None:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def only_ours(route: Any, request: Any) -> None:
            if request.url.startswith(base + "/") or request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                outside.append(request.url)
                route.abort()

        page.route("**/*", only_ours)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1400, "height": 900}, accept_downloads=True
            )
            page = context.new_page()
            watch(page)

            page.goto(base + "/")
            assert page.locator(".card .big").first.inner_text().strip() == "40"
            page.screenshot(path=str(shots / "1-home.png"), full_page=True)

            # Creators: filter by tag and followers (htmx swaps the table, the URL follows).
            page.click("nav >> text=达人")
            page.wait_for_selector("table.creators tbody tr")
            everyone = page.locator("table.creators tbody tr").count()
            tag = page.locator("table.creators tbody tr td.name .small").first.inner_text()
            tag = tag.split()[-1]
            page.fill("input[name=tag]", tag)
            page.fill("input[name=fans_min]", "20000")
            with page.expect_response(lambda r: "/creators?" in r.url and "tag=" in r.url):
                page.click("form.filters button[type=submit]")
            page.wait_for_url(re.compile(r"fans_min=20000"))
            page.wait_for_load_state("networkidle")
            filtered = page.locator("table.creators tbody tr").count()
            assert 0 < filtered <= everyone
            # Sort by score, worst first, by its column header (a boosted link).
            with page.expect_response(lambda r: "desc=0" in r.url):
                page.click("table.creators th a:has-text('性价比')")
            page.wait_for_url(re.compile(r"desc=0"))
            page.wait_for_load_state("networkidle")
            assert "fans_min=20000" in page.url
            page.screenshot(path=str(shots / "2-creators-filtered.png"), full_page=True)

            # Open the best-scored creator of this view from the table (a plain link).
            first = page.locator("table.creators td.name > a:first-child").first
            name = first.inner_text()
            first.click()
            page.wait_for_url(re.compile(r"/creators/[0-9a-f]{24}"))
            page.wait_for_selector("#chart-trend .main-svg")
            assert page.locator("h1").first.inner_text() == name

            # Hostile names show as text in the full table.
            page.goto(base + "/creators?size=500")
            names = page.locator("table.creators td.name > a:first-child").all_inner_texts()
            assert set(HOSTILE) <= set(names)

            # A creator's page: charts drawn, then onto a new shortlist.
            page.goto(base + f"/creators/{hostile_ids[0]}")
            page.wait_for_selector("#chart-trend .main-svg")
            page.wait_for_selector("#chart-scatter .main-svg")
            assert page.locator("h1").first.inner_text() == HOSTILE[0]
            page.fill("#lists input[name=name]", "e2e 春季")
            with page.expect_response(lambda r: r.url.endswith("/shortlists")):
                page.click("#lists form:has(input[name=name]) button")
            page.wait_for_selector("#lists a:has-text('e2e 春季')")
            page.screenshot(path=str(shots / "3-creator.png"), full_page=True)

            # The shortlist: add a second creator from its page, then compare.
            page.goto(base + f"/creators/{hostile_ids[1]}")
            with page.expect_response(lambda r: "/add" in r.url):
                page.click("#lists button:has-text('+ e2e 春季')")
            page.wait_for_selector("#lists a:has-text('e2e 春季')")
            page.click("#lists a:has-text('e2e 春季')")
            page.wait_for_selector("table.creators tbody tr >> nth=1")
            page.screenshot(path=str(shots / "4-shortlist.png"), full_page=True)
            page.click("p.links a:has-text('对比')")
            page.wait_for_selector("table.compare")
            assert page.locator("td.best").count() > 0
            page.screenshot(path=str(shots / "5-compare.png"), full_page=True)

            # The plan form.
            page.click("nav >> text=预算方案")
            page.select_option("select[name=shortlist]", "e2e 春季")
            page.fill("input[name=budget]", "200000")
            page.click("#plan-form button[type=submit]")
            page.wait_for_selector(".cards .card")
            assert "budget=200000" in page.url
            page.screenshot(path=str(shots / "6-plan.png"), full_page=True)

            # The Excel download.
            page.goto(base + "/shortlists")
            page.click("a:has-text('e2e 春季')")
            with page.expect_download() as download_info:
                page.click("a:has-text('Excel')")
            download = download_info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            assert saved.suffix == ".xlsx"
            assert saved.read_bytes()[:2] == b"PK"

            # A paid action: its confirmation page, cancelled.
            page.goto(base + f"/creators/{hostile_ids[0]}")
            page.click("a.paid:has-text('刷新')")
            page.wait_for_selector("section.confirm")
            text = page.locator("section.confirm").inner_text()
            assert "最多调用 2 次" in text
            assert "¥0.10" in text
            page.screenshot(path=str(shots / "7-confirm.png"), full_page=True)
            page.click("#cancel")
            page.wait_for_url(f"**/creators/{hostile_ids[0]}*")

            page.goto(base + "/usage")
            page.wait_for_selector("#chart-usage .main-svg")
            page.screenshot(path=str(shots / "8-usage.png"), full_page=True)
        finally:
            browser.close()

    assert dialogs == []
    assert outside == []
    assert errors == []
    assert len(list(shots.glob("*.png"))) == 8
    print(f"screenshots in {shots}")
