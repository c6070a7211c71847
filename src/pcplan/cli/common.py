"""What every command shares: the app, global options, errors, dates, loading.

Only the CLI package raises ``typer.Exit``. The heavy modules (pydantic models,
rules, holidays, icalendar, Rich) are imported inside the commands that need
them, so ``pcplan --version`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from pcplan import __version__
from pcplan.errors import PcplanError, Terminated, UsageError

if TYPE_CHECKING:
    from pcplan.checker import Analysis
    from pcplan.directory import ProgrammeDir, Walked
    from pcplan.models import Programme
    from pcplan.overview import Glance
    from pcplan.repo import LoadedFile

F = TypeVar("F", bound=Callable[..., Any])


class _Commands(TyperGroup):
    """pcplan's commands; a `--dir` given after the command is pointed back before it."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        rest = args[1:]
        rest = rest[: rest.index("--")] if "--" in rest else rest
        for index, word in enumerate(rest):
            if word == "--dir" or word.startswith("--dir="):
                value = word[6:] if "=" in word else (rest[index + 1 : index + 2] or ["DIR"])[0]
                ctx.fail(
                    "--dir is a global option: put it before the command, as in "
                    f"`pcplan --dir {_echo(value)} {_echo(args[0])} …`"
                )
        return super().resolve_command(ctx, args)


def _echo(text: str) -> str:
    """An argument as it may be echoed: short, with no control characters."""
    from pcplan.findings import shorten

    return shorten("".join(c if c.isprintable() else ascii(c)[1:-1] for c in text), 60)


