"""How failures reach the user: one line on stderr, a hint where one helps, an exit code."""

from __future__ import annotations

import errno
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


def _database_says(exc: BaseException) -> str:
    """The database driver's own words, for errors from the database layer."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return ""
    return (
        str(getattr(exc, "orig", None) or "").splitlines()[0] if getattr(exc, "orig", None) else ""
    )


def _environment_failure(exc: BaseException) -> Failure | None:
    """The machine, not pgyscout, said no: a full disk, a damaged database file, a path that
    cannot be written. Said plainly in one line, with what is safe."""
    said = _database_says(exc)
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in said:
        return Failure(
            "the disk is full" + (f" ({said})" if said else ""),
            "every answer paid for up to this point is stored (each is written before it is "
            "used); free some space and run the same command again "
            "(pgy enrich --resume finishes a job)",
            EXIT_UNKNOWN,
        )
    if "malformed" in said or "not a database" in said:
        return Failure(
            f"the database file is damaged ({said})",
            "check --db or PGYSCOUT_DB; restore a copy, or start a new database file",
            EXIT_UNKNOWN,
        )
    if isinstance(exc, OSError) and exc.filename:
        return Failure(redact(f"cannot use {exc.filename}: {exc.strerror}"), None, EXIT_USAGE)
    return None


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
    environment = _environment_failure(exc)
    if environment is not None:
        return environment
    if isinstance(exc, KeyboardInterrupt):
        return Failure("interrupted", None, EXIT_INTERRUPTED)
    return Failure(
        redact(f"unexpected {type(exc).__name__}: {exc}"),
        "run again with --debug for details",
        EXIT_UNKNOWN,
    )
