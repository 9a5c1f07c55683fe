"""Servers that misbehave on purpose, over real loopback HTTP: one that trickles its answer a
byte at a time, one that sends an answer far larger than any real one. Each attempt has an
overall deadline and a size cap; both failures are retried, and nothing of them is kept."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pgyscout.client import AsyncClient, Client, UpstreamUnavailableError
from pgyscout.client._base import MAX_ANSWER_BYTES
from pgyscout.store import Store

UID = "5d21ab6b000000001201567d"


class Hostile(BaseHTTPRequestHandler):
    mode = "trickle"
    stop = threading.Event()

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.mode == "declared":
            self.send_header("Content-Length", str(MAX_ANSWER_BYTES * 5))
            self.end_headers()
            return
        self.end_headers()
        try:
            if self.mode == "trickle":
                # A byte every 0.2 s for up to a minute: each byte resets a read timeout.
                for byte in b'{"code":0,"data":{"list":[' + b" " * 300:
                    if self.stop.is_set():
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    self.stop.wait(0.2)
            else:  # huge: 1 MB pieces, far past the cap, no length declared
                self.wfile.write(b'{"code":0,"data":{"list":[], "pad":"')
                for _ in range(60):
                    self.wfile.write(b"x" * 1_000_000)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def hostile() -> Iterator[ThreadingHTTPServer]:
    Hostile.stop.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    Hostile.stop.set()
    server.shutdown()
    server.server_close()


def fetch(twin: str, url: str, store: Store) -> BaseException:
    options: dict[str, Any] = {
        "base_url": url,
        "timeout": 1.0,
        "max_attempts": 2,
        "retry_wait": 0.0,
        "cache": store.cache(),
    }
    if twin == "sync":
        with (
            Client("tok-hostile", **options) as client,
            pytest.raises(UpstreamUnavailableError) as caught,
        ):
            client.fans_trend(UID)
        return caught.value

    async def run() -> BaseException:
        async with AsyncClient("tok-hostile", **options) as client:
            with pytest.raises(UpstreamUnavailableError) as caught:
                await client.fans_trend(UID)
            return caught.value

    return asyncio.run(run())


def stored_answers(store: Store) -> int:
    import sqlalchemy as sa

    from pgyscout.store import schema

    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(schema.responses)).scalar())


@pytest.mark.parametrize("twin", ["sync", "async"])
def test_a_trickling_server_cannot_hold_an_attempt_past_its_timeout(
    twin: str, hostile: ThreadingHTTPServer, tmp_path: Any
) -> None:
    Hostile.mode = "trickle"
    url = f"http://127.0.0.1:{hostile.server_address[1]}"
    started = time.monotonic()
    with Store(str(tmp_path / "s.db")) as store:
        error = fetch(twin, url, store)
        assert stored_answers(store) == 0
    elapsed = time.monotonic() - started
    assert "no whole answer within 1 s" in str(error)
    assert elapsed < 6  # two attempts of about a second each, not a minute each


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("mode", ["huge", "declared"])
def test_an_answer_over_the_size_cap_is_refused_and_retried(
    twin: str, mode: str, hostile: ThreadingHTTPServer, tmp_path: Any
) -> None:
    Hostile.mode = mode
    url = f"http://127.0.0.1:{hostile.server_address[1]}"
    with Store(str(tmp_path / "s.db")) as store:
        error = fetch(twin, url, store)
        assert stored_answers(store) == 0  # nothing of it is kept
        assert store.usage().calls == 2  # refused, then retried
    assert "MB" in str(error)
    assert "cap" in str(error) or "over" in str(error)
