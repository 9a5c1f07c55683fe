"""Every error pgyscout raises on purpose, in one tree under ``PgyscoutError``.

Every message is already free of the API token. Errors about what was asked name the
library parameter at fault (``.param``); the command line maps it to its flag.
"""

from __future__ import annotations

from pgyscout.redaction import redact


class PgyscoutError(Exception):
    """Base of every error pgyscout raises on purpose."""


class ConfigError(PgyscoutError):
    """The client cannot be set up as asked (no token, a bad base URL, a bad setting)."""

    hint: str | None = None


class UnreachableError(ConfigError):
    """The base URL's host refuses connections or does not resolve: a setting to fix, not
    upstream flakiness, so it is retried only briefly."""

    def __init__(self, host: str, reason: str) -> None:
        self.host = host
        self.reason = redact(reason)
        self.hint = "check --base-url or JUSTONEAPI_BASE_URL"
        super().__init__(f"cannot connect to {host}: {self.reason}")


class InvalidInputError(PgyscoutError, ValueError):
    """What was asked is refused before anything is done (and before any billed call).

    ``param`` names the parameter at fault where there is one; the message says what is
    allowed. Still a ``ValueError``, as invalid arguments are in Python.
    """

    def __init__(self, param: str | None, message: str) -> None:
        super().__init__(message)
        self.param = param


class ShortlistError(InvalidInputError):
    """A shortlist that does not exist, already exists, or a name that cannot be one."""

    def __init__(self, message: str, param: str | None = "name") -> None:
        super().__init__(param, message)


class ExportError(InvalidInputError):
    """A file that cannot be written as asked (an unknown suffix, say)."""

    def __init__(self, message: str, param: str | None = "path") -> None:
        super().__init__(param, message)


class PlanError(InvalidInputError):
    """No mix satisfies the request (e.g. fewer affordable creators than ``min_creators``)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(param, message)


class StoreError(PgyscoutError):
    """The database cannot be opened or used as asked."""


class ApiError(PgyscoutError):
    """The upstream answered with something other than data.

    ``code`` is the business code (``None`` for transport failures), ``message`` the
    upstream's own short text, ``http_status`` the HTTP status when one was received.
    """

    meaning = "the upstream API refused the request"
    hint: str | None = None

    def __init__(
        self,
        code: int | None,
        message: str = "",
        *,
        http_status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.code = code
        # Upstream text may echo the request URL, token and all: mask it on the way in.
        self.message = redact(message)
        self.http_status = http_status
        self.endpoint = endpoint
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f" ({'code ' + str(self.code) if self.code is not None else 'no code'})"
        detail = f": {self.message}" if self.message else ""
        return f"{self.meaning}{detail}{where}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ApiError], state: dict[str, object]) -> ApiError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err.describe())
    return err


class AuthError(ApiError):
    meaning = "the API token is invalid or inactive"
    hint = "check JUSTONEAPI_TOKEN, --token or the config file"


class PermissionDeniedError(ApiError):
    meaning = "permission denied for this endpoint"
    hint = "your Just One API plan may not include Pugongying data"


class AccountLimitError(ApiError):
    """The account cannot pay for more calls now; bulk work stops and stays resumable."""


class QuotaError(AccountLimitError):
    meaning = "the daily quota is used up"
    hint = "the quota resets daily; finished work is kept"


class BalanceError(AccountLimitError):
    meaning = "the account balance is insufficient"
    hint = "top up the Just One API account, then run the same command again"


class SpendLimitError(AccountLimitError):
    meaning = "the account's spending limit is reached"
    hint = "raise the spending limit in the Just One API console"


class InvalidParamsError(ApiError):
    meaning = "the upstream refused the parameters"

    def __init__(
        self,
        code: int | None,
        message: str = "",
        *,
        http_status: int | None = None,
        endpoint: str | None = None,
        param: str | None = None,
    ) -> None:
        self.param = param
        super().__init__(code, message, http_status=http_status, endpoint=endpoint)

    def describe(self) -> str:
        base = super().describe()
        return f"{base}; parameter: {self.param}" if self.param else base


class UpstreamUnavailableError(ApiError):
    """Retries ran out on failures that are normally transient (301, 302, 500, HTTP 5xx...)."""

    meaning = "the upstream kept failing"
    hint = "nothing was billed for the failed attempts; try again later or raise --retries"

    def __init__(
        self,
        code: int | None,
        message: str = "",
        *,
        http_status: int | None = None,
        endpoint: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.attempts = attempts
        super().__init__(code, message, http_status=http_status, endpoint=endpoint)

    def describe(self) -> str:
        base = super().describe()
        return f"{base} after {self.attempts} attempts" if self.attempts else base


class MalformedAnswerError(UpstreamUnavailableError):
    """A success (code 0) whose data is not what the endpoint sends: ``data`` null or not an
    object, a record without its id. It was billed, so it is kept as received, but it is not
    used, nor served from the cache; bulk jobs mark the creator failed with this reason."""

    meaning = "the upstream sent a malformed answer"
    hint = (
        "it was billed and is kept in the database, but not used; "
        "try again later (--refresh, or pgy enrich --retry-failed)"
    )

    def describe(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.meaning}{detail} (code {self.code})"


class UnknownCodeError(ApiError):
    meaning = "the upstream answered with an unknown code"
    hint = "pgyscout stops rather than guess; report the code if it persists"


class EndpointGoneError(UnknownCodeError):
    """HTTP 404: the endpoint is no longer served (the follower-growth one is deprecated)."""

    meaning = "this endpoint is no longer served upstream"
    hint = "Just One API marks the follower-growth endpoint deprecated; it may have been removed"


class CallsStopped(PgyscoutError):
    """No further call is sent: the client was told to stop issuing (Ctrl-C, say). Nothing
    was sent for the request that raised this; answers already in flight were kept."""

    def __init__(self, reason: str = "stopped") -> None:
        self.reason = reason
        super().__init__(f"no more calls: {reason}")


class CallLimitReached(CallsStopped):
    """The cap on billed calls (``max_calls``, --max-calls) is reached: a clean stop."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"{limit} billed call(s) made, the most allowed (--max-calls)")
