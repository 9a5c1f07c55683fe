"""Flag and plan reasons: a code plus numbers, written in Chinese or English by one function."""

from __future__ import annotations

import datetime as dt
import re

from pgyscout.analysis.flags import FLAG_CODES, FLAG_REASON_CODES, falling_followers
from pgyscout.analysis.planning import PLAN_REASON_CODES
from pgyscout.labels import REASONS, reason_text
from pgyscout.models import FansPoint

# Numbers enough to fill any reason's template.
SAMPLE = {
    "count": 4,
    "base": 21.0,
    "days": [("2026-10-10", 1500), ("2026-10-11", 900), ("2026-10-15", 700), ("2026-10-20", 99)],
    "gained": 3199,
    "followers": 120_000,
    "z": 41.2,
    "after": 133.0,
    "after_days": 7,
    "worst_day": "2026-10-10",
    "worst_v": 1500,
    "start": 20_000,
    "end": 19_710,
    "change": -0.0145,
    "down_days": 29,
    "total_days": 29,
    "reads": 1000.0,
    "share": 0.0123,
    "limit": 0.02,
    "paid": 0.02,
    "own": 0.1,
    "ratio": 0.2,
    "sponsored": 3,
    "organic": 4,
    "objective": "reads",
    "value": 40_000.0,
    "cost": 4000.0,
    "rate": 10_000.0,
    "mix_rate": 9000.0,
    "left": 1234.0,
    "cap": 6000.0,
    "budget": 10_000.0,
    "content": "photo",
}
NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")


def test_every_flag_and_plan_reason_has_a_chinese_and_an_english_text() -> None:
    keys = [*FLAG_REASON_CODES, *(c + ".short" for c in FLAG_REASON_CODES), *PLAN_REASON_CODES]
    assert set(keys) == set(REASONS)
    for code in FLAG_CODES:
        assert any(r.startswith(code) for r in FLAG_REASON_CODES), code
    for key in keys:
        zh, en = REASONS[key]
        assert zh, key
        assert en, key
        assert zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), key


def test_a_reason_says_the_same_numbers_in_both_languages() -> None:
    for code in (*FLAG_REASON_CODES, *PLAN_REASON_CODES):
        for short in (False, True) if code in FLAG_REASON_CODES else (False,):
            zh = reason_text(code, SAMPLE, "zh", short=short)
            en = reason_text(code, SAMPLE, "en", short=short)
            assert sorted(NUMBER.findall(zh)) == sorted(NUMBER.findall(en)), (code, zh, en)


def test_a_flag_keeps_its_code_and_numbers_and_speaks_either_language() -> None:
    start = dt.date(2026, 10, 1)
    points = [FansPoint(date=start + dt.timedelta(days=i), num=20_000 - 10 * i) for i in range(30)]
    flag = falling_followers(points)
    assert flag is not None
    assert flag.reason_code == "falling_followers"
    assert flag.numbers["start"] == 20_000
    assert flag.numbers["end"] == 19_710
    assert flag.reason == flag.reason_in("en")
    assert "粉丝从 20,000 降到 19,710（-1.5%），历时 29 天" in flag.reason_in("zh")
    assert flag.reason_in("zh", short=True) == "29 天粉丝 -1.5%"
