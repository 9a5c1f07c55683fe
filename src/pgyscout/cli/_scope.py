"""The options that say which stored creators a command works on, and the command line's side
of loading them (the loading itself is ``pgyscout.store.scope``): shared by rank, compare,
plan, shortlist, export and report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

import typer

from pgyscout.analysis import CONTENTS, DEFAULT_WEIGHTS, Content, parse_weights
from pgyscout.cli._app import CliState
from pgyscout.client import InvalidInputError
from pgyscout.store.scope import Judged, Scope, judge_scope
from pgyscout.store.scope import resolve_scope as scope_of
from pgyscout.store.scope_filters import ScopeFilters, narrow_scope

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
# The library's names of the filters, as the user typed them.
SCOPE_FILTER_WORDS = {
    "fans_age": "--fans-age",
    "fans_gender": "--fans-gender",
    "gender": "--gender",
}

TagFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        metavar="TAG",
        help="Only creators with this content tag (repeat, or 美食,旅行: any of them).",
        show_default=False,
    ),
]
LocationFilter = Annotated[
    str | None,
    typer.Option(
        "--location", help="Only creators whose location has this (上海).", show_default=False
    ),
]
GenderFilter = Annotated[
    str | None,
    typer.Option(
        "--gender", metavar="all|male|female", help="The creator's gender.", show_default=False
    ),
]
FansAgeFilter = Annotated[
    str | None,
    typer.Option(
        "--fans-age",
        metavar="AGE",
        help="Only creators a saved search found for this audience age (18-24, 25-34 …).",
        show_default=False,
    ),
]
FansGenderFilter = Annotated[
    str | None,
    typer.Option(
        "--fans-gender",
        metavar="all|male|female",
        help="Only creators a saved search found for this audience gender.",
        show_default=False,
    ),
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
    narrow: ScopeFilters | None = None,
) -> Scope:
    with state.store().begin() as conn:
        scope = scope_of(
            conn,
            user_ids,
            search_id=search_id,
            last_search=last_search,
            shortlist=shortlist,
            default_all=default_all,
        )
        return narrow_scope(conn, scope, narrow) if narrow else scope


def judge(
    state: CliState,
    scope: Scope,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Judged:
    """Load and judge the scope's creators; tell the user about any that are not stored."""
    with state.store().begin() as conn:
        judged = judge_scope(conn, scope, content, weights)
    warn_unjudged(state, scope, judged.missing, judged.without_notes, len(judged.data))
    return judged


def warn_unjudged(
    state: CliState, scope: Scope, missing: Sequence[str], without_notes: int, stored: int
) -> None:
    """Tell the user about creators that are not stored, or stored without notes."""
    if missing:
        shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
        state.say(
            f"[yellow]{len(missing)} creator(s) of {scope.label} have no stored profile "
            f"and are left out ({shown}): find them with pgy search[/yellow]"
        )
    if without_notes:
        state.say(
            f"[yellow]{without_notes} of {stored} creator(s) have no stored "
            f"notes, so no cost per read or score: pgy enrich fetches them (a creator may have "
            f"none)[/yellow]"
        )
