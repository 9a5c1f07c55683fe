"""Reading the dashboard's query strings and forms: every bad value is refused with the name of
the parameter, so a page can answer 400 and say which one."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlencode

from pgyscout.analysis import CONTENTS, OBJECTIVES, Content

SORT_KEYS = ("score", "cpm", "cpe", "engagement", "growth", "reads", "fans", "price")
# Which way is best when the URL does not say: big scores, small costs.
BEST_FIRST_DESC = {
    "score": True,
    "cpm": False,
    "cpe": False,
    "engagement": True,
    "growth": True,
    "reads": True,
    "fans": True,
    "price": False,
}
GENDERS = {"female": "女", "f": "女", "女": "女", "male": "男", "m": "男", "男": "男"}
DEFAULT_SIZE = 50
MAX_SIZE = 500
MAX_COMPARE = 10
MAX_TEXT = 200


class BadParam(ValueError):
    """A query or form value that cannot be used; ``name`` is the parameter's name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _text(params: Mapping[str, str], name: str) -> str | None:
    raw = params.get(name)
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if len(value) > MAX_TEXT:
        raise BadParam(name, f"{name} is longer than {MAX_TEXT} characters")
    return value


def _number(params: Mapping[str, str], name: str, *, minimum: float = 0) -> float | None:
    raw = _text(params, name)
    if raw is None:
        return None
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        raise BadParam(name, f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value < minimum:
        raise BadParam(name, f"{name} must be a number of at least {minimum:g}, not {raw!r}")
    return value


def _whole(
    params: Mapping[str, str],
    name: str,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int | None:
    raw = _text(params, name)
    if raw is None:
        return None
    try:
        value = int(raw.replace(",", ""))
    except ValueError:
        raise BadParam(name, f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise BadParam(name, f"{name} must be at least {minimum}{upper}, not {value}")
    return value


def _choice(params: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    raw = _text(params, name)
    if raw is None:
        return None
    value = raw.lower()
    if value not in allowed:
        raise BadParam(name, f"{name} must be one of {'|'.join(allowed)}, not {raw!r}")
    return value


def parse_content(params: Mapping[str, str], name: str = "content") -> Content:
    return "video" if _choice(params, name, CONTENTS) == "video" else "photo"


@dataclass(frozen=True)
class CreatorQuery:
    """The creators table's state: everything is in the URL, so a view can be bookmarked."""

    q: str | None = None
    tag: str | None = None
    fans_min: int | None = None
    fans_max: int | None = None
    gender: str | None = None  # as upstream writes it: 女 or 男
    location: str | None = None
    price_max: float | None = None
    content: Content = "photo"
    min_score: float | None = None
    flags: str | None = None  # any | none | a flag's code
    search: int | None = None
    shortlist: str | None = None
    sort: str = "score"
    desc: bool = True
    page: int = 1
    size: int = DEFAULT_SIZE
    extra: dict[str, str] = field(default_factory=dict)

    def as_params(self, **changes: object) -> dict[str, str]:
        """The query string of this view (defaults left out), with ``changes`` applied."""
        view = replace(self, **changes)  # type: ignore[arg-type]
        values: dict[str, object] = {
            "q": view.q,
            "tag": view.tag,
            "fans_min": view.fans_min,
            "fans_max": view.fans_max,
            "gender": {"女": "female", "男": "male"}.get(view.gender or ""),
            "location": view.location,
            "price_max": _plain(view.price_max),
            "content": None if view.content == "photo" else view.content,
            "min_score": _plain(view.min_score),
            "flags": view.flags,
            "search": view.search,
            "shortlist": view.shortlist,
            "sort": None if view.sort == "score" else view.sort,
            "desc": None if view.desc == BEST_FIRST_DESC[view.sort] else int(view.desc),
            "page": None if view.page == 1 else view.page,
            "size": None if view.size == DEFAULT_SIZE else view.size,
        }
        return {k: str(v) for k, v in values.items() if v is not None}

    def url(self, path: str = "/creators", **changes: object) -> str:
        return f"{path}?{urlencode(self.as_params(**changes))}"


def _plain(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def parse_creator_query(params: Mapping[str, str], flag_codes: Sequence[str]) -> CreatorQuery:
    gender_raw = _text(params, "gender")
    gender = None
    if gender_raw is not None and gender_raw.lower() not in ("all", "any"):
        gender = GENDERS.get(gender_raw.lower())
        if gender is None:
            raise BadParam("gender", f"gender must be female or male, not {gender_raw!r}")
    fans_min = _whole(params, "fans_min")
    fans_max = _whole(params, "fans_max")
    if fans_min is not None and fans_max is not None and fans_min > fans_max:
        raise BadParam("fans_min", f"fans_min {fans_min} is above fans_max {fans_max}")
    flags = _text(params, "flags")
    if flags is not None:
        flags = flags.lower()
        if flags not in ("any", "none", *flag_codes):
            allowed = "|".join(("any", "none", *flag_codes))
            raise BadParam("flags", f"flags must be one of {allowed}, not {flags!r}")
    sort = _choice(params, "sort", SORT_KEYS) or "score"
    desc_raw = _choice(params, "desc", ("0", "1"))
    return CreatorQuery(
        q=_text(params, "q"),
        tag=_text(params, "tag"),
        fans_min=fans_min,
        fans_max=fans_max,
        gender=gender,
        location=_text(params, "location"),
        price_max=_number(params, "price_max"),
        content=parse_content(params),
        min_score=_number(params, "min_score"),
        flags=flags,
        search=_whole(params, "search", minimum=1),
        shortlist=_text(params, "shortlist"),
        sort=sort,
        desc=BEST_FIRST_DESC[sort] if desc_raw is None else desc_raw == "1",
        page=_whole(params, "page", minimum=1) or 1,
        size=_whole(params, "size", minimum=1, maximum=MAX_SIZE) or DEFAULT_SIZE,
    )


def parse_ids(params: Mapping[str, str], name: str = "ids") -> list[str]:
    """Comma- or space-separated creator ids, each checked, duplicates dropped."""
    from pgyscout.client.params import check_user_id

    raw = params.get(name) or ""
    ids: list[str] = []
    for part in raw.replace(",", " ").split():
        try:
            ids.append(check_user_id(part, name))
        except ValueError:
            raise BadParam(name, f"{name}: {part[:40]!r} is not a creator id") from None
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class PlanQuery:
    shortlist: str | None
    ids: list[str]
    budget: float | None
    objective: Literal["reads", "interactions", "score"]
    content: Content
    min_creators: int
    max_share: float


def parse_plan_query(params: Mapping[str, str]) -> PlanQuery:
    objective = _choice(params, "objective", OBJECTIVES) or "reads"
    max_share = _number(params, "max_share")
    if max_share is not None and not 0 < max_share <= 1:
        raise BadParam("max_share", f"max_share must be above 0 and at most 1, not {max_share:g}")
    budget = _number(params, "budget")
    if budget is not None and budget <= 0:
        raise BadParam("budget", "budget must be above 0")
    return PlanQuery(
        shortlist=_text(params, "shortlist"),
        ids=parse_ids(params),
        budget=budget,
        objective=objective,  # type: ignore[arg-type]
        content=parse_content(params),
        min_creators=_whole(params, "min_creators", minimum=1) or 1,
        max_share=1.0 if max_share is None else max_share,
    )


def parse_lang(params: Mapping[str, str], default: str) -> str:
    return _choice(params, "lang", ("zh", "en")) or default
