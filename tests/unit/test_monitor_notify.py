"""The digest in Chinese and English, and --notify targets never shown with their secrets."""

from __future__ import annotations

import datetime as dt

from pgyscout.client import redact
from pgyscout.collect.monitor_notify import protect, render_digest, shown_url
from pgyscout.store.monitor import StoredAlert

WHEN = dt.datetime(2026, 12, 2, 9, 0)


def alert(i: int, rule: str, severity: str, **details: object) -> StoredAlert:
    return StoredAlert(
        i, rule, "5fe83d6600000000010078c7", "小鹿", "p", severity, WHEN, details, None
    )


ALERTS = [
    alert(
        1,
        "viral_note",
        "info",
        note_id="n",
        title="咖啡",
        date="2026-12-01",
        interactions=3000,
        median_interactions=500,
        reads=40000,
    ),
    alert(2, "follower_spike", "warning", day="2026-12-01", gain=12000, median_gain=300),
    alert(3, "price_change", "warning", kind="picture_price", old=1000, new=1500, change=0.5),
    alert(
        4,
        "sponsored_note",
        "warning",
        note_id="m",
        title="新品",
        date="2026-12-01",
        brand="花西子",
        competitor=True,
    ),
    alert(5, "inactive", "info", last_note=None, days=None),
]


def test_digest_in_both_languages_warnings_first() -> None:
    zh = render_digest(ALERTS, "zh", WHEN.date())
    en = render_digest(ALERTS, "en", WHEN.date())
    assert zh.title == "蒲公英达人监控 2026-12-02: 5 条新提醒"
    assert en.title == "pgyscout monitor 2026-12-02: 5 new alert(s)"
    first = zh.body.splitlines()[0]
    assert first.startswith("#2 [警告] 涨粉异常 · 小鹿")
    assert "1.2万" in first
    assert "图文报价 ¥1,000 → ¥1,500 (+50.0%)" in zh.body
    assert "[竞品]" in zh.body
    assert "没有任何笔记" in zh.body
    assert "+12,000 followers on 2026-12-01" in en.body
    assert "6.0x its median" in en.body
    assert len(en.body.splitlines()) == 5  # one line an alert, one message a digest


def test_targets_are_shown_without_their_secrets() -> None:
    robot = "wecombot://ROBOTKEY42abc"
    hook = "json://user:hunter22@hooks.example.com/path/SECRETPATH9?sig=SIGNATURE77"
    for url in (robot, hook):
        protect(url)
    assert "ROBOTKEY42abc" not in shown_url(robot)
    assert shown_url(hook) == "json://hooks.example.com/…"
    leak = f"failed: {robot} {hook}"
    for secret in ("ROBOTKEY42abc", "hunter22", "SECRETPATH9", "SIGNATURE77"):
        assert secret not in redact(leak)
