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

from pgyscout.errors import InvalidInputError

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# key -> (Chinese, English). Keep one figure under one key: "expected_reads" is the same words
# in rank, compare, show, the exports and the report.
LABELS: dict[str, tuple[str, str]] = {
    # --- notes under a terminal table ----------------------------------------------------------
    "table.dropped": (
        "因宽度不足未显示：{columns}（加 --wide 或加宽终端可见；-f csv/json 含全部指标）",
        "not shown for lack of width: {columns} "
        "(--wide or a wider terminal shows them; -f csv/json has every figure)",
    ),
    "table.ids_shortened": (
        "用户ID已缩短：pgy show、rank、compare 和 shortlist 接受ID开头几位；-f json 给出完整ID",
        "ids shortened: pgy show, rank, compare and shortlist take a creator id's start; "
        "-f json has them whole",
    ),
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
    "platform_median_interactions": ("平台互动中位数", "platform median interactions"),
    "fans30_growth_rate": ("平台30天涨粉率", "platform 30-day growth"),
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
    "since_first_day": ("首日以来累计", "since the first day"),
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
    "why_in": ("入选原因", "why in"),
    "why_out": ("未选原因", "why out"),
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
    # --- monitor -----------------------------------------------------------------------------
    "rule": ("规则", "rule"),
    "severity": ("级别", "severity"),
    "period": ("周期", "period"),
    "details": ("详情", "details"),
    "label": ("标签", "label"),
    "added_at": ("关注时间", "watched since"),
    "last_checked_at": ("上次检查", "last checked"),
    "open_alerts": ("未处理提醒", "open alerts"),
    "acked_at": ("已确认", "acknowledged"),
    "alert_id": ("提醒ID", "alert id"),
    "monitor.digest": ("蒲公英达人监控", "pgyscout monitor"),
    "monitor.new_alerts": ("条新提醒", "new alert(s)"),
    "monitor.rule.follower_spike": ("涨粉异常", "follower spike"),
    "monitor.rule.follower_drop": ("掉粉", "follower drop"),
    "monitor.rule.price_change": ("报价变动", "price change"),
    "monitor.rule.sponsored_note": ("新合作笔记", "new sponsored note"),
    "monitor.rule.viral_note": ("爆文", "viral note"),
    "monitor.rule.inactive": ("断更", "inactive"),
    "monitor.rule.fetch_failure": ("获取失败", "fetch failure"),
    "monitor.info": ("提示", "info"),
    "monitor.warning": ("警告", "warning"),
    "monitor.competitor": ("竞品", "competitor"),
    "monitor.account": ("账户", "account"),
    # --- words -------------------------------------------------------------------------------
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "male": ("男", "male"),
    "female": ("女", "female"),
    "best": ("最佳", "best"),
    # --- the dashboard (pgy serve): looked up as web.<key> first, then <key> ---------------
    "web.expected_reads": ("预期阅读", "Expected reads"),
    "web.monitor": ("监控", "Monitor"),
    "web.alerts": ("提醒", "Alerts"),
    "web.monitor_help": (
        "用 pgy monitor add 添加要监控的达人,pgy monitor run 检查变化。",
        "Add creators to watch with pgy monitor add; pgy monitor run checks them.",
    ),
    "web.added": ("添加时间", "Added"),
    "web.last_checked": ("上次检查", "Last checked"),
    "web.open_alerts": ("未处理提醒", "Open alerts"),
    "web.all_alerts": ("全部提醒", "All alerts"),
    "web.rule": ("规则", "Rule"),
    "web.severity": ("级别", "Severity"),
    "web.details": ("详情", "Details"),
    "web.ack": ("标记已读", "Acknowledge"),
    "web.acked": ("已读", "acknowledged"),
    "web.app": ("蒲公英达人侦察", "pgyscout"),
    "web.home": ("首页", "Home"),
    "web.creators": ("达人", "Creators"),
    "web.shortlists": ("清单", "Shortlists"),
    "web.shortlist": ("清单", "Shortlist"),
    "web.compare": ("对比", "Compare"),
    "web.plan": ("预算方案", "Budget plan"),
    "web.usage": ("用量", "Usage"),
    "web.language": ("English", "中文"),
    "web.stored_creators": ("已存达人", "Stored creators"),
    "web.enriched": ("已补充笔记/粉丝趋势", "With notes or trend"),
    "web.saved_searches": ("保存的搜索", "Saved searches"),
    "web.filters": ("筛选条件", "Filters"),
    "web.unfinished_jobs": ("未完成的补充任务", "Unfinished enrich jobs"),
    "web.calls_7d": ("近7天调用", "Calls, last 7 days"),
    "web.billed_7d": ("近7天计费调用", "Billed calls, last 7 days"),
    "web.freshness": ("数据新鲜度", "Data freshness"),
    "web.oldest_fetch": ("最早抓取", "Oldest fetch"),
    "web.newest_fetch": ("最新抓取", "Newest fetch"),
    "web.none_yet": ("暂无", "None yet"),
    "web.name": ("昵称", "Name"),
    "web.fans": ("粉丝", "Followers"),
    "web.price": ("报价", "Price"),
    "web.price_photo": ("图文报价", "Photo price"),
    "web.price_video": ("视频报价", "Video price"),
    "web.engagement": ("互动率", "Engagement"),
    "web.growth": ("30天涨粉", "30-day growth"),
    "web.score": ("性价比分", "Score"),
    "web.flags": ("风险提示", "Flags"),
    "web.fetched": ("抓取时间", "Fetched"),
    "web.reads": ("阅读", "Reads"),
    "web.q": ("昵称或ID包含", "Name or id contains"),
    "web.tag": ("内容标签", "Content tag"),
    "web.fans_min": ("粉丝下限", "Followers from"),
    "web.fans_max": ("粉丝上限", "Followers to"),
    "web.gender": ("达人性别", "Creator gender"),
    "web.any": ("不限", "any"),
    "web.location": ("地区", "Location"),
    "web.price_max": ("报价上限(元)", "Price at most (yuan)"),
    "web.content": ("内容形式", "Content"),
    "web.min_score": ("最低分", "Score at least"),
    "web.flag_filter": ("风险", "Flags"),
    "web.flags_any": ("有风险", "any flag"),
    "web.flags_none": ("无风险", "no flags"),
    "web.search": ("搜索", "Search"),
    "web.sort": ("排序", "Sort by"),
    "web.desc": ("降序", "descending"),
    "web.asc": ("升序", "ascending"),
    "web.size": ("每页", "Per page"),
    "web.apply": ("应用", "Apply"),
    "web.reset": ("清除", "Reset"),
    "web.total_found": ("共 {n} 位达人", "{n} creators"),
    "web.page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "web.previous": ("上一页", "Previous"),
    "web.next": ("下一页", "Next"),
    "web.download": ("下载", "Download"),
    "web.xhs_profile": ("小红书主页", "Xiaohongshu profile"),
    "web.profile": ("基本信息", "Profile"),
    "web.tags": ("标签", "Tags"),
    "web.prices": ("报价", "Prices"),
    "web.matched_filters": ("匹配的搜索条件", "Search filters it matched"),
    "web.our_metrics": ("我们的测算", "Our figures"),
    "web.platform_metrics": ("平台预估", "Platform's estimate"),
    "web.follower_trend": ("粉丝趋势(红点为异常涨粉)", "Followers (red: sudden gains)"),
    "web.notes": ("笔记", "Notes"),
    "web.daily": ("日常", "Daily"),
    "web.cooperation": ("合作", "Sponsored"),
    "web.brand": ("品牌", "Brand"),
    "web.interactions": ("互动", "Interactions"),
    "web.date": ("日期", "Date"),
    "web.title": ("标题", "Title"),
    "web.reads_vs_interactions": ("阅读与互动", "Reads against interactions"),
    "web.snapshots": ("历史快照", "Snapshots over time"),
    "web.day": ("日期", "Day"),
    "web.on_shortlists": ("所在清单", "On shortlists"),
    "web.add_to": ("加入清单", "Add to shortlist"),
    "web.add": ("加入", "Add"),
    "web.remove": ("移出", "Remove"),
    "web.new_shortlist": ("新建清单", "New shortlist"),
    "web.create": ("新建", "Create"),
    "web.rename": ("重命名", "Rename"),
    "web.delete": ("删除清单", "Delete shortlist"),
    "web.members": ("成员", "Members"),
    "web.note": ("备注", "Note"),
    "web.save": ("保存", "Save"),
    "web.created": ("创建时间", "Created"),
    "web.export": ("导出", "Export"),
    "web.report": ("HTML报告", "HTML report"),
    "web.metric": ("指标", "Metric"),
    "web.better": ("更优", "Better"),
    "web.higher": ("越高越好", "higher"),
    "web.lower": ("越低越好", "lower"),
    "web.compare_help": (
        "最多10位达人;★为该行最优",
        "Up to 10 creators; ★ marks the best of a row",
    ),
    "web.ids": ("达人ID(逗号分隔)", "Creator ids (comma-separated)"),
    "web.budget": ("预算(元)", "Budget (yuan)"),
    "web.objective": ("目标", "Objective"),
    "web.interactions_obj": ("互动", "interactions"),
    "web.min_creators": ("最少达人数", "At least creators"),
    "web.max_share": ("单人最高占比", "Largest share of one"),
    "web.run_plan": ("计算方案", "Plan"),
    "web.chosen": ("入选达人", "Chosen creators"),
    "web.spend": ("花费", "Spend"),
    "web.money_left": ("剩余预算", "Money left"),
    "web.why_in": ("入选原因", "Why in"),
    "web.left_out": ("未入选", "Left out"),
    "web.why_out": ("原因", "Why out"),
    "web.calls": ("调用", "Calls"),
    "web.billed": ("计费调用", "Billed"),
    "web.cache_hits": ("缓存命中", "Cache hits"),
    "web.retries": ("重试", "Retries"),
    "web.cost": ("预估费用", "Estimated cost"),
    "web.per_day": ("按日", "Per day"),
    "web.per_endpoint": ("按接口", "Per endpoint"),
    "web.no_price": (
        "设置 PGYSCOUT_PRICE_PER_CALL 以显示费用",
        "set PGYSCOUT_PRICE_PER_CALL to see the cost",
    ),
    "web.paid_refresh": (
        "刷新该达人(笔记第1页 + 30天粉丝趋势)",
        "Refresh this creator (notes page 1 + 30-day trend)",
    ),
    "web.paid_enrich": (
        "补充整张清单(每人笔记第1页 + 30天粉丝趋势)",
        "Enrich this shortlist (notes page 1 + 30-day trend each)",
    ),
    "web.paid_search": ("抓取下一页搜索结果", "Fetch the next search page"),
    "web.paid_note": (
        "付费操作:每次成功调用都会计费。",
        "A paid action: every successful call is billed.",
    ),
    "web.max_calls": ("最多调用 {n} 次", "At most {n} calls"),
    "web.est_cost": ("预估费用最多 ¥{cost}", "Estimated cost at most ¥{cost}"),
    "web.confirm": ("确认并付费", "Confirm and pay"),
    "web.cancel": ("取消", "Cancel"),
    "web.no_token": (
        "尚未设置 API 令牌,不会发出任何调用。请设置环境变量 JUSTONEAPI_TOKEN,"
        '或在配置文件中写入 token = "...",然后重启 pgy serve。',
        "No API token is set, so nothing will be called. Set JUSTONEAPI_TOKEN, or write "
        'token = "..." in the config file, then restart pgy serve.',
    ),
    "web.progress": ("进度", "Progress"),
    "web.running": ("进行中", "running"),
    "web.done": ("完成", "done"),
    "web.failed": ("失败", "failed"),
    "web.back": ("返回", "Back"),
    "web.error": ("出错了", "Something is wrong"),
    "web.bad_param": ("参数有误:{name}", "Bad parameter: {name}"),
    "web.not_found": ("未找到", "Not found"),
    "web.empty_db": (
        "数据库里还没有达人:先运行 pgy search 或 pgy demo。",
        "No creators stored yet: run pgy search (or pgy demo) first.",
    ),
    "web.choose_shortlist": ("选择清单", "Choose a shortlist"),
    "web.not_stored": ("未存档的达人", "Not stored"),
}


