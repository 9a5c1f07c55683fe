"""A deterministic population of synthetic Pugongying creators, their notes and follower history.

Same seed, same creators: every number derives from ``random.Random`` seeded per creator,
so a creator's notes and trend can be made on demand without holding them all in memory.
Distributions follow what the platform shows: heavy-tailed followers, prices roughly
proportional to reach, most audiences young and female, a few creators with bought
follower spikes, shrinking audiences or sponsored notes that nobody engages with.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from pgyscout.sandbox._template import KOL_TEMPLATE

PRICE_NOT_OFFERED = 9_999_999
NOTES_PAGE_SIZE = 8
SEARCH_PAGE_SIZE = 20
SEARCH_TOTAL_CAP = 5000

# taxonomy1 -> (weight, taxonomy2 tags, words used in nicknames and note titles)
CATEGORIES: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    "美妆": (18, ("护肤", "彩妆", "香水"), ("粉底", "口红", "精华", "防晒", "眼影", "卸妆")),
    "时尚": (16, ("穿搭", "鞋包", "配饰"), ("穿搭", "通勤", "小个子", "大衣", "包包", "显瘦")),
    "美食": (
        15,
        ("探店", "家常菜", "烘焙", "咖啡"),
        ("咖啡", "甜品", "火锅", "早餐", "烘焙", "探店"),
    ),
    "家居": (9, ("装修", "收纳", "家电"), ("收纳", "租房", "软装", "好物", "厨房", "装修")),
    "母婴": (8, ("育儿", "孕期", "亲子"), ("宝宝", "辅食", "早教", "带娃", "待产包")),
    "旅行": (8, ("国内游", "出境游", "酒店"), ("攻略", "民宿", "自驾", "周末", "露营")),
    "运动健身": (7, ("健身", "瑜伽", "跑步"), ("减脂", "瑜伽", "跑步", "马甲线", "拉伸")),
    "数码": (6, ("手机", "电脑", "摄影"), ("iPhone", "耳机", "平板", "相机", "键盘")),
    "宠物": (5, ("猫", "狗"), ("猫咪", "狗狗", "猫粮", "铲屎官", "布偶")),
    "教育": (5, ("考研", "英语", "职场"), ("考研", "雅思", "面试", "自律", "英语")),
    "兴趣爱好": (3, ("阅读", "手工", "绘画"), ("读书", "手账", "绘画", "钩织", "书单")),
}
CITIES = (
    ("上海", 14),
    ("北京", 12),
    ("广州", 8),
    ("深圳", 8),
    ("杭州", 8),
    ("成都", 7),
    ("重庆", 5),
    ("南京", 5),
    ("武汉", 5),
    ("西安", 4),
    ("天津", 3),
    ("苏州", 4),
    ("长沙", 4),
    ("厦门", 3),
    ("青岛", 3),
    ("郑州", 2),
    ("昆明", 2),
    ("大连", 2),
    ("宁波", 2),
    ("合肥", 2),
)
NAME_HEADS = ("小", "阿", "大", "是", "我是", "一只", "爱吃", "今天也要", "", "", "", "")
NAME_CORES = (
    "鹿",
    "鱼",
    "桃子",
    "橙子",
    "Momo",
    "Lily",
    "可乐",
    "奶茶",
    "栗子",
    "芒果",
    "Coco",
    "团子",
    "饼干",
    "糖糖",
    "米粒",
    "豆豆",
    "Yuki",
    "Anna",
    "晴天",
    "七七",
    "阿柒",
    "鹤竹",
    "木木",
    "酥酥",
)
NAME_TAILS = ("酱", "呀", "日记", "zzz", "", "", "", "的日常", "不加班")
TITLE_TEMPLATES = (
    "{w}分享｜{adj}",
    "{adj}的{w}，真的绝了",
    "{w}合集🎉",
    "第一次{w}就成功了😭",
    "谁懂啊！这个{w}太好用了",
    "{w}避雷指南",
    "打工人{w}日常",
    "{w}｜{n}个小技巧",
    "被问爆的{w}来了",
    "{w}真实测评，不吹不黑",
)
ADJECTIVES = ("平价", "宝藏", "小众", "高级感", "懒人", "超详细", "新手友好", "氛围感")
BRANDS = (
    "完美日记",
    "花西子",
    "瑞幸咖啡",
    "元气森林",
    "小米",
    "网易严选",
    "Lululemon",
    "三顿半",
    "babycare",
    "戴森",
    "珀莱雅",
    "蕉下",
    "安踏",
    "华为",
    "名创优品",
    "喜茶",
)
# The audience's dominant age bucket and how often it leads.
FANS_AGES = (("AGE_18_24", 38), ("AGE_25_34", 42), ("AGE_35_44", 10), ("LT_18", 6), ("GT_44", 4))
HISTORY_DAYS = 60


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs)
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items], k=1)[0]


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _share(notes: list[dict[str, Any]], likes: int) -> int:
    """Percent of notes with at least ``likes`` likes, as upstream's *LikePercent30 fields."""
    if not notes:
        return 0
    return round(100 * sum(1 for n in notes if n["likeNum"] >= likes) / len(notes))


