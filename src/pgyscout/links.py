"""Links to a creator's profile and a note on Xiaohongshu, for people to open."""

from __future__ import annotations

SITE = "https://www.xiaohongshu.com"


def profile_url(user_id: str) -> str:
    return f"{SITE}/user/profile/{user_id}"


def note_url(note_id: str) -> str:
    return f"{SITE}/explore/{note_id}"
