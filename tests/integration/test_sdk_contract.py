"""The official justoneapi SDK, pointed at the sandbox, gets answers shaped like the real ones.

This keeps the sandbox honest from a second, independent client: if the sandbox drifted from
the upstream contract in a way both it and pgyscout's client agreed on, this would catch it.
"""

from __future__ import annotations

from typing import Any

import pytest
from justoneapi import JustOneAPIClient

from pgyscout.sandbox import RunningSandbox
from tests.conftest import load_upstream

SEED_KOL_KEYS = list(load_upstream("seed/seed_search_response.json")["data"]["kols"][0])
REAL_NOTE_KEYS = list(load_upstream("real/notes_page1.json")["data"]["list"][0])
REAL_TREND = load_upstream("real/fans_trend_30d_total.json")


@pytest.fixture
def sdk(sandbox: RunningSandbox) -> Any:
    with JustOneAPIClient(token="sdk-contract-token", base_url=sandbox.url) as client:
        yield client.xiaohongshu_pgy  # type: ignore[attr-defined]


def test_search_through_the_sdk(sdk: Any) -> None:
    answer = sdk.api_solar_cooperator_blogger_v2_v1(
        fans_number_lower=10_000,
        fans_number_upper=100_000,
        fans_gender="FE_MALE_HIGH",
        content_tag="美食",
        page=2,
    )
    assert answer.success
    assert answer.code == 0
    assert set(answer.raw_json) == {"code", "data", "message", "recordTime"}
    data = answer.data
    assert {
        "kols",
        "total",
        "trackId",
        "highlightWords",
        "resultType",
        "redirect2NickSearch",
    } <= set(data)
    assert len(data["kols"]) == 20
    assert data["total"] > 40
    for kol in data["kols"]:
        assert list(kol) == SEED_KOL_KEYS  # same 146 fields, same order as the documented sample
        assert 10_000 <= kol["fansNum"] <= 100_000
        assert isinstance(kol["pictureReadCost"], str)  # upstream sends some numbers as text


def test_sdk_search_sort_by_fans(sdk: Any) -> None:
    fans = [k["fansNum"] for k in sdk.api_solar_cooperator_blogger_v2_v1(sort="FANS").data["kols"]]
    assert fans == sorted(fans, reverse=True)


def test_notes_through_the_sdk(sdk: Any) -> None:
    uid = sdk.api_solar_cooperator_blogger_v2_v1(fans_number_lower=50_000).data["kols"][0]["userId"]
    answer = sdk.api_solar_kol_data_v2_notes_detail_v1(
        user_id=uid, order_type="MOST_READ", page_number=1
    )
    assert answer.success
    notes = answer.data["list"]
    assert 0 < len(notes) <= 8
    assert answer.data["total"] >= len(notes)
    assert all(list(n) == REAL_NOTE_KEYS for n in notes)
    reads = [n["readNum"] for n in notes]
    assert reads == sorted(reads, reverse=True)


def test_trend_through_the_sdk(sdk: Any) -> None:
    uid = sdk.api_solar_cooperator_blogger_v2_v1().data["kols"][0]["userId"]
    answer = sdk.get_kol_fans_trend_v1(kol_id=uid, date_type="_1", increase_type="_1")
    assert answer.success
    data = answer.data
    assert set(data) == set(REAL_TREND["data"])
    assert len(data["list"]) == 30
    assert list(data["list"][0]) == list(REAL_TREND["data"]["list"][0])
    assert data["fansNumInc"] == data["list"][-1]["num"] - data["list"][0]["num"]
    assert 0 <= abs(data["fansNumIncRate"]) < 1  # a fraction, as in the real sample


def test_sdk_sees_business_errors_as_upstream_shapes_them(sandbox: RunningSandbox) -> None:
    with JustOneAPIClient(token="sandbox-no-balance", base_url=sandbox.url) as client:
        answer = client.xiaohongshu_pgy.api_solar_cooperator_blogger_v2_v1()  # type: ignore[attr-defined]
    assert not answer.success
    assert answer.code == 601
    assert answer.data is None
    assert answer.raw_json["recordTime"] is None
