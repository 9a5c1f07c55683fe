"""The request loop of both twins, with a mocked transport and a fake clock: no real sleeping."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pgyscout import AsyncClient, Client
from pgyscout.client import (
    AuthError,
    BalanceError,
    InvalidParamsError,
    QuotaError,
    UnknownCodeError,
    UpstreamUnavailableError,
)
from pgyscout.client.core import MAX_REFUSALS, RetryBudget, RetryPolicy
from tests.conftest import load_upstream

UID = "692d91eb000000001e037005"
NOTES_PAGE = load_upstream("real/notes_page1.json")
EMPTY = load_upstream("real/notes_empty.json")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    @property
    def waits(self) -> list[float]:
        return [s for s in self.sleeps if s > 0]


def answer(code: int, data: Any = None, message: str | None = None) -> httpx.Response:
    return httpx.Response(
        200, json={"code": code, "data": data, "message": message, "recordTime": None}
    )


Script = list[Callable[[httpx.Request], httpx.Response]]


def scripted(steps: Script, seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = steps[min(len(seen), len(steps)) - 1]
        return step(request)

    return handle


def always(response: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    def step(request: httpx.Request) -> httpx.Response:
        if isinstance(response, Exception):
            raise response
        return response

    return step


def run(
    twin: str, steps: Script, call: Callable[[Any], Any], **options: Any
) -> tuple[Any, list[httpx.Request], FakeClock]:
    """Run ``call(client)`` on the sync or async twin over a scripted transport."""
    seen: list[httpx.Request] = []
    clock = FakeClock()
    handler = scripted(steps, seen)
    common = {"clock": clock, "rng": random.Random(1), **options}
    if twin == "sync":
        with Client(
            "tok-unit-1234", transport=httpx.MockTransport(handler), sleep=clock.sleep, **common
        ) as client:
            result = call(client)
            return (list(result) if isinstance(result, Iterator) else result), seen, clock

    async def go() -> Any:
        async with AsyncClient(
            "tok-unit-1234",
            transport=httpx.MockTransport(handler),
            sleep=clock.async_sleep,
            **common,
        ) as client:
            result = call(client)
            if hasattr(result, "__aiter__"):
                return [item async for item in result]
            return await result

    return asyncio.run(go()), seen, clock


TWINS = pytest.mark.parametrize("twin", ["sync", "async"])


def notes_page(client: Any) -> Any:
    return client.creator_notes(UID)


@TWINS
def test_transient_failures_are_retried_until_success(twin: str) -> None:
    steps: Script = [
        always(answer(301, message="FAILED, RETRY")),
        always(httpx.Response(502, text="<html>bad gateway</html>")),
        always(httpx.ReadTimeout("timed out")),
        always(httpx.RemoteProtocolError("peer closed connection")),
        always(answer(500, message="SERVER ERROR")),
        always(httpx.Response(200, json=NOTES_PAGE)),
    ]
    page, seen, clock = run(twin, steps, notes_page, max_attempts=6)
    assert len(seen) == 6
    assert len(page.notes) == 8
    assert page.total == 60
    assert len(clock.waits) == 5
    for n, wait in enumerate(clock.waits, 1):
        assert 0 < wait <= min(30, 2 ** (n - 1))


@TWINS
def test_retries_run_out_with_a_typed_error(twin: str) -> None:
    page_or_error: list[Any] = []

    def call(client: Any) -> Any:
        return client.creator_notes(UID)

    with pytest.raises(UpstreamUnavailableError) as caught:
        run(twin, [always(answer(301, message="FAILED, RETRY"))], call, max_attempts=4)
    err = caught.value
    assert (err.code, err.attempts, err.endpoint) == (301, 4, "notes")
    assert "FAILED, RETRY" in str(err)
    assert "after 4 attempts" in str(err)
    assert not page_or_error


def failure_of(twin: str, steps: Script) -> tuple[BaseException, int]:
    """The error one notes call raises over ``steps``, and how many requests it made."""
    seen: list[httpx.Request] = []
    handler = httpx.MockTransport(scripted(steps, seen))
    try:
        if twin == "sync":
            with Client("tok", transport=handler, sleep=lambda s: None) as client:
                client.creator_notes(UID)
        else:

            async def go() -> None:
                async with AsyncClient(
                    "tok", transport=handler, sleep=FakeClock().async_sleep
                ) as client:
                    await client.creator_notes(UID)

            asyncio.run(go())
    except Exception as exc:
        return exc, len(seen)
    raise AssertionError("the call did not fail")


@TWINS
@pytest.mark.parametrize(
    ("code", "error"),
    [
        (100, AuthError),
        (303, QuotaError),
        (601, BalanceError),
        (400, InvalidParamsError),
        (999, UnknownCodeError),
    ],
)
def test_stop_codes_are_not_retried(twin: str, code: int, error: type[Exception]) -> None:
    raised, calls = failure_of(twin, [always(answer(code, message="NOPE"))])
    assert type(raised) is error
    assert raised.code == code  # type: ignore[attr-defined]
    assert calls == 1


@TWINS
def test_http_400_is_invalid_parameters_after_one_call(twin: str) -> None:
    sample = load_upstream("real/error_responses.json")["http_400_bad_request"]
    raised, calls = failure_of(twin, [always(httpx.Response(400, text=sample["body_text"]))])
    assert isinstance(raised, InvalidParamsError)
    assert calls == 1


@TWINS
def test_a_302_slows_every_later_request_of_the_client(twin: str) -> None:
    trend = load_upstream("real/fans_trend_30d_total.json")

    def by_endpoint(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=trend if request.url.path.endswith("fans-trend/v1") else NOTES_PAGE
        )

    steps: Script = [always(answer(302, message="RATE LIMIT")), by_endpoint]

    def two_calls(client: Any) -> Any:
        if isinstance(client, Client):
            client.creator_notes(UID)
            interval = client.pacer.interval
            client.fans_trend(UID)
            return interval, client.pacer.slowdowns

        async def both() -> Any:
            await client.creator_notes(UID)
            interval = client.pacer.interval
            await client.fans_trend(UID)
            return interval, client.pacer.slowdowns

        return both()

    (interval, slowdowns), seen, clock = run(twin, steps, two_calls)
    assert slowdowns == 1
    assert interval > 0
    # The second request (another endpoint, no failure of its own) still waited for its slot.
    starts = [r.url.path for r in seen]
    assert starts[-1].endswith("get-kol-fans-trend/v1")
    assert sum(clock.waits) >= interval


@TWINS
def test_302s_do_not_spend_the_retry_budget_nor_back_off(twin: str) -> None:
    """Six 302s in a row, then an answer, with 5 attempts allowed: the request succeeds. A
    302 asks the whole client to slow down, which the pacer does; it is no failure."""
    refused = always(answer(302, message="RATE LIMIT EXCEEDED"))
    steps: Script = [refused] * 6 + [always(httpx.Response(200, json=NOTES_PAGE))]
    page, seen, _ = run(twin, steps, notes_page, max_attempts=5)
    assert len(seen) == 7
    assert len(page.notes) == 8


def test_a_302_waits_for_the_pacer_only_a_failure_backs_off() -> None:
    budget = RetryBudget(RetryPolicy(max_attempts=5, base=1.0))
    rng = random.Random(3)
    assert not budget.spend(rate_limited=True)
    assert budget.delay(rng) == 0.0
    assert not budget.spend(rate_limited=False)
    assert 0 < budget.delay(rng) <= 1.0
    for _ in range(MAX_REFUSALS - 2):
        assert not budget.spend(rate_limited=True)
    assert budget.spend(rate_limited=True)  # a request refused forever still ends


@TWINS
def test_302s_mixed_with_failures_still_give_up(twin: str) -> None:
    flaky = always(answer(301, message="FAILED, RETRY"))
    refused = always(answer(302, message="RATE LIMIT EXCEEDED"))
    with pytest.raises(UpstreamUnavailableError) as caught:
        run(twin, [refused, flaky, refused, flaky, flaky], notes_page, max_attempts=3)
    assert caught.value.attempts == 5  # three failures and two 302s


@TWINS
def test_201_is_an_empty_result(twin: str) -> None:
    page, seen, _ = run(twin, [always(answer(201))], notes_page)
    assert page.notes == []
    assert page.total is None
    assert len(seen) == 1


@TWINS
def test_iteration_stops_at_total_and_at_max_pages(twin: str) -> None:
    def pages_of(total: int) -> Callable[[httpx.Request], httpx.Response]:
        def step(request: httpx.Request) -> httpx.Response:
            page = int(request.url.params["pageNumber"])
            start = (page - 1) * 8
            body = json.loads(json.dumps(NOTES_PAGE))
            body["data"]["list"] = body["data"]["list"][: max(0, min(8, total - start))]
            body["data"]["total"] = total
            return httpx.Response(200, json=body)

        return step

    notes, seen, _ = run(twin, [pages_of(20)], lambda c: c.iter_notes(UID))
    assert len(notes if isinstance(notes, list) else list(notes)) == 20
    assert [r.url.params["pageNumber"] for r in seen] == ["1", "2", "3"]

    limited, seen, _ = run(twin, [pages_of(60)], lambda c: c.iter_notes(UID, max_pages=2))
    assert len(limited if isinstance(limited, list) else list(limited)) == 16
    assert len(seen) == 2


@TWINS
def test_an_empty_first_page_is_one_call(twin: str) -> None:
    notes, seen, _ = run(
        twin, [always(httpx.Response(200, json=EMPTY))], lambda c: c.iter_notes(UID)
    )
    assert list(notes) == []
    assert len(seen) == 1


@TWINS
def test_invalid_input_makes_no_call(twin: str) -> None:
    with pytest.raises(ValueError, match="order must be one of"):
        run(twin, [always(answer(0))], lambda c: c.creator_notes(UID, order="newest"))


def test_listeners_see_every_attempt_without_the_token() -> None:
    records: list[Any] = []
    steps: Script = [
        always(answer(301, message="FAILED, RETRY")),
        always(httpx.Response(200, json=NOTES_PAGE)),
    ]
    _, seen, _ = run("sync", steps, notes_page, on_attempt=records.append)
    assert [(r.attempt, r.code, r.billed, r.verdict) for r in records] == [
        (1, 301, False, "retry"),
        (2, 0, True, "ok"),
    ]
    assert all("token" not in dict(r.params) for r in records)
    assert seen[0].url.params["token"] == "tok-unit-1234"


def test_the_request_carries_every_parameter_with_defaults() -> None:
    _, seen, _ = run("sync", [always(httpx.Response(200, json=NOTES_PAGE))], notes_page)
    params = dict(seen[0].url.params)
    assert params == {
        "token": "tok-unit-1234",
        "userId": UID,
        "advertiseSwitch": "ALL",
        "orderType": "LATEST",
        "noteType": "ALL",
        "isThirdPlatform": "NO",
        "pageNumber": "1",
    }
    assert seen[0].url.path == "/api/xiaohongshu-pgy/api/solar/kol/dataV2/notesDetail/v1"


class SlowCommitCache:
    """A cache that holds each answer's commit until told to go on (a busy disk)."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.go = asyncio.Event()
        self.arrived = asyncio.Event()
        self.counted_while_committing: list[int] = []

    def lookup(self, *args: Any) -> None:
        return None

    async def record_async(self, record: Any, envelope: Any) -> None:
        if envelope is not None:  # billed: what max_calls sees while this commit is pending
            self.counted_while_committing.append(self.client.stats.billed + self.client.in_flight)
            self.arrived.set()
            await self.go.wait()


def test_an_answer_being_committed_counts_once_against_max_calls() -> None:
    async def go() -> list[int]:
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json=NOTES_PAGE))
        async with AsyncClient("tok", transport=transport, max_calls=2) as client:
            cache = SlowCommitCache(client)
            client.cache = cache  # type: ignore[assignment]
            first = asyncio.create_task(client.creator_notes(UID))
            await cache.arrived.wait()
            cache.arrived.clear()
            # One answer bought and being saved: a second request is still within the cap.
            second = asyncio.create_task(client.creator_notes(UID, page=2))
            await cache.arrived.wait()
            cache.go.set()
            await asyncio.gather(first, second)
            return cache.counted_while_committing

    assert asyncio.run(asyncio.wait_for(go(), timeout=10)) == [1, 2]
