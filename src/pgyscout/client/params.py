"""Request parameters: enums with friendly aliases, validation and canonical query building.

Everything here is pure. A bad value is refused with a ``ValueError`` that names the
parameter and lists what is allowed, before any (billed) call is made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pgyscout.errors import InvalidInputError


@dataclass(frozen=True)
class Choice:
    """An upstream enum: its values, and the friendly aliases users may type instead."""

    param: str
    values: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def friendly(self) -> list[str]:
        """The aliases in display order, one per upstream value where there is one."""
        shown: list[str] = []
        covered: set[str] = set()
        for alias, value in self.aliases.items():
            if value not in covered:
                shown.append(alias)
                covered.add(value)
        shown += [v for v in self.values if v not in covered]
        return shown

    def allowed_text(self) -> str:
        return f"{'|'.join(self.friendly())} (or upstream {', '.join(self.values)})"

    def normalize(self, value: object) -> str:
        """Map an upstream value or an alias (any case) to the upstream value."""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise InvalidInputError(
                self.param,
                f"{self.param} must be one of {self.allowed_text()}, not {value!r}",
            )
        key = str(value).strip().lower()
        for v in self.values:
            if key == v.lower():
                return v
        for alias, v in self.aliases.items():
            if key == alias.lower():
                return v
        raise InvalidInputError(
            self.param,
            f"{self.param} must be one of {self.allowed_text()}, not {str(value)!r}",
        )


SEARCH_TYPE = Choice(
    "search_type",
    ("NICKNAME", "NOTE"),
    {"nickname": "NICKNAME", "name": "NICKNAME", "note": "NOTE", "content": "NOTE"},
)
FANS_AGE = Choice(
    "fans_age",
    ("ALL", "LT_18", "AGE_18_24", "AGE_25_34", "AGE_35_44", "GT_44"),
    {
        "all": "ALL",
        "lt18": "LT_18",
        "18-24": "AGE_18_24",
        "25-34": "AGE_25_34",
        "35-44": "AGE_35_44",
        "gt44": "GT_44",
        "under18": "LT_18",
        "<18": "LT_18",
        "18_24": "AGE_18_24",
        "25_34": "AGE_25_34",
        "35_44": "AGE_35_44",
        "44+": "GT_44",
        ">44": "GT_44",
    },
)
FANS_GENDER = Choice(
    "fans_gender",
    ("ALL", "MALE_HIGH", "FE_MALE_HIGH"),
    {
        "all": "ALL",
        "male": "MALE_HIGH",
        "female": "FE_MALE_HIGH",
        "female_high": "FE_MALE_HIGH",
        "female-high": "FE_MALE_HIGH",
        "male-high": "MALE_HIGH",
    },
)
GENDER = Choice(
    "gender", ("ALL", "MALE", "FEMALE"), {"all": "ALL", "male": "MALE", "female": "FEMALE"}
)
ADVERTISE_SWITCH = Choice(
    "advertise_switch",
    ("ALL", "ORGANIC_ONLY"),
    {"all": "ALL", "organic": "ORGANIC_ONLY", "organic-only": "ORGANIC_ONLY"},
)
ORDER_TYPE = Choice(
    "order",
    ("LATEST", "MOST_READ", "MOST_INTERACT"),
    {"latest": "LATEST", "most-read": "MOST_READ", "most-interact": "MOST_INTERACT"},
)
NOTE_TYPE = Choice(
    "note_type",
    ("ALL", "COOPERATION", "PHOTO_TEXT", "VIDEO"),
    {
        "all": "ALL",
        "cooperation": "COOPERATION",
        "photo": "PHOTO_TEXT",
        "video": "VIDEO",
        "sponsored": "COOPERATION",
        "photo-text": "PHOTO_TEXT",
    },
)
THIRD_PLATFORM = Choice(
    "third_platform",
    ("NO", "YES"),
    {"false": "NO", "true": "YES", "0": "NO", "1": "YES"},
)
DATE_TYPE = Choice("days", ("_1", "_2"), {"30": "_1", "60": "_2", "30d": "_1", "60d": "_2"})
INCREASE_TYPE = Choice(
    "metric",
    ("_1", "_2"),
    {"total": "_1", "increase": "_2", "new": "_2", "new-fans": "_2"},
)

ALL_CHOICES = (
    SEARCH_TYPE,
    FANS_AGE,
    FANS_GENDER,
    GENDER,
    ADVERTISE_SWITCH,
    ORDER_TYPE,
    NOTE_TYPE,
    THIRD_PLATFORM,
    DATE_TYPE,
    INCREASE_TYPE,
)

_USER_ID = re.compile(r"^[0-9a-fA-F]{24}$")


def check_user_id(value: object, param: str = "user_id") -> str:
    """Creator ids are 24 hex characters; anything else would be a billed call for nothing."""
    if not isinstance(value, str) or not _USER_ID.match(value.strip()):
        raise InvalidInputError(
            param,
            f"{param} must be a 24-character hex creator id such as "
            f"5d21ab6b000000001201567d, not {value!r}",
        )
    return value.strip().lower()


# No upstream result has this many pages (search stops at 5,000 creators, 250 pages): a
# larger number is a typo, and asking for it would be a billed call for nothing.
MAX_PAGE = 10_000
# Far above any real follower count, and within a 64-bit integer.
MAX_FANS = 10_000_000_000
# Keywords and tags are a few words; upstream has no use for more.
MAX_TEXT = 100


def check_page(value: object, param: str = "page") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE:
        shown = repr(value) if len(repr(value)) <= 30 else repr(value)[:27] + "..."
        raise InvalidInputError(
            param, f"{param} must be a whole number from 1 to {MAX_PAGE:,}, not {shown}"
        )
    return value


def check_text(value: str, param: str) -> str:
    if len(value) > MAX_TEXT:
        raise InvalidInputError(
            param, f"{param} is {len(value):,} characters long; at most {MAX_TEXT} are searched"
        )
    return value


def check_max_pages(value: object) -> int | None:
    if value is None:
        return None
    return check_page(value, "max_pages")


def _check_fans(value: object, param: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FANS:
        shown = repr(value) if len(repr(value)) <= 30 else repr(value)[:27] + "..."
        raise InvalidInputError(
            param, f"{param} must be a whole number from 0 to {MAX_FANS:,}, not {shown}"
        )
    return value


def split_tags(tags: str | Iterable[str] | None) -> list[str]:
    """Tags may come as one comma-separated string or many; full-width commas count too."""
    if tags is None:
        return []
    items = [tags] if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInputError("content_tags", f"content tags must be text, not {item!r}")
        for part in re.split(r"[,，]", item):
            part = check_text(part.strip(), "content_tags")
            if part and part not in out:
                out.append(part)
    return out


def search_params(
    *,
    keyword: str | None = None,
    search_type: str = "NICKNAME",
    page: int = 1,
    fans_min: int | None = None,
    fans_max: int | None = None,
    fans_age: str = "ALL",
    fans_gender: str = "ALL",
    gender: str = "ALL",
    content_tags: str | Iterable[str] | None = None,
) -> dict[str, str]:
    """Validated upstream query of the creator search, defaults made explicit."""
    lower = _check_fans(fans_min, "fans_min")
    upper = _check_fans(fans_max, "fans_max")
    if lower is not None and upper is not None and lower > upper:
        raise InvalidInputError(
            "fans_min", f"fans_min ({lower}) must not be above fans_max ({upper})"
        )
    if keyword is not None and not isinstance(keyword, str):
        raise InvalidInputError("keyword", f"keyword must be text, not {keyword!r}")
    params: dict[str, str] = {"searchType": SEARCH_TYPE.normalize(search_type)}
    if keyword is not None and keyword.strip():
        params["keyword"] = check_text(keyword.strip(), "keyword")
    params["page"] = str(check_page(page))
    if lower is not None:
        params["fansNumberLower"] = str(lower)
    if upper is not None:
        params["fansNumberUpper"] = str(upper)
    params["fansAge"] = FANS_AGE.normalize(fans_age)
    params["fansGender"] = FANS_GENDER.normalize(fans_gender)
    params["gender"] = GENDER.normalize(gender)
    tags = split_tags(content_tags)
    if tags:
        params["contentTag"] = ",".join(tags)
    return params


# Saved searches keep the upstream query; the client takes friendly names.
SEARCH_FILTERS = {
    "keyword": "keyword",
    "searchType": "search_type",
    "fansNumberLower": "fans_min",
    "fansNumberUpper": "fans_max",
    "fansAge": "fans_age",
    "fansGender": "fans_gender",
    "gender": "gender",
    "contentTag": "content_tags",
}


def search_filters(saved: Mapping[str, object]) -> dict[str, object]:
    """The client's search arguments from a saved search's upstream query: the inverse of
    ``search_params`` (the page left out)."""
    out: dict[str, object] = {}
    for upstream, friendly in SEARCH_FILTERS.items():
        value = saved.get(upstream)
        if value is None or value == "":
            continue
        out[friendly] = int(str(value)) if friendly in ("fans_min", "fans_max") else value
    return out


def notes_params(
    user_id: str,
    *,
    order: str = "LATEST",
    note_type: str = "ALL",
    advertise_switch: str = "ALL",
    third_platform: str | bool = "NO",
    page: int = 1,
) -> dict[str, str]:
    """Validated upstream query of a creator's notes, defaults made explicit."""
    third = (
        ("YES" if third_platform else "NO") if isinstance(third_platform, bool) else third_platform
    )
    return {
        "userId": check_user_id(user_id),
        "advertiseSwitch": ADVERTISE_SWITCH.normalize(advertise_switch),
        "orderType": ORDER_TYPE.normalize(order),
        "noteType": NOTE_TYPE.normalize(note_type),
        "isThirdPlatform": THIRD_PLATFORM.normalize(third),
        "pageNumber": str(check_page(page)),
    }


