"""``pgy rank``, ``pgy compare`` and ``pgy plan``: judging stored creators."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from rich.text import Text

from pgyscout.analysis import (
    OBJECTIVES,
    RANK_KEYS,
    Comparison,
    Plan,
    Profile,
    RankFilters,
    compare,
)
from pgyscout.analysis.flags import Flag
from pgyscout.analysis.measures import RECORD_FIELDS
from pgyscout.cli._app import app, state_of
from pgyscout.cli._fit import Col, FittedTable, short_ids
from pgyscout.cli._output import make_writer
from pgyscout.cli._parse import user_words
from pgyscout.cli._scope import (
    SCOPE_FILTER_WORDS,
    ContentOption,
    FansAgeFilter,
    FansGenderFilter,
    GenderFilter,
    LastSearch,
    LocationFilter,
    SearchId,
    ShortlistName,
    TagFilter,
    UserIds,
    Weights,
    judge,
    parse_content,
    parse_weights_option,
    resolve_scope,
    warn_unjudged,
)
from pgyscout.cli._tables import count, money
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.client import InvalidInputError
from pgyscout.labels import Lang, fmt_count, fmt_money, fmt_number, fmt_share, scope_text
from pgyscout.labels import label as label_of
from pgyscout.store.scope import plan_scope, rank_scope
from pgyscout.store.scope_filters import ScopeFilters


def share(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def signed_share(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1%}"


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def rank_record(position: int, p: Profile, structured: bool) -> dict[str, Any]:
    """A ranked creator: flat for CSV, with flags as objects for JSON."""
    return {"rank": position, **p.record(structured=structured)}


def flag_cell(flags: Sequence[Flag], lang: Lang) -> Text:
    """Each flag in a few words with its key number; ``pgy show`` has the whole reason."""
    parts = [
        f.reason_in(lang, short=True) or f.code
        if lang == "en"
        else f"{label_of('flag.' + f.code, lang)}: {f.reason_in(lang, short=True)}"
        for f in flags
    ]
    return Text("; ".join(parts), style="red")


def judged_creators_table(
    profiles: Sequence[Profile],
    title: str,
    *,
    notes: Sequence[str | None] | None = None,
    lang: Lang = "en",
    wide: bool = False,
) -> FittedTable:
    """Judged creators, one a row; with ``notes``, a column of shortlist notes. Narrow terminals
    lose the flags, then growth, CPE and engagement first; rank, name, followers, score and a
    copyable id always stay."""
    cols = [
        Col("#", "rank"),
        Col(label_of("name", lang), "name", min_width=8, max_width=18),
        Col(label_of("fans", lang), "number"),
        Col(label_of("price", lang), "number", drop=6),
        Col(label_of("expected_reads", lang), "number", drop=5),
        Col(label_of("engagement_rate", lang), "number", drop=3),
        Col(label_of("cpm", lang), "number", drop=4),
        Col(label_of("cpe", lang), "number", drop=2),
        Col(label_of("growth_per_30_days", lang), "number", drop=1),
        Col(label_of("score", lang), "number"),
        Col(label_of("flags", lang), "text", drop=7, min_width=12, max_width=40),
    ]
    if notes is not None:
        cols.append(
            Col(label_of("shortlist_note", lang), "text", drop=8, min_width=8, max_width=30)
        )
    cols.append(Col(label_of("user_id", lang), "id"))
    rows: list[list[Text | str]] = []
    for i, p in enumerate(profiles, start=1):
        cells: list[Text | str] = [
            str(i),
            Text(p.name),
            fmt_count(p.fans, lang),
            fmt_money(p.price, lang),
            fmt_count(p.expected_reads, lang),
            fmt_share(p.notes.engagement_rate),
            fmt_money(p.cost.cpm, lang),
            fmt_money(p.cost.cpe, lang),
            fmt_share(p.growth_per_30_days, signed=True),
            fmt_number(p.score.value),
            flag_cell(p.flags, lang),
        ]
        if notes is not None:
            cells.append(Text(notes[i - 1] or ""))
        cells.append(p.user_id)
        rows.append(cells)
    return FittedTable(title, cols, rows, wide=wide, lang=lang)


def ranking_table(
    profiles: Sequence[Profile], by: str, scope: str, *, lang: Lang = "en", wide: bool = False
) -> FittedTable:
    if lang == "zh":
        key = label_of(RECORD_FIELDS.get(by, by), lang)
        title = f"{scope_text(scope, lang)}：{len(profiles)} 位达人，按{key}排序"
    else:
        title = f"{len(profiles)} creators of {scope}, best {by} first"
    return judged_creators_table(profiles, title, lang=lang, wide=wide)


@app.command("rank")
def rank_command(
    ctx: typer.Context,
    user_ids: UserIds = None,
    search_id: SearchId = None,
    last_search: LastSearch = False,
    shortlist: ShortlistName = None,
    by: Annotated[str, typer.Option("--by", help=f"Sort key: {'|'.join(RANK_KEYS)}.")] = "score",
    weights: Weights = None,
    content: ContentOption = "photo",
    min_fans: Annotated[
        int | None, typer.Option("--min-fans", help="Followers at least.", show_default=False)
    ] = None,
    max_fans: Annotated[
        int | None, typer.Option("--max-fans", help="Followers at most.", show_default=False)
    ] = None,
    max_price: Annotated[
        float | None,
        typer.Option("--max-price", help="Yuan a note at most.", show_default=False),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", help="Score at least (0-100).", show_default=False),
    ] = None,
    no_flags: Annotated[
        bool, typer.Option("--no-flags", help="Leave out creators with authenticity flags.")
    ] = False,
    tag: TagFilter = None,
    location: LocationFilter = None,
    gender: GenderFilter = None,
    fans_age: FansAgeFilter = None,
    fans_gender: FansGenderFilter = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="Show the best N only.", show_default=False)
    ] = None,
    fmt: Format = None,
) -> None:
    """Rank stored creators by value for money (or cost, engagement, growth, reads).

    Works on what `pgy search` and `pgy enrich` saved: no call is made, nothing is billed.
    Every figure is explained in docs/metrics.md."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    key = by.strip().lower()
    if key not in RANK_KEYS:
        raise InvalidInputError("--by", f"--by must be one of {'|'.join(RANK_KEYS)}, not {by!r}")
    if limit is not None and limit < 1:
        raise InvalidInputError("--limit", f"--limit must be 1 or more, not {limit}")
    filters = RankFilters(
        min_fans=min_fans,
        max_fans=max_fans,
        max_price=max_price,
        min_score=min_score,
        no_flags=no_flags,
    )
    try:
        filters.check()
    except ValueError as exc:
        raise InvalidInputError("filters", str(exc)) from None
    with user_words(SCOPE_FILTER_WORDS):
        narrow = ScopeFilters.parse(
            tags=tag, location=location, gender=gender, fans_age=fans_age, fans_gender=fans_gender
        )
    scope = resolve_scope(
        state,
        user_ids,
        search_id=search_id,
        last_search=last_search,
        shortlist=shortlist,
        narrow=narrow,
    )
    with state.store().begin() as conn:
        ranking = rank_scope(
            conn,
            scope,
            key,
            content=parse_content(content),
            weights=parse_weights_option(weights),
            filters=filters,
            limit=limit,
        )
    warn_unjudged(state, scope, ranking.judged.missing, ranking.without_notes, ranking.stored)
    ranked = ranking.profiles
    structured = output in ("json", "jsonl")
    writer = make_writer(
        output,
        state.out,
        state.out_console,
        lambda _records: ranking_table(ranked, key, scope.label, lang=state.lang, wide=state.wide),
    )
    writer.write([rank_record(i, p, structured) for i, p in enumerate(ranked, start=1)])
    writer.close()
    if len(ranked) < ranking.stored:
        state.note(f"[dim]{len(ranked)} of {ranking.stored} creators shown[/dim]")


