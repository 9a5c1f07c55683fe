from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pgyscout.client.params import (
    ALL_CHOICES,
    FANS_AGE,
    FANS_GENDER,
    canonical,
    check_user_id,
    notes_params,
    search_params,
    split_tags,
    trend_params,
)
from pgyscout.errors import InvalidInputError

UID = "5d21ab6b000000001201567d"


def test_search_defaults_are_the_seed_defaults() -> None:
    assert search_params() == {
        "searchType": "NICKNAME",
        "page": "1",
        "fansAge": "ALL",
        "fansGender": "ALL",
        "gender": "ALL",
    }


def test_search_maps_aliases_and_upstream_values_alike() -> None:
    friendly = search_params(
        keyword=" 咖啡 ",
        search_type="note",
        page=3,
        fans_min=10_000,
        fans_max=50_000,
        fans_age="18-24",
        fans_gender="female",
        gender="female",
        content_tags="美食，旅行",
    )
    upstream = search_params(
        keyword="咖啡",
        search_type="NOTE",
        page=3,
        fans_min=10_000,
        fans_max=50_000,
        fans_age="AGE_18_24",
        fans_gender="FE_MALE_HIGH",
        gender="FEMALE",
        content_tags=["美食", "旅行"],
    )
    assert friendly == upstream
    assert upstream["contentTag"] == "美食,旅行"
    assert upstream["fansNumberLower"] == "10000"


@pytest.mark.parametrize(
    ("alias", "value"),
    [
        ("lt18", "LT_18"),
        ("25-34", "AGE_25_34"),
        ("gt44", "GT_44"),
        ("age_35_44", "AGE_35_44"),
        ("ALL", "ALL"),
    ],
)
def test_fans_age_aliases(alias: str, value: str) -> None:
    assert FANS_AGE.normalize(alias) == value


def test_notes_defaults_and_aliases() -> None:
    assert notes_params(UID) == {
        "userId": UID,
        "advertiseSwitch": "ALL",
        "orderType": "LATEST",
        "noteType": "ALL",
        "isThirdPlatform": "NO",
        "pageNumber": "1",
    }
    p = notes_params(
        UID.upper(),
        order="most-read",
        note_type="photo",
        advertise_switch="organic",
        third_platform=True,
    )
    assert p["userId"] == UID
    assert (p["orderType"], p["noteType"], p["advertiseSwitch"], p["isThirdPlatform"]) == (
        "MOST_READ",
        "PHOTO_TEXT",
        "ORGANIC_ONLY",
        "YES",
    )


def test_trend_days_and_metric() -> None:
    assert trend_params(UID) == {
        "kolId": UID,
        "dateType": "_1",
        "increaseType": "_1",
        "acceptCache": "false",
    }
    assert trend_params(UID, days=60, metric="increase", accept_cache=True) == {
        "kolId": UID,
        "dateType": "_2",
        "increaseType": "_2",
        "acceptCache": "true",
    }
    assert trend_params(UID, days="_2", metric="_2")["dateType"] == "_2"


@pytest.mark.parametrize(
    ("call", "param", "words"),
    [
        (lambda: search_params(fans_age="teens"), "fans_age", "lt18|18-24"),
        (lambda: search_params(fans_gender="both"), "fans_gender", "male|female"),
        (lambda: search_params(page=0), "page", "from 1 to"),
        (lambda: search_params(page=-2), "page", "from 1 to"),
        (lambda: search_params(fans_min=-1), "fans_min", "from 0 to"),
        (lambda: search_params(fans_min=10, fans_max=5), "fans_min", "must not be above"),
        (lambda: notes_params("12345"), "user_id", "24-character"),
        (lambda: notes_params(UID, order="oldest"), "order", "latest|most-read|most-interact"),
        (lambda: trend_params(UID, days=90), "days", "30|60"),
        (lambda: trend_params(UID, metric="delta"), "metric", "total|increase"),
    ],
)
def test_bad_values_are_refused_with_what_is_allowed(call, param: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as caught:
        call()
    assert caught.value.param == param
    assert isinstance(caught.value, ValueError)
    assert words in str(caught.value)


def test_split_tags_dedupes_and_accepts_full_width_commas() -> None:
    assert split_tags(["美食,旅行", "美食", " 家居 "]) == ["美食", "旅行", "家居"]
    assert split_tags("美食，美妆") == ["美食", "美妆"]
    assert split_tags(None) == []


def test_canonical_leaves_out_the_token_and_sorts() -> None:
    assert canonical({"b": 2, "token": "x", "a": "1"}) == (("a", "1"), ("b", "2"))


@given(st.sampled_from(ALL_CHOICES), st.data())
def test_every_value_and_alias_normalizes_in_any_case(choice, data) -> None:  # type: ignore[no-untyped-def]
    word = data.draw(st.sampled_from(list(choice.values) + list(choice.aliases)))
    cased = data.draw(st.sampled_from([word, word.upper(), word.lower(), word.title()]))
    assert choice.normalize(cased) in choice.values


@given(st.text(max_size=20))
def test_any_text_either_normalizes_or_is_refused_cleanly(text: str) -> None:
    known = {w.lower() for w in (*FANS_GENDER.values, *FANS_GENDER.aliases)}
    if text.strip().lower() in known:
        assert FANS_GENDER.normalize(text) in FANS_GENDER.values
    else:
        with pytest.raises(InvalidInputError, match="fans_gender must be one of"):
            FANS_GENDER.normalize(text)


@given(st.text(max_size=30))
def test_user_ids_are_24_hex_or_refused(text: str) -> None:
    try:
        uid = check_user_id(text)
    except InvalidInputError:
        return
    assert len(uid) == 24
    int(uid, 16)


@given(
    st.one_of(st.none(), st.integers(min_value=-5, max_value=10**9)),
    st.one_of(st.none(), st.integers(min_value=-5, max_value=10**9)),
    st.integers(min_value=-3, max_value=500),
)
def test_search_validation_is_total(lower, upper, page) -> None:  # type: ignore[no-untyped-def]
    try:
        params = search_params(fans_min=lower, fans_max=upper, page=page)
    except InvalidInputError:
        assert (
            page < 1
            or (lower is not None and lower < 0)
            or (upper is not None and upper < 0)
            or (lower is not None and upper is not None and lower > upper)
        )
        return
    assert int(params["page"]) == page >= 1