def trend_params(
    kol_id: str,
    *,
    days: int | str = 30,
    metric: str = "total",
    accept_cache: bool = False,
) -> dict[str, str]:
    """Validated upstream query of the follower growth history."""
    if not isinstance(accept_cache, bool):
        raise InvalidInputError(
            "accept_cache", f"accept_cache must be True or False, not {accept_cache!r}"
        )
    return {
        "kolId": check_user_id(kol_id, "kol_id"),
        "dateType": DATE_TYPE.normalize(days),
        "increaseType": INCREASE_TYPE.normalize(metric),
        "acceptCache": "true" if accept_cache else "false",
    }


def canonical(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    """Parameters in one stable order: the natural key of a request (token never included)."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return tuple(sorted((k, str(v)) for k, v in pairs if k != "token"))


def params_key(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """The canonical text of a request's parameters, as the ledger and cache store it."""
    return "&".join(f"{k}={v}" for k, v in canonical(params))


def any_page_key(params: Mapping[str, Any] | Iterable[tuple[str, Any]], page_param: str) -> str:
    """A SQL ``LIKE`` pattern (escape character ``\\``) matching the ``params_key`` of this
    request on any page. It may match a little more (``%`` is not only digits): a caller
    that needs the page checks it (``page_of_key``)."""
    before, after = _around_page(params, page_param)
    return _like(before) + "%" + _like(after)


def page_of_key(
    key: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]], page_param: str
) -> str:
    """The page a ``params_key`` matched by ``any_page_key`` names; "" when the key is another
    request's (SQLite's ``LIKE`` ignores case: a search for "ABC" matches one for "abc")."""
    before, after = _around_page(params, page_param)
    fits = len(key) >= len(before) + len(after) and key.startswith(before) and key.endswith(after)
    return key[len(before) : len(key) - len(after)] if fits else ""


def _around_page(
    params: Mapping[str, Any] | Iterable[tuple[str, Any]], page_param: str
) -> tuple[str, str]:
    marker = "\x00"
    pairs = params.items() if isinstance(params, Mapping) else params
    others = [(k, v) for k, v in pairs if k != page_param]
    before, _, after = params_key([*others, (page_param, marker)]).partition(marker)
    return before, after


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
