"""The sandbox's knobs, special tokens, rate limiter, counters and the answers it builds
(no HTTP here: app.py puts them on the wire)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pgyscout.errors import InvalidInputError
from pgyscout.sandbox.population import (
    NOTES_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    SEARCH_TOTAL_CAP,
    Plant,
    Population,
    SynthCreator,
)

# Tokens that make the sandbox answer like an account in trouble. Any other non-empty
# token is accepted.
SPECIAL_TOKENS: dict[str, tuple[int, str]] = {
    "sandbox-invalid-token": (100, "INVALID TOKEN"),
    "sandbox-quota-exceeded": (303, "DAILY QUOTA EXCEEDED"),
    "sandbox-permission-denied": (600, "PERMISSION DENIED"),
    "sandbox-no-balance": (601, "INSUFFICIENT BALANCE"),
    "sandbox-spend-limit": (602, "SPENDING LIMIT REACHED"),
    "sandbox-unknown-code": (777, "SOMETHING NEW"),
}

# How --fault-rate P is spread over the fault kinds, from what real traffic shows most.
FAULT_MIX = {"fault_301": 0.6, "fault_500": 0.2, "fault_http5xx": 0.1, "fault_drop": 0.1}
# Every answer kind decided by a roll of the dice, in the order they are rolled.
ROLLED = ("fault_drop", "fault_http5xx", "fault_garbled", "fault_301", "fault_500", "no_content")


@dataclass
class SandboxConfig:
    seed: int = 7
    size: int = 6000
    as_of: dt.date | None = None
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    rate_limit: float | None = None  # requests a second; beyond it answers are 302
    fault_301: float = 0.0  # business 301 FAILED, RETRY
    fault_500: float = 0.0  # business 500 SERVER ERROR
    fault_http5xx: float = 0.0  # HTTP 502 from the gateway
    fault_drop: float = 0.0  # the connection is cut mid-answer
    fault_garbled: float = 0.0  # HTTP 200 with a body that is not JSON (a proxy's page)
    no_content: float = 0.0  # code 201: no content, billed, an empty result
    quota: int | None = None  # billed answers a token gets before every answer is 303
    trend_gone: bool = False  # the deprecated follower-growth endpoint answers HTTP 404
    day_offset: int = 0  # simulated days past as_of: followers, notes and plants move on
    plants: tuple[Plant, ...] = ()  # events on chosen simulated days (see Plant)
    # Creators whose answers are billed successes with broken data, as upstream has sent:
    # their notes pages hold a note without noteId, their follower trend has data null.
    malformed_users: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ROLLED:
            rate = getattr(self, name)
            if not 0 <= rate <= 1:
                raise InvalidInputError(name, f"{name} must be between 0 and 1, not {rate}")
        if sum(getattr(self, n) for n in ROLLED) > 1:
            raise InvalidInputError(None, "fault rates add up to more than 1")
        if self.size < 1:
            raise InvalidInputError("size", "size must be at least 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise InvalidInputError("rate_limit", "rate_limit must be above 0")
        if self.day_offset < 0:
            raise InvalidInputError("day_offset", "day_offset must not be negative")

    def with_fault_rate(self, rate: float) -> SandboxConfig:
        """Spread one overall fault rate over the kinds as FAULT_MIX says."""
        if not 0 <= rate <= 1:
            raise InvalidInputError("rate", f"fault rate must be between 0 and 1, not {rate}")
        values = {name: rate * share for name, share in FAULT_MIX.items()}
        return SandboxConfig(**{**self.__dict__, **values})


class TokenBucket:
    """Allows ``rate`` requests a second with a burst of one second's worth."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


def request_key(endpoint: str, params: dict[str, str]) -> str:
    """A billed request's identity: endpoint and sorted parameters, the token left out."""
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "token")
    return f"{endpoint}?{query}"


