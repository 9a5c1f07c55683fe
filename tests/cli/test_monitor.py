"""``pgy monitor`` from the command line, over simulated days of a sandbox that moves.

The sandbox's day offset makes followers grow and new notes appear from one day to the next;
planted events (a follower spike, a price jump, a competitor's sponsored note) are the only
things that should be noticed, so the test can ask for exactly those alerts.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pgyscout.cli import main as pgy_main
from pgyscout.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from pgyscout.sandbox.population import PRICE_NOT_OFFERED, Plant, SynthCreator
from pgyscout.sandbox.state import SandboxState
from tests.cli.conftest import _as_a_fresh_process, _read, pgy_env

NOW = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
AS_OF = NOW.date()
SIZE = 600
# The pacing's slow start is not what these tests are about: let the local sandbox go fast.
FAST = ("--qps", "500")


def _quiet(state: SandboxState, c: SynthCreator) -> bool:
    """A creator whose first page of notes shows nothing to alert on as of AS_OF, and whose
    nickname search finds it on page 1."""
    if c.anomaly or c.note_count < 10 or c.fans < 60_000 or c.cadence_days > 4:
        return False
    notes = state.population.notes(c)[:8]
    if dt.date.fromisoformat(notes[0]["date"]) < AS_OF - dt.timedelta(days=3):
        return False
    inter = [n["likeNum"] + n["collectNum"] for n in notes]
    for i, n in enumerate(notes):
        if inter[i] >= 2.5 * statistics.median(inter[:i] + inter[i + 1 :]):
            return False
        recent = dt.date.fromisoformat(n["date"]) >= AS_OF - dt.timedelta(days=2)
        if recent and (n["isAdvertise"] or n["brandName"]):
            return False
    found = state.search({"keyword": c.name})["kols"]
    return any(k["userId"] == c.user_id for k in found)


@pytest.fixture(scope="module")
def watched() -> list[SynthCreator]:
    state = SandboxState(SandboxConfig(size=SIZE, as_of=AS_OF))
    chosen = [c for c in state.population.creators if _quiet(state, c)]
    chosen.sort(key=lambda c: c.video_price == PRICE_NOT_OFFERED)  # video offered first
    assert len(chosen) >= 4
    return chosen[:4]


@pytest.fixture
def moving(watched: list[SynthCreator]) -> Iterator[RunningSandbox]:
    spike, price, sponsor = watched[0], watched[1], watched[2]
    plants = (
        Plant("spike", spike.user_id, 1, spike.fans * 0.05),
        Plant("price", price.user_id, 2, 1.5),
        Plant("sponsored", sponsor.user_id, 3, "花西子"),
    )
    sandbox = start_sandbox(SandboxConfig(size=SIZE, as_of=AS_OF, plants=plants))
    yield sandbox
    sandbox.stop()


def monitor(
    *args: str, sandbox: RunningSandbox, db: str, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``pgy`` in-process, with a config file of its own."""
    env = pgy_env(base_url=sandbox.url, db=db)
    if config is not None:
        env["PGYSCOUT_CONFIG"] = str(config)
    with _as_a_fresh_process(env, "") as (out, err):
        code = pgy_main(list(args))
    return subprocess.CompletedProcess(["pgy", *args], code, _read(out), _read(err))


def at(day: int, hours: float = 0) -> str:
    """The simulated time of a pass: ``day`` days (and ``hours``) after the test began."""
    return (NOW + dt.timedelta(days=day, hours=hours)).isoformat()


def billed(sandbox: RunningSandbox) -> int:
    return int(sandbox.counters.snapshot()["billed"])


def alerts(sandbox: RunningSandbox, db: str) -> list[dict[str, Any]]:
    done = monitor("monitor", "alerts", "-f", "json", sandbox=sandbox, db=db)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def test_simulated_days_raise_exactly_the_planted_alerts(
    moving: RunningSandbox, watched: list[SynthCreator], tmp_path: Path
) -> None:
    db = str(tmp_path / "watch.db")
    config = tmp_path / "config.toml"
    config.write_text('[monitor]\ncompetitors = ["花西子"]\n', encoding="utf-8")
    for c in watched:  # their cards (names) in the store, as a search leaves them
        done = monitor("search", c.name, "-f", "json", sandbox=moving, db=db)
        assert done.returncode == 0, done.stderr
    ids = [c.user_id for c in watched]
    assert monitor("monitor", "add", *ids, sandbox=moving, db=db).returncode == 0

    seen: list[set[tuple[str, str, str]]] = []
    for day in range(4):
        moving.state.population.set_day_offset(day)
        before = billed(moving)
        done = monitor(
            "monitor", "run", *FAST, "--at", at(day), sandbox=moving, db=db, config=config
        )
        assert done.returncode == (0 if day == 0 else 10), done.stderr
        paid = billed(moving) - before
        # Every day: a nickname search, notes page 1 and the trend of each creator; on the
        # first the cards come from the searches just made.
        assert paid == (2 if day == 0 else 3) * len(watched), done.stderr
        again = monitor(
            "monitor", "run", *FAST, "--at", at(day), sandbox=moving, db=db, config=config
        )
        assert again.returncode == 0, again.stderr
        assert billed(moving) == before + paid  # the same day again buys nothing
        assert again.stdout == ""
        found = {(a["rule"], a["user_id"], a["severity"]) for a in alerts(moving, db)}
        seen.append(found - set().union(*seen) if seen else found)

    spike, price, sponsor = ids[0], ids[1], ids[2]
    assert seen[0] == set()
    assert seen[1] == {("follower_spike", spike, "warning")}
    assert seen[2] == {("price_change", price, "warning")}  # photo and video: +50 %
    assert seen[3] == {("sponsored_note", sponsor, "warning")}  # a competitor's brand
    stored = alerts(moving, db)
    prices = [a for a in stored if a["rule"] == "price_change"]
    assert sorted(a["details"]["kind"] for a in prices) == ["picture_price", "video_price"]
    assert all(a["details"]["change"] == pytest.approx(0.5, abs=0.01) for a in prices)
    brand = next(a for a in stored if a["rule"] == "sponsored_note")["details"]
    assert brand["brand"] == "花西子"
    assert brand["competitor"] is True


