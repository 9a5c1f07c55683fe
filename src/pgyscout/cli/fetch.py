"""``pgy search``, ``pgy notes`` and ``pgy trend``: thin commands over the client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pgyscout.cli._app import CliState, app, state_of
from pgyscout.cli._output import FORMATS, make_writer
from pgyscout.cli._parse import parse_duration, user_words
from pgyscout.cli._spending import (
    DryRun,
    MaxCalls,
    Yes,
    check_max_calls,
    guard_spending,
    price_per_call,
    stop_at_max_calls,
    upstream_of,
)
from pgyscout.client import Client, InvalidInputError
from pgyscout.client.core import NOTES, SEARCH, Endpoint, page_count
from pgyscout.client.params import (
    DATE_TYPE,
    FANS_AGE,
    FANS_GENDER,
    GENDER,
    INCREASE_TYPE,
    NOTE_TYPE,
    ORDER_TYPE,
    SEARCH_TYPE,
    Choice,
    any_page_key,
    canonical,
    check_page,
    notes_params,
    search_params,
    split_tags,
    trend_params,
)
from pgyscout.collect.spending import (
    estimate_pages,
    past_the_end_warning,
    refuse_stored_page_past_end,
)
from pgyscout.errors import StoreError
from pgyscout.store.location import sqlite_file
from pgyscout.store.probe import OpeningCache, nothing_stored

if TYPE_CHECKING:
    import sqlalchemy as sa

    from pgyscout.models import CreatorPage, NotePage
    from pgyscout.store import Store, StoreCache

# The library's parameter names, as the user typed them on each command.
SEARCH_WORDS = {
    "keyword": "KEYWORD",
    "search_type": "--by",
    "fans_min": "--fans-min",
    "fans_max": "--fans-max",
    "fans_age": "--fans-age",
    "fans_gender": "--fans-gender",
    "gender": "--gender",
    "content_tags": "--tag",
    "content tags": "--tag",
    "page": "--page",
}
NOTES_WORDS = {"user_id": "USER_ID", "order": "--order", "note_type": "--type", "page": "--page"}
TREND_WORDS = {"kol_id": "KOL_ID", "days": "--days", "metric": "--metric"}

# Upstream serves no more than this many results of one search, whatever its total says.
SEARCH_CAP = 5000

FORMAT_HELP = "Output: table|json|jsonl|csv (default: table on a terminal, json otherwise)."
PAGE_HELP = "Fetch only page N."
PAGES_HELP = "Fetch the first N pages."
ALL_HELP = "Fetch every page up to the reported total, and not one more."


def entities() -> ModuleType:
    """The store's savers (SQLAlchemy): loaded once something is there to save."""
    from pgyscout.store import entities as saving

    return saving


def _tables() -> ModuleType:
    """The table renderers (rich tables, the models): loaded to draw, not before a request."""
    from pgyscout.cli import _tables as tables

    return tables


def _choice_help(text: str, choice: Choice) -> str:
    return f"{text}: {choice.allowed_text()}."


def resolve_format(fmt: str | None, out_is_terminal: bool) -> str:
    if fmt is None:
        return "table" if out_is_terminal else "json"
    chosen = fmt.strip().lower()
    if chosen not in FORMATS:
        raise InvalidInputError(
            "format", f"--format must be one of {'|'.join(FORMATS)}, not {fmt!r}"
        )
    return chosen


def resolve_paging(page: int | None, pages: int | None, all_pages: bool) -> tuple[int, int | None]:
    """(first page, how many pages at most; None = all) from --page / --pages / --all."""
    given = [
        name
        for name, on in (
            ("--page", page is not None),
            ("--pages", pages is not None),
            ("--all", all_pages),
        )
        if on
    ]
    if len(given) > 1:
        raise InvalidInputError(
            "page", f"use one of --page, --pages or --all, not {' and '.join(given)}"
        )
    if page is not None:
        return check_page(page, "--page"), 1
    if pages is not None:
        return 1, check_page(pages, "--pages")
    return 1, None if all_pages else 1


@contextmanager
def page_progress(state: CliState, label: str) -> Iterator[Callable[[int, int | None, int], None]]:
    """Yields ``update(pages_done, pages_expected, records)``; draws only on a terminal."""
    if not state.interactive:
        yield lambda done, expected, records: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages · {task.fields[records]} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=state.err_console, transient=True) as progress:
        task = progress.add_task(label, total=None, records=0)

        def update(done: int, expected: int | None, records: int) -> None:
            progress.update(task, completed=done, total=expected, records=records)

        yield update


def expected_pages(
    total: int | None, page_size: int, first: int, max_pages: int | None
) -> int | None:
    if total is None:
        return max_pages
    remaining = max(0, page_count(total, page_size) - first + 1)
    return remaining if max_pages is None else min(remaining, max_pages)