@dataclass
class Counters:
    """What the sandbox answered, for tests and benchmarks to check the client against."""

    calls: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)
    billed_by_request: Counter[str] = field(default_factory=Counter)
    billed_by_token: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, endpoint: str) -> None:
        with self._lock:
            self.calls += 1
            self.by_endpoint[endpoint] += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def finish(self, answer: str, billed_key: str | None = None, token: str = "") -> None:
        with self._lock:
            self.in_flight -= 1
            self.by_code[answer] += 1
            if billed_key is not None:
                self.billed_by_request[billed_key] += 1
                self.billed_by_token[token] += 1

    def billed_for_token(self, token: str) -> int:
        with self._lock:
            return self.billed_by_token[token]

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.in_flight = 0
            self.peak_in_flight = 0
            for counter in (
                self.by_code,
                self.by_endpoint,
                self.billed_by_request,
                self.billed_by_token,
            ):
                counter.clear()

    def snapshot(self, detail: bool = False) -> dict[str, Any]:
        with self._lock:
            billed = sum(self.billed_by_request.values())
            out: dict[str, Any] = {
                "calls": self.calls,
                "billed": billed,
                "distinct_billed": len(self.billed_by_request),
                "repeat_billed": billed - len(self.billed_by_request),
                "max_billed_per_request": max(self.billed_by_request.values(), default=0),
                "by_code": dict(self.by_code),
                "by_endpoint": dict(self.by_endpoint),
                "peak_in_flight": self.peak_in_flight,
            }
            if detail:
                out["billed_by_request"] = dict(self.billed_by_request)
            return out


ENUMS = {
    "searchType": ("NICKNAME", "NOTE"),
    "fansAge": ("ALL", "LT_18", "AGE_18_24", "AGE_25_34", "AGE_35_44", "GT_44"),
    "fansGender": ("ALL", "MALE_HIGH", "FE_MALE_HIGH"),
    "gender": ("ALL", "MALE", "FEMALE"),
    "advertiseSwitch": ("ALL", "ORGANIC_ONLY"),
    "orderType": ("LATEST", "MOST_READ", "MOST_INTERACT"),
    "noteType": ("ALL", "COOPERATION", "PHOTO_TEXT", "VIDEO"),
    "isThirdPlatform": ("NO", "YES"),
    "dateType": ("_1", "_2"),
    "increaseType": ("_1", "_2"),
    "acceptCache": ("true", "false"),
}


class BadParameter(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class MissingParameter(Exception):
    pass


def _int_param(params: dict[str, str], name: str, default: int | None, minimum: int) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name) from None
    if value < minimum:
        raise BadParameter(name)
    return value


def _enum_param(params: dict[str, str], name: str, default: str | None) -> str:
    raw = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise MissingParameter(name)
        return default
    if raw not in ENUMS[name]:
        raise BadParameter(name)
    return raw


