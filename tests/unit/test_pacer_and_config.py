from __future__ import annotations

from pathlib import Path

import pytest

from pgyscout.client import ConfigError, resolve_settings
from pgyscout.client._pacer import (
    DECREASE,
    GROWTH,
    MEASURE_SPAN,
    MIN_QPS,
    SLOW_START_ROUND,
    SLOW_START_SAMPLES,
    Pacer,
)
from tests.unit.pacer_sim import job_pages, simulate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def starts_over(pacer: Pacer, clock: Clock, seconds: float) -> int:
    """How many requests one eager caller gets started in ``seconds`` of fake time."""
    end = clock.now + seconds
    started = 0
    while clock.now < end:
        wait = pacer.reserve()
        if wait == 0:
            started += 1
        else:
            clock.now += wait
    return started


def test_a_cut_re_spaces_requests_already_waiting() -> None:
    clock = Clock()
    pacer = Pacer(initial_qps=10, clock=clock)
    assert pacer.reserve() == 0
    waiting = pacer.reserve()  # a request waiting for the next slot
    assert waiting == pytest.approx(0.1)
    pacer.on_rate_limited(started=clock.now)
    assert pacer.reserve() > waiting  # it now waits for the slower pace


def test_pacer_is_free_until_the_first_302() -> None:
    pacer = Pacer(clock=Clock())
    assert [pacer.reserve() for _ in range(5)] == [0, 0, 0, 0, 0]
    assert pacer.rate is None


def test_the_first_302_sets_half_the_rate_it_was_starting_at() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock)
    for _ in range(40):  # 40 starts within the last second
        pacer.reserve()
        clock.now += 0.02
    pacer.on_rate_limited(started=clock.now)
    assert pacer.rate == pytest.approx(0.5 * 40)
    assert starts_over(pacer, clock, 1.0) == pytest.approx(20, abs=1)


def test_increase_is_proportional_to_the_rate_and_a_302_cuts_it() -> None:
    for start in (5.0, 50.0):
        clock = Clock()
        pacer = Pacer(initial_qps=start, clock=clock)
        pacer.on_rate_limited(started=0.0)  # leaves slow start
        before = pacer.rate
        assert before is not None
        successes = round(before)  # about one second of successes at that rate
        for _ in range(successes):
            pacer.on_success()
        assert pacer.rate is not None
        a_second = (pacer.rate - before) / successes * before
        # The same share a second at 5 qps as at 50: a fixed step churns 302s at 5 qps
        # and overshoots fast upstreams.
        assert a_second == pytest.approx(GROWTH * before)
        cut_from = pacer.rate
        clock.now = 10.0
        pacer.on_rate_limited(started=9.0)
        assert pacer.rate == pytest.approx(cut_from * DECREASE)


def test_slow_start_doubles_every_round_trip() -> None:
    clock = Clock()
    pacer = Pacer(initial_qps=4, clock=clock)
    for _ in range(4):  # four round trips of 100 ms, every request of each answered
        rate = pacer.rate
        assert rate is not None
        clock.now += 0.1
        for _ in range(max(1, round(rate * 0.1))):
            pacer.on_success(started=clock.now - 0.1)
        assert pacer.rate == pytest.approx(2 * rate, rel=0.3)
    assert pacer.rate is not None
    assert pacer.rate >= 40  # not 4 qps doubling each second


def test_a_late_caller_takes_the_slot_it_missed() -> None:
    clock = Clock()
    pacer = Pacer(max_qps=10, clock=clock)
    assert pacer.reserve() == 0
    clock.now = 0.13  # woke 30 ms after its slot (a busy event loop)
    assert pacer.reserve() == 0
    clock.now = 0.2  # the next slot is still on the 0.1 s grid, not at 0.23
    assert pacer.reserve() == 0
    assert pacer.reserve() == pytest.approx(0.1)
    clock.now = 60.0  # idle for a minute: no burst of banked slots
    assert starts_over(pacer, clock, 0.0001) <= 2


def test_a_job_at_the_limit_holds_its_bound_with_few_302s() -> None:
    """The 240-call job of 46 creators against 20 qps and 100 ms, on a busy event loop."""
    done = simulate(lambda c: Pacer(initial_qps=4, clock=c), job_pages(46, 240), wake_lag=0.01)
    assert done.billed == 240
    assert done.refused <= 0.05 * done.calls
    assert done.wall <= done.billed / 20
    starts_in_2s = sum(1 for t, _ in done.rates if t <= 2.0)
    assert starts_in_2s >= 35  # the slow start is over within a few round trips


