"""The upstream client: sync and async twins over one pure core."""

from pgyscout.client._async import AsyncClient
from pgyscout.client._base import Attempt, AttemptListener, CallStats
from pgyscout.client._config import Settings, config_path, resolve_settings
from pgyscout.client._core import DEFAULT_BASE_URL, ENDPOINTS, Endpoint, RetryPolicy
from pgyscout.client._sync import Client
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
    "QuotaError",
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