def resolve_lang(option: str | None = None, environ: Mapping[str, str] | None = None) -> Lang:
    """``--lang`` if given, else ``PGYSCOUT_LANG``, else the locale; English when none says zh.

    An option or setting that is neither ``zh`` nor ``en`` is refused with ``ValueError``."""
    env = os.environ if environ is None else environ
    for source, value in (("--lang", option), ("PGYSCOUT_LANG", env.get("PGYSCOUT_LANG"))):
        if value:
            chosen = value.strip().lower()
            if chosen not in LANGS:
                raise InvalidInputError(
                    "lang", f"{source} must be one of {'|'.join(LANGS)}, not {value!r}"
                )
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
    "REASONS",
    "Lang",
    "fmt_bool",
    "fmt_count",
    "fmt_money",
    "fmt_number",
    "fmt_share",
    "header",
    "label",
    "labels",
    "reason_text",
    "resolve_lang",
    "scope_text",
]


_SCOPE_WORDS: tuple[tuple[str, str], ...] = (
    (r"^every stored creator", "全部已存达人"),
    (r"^search #(\d+)", r"搜索 #\1"),
    (r"^shortlist '(.*)'", r"清单「\1」"),
    (r"^(\d+) creator\(s\)", r"\1 位达人"),
)


def scope_text(scope: str, lang: Lang) -> str:
    """What a scope is (``search #3``, ``shortlist 'x'``…) in the chosen language."""
    if lang != "zh":
        return scope
    import re

    for pattern, words in _SCOPE_WORDS:
        scope = re.sub(pattern, words, scope)
    return scope


