"""One TLS context for the process, built beside the start-up rather than in its way.

Loading the certificate authorities takes tens of milliseconds, and OpenSSL does it without
holding the interpreter's lock: started early on a thread (``prepare``), it is ready by the
time a client is built, where httpx would otherwise build one per client, on the spot.
"""

from __future__ import annotations

import os
import ssl
import threading
from concurrent.futures import Future

_context: Future[ssl.SSLContext] | None = None
_lock = threading.Lock()


def _build() -> ssl.SSLContext:
    # What httpx builds by default: the environment's authorities if it names them, else
    # certifi's bundle.
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _run(future: Future[ssl.SSLContext]) -> None:
    try:
        future.set_result(_build())
    except BaseException as exc:  # handed to whoever needs the context
        future.set_exception(exc)


def prepare() -> None:
    """Start building the context on a thread, if nobody has yet."""
    global _context
    with _lock:
        if _context is None:
            _context = Future()
            threading.Thread(
                target=_run, args=(_context,), name="pgyscout-tls", daemon=True
            ).start()


def context() -> ssl.SSLContext:
    """The process's TLS context (shared: httpx only reads it)."""
    prepare()
    assert _context is not None
    return _context.result()
