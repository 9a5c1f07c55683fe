"""``AsyncClient``: the awaitable twin. Its loop mirrors ``Client``'s line for line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tenacity import AsyncRetrying, retry_if_exception_type

from pgyscout import models
from pgyscout.client._base import AnswerRefused, ClientBase, PreparedRequest
from pgyscout.client._errors import TransientError
from pgyscout.client._httpx import httpx
from pgyscout.client.core import NOTES, SEARCH, RetryBudget

if TYPE_CHECKING:
    from pgyscout.models import Creator, CreatorPage, FansTrend, Note, NotePage


class AsyncClient(ClientBase):
    """Awaitable client of the three Pugongying endpoints; see ``Client`` for the contract."""

    def __init__(
        self,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **options: Any,
    ) -> None:
        super().__init__(token, **options)
        self._sleep = sleep
        self._http = httpx.AsyncClient(transport=transport, **self._http_options())

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- the request loop --------------------------------------------------------------
    async def _attempt(self, request: PreparedRequest, attempt: int) -> dict[str, Any]:
        while (wait := self.pacer.reserve()) > 0:
            await self._sleep(wait)
        self._admit(request)
        counted = False
        try:
            started, wall = self._clock(), self._now()
            try:
                deadline = self._deadline(started)
                async with self._http.stream(
                    "GET", request.endpoint.path, params=self._query(request)
                ) as response:
                    self._check_declared_size(response)
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        self._check_body(len(body), deadline)
                outcome = self._outcome_of_response(request, response, bytes(body))
            except (httpx.TransportError, AnswerRefused) as exc:
                outcome = self._outcome_of_exception(exc)
            record, billed_answer = self._attempt_record(request, outcome, attempt, started, wall)
            # In the totals now (billed or not): while its answer is being committed it must not
            # count twice against max_calls, or a sibling request is refused for nothing.
            self.in_flight -= 1
            counted = True
            if self.cache is not None:
                # Durable before anyone sees it: a crash after this line loses nothing paid for.
                await self._record_async(record, billed_answer)
            return self._conclude(request, outcome, record)
        finally:
            if not counted:
                self.in_flight -= 1

    async def _call(self, request: PreparedRequest) -> dict[str, Any]:
        self._refuse_if_stopped()
        cached = self._from_cache(request)
        if cached is not None:
            return cached
        budget = RetryBudget(self.policy)
        retrying = AsyncRetrying(
            **self._retry_rules(budget),
            retry=retry_if_exception_type(TransientError),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(request, state),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(request, attempt.retry_state.attempt_number)
        except TransientError as last:
            raise self._exhausted(request, last, budget) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def fetch_answer(self, request: PreparedRequest) -> dict[str, Any]:
        """The envelope answering a planned request (``plan_notes``, ``plan_trend``), checked
        and kept like any other, but not read into models: for callers that need it bought
        and stored rather than read, such as enrich, whose store saves its rows with it."""
        return await self._call(request)

    # -- creator search ----------------------------------------------------------------
    async def search_creators(self, *, page: int = 1, **filters: Any) -> CreatorPage:
        request = self._plan_search(page, **filters)
        envelope = await self._call(request)  # before naming models.*: they load once it is sent
        return models.parse_creator_page(envelope, page)

    async def iter_creator_pages(
        self, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> AsyncIterator[CreatorPage]:
        request = self._plan_search(page, **filters)
        cursor = self._cursor(SEARCH, page, max_pages)
        while (number := cursor.next_page()) is not None:
            envelope = await self._call(self._with_page(request, number))
            result = models.parse_creator_page(envelope, number)
            cursor.record(len(result.creators), result.total)
            yield result

    async def iter_creators(
        self, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> AsyncIterator[Creator]:
        async for result in self.iter_creator_pages(page=page, max_pages=max_pages, **filters):
            for creator in result.creators:
                yield creator

    # -- a creator's notes -------------------------------------------------------------
    async def creator_notes(self, user_id: str, *, page: int = 1, **filters: Any) -> NotePage:
        request = self._plan_notes(user_id, page, **filters)
        envelope = await self._call(request)
        return models.parse_note_page(envelope, request.params["userId"], page)

    async def iter_note_pages(
        self, user_id: str, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> AsyncIterator[NotePage]:
        request = self._plan_notes(user_id, page, **filters)
        cursor = self._cursor(NOTES, page, max_pages)
        while (number := cursor.next_page()) is not None:
            envelope = await self._call(self._with_page(request, number))
            result = models.parse_note_page(envelope, request.params["userId"], number)
            cursor.record(len(result.notes), result.total)
            yield result

    async def iter_notes(
        self, user_id: str, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> AsyncIterator[Note]:
        async for result in self.iter_note_pages(
            user_id, page=page, max_pages=max_pages, **filters
        ):
            for note in result.notes:
                yield note

    # -- follower growth ---------------------------------------------------------------
    async def fans_trend(
        self,
        kol_id: str,
        *,
        days: int | str = 30,
        metric: str = "total",
        accept_cache: bool = False,
    ) -> FansTrend:
        request = self._plan_trend(kol_id, days, metric, accept_cache)
        return self._parse_trend(request, await self._call(request))
