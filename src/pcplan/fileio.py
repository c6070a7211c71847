"""Every file pcplan writes goes through here (SPEC §6): lock, atomic replace, exclusive create.

* **The lock.** A write holds an exclusive ``flock`` on the *folder* it writes
  in (its directory file descriptor: no lock file is ever made, so none can be
  left behind or read as a challenge). An edit takes it before reading the
  bytes and keeps it until after ``os.replace`` (:func:`locked`, used by
  ``edit.open_editor``), so concurrent edits of one file queue up and each lands
  on top of the last. A writer waits up to 30 seconds (``PCPLAN_LOCK_TIMEOUT``
  may shorten that, for tests), then refuses with exit 1. The lock is
  re-entrant within a process.
* **Atomic replace** (:func:`write_atomic`): a temporary file
  ``.NAME.XXXXXXXX.pcplan-tmp`` in the same folder, fsync, the old file's mode,
  owner and extended attributes (so ACLs too, where the filesystem has them),
  ``os.replace``, fsync of the folder. A symbolic link is refused, and so is a
  file that changed since it was read.
* **Exclusive create** (:func:`create_new`): the new file is written beside the
  target and *linked* into place, which fails if a file of that name appeared
  meanwhile; so of many racing ``pcplan new --id X`` exactly one succeeds.
* **Output files** (:func:`write_output`, for ``schema --out`` and
  ``calendar --out``): atomic too; a symbolic link, a FIFO, a directory where the
  file belongs, a file where a folder belongs or a folder pcplan may not write
  in is one line and exit 1.
* **Temporary files** of a run that was killed (SIGKILL) are removed by the next
  write in that folder, while it holds the lock: only pcplan's own names, and
  only those older than the lock. SIGTERM and SIGHUP are turned into an
  exception by the CLI (:class:`pcplan.errors.Terminated`), so the same clean-up as for Ctrl-C
  runs and the original file stays intact.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from pcplan.errors import WriteRefused

LOCK_TIMEOUT = 30.0  # seconds (SPEC §6)
TEMP_SUFFIX = ".pcplan-tmp"
# `.NAME.` + mkstemp's 8 random characters + the suffix: only pcplan's own temporary files.
_OWN_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


class FileRefused(WriteRefused):
    """A write that cannot be made safely; the file is unchanged (exit 1)."""


class AlreadyExists(FileRefused):
    """`create_new` found the file there already (exit 1)."""


class UnsuitableFile(Exception):
    """What :func:`read_regular_file` will not read: not a regular file, or too large."""

    def __init__(self, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.size = size


# ----------------------------------------------------------------------------- reading

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_LINK_ERRORS = frozenset((errno.ELOOP, errno.EMLINK))


class IsALink(Exception):
    """:func:`read_regular_file` was asked not to follow links, and the path is one."""


def read_regular_file(path: Path | str, limit: int, *, links: bool = True) -> bytes:
    """A regular file's bytes; never blocks on a FIFO or a device, never reads past ``limit``.

    Raises :class:`UnsuitableFile` for what is not a regular file or is larger
    than ``limit`` (with ``size`` set), and ``OSError`` when it cannot be opened.
    Without ``links``, a symbolic link is not followed: :class:`IsALink` is raised
    instead (found by the open itself, with no extra system call for a plain file).
    """
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not links:
        if _NOFOLLOW:
            flags |= _NOFOLLOW
        elif os.path.islink(path):  # pragma: no cover - only where O_NOFOLLOW is missing
            raise IsALink(path)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        # ELOOP (EMLINK on FreeBSD): the last part is a link, or a loop of links.
        if not links and exc.errno in _LINK_ERRORS and os.path.islink(path):
            raise IsALink(path) from None
        raise
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise UnsuitableFile("not a regular file (a pipe, device or socket)")
        if status.st_size > limit:
            raise UnsuitableFile(f"the file is {status.st_size:,} bytes", size=status.st_size)
        # One read of the size fstat gives (plus one byte, to notice a file that grew).
        wanted = min(status.st_size, limit) + 1
        data = os.read(handle, wanted)
        while len(data) < wanted and (more := os.read(handle, wanted - len(data))):
            data += more  # a short read
        return data
    finally:
        os.close(handle)


def current_bytes(path: Path, limit: int = 1 << 30) -> bytes | None:
    """What ``path`` holds now, or None when there is no such file.

    Only regular files are read (a FIFO would block, a directory is not a file).
    """
    try:
        return read_regular_file(path, limit)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileRefused(f"{path}: is a folder; not written") from None
    except UnsuitableFile as problem:
        what = "is a folder" if path.is_dir() else problem.message
        raise FileRefused(f"{path}: {what}; not written") from None
    except OSError as exc:
        raise FileRefused(f"{path}: cannot read: {_reason(exc)}; not written") from None


# ----------------------------------------------------------------------------- the lock


_held: dict[tuple[int, int], tuple[int, int]] = {}  # (dev, ino) -> (fd, depth)


def lock_timeout() -> float:
    """How long to wait for the lock: 30 s, or less when PCPLAN_LOCK_TIMEOUT says so."""
    value = os.environ.get("PCPLAN_LOCK_TIMEOUT")
    if value:
        with contextlib.suppress(ValueError):
            return max(0.0, min(float(value), LOCK_TIMEOUT))
    return LOCK_TIMEOUT


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``directory`` (waiting up to 30 s), then release it.

    Re-entrant: a process that holds the lock already just goes on. On first
    taking it, stale temporary files of killed runs are removed.
    """
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise FileRefused(f"{directory}: cannot write here: {_reason(exc)}") from None
    key: tuple[int, int] | None = None
    try:
        status = os.fstat(handle)
        key = (status.st_dev, status.st_ino)
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            os.close(handle)
            handle = -1
        else:
            _acquire(handle, directory)
            _held[key] = (handle, 1)
            _remove_stale_temp_files(directory)
        yield
    finally:
        if key is not None and key in _held:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # closing the descriptor releases the flock
        elif handle >= 0:
            os.close(handle)


