"""The errors pcplan reports to people, each with its exit code (SPEC §5).

The core raises these; only the CLI turns them into a one-line message and an
exit code. Anything else that escapes is a bug and is allowed to crash loudly.
"""

from __future__ import annotations


class PcplanError(Exception):
    """A problem the user can fix; ``exit_code`` is what the command exits with."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(PcplanError):
    """Bad arguments, an unknown id/path/step/name, a missing directory: exit 2."""

    exit_code = 2


class WriteRefused(PcplanError):
    """pcplan will not write: the file exists, is a symlink, changed since read: exit 1."""

    exit_code = 1


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread like KeyboardInterrupt is for SIGINT.

    Being an exception, it unwinds through every ``finally``: a write in progress
    removes its temporary file and leaves the original as it was. The CLI exits
    with 128 + the signal's number (143 for SIGTERM, 129 for SIGHUP), as a shell
    reports a process that signal killed.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
