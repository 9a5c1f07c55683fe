"""``pgy shortlist``: named lists of creators, each member with a note."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from pgyscout.analysis import RANK_KEYS
from pgyscout.cli._app import app, state_of
from pgyscout.cli._fit import FittedTable
from pgyscout.cli._output import make_writer
from pgyscout.cli._scope import (
    ContentOption,
    LastSearch,
    SearchId,
    judge,
    parse_content,
    resolve_scope,
)
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.cli.judge import judged_creators_table, rank_record
from pgyscout.client import InvalidInputError
from pgyscout.client.params import check_user_id
from pgyscout.store import shortlists
from pgyscout.store.scope import top_ids
from pgyscout.store.views import creator_rows

shortlist_app = typer.Typer(
    help="Named lists of creators you are considering, each with a note of why.",
    no_args_is_help=True,
)
app.add_typer(shortlist_app, name="shortlist")

Name = Annotated[str, typer.Argument(help="The shortlist's name.", show_default=False)]
Ids = Annotated[list[str] | None, typer.Argument(help="Creator ids.", show_default=False)]
NoteOption = Annotated[
    str | None, typer.Option("--note", help="Why they are on the list.", show_default=False)
]
Top = Annotated[
    int | None,
    typer.Option(
        "--top",
        help="Add the best N creators of --search/--last-search (or of everything stored).",
        show_default=False,
    ),
]
By = Annotated[str, typer.Option("--by", help=f"With --top, best by {'|'.join(RANK_KEYS)}.")]


def _ids_to_add(
    ctx: typer.Context,
    user_ids: list[str] | None,
    top: int | None,
    by: str,
    search_id: int | None,
    last_search: bool,
    content: str,
) -> list[str]:
    state = state_of(ctx)
    ids = [check_user_id(u, "creator id") for u in user_ids or []]
    if top is None:
        if search_id is not None or last_search:
            raise InvalidInputError(
                "--top", "--search and --last-search pick creators with --top N"
            )
        return ids
    if top < 1:
        raise InvalidInputError("--top", f"--top must be 1 or more, not {top}")
    key = by.strip().lower()
    if key not in RANK_KEYS:
        raise InvalidInputError("--by", f"--by must be one of {'|'.join(RANK_KEYS)}, not {by!r}")
    scope = resolve_scope(state, None, search_id=search_id, last_search=last_search)
    with state.store().begin() as conn:
        best = top_ids(conn, scope, top, key, parse_content(content))
    return ids + best


def _warn_unstored(ctx: typer.Context, ids: list[str]) -> None:
    state = state_of(ctx)
    with state.store().begin() as conn:
        stored = creator_rows(conn, ids)
    unknown = [u for u in ids if u not in stored]
    if unknown:
        state.say(
            f"[yellow]{len(unknown)} of them have no stored profile yet ({', '.join(unknown[:3])}"
            f"{' …' if len(unknown) > 3 else ''}): they are listed, and judged once a search "
            f"finds them[/yellow]"
        )


@shortlist_app.command("create")
def create(
    ctx: typer.Context,
    name: Name,
    user_ids: Ids = None,
    note: NoteOption = None,
    top: Top = None,
    by: By = "score",
    search_id: SearchId = None,
    last_search: LastSearch = False,
    content: ContentOption = "photo",
) -> None:
    """Create a shortlist, with creators or empty."""
    state = state_of(ctx)
    ids = _ids_to_add(ctx, user_ids, top, by, search_id, last_search, content)
    if note is not None and not ids:
        # A note belongs to each member: with no member it would be silently lost.
        raise InvalidInputError(
            "--note", "--note is kept with each member: give creator ids or --top N with it"
        )
    with state.store().begin() as conn:
        shortlists.create_shortlist(conn, name)
        added, _ = shortlists.add_members(conn, name, ids, note) if ids else (0, 0)
    state.say(f"shortlist '{name.strip()}' created with {added} creator(s)")
    if ids:
        _warn_unstored(ctx, ids)


@shortlist_app.command("add")
def add(
    ctx: typer.Context,
    name: Name,
    user_ids: Ids = None,
    note: NoteOption = None,
    top: Top = None,
    by: By = "score",
    search_id: SearchId = None,
    last_search: LastSearch = False,
    content: ContentOption = "photo",
    create_missing: Annotated[
        bool, typer.Option("--create", help="Create the shortlist if it does not exist.")
    ] = False,
) -> None:
    """Add creators (ids, or the --top N of a search); a note replaces the members' note."""
    state = state_of(ctx)
    ids = _ids_to_add(ctx, user_ids, top, by, search_id, last_search, content)
    if not ids:
        raise InvalidInputError("user_ids", "nothing to add: give creator ids or --top N")
    with state.store().begin() as conn:
        if create_missing:
            shortlists.create_shortlist(conn, name, exist_ok=True)
        added, again = shortlists.add_members(conn, name, ids, note)
    extra = f", {again} already there" if again else ""
    state.say(f"shortlist '{name.strip()}': {added} creator(s) added{extra}")
    _warn_unstored(ctx, ids)