def stream_pages(
    state: CliState,
    client: Client,
    pages: Iterator[CreatorPage] | Iterator[NotePage],
    records_of: Callable[[Any], list[dict[str, Any]]],
    *,
    fmt: str,
    render: Callable[[list[dict[str, Any]]], Any],
    label: str,
    page_size: int,
    first: int,
    max_pages: int | None,
    on_page: Callable[[Any], None] = lambda page: None,
) -> None:
    writer = make_writer(fmt, state.out, state.out_console, render)
    done = records = 0
    total: int | None = None
    failed = False
    try:
        with page_progress(state, label) as update:
            for result in pages:
                on_page(result)
                batch = records_of(result)
                writer.write(batch)
                done += 1
                records += len(batch)
                total = result.total
                update(done, expected_pages(total, page_size, first, max_pages), records)
    except BaseException:
        failed = True
        raise
    finally:
        # After a failure, what was already paid for is still written out, well-formed;
        # with nothing fetched, stdout stays empty rather than showing an empty result.
        if records or not failed:
            writer.close()
        if done and not records and not failed and first > 1:
            # Billed all the same: say so rather than print [] as if nothing were there.
            state.say(f"[yellow]{past_the_end_warning(first, total, page_size)}[/yellow]")
        stats = client.stats
        of_total = f" of {total:,}" if total is not None else ""
        state.note(
            f"[dim]{records:,} records{of_total} from {done} page(s): "
            f"{stats.billed} billed call(s), {stats.cache_hits} from the store, "
            f"{stats.retries} retried attempt(s)[/dim]"
        )


Format = Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False)]
Page = Annotated[int | None, typer.Option("--page", help=PAGE_HELP, show_default=False)]
Pages = Annotated[int | None, typer.Option("--pages", help=PAGES_HELP, show_default=False)]
AllPages = Annotated[bool, typer.Option("--all", help=ALL_HELP)]
NoStore = Annotated[
    bool, typer.Option("--no-store", help="Neither write to the database nor answer from it.")
]
MaxAge = Annotated[
    str,
    typer.Option(
        "--max-age",
        help="Answer from the database when the same request was fetched within this long "
        "(30m, 24h, 7d; 0 = always ask upstream).",
    ),
]
Refresh = Annotated[
    bool, typer.Option("--refresh", help="Ask upstream even when the database has a fresh answer.")
]


@dataclass
class Storage:
    """What a data command keeps: the store (None with --no-store) and its cache.

    ``nothing_stored``: the database was found (``store.probe``) writable and holding no
    answer to the command's request on any page, so there is nothing to look up or refuse
    before it: the request goes out at once and the store opens on a thread meanwhile."""

    state: CliState | None
    cache: StoreCache | OpeningCache | None
    nothing_stored: bool = False
    unsaved: list[str] = field(default_factory=list)

    @property
    def store(self) -> Store | None:
        return self.state.store() if self.state is not None else None

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if isinstance(self.cache, OpeningCache):
            self.cache.settle()  # a store opening on a thread is open before the command ends

    @property
    def known_answers(self) -> StoreCache | None:
        """The cache to count stored pages from: None with nothing stored of the request (or
        with --no-store)."""
        return None if isinstance(self.cache, OpeningCache) else self.cache

    def refuse_page_past_end(
        self, upstream: str, endpoint: Endpoint, params: dict[str, str], refresh: bool
    ) -> None:
        """A page past the end that a stored answer knows of is refused before the call."""
        if refresh or self.nothing_stored:
            return  # asked anew, or nothing stored of it to know the end by
        if (store := self.store) is not None:
            refuse_stored_page_past_end(store.engine, endpoint, params, upstream)

    def save(self, write: Callable[[sa.Connection], None]) -> None:
        import sqlalchemy as sa

        if self.state is None:
            return
        try:
            with self.state.store().begin() as conn:
                write(conn)
        except (sa.exc.SQLAlchemyError, StoreError) as exc:
            # The answer is paid for: it is still printed; check_saved says it was not kept.
            self.unsaved.append(str(getattr(exc, "orig", None) or exc).splitlines()[0])

    def check_saved(self, client: Client) -> None:
        """After the output: say plainly when what was paid for could not be saved."""
        reasons = client.unsaved + self.unsaved
        if reasons and self.state is not None:
            raise StoreError(
                f"the answer above was paid for but NOT saved to the database "
                f"{self._where()}: {reasons[0]}"
            )

    def _where(self) -> str:
        """The database, named without opening it (it may be what failed to open)."""
        assert self.state is not None
        path = sqlite_file(self.state.db) if self.nothing_stored else None
        if path is not None:
            return str(path)
        store = self.store
        return store.display_url if store is not None else ""


