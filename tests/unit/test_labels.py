"""The one label table: every label in both languages, the language chosen as documented, and one
way to write each kind of value."""

from __future__ import annotations

import pytest

from pgyscout.export.frames import CREATOR_COLUMNS, NOTE_COLUMNS, TREND_COLUMNS
from pgyscout.labels import (
    LABELS,
    fmt_count,
    fmt_money,
    fmt_share,
    header,
    label,
    resolve_lang,
)


def test_every_label_has_a_chinese_and_an_english_text() -> None:
    for key, (zh, en) in LABELS.items():
        assert zh.strip(), key
        assert en.strip(), key
        assert zh != en or key in {"cpm", "cpe"}, key


def test_every_export_column_has_a_label() -> None:
    for key in (*CREATOR_COLUMNS, *NOTE_COLUMNS, *TREND_COLUMNS):
        assert key in LABELS, key


def test_option_then_setting_then_locale() -> None:
    assert resolve_lang("zh", {"PGYSCOUT_LANG": "en", "LANG": "en_US.UTF-8"}) == "zh"
    assert resolve_lang(None, {"PGYSCOUT_LANG": "zh", "LANG": "en_US.UTF-8"}) == "zh"
    assert resolve_lang(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert resolve_lang(None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert resolve_lang(None, {}) == "en"
    assert resolve_lang(" EN ", {}) == "en"


@pytest.mark.parametrize("bad", ["fr", "chinese"])
def test_an_unknown_language_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"zh\|en"):
        resolve_lang(bad, {})
    with pytest.raises(ValueError, match="PGYSCOUT_LANG"):
        resolve_lang(None, {"PGYSCOUT_LANG": bad})


def test_lookup() -> None:
    assert label("expected_reads", "zh") == "预期阅读"
    assert label("expected_reads", "en") == "expected reads"
    assert header("someRawField", "zh") == "someRawField"
    with pytest.raises(KeyError):
        label("no_such_label", "en")


def test_numbers_in_chinese_use_wan_and_yi() -> None:
    assert fmt_count(135_234, "en") == "135,234"
    assert fmt_count(135_234, "zh") == "13.52万"
    assert fmt_count(9_999, "zh") == "9,999"
    assert fmt_count(250_000_000, "zh") == "2.5亿"
    assert fmt_count(None, "zh") == "–"
    assert fmt_money(22_000, "zh") == "¥2.2万"
    assert fmt_money(22_000, "en") == "¥22,000"
    assert fmt_money(0.374, "en") == "¥0.37"
    assert fmt_share(0.0316) == "3.2%"
    assert fmt_share(0.0316, signed=True) == "+3.2%"
    assert fmt_share(float("nan")) == "–"


def test_scopes_in_chinese() -> None:
    from pgyscout.labels import scope_text

    assert scope_text("search #3", "zh") == "搜索 #3"
    assert scope_text("shortlist '春季'", "zh") == "清单「春季」"
    assert scope_text("every stored creator (in 上海)", "zh") == "全部已存达人 (in 上海)"
    assert scope_text("2 creator(s)", "zh") == "2 位达人"
    assert scope_text("search #3", "en") == "search #3"