@dataclass
class SynthCreator:
    index: int
    seed: int
    user_id: str
    name: str
    red_id: str
    location: str
    gender: str  # 女 / 男 as upstream writes it
    fans: int
    fans_age: str
    female_share: float
    categories: list[tuple[str, list[str]]]
    words: list[str]
    picture_price: int
    video_price: int  # PRICE_NOT_OFFERED when the creator takes no video orders
    read_mid: int
    engagement: float
    video_share: float
    ad_share: float
    sponsored_penalty: float  # engagement multiplier on sponsored notes
    cadence_days: float
    note_count: int
    growth30: float  # fraction of followers gained over 30 days
    anomaly: str | None  # "spike", "decline" or None
    level: int
    score: float = field(default=0.0)

    @property
    def gender_code(self) -> str:
        return "FEMALE" if self.gender == "女" else "MALE"

    @property
    def fans_gender(self) -> str:
        return "FE_MALE_HIGH" if self.female_share >= 0.5 else "MALE_HIGH"

    @property
    def tags(self) -> set[str]:
        found = set()
        for top, subs in self.categories:
            found.add(top)
            found.update(subs)
        return found


def _make_creator(index: int, population_seed: int) -> SynthCreator:
    seed = population_seed * 1_000_003 + index
    rng = random.Random(seed)
    user_id = f"{rng.randrange(0x5A000000, 0x68000000):08x}0000000{rng.randrange(16**9):09x}"
    top = _weighted(rng, ((k, v[0]) for k, v in CATEGORIES.items()))
    others = [k for k in CATEGORIES if k != top]
    tops = [top] + (rng.sample(others, 1) if rng.random() < 0.3 else [])
    categories = [(t, rng.sample(list(CATEGORIES[t][1]), rng.randint(1, 2))) for t in tops]
    words = [w for t in tops for w in CATEGORIES[t][2]]
    gender = "女" if rng.random() < 0.8 else "男"
    name_word = rng.choice(words) if rng.random() < 0.35 else ""
    name = f"{rng.choice(NAME_HEADS)}{rng.choice(NAME_CORES)}{name_word}{rng.choice(NAME_TAILS)}"
    if rng.random() < 0.2:
        name += str(rng.randint(1, 999))
    fans = int(_clip(rng.lognormvariate(math.log(25_000), 1.3), 1_000, 5_000_000))
    female_base = 0.8 if gender == "女" else 0.5
    if top in ("数码", "运动健身"):
        female_base -= 0.25
    female_share = _clip(rng.gauss(female_base, 0.12), 0.05, 0.98)
    picture_price = max(100, int(round(fans * rng.lognormvariate(math.log(0.04), 0.45), -1)))
    video_offered = rng.random() < 0.85
    video_price = int(picture_price * rng.uniform(1.2, 2.0)) if video_offered else PRICE_NOT_OFFERED
    read_mid = int(_clip(fans * rng.lognormvariate(math.log(0.25), 0.9), 50, fans * 5))
    engagement = _clip(rng.lognormvariate(math.log(0.045), 0.6), 0.003, 0.3)
    anomaly_roll = rng.random()
    anomaly = "spike" if anomaly_roll < 0.04 else "decline" if anomaly_roll < 0.08 else None
    growth30 = _clip(rng.lognormvariate(math.log(0.03), 0.9), 0.0005, 0.8)
    if anomaly == "decline":
        growth30 = -rng.uniform(0.005, 0.05)
    heavy_ads = rng.random() < 0.08
    creator = SynthCreator(
        index=index,
        seed=seed,
        user_id=user_id,
        name=name,
        red_id=str(rng.randrange(10**8, 10**10)),
        location=_weighted(rng, CITIES),
        gender=gender,
        fans=fans,
        fans_age=_weighted(rng, FANS_AGES),
        female_share=female_share,
        categories=categories,
        words=words,
        picture_price=picture_price,
        video_price=video_price,
        read_mid=read_mid,
        engagement=engagement,
        video_share=rng.betavariate(2, 3),
        ad_share=rng.uniform(0.4, 0.7) if heavy_ads else rng.betavariate(1.5, 8),
        sponsored_penalty=rng.uniform(0.15, 0.4) if rng.random() < 0.07 else rng.uniform(0.7, 1.0),
        cadence_days=_clip(rng.lognormvariate(math.log(4), 0.6), 1, 30),
        note_count=0
        if rng.random() < 0.03
        else int(_clip(rng.lognormvariate(math.log(45), 0.8), 1, 400)),
        growth30=growth30,
        anomaly=anomaly,
        level=rng.choices((1, 2, 3, 4, 5), weights=(30, 35, 20, 10, 5))[0],
    )
    creator.score = math.log10(fans) * (0.5 + engagement * 10) + rng.random()
    return creator