app = typer.Typer(
    name="pcplan",
    cls=_Commands,
    help="Plan, check and track children's services peer challenges kept as YAML files.\n\n"
    "Example: pcplan status",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    directory: str = "challenges"
    # The exit status a command has decided on before it writes its output, kept when
    # the reader goes away mid-way (`pcplan check | head -1` still fails on errors).
    exit_code: int = 0


STATE = State()


def _fail(message: str, code: int) -> NoReturn:
    from pcplan.findings import printable

    sys.stderr.write(f"pcplan: {printable(message)}\n")
    raise typer.Exit(code)


def say(line: str) -> None:
    """One line on stdout, with whatever came from the data or the arguments escaped."""
    from pcplan.findings import printable

    sys.stdout.write(printable(line) + "\n")


def handles_errors(function: F) -> F:
    """Turn a :class:`PcplanError` into one line on stderr and its exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        STATE.exit_code = 0
        try:
            return function(*args, **kwargs)
        except PcplanError as error:
            _fail(error.message, error.exit_code)
        except BrokenPipeError:  # `pcplan status | head`: the reader has gone
            silence_stdout()
            raise typer.Exit(STATE.exit_code) from None
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Terminated as stop:
            _fail(f"stopped by {_signal_name(stop.signum)}", 128 + stop.signum)

    return wrapper  # type: ignore[return-value]


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"pcplan {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main_options(
    directory: Annotated[
        str,
        typer.Option(
            "--dir",
            envvar="PCPLAN_DIR",
            metavar="DIR",
            help="The programme directory (programme.yaml and one file per challenge).",
            show_default=True,
        ),
    ] = "challenges",
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Plan, check and track children's services peer challenges kept as YAML files.

    Example: pcplan --dir challenges status --round 9
    """
    STATE.directory = directory


# ----------------------------------------------------------------------------- helpers


FIRST_YEAR, LAST_YEAR = 1900, 2199  # as pcplan.models (not imported here: it is slow)


def parse_date(value: str | None, option: str = "--as-of") -> date | None:
    """A YYYY-MM-DD argument in ASCII digits, in the years pcplan plans for (else exit 2)."""
    import re

    from pcplan.findings import printable, shorten

    if value is None:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {printable(shorten(repr(value), 40))}: not a date; write YYYY-MM-DD"
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(
            f"{option} {value}: outside the years pcplan plans for ({FIRST_YEAR}–{LAST_YEAR})"
        )
    return day


def today() -> date:
    """The one place the clock is read (the core always takes ``as_of``)."""
    return date.today()


def as_of_or_today(value: str | None) -> date:
    return parse_date(value) or today()


def open_directory() -> ProgrammeDir:
    from pcplan.directory import open_programme_dir

    return open_programme_dir(STATE.directory)


class Progress:
    """A progress bar on stderr, only on a terminal and only once loading passes a second.

    Never when piped or with NO_COLOR set: a bar is drawn with escape codes.
    """

    def __init__(self, stream: Any = None, clock: Callable[[], float] | None = None) -> None:
        import time

        from pcplan.render import colour_allowed

        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock or time.monotonic
        self._started = self._clock()
        self._bar: Any = None
        self._task: Any = None
        self._enabled = colour_allowed(self._stream)

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._started < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            console = Console(file=self._stream, force_terminal=True)
            self._bar = RichProgress(console=console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("Reading challenges", total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self.close()

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def analyse_programme(
    as_of: date,
    extra: list[Path] | None = None,
    *,
    keep: bool = True,
    rules: bool = True,
    cache: bool = False,
    focus: list[Path] | None = None,
    glances: bool = False,
    walked: Walked | None = None,
) -> Analysis:
    """The programme analysed (see :func:`pcplan.checker.analyse` for ``cache``, ``focus``,
    ``glances`` and ``walked``)."""
    from pcplan.checker import analyse

    progress = Progress()
    try:
        return analyse(
            open_directory(),
            as_of,
            extra_paths=extra or [],
            progress=progress,
            keep=keep,
            rules=rules,
            cache=cache,
            focus=focus,
            glances=glances,
            walked=walked,
        )
    finally:
        progress.close()


def glance_at_programme(
    as_of: date, *, pending: bool | date = True
) -> tuple[Analysis, dict[str, Glance]]:
    """The programme analysed for `status`, `due` or `timebank`: each file's glance, not
    its model, from the content cache when it can, with unreadable files reported.
    ``pending``: which pending steps the glances hold (pcplan.overview.from_rows)."""
    from pcplan.checker import BrokenGlance

    analysis = analyse_programme(as_of, keep=False, cache=True, glances=True)
    report_unreadable(analysis)
    try:
        glances = analysis.at_a_glance(pending=pending)
    except BrokenGlance:  # a damaged cache: read every file again, without it
        analysis = analyse_programme(as_of, keep=False, glances=True)
        glances = analysis.at_a_glance(pending=pending)
    return analysis, glances


def report_unreadable(analysis: Analysis) -> None:
    """Commands other than `check` mention files they could not use, on stderr."""
    if analysis.programme is None:
        sys.stderr.write(
            f"pcplan: {analysis.programme_file.display} cannot be read, so its authorities, "
            "people and settings are not used here; run `pcplan check` for details\n"
        )
    for folder in analysis.unreadable:
        sys.stderr.write(
            f"pcplan: left out the folder {folder}, which cannot be read; "
            "run `pcplan check` for details\n"
        )
    usable = set(analysis.glances) | {ctx.display for ctx in analysis.contexts}
    broken = [f.display for f in analysis.files if f.display not in usable]
    if broken:
        shown = ", ".join(broken[:5]) + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
        sys.stderr.write(
            f"pcplan: left out {len(broken)} file{'s' if len(broken) != 1 else ''} that "
            f"cannot be read ({shown}); run `pcplan check` for details\n"
        )


def write_json(payload: object) -> None:
    import json

    from pcplan.render import carries_unicode

    json.dump(payload, sys.stdout, indent=2, ensure_ascii=not carries_unicode(sys.stdout))
    sys.stdout.write("\n")


def stamp() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0)


def under_root(root: Path, path: Path) -> Path | None:
    """``path`` re-expressed under ``root`` (as the directory walk finds it), or None."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return root / relative


class NamedChallenge(NamedTuple):
    """A challenge named on the command line: its file and how findings show it."""

    directory: ProgrammeDir
    path: Path
    display: str
    outside: list[Path]  # [path] when the file is not under the programme directory
    walked: Walked | None = None  # the directory's walk, when it was walked to find the file

    @property
    def focus(self) -> Path:
        """The file as the directory walk finds it (or as named, when outside)."""
        return (
            self.outside[0]
            if self.outside
            else under_root(self.directory.root, self.path) or self.path
        )

    def snapshot(self) -> bytes | None:
        """The file's bytes now (before an edit: see cli.editing._report_edit)."""
        from pcplan.yamlio import YamlProblem, read_regular_file

        try:
            return read_regular_file(self.path)
        except (OSError, YamlProblem):
            return None

    def analyse(self, as_of: date, *, whole: bool = False) -> Analysis:
        """The whole programme's findings (for cross-file rules), with this file in it.

        Only this file is read afresh, and only its model and context are kept
        (:meth:`Analysis.context`); the other files' findings and sightings come
        from the content cache when unchanged. ``whole`` keeps every file's model.
        """
        if not whole:
            focus = [self.focus]
            analysis = analyse_programme(
                as_of, self.outside, cache=True, focus=focus, walked=self.walked
            )
            if any(loaded.path == focus[0] for loaded in analysis.files):
                return analysis
        return analyse_programme(as_of, self.outside)  # (the walk did not find it as named)


def named_challenge(reference: str) -> NamedChallenge:
    """A challenge by id or path (exit 2 if there is none)."""
    from pcplan.directory import names_a_file, show_path, walk_challenges
    from pcplan.repo import find_challenge

    directory = open_directory()
    walked = None if names_a_file(reference) else walk_challenges(directory)
    path = find_challenge(directory, reference, walked[0] if walked is not None else None)
    inside = under_root(directory.root, path)
    if inside is None:
        return NamedChallenge(directory, path, show_path(path), [path], walked)
    return NamedChallenge(directory, path, directory.display(inside), [], walked)


def load_one(reference: str) -> tuple[LoadedFile, Programme | None]:
    """A challenge by id or path, with the programme's registry; exit 1 if it is broken."""
    from pcplan.render.findings import write_text
    from pcplan.repo import load_file, load_programme

    named = named_challenge(reference)
    programme_dir = named.directory
    loaded = load_file(named.path, named.display)
    programme_file = load_programme(programme_dir)
    programme = programme_file.programme
    if programme is None:
        sys.stderr.write(
            f"pcplan: {programme_file.display} cannot be read; using default settings "
            "(run `pcplan check`)\n"
        )
    if loaded.challenge is None:
        from pcplan.findings import CheckResult

        write_text(CheckResult(1, tuple(loaded.findings)), sys.stderr)
        raise typer.Exit(1)
    return loaded, programme


class ShowFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


class ListFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def check_person(person: str, contexts: Any, programme: Programme | None) -> str:
    """The person's name as the programme writes it: exactly, or the one name that differs
    only by case and spacing. Exit 2 when there is none (with the nearest names) or several.
    """
    import difflib

    from pcplan.errors import UsageError
    from pcplan.findings import shorten
    from pcplan.overview import known_people, matching_names

    people = known_people(contexts, programme)
    matches = matching_names(person, people)
    if len(matches) > 1:
        raise UsageError(
            f"{shorten(person, 80)}: several people differ from this name only by case or "
            f"spacing ({', '.join(matches)}); give the name exactly"
        )
    if not matches:
        close = difflib.get_close_matches(person, sorted(people), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"{shorten(person, 80)}: nobody of this name in the programme{hint}")
    return matches[0]


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _raise_terminated(signum: int, frame: object) -> None:
    """SIGTERM/SIGHUP: unwind like Ctrl-C (a second one kills at once)."""
    import signal

    signal.signal(signum, signal.SIG_DFL)
    raise Terminated(signum)


def _stopped(stop: Terminated) -> int:
    sys.stderr.write(f"pcplan: stopped by {_signal_name(stop.signum)}\n")
    return 128 + stop.signum


def restore_default_signals() -> None:
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGHUP clean up as Ctrl-C does (temporary files removed, exit 128+N)."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _raise_terminated)


def main() -> None:
    """The console script's entry point.

    Output never fails on its stream (SPEC §6): text the stream's encoding cannot
    carry is escaped (``\\xe9``), a closed stdout exits 1 quietly, and a reader that
    goes away (a broken pipe) leaves the command's own exit status. SIGTERM and
    SIGHUP unwind like Ctrl-C (temporary files removed) and exit 128 + N.
    """
    code: int | None = 1
    try:
        install_signal_handlers()  # (inside the try: a signal may come at once)
        code = prepare_streams()
        if code is None:
            code = refuse_undecodable(sys.argv[1:])
        if code is None:
            try:
                with only_the_command_asked(sys.argv[1:]):
                    app()
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except Terminated as stop:  # outside a command (while parsing the arguments)
        code = _stopped(stop)
    finally:  # the work is over: a late signal just ends the process
        try:
            restore_default_signals()
        except Terminated as stop:  # (it came while they were being restored)
            code = _stopped(stop)
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        silence_stdout()
    except OSError:
        silence_stdout()
        code = code or 1
    raise SystemExit(code)


@contextmanager
def only_the_command_asked(arguments: list[str]) -> Iterator[None]:
    """Build only the command asked for: typer builds every registered command's
    parameters (their annotations evaluated, their converters made) before it parses
    a word, which costs more than a small `check`. `pcplan`, `pcplan --help`, a command
    not known and anything unusual before the command get the whole app, as before."""
    name = _command_asked(arguments)
    registered = app.registered_commands
    chosen = [info for info in registered if _command_name(info) == name]
    app.registered_commands = chosen or registered
    try:
        yield
    finally:
        app.registered_commands = registered


def _command_asked(arguments: list[str]) -> str | None:
    """COMMAND in ``pcplan [--dir DIR] COMMAND …``; None if anything else comes first."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word == "--dir":
            index += 2
        elif word.startswith("--dir="):
            index += 1
        else:
            return None if word.startswith("-") else word
    return None


def _command_name(info: Any) -> str:
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def prepare_streams() -> int | None:
    """Degrade rather than fail on a non-UTF-8 stream; 1 when there is no stdout at all."""
    import os

    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if sys.stdout is None:  # `pcplan status >&-`: nowhere to say anything
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return 1
    return None


def refuse_undecodable(arguments: list[str]) -> int | None:
    """Exit 2 for an argument that is not valid UTF-8 (unless it names an existing file)."""
    import os

    from pcplan.findings import printable

    for argument in arguments:
        value = argument.partition("=")[2] if argument.startswith("--") else argument
        if any("\udc80" <= character <= "\udcff" for character in argument) and not (
            os.path.lexists(argument) or os.path.lexists(value)
        ):
            sys.stderr.write(
                f"pcplan: {printable(argument)}: not valid UTF-8 text; retype it "
                "(or set a UTF-8 locale)\n"
            )
            return 2
    return None
