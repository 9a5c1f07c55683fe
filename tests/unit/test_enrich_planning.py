from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pgyscout.client import InvalidInputError
from pgyscout.collect.enrich import (
    EnrichOptions,
    gather_or_cancel,
    pages_after_first,
)
from pgyscout.collect.idfiles import ids_from_text

UID = "5d21ab6b000000001201567d"


@given(
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=0, max_value=8),
    st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)
def test_the_pages_after_the_first_never_go_past_total(
    total: int, first: int, max_pages: int | None
) -> None:
    pages = pages_after_first(total, first, max_pages)
    assert pages == list(range(2, 2 + len(pages)))
    if pages:
        assert (pages[-1] - 1) * 8 < total
    if max_pages is not None:
        assert 1 + len(pages) <= max_pages
    if first == 8 and max_pages is None:
        assert 1 + len(pages) == max(1, -(-total // 8))


def test_pages_after_first_examples() -> None:
    assert pages_after_first(60, 8, None) == [2, 3, 4, 5, 6, 7, 8]
    assert pages_after_first(60, 8, 3) == [2, 3]
    assert pages_after_first(5, 5, None) == []
    assert pages_after_first(0, 0, None) == []


def test_a_failure_cancels_the_siblings() -> None:
    finished: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(5)
        finished.append("slow")

    async def failing() -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("quota")

    async def run() -> None:
        await gather_or_cancel(slow(), failing(), slow())

    with pytest.raises(RuntimeError, match="quota"):
        asyncio.run(asyncio.wait_for(run(), timeout=2))
    assert finished == []


def test_ids_from_files() -> None:
    assert ids_from_text(f"# shortlist\n{UID}\n\n{UID.upper()}, 鹤竹\n") == [UID, UID]
    assert ids_from_text(f'[{{"userId": "{UID}", "noteList": [{{"noteId": "{"a" * 24}"}}]}}]') == [
        UID
    ]
    with pytest.raises(InvalidInputError, match="no 24-character creator id"):
        ids_from_text("not an id\n")


def test_enrich_options_round_trip_and_refuse_nonsense() -> None:
    options = EnrichOptions(notes_pages=None, trend_days=60, concurrency=4, qps=3.5)
    assert EnrichOptions.from_json(options.as_json()) == options
    assert options.calls_per_creator(60) == 9
    with pytest.raises(InvalidInputError):
        EnrichOptions(concurrency=0)
    with pytest.raises(InvalidInputError):
        EnrichOptions(qps=0)