def _acquire(handle: int, directory: Path) -> None:
    """Take the folder's flock, waiting up to the timeout; else refuse in one line."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock (Windows): no lock
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    except OSError as exc:
        raise FileRefused(f"{directory}: cannot lock the folder: {_reason(exc)}") from None
    timeout = lock_timeout()
    try:
        got = _wait_for_lock(handle, timeout)
    except OSError as exc:
        raise FileRefused(f"{directory}: cannot lock the folder: {_reason(exc)}") from None
    if not got:
        raise FileRefused(
            f"{directory}: waited {timeout:g} s for another pcplan command writing in this "
            "folder; nothing was written, try again when it has finished"
        )


class _LockWaitOver(Exception):
    pass


def _wait_for_lock(handle: int, timeout: float) -> bool:
    """Block on the flock until it is ours (True) or ``timeout`` seconds pass (False).

    In the main thread a real-time timer interrupts the blocking call, so the
    lock is taken the moment it is free; elsewhere pcplan polls.
    """
    import fcntl
    import signal
    import threading

    if timeout > 0 and threading.current_thread() is threading.main_thread():

        def over(signum: int, frame: object) -> None:
            raise _LockWaitOver

        previous = signal.signal(signal.SIGALRM, over)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            return True
        except _LockWaitOver:
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.1)


def _remove_stale_temp_files(directory: Path) -> None:
    """Delete pcplan's own temporary files left by killed runs (older than the lock)."""
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.endswith(TEMP_SUFFIX) and _OWN_TEMP.fullmatch(entry.name)):
            continue
        with contextlib.suppress(OSError):
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(status.st_mode) and status.st_mtime <= now:
                os.unlink(entry.path)


# ----------------------------------------------------------------------------- writing


def write_atomic(path: Path, data: bytes, *, expected: bytes | None) -> None:
    """Replace ``path`` with ``data`` all at once, or leave it exactly as it was.

    ``expected`` is what the file held when it was read (``None``: it must not
    exist yet). A symlink, or a file that changed meanwhile, is refused. Takes
    the folder's lock (already held by an edit, which took it before reading).
    """
    with locked(path.parent):
        _refuse_symlink(path)
        current = current_bytes(path)
        if current != expected:
            raise FileRefused(
                f"{path}: changed on disk while pcplan was working; nothing was written, run "
                "the command again"
            )
        _replace(path, data, keep=current is not None)


