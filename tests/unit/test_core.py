"""What each upstream answer means (data, retry, stop with which error), row by row, and
the paging rule, as pure functions."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pgyscout.client import (
    AuthError,
    BalanceError,
    EndpointGoneError,
    InvalidParamsError,
    PermissionDeniedError,
    QuotaError,
    SpendLimitError,
    UnknownCodeError,
)
from pgyscout.client.core import (
    NOTES,
    SEARCH,
    TREND,
    UNREACHABLE_ATTEMPTS,
    PageCursor,
    RetryPolicy,
    Verdict,
    classify_response,
    classify_transport_failure,
    page_count,
    redacted_url,
)
from tests.conftest import load_upstream


def envelope(code: int, message: str | None = None, data: object = None) -> bytes:
    return json.dumps({"code": code, "data": data, "message": message, "recordTime": None}).encode()


@pytest.mark.parametrize(
    ("status", "body", "verdict", "billed", "error"),
    [
        (200, envelope(0, data={"list": [], "total": 0}), Verdict.OK, True, None),
        (200, envelope(201), Verdict.NO_CONTENT, True, None),
        (200, envelope(301, "FAILED, RETRY"), Verdict.RETRY, False, None),
        (200, envelope(302, "RATE LIMIT"), Verdict.SLOW_DOWN, False, None),
        (200, envelope(500, "SERVER ERROR"), Verdict.RETRY, False, None),
        (502, b"<html>502 Bad Gateway</html>", Verdict.RETRY, False, None),
        (503, b"", Verdict.RETRY, False, None),
        (200, b"<html>not json</html>", Verdict.RETRY, False, None),
        (200, b'{"code":0,"da', Verdict.RETRY, False, None),
        (429, b"", Verdict.SLOW_DOWN, False, None),
        (200, envelope(100, "INVALID TOKEN"), Verdict.FAIL, False, AuthError),
        (200, envelope(303, "QUOTA"), Verdict.FAIL, False, QuotaError),
        (200, envelope(600, "DENIED"), Verdict.FAIL, False, PermissionDeniedError),
        (200, envelope(601, "BALANCE"), Verdict.FAIL, False, BalanceError),
        (200, envelope(602, "SPEND"), Verdict.FAIL, False, SpendLimitError),
        (200, envelope(400, "INVALID PARAMETER: fansAge"), Verdict.FAIL, False, InvalidParamsError),
        (400, envelope(400, "bad"), Verdict.FAIL, False, InvalidParamsError),
        (200, envelope(777, "NEW"), Verdict.FAIL, None, UnknownCodeError),
        (404, b"Not Found", Verdict.FAIL, None, EndpointGoneError),
        (410, b"Gone", Verdict.FAIL, None, EndpointGoneError),
        (403, b"Forbidden", Verdict.FAIL, None, UnknownCodeError),
    ],
)
def test_every_outcome_of_the_error_policy(status, body, verdict, billed, error) -> None:  # type: ignore[no-untyped-def]
    outcome = classify_response(status, body, NOTES)
    assert outcome.verdict is verdict
    assert outcome.billed is billed
    if error is None:
        assert outcome.error is None
    else:
        assert type(outcome.error) is error
        assert outcome.error.endpoint == "notes"


def test_real_http_400_with_a_spring_body_is_invalid_parameters() -> None:
    sample = load_upstream("real/error_responses.json")["http_400_bad_request"]
    outcome = classify_response(sample["http_status"], sample["body_text"].encode(), NOTES)
    assert outcome.verdict is Verdict.FAIL
    assert isinstance(outcome.error, InvalidParamsError)
    assert outcome.error.code == 400
    assert outcome.error.http_status == 400
    assert "Bad Request" in str(outcome.error)


@pytest.mark.parametrize("name", ["business_301", "business_500"])
def test_real_business_failures_are_retried(name: str) -> None:
    sample = load_upstream("real/error_responses.json")[name]
    outcome = classify_response(sample["http_status"], json.dumps(sample["body"]).encode(), SEARCH)
    assert outcome.verdict is Verdict.RETRY
    assert outcome.code == sample["body"]["code"]
    assert outcome.message == sample["body"]["message"]


def test_the_parameter_named_by_upstream_is_kept() -> None:
    outcome = classify_response(200, envelope(400, "INVALID PARAMETER: fansAge"), SEARCH)
    assert isinstance(outcome.error, InvalidParamsError)
    assert outcome.error.param == "fansAge"
    assert "parameter: fansAge" in str(outcome.error)


def test_string_codes_are_read_as_numbers() -> None:
    body = json.dumps({"code": "0", "data": {}, "message": None}).encode()
    assert classify_response(200, body, TREND).verdict is Verdict.OK


def test_an_endpoint_that_disappeared_says_so() -> None:
    outcome = classify_response(404, b"", TREND)
    assert isinstance(outcome.error, EndpointGoneError)
    assert "no longer served" in str(outcome.error)
    assert outcome.error.hint
    assert "deprecated" in outcome.error.hint


def test_transport_failures_are_retried_and_not_billed() -> None:
    outcome = classify_transport_failure("timeout", "ReadTimeout")
    assert (outcome.verdict, outcome.billed) == (Verdict.RETRY, False)


def test_backoff_ceilings_double_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, base=1.0, cap=30.0)
    assert [policy.ceiling(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


@given(
    st.integers(min_value=1, max_value=200),
    st.floats(min_value=0, max_value=10),
    st.floats(min_value=0, max_value=120),
    st.integers(),
)
def test_full_jitter_stays_between_zero_and_the_ceiling(
    n: int, base: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(max_attempts=5, base=base, cap=cap)
    delay = policy.delay(n, random.Random(seed))
    assert 0 <= delay <= min(cap, base * 2 ** min(n - 1, 62)) + 1e-9


def test_retry_decisions() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert classify_transport_failure("timeout").verdict is Verdict.RETRY
    assert classify_response(200, envelope(100), SEARCH).verdict is Verdict.FAIL
    assert policy.attempts_for() == 3
    assert policy.attempts_for(unreachable=True) == min(3, UNREACHABLE_ATTEMPTS)
    assert RetryPolicy(max_attempts=9).attempts_for(unreachable=True) == UNREACHABLE_ATTEMPTS
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


def pages_requested(
    total: int, page_size: int, first: int = 1, max_pages: int | None = None
) -> list[int]:
    """Drive a cursor against a fake upstream with ``total`` items."""
    cursor = PageCursor(first_page=first, max_pages=max_pages, page_size=page_size)
    asked = []
    while (page := cursor.next_page()) is not None:
        asked.append(page)
        start = (page - 1) * page_size
        cursor.record(max(0, min(page_size, total - start)), total)
        assert len(asked) < 10_000
    return asked


@settings(max_examples=500)
@given(
    st.integers(min_value=0, max_value=2_000),
    st.sampled_from([8, 20]),
    st.integers(min_value=1, max_value=30),
    st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
)
def test_paging_never_asks_past_total(
    total: int, size: int, first: int, max_pages: int | None
) -> None:
    asked = pages_requested(total, size, first, max_pages)
    last_useful = -(-total // size)
    if asked:
        assert asked[0] == first
        assert asked == list(range(first, first + len(asked)))
    if max_pages is not None:
        assert len(asked) <= max_pages
    # Only the first request may be empty (nobody knows total before it).
    assert all(page <= last_useful for page in asked[1:])
    if first <= last_useful:
        expected = last_useful - first + 1
        assert len(asked) == (expected if max_pages is None else min(expected, max_pages))


def test_paging_examples() -> None:
    assert pages_requested(60, 8) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert pages_requested(72, 8) == list(range(1, 10))
    assert pages_requested(0, 8) == [1]
    assert pages_requested(41, 20, max_pages=2) == [1, 2]
    assert pages_requested(5000, 20) == list(range(1, 251))


def test_an_empty_page_ends_paging_even_when_total_says_more() -> None:
    cursor = PageCursor(page_size=20)
    assert cursor.next_page() == 1
    cursor.record(20, 100)
    assert cursor.next_page() == 2
    cursor.record(0, 100)
    assert cursor.next_page() is None


def test_a_larger_page_than_documented_is_believed() -> None:
    cursor = PageCursor(page_size=8)
    cursor.record(10, 20)
    assert cursor.next_page() == 2
    cursor.record(10, 20)
    assert cursor.next_page() is None


def test_redacted_url_masks_the_token() -> None:
    url = redacted_url("https://api.justoneapi.com", NOTES, {"userId": "x", "pageNumber": "2"})
    assert url.endswith("?token=***&userId=x&pageNumber=2")


def test_starting_late_a_short_last_page_ends_paging() -> None:
    # Found by hypothesis: page 4 of 25 items holds 1; page 5 must not be bought.
    assert pages_requested(25, 8, first=4) == [4]
    assert pages_requested(25, 8, first=3) == [3, 4]


def test_upstream_key_is_one_spelling_per_server() -> None:
    from pgyscout.client.core import upstream_key

    assert upstream_key("HTTPS://API.JustOneAPI.com:443/") == "https://api.justoneapi.com"
    assert upstream_key("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert upstream_key("http://localhost:80/base/") == "http://localhost/base"
    assert upstream_key("http://[::1]:8765") == "http://[::1]:8765"
    assert upstream_key("http://127.0.0.1:8765") != upstream_key("https://api.justoneapi.com")


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=100))
def test_page_count_is_the_one_page_arithmetic(total: int, size: int) -> None:
    pages = page_count(total, size)
    assert (pages - 1) * size < total <= pages * size or (total == 0 and pages == 0)
