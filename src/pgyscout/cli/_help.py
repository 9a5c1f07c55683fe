"""Help that reads like a conventional command line's: ``--db TEXT``, ``USER_IDS...``, flags
with no type at all; typer's own style (``<str>``, ``<bool>``, ``-v <int>``) reads as code.

typer builds its help from methods of its parameter classes; these replace two of them, once,
when the command line is imported. Options with a metavar of their own keep it."""

from __future__ import annotations

from typing import Any

from typer import _click as click
from typer import core

# typer's type names, as conventional help writes them
TYPE_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH", "bool": ""}


def _word(param: core.TyperOption | core.TyperArgument, ctx: click.Context) -> str | None:
    if param.metavar is not None:
        return param.metavar
    if isinstance(param, core.TyperOption) and (param.is_flag or param.count):
        return None
    raw = param.display_type(ctx).strip("<>")
    many = raw.startswith("list[")
    if many:
        raw = raw[len("list[") : -1]
    if "|" in raw:
        return raw + ("..." if many or param.nargs != 1 else "")
    word = TYPE_WORDS.get(raw, raw.upper())
    return word + ("..." if many or param.nargs != 1 else "") if word else None


def _option_type(self: core.TyperOption, ctx: click.Context) -> str | None:
    return _word(self, ctx)


def _argument_type(self: core.TyperArgument, ctx: click.Context) -> str | None:
    return None  # the argument's NAME says it all


def _argument_name(self: Any) -> str:
    return str(self.metavar if self.metavar is not None else self.name.upper())


def _usage_name(self: Any) -> str:
    """``NAME`` when required, ``[NAME]`` when not (typer writes ``{NAME}``)."""
    name = _argument_name(self)
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


def conventional_help() -> None:
    core.TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
    core.TyperArgument.display_type_rich = _argument_type  # type: ignore[assignment,method-assign]
    core.TyperArgument.display_name_raw = property(_argument_name)  # type: ignore[assignment,method-assign]
    core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
