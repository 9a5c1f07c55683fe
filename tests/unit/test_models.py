"""Parsers against every upstream sample, checked with golden files.

Regenerate the goldens after a deliberate model change with PGYSCOUT_UPDATE_GOLDEN=1, then
read the diff before committing it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pgyscout.models import Creator, Note, parse_creator_page, parse_fans_trend, parse_note_page
from pgyscout.models.numbers import to_float, to_int
from tests.conftest import GOLDEN, SHARED, UPSTREAM, load_upstream, upstream_files


def parse_any(name: str, envelope: dict[str, Any]) -> Any:
    data = envelope.get("data") or {}
    if "kols" in data:
        return parse_creator_page(envelope, 1)
    if "fansNumInc" in data:
        return parse_fans_trend(envelope, "5d21ab6b000000001201567d", 30, "total")
    return parse_note_page(envelope, "5d21ab6b000000001201567d", 1)


def success_samples() -> list[Path]:
    return [p for p in upstream_files() if p.name != "error_responses.json"]


@pytest.mark.parametrize("path", success_samples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parsed_samples_match_their_golden_files(path: Path) -> None:
    envelope = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_any(path.name, envelope).model_dump(mode="json")
    golden = GOLDEN / f"{path.parent.name}__{path.stem}.json"
    if os.environ.get("PGYSCOUT_UPDATE_GOLDEN") == "1":
        golden.write_text(
            json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    assert golden.exists(), f"no golden file {golden.name}: run with PGYSCOUT_UPDATE_GOLDEN=1"
    assert parsed == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", success_samples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_raw_records_are_kept_exactly(path: Path) -> None:
    envelope = json.loads(path.read_text(encoding="utf-8"))
    original = copy.deepcopy(envelope)
    result = parse_any(path.name, envelope)
    data = original["data"]
    key = "kols" if "kols" in data else "list"
    items = (
        getattr(result, "creators", None)
        or getattr(result, "notes", None)
        or getattr(result, "points", [])
    )
    assert [item.raw for item in items] == data[key]
    assert result.raw == data
    assert envelope == original  # parsing mutated nothing


def test_seed_creator_fields() -> None:
    creator = parse_creator_page(load_upstream("seed/seed_search_response.json"), 1).creators[0]
    assert creator.user_id == "5fe83d6600000000010078c7"
    assert creator.name == "鹤竹zzzz"
    assert creator.red_id == "1032482443"
    assert creator.fans_num == 4544
    assert creator.picture_read_cost == pytest.approx(0.31)  # sent as the string "0.31"
    assert creator.video_read_cost == 0.0
    assert creator.fans30_growth_rate == pytest.approx(130.9)  # a percent number, kept as one
    assert creator.m_engagement_num == 1278
    assert creator.fans_active_in28d_lv == pytest.approx(98.8)
    assert creator.categories == ["兴趣爱好"]
    assert creator.content_tags
    assert creator.content_tags[0].subcategories == ["阅读"]
    assert creator.picture_offered
    assert not creator.video_offered
    assert creator.estimate_picture_cpm == pytest.approx(5.26)
    # Fields without a typed attribute are kept under their upstream names.
    assert creator.model_extra is not None
    assert creator.model_extra["clothingIndustryPrice"]["industryId"] == 0
    assert creator.model_extra["mengagementNum"] == 1278
    assert len(creator.raw) == 146


def test_real_notes_fields() -> None:
    page = parse_note_page(load_upstream("real/notes_page1.json"), "x" * 24, 1)
    assert page.total == 60
    assert len(page.notes) == 8
    note = page.notes[2]
    assert note.date == dt.date(2025, 11, 21)
    assert note.brand_name == "Lina和Bill的眼镜丹阳店"
    assert note.is_advertise is False
    assert note.is_video is False
    assert note.interactions == 12 + 7
    assert page.notes[4].third_read_user_num == 95


def test_real_trend_fields() -> None:
    trend = parse_fans_trend(load_upstream("real/fans_trend_30d_total.json"), "k" * 24, 30, "total")
    assert len(trend.points) == 30
    assert trend.points[0].date == dt.date(2025, 11, 8)
    assert trend.points[0].num == 12421
    assert trend.points[-1].date == dt.date(2025, 12, 7)
    assert trend.points[-1].num == 15139
    assert trend.fans_num_inc == 15139 - 12421
    assert trend.fans_num_inc_rate == pytest.approx(2718 / 12421)  # a fraction, not a percent


def test_empty_notes() -> None:
    page = parse_note_page(load_upstream("real/notes_empty.json"), "x" * 24, 1)
    assert page.notes == []
    assert page.total == 0


def test_odd_values_do_not_break_a_record() -> None:
    note = Note.from_raw(
        {
            "noteId": "n1",
            "readNum": "1,234",
            "likeNum": None,
            "collectNum": "x",
            "date": "bad",
            "isVideo": 1,
            "new": 5,
        }
    )
    assert note.read_num == 1234
    assert note.like_num is None
    assert note.collect_num is None
    assert note.date is None
    assert note.is_video is True
    assert note.model_extra == {"new": 5}
    creator = Creator.from_raw({"userId": "u", "fansNum": 12.0, "pictureReadCost": "0.5%"})
    assert creator.fans_num == 12
    assert creator.picture_read_cost == 0.5


def test_the_repo_copy_of_the_shared_fixtures_is_exact() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/fixtures is not beside this clone")
    shared = {p.relative_to(SHARED): p.read_bytes() for p in SHARED.rglob("*.json")}
    ours = {p.relative_to(UPSTREAM): p.read_bytes() for p in UPSTREAM.rglob("*.json")}
    assert ours == shared


@given(
    st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_numbers_survive_as_strings(value: float) -> None:
    assert to_float(str(value)) == pytest.approx(float(value))
    assert to_float(value) == pytest.approx(float(value))
    if float(value).is_integer() and abs(value) < 2**53:
        assert to_int(value) == int(value)
        assert to_int(str(int(value))) == int(value)


@given(
    st.one_of(st.text(max_size=12), st.none(), st.booleans(), st.lists(st.integers(), max_size=2))
)
def test_unreadable_numbers_become_none_never_errors(value: Any) -> None:
    result = to_float(value)
    assert result is None or isinstance(result, float)


def test_answer_problem_accepts_every_real_success_and_names_what_is_broken() -> None:
    from pgyscout.models import answer_problem
    from tests.conftest import upstream_files

    for path in upstream_files():
        envelope = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(envelope, dict) and envelope.get("code") == 0:
            for endpoint in ("search", "notes", "trend"):
                key = {"search": "kols", "notes": "list", "trend": "list"}[endpoint]
                if key in (envelope.get("data") or {}):
                    items = envelope["data"][key]
                    ids = {"search": "userId", "notes": "noteId", "trend": "dateKey"}[endpoint]
                    if all(isinstance(i, dict) and ids in i for i in items):
                        assert answer_problem(endpoint, envelope) is None, path
    assert answer_problem("notes", {"code": 0, "data": None}) == "data is null, not an object"
    assert answer_problem("trend", {"code": 0, "data": "busy"}) == "data is str, not an object"
    notes = {"code": 0, "data": {"list": [{"noteId": "a"}, {"title": "x"}], "total": 2}}
    assert answer_problem("notes", notes) == "record 2 of data.list has no noteId"
    assert answer_problem("search", {"code": 0, "data": {"kols": "x"}}) == (
        "data.kols is str, not a list"
    )
    assert answer_problem("search", {"code": 0, "data": {"kols": [{"userId": 5}]}}) is not None
    assert answer_problem("notes", {"code": 0, "data": {"list": [], "total": 0}}) is None
