"""The request loop's own signal for a failed attempt worth retrying."""

from __future__ import annotations

from pgyscout.errors import PgyscoutError
from pgyscout.redaction import redact


class TransientError(PgyscoutError):
    """One failed attempt that is worth retrying. Internal to the request loop."""

    def __init__(
        self,
        code: int | None,
        message: str,
        *,
        http_status: int | None = None,
        rate_limited: bool = False,
        unreachable: bool = False,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.rate_limited = rate_limited
        self.unreachable = unreachable