class SandboxState:
    """Everything one sandbox server knows; also what tests read counters from."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.population = Population(
            config.seed, config.size, config.as_of, config.day_offset, config.plants
        )
        self.counters = Counters()
        self.limiter = TokenBucket(config.rate_limit) if config.rate_limit else None
        self.rng = random.Random(config.seed)
        ranked = sorted(self.population.creators, key=lambda c: (-c.score, c.index))
        self.orders: dict[str, list[SynthCreator]] = {
            "DEFAULT": ranked,
            "FANS": sorted(ranked, key=lambda c: (-c.fans, c.index)),
        }

    # -- the answers --------------------------------------------------------------------
    def search(self, params: dict[str, str]) -> dict[str, Any]:
        search_type = _enum_param(params, "searchType", "NICKNAME")
        page = _int_param(params, "page", 1, 1) or 1
        lower = _int_param(params, "fansNumberLower", None, 0)
        upper = _int_param(params, "fansNumberUpper", None, 0)
        fans_age = _enum_param(params, "fansAge", "ALL")
        fans_gender = _enum_param(params, "fansGender", "ALL")
        gender = _enum_param(params, "gender", "ALL")
        tags = {
            t.strip()
            for t in params.get("contentTag", "").replace("，", ",").split(",")
            if t.strip()
        }
        keyword = params.get("keyword", "").strip().lower()
        order = self.orders.get(params.get("sort", "").upper(), self.orders["DEFAULT"])

        def matches(c: SynthCreator) -> bool:
            if lower is not None and c.fans < lower:
                return False
            if upper is not None and c.fans > upper:
                return False
            if fans_age != "ALL" and c.fans_age != fans_age:
                return False
            if fans_gender != "ALL" and c.fans_gender != fans_gender:
                return False
            if gender != "ALL" and c.gender_code != gender:
                return False
            if tags and not (tags & c.tags):
                return False
            if keyword:
                text = c.name if search_type == "NICKNAME" else self.population.title_text(c)
                if keyword not in text.lower():
                    return False
            return True

        found = [c for c in order if matches(c)]
        total = min(len(found), SEARCH_TOTAL_CAP)
        start = (page - 1) * SEARCH_PAGE_SIZE
        chosen = found[start : min(start + SEARCH_PAGE_SIZE, total)]
        track = hashlib.md5(
            request_key("search", params).encode(), usedforsecurity=False
        ).hexdigest()
        return {
            "kols": [self.population.record(c) for c in chosen],
            "total": total,
            "trackId": f"kolSearch_{track}",
            "highlightWords": [params["keyword"].strip()] if keyword else [],
            "resultType": 1,
            "redirect2NickSearch": False,
        }

    def notes(self, params: dict[str, str]) -> dict[str, Any]:
        user_id = params.get("userId", "").strip()
        if not user_id:
            raise MissingParameter("userId")
        advertise = _enum_param(params, "advertiseSwitch", "ALL")
        order = _enum_param(params, "orderType", "LATEST")
        note_type = _enum_param(params, "noteType", "ALL")
        third = _enum_param(params, "isThirdPlatform", "NO")
        page = _int_param(params, "pageNumber", 1, 1) or 1
        creator = self.population.by_id.get(user_id)
        if creator is None:  # outside the marketplace: an empty list, as upstream does
            return {"list": [], "total": 0}
        notes = self.population.notes(creator)
        if advertise == "ORGANIC_ONLY":
            notes = [n for n in notes if not n["isAdvertise"]]
        if note_type == "COOPERATION":
            notes = [n for n in notes if n["isAdvertise"]]
        elif note_type == "PHOTO_TEXT":
            notes = [n for n in notes if not n["isVideo"]]
        elif note_type == "VIDEO":
            notes = [n for n in notes if n["isVideo"]]
        if third == "YES":
            notes = [n for n in notes if n["thirdReadUserNum"] > 0]
        if order == "MOST_READ":
            notes = sorted(notes, key=lambda n: -n["readNum"])
        elif order == "MOST_INTERACT":
            notes = sorted(notes, key=lambda n: -(n["likeNum"] + n["collectNum"]))
        start = (page - 1) * NOTES_PAGE_SIZE
        return {"list": notes[start : start + NOTES_PAGE_SIZE], "total": len(notes)}

    def trend(self, params: dict[str, str]) -> dict[str, Any]:
        kol_id = params.get("kolId", "").strip()
        if not kol_id:
            raise MissingParameter("kolId")
        date_type = _enum_param(params, "dateType", None)
        increase_type = _enum_param(params, "increaseType", None)
        if params.get("acceptCache"):
            _enum_param(params, "acceptCache", "false")
        creator = self.population.by_id.get(kol_id)
        if creator is None:
            return {"fansNumInc": 0, "fansNumIncRate": 0, "list": []}
        rows = self.population.history(creator)[-(30 if date_type == "_1" else 60) :]
        if increase_type == "_1":
            points = [{"num": total, "dateKey": day.isoformat()} for day, total, _ in rows]
            gained = rows[-1][1] - rows[0][1]
        else:
            points = [{"num": new, "dateKey": day.isoformat()} for day, _, new in rows]
            gained = sum(new for _, _, new in rows)
        rate = gained / rows[0][1] if rows[0][1] else 0
        return {"fansNumInc": gained, "fansNumIncRate": rate, "list": points}

    # -- which fault, if any, a request meets ------------------------------------------
    def roll_fault(self) -> str | None:
        roll = self.rng.random()
        for name in ROLLED:
            rate: float = getattr(self.config, name)
            if roll < rate:
                return name
            roll -= rate
        return None