def open_storage(
    state: CliState,
    no_store: bool,
    max_age: str,
    refresh: bool,
    first: tuple[Endpoint, dict[str, str]] | None = None,
) -> Storage:
    """The store and its cache; ``first``, the command's first request, lets an SQLite
    database that holds nothing of it send that request before the store is open."""
    age = parse_duration(max_age)
    if no_store:
        return Storage(None, None)
    path = sqlite_file(state.db)
    if first is not None and not refresh and path is not None:
        endpoint, params = first
        assert endpoint.page_param is not None
        if nothing_stored(path, endpoint.name, any_page_key(params, endpoint.page_param)):
            cache = OpeningCache(
                lambda: state.store().cache(max_age=age, refresh=refresh),
                endpoint.name,
                canonical(params),
            )
            return Storage(state, cache, nothing_stored=True)
    store = state.store()
    store.check_writable()  # before paying for anything it could not keep
    return Storage(state, store.cache(max_age=age, refresh=refresh))


@app.command()
def search(
    ctx: typer.Context,
    keyword: Annotated[
        str | None,
        typer.Argument(help="Words to find in nicknames (or note content with --by note)."),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help=_choice_help("Where the keyword is sought", SEARCH_TYPE))
    ] = "nickname",
    fans_min: Annotated[
        int | None,
        typer.Option("--fans-min", help="At least this many followers.", show_default=False),
    ] = None,
    fans_max: Annotated[
        int | None,
        typer.Option("--fans-max", help="At most this many followers.", show_default=False),
    ] = None,
    fans_age: Annotated[
        str,
        typer.Option("--fans-age", help=_choice_help("Main age group of the audience", FANS_AGE)),
    ] = "all",
    fans_gender: Annotated[
        str,
        typer.Option(
            "--fans-gender", help=_choice_help("Mainly male or female audience", FANS_GENDER)
        ),
    ] = "all",
    gender: Annotated[
        str, typer.Option("--gender", help=_choice_help("The creator's gender", GENDER))
    ] = "all",
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            help="Content category; repeat it or separate with commas: --tag 美食,旅行.",
            show_default=False,
        ),
    ] = None,
    page: Page = None,
    pages: Pages = None,
    all_pages: AllPages = False,
    fmt: Format = None,
    no_store: NoStore = False,
    max_age: MaxAge = "24h",
    refresh: Refresh = False,
    dry_run: DryRun = False,
    max_calls: MaxCalls = None,
    yes: Yes = False,
) -> None:
    """Find creators with filters (20 a page). Every page is a billed call.

    Results are saved as a search (see `pgy enrich --last-search`); asking the same again
    within --max-age is answered from the database with no call."""
    state = state_of(ctx)
    first, max_pages = resolve_paging(page, pages, all_pages)
    filters: dict[str, Any] = {
        "keyword": keyword,
        "search_type": by,
        "fans_min": fans_min,
        "fans_max": fans_max,
        "fans_age": fans_age,
        "fans_gender": fans_gender,
        "gender": gender,
        "content_tags": split_tags(tag),
    }
    with user_words(SEARCH_WORDS):  # bad input is refused before anything else
        query = search_params(page=first, **filters)
    output = resolve_format(fmt, state.out.isatty())
    max_calls = check_max_calls(max_calls)
    with open_storage(state, no_store, max_age, refresh, first=(SEARCH, query)) as storage:
        storage.refuse_page_past_end(upstream_of(state), SEARCH, query, refresh)
        estimate = estimate_pages(
            storage.known_answers,
            upstream_of(state),
            SEARCH,
            query,
            max_pages,
            cap=SEARCH_CAP,
            price_per_call=price_per_call(None),
        )
        estimate.max_calls = max_calls
        guard_spending(state, estimate, dry_run=dry_run, yes=yes)
        with state.client(cache=storage.cache, max_calls=max_calls) as client:
            saved_as: list[tuple[int, bool]] = []  # the saved search's id, and if it was there
            record = {**{k: v for k, v in query.items() if k != "page"}, "first_page": first}

            def find(conn: sa.Connection) -> None:
                from pgyscout.store.searches import find_or_create_search

                saved_as.append(find_or_create_search(conn, {**record, "max_pages": max_pages}))

            def save(result: CreatorPage) -> None:
                from pgyscout.store.entities import save_search_page

                if not saved_as:  # the search is saved with its first page
                    storage.save(find)
                if saved_as:
                    storage.save(lambda conn: save_search_page(conn, saved_as[0][0], result))

            try:
                with stop_at_max_calls(state, max_calls):
                    stream_pages(
                        state,
                        client,
                        client.iter_creator_pages(page=first, max_pages=max_pages, **filters),
                        lambda result: [c.raw for c in result.creators],
                        fmt=output,
                        render=lambda records: _tables().search_results_table(
                            records, lang=state.lang, wide=state.wide
                        ),
                        label="searching",
                        page_size=SEARCH.page_size or 20,
                        first=first,
                        max_pages=max_pages,
                        on_page=save,
                    )
            except StoreError:
                # A store that failed to open after a page was bought: that page first.
                storage.check_saved(client)
                raise
            storage.check_saved(client)
            if saved_as:
                search_id, again = saved_as[0]
                how = "the same as saved search" if again else "saved as search"
                state.note(
                    f"[dim]{how} #{search_id} (pgy enrich --search {search_id}; "
                    "pgy searches lists them)[/dim]"
                )


