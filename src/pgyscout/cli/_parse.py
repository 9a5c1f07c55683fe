"""Reading durations and dates typed on the command line, and errors in the user's words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pgyscout.client import InvalidInputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Longer than any data pgyscout keeps, and far from where date arithmetic overflows.
MAX_DURATION = dt.timedelta(days=36_525)


def parse_duration(text: str, option: str = "--max-age") -> dt.timedelta:
    """``90``, ``90s``, ``30m``, ``24h``, ``7d``, ``2w``; ``0`` means no time at all."""
    match = _DURATION.match(text) if len(text) <= 40 else None
    shown = text if len(text) <= 40 else text[:37] + "..."
    if not match:
        raise InvalidInputError(
            option, f"{option} must be a duration such as 30m, 24h or 7d (or 0), not {shown!r}"
        )
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds > MAX_DURATION.total_seconds():
        raise InvalidInputError(option, f"{option} must be at most 100 years, not {shown!r}")
    return dt.timedelta(seconds=seconds)


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """A date (2026-11-01), a date and time (2026-11-01T08:00), or a duration ago (7d)."""
    try:
        return parse_datetime(text)
    except ValueError:
        pass
    try:
        return now - parse_duration(text, "--since")
    except (InvalidInputError, OverflowError):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidInputError(
            "--since",
            f"--since must be a date (2026-11-01), a time or a duration up to 100 years (7d), "
            f"not {shown!r}",
        ) from None


def parse_datetime(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


@contextmanager
def user_words(names: Mapping[str, str]) -> Iterator[None]:
    """Refusals from the library name its parameters (``fans_min``); the user typed options
    (``--fans-min``): say it in the user's words."""
    try:
        yield
    except InvalidInputError as exc:
        raise renamed(exc, names) from None


def renamed(exc: InvalidInputError, names: Mapping[str, str]) -> InvalidInputError:
    if not names:
        return exc
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    message = pattern.sub(lambda m: names[m.group(1)], str(exc))
    param = names.get(exc.param, exc.param) if exc.param is not None else None
    return InvalidInputError(param, message)
