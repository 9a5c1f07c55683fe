"""The monitor's digest: one message a pass, in Chinese or English, to each --notify target.

Targets are apprise URLs (企业微信 ``wecombot://``, 钉钉 ``dingtalk://``, 飞书 ``feishu://``,
e-mail ``mailto://``, plain webhooks ``json://``). One digest a pass, never one message an
alert: group robots accept about twenty messages a minute. Each alert remembers which target
received it, so a target that failed gets the alerts again on the next pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pgyscout.analysis.monitor_rules import ACCOUNT, WARNING
from pgyscout.client import redact
from pgyscout.labels import Lang, fmt_count, fmt_money, fmt_share, label
from pgyscout.redaction import register_secret
from pgyscout.store import Store
from pgyscout.store import monitor as watch_store
from pgyscout.store.monitor import StoredAlert

# A target that has never received anything gets the open alerts of this many days, not
# the whole history.
BACKLOG = dt.timedelta(days=7)
log = logging.getLogger(__name__)


def who(alert: StoredAlert, lang: Lang) -> str:
    if alert.user_id == ACCOUNT:
        return label("monitor.account", lang)
    return f"{alert.name or alert.user_id} ({alert.user_id})"


def describe(alert: StoredAlert, lang: Lang) -> str:
    """One line that says what happened, with the figures that show it."""
    d: dict[str, Any] = alert.details
    zh = lang == "zh"
    rule = alert.rule
    if rule == "follower_spike":
        gain, med = fmt_count(d.get("gain"), lang), fmt_count(d.get("median_gain"), lang)
        return (
            f"{d.get('day')} 涨粉 +{gain}(日中位数 {med})"
            if zh
            else f"+{gain} followers on {d.get('day')} (median day {med})"
        )
    if rule == "follower_drop":
        share = fmt_share(d.get("share"), signed=True)
        days = d.get("days")
        return (
            f"截至 {d.get('day')} {days} 天粉丝 {share}({fmt_count(d.get('change'), lang)})"
            if zh
            else f"followers {share} over {days} day(s) to {d.get('day')} "
            f"({fmt_count(d.get('change'), lang)})"
        )
    if rule == "price_change":
        kind = label(str(d.get("kind")), lang)
        old, new = fmt_money(d.get("old"), lang), fmt_money(d.get("new"), lang)
        return f"{kind} {old} → {new} ({fmt_share(d.get('change'), signed=True)})"
    if rule == "sponsored_note":
        brand = d.get("brand") or "?"
        rival = f" [{label('monitor.competitor', lang)}]" if d.get("competitor") else ""
        title = d.get("title") or d.get("note_id")
        return (
            f"{d.get('date')} 发布合作笔记「{title}」,品牌 {brand}{rival}"
            if zh
            else f"sponsored note '{title}' on {d.get('date')}, brand {brand}{rival}"
        )
    if rule == "viral_note":
        inter, med = (
            fmt_count(d.get("interactions"), lang),
            fmt_count(d.get("median_interactions"), lang),
        )
        title = d.get("title") or d.get("note_id")
        return (
            f"「{title}」({d.get('date')})互动 {inter},是其中位数 {med} 的 {_times(d)} 倍"
            if zh
            else f"'{title}' ({d.get('date')}): {inter} interactions, {_times(d)}x its median {med}"
        )
    if rule == "inactive":
        last = d.get("last_note")
        if last is None:
            return "没有任何笔记" if zh else "no note at all"
        return (
            f"最近笔记 {last},已 {d.get('days')} 天未更新"
            if zh
            else f"no new note since {last} ({d.get('days')} days)"
        )
    return redact(str(d.get("message") or d.get("reason") or ""))


def _times(d: dict[str, Any]) -> str:
    med = d.get("median_interactions") or 0
    return f"{(d.get('interactions') or 0) / med:.1f}" if med else "–"


@dataclass(frozen=True)
class Digest:
    title: str
    body: str
    count: int


def render_digest(alerts: Sequence[StoredAlert], lang: Lang, day: dt.date) -> Digest:
    """The digest of these alerts: warnings first, then by rule and creator."""
    ordered = sorted(alerts, key=lambda a: (a.severity != WARNING, a.rule, a.user_id, a.id))
    title = f"{label('monitor.digest', lang)} {day.isoformat()}: {len(ordered)} " + label(
        "monitor.new_alerts", lang
    )
    lines = []
    for alert in ordered:
        severity = label(f"monitor.{alert.severity}", lang)
        rule = label(f"monitor.rule.{alert.rule}", lang)
        lines.append(
            f"#{alert.id} [{severity}] {rule} · {who(alert, lang)}: {describe(alert, lang)}"
        )
    return Digest(title=title, body="\n".join(lines), count=len(ordered))


@dataclass(frozen=True)
class Delivery:
    target: str  # the URL as shown: its secrets masked
    sent: int  # alerts delivered
    ok: bool


def shown_url(url: str) -> str:
    """A target as printed: scheme and host only (robot URLs carry their key in the path)."""
    protect(url)
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    return redact(f"{scheme}://{host}/…" if rest else url)


def deliver(
    store: Store,
    targets: Sequence[str],
    lang: Lang,
    now: dt.datetime,
    new_ids: Sequence[int] = (),
) -> list[Delivery]:
    """Send each target the open alerts it has not received yet, in one message."""
    import apprise  # heavy: loaded only when there is something to send

    results = []
    for url in targets:
        key = watch_store.target_key(url)
        with store.begin() as conn:
            pending = watch_store.undelivered(conn, key, now - BACKLOG, new_ids)
        if not pending:
            results.append(Delivery(shown_url(url), 0, True))
            continue
        digest = render_digest(pending, lang, now.date())
        sender = apprise.Apprise()
        ok = bool(sender.add(url)) and bool(sender.notify(body=digest.body, title=digest.title))
        if ok:
            with store.begin() as conn:
                watch_store.mark_delivered(conn, key, [a.id for a in pending], now)
        else:
            log.warning("the digest did not reach %s: it is sent again next pass", shown_url(url))
        results.append(Delivery(shown_url(url), len(pending) if ok else 0, ok))
    return results


def protect(url: str) -> None:
    """Mask a target's secrets wherever they might be printed or logged, as the token is:
    robot keys stand where a host would (``wecombot://KEY``), webhooks carry them in the
    password, the path or the query."""
    parts = urlsplit(url)
    found = [parts.password or "", *parts.path.split("/")]
    found += [value for _, value in parse_qsl(parts.query)]
    host = parts.hostname or ""
    if host and "." not in host and host != "localhost":
        found.append(parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0])
    for secret in found:
        if len(secret) >= 6:
            register_secret(secret)


def check_targets(targets: Sequence[str]) -> None:
    """Refuse a --notify URL apprise cannot use before any call is paid for."""
    import apprise

    from pgyscout.client import InvalidInputError

    quiet = logging.getLogger("apprise")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # its own "Unsupported URL" line would say it twice
    try:
        unusable = [url for url in targets if not apprise.Apprise().add(url)]
    finally:
        quiet.setLevel(level)
    for url in targets:
        protect(url)
        if url in unusable:
            raise InvalidInputError(
                "--notify",
                f"--notify: not a notification URL apprise knows: {shown_url(url)} "
                "(e.g. wecombot://KEY, dingtalk://TOKEN, feishu://TOKEN, json://host/path)",
            )