# The real client's event loop, as the simulator models it: callbacks queue behind each
# other and one in a hundred stalls it up to 150 ms, so a 302 may be noticed late; a second
# of process start-up is in the wall, as in the benchmark. The pacer before the capped slow
# start gave 2-9 % of 302s here over seeds, as the real benchmark did (1.6-10.8 %).
BUSY_LOOP: dict[str, float] = {"stall": 0.15, "wake_lag": 0.001, "startup": 1.0}


@pytest.mark.parametrize("latency", [0.1, 0.2])
@pytest.mark.parametrize("loop_cost", [0.001, 0.0025, 0.004])
def test_a_cold_job_on_a_busy_event_loop_keeps_its_302s_under_5_percent(
    latency: float, loop_cost: float
) -> None:
    """The 240-call job on a fresh database: no learned rate, slow start from 4 qps."""
    for seed in range(6):
        done = simulate(
            lambda c: Pacer(initial_qps=4, clock=c),
            job_pages(46, 240),
            latency=latency,
            loop_cost=loop_cost,
            seed=seed,
            **BUSY_LOOP,
        )
        assert done.billed == 240
        assert done.refused_share <= 0.05, f"seed {seed}: {done.refused} of {done.calls}"
        assert done.wall_over_bound() <= 1.15, f"seed {seed}"


def test_the_796_call_job_on_a_busy_event_loop_holds_its_bound() -> None:
    for seed in range(3):
        done = simulate(
            lambda c: Pacer(initial_qps=4, clock=c),
            job_pages(100, 796),
            loop_cost=0.0025,
            seed=seed,
            **BUSY_LOOP,
        )
        assert done.billed == 796
        assert done.refused_share <= 0.05, f"seed {seed}: {done.refused} of {done.calls}"
        assert done.wall_over_bound() <= 1.05, f"seed {seed}"


def test_past_its_first_successes_slow_start_grows_by_its_rate_a_second() -> None:
    clock = Clock()
    pacer = Pacer(initial_qps=4, clock=clock)
    for _ in range(SLOW_START_SAMPLES):  # 100 ms round trips: each success adds 10 qps
        clock.now += 0.1
        pacer.on_success(started=clock.now - 0.1)
    assert pacer.rate is not None
    assert pacer.rate > 40
    before = pacer.rate
    pacer.on_success(started=clock.now - 0.1)
    # One request a second per success, not ten: at 100 ms the doubling every round trip
    # would be far past the limit by the time a provider's burst runs out.
    assert pacer.rate == pytest.approx(before + 1 / SLOW_START_ROUND)


def test_a_302_after_an_earlier_one_cuts_to_what_the_provider_let_through() -> None:
    clock = Clock()
    pacer = Pacer(initial_qps=40, probing=True, clock=clock)  # past slow start, at 40 qps
    started: list[float] = []
    while len(started) < 20:  # half a second at 40 qps
        wait = pacer.reserve()
        if wait == 0:
            started.append(clock.now)
        clock.now += wait
    refused = started[::2]  # the provider let one in two through: 20 qps
    for at in refused:  # their 302s come back now: one congestion event, one cut
        pacer.on_rate_limited(started=at)
    assert pacer.rate == pytest.approx(40 * DECREASE)
    while (wait := pacer.reserve()) > 0:
        clock.now += wait
    last = clock.now  # refused too: a new event, measured since a 302 that far back
    pacer.on_rate_limited(started=last)
    since = max(t for t in refused if t <= last - MEASURE_SPAN)
    sent = sum(1 for t in started if since < t < last)
    let_through = (sent - sum(1 for t in refused if since < t < last)) / (last - since)
    assert let_through == pytest.approx(20, rel=0.15)
    assert pacer.ceiling == pytest.approx(let_through)
    assert pacer.rate == pytest.approx(let_through * DECREASE)  # not 40 * DECREASE**2


def test_a_learned_limit_is_a_good_start_at_one_second_latency() -> None:
    learned = simulate(
        lambda c: Pacer(initial_qps=18, probing=True, clock=c), job_pages(46, 240), latency=1.0
    )
    cold = simulate(lambda c: Pacer(initial_qps=4, clock=c), job_pages(46, 240), latency=1.0)
    assert learned.refused <= 0.05 * learned.calls
    assert learned.wall <= 1.05 * learned.billed / 20
    assert learned.wall < cold.wall