# --- reasons: a code plus its numbers, written in either language ------------------------------

# reason code -> (Chinese, English) templates, filled by ``str.format`` from the reason's numbers
# and the parts ``_reason_parts`` derives from them. A flag has a long text (``pgy show``, the
# exports) and a short one (a table cell): the short one is under "<code>.short".
REASONS: dict[str, tuple[str, str]] = {
    "growth_spike_held": (
        "{count} 天涨粉突增（日中位数 {base:+,.0f}）：{days}{more}；"
        "这些天共涨粉 {gained:,}{of_followers}，稳健 z 值（中位数/MAD）最高 {z:.0f}；"
        "之后增长仍高（随后 {after_days} 天日中位数 "
        "{after:+,.0f}），像是笔记爆了",
        "{count} day(s) of sudden follower gains against a median day of {base:+,.0f}: "
        "{days}{more}; {gained:,} followers in those days{of_followers}, up to {z:.0f} "
        "robust z (median/MAD); growth stayed high afterwards (median {after:+,.0f} a day over "
        "the next {after_days} days), as after a note that went viral",
    ),
    "growth_spike_held.short": (
        "{worst_md} 突增 +{worst_v:,}，之后仍高",
        "spike {worst_md} +{worst_v:,}, growth held",
    ),
    "growth_spike_fell": (
        "{count} 天涨粉突增（日中位数 {base:+,.0f}）：{days}{more}；"
        "这些天共涨粉 {gained:,}{of_followers}，稳健 z 值（中位数/MAD）最高 {z:.0f}；"
        "之后增长立刻回落{fell_back}，常见于买粉",
        "{count} day(s) of sudden follower gains against a median day of {base:+,.0f}: "
        "{days}{more}; {gained:,} followers in those days{of_followers}, up to {z:.0f} "
        "robust z (median/MAD); growth fell straight back{fell_back}, as it does after bought "
        "followers",
    ),
    "growth_spike_fell.short": (
        "{worst_md} 突增 +{worst_v:,}，随即回落",
        "spike {worst_md} +{worst_v:,}, then back down",
    ),
    "falling_followers": (
        "粉丝从 {start:,} 降到 {end:,}（{change:.1%}），历时 {days} 天，{total_days} 天中 "
        "{down_days} 天下降：受众在流失或平台在清理假粉",
        "followers fell from {start:,} to {end:,} ({change:.1%}) over {days} days, "
        "down on {down_days} of {total_days} days: an audience that is leaving or "
        "being purged of fake accounts",
    ),
    "falling_followers.short": (
        "{days} 天粉丝 {change:.1%}",
        "followers {change:.1%} in {days} days",
    ),
    "reads_too_low": (
        "一篇笔记的典型阅读 {reads:,.0f}，粉丝 {followers:,}（{share:.2%}，低于 {limit:.0%}）："
        "粉丝不看笔记，常是买的",
        "a typical note gets {reads:,.0f} reads from {followers:,} followers "
        "({share:.2%}, under {limit:.0%}): followers who never read, often bought",
    ),
    "reads_too_low.short": ("阅读为粉丝的 {share:.2%}", "reads {share:.2%} of followers"),
    "reads_too_high": (
        "一篇笔记的典型阅读 {reads:,.0f}，粉丝 {followers:,}（粉丝的 {share:.1f} 倍，超过 "
        "{limit:g} 倍）：可能刷了阅读，请看笔记本身",
        "a typical note gets {reads:,.0f} reads from {followers:,} followers "
        "({share:.1f}× followers, over {limit:g}×): possible bought reads; "
        "check the notes themselves",
    ),
    "reads_too_high.short": ("阅读为粉丝的 {share:.1f} 倍", "reads {share:.1f}× followers"),
    "sponsored_collapse": (
        "合作笔记互动率 {paid:.2%}，日常笔记 {own:.2%}（为日常的 {ratio:.0%}；合作 {sponsored} 篇、"
        "日常 {organic} 篇）：受众不买账达人的商单",
        "sponsored notes engage at {paid:.2%} against {own:.2%} on organic ones "
        "({ratio:.0%} of organic; {sponsored} sponsored, {organic} organic notes): "
        "the audience does not follow the creator's paid work",
    ),
    "sponsored_collapse.short": (
        "合作互动 {paid:.1%}，日常 {own:.1%}",
        "sponsored {paid:.1%} vs {own:.1%} engagement",
    ),
    # --- the planner: why a creator is in the plan or out of it ----------------------------------
    "plan.chosen": (
        "¥{cost:,.0f} 换 {value:,.0f} {unit}（每 ¥1,000 {rate:,.1f}）；属于最优组合",
        "{value:,.0f} {unit} for ¥{cost:,.0f} ({rate:,.1f} per ¥1,000); part of the best mix",
    ),
    "plan.no_price": (
        "不接{content_words}笔记（无报价）",
        "takes no {content} notes (no price quoted)",
    ),
    "plan.no_notes": (
        "未存笔记，无法估算触达：请对该达人运行 `pgy enrich`",
        "no notes stored, so no expected reach: run `pgy enrich` on this creator",
    ),
    "plan.over_share": (
        "报价 ¥{cost:,.0f}，超过单个达人可占预算的 {share:.0%}（¥{cap:,.0f}）",
        "costs ¥{cost:,.0f}, more than the {share:.0%} of the budget one creator may take "
        "(¥{cap:,.0f})",
    ),
    "plan.over_budget": (
        "报价 ¥{cost:,.0f}，超过全部预算（¥{budget:,.0f}）",
        "costs ¥{cost:,.0f}, more than the whole budget (¥{budget:,.0f})",
    ),
    "plan.no_room": (
        "¥{cost:,.0f} 换 {value:,.0f} {unit}（每 ¥1,000 {rate:,.1f}，组合平均 {mix_rate:,.1f}）；"
        "只剩 ¥{left:,.0f}，换入它得到的更少",
        "{value:,.0f} {unit} for ¥{cost:,.0f} ({rate:,.1f} per ¥1,000, the mix averages "
        "{mix_rate:,.1f}); only ¥{left:,.0f} is left and swapping it in buys less",
    ),
    "plan.adds_nothing": (
        "¥{cost:,.0f} 换 {value:,.0f} {unit}：放得进剩下的 ¥{left:,.0f}，但对目标没有增益",
        "{value:,.0f} {unit} for ¥{cost:,.0f}: it fits the ¥{left:,.0f} left but adds nothing "
        "to the objective",
    ),
}

