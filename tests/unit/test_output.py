from __future__ import annotations

import csv
import io
import json
import re

import pytest

from pgyscout import errors
from pgyscout.cli._output import CsvWriter, JsonArrayWriter, JsonLinesWriter
from pgyscout.cli.errors import describe_failure
from pgyscout.cli.fetch import expected_pages, resolve_format, resolve_paging
from pgyscout.client import (
    AuthError,
    BalanceError,
    ConfigError,
    EndpointGoneError,
    InvalidInputError,
    InvalidParamsError,
    QuotaError,
    SpendLimitError,
    UnknownCodeError,
    UpstreamUnavailableError,
)
from pgyscout.errors import ExportError, PlanError, ShortlistError, StoreError
from tests.conftest import load_upstream

KOL = load_upstream("seed/seed_search_response.json")["data"]["kols"][0]


def test_json_array_is_valid_however_many_records() -> None:
    for count in (0, 1, 3):
        out = io.StringIO()
        writer = JsonArrayWriter(out)
        writer.write([{"n": i, "名": "中文"} for i in range(count)])
        writer.close()
        assert json.loads(out.getvalue()) == [{"n": i, "名": "中文"} for i in range(count)]
        assert "\\u" not in out.getvalue()


def test_json_lines_keep_records_exactly() -> None:
    out = io.StringIO()
    writer = JsonLinesWriter(out)
    writer.write([KOL, KOL])
    writer.close()
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [KOL, KOL]


def test_csv_has_a_bom_a_header_and_every_field() -> None:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.write([KOL])
    writer.close()
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == list(KOL)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["userId"] == "5fe83d6600000000010078c7"
    assert row["name"] == "鹤竹zzzz"
    assert row["redId"] == "1032482443"
    assert json.loads(row["contentTags"]) == KOL["contentTags"]
    assert row["travelAreaList"] == ""
    assert row["showPrice"] == "true"
    assert '"1032482443"' in text  # ids are quoted text, numbers are not
    assert ",4544," in text


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInputError("page", "bad page"), 2),
        (ConfigError("no token"), 2),
        (AuthError(100, "INVALID TOKEN"), 3),
        (QuotaError(303, "QUOTA"), 3),
        (BalanceError(601, "BALANCE"), 3),
        (SpendLimitError(602, "SPEND"), 3),
        (InvalidParamsError(400, "Bad Request"), 4),
        (UpstreamUnavailableError(301, "FAILED, RETRY", attempts=5), 5),
        (UnknownCodeError(777, "NEW"), 1),
        (EndpointGoneError(None, "HTTP 404"), 1),
        (ShortlistError("no shortlist named 'x'"), 2),
        (ExportError("cannot tell the format of 'a.doc'"), 2),
        (PlanError("--budget must be above 0, not 0", "budget"), 2),
        (StoreError("cannot open the database"), 1),
        (KeyboardInterrupt(), 130),
        (RuntimeError("boom"), 1),
        (ValueError("a bug, not the user's mistake"), 1),
        (KeyError("a bug too"), 1),
    ],
)
def test_exit_codes_follow_the_spec(error: BaseException, code: int) -> None:
    failure = describe_failure(error)
    assert failure.exit_code == code
    assert "\n" not in failure.message


def test_every_error_pgyscout_raises_on_purpose_shares_one_base() -> None:
    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and c.__module__ == errors.__name__
    ]
    assert len(classes) >= 18
    assert all(issubclass(c, errors.PgyscoutError) for c in classes)
    for refused in (ShortlistError, ExportError, PlanError):
        assert issubclass(refused, InvalidInputError)
        assert issubclass(refused, ValueError)  # invalid arguments stay ValueErrors for callers
    assert ShortlistError("no such shortlist").param == "name"


def test_a_programming_error_is_not_reported_as_a_usage_error() -> None:
    failure = describe_failure(ValueError("invalid literal for int() with base 10: 'x'"))
    assert failure.exit_code == 1
    assert failure.message.startswith("unexpected ValueError")
    assert failure.hint == "run again with --debug for details"


def test_api_errors_read_plainly() -> None:
    failure = describe_failure(UpstreamUnavailableError(301, "FAILED, RETRY", attempts=5))
    assert failure.message == "the upstream kept failing: FAILED, RETRY (code 301) after 5 attempts"
    assert failure.hint
    assert "nothing was billed" in failure.hint


def test_paging_options() -> None:
    assert resolve_paging(None, None, False) == (1, 1)
    assert resolve_paging(4, None, False) == (4, 1)
    assert resolve_paging(None, 3, False) == (1, 3)
    assert resolve_paging(None, None, True) == (1, None)
    with pytest.raises(InvalidInputError, match="one of --page, --pages or --all"):
        resolve_paging(2, 3, False)
    with pytest.raises(InvalidInputError, match="--pages must be"):
        resolve_paging(None, 0, False)
    assert expected_pages(45, 20, 1, None) == 3
    assert expected_pages(45, 20, 1, 2) == 2
    assert expected_pages(None, 20, 1, 5) == 5


def test_format_choice() -> None:
    assert resolve_format(None, True) == "table"
    assert resolve_format(None, False) == "json"
    assert resolve_format("CSV", True) == "csv"
    with pytest.raises(InvalidInputError, match=re.escape("table|json|jsonl|csv")):
        resolve_format("xlsx", True)
