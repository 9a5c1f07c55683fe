"""Lenient readers for the mixed number forms upstream sends (ints, floats, "0.31", null).

A value that cannot be read becomes ``None`` rather than failing a whole page: the raw
value is always kept in ``.raw``. Units are never converted here; each field's description
says whether it is a percent number (87.7) or a fraction (0.2188).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from pydantic import BeforeValidator


def to_float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if text.endswith("%"):
            # A percent sign states the unit; the number stays a percent number.
            text = text[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def to_int(value: object) -> int | None:
    number = to_float(value)
    if number is None:
        return None
    if number.is_integer():
        return int(number)
    # Counts are whole; a fractional count is a unit we do not understand, so not guessed.
    return None


def to_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "y"):
            return True
        if text in ("false", "0", "no", "n"):
            return False
    return None


def to_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def to_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


Int = Annotated[int | None, BeforeValidator(to_int)]
Float = Annotated[float | None, BeforeValidator(to_float)]
Bool = Annotated[bool | None, BeforeValidator(to_bool)]
Date = Annotated[dt.date | None, BeforeValidator(to_date)]
Text = Annotated[str | None, BeforeValidator(to_text)]