# What the planner's objective counts, in a reason's words.
_UNITS: dict[str, tuple[str, str]] = {
    "reads": ("阅读", "reads"),
    "interactions": ("互动", "interactions"),
    "score": ("分", "score points"),
}


def _reason_parts(numbers: Mapping[str, object], lang: Lang) -> dict[str, object]:
    """The pieces of a reason that are more than one number (a list of days, optional asides)."""
    zh = lang == "zh"
    parts: dict[str, object] = {}
    days = numbers.get("days")
    if isinstance(days, (list, tuple)):
        parts["days"] = ", ".join(f"{d} +{v:,}" for d, v in days[:3])
        extra = len(days) - 3
        parts["more"] = "" if extra <= 0 else f" 等另 {extra} 天" if zh else f" and {extra} more"
    gained, followers = numbers.get("gained"), numbers.get("followers")
    if isinstance(gained, int) and isinstance(followers, int) and followers:
        share = gained / followers
        parts["of_followers"] = f"（占粉丝 {share:.1%}）" if zh else f" ({share:.1%} of followers)"
    else:
        parts["of_followers"] = ""
    after, after_days = numbers.get("after"), numbers.get("after_days")
    if isinstance(after, (int, float)):
        parts["fell_back"] = (
            f"（随后 {after_days} 天日中位数 {after:+,.0f}）"
            if zh
            else f" (median {after:+,.0f} a day over the next {after_days} days)"
        )
    else:
        parts["fell_back"] = ""
    objective = numbers.get("objective")
    if isinstance(objective, str):
        parts["unit"] = _UNITS[objective][0 if zh else 1]
    content = numbers.get("content")
    if isinstance(content, str):
        parts["content_words"] = label(content, lang)
    worst_day = numbers.get("worst_day")
    if isinstance(worst_day, str):
        parts["worst_md"] = worst_day[5:]  # an ISO date's month and day
    return parts


def reason_text(
    code: str, numbers: Mapping[str, object], lang: Lang, *, short: bool = False
) -> str:
    """A reason in words from its code and numbers; an unknown code is a programming error."""
    zh, en = REASONS[code + ".short" if short else code]
    return (zh if lang == "zh" else en).format(**{**numbers, **_reason_parts(numbers, lang)})
