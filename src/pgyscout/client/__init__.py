"""The upstream client: sync and async twins over one pure core."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgyscout._lazy import attach
from pgyscout.errors import (
    AccountLimitError,
    ApiError,
    AuthError,
    BalanceError,
    CallLimitReached,
    CallsStopped,
    ConfigError,
    EndpointGoneError,
    InvalidInputError,
    InvalidParamsError,
    MalformedAnswerError,
    PermissionDeniedError,
    PgyscoutError,
    QuotaError,
    SpendLimitError,
    UnknownCodeError,
    UnreachableError,
    UpstreamUnavailableError,
)
from pgyscout.redaction import redact

if TYPE_CHECKING:
    from pgyscout.client._async import AsyncClient
    from pgyscout.client._base import (
        Attempt,
        AttemptListener,
        CallStats,
        PreparedRequest,
        ResponseCache,
    )
    from pgyscout.client._sync import Client
    from pgyscout.client.config import Settings, config_path, resolve_settings
    from pgyscout.client.core import DEFAULT_BASE_URL, ENDPOINTS, Endpoint, RetryPolicy

# httpx, tenacity and pydantic load on first use (PEP 562): the commands that only read the
# database import parameter rules from here without them.
_LAZY = {
    "AsyncClient": "pgyscout.client._async",
    "Attempt": "pgyscout.client._base",
    "AttemptListener": "pgyscout.client._base",
    "CallStats": "pgyscout.client._base",
    "PreparedRequest": "pgyscout.client._base",
    "ResponseCache": "pgyscout.client._base",
    "Settings": "pgyscout.client.config",
    "config_path": "pgyscout.client.config",
    "resolve_settings": "pgyscout.client.config",
    "DEFAULT_BASE_URL": "pgyscout.client.core",
    "ENDPOINTS": "pgyscout.client.core",
    "Endpoint": "pgyscout.client.core",
    "RetryPolicy": "pgyscout.client.core",
    "Client": "pgyscout.client._sync",
}
__getattr__, __dir__ = attach(__name__, _LAZY)


__all__ = [
    "DEFAULT_BASE_URL",
    "ENDPOINTS",
    "AccountLimitError",
    "ApiError",
    "AsyncClient",
    "Attempt",
    "AttemptListener",
    "AuthError",
    "BalanceError",
    "CallLimitReached",
    "CallStats",
    "CallsStopped",
    "Client",
    "ConfigError",
    "Endpoint",
    "EndpointGoneError",
    "InvalidInputError",
    "InvalidParamsError",
    "MalformedAnswerError",
    "PermissionDeniedError",
    "PgyscoutError",
    "PreparedRequest",
    "QuotaError",
    "ResponseCache",
    "RetryPolicy",
    "Settings",
    "SpendLimitError",
    "UnknownCodeError",
    "UnreachableError",
    "UpstreamUnavailableError",
    "config_path",
    "redact",
    "resolve_settings",
]
