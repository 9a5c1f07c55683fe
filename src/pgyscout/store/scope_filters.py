"""Narrowing a scope of stored creators by what is known of them: content tags, location and
gender from their profiles, and the audience (age, gender) a saved search matched them on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa

from pgyscout.client.params import FANS_AGE, FANS_GENDER, GENDER
from pgyscout.models import Creator
from pgyscout.store import schema
from pgyscout.store.scope import Scope

# Upstream writes a creator's gender in Chinese.
GENDER_WORDS = {"MALE": "男", "FEMALE": "女"}
_CHUNK = 500


@dataclass(frozen=True)
class ScopeFilters:
    tags: tuple[str, ...] = ()  # any of them, first- or second-level content tags
    location: str | None = None  # a part of the location, e.g. 上海
    gender: str | None = None  # MALE or FEMALE (the creator)
    fans_age: str | None = None  # an upstream audience age value, e.g. AGE_25_34
    fans_gender: str | None = None  # MALE_HIGH or FE_MALE_HIGH

    @classmethod
    def parse(
        cls,
        *,
        tags: Sequence[str] | None = None,
        location: str | None = None,
        gender: str | None = None,
        fans_age: str | None = None,
        fans_gender: str | None = None,
    ) -> ScopeFilters:
        """From the words a user typed (friendly or upstream values); ``ALL`` means no filter.
        Refuses an unknown value with ``InvalidInputError``."""
        split = tuple(t.strip() for tag in tags or [] for t in tag.split(",") if t.strip())

        def choice(value: str | None, normalize: object) -> str | None:
            if value is None:
                return None
            chosen = normalize(value)  # type: ignore[operator]
            return None if chosen == "ALL" else str(chosen)

        return cls(
            tags=split,
            location=location.strip() if location and location.strip() else None,
            gender=choice(gender, GENDER.normalize),
            fans_age=choice(fans_age, FANS_AGE.normalize),
            fans_gender=choice(fans_gender, FANS_GENDER.normalize),
        )

    def __bool__(self) -> bool:
        return bool(self.tags or self.location or self.gender or self.fans_age or self.fans_gender)

    def words(self) -> str:
        said = []
        if self.tags:
            said.append("tag " + "/".join(self.tags))
        if self.location:
            said.append(f"in {self.location}")
        if self.gender:
            said.append(self.gender.lower())
        if self.fans_age:
            said.append(f"audience {self.fans_age}")
        if self.fans_gender:
            said.append("mostly " + ("female" if self.fans_gender == "FE_MALE_HIGH" else "male"))
        return ", ".join(said)


def _matched_by_audience(conn: sa.Connection, filters: ScopeFilters) -> set[str]:
    """Creators found by a saved search that asked for this audience."""
    s, r = schema.searches.c, schema.search_results.c
    wanted = []
    for search_id, params in conn.execute(sa.select(s.id, s.params)):
        params = params or {}
        if filters.fans_age and params.get("fansAge") != filters.fans_age:
            continue
        if filters.fans_gender and params.get("fansGender") != filters.fans_gender:
            continue
        wanted.append(search_id)
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(u for (u,) in conn.execute(sa.select(r.user_id).where(r.search_id.in_(chunk))))
    return found


def narrow_scope(conn: sa.Connection, scope: Scope, filters: ScopeFilters) -> Scope:
    """The scope's creators that pass every filter, in the scope's order."""
    if not filters:
        return scope
    c = schema.creators.c
    keep: set[str] = set()
    ids = scope.user_ids
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = sa.select(c.user_id, c.location, c.gender, c.raw).where(c.user_id.in_(chunk))
        if filters.location:
            query = query.where(c.location.contains(filters.location, autoescape=True))
        if filters.gender:
            query = query.where(c.gender == GENDER_WORDS[filters.gender])
        for user_id, _location, _gender, raw in conn.execute(query):
            if filters.tags:
                creator = Creator.from_raw(raw)
                have = {t.category for t in creator.content_tags or [] if t.category}
                have.update(sub for t in creator.content_tags or [] for sub in t.subcategories)
                if not have.intersection(filters.tags):
                    continue
            keep.add(user_id)
    if filters.fans_age or filters.fans_gender:
        keep &= _matched_by_audience(conn, filters)
    return replace(
        scope,
        user_ids=[u for u in ids if u in keep],
        label=f"{scope.label} ({filters.words()})",
    )