class Receiver:
    """A local webhook that records what it is sent; it can fail the first N requests."""

    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.fail_left = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if outer.fail_left > 0:
                    outer.fail_left -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.bodies.append(body)
                outer.paths.append(self.path)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0,"errmsg":"ok","code":0}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=1)
    yield r
    r.close()


def test_digest_reaches_a_webhook_and_a_robot_after_a_failure(
    moving: RunningSandbox,
    watched: list[SynthCreator],
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from apprise.plugins.wecombot import NotifyWeComBot

    # The robot's own URL format, pointed at the local receiver instead of qyapi.weixin.qq.com.
    robot_url = f"http://127.0.0.1:{receiver.port}/robot?key={{key}}"
    monkeypatch.setattr(NotifyWeComBot, "notify_url", robot_url)
    db = str(tmp_path / "notify.db")
    c = watched[0]
    assert monitor("search", c.name, "-f", "json", sandbox=moving, db=db).returncode == 0
    assert monitor("monitor", "add", c.user_id, sandbox=moving, db=db).returncode == 0
    hook = f"json://127.0.0.1:{receiver.port}/hook"
    robot = "wecombot://SECRETKEY123"
    notify = ["--notify", hook, "--notify", robot]

    moving.state.population.set_day_offset(0)
    assert (
        monitor(
            "--lang", "zh", "monitor", "run", *FAST, "--at", at(0), *notify, sandbox=moving, db=db
        ).returncode
        == 0
    )
    assert receiver.bodies == []  # nothing to say: nothing sent

    moving.state.population.set_day_offset(1)
    first = monitor(
        "--lang", "zh", "monitor", "run", *FAST, "--at", at(1), *notify, sandbox=moving, db=db
    )
    assert first.returncode == 10, first.stderr
    assert "涨粉异常" in first.stdout  # the digest on stdout too
    # The webhook failed once (HTTP 500); the robot got it.
    assert receiver.paths == ["/robot?key=SECRETKEY123"]
    assert "did not reach json://127.0.0.1" in first.stderr
    assert "SECRETKEY123" not in first.stderr

    second = monitor(
        "--lang", "zh", "monitor", "run", *FAST, "--at", at(1), *notify, sandbox=moving, db=db
    )
    assert second.returncode == 0  # no new alert
    assert receiver.paths == ["/robot?key=SECRETKEY123", "/hook"]  # the missed digest, once
    hook_body = receiver.bodies[1]
    assert "涨粉异常" in hook_body["message"]
    assert c.user_id in hook_body["message"]
    robot_body = receiver.bodies[0]
    assert "涨粉异常" in json.dumps(robot_body, ensure_ascii=False)

    third = monitor(
        "--lang", "zh", "monitor", "run", *FAST, "--at", at(1), *notify, sandbox=moving, db=db
    )
    assert third.returncode == 0
    assert len(receiver.bodies) == 2  # delivered alerts are not sent again


def test_list_ack_and_filters(
    moving: RunningSandbox, watched: list[SynthCreator], tmp_path: Path
) -> None:
    db = str(tmp_path / "ack.db")
    c = watched[0]
    assert monitor("search", c.name, "-f", "json", sandbox=moving, db=db).returncode == 0
    assert (
        monitor("monitor", "add", c.user_id, "--label", "spring", sandbox=moving, db=db).returncode
        == 0
    )
    moving.state.population.set_day_offset(0)
    assert monitor("monitor", "run", *FAST, "--at", at(0), sandbox=moving, db=db).returncode == 0
    moving.state.population.set_day_offset(1)
    assert monitor("monitor", "run", *FAST, "--at", at(1), sandbox=moving, db=db).returncode == 10
    listed = json.loads(monitor("monitor", "list", "-f", "json", sandbox=moving, db=db).stdout)
    assert [(w["user_id"], w["label"], w["open_alerts"]) for w in listed] == [
        (c.user_id, "spring", 1)
    ]
    found = alerts(moving, db)
    none = monitor("monitor", "alerts", "--rule", "inactive", "-f", "json", sandbox=moving, db=db)
    assert json.loads(none.stdout) == []
    bad = monitor("monitor", "alerts", "--rule", "nonsense", sandbox=moving, db=db)
    assert bad.returncode == 2
    assert "follower_spike" in bad.stderr
    assert monitor("monitor", "ack", str(found[0]["id"]), sandbox=moving, db=db).returncode == 0
    listed = json.loads(monitor("monitor", "list", "-f", "json", sandbox=moving, db=db).stdout)
    assert listed[0]["open_alerts"] == 0
    missing = monitor("monitor", "ack", "99999", sandbox=moving, db=db)
    assert missing.returncode == 2
    assert monitor("monitor", "remove", c.user_id, sandbox=moving, db=db).returncode == 0
    assert json.loads(monitor("monitor", "list", "-f", "json", sandbox=moving, db=db).stdout) == []
