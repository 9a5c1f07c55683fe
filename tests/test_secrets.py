"""The token never shows, whatever happens and however loud the tool is."""

from __future__ import annotations

import json
import logging
import pickle
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import pgyscout.client
from pgyscout import Client
from pgyscout.cli import main as pgy_main
from pgyscout.sandbox import RunningSandbox
from tests.cli.conftest import run_pgy
from tests.conftest import SENTINEL_TOKEN, load_upstream

UID = "5d21ab6b000000001201567d"
NOTES = load_upstream("real/notes_page1.json")


def envelope(code: int) -> httpx.Response:
    return httpx.Response(
        200, json={"code": code, "data": None, "message": f"M{code}", "recordTime": None}
    )


def raise_(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


OUTCOMES: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "ok": lambda r: httpx.Response(200, json=NOTES),
    "no_content": lambda r: envelope(201),
    "collection_failed": lambda r: envelope(301),
    "rate_limited": lambda r: envelope(302),
    "server_error": lambda r: envelope(500),
    "http_502": lambda r: httpx.Response(502, text=f"bad gateway for {r.url}"),
    "not_json": lambda r: httpx.Response(200, text=f"<html>{r.url}</html>"),
    "timeout": raise_(httpx.ReadTimeout("timed out")),
    "dropped": raise_(httpx.RemoteProtocolError("peer closed connection")),
    "token": lambda r: envelope(100),
    "quota": lambda r: envelope(303),
    "permission": lambda r: envelope(600),
    "balance": lambda r: envelope(601),
    "spend": lambda r: envelope(602),
    "invalid_params": lambda r: envelope(400),
    "http_400": lambda r: httpx.Response(
        400, text=json.dumps({"error": "Bad Request", "path": str(r.url)})
    ),
    "http_404": lambda r: httpx.Response(404, text=f"no route {r.url}"),
    "http_403_echo": lambda r: httpx.Response(403, text=f"forbidden: {r.url}"),
    "unknown": lambda r: envelope(888),
}


def assert_clean(*texts: object) -> None:
    for text in texts:
        assert SENTINEL_TOKEN not in str(text)


@pytest.mark.parametrize("name", list(OUTCOMES))
def test_library_never_shows_the_token(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    attempts: list[Any] = []
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return OUTCOMES[name](request)

    # Waits pass on a fake clock: the pacer's spacing after 302s is waited for, not spun on.
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = Client(
        SENTINEL_TOKEN,
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        clock=lambda: now[0],
        max_attempts=2,
        on_attempt=attempts.append,
    )
    caught: BaseException | None = None
    try:
        client.creator_notes(UID)
    except Exception as exc:
        caught = exc
    assert seen
    assert seen[0].url.params["token"] == SENTINEL_TOKEN
    assert_clean(repr(client), repr(client.settings), client.stats, attempts, caplog.text)
    assert_clean(*(record.getMessage() for record in caplog.records))
    if caught is not None:
        assert_clean(
            str(caught), repr(caught), caught.args, "".join(traceback.format_exception(caught))
        )
        assert_clean(vars(caught), pickle.loads(pickle.dumps(caught)))
    client.close()


@pytest.mark.parametrize(
    "name", ["ok", "collection_failed", "token", "http_400", "http_404", "http_403_echo", "timeout"]
)
@pytest.mark.parametrize("flags", [[], ["-v"], ["-vv"], ["--debug"], ["-q"]])
def test_cli_never_shows_the_token_in_process(
    name: str, flags: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every error path through ``main()``, with a transport that can answer any code."""

    def make_client(token: str | None, **options: Any) -> Client:
        return Client(
            token, transport=httpx.MockTransport(OUTCOMES[name]), sleep=lambda s: None, **options
        )

    monkeypatch.setattr(pgyscout.client, "Client", make_client)  # what CliState.client() uses
    monkeypatch.setenv("JUSTONEAPI_TOKEN", SENTINEL_TOKEN)
    code = pgy_main([*flags, "--retries", "2", "notes", UID, "-f", "json"])
    out, err = capsys.readouterr()
    assert_clean(out, err)
    assert (code == 0) == (name == "ok")
    assert not [h for h in logging.getLogger().handlers if getattr(h, "_pgyscout", False)]


@pytest.mark.parametrize("flags", [[], ["-v"], ["-vv"], ["--debug"], ["-q"]])
def test_cli_never_shows_the_token_over_http(
    flags: list[str], small_sandbox: Callable[..., RunningSandbox], sandbox: RunningSandbox
) -> None:
    flaky = small_sandbox(fault_301=0.2, fault_http5xx=0.1, fault_drop=0.1, rate_limit=50)
    uid = "000000000000000000000000"
    runs = [
        run_pgy(*flags, "search", "--pages", "2", token=SENTINEL_TOKEN, base_url=sandbox.url),
        run_pgy(
            *flags,
            "--retries",
            "10",
            "--retry-wait",
            "0.01",
            "search",
            "--pages",
            "3",
            token=SENTINEL_TOKEN,
            base_url=flaky.url,
        ),
        run_pgy(*flags, "notes", uid, "-f", "csv", token=SENTINEL_TOKEN, base_url=sandbox.url),
        run_pgy(*flags, "trend", uid, "-f", "table", token=SENTINEL_TOKEN, base_url=sandbox.url),
        run_pgy(
            *flags,
            "--retries",
            "1",
            "search",
            token=SENTINEL_TOKEN,
            base_url=small_sandbox(fault_drop=1.0).url,
        ),
        run_pgy(
            *flags, "trend", uid, token=SENTINEL_TOKEN, base_url=small_sandbox(trend_gone=True).url
        ),
        run_pgy(*flags, "search", "--fans-age", "nope", token=SENTINEL_TOKEN, base_url=sandbox.url),
        run_pgy(
            *flags,
            "--token",
            SENTINEL_TOKEN,
            "--base-url",
            "http://127.0.0.1:9",
            "--retries",
            "1",
            "search",
        ),
    ]
    for done in runs:
        assert_clean(done.stdout, done.stderr)
    if flags in (["-vv"], ["--debug"]):
        assert "token=***" in runs[0].stderr  # the URLs are shown, masked
