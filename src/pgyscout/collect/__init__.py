"""Bulk collection: resumable, concurrent, rate-adaptive jobs."""

from pgyscout.collect.enrich import EnrichOptions, EnrichProgress, run_job

__all__ = ["EnrichOptions", "EnrichProgress", "run_job"]
