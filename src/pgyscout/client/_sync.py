"""``Client``: the blocking twin. Its loop mirrors ``AsyncClient``'s line for line."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tenacity import Retrying, retry_if_exception_type

from pgyscout import models
from pgyscout.client._base import AnswerRefused, ClientBase, PreparedRequest
from pgyscout.client._errors import TransientError
from pgyscout.client._httpx import httpx
from pgyscout.client.core import NOTES, SEARCH, RetryBudget

if TYPE_CHECKING:
    from pgyscout.models import Creator, CreatorPage, FansTrend, Note, NotePage


class Client(ClientBase):
    """Blocking client of the three Pugongying endpoints.

    The token comes from ``token``, else ``JUSTONEAPI_TOKEN``, else the config file. Failures
    that are normally transient (301, 302, 500, HTTP 5xx, dropped connections) are retried
    with capped exponential backoff and full jitter, a 302 slows the whole client down; the
    client stores nothing itself (a ``cache`` does).
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(token, **options)
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, **self._http_options())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the request loop --------------------------------------------------------------
    def _attempt(self, request: PreparedRequest, attempt: int) -> dict[str, Any]:
        while (wait := self.pacer.reserve()) > 0:
            self._sleep(wait)
        self._admit(request)
        try:
            started, wall = self._clock(), self._now()
            try:
                deadline = self._deadline(started)
                with self._http.stream(
                    "GET", request.endpoint.path, params=self._query(request)
                ) as response:
                    self._check_declared_size(response)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        self._check_body(len(body), deadline)
                outcome = self._outcome_of_response(request, response, bytes(body))
            except (httpx.TransportError, AnswerRefused) as exc:
                outcome = self._outcome_of_exception(exc)
            return self._settle(request, outcome, attempt, started, wall)
        finally:
            self.in_flight -= 1

    def _call(self, request: PreparedRequest) -> dict[str, Any]:
        self._refuse_if_stopped()
        cached = self._from_cache(request)
        if cached is not None:
            return cached
        budget = RetryBudget(self.policy)
        retrying = Retrying(
            **self._retry_rules(budget),
            retry=retry_if_exception_type(TransientError),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(request, state),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(request, attempt.retry_state.attempt_number)
        except TransientError as last:
            raise self._exhausted(request, last, budget) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def fetch_answer(self, request: PreparedRequest) -> dict[str, Any]:
        """The envelope answering a planned request (``plan_notes``, ``plan_trend``), checked
        and kept like any other, but not read into models: for callers that need it bought
        and stored rather than read."""
        return self._call(request)

    # -- creator search ----------------------------------------------------------------
    def search_creators(self, *, page: int = 1, **filters: Any) -> CreatorPage:
        """One page (20 creators) of a search. Filters: ``keyword``, ``search_type``,
        ``fans_min``, ``fans_max``, ``fans_age``, ``fans_gender``, ``gender``, ``content_tags``."""
        request = self._plan_search(page, **filters)
        envelope = self._call(request)  # before naming models.*: they load once it is sent
        return models.parse_creator_page(envelope, page)

    def iter_creator_pages(
        self, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> Iterator[CreatorPage]:
        """Pages from ``page`` on, stopping at ``total``, an empty page, or ``max_pages``."""
        request = self._plan_search(page, **filters)
        cursor = self._cursor(SEARCH, page, max_pages)
        while (number := cursor.next_page()) is not None:
            envelope = self._call(self._with_page(request, number))
            result = models.parse_creator_page(envelope, number)
            cursor.record(len(result.creators), result.total)
            yield result

    def iter_creators(
        self, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> Iterator[Creator]:
        for result in self.iter_creator_pages(page=page, max_pages=max_pages, **filters):
            yield from result.creators

    # -- a creator's notes -------------------------------------------------------------
    def creator_notes(self, user_id: str, *, page: int = 1, **filters: Any) -> NotePage:
        """One page (8 notes). Filters: ``order``, ``note_type``, ``advertise_switch``,
        ``third_platform``."""
        request = self._plan_notes(user_id, page, **filters)
        envelope = self._call(request)
        return models.parse_note_page(envelope, request.params["userId"], page)

    def iter_note_pages(
        self, user_id: str, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> Iterator[NotePage]:
        request = self._plan_notes(user_id, page, **filters)
        cursor = self._cursor(NOTES, page, max_pages)
        while (number := cursor.next_page()) is not None:
            envelope = self._call(self._with_page(request, number))
            result = models.parse_note_page(envelope, request.params["userId"], number)
            cursor.record(len(result.notes), result.total)
            yield result

    def iter_notes(
        self, user_id: str, *, page: int = 1, max_pages: int | None = None, **filters: Any
    ) -> Iterator[Note]:
        for result in self.iter_note_pages(user_id, page=page, max_pages=max_pages, **filters):
            yield from result.notes

    # -- follower growth ---------------------------------------------------------------
    def fans_trend(
        self,
        kol_id: str,
        *,
        days: int | str = 30,
        metric: str = "total",
        accept_cache: bool = False,
    ) -> FansTrend:
        """Daily followers over 30 or 60 days; ``metric`` is ``total`` or ``increase``."""
        request = self._plan_trend(kol_id, days, metric, accept_cache)
        return self._parse_trend(request, self._call(request))