@app.command()
def notes(
    ctx: typer.Context,
    user_id: Annotated[
        str, typer.Argument(help="The creator's 24-character id (userId).", show_default=False)
    ],
    order: Annotated[
        str, typer.Option("--order", help=_choice_help("Sort order", ORDER_TYPE))
    ] = "latest",
    note_type: Annotated[
        str, typer.Option("--type", help=_choice_help("Kind of note", NOTE_TYPE))
    ] = "all",
    organic_only: Annotated[
        bool, typer.Option("--organic-only", help="Leave out sponsored notes.")
    ] = False,
    third_party: Annotated[
        bool, typer.Option("--third-party", help="Notes from third-party platforms.")
    ] = False,
    page: Page = None,
    pages: Pages = None,
    all_pages: AllPages = False,
    fmt: Format = None,
    no_store: NoStore = False,
    max_age: MaxAge = "24h",
    refresh: Refresh = False,
) -> None:
    """A creator's published notes with reads, likes and collects (8 a page)."""
    state = state_of(ctx)
    first, max_pages = resolve_paging(page, pages, all_pages)
    filters: dict[str, Any] = {
        "order": order,
        "note_type": note_type,
        "advertise_switch": "ORGANIC_ONLY" if organic_only else "ALL",
        "third_platform": third_party,
    }
    with user_words(NOTES_WORDS):
        query = notes_params(user_id, page=first, **filters)
    output = resolve_format(fmt, state.out.isatty())
    storage = open_storage(state, no_store, max_age, refresh)
    with state.client(cache=storage.cache) as client:
        storage.refuse_page_past_end(client.upstream, NOTES, query, refresh)
        stream_pages(
            state,
            client,
            client.iter_note_pages(user_id, page=first, max_pages=max_pages, **filters),
            lambda result: [n.raw for n in result.notes],
            fmt=output,
            render=lambda records: _tables().notes_table(records, lang=state.lang, wide=state.wide),
            label="fetching notes",
            page_size=NOTES.page_size or 8,
            first=first,
            max_pages=max_pages,
            on_page=lambda result: storage.save(
                lambda conn: entities().save_note_page(conn, result)
            ),
        )
        storage.check_saved(client)


@app.command()
def trend(
    ctx: typer.Context,
    kol_id: Annotated[
        str,
        typer.Argument(help="The creator's id (kolId is the same as userId).", show_default=False),
    ],
    days: Annotated[str, typer.Option("--days", help=_choice_help("Period", DATE_TYPE))] = "30",
    metric: Annotated[
        str,
        typer.Option(
            "--metric", help=_choice_help("Follower total or new followers a day", INCREASE_TYPE)
        ),
    ] = "total",
    accept_cache: Annotated[
        bool, typer.Option("--accept-cache", help="Let upstream answer from its own cache.")
    ] = False,
    fmt: Format = None,
    no_store: NoStore = False,
    max_age: MaxAge = "24h",
    refresh: Refresh = False,
) -> None:
    """Daily follower history over 30 or 60 days (upstream marks this endpoint deprecated)."""
    state = state_of(ctx)
    with user_words(TREND_WORDS):
        trend_params(kol_id, days=days, metric=metric, accept_cache=accept_cache)
    output = resolve_format(fmt, state.out.isatty())
    storage = open_storage(state, no_store, max_age, refresh)
    with state.client(cache=storage.cache) as client:
        result = client.fans_trend(kol_id, days=days, metric=metric, accept_cache=accept_cache)
    storage.save(lambda conn: entities().save_trend(conn, result))

    def render(records: list[dict[str, Any]]) -> Any:
        return _tables().trend_view(
            records,
            result.metric,
            result.fans_num_inc,
            result.fans_num_inc_rate,
            lang=state.lang,
            wide=state.wide,
        )

    writer = make_writer(output, state.out, state.out_console, render)
    writer.write([p.raw for p in result.points])
    writer.close()
    storage.check_saved(client)
    if not result.points:
        state.say("no follower history for this creator (not in the marketplace, or too new)")