def write_output(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write an output file (a calendar, a schema) whatever it held; False if it held ``data``.

    Refuses a symbolic link, anything but a regular file at ``path``, and a
    folder that is missing or may not be written in, each as one line.
    ``durable=False`` skips the fsyncs (still atomic for readers), for files made
    again from the data at will, such as the report's thousand pages.
    """
    with locked(path.parent):
        _refuse_symlink(path)
        current = current_bytes(path)
        if current == data:
            return False
        _replace(path, data, keep=current is not None, durable=durable)
        return True


def create_new(path: Path, data: bytes, *, force: bool) -> None:
    """Create ``path`` holding ``data``; refuse if it exists, unless ``force`` (then replace it).

    Without ``force`` the file is written beside the target and hard-linked into
    place, which fails when the name exists: exactly one of many racing creators
    wins, and nobody ever sees a half-written file.
    """
    with locked(path.parent):
        _refuse_symlink(path)
        if force:
            _replace(path, data, keep=current_bytes(path) is not None)
            return
        temp = _write_temp(path, data, _default_mode())
        try:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise AlreadyExists(f"{path} already exists; nothing was written") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                _create_exclusively(path, data)  # a filesystem without hard links
        except OSError as exc:
            raise FileRefused(f"{path}: could not write ({_reason(exc)}); not written") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        _fsync_directory(path.parent)


def ensure_directory(directory: Path) -> None:
    """Make ``directory`` (and its parents), or say in one line why it cannot be."""
    if directory.is_symlink() and not directory.is_dir():
        raise FileRefused(f"{directory}: is a broken symbolic link; not written")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileRefused(f"{directory}: is a file, not a folder; not written") from None
    except NotADirectoryError:
        raise FileRefused(
            f"{directory}: part of this path is a file, not a folder; not written"
        ) from None
    except OSError as exc:
        raise FileRefused(f"{directory}: cannot make this folder: {_reason(exc)}") from None


def _refuse_symlink(path: Path) -> None:
    if path.is_symlink():
        raise FileRefused(f"{path}: is a symbolic link; pcplan will not write through it")


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_temp(path: Path, data: bytes, mode: int, *, durable: bool = True) -> str:
    """``data`` in a new temporary file beside ``path``, flushed to disk; its name."""
    import tempfile  # (only a write needs it; `check` imports this module too)

    try:
        handle, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX
        )
    except OSError as exc:
        raise FileRefused(f"{path}: cannot write here: {_reason(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.chmod(temp_name, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise FileRefused(
                f"{path}: could not write ({_reason(exc)}); the file is unchanged"
            ) from None
        raise
    return temp_name


def _replace(path: Path, data: bytes, *, keep: bool, durable: bool = True) -> None:
    """The atomic replace itself (the lock is held and the checks are done)."""
    mode = stat.S_IMODE(os.stat(path).st_mode) if keep else _default_mode()
    temp_name = _write_temp(path, data, mode, durable=durable)
    try:
        if keep:
            _keep_owner(temp_name, path)
            _keep_xattrs(temp_name, path)
        os.replace(temp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise FileRefused(
                f"{path}: could not write ({_reason(exc)}); the file is unchanged"
            ) from None
        raise
    if durable:
        _fsync_directory(path.parent)


def _create_exclusively(path: Path, data: bytes) -> None:
    """O_EXCL creation, for filesystems without hard links (removed again if it fails)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _keep_owner(temp_name: str, path: Path) -> None:
    """Give the new file the old one's owner and group, where we are allowed to."""
    status = os.stat(path)
    with contextlib.suppress(OSError):
        os.chown(temp_name, status.st_uid, status.st_gid)


def _keep_xattrs(temp_name: str, path: Path) -> None:
    """Copy extended attributes (and so POSIX ACLs), where the filesystem has them."""
    listxattr = getattr(os, "listxattr", None)
    if listxattr is None:
        return
    try:
        names = listxattr(path, follow_symlinks=False)
    except OSError:
        return  # ENOTSUP and the like: nothing to keep
    for name in names:
        with contextlib.suppress(OSError):
            value = os.getxattr(path, name, follow_symlinks=False)
            os.setxattr(temp_name, name, value, follow_symlinks=False)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
