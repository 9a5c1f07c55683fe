"""Spending guards: no page billed past a known end, a cap on billed calls, and estimates of
what a command will cost before it runs. Shared by search, notes, enrich and monitor.
"""

from __future__ import annotations

import math

from sqlalchemy.engine import Engine

from pgyscout.client import Endpoint
from pgyscout.client._params import canonical
from pgyscout.errors import InvalidInputError
from pgyscout.store.ledger import KnownTotal, known_total


def last_page(total: int, page_size: int) -> int:
    """The last page that holds anything; page 1 even of an empty result."""
    return max(1, math.ceil(total / page_size))


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
    known = known_total(engine, endpoint.name, canonical(params), endpoint.page_param, upstream)
    refuse_page_past_end(page, known, endpoint.page_size)
