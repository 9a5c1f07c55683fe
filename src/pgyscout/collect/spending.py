"""Spending guards: no page billed past a known end, a cap on billed calls, and estimates of
what a command will cost before it runs. Shared by search, notes, enrich and monitor.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pgyscout.client import Endpoint
from pgyscout.client.core import NOTES, TREND, page_count
from pgyscout.client.params import canonical, notes_params, params_key, trend_params
from pgyscout.errors import InvalidInputError
from pgyscout.models.numbers import to_int

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pgyscout.store.ledger import KnownTotal, StoreCache

# The store's modules (SQLAlchemy) are imported where a store is read: a search about to ask
# for what the store holds nothing of estimates its cost without them.


def last_page(total: int, page_size: int) -> int:
    """The last page that holds anything; page 1 even of an empty result."""
    return max(1, page_count(total, page_size))


def refuse_page_past_end(
    page: int, known: KnownTotal | None, page_size: int, option: str = "--page"
) -> None:
    """Refuse, before the call, a page that a stored answer shows to be past the end."""
    if known is None or page <= last_page(known.total, page_size):
        return
    last = last_page(known.total, page_size)
    raise InvalidInputError(
        option,
        f"{option} {page} is past the end: {known.total:,} result(s) make {last} page(s) of "
        f"{page_size} (stored answer of {known.fetched_at:%Y-%m-%d %H:%M} UTC), so the last "
        f"page is {last}; --refresh asks upstream anyway",
    )


def past_the_end_warning(page: int, total: int | None, page_size: int) -> str:
    """What to tell the user when a page they asked for (and paid for) came back empty."""
    if total:
        return (
            f"page {page} is past the end: {total:,} result(s) make "
            f"{last_page(total, page_size)} page(s) of {page_size}"
        )
    return f"page {page} is empty: past the end of the results"


def refuse_stored_page_past_end(
    engine: Engine, endpoint: Endpoint, params: dict[str, str], upstream: str
) -> None:
    """The page of this request is refused when another page of it, stored, tells the end."""
    assert endpoint.page_param is not None
    assert endpoint.page_size is not None
    page = int(params[endpoint.page_param])
    if page == 1:
        return
    from pgyscout.store.ledger import known_total

    known = known_total(engine, endpoint.name, canonical(params), endpoint.page_param, upstream)
    refuse_page_past_end(page, known, endpoint.page_size)


@dataclass
class Estimate:
    """What a command would cost at most, before anything is asked upstream."""

    calls: int = 0  # requests the command would make at most, where that is known
    from_store: int = 0  # of those, answered by the store (free)
    unbounded: int = 0  # requests whose number is unknown (every page of an unknown total)
    unbounded_what: str = ""  # what the unknown ones are, for people
    price_per_call: float | None = None
    max_calls: int | None = None  # the cap on billed calls the command was given

    @property
    def billed_at_most(self) -> int:
        billed = self.calls - self.from_store
        return billed if self.max_calls is None else min(billed, self.max_calls)

    @property
    def open_ended(self) -> int:
        """Requests whose number is unknown, unless a cap bounds them anyway."""
        if self.max_calls is not None and self.billed_at_most >= self.max_calls:
            return 0
        return self.unbounded

    @property
    def cost(self) -> float | None:
        if self.price_per_call is None:
            return None
        return round(self.billed_at_most * self.price_per_call, 4)

    def as_json(self) -> dict[str, Any]:
        return {
            "calls_at_most": self.calls,
            "answered_by_store": self.from_store,
            "billed_at_most": self.billed_at_most,
            "unknown": self.open_ended,
            "max_calls": self.max_calls,
            "unknown_what": self.unbounded_what or None,
            "price_per_call": self.price_per_call,
            "estimated_cost": self.cost,
        }


def _stored_notes_totals(engine: Engine, user_ids: Sequence[str]) -> dict[str, int]:
    """Notes counts the search results told (``totalNoteCount``), where they did."""
    import sqlalchemy as sa

    from pgyscout.store import schema

    found: dict[str, int] = {}
    with engine.connect() as conn:
        for start in range(0, len(user_ids), 500):
            chunk = list(user_ids[start : start + 500])
            for user_id, raw in conn.execute(
                sa.select(schema.creators.c.user_id, schema.creators.c.raw).where(
                    schema.creators.c.user_id.in_(chunk)
                )
            ):
                record = raw if isinstance(raw, dict) else json.loads(raw)
                total = to_int(record.get("totalNoteCount"))
                if total is not None:
                    found[user_id] = total
    return found


def estimate_enrich(
    cache: StoreCache,
    upstream: str,
    user_ids: Sequence[str],
    *,
    notes_pages: int | None,
    notes_order: str,
    trend_days: int | None,
    trend_metric: str,
    price_per_call: float | None = None,
) -> Estimate:
    """Calls an enrich of ``user_ids`` makes at most. Notes pages are bounded by the notes
    count a stored first page or the search results tell; the store's fresh answers are
    counted apart, as they cost nothing. A few queries for the whole job."""
    estimate = Estimate(price_per_call=price_per_call, unbounded_what="notes pages")
    assert NOTES.page_size is not None

    def count(
        endpoint: Endpoint, requests: list[dict[str, str]], *, read: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Counts the requests and those stored; ``read``: returns the stored answers too
        (else they are only counted, not read)."""
        keys = [canonical(p) for p in requests]
        answers = cache.lookup_many(endpoint.name, keys, upstream) if read else {}
        stored = answers.keys() if read else cache.stored_keys(endpoint.name, keys, upstream)
        estimate.calls += len(keys)
        estimate.from_store += sum(params_key(k) in stored for k in keys)
        return answers

    if trend_days:
        count(TREND, [trend_params(u, days=trend_days, metric=trend_metric) for u in user_ids])
    if notes_pages == 0:
        return estimate
    firsts = {u: notes_params(u, order=notes_order, page=1) for u in user_ids}
    stored = count(NOTES, list(firsts.values()), read=True)  # they tell how many pages follow
    told = _stored_notes_totals(cache.engine, user_ids)
    later: list[dict[str, str]] = []
    for user_id, params in firsts.items():
        answer = stored.get(params_key(canonical(params)))
        data = answer.get("data") if answer else None
        total = to_int(data.get("total")) if isinstance(data, dict) else told.get(user_id)
        if total is None and notes_pages is None:
            estimate.unbounded += 1  # page 1 will tell how many there are
            continue
        pages = last_page(total, NOTES.page_size) if total is not None else notes_pages
        if notes_pages is not None and pages is not None:
            pages = min(pages, notes_pages)
        later += [
            notes_params(user_id, order=notes_order, page=n) for n in range(2, (pages or 1) + 1)
        ]
    count(NOTES, later)
    return estimate


