"""What a command needs at run time, without typer: the global state, streams, signals,
errors as exit codes, dates from arguments and the programme analysed.

typer and click are imported only by :mod:`pcplan.cli.common` and the command modules,
which declare the command line. :func:`main` runs `pcplan check` without them when its
arguments are plain (:mod:`pcplan.cli.checking`), and hands everything else to typer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pcplan.errors import PcplanError, Terminated, UsageError

if TYPE_CHECKING:
    from pcplan.checker import Analysis
    from pcplan.directory import ProgrammeDir, Walked
    from pcplan.overview import Glance

DEFAULT_DIRECTORY = "challenges"  # --dir, when neither it nor PCPLAN_DIR is given


class State:
    directory: str = DEFAULT_DIRECTORY
    # The exit status a command has decided on before it writes its output, kept when
    # the reader goes away mid-way (`pcplan check | head -1` still fails on errors).
    exit_code: int = 0


STATE = State()


def say(line: str) -> None:
    """One line on stdout, with whatever came from the data or the arguments escaped."""
    from pcplan.findings import printable

    sys.stdout.write(printable(line) + "\n")


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


# ----------------------------------------------------------------------------- errors

# What a command may raise that is the user's to read, not a bug: each becomes one
# line on stderr and an exit code (:func:`exit_code_for`). An OSError that reaches here
# is the system refusing something pcplan cannot do without (writing the output to a
# full disk, say): files that cannot be read are findings long before.
EXPECTED = (PcplanError, OSError, KeyboardInterrupt, Terminated)


def complain(message: str) -> None:
    """One line on stderr, ``pcplan: …``, with whatever came from outside escaped."""
    from pcplan.findings import printable

    sys.stderr.write(f"pcplan: {printable(message)}\n")


def exit_code_for(error: BaseException) -> int:
    """The exit code for an error in :data:`EXPECTED`, after saying on stderr what it was.

    A reader that went away (`pcplan status | head`) is no error: the command's own
    exit status (:attr:`State.exit_code`) stands.
    """
    if isinstance(error, BrokenPipeError):
        silence_stdout()
        return STATE.exit_code
    if isinstance(error, PcplanError):
        complain(error.message)
        return error.exit_code
    if isinstance(error, Terminated):
        return _stopped(error)
    if isinstance(error, OSError):
        named = [str(name) for name in (error.filename, error.filename2) if name is not None]
        where = f" ({' → '.join(named)})" if named else ""
        complain(f"stopped: {error.strerror or str(error) or type(error).__name__}{where}")
        return 1
    complain("interrupted")
    return 130


def guarded(command: Callable[[], int]) -> int:
    """Run a command that returns its exit code, turning expected errors into theirs."""
    STATE.exit_code = 0
    try:
        return command()
    except EXPECTED as error:
        return exit_code_for(error)


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
    across: bool = True,
    pending: bool = True,
) -> Analysis:
    """The programme analysed (see :func:`pcplan.checker.analyse` for ``cache``, ``focus``,
    ``glances``, ``walked``, ``across`` and ``pending``)."""
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
            across=across,
            pending=pending,
        )
    finally:
        progress.close()


def glance_at_programme(
    as_of: date, *, pending: bool | date = True, findings: bool = True
) -> tuple[Analysis, dict[str, Glance]]:
    """The programme analysed for `status`, `due` or `timebank`: each file's glance, not
    its model, from the content cache when it can, with unreadable files reported.
    ``pending``: which pending steps the glances hold (pcplan.overview.from_rows);
    ``findings``: are the files' findings shown (`status` counts them), which needs the
    cross-file rules run."""
    from pcplan.checker import BrokenGlance

    listed = pending is not False
    analysis = analyse_programme(
        as_of, keep=False, cache=True, glances=True, across=findings, pending=listed
    )
    report_unreadable(analysis)
    try:
        glances = analysis.at_a_glance(pending=pending)
    except BrokenGlance:  # a damaged cache: read every file again, without it
        analysis = analyse_programme(
            as_of, keep=False, glances=True, across=findings, pending=listed
        )
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


# ----------------------------------------------------------------------------- the process


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
    complain(f"stopped by {_signal_name(stop.signum)}")
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
    import pcplan

    pcplan.SHORT_LIVED = True  # (this process ends with the command)
    code: int | None = 1
    try:
        install_signal_handlers()  # (inside the try: a signal may come at once)
        code = prepare_streams()
        if code is None:
            code = refuse_undecodable(sys.argv[1:])
        if code is None:
            code = _dispatch(sys.argv[1:])
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


def _dispatch(arguments: list[str]) -> int:
    """Run the command asked for: `check` with plain arguments directly, the rest by typer."""
    import os

    from pcplan.cli.checking import quick_check

    quick = quick_check(arguments, os.environ)
    if quick is not None:
        return guarded(quick)
    from pcplan.cli import load_app
    from pcplan.cli.common import only_the_command_asked

    app = load_app()
    try:
        with only_the_command_asked(arguments):
            app()
        return 0
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)


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

    for argument in arguments:
        value = argument.partition("=")[2] if argument.startswith("--") else argument
        if any("\udc80" <= character <= "\udcff" for character in argument) and not (
            os.path.lexists(argument) or os.path.lexists(value)
        ):
            complain(f"{argument}: not valid UTF-8 text; retype it (or set a UTF-8 locale)")
            return 2
    return None
