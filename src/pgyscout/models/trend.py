"""Follower growth history."""

from __future__ import annotations

from pydantic import Field

from pgyscout.models._base import UpstreamModel
from pgyscout.models.numbers import Date, Int


class FansPoint(UpstreamModel):
    """One day: the follower total, or that day's new followers (see ``FansTrend.metric``)."""

    date: Date = Field(None, alias="dateKey")
    num: Int = None
