"""The content cache of `pcplan check` (SPEC §7): each file's own findings, kept between runs.

Like ruff's and mypy's caches, it lives beside the data, in ``<programme>/.pcplan-cache/``
(a hidden folder: the walk never reads it as challenges; it holds a ``.gitignore`` of
``*``). For each challenge file it keeps what :func:`pcplan.rules.check_file` and the
loader made of it, as plain tuples (:data:`Summary`): the `yaml`/`schema` findings, the
per-file rules' findings, the cross-file sightings, the waiver notes and the file's
glance (what the overviews show of it). Cross-file
rules and waivers are always recomputed from the sightings and notes of the files the
walk finds now, so a deleted file's sightings vanish with it.

**When an entry is used.** The whole cache belongs to one *salt*: pcplan's version and
a fingerprint of its own source files (so a changed rule never reuses old findings),
the versions of the libraries that shape findings (pydantic, pydantic-core, ruamel.yaml,
holidays), the as-of date, whether rules run, and the bytes of
programme.yaml and of the private constraints file (``PCPLAN_PRIVATE``). Within it, an
entry is keyed by the file's path under the programme directory, and

* its **content hash** (BLAKE2b of the bytes) is the definitive key: an entry whose
  hash differs from the file's bytes is never used, whatever the times say;
* its **stat key** (size, mtime_ns, ctime_ns, inode) is the fast key: when it matches,
  the file is not even read. ``ctime`` cannot be set back (``os.utime`` changes it), so
  a file rewritten with its old mtime misses the fast key and is hashed. A stat key is
  recorded only for a file whose ctime is over two seconds old when it is read: a file
  changed again within the filesystem's timestamp granularity could otherwise keep a
  stat key it no longer deserves (git's "racily clean" problem). Such a file is hashed
  on the next run instead.

Symbolic links, files outside the programme directory and files that cannot be read
are never cached: they are analysed every time.

**On disk** (``analysis-<salt>.json``, format 4) a cache is text in three parts, so
that reading it builds almost nothing (an edit reads every entry's keys, but the
results of only a few files):

* a header line, JSON: ``{"format": 4, "pcplan": <version>, "salt": <salt>,
  "entries": <n>, "check": <CRC-32 of everything after the header>}``: a cache whose
  check fails is damaged, and ignored whole (an edit reads only a few entries, and must
  not miss a value in one it does not read);
* an index of ``n`` lines, one per file: ``key<TAB>stat key<TAB>content hash<TAB>
  length of its sightings<TAB>length of the rest`` (the key as JSON unless it is plain
  printable ASCII without ``"`` or ``\\``; the stat key ``size,mtime_ns,ctime_ns,inode``
  or ``-``);
* each file's sightings, a JSON text, in the index's order, each followed by a newline;
* the rest of each file's :data:`Summary`, in the same order, each followed by a newline:
  four JSON texts separated by tabs (JSON written as ASCII never holds a raw tab or
  newline).

The sightings lie together so that an edit finds the files that share a value with its
own (a person, an id) by searching that part of the text (:func:`mentioning`), and reads
only those.

**Trust.** The cache holds JSON (never pickle), read with a size limit from a regular file
(never through a symbolic link), and checked field by field before use: a corrupt,
truncated or foreign (other format, other salt) cache is ignored and rebuilt. Writes go
to a temporary file in the same folder and ``os.replace``: two concurrent runs each
write a whole, valid cache (the last one wins, which costs only speed). Nothing about
the cache is ever an error: a folder that cannot be written just means no cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import time
import zlib
from pathlib import Path
from typing import Any

from pcplan import __version__

CACHE_DIR = ".pcplan-cache"
FORMAT = 4  # 2: each summary ends with the file's glance; 3: as JSON text; 4: index, records
KEEP_FILES = 4  # caches of other salts kept (another --as-of, another day)
MAX_CACHE_BYTES = 512 * 1024 * 1024
RACY_NS = 2_000_000_000  # a file changed this recently is hashed on the next run

# One file's own results, as five JSON texts (made in the worker that read the file;
# plain strings are cheap to send between processes and to write):
#   (load_findings, findings, sightings, waivers, glance)
#   load_findings: [[line, column, rule, severity, message], ...]    (`yaml`, `schema`)
#   findings:  the per-file rules' findings, as load_findings; ``null`` for a file that
#              did not load (then sightings, waivers and glance are ``null`` too)
#   sightings: [[rule_id, [[line, column, value, detail], ...]], ...]
#   waivers:   [[rule or null, reason, line, column], ...]
#   glance:    what `status`, `due` and `timebank` need of the file
#              (pcplan.overview.glance_rows), parsed only when an overview reads it
Summary = tuple[str, str, str, str, str]
SIGHTINGS = 2  # the place of the sightings in a Summary
# A file's stat key, as text: "size,mtime_ns,ctime_ns,inode".
StatKey = str
ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode


def disabled_by_environment() -> bool:
    """``PCPLAN_NO_CACHE`` set to anything but empty or ``0`` turns the cache off."""
    return os.environ.get("PCPLAN_NO_CACHE", "") not in ("", "0")


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def stat_key(status: os.stat_result) -> StatKey:
    return f"{status.st_size},{status.st_mtime_ns},{status.st_ctime_ns},{status.st_ino}"


def settled(status: os.stat_result) -> bool:
    """Is the file old enough for its stat key to be trusted later (see the module doc)?"""
    return time.time_ns() - max(status.st_ctime_ns, status.st_mtime_ns) > RACY_NS


def _file_digest(path: str | None) -> str:
    """The file's content hash; when it cannot be read, why (the finding that says so
    quotes the reason, so another reason is another salt)."""
    if not path:
        return "-"
    raw = read_regular(Path(path), follow=True)
    if raw is not None:
        return digest(raw)
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    if not stat.S_ISREG(info.st_mode):
        return f"unreadable:mode-{stat.S_IFMT(info.st_mode)}"
    return f"unreadable:{info.st_size}:{os.access(path, os.R_OK)}"


@functools.cache  # (a run salts more than once: see checker._still_salted)
def _source_fingerprint() -> str:
    """pcplan's own source files (names, sizes, mtimes): a changed rule is a new cache."""
    package = Path(__file__).parent
    parts: list[str] = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                parts.append(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return digest("\n".join(parts).encode("utf-8", "surrogateescape"))


# The libraries whose behaviour shapes findings (messages, parse errors, bank holidays):
# (distribution, module).
LIBRARIES = (
    ("pydantic", "pydantic"),
    ("pydantic_core", "pydantic_core"),
    ("ruamel.yaml", "ruamel.yaml"),
    ("ruamel.yaml.clib", "_ruamel_yaml"),
    ("holidays", "holidays"),
)


@functools.cache
def _library_versions() -> str:
    """The installed versions of :data:`LIBRARIES`, read from their ``dist-info`` folders
    (``importlib.metadata`` alone would cost more than a warm check); ``-`` when not found."""
    from importlib.util import find_spec

    listed: dict[str, list[str]] = {}  # (each folder listed once)
    found = []
    for distribution, module in LIBRARIES:
        version = "-"
        try:
            spec = find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            folder = os.path.dirname(spec.origin)
            prefixes = (distribution.replace(".", "_") + "-", distribution + "-")
            for above in (
                folder,
                os.path.dirname(folder),
                os.path.dirname(os.path.dirname(folder)),
            ):
                if above not in listed:
                    try:
                        listed[above] = sorted(os.listdir(above))
                    except OSError:
                        listed[above] = []
                infos = [
                    name
                    for name in listed[above]
                    if name.startswith(prefixes) and name.endswith(".dist-info")
                ]
                if infos:
                    version = infos[0].split("-")[1].removesuffix(".dist")
                    break
            else:  # (no dist-info: an egg, a copy on PYTHONPATH) the package's own time
                with contextlib.suppress(OSError):
                    version = f"mtime-{os.stat(folder).st_mtime_ns}"
        found.append(f"{distribution}={version}")
    return ",".join(found)


def salt(*, programme_path: Path, as_of: str, rules: bool = True) -> str:
    """What every entry of one cache depends on besides its own file."""
    parts = [
        f"format={FORMAT}",
        f"pcplan={__version__}",
        f"source={_source_fingerprint()}",
        f"libraries={_library_versions()}",
        f"as_of={as_of}",
        f"rules={rules}",
        f"programme={_file_digest(os.fspath(programme_path))}",
        f"private={_file_digest(os.environ.get('PCPLAN_PRIVATE'))}",
    ]
    return digest("\n".join(parts).encode("utf-8", "surrogateescape"))


class Entry:
    """One file's cached results, with the keys that say when they may be used.

    Read from disk, its summary stays as bytes in the cache file's text until it is asked
    for (:meth:`texts`): most runs need only the keys of most entries.
    """

    __slots__ = ("_bulk", "_spans", "_texts", "decoded", "digest", "fast")

    def __init__(
        self,
        fast: StatKey | None,
        file_digest: str,
        summary: Summary | None,
        bulk: bytes = b"",
        spans: tuple[int, int, int, int] = (0, 0, 0, 0),
    ) -> None:
        """``summary``, or (None) where it lies in a cache file's bytes ``bulk``: ``spans``
        holds the start and end of its sightings, then of the rest."""
        self.fast = fast
        self.digest = file_digest
        self._texts = summary
        self._bulk = bulk
        self._spans = spans
        self.decoded: Any = None  # (display, results): what the checker made of the summary

    def texts(self) -> Summary:
        """The five JSON texts of the summary (ValueError if the record is not five)."""
        if self._texts is None:
            rest = self._part(self._spans[2], self._spans[3]).decode("ascii").split("\t")
            if len(rest) != 4:
                raise ValueError("not a summary")
            sightings = self.sightings().decode("ascii")
            self._texts = (rest[0], rest[1], sightings, rest[2], rest[3])
        return self._texts

    def sightings(self) -> bytes:
        """The text of its sightings, as bytes (ValueError if it is out of place)."""
        if self._texts is not None:
            return self._texts[SIGHTINGS].encode("ascii")
        return self._part(self._spans[0], self._spans[1])

    def rest(self) -> bytes:
        """The text of the rest of its summary, as bytes: four JSON texts, tab-separated."""
        if self._texts is None:
            return self._part(self._spans[2], self._spans[3])
        loaded, findings, _, waivers, glance = self._texts
        return "\t".join((loaded, findings, waivers, glance)).encode("ascii")

    def _part(self, start: int, end: int) -> bytes:
        if self._bulk[end : end + 1] != b"\n" or (start and self._bulk[start - 1 : start] != b"\n"):
            raise ValueError("a part of the cache out of place")
        return self._bulk[start:end]


def mentioning(entries: list[Entry], needles: list[bytes]) -> dict[bytes, list[int]]:
    """For each needle (the JSON text of a value), the places in ``entries`` of those that
    might have a sighting of that value: a quick test with no false "no" (the text of a
    sighting's detail may hold a value too; the caller compares the values themselves).

    The sightings of the entries read from one cache file lie together in its text, and
    are searched together, once per needle (C's substring search), not entry by entry.
    """
    from bisect import bisect_right

    found: dict[bytes, set[int]] = {needle: set() for needle in needles}
    by_bulk: dict[int, list[int]] = {}
    for place, entry in enumerate(entries):
        if entry._texts is None:
            by_bulk.setdefault(id(entry._bulk), []).append(place)
        else:
            text = entry.sightings()
            for needle in needles:
                if needle in text:
                    found[needle].add(place)
    for places in by_bulk.values():
        places.sort(key=lambda place: entries[place]._spans[0])
        bulk = entries[places[0]]._bulk
        starts = [entries[place]._spans[0] for place in places]
        limit = entries[places[-1]]._spans[1]  # (the rest of each summary lies beyond)
        for needle in needles:
            at = bulk.find(needle, starts[0], limit)
            while at != -1:
                nearest = bisect_right(starts, at) - 1
                end = entries[places[nearest]]._spans[1]
                if at < end:  # (else: in the text of a file not asked about)
                    found[needle].add(places[nearest])
                    at = bulk.find(needle, end, limit)
                else:
                    at = bulk.find(needle, at + 1, limit)
    return {needle: sorted(places) for needle, places in found.items()}


# The cache last read or written in this process, with the stat key of its file.
_MEMO: dict[tuple[str, str], tuple[StatKey, AnalysisCache]] = {}


class AnalysisCache:
    """The cache of one programme directory for one salt (see the module doc)."""

    def __init__(self, root: Path, salt_value: str) -> None:
        self.root = root
        shown = os.fspath(root)
        self._prefix = "" if shown == "." else os.path.join(shown, "")  # as Path joins
        self.salt = salt_value
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        self.hits = 0
        self.misses = 0

    @property
    def folder(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def file(self) -> Path:
        return self.folder / f"analysis-{self.salt[:20]}.json"

    @property
    def verdict_file(self) -> Path:
        """Where :mod:`pcplan.verdict` keeps the last whole-programme check of this salt."""
        return self.folder / f"verdict-{self.salt[:20]}.json"

    def key(self, path: Path | str) -> str | None:
        """The entry's name: the path under the programme directory (None: not cached).

        Paths are compared as the walk makes them (``root / …``), as text: this runs
        for every file of every run.
        """
        text = os.fspath(path)
        if not text.startswith(self._prefix):
            return None
        relative = text[len(self._prefix) :]
        if os.sep != "/":  # pragma: no cover - Windows
            relative = relative.replace(os.sep, "/")
        if not relative or relative.startswith(("/", "../", CACHE_DIR + "/")) or "/../" in relative:
            return None
        return relative

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def put(self, key: str, entry: Entry) -> None:
        old = self.entries.get(key)
        if old is not None and old.digest == entry.digest and old.fast == entry.fast:
            return  # (the same bytes give the same results: nothing to write)
        self.entries[key] = entry
        self.dirty = True

    # ------------------------------------------------------------------ disk

    @classmethod
    def load(cls, root: Path, salt_value: str) -> AnalysisCache:
        """The cache on disk for this salt; an empty one if there is none or it is not sound.

        Within one process (an edit analyses the programme before and after), the
        cache it last read or wrote is reused while the file on disk is still that one.
        """
        cache = cls(root, salt_value)
        try:
            on_disk: StatKey | None = stat_key(os.lstat(cache.file))
        except OSError:
            on_disk = None
        remembered = _MEMO.get((os.fspath(root), salt_value))
        if remembered is not None and on_disk is not None and remembered[0] == on_disk:
            cache.entries = remembered[1].entries
            return cache
        raw = read_regular(cache.file)
        if raw is None:
            return cache
        entries = decode(raw, salt_value)
        if entries is None:
            return cache
        cache.entries = entries
        if on_disk is not None:
            _MEMO.clear()
            _MEMO[(os.fspath(root), salt_value)] = (on_disk, cache)
        return cache

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache if it changed: atomically, and never an error.

        ``keep``: the entries to write (the files the walk found); others are dropped.
        """
        if not self.dirty:
            return
        entries = self.entries
        if keep is not None:
            entries = {key: entry for key, entry in entries.items() if key in keep}
        try:
            data = encode(self.salt, entries)
        except (UnicodeError, ValueError):  # a summary that is not plain data: do not cache
            return
        try:
            folder = self.prepare_folder()
            if folder is None:
                return
            write_atomic(self.file, data)
            self.dirty = False
            if keep is not None:
                self.entries = entries
            _MEMO.clear()
            _MEMO[(os.fspath(self.root), self.salt)] = (stat_key(os.lstat(self.file)), self)
            self._prune()
        except OSError:
            return

    def prepare_folder(self) -> Path | None:
        return prepare_folder(self.root)

    def _prune(self) -> None:
        """Keep the caches (and verdicts, :mod:`pcplan.verdict`) of a few other salts (other
        dates); remove older ones."""
        prune(self.folder, ("analysis-", "verdict-"), {self.file.name, self.verdict_file.name})


def prepare_folder(root: Path) -> Path | None:
    """The programme's cache folder, made if need be (None: it is not a folder of its own)."""
    folder = root / CACHE_DIR
    try:
        os.mkdir(folder, 0o755)
        created = True
    except FileExistsError:
        created = False
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):  # a symbolic link or a file: leave it alone
        return None
    ignore = folder / ".gitignore"
    if created or not os.path.lexists(ignore):
        write_atomic(ignore, b"# written by pcplan: its cache is never committed\n*\n")
    return folder


def prune(
    folder: Path, prefixes: tuple[str, ...], current: set[str], keep: int = 2 * KEEP_FILES
) -> None:
    """Remove all but the ``keep`` newest files of the folder named with one of these prefixes
    (besides those ``current``), and temporary files of a run killed mid-write."""
    try:
        with os.scandir(folder) as scan:
            items = list(scan)
        others = [
            (item.stat(follow_symlinks=False).st_mtime_ns, item.path)
            for item in items
            if item.name.startswith(prefixes)
            and item.name.endswith(".json")
            and item.name not in current
            and item.is_file(follow_symlinks=False)
        ]
        leftovers = [
            item.path
            for item in items
            if item.name.startswith(".tmp-")
            and time.time_ns() - item.stat(follow_symlinks=False).st_mtime_ns > 3600 * 10**9
        ]
        others.sort(reverse=True)
        for path in [name for _, name in others[keep:]] + leftovers:
            os.unlink(path)
    except OSError:
        pass


# --------------------------------------------------------------------- parsed documents
#
# programme.yaml is read by every command, and its registry grows with the programme (a
# 1,000-file programme's runs to 900 lines: 12 ms to parse, more than an edit's own file).
# What the parser made of its bytes is kept beside the cache, as JSON (the data and every
# key's position), keyed by a hash of the bytes and of the parser (pcplan's sources and
# the libraries'), and read back instead of parsing those bytes again.


def _parsed_file(root: Path, raw: bytes) -> tuple[Path, str]:
    key = digest(
        "\n".join(
            [
                f"format={FORMAT}",
                __version__,
                _source_fingerprint(),
                _library_versions(),
                digest(raw),
            ]
        ).encode("utf-8", "surrogateescape")
    )
    return root / CACHE_DIR / f"parsed-{key[:20]}.json", key


def recall_document(root: Path, raw: bytes) -> Any:
    """What parsing ``raw`` gave before (a :class:`pcplan.yamlio.Document`), or None."""
    if disabled_by_environment():
        return None
    path, key = _parsed_file(root, raw)
    text = read_regular(path)
    if text is None:
        return None
    try:
        kept = json.loads(text)
        if type(kept) is not dict or kept.get("key") != key or type(kept.get("data")) is not dict:
            return None
        if type(kept.get("positions")) is not list:
            return None
        positions = {}
        for *where, line, column in kept["positions"]:
            if any(type(part) is not str and type(part) is not int for part in where):
                return None
            if type(line) is not int or type(column) is not int:
                return None
            positions[tuple(where)] = (line, column)
    except (ValueError, TypeError, RecursionError):
        return None
    from pcplan.yamlio import Document

    return Document(data=kept["data"], positions=positions)


def keep_document(root: Path, raw: bytes, document: Any) -> None:
    """Keep what parsing ``raw`` gave (see :func:`recall_document`); never an error."""
    if disabled_by_environment():
        return
    path, key = _parsed_file(root, raw)
    try:
        text = ENCODE(
            {
                "key": key,
                "data": document.data,
                "positions": [[*where, *at] for where, at in document.positions.items()],
            }
        )
    except (TypeError, ValueError):
        return
    try:
        if prepare_folder(root) is not None:
            write_atomic(path, text.encode("ascii"))
            prune(path.parent, ("parsed-",), {path.name}, keep=KEEP_FILES)
    except OSError:
        pass


def encode(salt_value: str, entries: dict[str, Entry]) -> bytes:
    """A cache file's bytes (see the module doc)."""
    sightings = [entry.sightings() for entry in entries.values()]
    rests = [entry.rest() for entry in entries.values()]
    index = [
        f"{_key_text(key)}\t{entry.fast or '-'}\t{entry.digest}\t{len(seen)}\t{len(rest)}\n"
        for (key, entry), seen, rest in zip(entries.items(), sightings, rests, strict=True)
    ]
    body = b"".join(
        [
            "".join(index).encode("ascii"),
            *(seen + b"\n" for seen in sightings),
            *(rest + b"\n" for rest in rests),
        ]
    )
    header = ENCODE(
        {
            "format": FORMAT,
            "pcplan": __version__,
            "salt": salt_value,
            "entries": len(entries),
            "check": zlib.crc32(body),
        }
    )
    return (header + "\n").encode("ascii") + body


def decode(raw: bytes, salt_value: str) -> dict[str, Entry] | None:
    """The entries of a cache file's bytes, or None if it is not a sound cache of this
    salt. Each entry's summary is checked when it is used (:meth:`Entry.texts`)."""
    try:
        end = raw.index(b"\n")
        header = json.loads(raw[:end])
        if (
            type(header) is not dict
            or header.get("format") != FORMAT
            or header.get("pcplan") != __version__
            or header.get("salt") != salt_value
            or type(header.get("entries")) is not int
            or header["entries"] < 0
            or header.get("check") != zlib.crc32(memoryview(raw)[end + 1 :])
        ):
            return None  # (a damaged cache is rebuilt whole, as a file that is not JSON was)
        count = header["entries"]
        lines = raw.split(b"\n", count + 1)[1:-1]  # (its records stay where they are, in raw)
        if len(lines) != count:
            return None
        index_end = end + 1 + sum(len(line) for line in lines) + count
        rows = []
        for line in lines:
            key, fast, file_digest, seen, rest = line.decode("ascii").split("\t")
            if key.startswith('"'):
                key = json.loads(key)
                if type(key) is not str:
                    return None
            if len(file_digest) != 32:
                return None
            rows.append((key, None if fast == "-" else fast, file_digest, int(seen), int(rest)))
        # The sightings, then the rest, each in the index's order and each followed by
        # a newline (checked when a part is read: Entry._part).
        seen_at = index_end
        rest_at = seen_at + sum(row[3] for row in rows) + count
        if rest_at + sum(row[4] for row in rows) + count != len(raw):
            return None
        entries = {}
        for key, fast_key, known, seen_size, rest_size in rows:
            if seen_size < 0 or rest_size < 0:
                return None
            seen_end = seen_at + seen_size
            rest_end = rest_at + rest_size
            entries[key] = Entry(fast_key, known, None, raw, (seen_at, seen_end, rest_at, rest_end))
            seen_at = seen_end + 1
            rest_at = rest_end + 1
    except (ValueError, RecursionError):  # (UnicodeDecodeError is a ValueError)
        return None
    return entries


def _key_text(key: str) -> str:
    """A key as the index holds it: as itself when plain, else as JSON."""
    plain = key.isascii() and key.isprintable() and '"' not in key and "\\" not in key
    return key if plain and key else ENCODE(key)


def read_regular(path: Path, *, follow: bool = False) -> bytes | None:
    """A regular file's bytes (no FIFO or device, no symbolic link unless ``follow``)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return None
        chunks = []
        remaining = info.st_size
        while remaining > 0:
            chunk = os.read(handle, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(handle)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temporary file beside it, then ``os.replace``."""
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
