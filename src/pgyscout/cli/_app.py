"""The ``pgy`` application: global options, logging, and the one place failures are reported."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.segment import Segment

from pgyscout._version import __version__
from pgyscout.cli._commands import LazyGroup
from pgyscout.cli._help import conventional_help
from pgyscout.cli.errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_USAGE, describe_failure
from pgyscout.errors import InvalidInputError
from pgyscout.export.cells import printable
from pgyscout.labels import Lang, label, resolve_lang
from pgyscout.redaction import log_filter, redact

if TYPE_CHECKING:  # loaded by the commands that use them, not by every start
    from pgyscout.client import Client
    from pgyscout.store import Store

conventional_help()

app = typer.Typer(
    name="pgy",
    help=(
        "Xiaohongshu creator research on Pugongying (蒲公英) data from Just One API.\n\n"
        "Set JUSTONEAPI_TOKEN (or pass --token) and try:  pgy search 咖啡 --fans-min 10000\n\n"
        "No token yet? Run `pgy demo`, or `pgy sandbox` and point JUSTONEAPI_BASE_URL at it."
    ),
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


WIDE = 10_000  # the console width under --wide: no table is that wide


class _Printable:
    """Renders what it wraps with control characters in the text shown as visible signs; the
    console's own styling (colours, cursor moves) is not text and passes untouched."""

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
            else:
                yield Segment(printable(segment.text, keep="\n"), segment.style)


class _PrintableHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Printable(r) for r in renderables]


def safe_console(console: Console) -> Console:
    """A console that never passes control characters of the data to the terminal."""
    console.push_render_hook(_PrintableHook())
    return console


@dataclass
class CliState:
    token: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    retries: int | None = None
    retry_wait: float | None = None
    db: str | None = None
    verbose: int = 0
    quiet: bool = False
    debug: bool = False
    lang: Lang = "en"
    wide: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _store: Store | None = field(default=None, repr=False)
    # A command may open the store on a thread while its first request is out.
    _store_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __repr__(self) -> str:
        return f"CliState(base_url={self.base_url!r}, token='***', verbose={self.verbose})"

    @property
    def out_console(self) -> Console:
        width = None if self.out.isatty() else int(os.environ.get("COLUMNS", "160"))
        if self.wide:  # every column whole; the terminal wraps what does not fit
            width = WIDE
        return safe_console(Console(file=self.out, width=width, soft_wrap=False))

    @property
    def err_console(self) -> Console:
        # A pipe or a log file is no terminal: wrapping at rich's default 80 columns would cut
        # messages mid-phrase, so each message stays one line there.
        piped = not self.err.isatty()
        return safe_console(Console(file=self.err, stderr=True, soft_wrap=piped))

    @property
    def interactive(self) -> bool:
        """Progress bars and summaries only where a person is watching stderr."""
        return not self.quiet and self.err.isatty()

    def label(self, key: str) -> str:
        """A user-facing label in the chosen language (``--lang``)."""
        return label(key, self.lang)

    def say(self, message: str) -> None:
        """A note for the person at the terminal (stderr); silent under --quiet."""
        if not self.quiet:
            self.err_console.print(message, highlight=False)

    def note(self, message: str) -> None:
        """A by-the-way note: on a terminal or with -v, never in a script's stderr otherwise."""
        if self.interactive or (self.verbose and not self.quiet):
            self.say(message)

    def store(self) -> Store:
        """The database, opened (and migrated) on first use and closed when the command ends."""
        with self._store_lock:
            if self._store is None:
                from pgyscout.store import Store

                self._store = Store(self.db)
            return self._store

    def close(self) -> None:
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def client_options(self, **overrides: Any) -> dict[str, Any]:
        """The global options as client arguments (the sync and async clients take the same)."""
        options: dict[str, Any] = {
            "token": self.token,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_attempts": self.retries,
            "retry_wait": self.retry_wait,
        }
        options.update(overrides)
        return options

    def client(self, **overrides: Any) -> Client:
        from pgyscout.client import Client

        return Client(**self.client_options(**overrides))

    def check_settings(self) -> None:
        """Refuse a missing token or a bad setting now, before anything is written, without
        building a client."""
        from pgyscout.client import resolve_settings

        resolve_settings(**self.client_options())


