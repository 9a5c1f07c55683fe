"""Which stored creators a command works on, and judging them: shared by rank, compare, plan,
shortlist, export and report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

import typer

from pgyscout.analysis import (
    CONTENTS,
    DEFAULT_WEIGHTS,
    Content,
    CreatorData,
    Profile,
    build_profile,
    parse_weights,
)
from pgyscout.cli._app import CliState
from pgyscout.client import InvalidInputError
from pgyscout.client._params import check_user_id
from pgyscout.store.entities import last_search_id, search_user_ids
from pgyscout.store.shortlists import shortlist_members
from pgyscout.store.views import load_creator_data, stored_user_ids

UserIds = Annotated[
    list[str] | None,
    typer.Argument(help="Creator ids (default: every stored creator).", show_default=False),
]
SearchId = Annotated[
    int | None,
    typer.Option("--search", help="The creators of saved search ID.", show_default=False),
]
LastSearch = Annotated[
    bool, typer.Option("--last-search", help="The creators of the latest saved search.")
]
ShortlistName = Annotated[
    str | None,
    typer.Option("--shortlist", "-s", help="The creators of shortlist NAME.", show_default=False),
]
ContentOption = Annotated[
    str,
    typer.Option("--content", help="Price and reach of photo or video notes (photo|video)."),
]
Weights = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Score weights, e.g. cpm=0.5,growth=0.2 (parts: "
        + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_WEIGHTS.items())
        + ").",
        show_default=False,
    ),
]


@dataclass
class Scope:
    user_ids: list[str]
    label: str  # "shortlist 'x'", "search #3", "3 creators", "every stored creator"
    extra: dict[str, dict[str, object]] = field(default_factory=dict)


def parse_content(text: str) -> Content:
    value = text.strip().lower()
    aliases = {"photo": "photo", "picture": "photo", "image": "photo", "video": "video"}
    if value not in aliases:
        raise InvalidInputError(
            "--content", f"--content must be one of {'|'.join(CONTENTS)}, not {text!r}"
        )
    return "video" if aliases[value] == "video" else "photo"


def parse_weights_option(text: str | None) -> Mapping[str, float]:
    if text is None:
        return DEFAULT_WEIGHTS
    try:
        return parse_weights(text)
    except ValueError as exc:
        raise InvalidInputError("--weights", f"--weights: {exc}") from None


def resolve_scope(
    state: CliState,
    user_ids: Sequence[str] | None = None,
    *,
    search_id: int | None = None,
    last_search: bool = False,
    shortlist: str | None = None,
    default_all: bool = True,
) -> Scope:
    chosen = sum([bool(user_ids), search_id is not None, last_search, shortlist is not None])
    if chosen > 1:
        raise InvalidInputError(
            "scope", "give creator ids, --search, --last-search or --shortlist: one of them"
        )
    with state.store().begin() as conn:
        if user_ids:
            ids = list(dict.fromkeys(check_user_id(u, "creator id") for u in user_ids))
            return Scope(ids, f"{len(ids)} creator(s)")
        if shortlist is not None:
            members = shortlist_members(conn, shortlist)
            return Scope(
                [m.user_id for m in members],
                f"shortlist '{shortlist.strip()}'",
                {m.user_id: {"note": m.note} for m in members},
            )
        if last_search:
            latest = last_search_id(conn)
            if latest is None:
                raise InvalidInputError(
                    "--last-search", "no saved search yet: run pgy search first"
                )
            search_id = latest
        if search_id is not None:
            found = search_user_ids(conn, search_id)
            if not found:
                raise InvalidInputError("--search", f"saved search #{search_id} has no creators")
            return Scope(found, f"search #{search_id}")
        if not default_all:
            raise InvalidInputError(
                "scope", "which creators? give ids, --shortlist NAME, --search ID or --last-search"
            )
        everyone = stored_user_ids(conn)
        if not everyone:
            raise InvalidInputError(
                "scope", "the database holds no creators yet: run pgy search first (or pgy demo)"
            )
        return Scope(everyone, "every stored creator")


@dataclass
class Judged:
    scope: Scope
    data: list[CreatorData]
    profiles: list[Profile]
    missing: list[str]  # ids with no stored profile


def judge(
    state: CliState,
    scope: Scope,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Judged:
    """Load and judge the scope's creators; tell the user about any that are not stored."""
    with state.store().begin() as conn:
        data, missing = load_creator_data(conn, scope.user_ids, scope.extra)
    if missing:
        shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
        state.say(
            f"[yellow]{len(missing)} creator(s) of {scope.label} have no stored profile "
            f"and are left out ({shown}): find them with pgy search[/yellow]"
        )
    without_notes = sum(1 for d in data if not d.notes)
    if without_notes:
        state.say(
            f"[yellow]{without_notes} of {len(data)} creator(s) have no stored notes, so no "
            f"cost per read or score: pgy enrich fetches them (a creator may have none)[/yellow]"
        )
    profiles = [build_profile(d, content, weights) for d in data]
    return Judged(scope, data, profiles, missing)