PLANT_KINDS = ("spike", "price", "sponsored")


@dataclass(frozen=True)
class Plant:
    """An event planted on a simulated day (1 is the day after ``as_of``), so that a test
    of watching creators over days knows exactly what should be noticed.

    ``spike``: ``value`` followers more that day; ``price``: both prices times ``value``
    from that day on; ``sponsored``: a sponsored note of brand ``value`` posted that day."""

    kind: str
    user_id: str
    day: int
    value: float | str

    def __post_init__(self) -> None:
        if self.kind not in PLANT_KINDS:
            raise ValueError(f"plant kind must be one of {', '.join(PLANT_KINDS)}, not {self.kind}")
        if self.day < 1:
            raise ValueError("a plant's day must be 1 or later")

    @classmethod
    def parse(cls, text: str) -> Plant:
        """``KIND:USER_ID:DAY:VALUE``, e.g. ``price:5d21ab6b000000001201567d:2:1.5``."""
        parts = text.split(":", 3)
        if len(parts) != 4:
            raise ValueError(f"a plant is KIND:USER_ID:DAY:VALUE, not {text!r}")
        kind, user_id, day, value = parts
        number: float | str = value if kind == "sponsored" else float(value)
        return cls(kind, user_id, int(day), number)


class Population:
    """All creators of one seed, with their notes and trends made (and cached) on demand.

    ``day_offset`` moves the sandbox's today that many days past ``as_of``: followers keep
    growing at each creator's pace, creators post new (organic) notes at their cadence, and
    planted events happen on their day. At 0 with no plants nothing differs from ``as_of``."""

    def __init__(
        self,
        seed: int = 7,
        size: int = 6000,
        as_of: dt.date | None = None,
        day_offset: int = 0,
        plants: tuple[Plant, ...] = (),
    ) -> None:
        self.seed = seed
        self.size = size
        self.as_of = as_of or dt.date.today()
        self.creators = [_make_creator(i, seed) for i in range(size)]
        self.by_id = {c.user_id: c for c in self.creators}
        self.plants = plants
        self.day_offset = day_offset
        self._notes: dict[str, list[dict[str, Any]]] = {}
        self._history: dict[str, list[tuple[dt.date, int, int]]] = {}
        self._records: dict[str, dict[str, Any]] = {}
        self._title_text: dict[str, str] = {}

    @property
    def today(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.day_offset)

    def set_day_offset(self, days: int) -> None:
        if days < 0:
            raise ValueError("the day offset must not be negative")
        self.day_offset = days
        self._notes.clear()
        self._history.clear()
        self._records.clear()

    def _planted(self, creator: SynthCreator, kind: str) -> list[Plant]:
        return [
            p
            for p in self.plants
            if p.kind == kind and p.user_id == creator.user_id and p.day <= self.day_offset
        ]

    def current(self, creator: SynthCreator) -> SynthCreator:
        """The creator as of the sandbox's today: followers grown, prices as planted."""
        if not self.day_offset:
            return creator
        factor = math.prod(float(p.value) for p in self._planted(creator, "price"))
        video = creator.video_price
        return dataclasses.replace(
            creator,
            fans=self.history(creator)[-1][1],
            picture_price=round(creator.picture_price * factor),
            video_price=video if video == PRICE_NOT_OFFERED else round(video * factor),
        )

    # -- notes ------------------------------------------------------------------------
    def notes(self, creator: SynthCreator) -> list[dict[str, Any]]:
        """Every note of a creator, newest first, as the notes endpoint writes them."""
        cached = self._notes.get(creator.user_id)
        if cached is None:
            cached = self._new_notes(creator) + self._make_notes(creator)
            if len(self._notes) > 4096:  # bound memory on long runs over many creators
                self._notes.clear()
            self._notes[creator.user_id] = cached
        return cached

    def _make_notes(self, creator: SynthCreator) -> list[dict[str, Any]]:
        rng = random.Random(creator.seed * 7 + 1)
        day = self.as_of - dt.timedelta(days=rng.randint(0, 2))
        notes = []
        for title in self.note_titles(creator):
            is_video = rng.random() < creator.video_share
            sponsored = rng.random() < creator.ad_share
            reads = creator.read_mid * rng.lognormvariate(0, 0.9) * (1.3 if is_video else 1.0)
            reads *= 0.8 if sponsored else 1.0
            rate = creator.engagement * rng.lognormvariate(0, 0.4)
            rate *= creator.sponsored_penalty if sponsored else 1.0
            likes = reads * rate * 0.75
            collects = likes * rng.uniform(0.15, 0.45)
            brand = rng.choice(BRANDS) if sponsored or rng.random() < 0.05 else None
            note_id = f"{rng.randrange(0x60000000, 0x6A000000):08x}{rng.randrange(16**16):016x}"
            notes.append(
                {
                    "readNum": int(reads),
                    "likeNum": int(likes),
                    "collectNum": int(collects),
                    "isAdvertise": sponsored,
                    "isVideo": is_video,
                    "noteId": note_id,
                    "imgUrl": f"http://ci.xiaohongshu.com/sandbox/{note_id}?imageView2/2/w/540/format/jpg/q/75",
                    "title": title,
                    "brandName": brand,
                    "date": day.isoformat(),
                    "thirdReadUserNum": int(reads * rng.uniform(0.01, 0.1))
                    if rng.random() < 0.1
                    else 0,
                }
            )
            day -= dt.timedelta(days=max(0, round(rng.expovariate(1 / creator.cadence_days))))
        return notes

    def _new_notes(self, creator: SynthCreator) -> list[dict[str, Any]]:
        """Notes posted after ``as_of``, newest first: organic, at the creator's cadence, with
        reads that settle over three days; planted sponsored notes on their day."""
        notes = []
        brands = {p.day: str(p.value) for p in self._planted(creator, "sponsored")}
        for day in range(1, self.day_offset + 1):
            rng = random.Random(creator.seed * 7 + 1000 + day)
            posted = rng.random() < 1 / creator.cadence_days
            if not posted and day not in brands:
                continue
            date = self.as_of + dt.timedelta(days=day)
            settled = min(1.0, ((self.today - date).days + 1) / 3)
            reads = creator.read_mid * rng.lognormvariate(0, 0.3) * settled
            likes = reads * creator.engagement * 0.75
            note_id = f"{rng.randrange(0x6A000000, 0x6B000000):08x}{rng.randrange(16**16):016x}"
            brand = brands.get(day)
            notes.append(
                {
                    "readNum": int(reads),
                    "likeNum": int(likes),
                    "collectNum": int(likes * 0.3),
                    "isAdvertise": brand is not None,
                    "isVideo": False,
                    "noteId": note_id,
                    "imgUrl": f"http://ci.xiaohongshu.com/sandbox/{note_id}?imageView2/2/w/540/format/jpg/q/75",
                    "title": f"{rng.choice(creator.words)}日常 day {day}",
                    "brandName": brand,
                    "date": date.isoformat(),
                    "thirdReadUserNum": 0,
                }
            )
        notes.reverse()
        return notes

    def note_titles(self, creator: SynthCreator) -> list[str]:
        """Titles come from their own random stream, so a note-content search can read them
        without making every note."""
        rng = random.Random(creator.seed * 7 + 4)
        return [
            rng.choice(TITLE_TEMPLATES).format(
                w=rng.choice(creator.words), adj=rng.choice(ADJECTIVES), n=rng.randint(3, 9)
            )
            for _ in range(creator.note_count)
        ]

    def title_text(self, creator: SynthCreator) -> str:
        """All note titles of a creator in one string, kept for note-content searches."""
        text = self._title_text.get(creator.user_id)
        if text is None:
            text = self._title_text[creator.user_id] = "\n".join(self.note_titles(creator))
        return text

    # -- follower history -------------------------------------------------------------
    def history(self, creator: SynthCreator) -> list[tuple[dt.date, int, int]]:
        """(day, total followers, new followers that day), oldest first, ending yesterday."""
        cached = self._history.get(creator.user_id)
        if cached is None:
            cached = self._make_history(creator)
            if len(self._history) > 4096:
                self._history.clear()
            self._history[creator.user_id] = cached
        return cached

    def _make_history(self, creator: SynthCreator) -> list[tuple[dt.date, int, int]]:
        rng = random.Random(creator.seed * 7 + 2)
        daily = creator.fans * creator.growth30 / 30
        increases = [daily * rng.lognormvariate(0, 0.5) for _ in range(HISTORY_DAYS)]
        if creator.anomaly == "decline":
            increases = [daily * rng.uniform(0.5, 1.5) for _ in range(HISTORY_DAYS)]
        if creator.anomaly == "spike":
            for spike_day in rng.sample(range(HISTORY_DAYS), rng.randint(1, 2)):
                increases[spike_day] += max(abs(daily), 20) * rng.uniform(15, 40)
        last = self.as_of - dt.timedelta(days=1)
        total = creator.fans
        rows = []
        for back, inc in enumerate(reversed(increases)):
            day = last - dt.timedelta(days=back)
            new = round(inc)
            rows.append((day, total, new))
            total = max(0, total - new)
        rows.reverse()
        # A spike planted on day j is in the point dated the day before: the trend ends
        # yesterday, so day j's check is the first to see it.
        spikes = {p.day - 1: float(p.value) for p in self._planted(creator, "spike")}
        total = creator.fans
        for offset in range(self.day_offset):  # the days after as_of, up to yesterday
            rng = random.Random(creator.seed * 7 + 2000 + offset)
            new = round(daily * rng.lognormvariate(0, 0.3) + spikes.get(offset, 0))
            total = max(0, total + new)
            rows.append((self.as_of + dt.timedelta(days=offset), total, new))
        return rows

    def growth_last_30(self, creator: SynthCreator) -> tuple[int, float]:
        rows = self.history(creator)[-30:]
        gained = rows[-1][1] - rows[0][1]
        return gained, (gained / rows[0][1] * 100 if rows[0][1] else 0.0)

    # -- search records ---------------------------------------------------------------
    def record(self, creator: SynthCreator) -> dict[str, Any]:
        """The search result item of a creator: all 146 upstream keys."""
        cached = self._records.get(creator.user_id)
        if cached is not None:
            return cached
        creator = self.current(creator)
        rng = random.Random(creator.seed * 7 + 3)
        rec = copy.deepcopy(KOL_TEMPLATE)
        picture_reads = int(creator.read_mid * rng.uniform(0.9, 1.2))
        video_reads = (
            int(creator.read_mid * rng.uniform(1.1, 1.6)) if creator.video_share > 0.05 else 0
        )
        inter = int(creator.read_mid * creator.engagement)
        picture_inter = int(picture_reads * creator.engagement)
        video_inter = int(video_reads * creator.engagement)
        gained, rate = self.growth_last_30(creator)
        video_offered = creator.video_price != PRICE_NOT_OFFERED
        recent = self.notes(creator)[:10]
        sponsored = sum(1 for n in self.notes(creator)[:30] if n["isAdvertise"])
        hundred = _share(recent, 100)
        thousand = _share(recent, 1000)
        rec.update(
            {
                "userId": creator.user_id,
                "valid": 1,
                "headPhoto": f"https://sns-avatar-qc.xhscdn.com/sandbox/{creator.user_id}?imageView2/2/w/120",
                "name": creator.name,
                "redId": creator.red_id,
                "location": creator.location,
                "homePageDisplay": 1,
                "businessNoteCount": sponsored,
                "totalNoteCount": creator.note_count,
                "picturePrice": creator.picture_price,
                "videoPrice": creator.video_price,
                "lowerPrice": min(creator.picture_price, creator.video_price),
                "userType": 2,
                "showPrice": True,
                "pictureState": 1,
                "videoState": 1 if video_offered else 0,
                "cooperateState": 1,
                "contentTags": [
                    {"taxonomy1Tag": top, "taxonomy2Tags": list(subs)}
                    for top, subs in creator.categories
                ],
                "gender": creator.gender,
                "currentLevel": creator.level,
                "nextLevel": -1,
                "priceState": 1,
                "noteList": [
                    {
                        "noteId": n["noteId"],
                        "noteType": 2 if n["isVideo"] else 1,
                        "imageUrl": n["imgUrl"],
                        "featureTags": [],
                        "contentTag": creator.categories[0][0],
                        "industryTags": None,
                        "bind": False,
                    }
                    for n in self.notes(creator)[:3]
                ],
                "clickMidNum": creator.read_mid,
                "interMidNum": inter,
                "fansNum": creator.fans,
                "pictureReadCost": f"{creator.picture_price / max(picture_reads, 1):.2f}",
                "videoReadCost": f"{creator.video_price / video_reads:.2f}"
                if video_offered and video_reads
                else "0.00",
                "pictureClickMidNum": picture_reads,
                "pictureInterMidNum": picture_inter,
                "videoClickMidNum": video_reads,
                "videoFinishRate": round(rng.uniform(10, 45), 1) if video_reads else 0,
                "videoInterMidNum": video_inter,
                "fans30GrowthRate": round(rate, 1),
                "fans30GrowthNum": gained,
                "picturePriceGtZero": True,
                "videoPriceGtZero": video_offered,
                "lowActive": creator.engagement < 0.01,
                "fansActiveIn28dLv": round(rng.uniform(40, 99), 1),
                "fansEngageNum30dLv": rng.randint(5, 95),
                "hundredLikePercent30": hundred,
                "thousandLikePercent30": thousand,
                "cooperType": 1,
                "buyerType": 2,
                "hasBuyerAuth": True,
                "estimatePictureCpm": round(
                    creator.picture_price / max(picture_reads, 1) * 1000, 2
                ),
                "estimatePictureCpmCompare": round(rng.uniform(5, 99), 1),
                "estimateVideoCpm": round(creator.video_price / video_reads * 1000, 2)
                if video_offered and video_reads
                else 0,
                "estimateVideoCpmCompare": round(rng.uniform(5, 99), 1),
                "estimatePictureEngageCost": round(
                    creator.picture_price / max(picture_inter, 1), 2
                ),
                "estimatePictureEngageCostCompare": round(rng.uniform(5, 99), 1),
                "estimateVideoEngageCost": round(creator.video_price / video_inter, 2)
                if video_offered and video_inter
                else 0,
                "estimateVideoEngageCostCompare": round(rng.uniform(5, 99), 1),
                "inviteReply48hNumRatio": round(rng.uniform(0, 100), 1),
                "accumPicCommonImpMedinNum30d": int(picture_reads * rng.uniform(1.5, 3)),
                "accumVideoCommonImpMedinNum30d": int(video_reads * rng.uniform(1.5, 3)),
                "accumCommonImpMedinNum30d": int(creator.read_mid * rng.uniform(1.5, 3)),
                "mengagementNum": inter,
                "mEngagementNum": inter,
            }
        )
        self._records[creator.user_id] = rec
        return rec