# --- compare ----------------------------------------------------------------------------------

# How each kind of figure reads to a person.
SHOW: dict[str, Callable[[float | None], str]] = {
    "count": count,
    "money": money,
    "share": share,
    "share2": lambda v: share(v, 2),
    "signed_share": signed_share,
    "number": number,
    "number2": lambda v: number(v, 2),
}


# The label of each compared measure, where its key differs from the label table's.
MEASURE_LABELS = {
    "reads": "expected_reads",
    "engagement": "engagement_rate",
    "growth": "growth_per_30_days",
    "platform_reads": "platform_median_reads",
}
MONEY_MEASURES = frozenset({"price", "cpm", "cpe", "platform_cpm", "platform_cpe"})


def measure_text(key: str, kind: str, value: float | None, lang: Lang) -> str:
    """One rule per kind of value: yuan as money, fractions as percentages, counts grouped."""
    if key in MONEY_MEASURES:
        return fmt_money(value, lang)
    if kind == "count":
        return fmt_count(value, lang)
    if kind in ("share", "share2"):
        return fmt_share(value, 2 if kind == "share2" else 1)
    if kind == "signed_share":
        return fmt_share(value, signed=True)
    return fmt_number(value, 2 if kind == "number2" else 1)


def compare_table(
    comparison: Comparison, scope: str, *, lang: Lang = "en", wide: bool = False
) -> FittedTable:
    """Metrics as rows, creators as columns; a narrow terminal drops the last creators first
    and says which."""
    profiles = comparison.profiles
    short = short_ids([p.user_id for p in profiles])
    cols = [Col(label_of("metric", lang), "name", min_width=12, max_width=26)]
    cols += [
        Col(f"{p.name} {short[i]}", "number", drop=len(profiles) - i if i else 0)
        for i, p in enumerate(profiles)
    ]
    rows: list[list[Text | str]] = []
    for row in comparison.rows:
        key = row.measure.key
        cells: list[Text | str] = [Text(label_of(MEASURE_LABELS.get(key, key), lang))]
        for i, v in enumerate(row.values):
            text = measure_text(key, row.measure.kind, v, lang)
            cells.append(Text(f"★ {text}", style="bold green") if i in row.best else Text(text))
        rows.append(cells)
    if lang == "zh":
        title = f"{scope_text(scope, lang)}：每行最佳以 ★ 标出"
    else:
        title = f"{scope}: the best of each row in green with ★"
    return FittedTable(title, cols, rows, wide=wide, lang=lang)


