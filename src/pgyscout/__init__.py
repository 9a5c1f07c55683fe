"""pgyscout: Xiaohongshu creator research on Pugongying data from Just One API."""

__version__ = "0.1.0"

from pgyscout.client import (
    AccountLimitError,
    ApiError,
    AsyncClient,
    Attempt,
    AuthError,
    BalanceError,
    Client,
    ConfigError,
    EndpointGoneError,
    InvalidInputError,
    InvalidParamsError,
    PermissionDeniedError,
    PgyscoutError,
    QuotaError,
    SpendLimitError,
    UnknownCodeError,
    UpstreamUnavailableError,
)
from pgyscout.models import Creator, CreatorPage, FansPoint, FansTrend, Note, NotePage

__all__ = [
    "AccountLimitError",
    "ApiError",
    "AsyncClient",
    "Attempt",
    "AuthError",
    "BalanceError",
    "Client",
    "ConfigError",
    "Creator",
    "CreatorPage",
    "EndpointGoneError",
    "FansPoint",
    "FansTrend",
    "InvalidInputError",
    "InvalidParamsError",
    "Note",
    "NotePage",
    "PermissionDeniedError",
    "PgyscoutError",
    "QuotaError",
    "SpendLimitError",
    "UnknownCodeError",
    "UpstreamUnavailableError",
    "__version__",
]
