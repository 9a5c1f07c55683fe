"""A creator's published notes, as the notes endpoint returns them."""

from __future__ import annotations

from pydantic import Field

from pgyscout.models._base import UpstreamModel
from pgyscout.models.numbers import Bool, Date, Int, Text


class Note(UpstreamModel):
    note_id: str = Field(alias="noteId")
    title: Text = None
    date: Date = None
    read_num: Int = Field(None, alias="readNum")
    like_num: Int = Field(None, alias="likeNum")
    collect_num: Int = Field(None, alias="collectNum")
    is_advertise: Bool = Field(None, alias="isAdvertise")
    is_video: Bool = Field(None, alias="isVideo")
    brand_name: Text = Field(None, alias="brandName")
    img_url: Text = Field(None, alias="imgUrl")
    third_read_user_num: Int = Field(None, alias="thirdReadUserNum")

    @property
    def interactions(self) -> int | None:
        """Likes plus collects, the interactions this endpoint reports."""
        if self.like_num is None and self.collect_num is None:
            return None
        return (self.like_num or 0) + (self.collect_num or 0)
