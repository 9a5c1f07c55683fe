"""pgyscout: Xiaohongshu creator research on Pugongying data from Just One API."""

import logging

from pgyscout._version import __version__
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

# A library stays quiet unless the application configures logging (the CLI does).
logging.getLogger("pgyscout").addHandler(logging.NullHandler())

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
