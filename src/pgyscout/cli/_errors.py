"""How failures reach the user: one line on stderr, a hint where one helps, an exit code."""

from __future__ import annotations

from dataclasses import dataclass

from pgyscout.errors import (
    AccountLimitError,
    ApiError,
    AuthError,
    ConfigError,
    InvalidInputError,
    InvalidParamsError,
    PermissionDeniedError,
    PgyscoutError,
    StoreError,
    UpstreamUnavailableError,
)
from pgyscout.redaction import redact

EXIT_OK = 0
EXIT_UNKNOWN = 1
EXIT_USAGE = 2
EXIT_ACCOUNT = 3
EXIT_INVALID_PARAMS = 4
EXIT_UNAVAILABLE = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what the shell shows for `yes | head -1`


@dataclass(frozen=True)
class Failure:
    message: str
    hint: str | None
    exit_code: int


def describe_failure(exc: BaseException) -> Failure:
    """The message, hint and exit code for an error; every text passes through ``redact``."""
    hint: str | None = None
    if isinstance(exc, InvalidInputError):
        return Failure(redact(str(exc)), None, EXIT_USAGE)
    if isinstance(exc, ConfigError):
        return Failure(redact(str(exc)), exc.hint and redact(exc.hint), EXIT_USAGE)
    if isinstance(exc, ApiError):
        hint = exc.hint
        if isinstance(exc, (AuthError, PermissionDeniedError, AccountLimitError)):
            code = EXIT_ACCOUNT
        elif isinstance(exc, InvalidParamsError):
            code = EXIT_INVALID_PARAMS
        elif isinstance(exc, UpstreamUnavailableError):
            code = EXIT_UNAVAILABLE
        else:
            code = EXIT_UNKNOWN
        return Failure(redact(str(exc)), hint and redact(hint), code)
    if isinstance(exc, StoreError):
        return Failure(redact(str(exc)), "check --db or PGYSCOUT_DB", EXIT_UNKNOWN)
    if isinstance(exc, PgyscoutError):
        return Failure(redact(str(exc)), None, EXIT_UNKNOWN)
    if isinstance(exc, KeyboardInterrupt):
        return Failure("interrupted", None, EXIT_INTERRUPTED)
    return Failure(
        redact(f"unexpected {type(exc).__name__}: {exc}"),
        "run again with --debug for details",
        EXIT_UNKNOWN,
    )
