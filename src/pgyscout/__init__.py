"""pgyscout: Xiaohongshu creator research on Pugongying data from Just One API."""

import logging
from typing import TYPE_CHECKING

from pgyscout._lazy import attach
from pgyscout._version import __version__
from pgyscout.errors import (
    AccountLimitError,
    ApiError,
    AuthError,
    BalanceError,
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

if TYPE_CHECKING:
    from pgyscout.client import AsyncClient, Attempt, Client
    from pgyscout.models import Creator, CreatorPage, FansPoint, FansTrend, Note, NotePage

# The client and the models load on first use (PEP 562): `pgy --help` and the commands that
# only read the database start without httpx and pydantic.
_LAZY = {
    "AsyncClient": "pgyscout.client",
    "Attempt": "pgyscout.client",
    "Client": "pgyscout.client",
    "Creator": "pgyscout.models",
    "CreatorPage": "pgyscout.models",
    "FansPoint": "pgyscout.models",
    "FansTrend": "pgyscout.models",
    "Note": "pgyscout.models",
    "NotePage": "pgyscout.models",
}
__getattr__, __dir__ = attach(__name__, _LAZY)


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