def test_refusals_of_one_congestion_event_cut_once() -> None:
    clock = Clock()
    pacer = Pacer(initial_qps=20, clock=clock)
    clock.now = 5.0
    pacer.on_rate_limited(started=4.9)
    for _ in range(10):  # requests that were already on their way
        pacer.on_rate_limited(started=4.95)
    assert pacer.rate == pytest.approx(20 * DECREASE)
    assert pacer.slowdowns == 11
    pacer.on_rate_limited(started=5.5)  # sent after the cut: a new event
    assert pacer.rate == pytest.approx(20 * DECREASE * DECREASE)


def test_the_rate_never_falls_to_nothing() -> None:
    clock = Clock()
    pacer = Pacer(initial_qps=1, clock=clock)
    for _ in range(100):
        clock.now += 1
        pacer.on_rate_limited(started=clock.now)
    assert pacer.rate == MIN_QPS


def test_max_qps_caps_the_rate() -> None:
    clock = Clock()
    pacer = Pacer(max_qps=4, clock=clock)
    assert pacer.reserve() == 0
    assert pacer.reserve() == pytest.approx(0.25)  # not taken: ask again then
    assert starts_over(pacer, clock, 2.0) == pytest.approx(8, abs=1)
    for _ in range(100):
        pacer.on_success()
    assert pacer.interval == 0.25
    with pytest.raises(ValueError, match="above 0"):
        Pacer(max_qps=0)


def test_settings_come_from_arguments_then_env_then_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'token = "from-file-token"\nbase_url = "http://127.0.0.1:9"\n', encoding="utf-8"
    )
    env = {"PGYSCOUT_CONFIG": str(config)}
    assert resolve_settings(env=env).token == "from-file-token"
    assert resolve_settings(env=env).base_url == "http://127.0.0.1:9"
    env["JUSTONEAPI_TOKEN"] = "from-env-token"
    env["PGYSCOUT_RETRIES"] = "7"
    env["PGYSCOUT_RETRY_WAIT"] = "0.5"
    settings = resolve_settings(env=env)
    assert (settings.token, settings.max_attempts, settings.retry_wait) == (
        "from-env-token",
        7,
        0.5,
    )
    assert resolve_settings(token="from-arg", max_attempts=2, env=env).token == "from-arg"
    assert settings.timeout == 60
    assert "from-env-token" not in repr(settings)


def test_missing_token_names_every_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_settings(env={"PGYSCOUT_CONFIG": str(tmp_path / "none.toml")})
    message = str(caught.value)
    assert "--token" in message
    assert "JUSTONEAPI_TOKEN" in message
    assert "none.toml" in message


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"base_url": "api.justoneapi.com"}, "base URL"),
        ({"base_url": "https://x.test/?token=abc"}, "must not carry a query"),
        ({"max_attempts": 0}, "retries must be a number from 1 to 100"),
        ({"max_attempts": 10**400}, "retries must be a number from 1 to 100"),
        ({"retry_wait": -1}, "retry wait"),
        ({"retry_wait": float("nan")}, "retry wait must be a number from 0"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout must be a number from 0.001 to 86400"),
        ({"max_qps": float("nan")}, "max_qps"),
        ({"token": "t" * 5000}, "5,000 characters"),
        ({"base_url": "http://" + "h" * 5000}, "base URL is"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        resolve_settings(**{"token": "t", "env": {}, **options})  # type: ignore[arg-type]


def test_an_unreadable_config_file_is_named_not_echoed(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('token = "secret-in-broken-file', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve_settings(env={"PGYSCOUT_CONFIG": str(config)})
    assert "config.toml" in str(caught.value)
    assert "secret-in-broken-file" not in str(caught.value)


def test_a_learned_limit_starts_just_under_it_and_probes_gently() -> None:
    pacer = Pacer(initial_qps=4, clock=Clock())
    assert pacer.slow_start
    pacer.start_near(20.0)
    assert not pacer.slow_start
    assert pacer.rate == pytest.approx(20 * DECREASE)
    pacer.on_success(started=0.0)
    assert pacer.rate == pytest.approx(20 * DECREASE + GROWTH)  # no doubling