def estimate_pages(
    cache: StoreCache | None,
    upstream: str,
    endpoint: Endpoint,
    params: dict[str, str],
    max_pages: int | None,
    *,
    cap: int | None = None,
    price_per_call: float | None = None,
) -> Estimate:
    """Calls paging through one request makes at most: pages up to a stored total (or up to
    ``cap`` results when unknown: the upstream serves no more), fewer with ``max_pages``."""
    assert endpoint.page_param is not None
    assert endpoint.page_size is not None
    estimate = Estimate(price_per_call=price_per_call, unbounded_what="pages")
    first = int(params[endpoint.page_param])
    key = canonical(params)
    known: KnownTotal | None = None
    if cache is not None:
        from pgyscout.store.ledger import known_total

        known = known_total(cache.engine, endpoint.name, key, endpoint.page_param, upstream)
    total = known.total if known is not None else cap
    if total is not None:
        last = last_page(total, endpoint.page_size)
        if max_pages is not None:
            last = min(last, first + max_pages - 1)
    elif max_pages is not None:
        last = first + max_pages - 1
    else:
        estimate.unbounded = 1
        return estimate
    for page in range(first, last + 1):
        estimate.calls += 1
        query = {**params, endpoint.page_param: str(page)}
        if cache is not None:
            answer = cache.lookup(endpoint.name, canonical(query), upstream)
            estimate.from_store += answer is not None
    return estimate
