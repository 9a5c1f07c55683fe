"""Bulk collection: resumable, concurrent, rate-adaptive jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgyscout._lazy import attach

if TYPE_CHECKING:
    from pgyscout.collect.enrich import EnrichOptions, EnrichProgress, run_job

# The job machinery (asyncio, the async client) loads on first use (PEP 562): a search that
# only estimates its cost with ``collect.spending`` starts without it.
_LAZY = {
    "EnrichOptions": "pgyscout.collect.enrich",
    "EnrichProgress": "pgyscout.collect.enrich",
    "run_job": "pgyscout.collect.enrich",
}
__getattr__, __dir__ = attach(__name__, _LAZY)


__all__ = ["EnrichOptions", "EnrichProgress", "run_job"]
