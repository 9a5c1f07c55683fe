"""Tables that fit the terminal: numbers and ranks are never cut.

Every table is described as columns of a kind, and laid out for the width it gets:

- ``rank`` and ``number`` columns keep their whole text; only their header may wrap;
- ``word`` columns (a type, a status) keep their whole text too, left-aligned;
- ``name`` and ``text`` columns wrap (or shrink) first, down to a few characters;
- ``id`` columns go last, and shorten to the shortest prefix that tells the rows apart when
  space is short (``pgy show`` and the other commands taking ids accept such a prefix; the
  full id is in ``-f json``/``csv``);
- when that is still too wide, columns are dropped in the table's stated order, and a line
  under the table names them and says how to see them (``--wide`` or a wider terminal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from pgyscout.labels import Lang, label

Kind = Literal["rank", "number", "word", "name", "id", "text"]
Cell = str | Text

GAP = 2  # spaces between two columns
SHORT_ID = 8  # the shortest id prefix shown


@dataclass(frozen=True)
class Col:
    header: str
    kind: Kind = "text"
    drop: int = 0  # 0: always shown; otherwise dropped when space is short, 1 first
    min_width: int = 8  # for name and text columns: narrower than this, drop instead
    max_width: int | None = None  # for name and text columns: no wider than this
    style: str | None = None


@dataclass(frozen=True)
class Layout:
    columns: list[int]  # indexes into the table's columns, in display order
    widths: list[int]
    short_ids: bool
    dropped: list[str]  # headers of the columns left out


def _text(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _header_min(header: str) -> int:
    """A header may wrap at spaces; a Chinese header may break between any two characters."""
    return max(
        (
            min(cell_len(w), 6) if any(ord(ch) > 0x2E80 for ch in w) else cell_len(w)
            for w in header.split()
        ),
        default=0,
    )


def short_ids(ids: Sequence[str], least: int = SHORT_ID) -> list[str]:
    """The shortest prefixes (at least ``least`` characters) that still tell the ids apart."""
    size = least
    distinct = len(set(ids))
    while size < max((len(i) for i in ids), default=0) and len({i[:size] for i in ids}) < distinct:
        size += 1
    return [i[:size] for i in ids]


def _widths(
    cols: Sequence[Col], rows: Sequence[Sequence[Cell]], index: int, short: bool
) -> tuple[int, int]:
    """The least and the natural width of one column."""
    col = cols[index]
    cells = [_text(r[index]) for r in rows]
    if col.kind == "id" and short:
        cells = short_ids(cells)
    content = max((cell_len(c) for c in cells), default=0)
    if col.kind in ("rank", "number", "word", "id"):
        return max(content, _header_min(col.header)), max(content, cell_len(col.header))
    natural = max(content, _header_min(col.header))
    if col.max_width is not None:
        natural = max(min(natural, col.max_width), _header_min(col.header))
    return max(min(col.min_width, natural), _header_min(col.header)), natural


def layout(cols: Sequence[Col], rows: Sequence[Sequence[Cell]], width: int | None) -> Layout:
    """Which columns to show, how wide, and whether ids are shortened, for ``width`` cells
    (``None``: as wide as the table wants, nothing dropped)."""
    order = [i for i, c in enumerate(cols) if c.kind != "id"] + [
        i for i, c in enumerate(cols) if c.kind == "id"
    ]
    short = False
    dropped: list[int] = []

    def needed(keep: list[int]) -> int:
        least = sum(_widths(cols, rows, i, short)[0] for i in keep)
        return least + GAP * (len(keep) - 1)

    keep = list(order)
    if width is not None:
        if needed(keep) > width and any(cols[i].kind == "id" for i in keep):
            short = True
        droppable = sorted((i for i in keep if cols[i].drop), key=lambda i: (cols[i].drop, -i))
        while needed(keep) > width and droppable:
            gone = droppable.pop(0)
            keep.remove(gone)
            dropped.append(gone)
    sizes = {i: _widths(cols, rows, i, short) for i in keep}
    widths = {i: sizes[i][0] for i in keep}
    spare = None if width is None else width - needed(keep)
    # Names grow first, then number headers unwrap, then free text takes what is left.
    for kinds in (("name",), ("rank", "number", "word", "id"), ("text",)):
        for i in keep:
            if cols[i].kind in kinds:
                grow = sizes[i][1] - widths[i]
                if spare is not None:
                    grow = max(0, min(grow, spare))
                    spare -= grow
                widths[i] += grow
    return Layout(
        columns=keep,
        widths=[widths[i] for i in keep],
        short_ids=short,
        dropped=[cols[i].header for i in sorted(dropped)],
    )


class FittedTable:
    """A rich renderable that lays itself out for the width it is given."""

    def __init__(
        self,
        title: str,
        cols: Sequence[Col],
        rows: Sequence[Sequence[Cell]],
        *,
        wide: bool = False,
        caption: str | None = None,
        lang: Lang = "en",
    ) -> None:
        self.title = title
        self.cols = list(cols)
        self.rows = [list(r) for r in rows]
        self.wide = wide
        self.caption = caption
        self.lang = lang

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(list(cells))

    def layout(self, width: int) -> Layout:
        return layout(self.cols, self.rows, None if self.wide else width)

    def table(self, width: int) -> Table:
        plan = self.layout(width)
        notes = [self.caption] if self.caption else []
        if plan.dropped:
            between = "、" if self.lang == "zh" else ", "
            notes.append(
                label("table.dropped", self.lang).format(columns=between.join(plan.dropped))
            )
        if plan.short_ids:
            notes.append(label("table.ids_shortened", self.lang))
        table = Table(
            title=self.title,
            title_justify="left",
            caption="\n".join(notes) or None,
            caption_justify="left",
            caption_style="dim",
            header_style="bold",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
            padding=(0, 1),
        )
        for index, size in zip(plan.columns, plan.widths, strict=True):
            col = self.cols[index]
            table.add_column(
                col.header,
                justify="right" if col.kind in ("rank", "number") else "left",
                width=size,
                no_wrap=False,
                overflow="fold",
                style=col.style or ("cyan" if col.kind == "id" else None),
            )
        ids = {
            i: short_ids([_text(r[i]) for r in self.rows]) if plan.short_ids else None
            for i in plan.columns
            if self.cols[i].kind == "id"
        }
        for n, row in enumerate(self.rows):
            cells: list[Cell] = []
            for i in plan.columns:
                shortened = ids.get(i)
                cells.append(shortened[n] if shortened is not None else row[i])
            table.add_row(*cells)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)
