"""Keeping the API token out of everything shown, logged or stored.

The token rides in the query string, so any URL is a leak waiting to happen. Two nets:
a pattern that masks ``token=...`` in any text, and the literal values of every token a
client in this process was given.
"""

from __future__ import annotations

import logging
import re
import threading

_TOKEN_PARAM = re.compile(r"(?i)(token=)(?!\*\*\*)[^&\s#'\"<>]+")
_secrets: set[str] = set()
_lock = threading.Lock()

# Loggers of the HTTP stack that may print request URLs (httpx logs each request at INFO).
_HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def register_secret(value: str) -> None:
    """Remember a token so that its literal value is masked wherever it turns up."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    text = _TOKEN_PARAM.sub(r"\1***", text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with the token masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg = clean
            record.args = None
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the filter to the HTTP stack's loggers (idempotent)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def log_filter() -> RedactingFilter:
    return _FILTER
