"""Creators as the search endpoint returns them (about 146 fields; the useful ones typed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pgyscout.models._base import UpstreamModel
from pgyscout.models.numbers import Bool, Float, Int, Text

# Upstream's price for "not offered" (e.g. a creator who takes no video orders).
PRICE_NOT_OFFERED = 9_999_999


class ContentTag(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    category: Text = Field(None, alias="taxonomy1Tag")
    subcategories: list[str] = Field(default_factory=list, alias="taxonomy2Tags")


class NoteBrief(BaseModel):
    """A note shown beside a creator in search results."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    note_id: Text = Field(None, alias="noteId")
    note_type: Int = Field(None, alias="noteType")
    image_url: Text = Field(None, alias="imageUrl")
    content_tag: Text = Field(None, alias="contentTag")


class Creator(UpstreamModel):
    user_id: str = Field(alias="userId")
    name: Text = None
    red_id: Text = Field(None, alias="redId")
    head_photo: Text = Field(None, alias="headPhoto")
    location: Text = None
    gender: Text = Field(None, description="as upstream writes it: 女 or 男")
    fans_num: Int = Field(None, alias="fansNum", description="followers")
    fans_count: Int = Field(None, alias="fansCount")
    current_level: Int = Field(None, alias="currentLevel")
    user_type: Int = Field(None, alias="userType")
    kol_type: Int = Field(None, alias="kolType")
    business_note_count: Int = Field(None, alias="businessNoteCount")
    total_note_count: Int = Field(None, alias="totalNoteCount")
    content_tags: list[ContentTag] | None = Field(None, alias="contentTags")
    feature_tags: Any = Field(None, alias="featureTags")
    personal_tags: Any = Field(None, alias="personalTags")
    note_list: list[NoteBrief] | None = Field(None, alias="noteList")

    picture_price: Float = Field(None, alias="picturePrice", description="yuan per photo note")
    video_price: Float = Field(None, alias="videoPrice", description="yuan per video note")
    lower_price: Float = Field(None, alias="lowerPrice", description="yuan")
    show_price: Bool = Field(None, alias="showPrice")
    picture_state: Int = Field(None, alias="pictureState")
    video_state: Int = Field(None, alias="videoState")
    cooperate_state: Int = Field(None, alias="cooperateState")

    click_mid_num: Int = Field(None, alias="clickMidNum", description="median reads")
    inter_mid_num: Int = Field(None, alias="interMidNum", description="median interactions")
    picture_click_mid_num: Int = Field(None, alias="pictureClickMidNum")
    picture_inter_mid_num: Int = Field(None, alias="pictureInterMidNum")
    video_click_mid_num: Int = Field(None, alias="videoClickMidNum")
    video_inter_mid_num: Int = Field(None, alias="videoInterMidNum")
    video_finish_rate: Float = Field(None, alias="videoFinishRate")
    picture_read_cost: Float = Field(
        None, alias="pictureReadCost", description="yuan per read (upstream sends a string)"
    )
    video_read_cost: Float = Field(None, alias="videoReadCost", description="yuan per read")
    accum_common_imp_medin_num30d: Int = Field(None, alias="accumCommonImpMedinNum30d")
    accum_pic_common_imp_medin_num30d: Int = Field(None, alias="accumPicCommonImpMedinNum30d")
    accum_video_common_imp_medin_num30d: Int = Field(None, alias="accumVideoCommonImpMedinNum30d")
    m_engagement_num: Int = Field(None, alias="mEngagementNum")
    read_mid_coop30: Int = Field(None, alias="readMidCoop30")
    inter_mid_coop30: Int = Field(None, alias="interMidCoop30")
    coop_note_num30d: Int = Field(None, alias="coopNoteNum30d")

    fans30_growth_rate: Float = Field(
        None, alias="fans30GrowthRate", description="percent number: 130.9 means 130.9 %"
    )
    fans30_growth_num: Int = Field(None, alias="fans30GrowthNum")
    fans_active_in28d_lv: Float = Field(
        None, alias="fansActiveIn28dLv", description="percent number"
    )
    fans_engage_num30d_lv: Float = Field(
        None, alias="fansEngageNum30dLv", description="percent number"
    )
    hundred_like_percent30: Float = Field(
        None, alias="hundredLikePercent30", description="percent of notes with 100+ likes"
    )
    thousand_like_percent30: Float = Field(
        None, alias="thousandLikePercent30", description="percent of notes with 1000+ likes"
    )
    invite_reply48h_num_ratio: Float = Field(
        None, alias="inviteReply48hNumRatio", description="percent number"
    )
    low_active: Bool = Field(None, alias="lowActive")

    estimate_picture_cpm: Float = Field(None, alias="estimatePictureCpm", description="yuan")
    estimate_video_cpm: Float = Field(None, alias="estimateVideoCpm", description="yuan")
    estimate_picture_engage_cost: Float = Field(
        None, alias="estimatePictureEngageCost", description="yuan per interaction"
    )
    estimate_video_engage_cost: Float = Field(
        None, alias="estimateVideoEngageCost", description="yuan per interaction"
    )

    @property
    def categories(self) -> list[str]:
        return [t.category for t in self.content_tags or [] if t.category]

    @property
    def video_offered(self) -> bool:
        return self.video_price is not None and 0 < self.video_price < PRICE_NOT_OFFERED

    @property
    def picture_offered(self) -> bool:
        return self.picture_price is not None and 0 < self.picture_price < PRICE_NOT_OFFERED