@shortlist_app.command("remove")
def remove(ctx: typer.Context, name: Name, user_ids: Ids = None) -> None:
    """Take creators off a shortlist (their data stays stored)."""
    state = state_of(ctx)
    ids = [check_user_id(u, "creator id") for u in user_ids or []]
    if not ids:
        raise InvalidInputError("user_ids", "nothing to remove: give creator ids")
    with state.store().begin() as conn:
        members = {m.user_id for m in shortlists.shortlist_members(conn, name)}
        strangers = [u for u in ids if u not in members]
        if strangers:
            raise InvalidInputError(
                "user_ids",
                f"not on shortlist '{name.strip()}': {', '.join(strangers)} (nothing removed)",
            )
        removed = shortlists.remove_members(conn, name, ids)
    state.say(f"shortlist '{name.strip()}': {removed} creator(s) removed")


@shortlist_app.command("delete")
def delete(ctx: typer.Context, name: Name) -> None:
    """Delete a shortlist (the creators' data stays stored)."""
    state = state_of(ctx)
    with state.store().begin() as conn:
        members = shortlists.delete_shortlist(conn, name)
    state.say(f"shortlist '{name.strip()}' deleted ({members} member(s))")


@shortlist_app.command("list")
def list_command(ctx: typer.Context, fmt: Format = None) -> None:
    """Every shortlist, with how many creators it holds."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    with state.store().begin() as conn:
        found = shortlists.list_shortlists(conn)
    records = [
        {"name": s.name, "members": s.members, "created_at": s.created_at.isoformat()}
        for s in found
    ]

    def render(_records: list[dict[str, Any]]) -> Table:
        table = Table(title=f"{len(found)} shortlist(s)", title_justify="left", header_style="bold")
        table.add_column("name")
        table.add_column("creators", justify="right")
        table.add_column("created (UTC)")
        for s in found:
            table.add_row(Text(s.name), str(s.members), f"{s.created_at:%Y-%m-%d %H:%M}")
        return table

    writer = make_writer(output, state.out, state.out_console, render)
    writer.write(records)
    writer.close()


@shortlist_app.command("show")
def show(
    ctx: typer.Context, name: Name, content: ContentOption = "photo", fmt: Format = None
) -> None:
    """A shortlist's creators in order, each with its note and main figures."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    scope = resolve_scope(state, shortlist=name)
    judged = judge(state, scope, parse_content(content))
    structured = output in ("json", "jsonl")
    records = []
    for i, p in enumerate(judged.profiles, start=1):
        record = rank_record(i, p, structured)
        record.pop("rank")
        records.append({"position": i, "note": p.extra.get("note"), **record})
    for user_id in judged.missing:
        records.append(
            {"position": None, "note": scope.extra[user_id].get("note"), "user_id": user_id}
        )

    def render(_records: list[dict[str, Any]]) -> FittedTable:
        table = judged_creators_table(
            judged.profiles,
            f"shortlist '{name.strip()}': {len(scope.user_ids)} creator(s)",
            notes=[str(p.extra.get("note") or "") for p in judged.profiles],
            lang=state.lang,
            wide=state.wide,
        )
        for user_id in judged.missing:
            note = str(scope.extra[user_id].get("note") or "")
            table.add_row("", Text("(not stored)", style="dim"), *[""] * 9, Text(note), user_id)
        return table

    writer = make_writer(output, state.out, state.out_console, render)
    writer.write(records)
    writer.close()
