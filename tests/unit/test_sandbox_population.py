"""The sandbox's synthetic data: deterministic, large enough, and shaped like the platform's."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

import pytest

from pgyscout.sandbox.population import PRICE_NOT_OFFERED, Population
from tests.conftest import load_upstream

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def population() -> Population:
    return Population(seed=7, size=6000, as_of=AS_OF)


def test_same_seed_same_creators(population: Population) -> None:
    again = Population(seed=7, size=50, as_of=AS_OF)
    assert [c.user_id for c in again.creators] == [c.user_id for c in population.creators[:50]]
    assert again.notes(again.creators[3]) == population.notes(population.creators[3])
    assert again.history(again.creators[3]) == population.history(population.creators[3])
    other = Population(seed=8, size=50, as_of=AS_OF)
    assert [c.user_id for c in other.creators] != [c.user_id for c in again.creators]


def test_population_is_large_and_ids_unique(population: Population) -> None:
    assert len(population.creators) >= 5000
    assert len(population.by_id) == len(population.creators)
    assert all(len(c.user_id) == 24 and int(c.user_id, 16) >= 0 for c in population.creators)


def test_distributions_look_like_the_platform(population: Population) -> None:
    fans = sorted(c.fans for c in population.creators)
    assert 10_000 < statistics.median(fans) < 60_000  # most creators are small
    assert fans[-1] > 1_000_000  # and a few are very large
    female = sum(c.gender == "女" for c in population.creators) / len(population.creators)
    assert 0.7 < female < 0.9
    cpm = [c.picture_price / c.read_mid * 1000 for c in population.creators]
    assert 20 < statistics.median(cpm) < 500
    anomalies = {a: sum(c.anomaly == a for c in population.creators) for a in ("spike", "decline")}
    assert all(100 < n < 400 for n in anomalies.values())
    assert 0.1 < sum(c.video_price == PRICE_NOT_OFFERED for c in population.creators) / 6000 < 0.2


def test_records_have_the_upstream_shape(population: Population) -> None:
    seed_kol = load_upstream("seed/seed_search_response.json")["data"]["kols"][0]
    record = population.record(population.creators[0])
    assert list(record) == list(seed_kol)
    for key, value in seed_kol.items():
        if value is not None:
            assert type(record[key]) is type(value) or isinstance(value, (int, float)), key


def test_notes_are_newest_first_and_consistent(population: Population) -> None:
    creator = max(population.creators[:200], key=lambda c: c.note_count)
    notes = population.notes(creator)
    assert len(notes) == creator.note_count
    dates = [n["date"] for n in notes]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] <= AS_OF.isoformat()
    assert all(n["likeNum"] >= 0 and n["collectNum"] <= n["likeNum"] + 1 for n in notes)
    assert all(n["brandName"] for n in notes if n["isAdvertise"])


def test_history_ends_yesterday_at_todays_followers(population: Population) -> None:
    for creator in population.creators[:100]:
        rows = population.history(creator)
        assert len(rows) == 60
        assert rows[-1][0] == AS_OF - dt.timedelta(days=1)
        assert rows[-1][1] == creator.fans
        for (_, before, _), (_, after, new) in itertools.pairwise(rows):
            assert after - before == new or before == 0


def test_spikes_stand_out(population: Population) -> None:
    spiky = next(c for c in population.creators if c.anomaly == "spike")
    daily = [new for _, _, new in population.history(spiky)]
    assert max(daily) > 10 * statistics.median(daily)
