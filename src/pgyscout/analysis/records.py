"""What analysis reads of a note and of a follower point.

The upstream models (``pgyscout.models.Note``, ``FansPoint``) satisfy these, and so do the
light records the store builds from its typed columns: judging a thousand creators should not
mean validating tens of thousands of notes again.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class NoteRecord(Protocol):
    @property
    def note_id(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def date(self) -> dt.date | None: ...
    @property
    def read_num(self) -> int | None: ...
    @property
    def like_num(self) -> int | None: ...
    @property
    def collect_num(self) -> int | None: ...
    @property
    def is_advertise(self) -> bool | None: ...
    @property
    def is_video(self) -> bool | None: ...
    @property
    def brand_name(self) -> str | None: ...


class PointRecord(Protocol):
    @property
    def date(self) -> dt.date | None: ...
    @property
    def num(self) -> int | None: ...
