"""The client over real loopback HTTP against the sandbox: every upstream outcome (success,
no content, each retryable failure, each stopping code) and what the client does with it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from pgyscout import AsyncClient, Client
from pgyscout.client import (
    AuthError,
    BalanceError,
    EndpointGoneError,
    InvalidParamsError,
    PermissionDeniedError,
    QuotaError,
    SpendLimitError,
    UnknownCodeError,
    UpstreamUnavailableError,
)
from pgyscout.sandbox import NOTES_PATH, TREND_PATH, RunningSandbox

FAST = {"retry_wait": 0.01, "retry_cap": 0.05}


def client_for(
    sandbox: RunningSandbox, token: str = "tok-integration", **options: object
) -> Client:
    return Client(token, base_url=sandbox.url, **{**FAST, **options})  # type: ignore[arg-type]


def test_search_honours_every_filter(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        page = client.search_creators(
            fans_min=20_000,
            fans_max=200_000,
            gender="female",
            fans_gender="female",
            content_tags=["美妆", "护肤"],
        )
    assert page.total
    assert page.total > 20
    assert len(page.creators) == 20
    for creator in page.creators:
        assert 20_000 <= (creator.fans_num or 0) <= 200_000
        assert creator.gender == "女"
        tags = {t.category for t in creator.content_tags or []} | {
            s for t in creator.content_tags or [] for s in t.subcategories
        }
        assert tags & {"美妆", "护肤"}
        assert len(creator.raw) == 146


def test_keyword_searches_by_nickname_and_by_note(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        by_name = client.search_creators(keyword="咖啡")
        by_note = client.search_creators(keyword="咖啡", search_type="note")
        uid = by_note.creators[0].user_id
        titles = [n.title or "" for n in client.iter_notes(uid, max_pages=50)]
    assert by_name.total
    assert all("咖啡" in (c.name or "") for c in by_name.creators)
    assert by_note.total
    assert by_note.total > (by_name.total or 0)
    assert any("咖啡" in t for t in titles)


def test_audience_age_filter_changes_the_answer(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        young = client.search_creators(fans_age="lt18")
        everyone = client.search_creators()
    assert everyone.total == 5000  # capped, as upstream caps it
    assert young.total is not None
    assert 0 < young.total < 1000


def test_iterating_all_pages_costs_exactly_one_call_per_page(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        creators = list(client.iter_creators(fans_min=1_000_000))
        total = client.search_creators(fans_min=1_000_000).total
    assert total is not None
    assert len(creators) == total
    assert len({c.user_id for c in creators}) == total
    stats = sandbox.counters.snapshot()
    pages = -(-total // 20)
    assert stats["by_endpoint"]["search"] == pages + 1  # every page once, plus the check above
    assert stats["max_billed_per_request"] == 2  # page 1 asked twice on purpose; nothing else


def test_notes_pages_orders_and_filters(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        uid = client.search_creators(fans_min=50_000).creators[0].user_id
        first = client.creator_notes(uid)
        everything = list(client.iter_notes(uid))
        by_reads = list(client.iter_notes(uid, order="most-read", max_pages=3))
        organic = list(client.iter_notes(uid, advertise_switch="organic"))
        videos = list(client.iter_notes(uid, note_type="video"))
        sponsored = list(client.iter_notes(uid, note_type="cooperation"))
    assert first.total == len(everything)
    assert len(first.notes) == min(8, len(everything))
    dates = [n.date for n in everything]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    reads = [n.read_num for n in by_reads]
    assert reads == sorted(reads, reverse=True)  # type: ignore[type-var]
    assert all(not n.is_advertise for n in organic)
    assert all(n.is_advertise for n in sponsored)
    assert len(organic) + len(sponsored) == len(everything)
    assert all(n.is_video for n in videos)


def test_a_creator_outside_the_marketplace_has_no_notes(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        assert list(client.iter_notes("000000000000000000000000")) == []
    assert sandbox.counters.snapshot()["calls"] == 1


def test_trend_30_and_60_days_total_and_increase(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        creator = client.search_creators(fans_min=10_000).creators[0]
        total = client.fans_trend(creator.user_id, days=30)
        longer = client.fans_trend(creator.user_id, days=60)
        new = client.fans_trend(creator.user_id, days=30, metric="increase")
    assert len(total.points) == 30
    assert len(longer.points) == 60
    assert len(new.points) == 30
    assert total.points[-1].num == creator.fans_num  # the history ends at today's followers
    assert total.fans_num_inc == total.points[-1].num - total.points[0].num  # type: ignore[operator]
    assert total.fans_num_inc_rate == pytest.approx(total.fans_num_inc / total.points[0].num)  # type: ignore[operator]
    dates = [p.date for p in longer.points]
    assert dates == sorted(dates)  # type: ignore[type-var]
    assert (total.days, total.metric, new.metric) == (30, "total", "increase")


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("sandbox-invalid-token", AuthError),
        ("sandbox-quota-exceeded", QuotaError),
        ("sandbox-permission-denied", PermissionDeniedError),
        ("sandbox-no-balance", BalanceError),
        ("sandbox-spend-limit", SpendLimitError),
        ("sandbox-unknown-code", UnknownCodeError),
    ],
)
def test_account_codes_stop_at_once(
    sandbox: RunningSandbox, token: str, error: type[Exception]
) -> None:
    with client_for(sandbox, token=token) as client, pytest.raises(error):
        client.search_creators()
    assert sandbox.counters.snapshot()["calls"] == 1


@pytest.mark.parametrize(
    ("fault", "answer"),
    [
        ("fault_301", "301"),
        ("fault_500", "500"),
        ("fault_http5xx", "http_502"),
        ("fault_drop", "drop"),
    ],
)
def test_persistent_faults_run_out_of_retries(
    small_sandbox: Callable[..., RunningSandbox], fault: str, answer: str
) -> None:
    sandbox = small_sandbox(**{fault: 1.0})
    with (
        client_for(sandbox, max_attempts=3) as client,
        pytest.raises(UpstreamUnavailableError) as caught,
    ):
        client.search_creators()
    assert caught.value.attempts == 3
    stats = sandbox.counters.snapshot()
    assert stats["calls"] == 3
    assert stats["by_code"] == {answer: 3}
    assert stats["billed"] == 0


def test_a_flaky_upstream_loses_nothing_and_bills_each_request_once(
    small_sandbox: Callable[..., RunningSandbox],
) -> None:
    sandbox = small_sandbox(fault_301=0.15, fault_500=0.05, fault_http5xx=0.05, fault_drop=0.05)
    clean = small_sandbox()
    with client_for(sandbox, max_attempts=10) as flaky_client, client_for(clean) as clean_client:
        uids = [c.user_id for c in clean_client.search_creators().creators[:6]]
        expected = {uid: [n.note_id for n in clean_client.iter_notes(uid)] for uid in uids}
        sandbox.counters.reset()
        got = {uid: [n.note_id for n in flaky_client.iter_notes(uid)] for uid in uids}
        retries = flaky_client.stats.retries
    assert got == expected
    stats = sandbox.counters.snapshot()
    assert retries > 0
    assert stats["calls"] > stats["billed"]
    assert stats["max_billed_per_request"] == 1


def test_rate_limiting_slows_the_client_and_it_still_finishes(
    small_sandbox: Callable[..., RunningSandbox],
) -> None:
    sandbox = small_sandbox(rate_limit=20)
    with client_for(sandbox, max_attempts=8, retry_wait=0.05) as client:
        uids = [c.user_id for c in client.search_creators().creators]
        trends = [client.fans_trend(uid) for uid in uids * 3]
        slowdowns = client.pacer.slowdowns
    assert len(trends) == 60
    assert all(len(t.points) == 30 for t in trends)
    stats = sandbox.counters.snapshot()
    assert stats["by_code"].get("302", 0) > 0
    assert slowdowns > 0
    assert stats["distinct_billed"] == 21


def test_a_removed_endpoint_is_named(small_sandbox: Callable[..., RunningSandbox]) -> None:
    sandbox = small_sandbox(trend_gone=True)
    with client_for(sandbox) as client, pytest.raises(EndpointGoneError, match="no longer served"):
        client.fans_trend("5d21ab6b000000001201567d")


def test_quota_runs_out_mid_work(small_sandbox: Callable[..., RunningSandbox]) -> None:
    sandbox = small_sandbox(quota=3)
    with client_for(sandbox, token="tok-quota-test") as client:
        busiest = max(client.search_creators().creators, key=lambda c: c.total_note_count or 0)
        assert (busiest.total_note_count or 0) > 3 * 8
        fetched = []
        with pytest.raises(QuotaError):
            fetched.extend(client.iter_notes(busiest.user_id))
    assert len(fetched) == 2 * 8  # search + two note pages were the 3 billed answers


def test_sandbox_error_shapes_are_the_real_ones(sandbox: RunningSandbox) -> None:
    missing = httpx.get(f"{sandbox.url}{NOTES_PATH}", params={"token": "t"})
    assert missing.status_code == 400
    assert set(missing.json()) == {"timestamp", "status", "error", "path"}
    bad = httpx.get(
        f"{sandbox.url}{TREND_PATH}",
        params={"token": "t", "kolId": "x", "dateType": "_9", "increaseType": "_1"},
    )
    assert bad.status_code == 200
    assert bad.json() == {
        "code": 400,
        "data": None,
        "message": "INVALID PARAMETER: dateType",
        "recordTime": None,
    }


def test_async_twin_matches_sync_and_runs_concurrently(
    small_sandbox: Callable[..., RunningSandbox],
) -> None:
    sandbox = small_sandbox(latency_ms=20)  # answers that take time, so requests overlap
    with client_for(sandbox) as client:
        uids = [c.user_id for c in client.search_creators().creators[:8]]
        expected = {uid: [n.note_id for n in client.iter_notes(uid, max_pages=3)] for uid in uids}
    sandbox.counters.reset()

    async def fetch_all() -> dict[str, list[str]]:
        async with AsyncClient("tok-async", base_url=sandbox.url, **FAST) as aclient:  # type: ignore[arg-type]

            async def one(uid: str) -> list[str]:
                return [n.note_id async for n in aclient.iter_notes(uid, max_pages=3)]

            results = await asyncio.gather(*(one(uid) for uid in uids))
            trend = await aclient.fans_trend(uids[0], days=60)
            assert len(trend.points) == 60
            return dict(zip(uids, results, strict=True))

    assert asyncio.run(fetch_all()) == expected
    assert sandbox.counters.snapshot()["peak_in_flight"] > 1


def test_a_body_that_is_not_json_is_retried(small_sandbox: Callable[..., RunningSandbox]) -> None:
    sandbox = small_sandbox(fault_garbled=1.0)
    with (
        client_for(sandbox, max_attempts=2) as client,
        pytest.raises(UpstreamUnavailableError) as caught,
    ):
        client.search_creators()
    assert "not JSON" in caught.value.message
    assert sandbox.counters.snapshot()["by_code"] == {"garbled": 2}


def test_201_no_content_is_an_empty_billed_result(
    small_sandbox: Callable[..., RunningSandbox],
) -> None:
    sandbox = small_sandbox(no_content=1.0)
    with client_for(sandbox) as client:
        page = client.search_creators()
        notes = list(client.iter_notes("5d21ab6b000000001201567d"))
    assert page.creators == []
    assert page.total is None
    assert notes == []
    stats = sandbox.counters.snapshot()
    assert stats["calls"] == 2
    assert stats["billed"] == 2


def test_timeouts_are_retried_and_then_reported(
    small_sandbox: Callable[..., RunningSandbox],
) -> None:
    sandbox = small_sandbox(latency_ms=400)
    with client_for(sandbox, timeout=0.05, max_attempts=2) as client:
        with pytest.raises(UpstreamUnavailableError) as caught:
            client.search_creators()
        assert "timeout" in caught.value.message
        # The same client with room to wait gets the answer.
    with client_for(sandbox, timeout=5) as patient:
        assert patient.search_creators().creators


def test_upstream_invalid_parameters_over_http(sandbox: RunningSandbox) -> None:
    """The client never sends what upstream would refuse, so this reaches past validation."""
    from pgyscout.client._base import PreparedRequest
    from pgyscout.client.core import NOTES, TREND

    with client_for(sandbox) as client:
        with pytest.raises(InvalidParamsError) as missing:
            client._call(PreparedRequest(NOTES, {"pageNumber": "1"}))
        with pytest.raises(InvalidParamsError) as bad:
            client._call(
                PreparedRequest(TREND, {"kolId": "x", "dateType": "_7", "increaseType": "_1"})
            )
    assert missing.value.http_status == 400
    assert bad.value.param == "dateType"
    assert sandbox.counters.snapshot()["calls"] == 2
