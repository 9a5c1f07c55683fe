"""Every label a person reads, in Chinese and in English, and one way to write each kind of value.

One table serves the command line, the exports, the report, the dashboard and the monitor's
digests, so a figure has one name everywhere. Keys are the machine names (the snake_case keys of
pgyscout's own records, the export columns); the texts are what a person reads.

The language comes from ``--lang``, else ``PGYSCOUT_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``): a ``zh`` locale gives Chinese, anything else English.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# key -> (Chinese, English). Keep one figure under one key: "expected_reads" is the same words
# in rank, compare, show, the exports and the report.
LABELS: dict[str, tuple[str, str]] = {
    # --- a creator ---------------------------------------------------------------------------
    "rank": ("排名", "rank"),
    "user_id": ("用户ID", "user id"),
    "name": ("昵称", "name"),
    "red_id": ("小红书号", "Xiaohongshu id"),
    "location": ("地区", "location"),
    "gender": ("性别", "gender"),
    "tags": ("内容标签", "tags"),
    "fans": ("粉丝数", "followers"),
    "picture_price": ("图文报价", "photo note price"),
    "video_price": ("视频报价", "video note price"),
    "content": ("内容形式", "content"),
    "price": ("报价", "price"),
    "notes": ("已分析笔记", "notes judged"),
    "median_reads": ("阅读中位数", "median reads"),
    "median_interactions": ("互动中位数", "median interactions"),
    "expected_reads": ("预期阅读", "expected reads"),
    "expected_interactions": ("预期互动", "expected interactions"),
    "engagement_rate": ("互动率", "engagement rate"),
    "viral_rate_100": ("爆文率(≥100赞)", "viral rate (≥100 likes)"),
    "viral_rate_1000": ("爆文率(≥1000赞)", "viral rate (≥1,000 likes)"),
    "sponsored_share": ("商业笔记占比", "sponsored share"),
    "notes_per_30_days": ("每30天发文", "notes per 30 days"),
    "longest_gap_days": ("最长断更(天)", "longest gap (days)"),
    "followers_gained": ("涨粉数", "followers gained"),
    "growth_rate": ("涨粉率", "growth rate"),
    "growth_per_30_days": ("30天涨粉率", "growth per 30 days"),
    "average_daily_growth": ("日均涨粉", "average daily growth"),
    "cpm": ("千次阅读成本", "CPM"),
    "cpe": ("单次互动成本", "CPE"),
    "cost_per_read": ("单次阅读成本", "cost per read"),
    "platform_median_reads": ("平台阅读中位数", "platform median reads"),
    "platform_cpm": ("平台千次阅读成本", "platform CPM"),
    "platform_cpe": ("平台单次互动成本", "platform CPE"),
    "score": ("性价比得分", "score"),
    "flags": ("风险标记", "flags"),
    "flag_reasons": ("风险原因", "flag reasons"),
    "profile_url": ("主页链接", "profile link"),
    "shortlist_note": ("备注", "note"),
    "shortlists": ("所在清单", "shortlists"),
    # --- a note ------------------------------------------------------------------------------
    "note_id": ("笔记ID", "note id"),
    "title": ("标题", "title"),
    "date": ("日期", "date"),
    "reads": ("阅读", "reads"),
    "likes": ("点赞", "likes"),
    "collects": ("收藏", "collects"),
    "interactions": ("互动", "interactions"),
    "is_advertise": ("合作笔记", "sponsored"),
    "is_video": ("视频", "video"),
    "brand_name": ("品牌", "brand"),
    "note_url": ("笔记链接", "note link"),
    "note_type": ("类型", "type"),
    "photo": ("图文", "photo"),
    "video": ("视频", "video"),
    "organic": ("日常", "organic"),
    "sponsored": ("合作", "sponsored"),
    # --- follower trend ----------------------------------------------------------------------
    "metric": ("指标", "metric"),
    "followers": ("粉丝数", "followers"),
    "new_followers": ("新增粉丝", "new followers"),
    "change": ("变化", "change"),
    "total": ("粉丝总数", "follower total"),
    "increase": ("每日新增粉丝", "new followers a day"),
    # --- flags, short --------------------------------------------------------------------------
    "flag.growth_spike": ("涨粉异常", "follower spike"),
    "flag.falling_followers": ("掉粉", "falling followers"),
    "flag.reads_too_low": ("阅读过低", "reads too low"),
    "flag.reads_too_high": ("阅读过高", "reads too high"),
    "flag.sponsored_collapse": ("合作笔记互动低", "sponsored notes fall flat"),
    # --- plan --------------------------------------------------------------------------------
    "status": ("状态", "status"),
    "selected": ("入选", "selected"),
    "left_out": ("未选", "left out"),
    "reason": ("原因", "why"),
    "cost": ("费用", "cost"),
    "budget": ("预算", "budget"),
    "total_cost": ("总花费", "total cost"),
    "money_left": ("剩余预算", "money left"),
    # --- searches ----------------------------------------------------------------------------
    "search_id": ("搜索ID", "search id"),
    "created_at": ("时间", "when"),
    "filters": ("筛选条件", "filters"),
    "creators": ("达人数", "creators"),
    "pages": ("已取页数", "pages fetched"),
    "keyword": ("关键词", "keyword"),
    # --- words -------------------------------------------------------------------------------
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "male": ("男", "male"),
    "female": ("女", "female"),
    "best": ("最佳", "best"),
}


def resolve_lang(option: str | None = None, environ: Mapping[str, str] | None = None) -> Lang:
    """``--lang`` if given, else ``PGYSCOUT_LANG``, else the locale; English when none says zh.

    An option or setting that is neither ``zh`` nor ``en`` is refused with ``ValueError``."""
    env = os.environ if environ is None else environ
    for source, value in (("--lang", option), ("PGYSCOUT_LANG", env.get("PGYSCOUT_LANG"))):
        if value:
            chosen = value.strip().lower()
            if chosen not in LANGS:
                raise ValueError(f"{source} must be one of {'|'.join(LANGS)}, not {value!r}")
            return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:  # the first one set wins, as the C library decides
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def label(key: str, lang: Lang) -> str:
    """The text of ``key`` in ``lang``; an unknown key is a programming error (KeyError)."""
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def labels(keys: Iterable[str], lang: Lang) -> list[str]:
    return [label(k, lang) for k in keys]


def header(key: str, lang: Lang) -> str:
    """A column header: the label where one exists, else the machine name as it is."""
    return label(key, lang) if key in LABELS else key


# --- one way to write each kind of value -------------------------------------------------------

MISSING = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_count(value: float | None, lang: Lang = "en") -> str:
    """A count: 135,234 in English; in Chinese 13.52万 from ten thousand and 1.35亿 from 1e8."""
    if value is None or _missing(value):
        return MISSING
    if lang == "zh" and abs(value) >= 10_000:
        unit, size = ("亿", 1e8) if abs(value) >= 1e8 else ("万", 1e4)
        scaled = value / size
        text = f"{scaled:,.2f}".rstrip("0").rstrip(".")
        return f"{text}{unit}"
    return f"{value:,.0f}"


def fmt_money(value: float | None, lang: Lang = "en") -> str:
    """Yuan: whole yuan from ¥100 up, fen below (a CPE of ¥0.37 keeps its digits)."""
    if value is None or _missing(value):
        return MISSING
    if lang == "zh" and abs(value) >= 10_000:
        return "¥" + fmt_count(value, lang)
    return f"¥{value:,.0f}" if abs(value) >= 100 else f"¥{value:,.2f}"


def fmt_share(value: float | None, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.0316 is 3.2%. pgyscout's own figures are fractions."""
    if value is None or _missing(value):
        return MISSING
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def fmt_number(value: float | None, digits: int = 1) -> str:
    if value is None or _missing(value):
        return MISSING
    return f"{value:,.{digits}f}"


def fmt_bool(value: bool | None, lang: Lang = "en") -> str:
    if value is None:
        return MISSING
    return label("yes" if value else "no", lang)


__all__ = [
    "LABELS",
    "LANGS",
    "MISSING",
    "Lang",
    "fmt_bool",
    "fmt_count",
    "fmt_money",
    "fmt_number",
    "fmt_share",
    "header",
    "label",
    "labels",
    "resolve_lang",
]