class _PrintableFormatter(logging.Formatter):
    """Log lines quote upstream text (messages, names): never its control characters."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), keep="\n")


def configure_logging(verbose: int, quiet: bool, debug: bool, stream: TextIO) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(log_filter())  # the last net: masks token=... in anything logged
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_pgyscout", False):
            root.removeHandler(old)
    handler._pgyscout = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    ours = logging.ERROR if quiet else logging.WARNING
    if verbose >= 1:
        ours = logging.INFO
    if verbose >= 2 or debug:
        ours = logging.DEBUG
    logging.getLogger("pgyscout").setLevel(ours)
    logging.getLogger("httpx").setLevel(logging.INFO if verbose >= 2 or debug else logging.WARNING)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pgyscout {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    token: Annotated[
        str | None,
        typer.Option(
            help="Just One API token (default: $JUSTONEAPI_TOKEN, then the config file).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="API base URL (default: $JUSTONEAPI_BASE_URL or https://api.justoneapi.com).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds to wait for one answer (default 60).", show_default=False),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(
            help="Attempts per request, the first included (default 5, or $PGYSCOUT_RETRIES).",
            show_default=False,
        ),
    ] = None,
    retry_wait: Annotated[
        float | None,
        typer.Option(
            help="Base of the exponential backoff in seconds (default 1, or $PGYSCOUT_RETRY_WAIT).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            help="Database: a file path or an SQLAlchemy URL (default: $PGYSCOUT_DB, "
            "else pgyscout.db in the user data directory).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="More detail on stderr (-vv: HTTP).",
        ),
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Tracebacks and debug logs (the token is still masked).")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="zh|en",
            help="Language of tables, exports and the report (default: $PGYSCOUT_LANG, "
            "else the locale).",
            show_default=False,
        ),
    ] = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide", help="Tables show every column, however wide the terminal (no id cut)."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    try:
        chosen = resolve_lang(lang)
    except ValueError as exc:
        raise InvalidInputError("--lang", str(exc)) from None
    ctx.obj = CliState(
        lang=chosen,
        wide=wide,
        token=token,
        base_url=base_url,
        timeout=timeout,
        retries=retries,
        retry_wait=retry_wait,
        db=db,
        verbose=verbose,
        quiet=quiet,
        debug=debug,
    )
    ctx.call_on_close(ctx.obj.close)
    configure_logging(verbose, quiet, debug, sys.stderr)


MAX_LINE = 400


def one_line(text: str) -> str:
    """A message as one line the terminal shows as it is: upstream text in it may hold ESC or
    BEL (recolouring, retitling the terminal), and a line break would make it two lines."""
    line = printable(" ".join(text.splitlines()))
    # An error line quotes what was typed or received; a megabyte of it helps nobody.
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _report(message: str, hint: str | None = None) -> None:
    sys.stderr.write(f"error: {one_line(redact(message))}\n")
    if hint:
        sys.stderr.write(f"hint: {one_line(redact(hint))}\n")
    sys.stderr.flush()


def _reader_gone() -> int:
    """The reader of stdout went away (`pgy search | head -1`): stop quietly, with the code a
    process killed by SIGPIPE has (128 + 13), as `cat` or `yes` would."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


_LOGGERS_SET = ("", "pgyscout", "httpx")  # the loggers whose level configure_logging sets


# The global options, so that they work after the command too (`pgy rank --db x.db`).
GLOBAL_WITH_VALUE = frozenset(
    {"--token", "--base-url", "--timeout", "--retries", "--retry-wait", "--db", "--lang"}
)
GLOBAL_FLAGS = frozenset({"-v", "-vv", "-vvv", "--verbose", "-q", "--quiet", "--debug", "--wide"})


def hoist_global_options(args: list[str]) -> list[str]:
    """Global options found after the command moved in front of it, where click reads them;
    nothing after ``--`` moves. No command has an option of the same name."""
    front: list[str] = []
    rest: list[str] = []
    seen_command = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE:
            takes = 1 if "=" not in arg else 0
            (front if seen_command else rest).extend(args[i : i + 1 + takes])
            i += 1 + takes
            continue
        if arg in GLOBAL_FLAGS:
            (front if seen_command else rest).append(arg)
        else:
            if not arg.startswith("-"):
                seen_command = True
            rest.append(arg)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``pgy``: runs one command and returns its exit code (see _errors).

    Leaves the process as it found it (logging handlers and levels), so that it can be called
    again in the same process, as the tests and the library's users do."""
    levels = {name: logging.getLogger(name).level for name in _LOGGERS_SET}
    try:
        return _run(hoist_global_options(list(sys.argv[1:] if argv is None else argv)))
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "_pgyscout", False):
                root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def run() -> None:
    """The ``pgy`` executable: ``main()``, then exit without the interpreter's teardown.

    Tearing down a big job's objects one by one took half a second that buys nothing (the
    operating system frees the memory anyway). Everything that matters is done first: the
    command has closed its database, the streams are flushed and the exit handlers run. With
    another thread still alive (a writer finishing, a server), the normal exit waits for it."""
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _reader_gone()
    except (OSError, ValueError):
        pass
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _run(args: list[str]) -> int:
    debug = "--debug" in args
    try:
        # Outside standalone mode click returns, not raises, the code of an Exit.
        returned = app(args=args, prog_name="pgy", standalone_mode=False)
        if isinstance(returned, int) and not isinstance(returned, bool):
            if returned == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent Exit(130)
                _report("interrupted")
            return returned
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        _report("interrupted")
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:  # click's usage errors, as vendored by typer
        ctx = getattr(exc, "ctx", None)
        code = int(getattr(exc, "exit_code", EXIT_USAGE))
        hint = (
            f"see '{ctx.command_path} --help'" if ctx is not None and code == EXIT_USAGE else None
        )
        _report(exc.format_message(), hint)
        return code
    except BrokenPipeError:
        return _reader_gone()
    except SystemExit as exc:
        # click turns a broken pipe into exit 1, the code of a database error: undo that.
        if isinstance(exc.__context__, BrokenPipeError):
            return _reader_gone()
        raise
    except (Exception, KeyboardInterrupt) as exc:
        failure = describe_failure(exc)
        if debug:
            sys.stderr.write(redact("".join(traceback.format_exception(exc))))
        _report(failure.message, failure.hint)
        return failure.exit_code
    return 0


def state_of(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    assert isinstance(state, CliState)
    return state
