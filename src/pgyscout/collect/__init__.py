"""Bulk collection: resumable, concurrent, rate-adaptive jobs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pgyscout.collect.enrich import EnrichOptions, EnrichProgress, run_job

# The job machinery (asyncio, the async client) loads on first use (PEP 562): a search that
# only estimates its cost with ``collect.spending`` starts without it.
_LAZY = {
    "EnrichOptions": "pgyscout.collect.enrich",
    "EnrichProgress": "pgyscout.collect.enrich",
    "run_job": "pgyscout.collect.enrich",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = ["EnrichOptions", "EnrichProgress", "run_job"]
