"""Where settings come from: arguments, then the environment, then the user's config file."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from pgyscout.client.core import DEFAULT_BASE_URL
from pgyscout.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ENV_TOKEN = "JUSTONEAPI_TOKEN"
ENV_BASE_URL = "JUSTONEAPI_BASE_URL"
ENV_RETRIES = "PGYSCOUT_RETRIES"
ENV_RETRY_WAIT = "PGYSCOUT_RETRY_WAIT"
ENV_CONFIG = "PGYSCOUT_CONFIG"

DEFAULT_TIMEOUT = 60.0  # upstream advice; shorter risks paying twice for a slow success
DEFAULT_ATTEMPTS = 5
DEFAULT_RETRY_WAIT = 1.0
DEFAULT_RETRY_CAP = 30.0


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(ENV_CONFIG)
    if override:
        return Path(override)
    return platformdirs.user_config_path("pgyscout") / "config.toml"


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            loaded: dict[str, Any] = tomllib.load(fh)
            return loaded
    except (OSError, tomllib.TOMLDecodeError) as exc:
        # The file may hold the token: name the file, never echo its content.
        raise ConfigError(f"cannot read the config file {path}: {type(exc).__name__}") from None


@dataclass(frozen=True)
class Settings:
    token: str
    base_url: str
    timeout: float
    max_attempts: int
    retry_wait: float
    retry_cap: float
    max_qps: float | None

    def __repr__(self) -> str:
        return (
            f"Settings(token='***', base_url={self.base_url!r}, timeout={self.timeout}, "
            f"max_attempts={self.max_attempts}, retry_wait={self.retry_wait}, "
            f"retry_cap={self.retry_cap}, max_qps={self.max_qps})"
        )


def _number(
    name: str, raw: object, kind: type[int] | type[float], minimum: float, maximum: float
) -> Any:
    text = str(raw)
    if len(text) > 40:
        raise ConfigError(f"{name} must be a number from {minimum:g} to {maximum:g}")
    try:
        value = kind(text)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name} must be a number, not {text!r}") from None
    # nan compares false with everything: refuse what is not a finite number in range.
    if not (math.isfinite(value) and minimum <= value <= maximum):
        raise ConfigError(f"{name} must be a number from {minimum:g} to {maximum:g}, not {value}")
    return value


# Far above any sensible setting, low enough that no clock or sleep overflows.
MAX_SECONDS = 86_400.0
MAX_ATTEMPTS = 100
MAX_TOKEN = 1_000  # real tokens are a few dozen characters
MAX_URL = 2_000


def check_base_url(url: str) -> str:
    if len(url) > MAX_URL:
        raise ConfigError(f"base URL is {len(url):,} characters long; a base URL is a host")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"base URL must look like https://host[:port], not {url!r}")
    if parts.query:
        raise ConfigError("base URL must not carry a query (pass the token with --token)")
    return url.rstrip("/")


def resolve_base_url(base_url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The base URL alone, as ``resolve_settings`` chooses it: no token needed to know it."""
    env = os.environ if env is None else env
    chosen = (
        base_url
        or env.get(ENV_BASE_URL)
        or read_config_file(config_path(env)).get("base_url")
        or DEFAULT_BASE_URL
    )
    return check_base_url(str(chosen))


def resolve_settings(
    *,
    token: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    max_attempts: int | None = None,
    retry_wait: float | None = None,
    retry_cap: float | None = None,
    max_qps: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if env is None else env
    file_values: dict[str, Any] | None = None

    def from_file(key: str) -> Any:
        nonlocal file_values
        if file_values is None:
            file_values = read_config_file(config_path(env))
        return file_values.get(key)

    chosen_token = token or env.get(ENV_TOKEN) or from_file("token")
    if not chosen_token or not isinstance(chosen_token, str) or not chosen_token.strip():
        raise ConfigError(
            f'no API token: pass --token, set {ENV_TOKEN}, or write token = "..." '
            f"in {config_path(env)}"
        )
    if len(chosen_token.strip()) > MAX_TOKEN:
        raise ConfigError(
            f"the API token is {len(chosen_token.strip()):,} characters long; "
            "check --token, JUSTONEAPI_TOKEN or the config file"
        )
    chosen_url = base_url or env.get(ENV_BASE_URL) or from_file("base_url") or DEFAULT_BASE_URL
    attempts = max_attempts if max_attempts is not None else env.get(ENV_RETRIES, DEFAULT_ATTEMPTS)
    wait = retry_wait if retry_wait is not None else env.get(ENV_RETRY_WAIT, DEFAULT_RETRY_WAIT)
    return Settings(
        token=chosen_token.strip(),
        base_url=check_base_url(str(chosen_url)),
        timeout=_number(
            "timeout", DEFAULT_TIMEOUT if timeout is None else timeout, float, 0.001, MAX_SECONDS
        ),
        max_attempts=_number("retries", attempts, int, 1, MAX_ATTEMPTS),
        retry_wait=_number("retry wait", wait, float, 0, MAX_SECONDS),
        retry_cap=_number(
            "retry cap",
            DEFAULT_RETRY_CAP if retry_cap is None else retry_cap,
            float,
            0,
            MAX_SECONDS,
        ),
        max_qps=None if max_qps is None else _number("max_qps", max_qps, float, 0.001, 10_000),
    )
