"""A creator's published notes, as the notes endpoint returns them."""

from __future__ import annotations

from pydantic import Field

from pgyscout.models._base import UpstreamModel
from pgyscout.models.numbers import Bool, Date, Int, Text


def interactions_of(likes: int | None, collects: int | None) -> int | None:
    """Likes plus collects, the interactions the notes endpoint reports; None when neither
    count came (unknown is not zero: a note without counts must not pull a median down)."""
    if likes is None and collects is None:
        return None
    return (likes or 0) + (collects or 0)


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
        return interactions_of(self.like_num, self.collect_num)