@app.command("compare")
def compare_command(
    ctx: typer.Context,
    user_ids: Annotated[
        list[str] | None, typer.Argument(help="Creator ids to compare.", show_default=False)
    ] = None,
    shortlist: ShortlistName = None,
    content: ContentOption = "photo",
    weights: Weights = None,
    fmt: Format = None,
) -> None:
    """Creators side by side: metrics as rows, creators as columns, the best of each row marked."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    scope = resolve_scope(state, user_ids, shortlist=shortlist, default_all=False)
    judged = judge(state, scope, parse_content(content), parse_weights_option(weights))
    if not judged.profiles:
        raise InvalidInputError(
            "creators", f"nothing to compare: {scope.label} has no stored creators"
        )
    comparison = compare(judged.profiles)
    if output == "table":
        # The title counts the creators shown: ids with no stored profile are left out.
        shown = (
            scope.label
            if scope.label.startswith("shortlist")
            else (f"{len(judged.profiles)} creator(s)")
        )
        state.out_console.print(compare_table(comparison, shown, lang=state.lang, wide=state.wide))
        return
    if output == "csv":
        writer = make_writer("csv", state.out, state.out_console, lambda _r: None)
        writer.write(comparison.flat_records())
        writer.close()
        return
    document = comparison.document()
    if output == "jsonl":
        for row in document["rows"]:
            state.out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        state.out.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")


# --- plan -------------------------------------------------------------------------------------


def plan_tables(
    result: Plan, scope: str, *, lang: Lang = "en", wide: bool = False
) -> tuple[FittedTable, FittedTable | None]:
    """The chosen creators with why, and the others with why not; the title says what is spent
    and what is left of the budget."""
    spent, left_over = fmt_money(result.total_cost, lang), fmt_money(result.money_left, lang)
    if lang == "zh":
        title = (
            f"{scope_text(scope, lang)}：预算 {fmt_money(result.budget, lang)} "
            f"的最佳组合（按{result.objective}）："
            f"{len(result.selected)} 位达人，花费 {spent}，剩余 {left_over}，"
            f"预期阅读 {fmt_count(result.expected_reads, lang)}，"
            f"预期互动 {fmt_count(result.expected_interactions, lang)}"
        )
    else:
        title = (
            f"Best mix of {scope} for {fmt_money(result.budget)} by {result.objective}: "
            f"{len(result.selected)} creator(s), {spent} spent, {left_over} left, "
            f"{fmt_count(result.expected_reads)} expected reads, "
            f"{fmt_count(result.expected_interactions)} expected interactions"
        )
    cols = [
        Col(label_of("name", lang), "name", min_width=6, max_width=18),
        Col(label_of("content", lang), "word", drop=2),
        Col(label_of("cost", lang), "number"),
        Col(label_of("expected_reads", lang), "number"),
        Col(label_of("expected_interactions", lang), "number", drop=1),
        Col(label_of("why_in", lang), "text", min_width=20, max_width=70),
        Col(label_of("user_id", lang), "id"),
    ]
    chosen = FittedTable(
        title,
        cols,
        [
            [
                Text(c.candidate.name),
                label_of(c.candidate.content, lang),
                fmt_money(c.candidate.cost, lang),
                fmt_count(c.candidate.expected_reads, lang),
                fmt_count(c.candidate.expected_interactions, lang),
                Text(c.reason_in(lang)),
                c.candidate.user_id,
            ]
            for c in result.selected
        ],
        wide=wide,
        lang=lang,
    )
    if not result.left_out:
        return chosen, None
    left = FittedTable(
        "未选" if lang == "zh" else "Left out",
        [
            Col(label_of("name", lang), "name", min_width=6, max_width=18),
            Col(label_of("why_out", lang), "text", min_width=20, max_width=90),
            Col(label_of("user_id", lang), "id"),
        ],
        [[Text(lo.name), Text(lo.reason_in(lang)), lo.user_id] for lo in result.left_out],
        wide=wide,
        lang=lang,
    )
    return chosen, left


@app.command("plan")
def plan_command(
    ctx: typer.Context,
    budget: Annotated[
        float, typer.Option("--budget", help="Yuan to spend at most.", show_default=False)
    ],
    user_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Creator ids to choose from.", show_default=False),
    ] = None,
    shortlist: ShortlistName = None,
    search_id: SearchId = None,
    last_search: LastSearch = False,
    objective: Annotated[
        str, typer.Option("--objective", help=f"What to maximise: {'|'.join(OBJECTIVES)}.")
    ] = "reads",
    content: ContentOption = "photo",
    min_creators: Annotated[
        int, typer.Option("--min-creators", help="Buy at least this many creators.")
    ] = 1,
    max_share: Annotated[
        float,
        typer.Option("--max-share", help="One creator's price at most this share of the budget."),
    ] = 1.0,
    weights: Weights = None,
    fmt: Format = None,
) -> None:
    """The best creator mix for a budget, solved exactly (mixed-integer programming).

    One note per creator at the quoted price; expected reads and interactions are the
    creator's medians over stored notes of the content type. Says why each creator is in or out."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    goal = objective.strip().lower()
    if goal not in OBJECTIVES:
        raise InvalidInputError(
            "--objective", f"--objective must be one of {'|'.join(OBJECTIVES)}, not {objective!r}"
        )
    scope = resolve_scope(
        state,
        user_ids,
        search_id=search_id,
        last_search=last_search,
        shortlist=shortlist,
        default_all=False,
    )
    with state.store().begin() as conn:
        planned = plan_scope(
            conn,
            scope,
            budget,
            goal,
            content=parse_content(content),
            weights=parse_weights_option(weights),
            min_creators=min_creators,
            max_share=max_share,
        )
    warn_unjudged(state, scope, planned.missing, planned.without_notes, planned.stored)
    result = planned.plan
    if output == "table":
        chosen, left = plan_tables(result, scope.label, lang=state.lang, wide=state.wide)
        state.out_console.print(chosen)
        if left is not None:
            state.out_console.print(left)
        return
    if output == "json":
        state.out.write(json.dumps(result.document(), ensure_ascii=False, indent=1) + "\n")
        return
    writer = make_writer(output, state.out, state.out_console, lambda _r: None)
    writer.write(result.records())
    writer.close()
