"""Load → check → result: every rule over a programme directory (SPEC §4).

:func:`analyse` reads programme.yaml and every challenge file, runs the file
rules on each valid challenge (:func:`analyse_file`), then the cross-file rules,
then the waivers. One broken file never hides the findings of the others.

For `check`, a large programme is spread over the machine's cores: worker
processes run :func:`analyse_file` on chunks of files and send back only
findings, sightings and waivers (sending models back would cost more than
validating them). Small programmes, and commands that show the models, run
in-process. Either way the same functions produce the same findings.
"""

from __future__ import annotations

import gc
import json
import os
import stat
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import pcplan
from pcplan.cache import (
    ENCODE,
    SIGHTINGS,
    AnalysisCache,
    Entry,
    StatKey,
    Summary,
    digest,
    disabled_by_environment,
    mentioning,
    salt,
    settled,
    stat_key,
)
from pcplan.dates import WorkingDays, working_days
from pcplan.directory import (
    FilePath,
    ProgrammeDir,
    Walked,
    unreadable_finding,
    walk_challenges,
)
from pcplan.findings import CheckResult, Finding, finding_read_back, sort_findings
from pcplan.overview import Glance, from_rows, glance_rows
from pcplan.records import Record
from pcplan.repo import LoadedFile, load_file, load_private, load_programme
from pcplan.rules import (
    RULES,
    ChallengeContext,
    FileReport,
    Gathered,
    Sighting,
    check_across,
    check_file,
)
from pcplan.rules.identity import check_programme_authorities
from pcplan.rules.team import check_registry_names
from pcplan.rules.waivers import WaiverNote
from pcplan.yamlio import YamlProblem, read_regular_file

if TYPE_CHECKING:
    from datetime import date

    from pcplan.models import Private, Programme

Progress = Callable[[int, int], None]
Item = TypeVar("Item")

PARALLEL_FROM = 400  # files; below this, starting workers costs more than it saves
CHUNK = 100


class Analysis(Record):
    """A whole programme, read and checked."""

    __slots__ = (
        "base",
        "contexts",
        "files",
        "findings",
        "glances",
        "private_file",
        "programme_file",
        "unreadable",
    )

    def __init__(
        self,
        programme_file: LoadedFile,
        files: list[LoadedFile],
        contexts: list[ChallengeContext],
        findings: dict[str, list[Finding]] | None = None,
        unreadable: list[str] | None = None,
        private_file: LoadedFile | None = None,
        glances: dict[str, Any] | None = None,
        base: tuple[Job, Gathered | Others] | None = None,
    ) -> None:
        self.programme_file = programme_file
        self.files = files
        self.contexts = contexts
        self.findings = {} if findings is None else findings
        self.unreadable = [] if unreadable is None else unreadable  # folders not listed
        self.private_file = private_file  # env PCPLAN_PRIVATE's file, when set
        # Each valid file's glance, by display name, when asked for: its rows
        # (pcplan.overview.glance_rows) when read in this run, its JSON text when it
        # comes from the cache (see at_a_glance).
        self.glances = {} if glances is None else glances
        # For an analysis that keeps models (an edit's): every file's results before the
        # cross-file pass, and what they were checked against (see findings_before).
        self.base = base

    @property
    def programme(self) -> Programme | None:
        return self.programme_file.programme

    def result(self, only: Iterable[str] | None = None) -> CheckResult:
        """The findings of every file, or only of the files displayed as ``only``."""
        shown = [f.display for f in self.files] if only is None else list(dict.fromkeys(only))
        selected = set(shown) | {self.programme_file.display, *self.unreadable}
        if self.private_file is not None:
            selected.add(self.private_file.display)
        findings = [f for name, found in self.findings.items() if name in selected for f in found]
        counted = [name for name in shown if name != self.programme_file.display]
        return CheckResult(files_checked=len(counted), findings=sort_findings(findings))

    @property
    def private(self) -> Private | None:
        return None if self.private_file is None else self.private_file.private

    def at_a_glance(self, *, pending: bool | date = True) -> dict[str, Glance]:
        """What the overviews show of each valid file (:class:`pcplan.overview.Glance`),
        once: the rows are let go as they are read. :class:`BrokenGlance` if one read
        from the cache is not sound. ``pending``: which pending steps the glances hold
        (see :func:`pcplan.overview.from_rows`).
        """
        kept, self.glances = self.glances, {}  # (each file's part goes as it is read)
        glances = {}
        try:
            while kept:
                display, seen = kept.popitem()
                rows = json.loads(seen) if type(seen) is str else seen
                glances[display] = from_rows(rows, pending=pending)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError):
            raise BrokenGlance from None
        return glances

    def findings_before(self, path: Path, display: str, raw: bytes) -> list[Finding]:
        """The findings the file ``display`` had when it held ``raw``, every other file as
        now: what an edit's file gave before the edit, without analysing the programme
        twice (only that version is read, and the cross-file rules rerun).
        """
        assert self.base is not None, "findings_before needs an analysis that keeps models"
        job, others = self.base
        outcome = job.run(path, display, raw=raw)
        if outcome.report is None:
            return list(outcome.loaded.findings)
        return check_across(others.around(outcome.report)).get(display, [])

    def context(self, display: str) -> ChallengeContext | None:
        for ctx in self.contexts:
            if ctx.display == display:
                return ctx
        return None


class BrokenGlance(Exception):
    """A glance from a damaged cache: analyse again without the cache."""


def build_context(
    loaded: LoadedFile,
    programme: Programme | None,
    as_of: date,
    calendar: WorkingDays,
    private: Private | None = None,
) -> ChallengeContext | None:
    challenge = loaded.challenge
    if challenge is None or loaded.document is None:
        return None
    return ChallengeContext(
        path=loaded.given_path,
        display=loaded.display,
        document=loaded.document,
        challenge=challenge,
        programme=programme,
        calendar=calendar,
        as_of=as_of,
        private=private,
    )


class FileOutcome(Record):
    """One challenge file read and checked on its own (before cross-file rules and waivers).

    ``loaded.findings`` are the file's `yaml`/`schema` findings; ``report`` holds
    its rules' findings and what the cross-file pass needs, when it is valid.
    """

    __slots__ = ("context", "glance", "loaded", "report")

    def __init__(
        self,
        loaded: LoadedFile,
        context: ChallengeContext | None,
        report: FileReport | None,
        glance: list[Any] | None = None,  # glance_rows(...), when asked for
    ) -> None:
        self.loaded = loaded
        self.context = context
        self.report = report
        self.glance = glance

    @property
    def valid(self) -> bool:
        return self.report is not None


def analyse_file(
    path: FilePath,
    display: str,
    programme: Programme | None,
    as_of: date,
    calendar: WorkingDays,
    *,
    rules: bool = True,
    root: Path | None = None,
    private: Private | None = None,
    raw: bytes | None = None,
    glances: bool = False,
    pending: bool = True,
) -> FileOutcome:
    """Read one challenge file and run every per-file rule on it (unless ``rules`` is off).

    ``root`` is the programme directory: links out of it are not followed.
    ``raw``: the file's bytes when already read (see :mod:`pcplan.cache`).
    ``glances``: make the file's glance too (:func:`pcplan.overview.glance_rows`), listing
    its pending steps or (without ``pending``) only counting them.
    """
    loaded = load_file(path, display, root=root, raw=raw)
    ctx = build_context(loaded, programme, as_of, calendar, private)
    if ctx is None:
        return FileOutcome(loaded, None, None)
    seen = glance_rows(ctx, pending=pending) if glances else None
    return FileOutcome(loaded, ctx, check_file(ctx) if rules else FileReport(display), seen)


def analyse(
    programme_dir: ProgrammeDir,
    as_of: date,
    *,
    extra_paths: Sequence[Path] = (),
    progress: Progress | None = None,
    calendar: WorkingDays | None = None,
    jobs: int | None = None,
    keep: bool = True,
    rules: bool = True,
    cache: bool = False,
    focus: Sequence[Path] | None = None,
    glances: bool = False,
    walked: Walked | None = None,
    across: bool = True,
    pending: bool = True,
) -> Analysis:
    """Read and check the programme in ``programme_dir`` (plus any ``extra_paths``).

    With ``keep`` the analysis keeps every valid challenge's model and schedule
    (:attr:`Analysis.contexts`), for the commands that show them; `check` only
    needs the findings, which lets a large programme be read in parallel.
    Without ``rules`` only the `yaml` and `schema` findings are made, for the
    commands that show dates and teams but not problems.

    With ``cache`` (and ``rules``), the files whose models are not kept come from
    the content cache (:mod:`pcplan.cache`) when unchanged: every file without
    ``keep``; with ``keep`` and ``focus``, every file but those in ``focus``, whose
    models and contexts alone are kept (an edit re-analyses only its own file; the
    cross-file rules still compare every file's sightings). The findings are the
    same either way.

    With ``glances`` (and ``rules``), :attr:`Analysis.glances` holds what the overviews
    show of each valid file (always made for the cache, which keeps them); without
    ``pending`` they only count the pending steps, when they are not cached (see
    :func:`pcplan.overview.glance_rows`).

    ``walked``: what :func:`pcplan.directory.walk_challenges` just gave, when the caller
    has walked the directory already (an edit, to find its file by id).

    Without ``across`` the cross-file rules are not run, and :attr:`Analysis.findings`
    holds only the programme's and the files' `yaml`/`schema` findings (the rules'
    findings are gathered for the cross-file pass, which also applies the waivers): for
    `due` and `timebank`, which show no findings. No verdict is kept for `check` then.
    """
    # Reading builds many small objects and no reference cycles: the cyclic
    # garbage collector would only rescan them again and again (a third of the
    # time of a 10,000-file check), so it waits until the analysis is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse(
            programme_dir,
            as_of,
            extra_paths,
            progress,
            calendar,
            jobs,
            keep,
            rules,
            cache,
            focus,
            glances,
            walked,
            across,
            pending,
        )
    finally:
        if collecting:
            if pcplan.SHORT_LIVED:
                # What the analysis made mostly lives to the end of the command: left to
                # the collector, it is rescanned at once (a 1,000-file edit spent 45 ms in
                # two passes over it). In a process that ends with the command, it is
                # moved out of the collector's sight instead; it is still freed as usual
                # when no longer referenced, and it holds no reference cycles.
                gc.freeze()
            gc.enable()


def _analyse(
    programme_dir: ProgrammeDir,
    as_of: date,
    extra_paths: Sequence[Path],
    progress: Progress | None,
    calendar: WorkingDays | None,
    jobs: int | None,
    keep: bool,
    rules: bool,
    cache: bool = False,
    focus: Sequence[Path] | None = None,
    glances: bool = False,
    walked: Walked | None = None,
    across: bool = True,
    pending: bool = True,
) -> Analysis:
    calendar = calendar or working_days()
    # The cache's salt holds the bytes of programme.yaml and of the private file: taken
    # before they are read, and again before anything is written (see _still_salted).
    store = _open_cache(programme_dir, as_of, rules, keep, focus) if cache else None
    programme_file = load_programme(programme_dir, cache=store is not None)
    programme = programme_file.programme
    findings: dict[str, list[Finding]] = defaultdict(list)
    findings[programme_file.display].extend(programme_file.findings)
    if programme is not None and programme_file.document is not None:
        locate = programme_file.document.locate
        for rule_id, problems in (
            ("authority.unknown", check_programme_authorities(programme)),
            ("schema", check_registry_names(programme)),
        ):
            rule = RULES[rule_id]
            for problem in problems:
                line, column = locate(problem.path)
                findings[programme_file.display].append(
                    Finding(
                        programme_file.display,
                        line,
                        column,
                        rule.id,
                        problem.severity or rule.severity,
                        problem.message,
                    )
                )
    private_file = load_private()
    private = None
    if private_file is not None:
        findings[private_file.display].extend(private_file.findings)
        private = private_file.private

    walked_paths, unreadable = walked if walked is not None else walk_challenges(programme_dir)
    paths: list[FilePath] = list(walked_paths)
    for folder in unreadable:  # findings, never skipped in silence
        finding = unreadable_finding(programme_dir, folder)
        findings[finding.file].append(finding)
    if extra_paths:
        known = set(walked_paths)
        paths += [path for path in extra_paths if os.fspath(path) not in known]
    targets = list(zip(paths, programme_dir.displays(paths), strict=True))
    files: list[LoadedFile] = []
    contexts: list[ChallengeContext] = []
    kept: dict[str, Any] = {}
    gathered = Gathered()
    making = rules and (glances or store is not None)  # the cache keeps every file's
    # The rules run where their findings are used: by the cross-file pass, or by the
    # cache, which keeps them for the next `check` (not for `due` without the cache).
    checking = rules and (across or store is not None)
    listing = pending or store is not None  # (the cache keeps whole glances)
    job = Job(programme_dir.root, programme, as_of, calendar, checking, private, making, listing)
    if store is not None:
        edit = keep and focus is not None
        cached = _analyse_cached(targets, job, store, keep, set(focus or ()), progress, jobs)
        others: Gathered | Others = cached.gathered
        if edit:  # only the focus files' findings are made (see Others)
            others = Others(
                programme_dir,
                job,
                cached.gathered,
                cached.stored,
                {display: place for place, (_, display) in enumerate(targets)},
            )
            cached.files = [loaded for loaded in cached.files if loaded.display in cached.kept]
            for finding in cached.load_findings:
                if finding.file in cached.kept:
                    findings[finding.file].append(finding)
            for display, report in cached.kept.items():
                if report is not None:
                    findings[display] = check_across(others.around(report)).get(display, [])
        else:
            for finding in cached.load_findings:
                findings[finding.file].append(finding)
            if across:
                findings.update(check_across(cached.gathered))
        salted = _still_salted(store, programme_dir, as_of)
        if salted:
            store.save(keep=cached.keys)
        shown = [programme_dir.display(folder.path) for folder in unreadable]
        analysis = Analysis(
            programme_file,
            cached.files,
            cached.contexts,
            dict(findings),
            shown,
            private_file,
            cached.glances if glances else {},
            (job, others) if keep else None,
        )
        whole = across and not keep and not extra_paths and not unreadable
        if salted and whole and all(cached.stats):
            from pcplan.verdict import record

            stats = [entry for entry in cached.stats if entry is not None]
            record(store, programme_dir, stats, analysis.result())
        return analysis
    workers = 1 if keep or not rules else _worker_count(len(targets), jobs)
    for batch in _batches(targets, job, progress, workers):
        if not keep:  # only findings are needed: let each model go at once (a third of
            for loaded in batch.files:  # the memory of a 10,000-file check on one core)
                loaded.document = None
                loaded.model = None
            batch.contexts.clear()
        files += batch.files
        contexts += batch.contexts
        if glances:
            kept.update(batch.glances)
        for finding in batch.load_findings:
            findings[finding.file].append(finding)
        gathered.merge(batch.gathered)
    if across:
        findings.update(check_across(gathered))
    shown = [programme_dir.display(folder.path) for folder in unreadable]
    base = (job, gathered) if keep else None
    return Analysis(
        programme_file, files, contexts, dict(findings), shown, private_file, kept, base
    )


class Batch(Record):
    """Some challenge files, read and checked on their own: one file, or a worker's chunk."""

    __slots__ = (
        "contexts",
        "files",
        "gathered",
        "glances",
        "kept",
        "keys",
        "load_findings",
        "stats",
        "stored",
    )

    def __init__(self) -> None:
        self.files: list[LoadedFile] = []
        self.contexts: list[ChallengeContext] = []
        self.load_findings: list[Finding] = []  # `yaml` and `schema`
        self.gathered = Gathered()
        self.keys: set[str] = set()  # the cache's names of these files
        self.glances: dict[str, Any] = {}  # rows or text, by display name
        # Through the cache: each file's cache key and settled stat key, or None (see
        # pcplan.verdict).
        self.stats: list[tuple[str, StatKey] | None] = []
        # Through the cache, for an edit: the report (None: not valid) of each file whose
        # model is kept, by display name; the other files whose results were left in the
        # cache, unread (see Others).
        self.kept: dict[str, FileReport | None] = {}
        self.stored: list[tuple[FilePath, Entry]] = []

    def add(self, outcome: FileOutcome) -> None:
        self.files.append(outcome.loaded)
        self.load_findings += outcome.loaded.findings
        if outcome.context is not None:
            self.contexts.append(outcome.context)
        if outcome.report is not None:
            self.gathered.add(outcome.report)
        if outcome.glance is not None:
            self.glances[outcome.loaded.display] = outcome.glance


class Others(Record):
    """The rest of the programme around an edit's file, as its cross-file pass needs it.

    Each cross-file rule compares only sightings of one value (see
    :meth:`pcplan.rules.Gathered.around`), so a file's findings need only the sightings
    of the other files that share one of its values. The files read afresh in this run
    are at hand (``fresh``); the unchanged ones stay in the cache (``stored``), and only
    those whose record mentions one of the values are decoded: an edit of one file in a
    large programme reads the results of a few files, not of all.
    """

    __slots__ = ("directory", "found", "fresh", "job", "order", "read", "shared", "stored")

    def __init__(
        self,
        directory: ProgrammeDir,
        job: Job,
        fresh: Gathered,
        stored: list[tuple[FilePath, Entry]],
        order: dict[str, int],
    ) -> None:
        self.directory = directory
        self.job = job
        self.fresh = fresh
        self.stored = stored
        self.order = order  # each file's place in the walk, by display name
        self.found: dict[bytes, list[int]] = {}  # by value, the places in stored that may hold it
        self.read: dict[int, tuple[str, Any]] = {}  # by place in stored: (display, sightings)
        self.shared: dict[frozenset[Any], list[tuple[str, list[Sighting]]]] = {}  # by values

    def around(self, report: FileReport) -> Gathered:
        """What the cross-file pass needs to give ``report``'s file its findings: as
        :meth:`pcplan.rules.Gathered.around` gives from every file's sightings, in the
        same order (messages that name other files name them in the walk's order)."""
        gathered = self.fresh.around(report)
        values = {rule_id: {s.value for s in seen} for rule_id, seen in report.sightings.items()}
        needles = list(
            {ENCODE(value).encode("ascii") for shared in values.values() for value in shared}
        )
        if not needles:
            return gathered
        asked = frozenset((rule_id, frozenset(shared)) for rule_id, shared in values.items())
        if asked not in self.shared:  # (an edit asks twice, mostly for the same values)
            new = [needle for needle in needles if needle not in self.found]
            if new:
                self.found.update(mentioning([entry for _, entry in self.stored], new))
            places = sorted({place for needle in needles for place in self.found[needle]})
            self.shared[asked] = [
                found for place in places for found in self._sharing(place, values)
            ]
        for rule_id, seen in self.shared[asked]:
            gathered.sightings[rule_id] += seen
        last = len(self.order)
        for seen in gathered.sightings.values():
            seen.sort(key=lambda sighting: self.order.get(sighting.display, last))
        return gathered

    def _sharing(self, place: int, values: dict[str, set[Any]]) -> list[tuple[str, list[Sighting]]]:
        """The sightings of one stored file of the given values, by rule (its sightings are
        read from the cache once, as JSON; from the file itself if that part is damaged)."""
        path, entry = self.stored[place]
        if place not in self.read:
            display = self.directory.display(path)
            try:
                self.read[place] = (display, json.loads(entry.sightings().decode("ascii")))
            except (ValueError, RecursionError):
                self.read[place] = (display, self._afresh(path, display))
        display, rows = self.read[place]
        try:
            return [] if rows is None else _sightings_of(display, rows, values)
        except (TypeError, ValueError, _Malformed):
            rows = self._afresh(path, display)
            self.read[place] = (display, rows)
            return [] if rows is None else _sightings_of(display, rows, values)

    def _afresh(self, path: FilePath, display: str) -> Any:
        """A file's sightings as the cache keeps them, from the file itself (None: it does
        not load)."""
        return json.loads(summarise(self.job.run(path, display))[SIGHTINGS])


class Job(NamedTuple):
    """What every file of one analysis is checked against."""

    root: Path
    programme: Programme | None
    as_of: date
    calendar: WorkingDays
    rules: bool = True
    private: Private | None = None
    glances: bool = False
    pending: bool = True  # do the glances list the pending steps (see glance_rows)

    def run(self, path: FilePath, display: str, raw: bytes | None = None) -> FileOutcome:
        return analyse_file(
            path,
            display,
            self.programme,
            self.as_of,
            self.calendar,
            rules=self.rules,
            root=self.root,
            private=self.private,
            raw=raw,
            glances=self.glances,
            pending=self.pending,
        )


def _batches(
    targets: list[tuple[FilePath, str]], job: Job, progress: Progress | None, workers: int
) -> Iterator[Batch]:
    if workers > 1:
        yield from _parallel_batches(targets, job, progress, workers)
        return
    for number, (path, display) in enumerate(targets, start=1):
        batch = Batch()
        batch.add(job.run(path, display))
        yield batch
        if progress is not None:
            progress(number, len(targets))


def _worker_count(files: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if files < PARALLEL_FROM or sys.platform == "win32":
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        cores = os.cpu_count() or 1
    return max(1, min(cores, files // CHUNK))


# The job of the running analysis, set in the parent before forking and read by
# the workers (inherited with the process, never pickled).
_SHARED: dict[str, Job] = {}


def _parallel_batches(
    targets: list[tuple[FilePath, str]], job: Job, progress: Progress | None, workers: int
) -> Iterator[Batch]:
    job.calendar.is_working_day(job.as_of)  # load the bank holidays once, before forking
    _SHARED["job"] = job
    chunks = _chunks(targets, workers)
    done = 0
    try:
        with _worker_pool(workers) as pool:
            for chunk, batch in zip(chunks, pool.imap(_analyse_chunk, chunks), strict=True):
                # Each file as loaded, made here from what was sent (see _analyse_chunk).
                batch.files = [LoadedFile(path, display) for path, display in chunk]
                yield batch
                done += len(batch.files)
                if progress is not None:
                    progress(done, len(targets))
    finally:
        _SHARED.clear()


def _chunks(items: list[Item], workers: int) -> list[list[Item]]:
    """``items`` in chunks for the workers: CHUNK at a time, then smaller ones at the end,
    so that when one worker takes the last chunk the others do not wait for long."""
    tail = min(len(items), 2 * workers * CHUNK)
    cut = len(items) - tail
    small = max(1, CHUNK // 4)
    return [items[start : min(start + CHUNK, cut)] for start in range(0, cut, CHUNK)] + [
        items[start : start + small] for start in range(cut, len(items), small)
    ]


@contextmanager
def _worker_pool(workers: int) -> Iterator[Any]:
    """Forked workers that end cleanly: joined when all went well, killed otherwise.

    The workers give up the parent's SIGTERM/SIGHUP handlers (which unwind by raising)
    and ignore Ctrl-C: a worker that raised while holding the pool's shared queue lock
    would leave its fellows waiting for it forever, and the parent with them.
    """
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _worker_signals() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def _analyse_chunk(chunk: list[tuple[FilePath, str]]) -> Batch:
    """In a worker: analyse files; only findings, sightings and waivers travel back.

    The files as loaded stay behind too: once their documents and models are let go,
    each is only its path and name, which the parent has (see _parallel_batches), and
    its `yaml`/`schema` findings, which travel in the batch's ``load_findings``.
    """
    job = _SHARED["job"]
    batch = Batch()
    for path, display in chunk:
        outcome = job.run(path, display)
        outcome.context = None  # the rest stays behind: models are costly to send
        batch.add(outcome)
    batch.files = []
    return batch


# ----------------------------------------------------------------------------- the cache


def _open_cache(
    programme_dir: ProgrammeDir,
    as_of: date,
    rules: bool,
    keep: bool,
    focus: Sequence[Path] | None,
) -> AnalysisCache | None:
    """The programme's content cache, when this analysis can use it."""
    if not rules or (keep and focus is None) or disabled_by_environment():
        return None
    value = salt(programme_path=programme_dir.programme_path, as_of=as_of.isoformat())
    return AnalysisCache.load(programme_dir.root, value)


def _still_salted(store: AnalysisCache, programme_dir: ProgrammeDir, as_of: date) -> bool:
    """Is the salt still what it was before programme.yaml and the private file were read?

    If either changed during the run (an editor's save, a `git checkout`), what was
    found may belong to neither version: nothing is written to the cache, and no
    verdict is kept, so the next run reads them afresh.
    """
    now = salt(programme_path=programme_dir.programme_path, as_of=as_of.isoformat())
    return now == store.salt


def summarise(outcome: FileOutcome) -> Summary:
    """One file's own results as the cache keeps them (see :data:`pcplan.cache.Summary`)."""
    loaded = ENCODE([f[1:] for f in outcome.loaded.findings])
    report = outcome.report
    if report is None:
        return (loaded, "null", "null", "null", "null")
    return (
        loaded,
        ENCODE([f[1:] for f in report.findings]),
        ENCODE(
            [
                (rule_id, [(s.line, s.column, s.value, s.detail) for s in seen])
                for rule_id, seen in report.sightings.items()
            ]
        ),
        ENCODE(report.waivers),
        "null" if outcome.glance is None else glance_text(outcome.glance),
    )


def glance_text(rows: list[Any]) -> str:
    """A glance as the cache keeps it: JSON text, parsed only by the overviews that read it
    (:meth:`Analysis.at_a_glance`). As lists, glances took more than half the time of
    reading the cache for `check` or an edit."""
    return ENCODE(rows)


class _Malformed(Exception):
    """A summary read from the cache that is not what pcplan writes: not used."""


def _findings(display: str, rows: Any) -> list[Finding]:
    if type(rows) is not list and type(rows) is not tuple:
        raise _Malformed
    found = []
    for line, column, rule, severity, message in rows:
        finding = finding_read_back(display, line, column, rule, severity, message)
        if finding is None:
            raise _Malformed
        found.append(finding)
    return found


def _frozen(value: Any) -> Any:
    """A value read back as the sight function gave it: lists (JSON arrays) as tuples.

    A summary read from disk holds only JSON's types; one made in this run may hold
    any hashable value a sight function gives, which passes through unchanged.
    """
    kind = type(value)
    if kind is str or kind is int:
        return value
    if kind is list or kind is tuple:
        items = tuple(value)
        for item in items:
            if type(item) is not str and type(item) is not int:  # nested: the slow way
                return tuple(_frozen(item) for item in items)
        return items
    if kind is dict:  # (not hashable: never a sighting's value)
        raise _Malformed
    return value


Decoded = tuple[list[Finding], FileReport | None, Any]  # the glance's rows, unchecked


def unsummarise(display: str, summary: Any) -> Decoded:
    """A summary back as findings, report and glance rows, or :class:`_Malformed` if it
    is not sound.

    Every field is checked, since the summary may come from a damaged cache file;
    a row of the wrong length or kind fails its unpacking (TypeError, ValueError).
    The glance is checked when it is read (:meth:`Analysis.at_a_glance`).
    """
    try:
        texts = summary.texts() if isinstance(summary, Entry) else summary
        loaded_text, findings_text, sightings_text, waivers_text, glance_part = texts
        loaded = _findings(display, json.loads(loaded_text))
        if findings_text == "null":
            return loaded, None, None
        if glance_part == "null":  # (every entry of the cache has one)
            raise _Malformed
        finding_rows = json.loads(findings_text)
        sighting_rows = json.loads(sightings_text)
        waiver_rows = json.loads(waivers_text)
        report = FileReport(display, _findings(display, finding_rows))
        report.sightings.update(_sightings_of(display, sighting_rows))
        for rule, reason, line, column in waiver_rows:
            if (
                (rule is not None and type(rule) is not str)
                or type(reason) is not str
                or type(line) is not int
                or type(column) is not int
            ):
                raise _Malformed
            report.waivers.append(WaiverNote(rule, reason, line, column))
    except (TypeError, ValueError, RecursionError):
        raise _Malformed from None
    return loaded, report, glance_part


def _sightings_of(
    display: str, rows: Any, values: dict[str, set[Any]] | None = None
) -> list[tuple[str, list[Sighting]]]:
    """A file's sightings as the cache keeps them, by rule: all of them, or (``values``)
    only those of the given values of each rule; TypeError, ValueError or
    :class:`_Malformed` if they are not sound."""
    if type(rows) is not list:
        raise _Malformed
    found = []
    for rule_id, seen_rows in rows:
        if type(rule_id) is not str or type(seen_rows) is not list:
            raise _Malformed
        wanted = None if values is None else values.get(rule_id)
        if values is not None and not wanted:
            continue
        seen = []
        for line, column, value, detail in seen_rows:
            value = _frozen(value)
            if wanted is None or value in wanted:
                if type(line) is not int or type(column) is not int:
                    raise _Malformed
                seen.append(Sighting(display, line, column, value, _frozen(detail)))
        found.append((rule_id, seen))
    return found


def _decoded(entry: Entry, display: str) -> Decoded:
    """An entry's results, decoded once per process (an edit analyses twice)."""
    if entry.decoded is not None and entry.decoded[0] == display:
        result: Decoded = entry.decoded[1]
        return result
    result = unsummarise(display, entry)
    entry.decoded = (display, result)
    return result


class Fresh(NamedTuple):
    """A file analysed for the cache: its keys (None: not cacheable) and its summary."""

    key: str | None
    fast: StatKey | None
    digest: str | None
    summary: Summary | None  # None: the cached entry's digest matched, reuse it
    outcome: FileOutcome | None = None  # in-process only, when the model is kept


def _analyse_fresh(
    job: Job, path: FilePath, display: str, key: str | None, known: str | None, *, whole: bool
) -> Fresh:
    """Read a file once, hash it and, unless its hash is ``known``, analyse those bytes."""
    raw = None
    status = None
    if key is not None:
        try:
            status = os.lstat(path)
            if stat.S_ISREG(status.st_mode):
                raw = read_regular_file(path)
        except (OSError, YamlProblem):  # analysed below, where it becomes a finding
            raw = None
    if raw is None or status is None:
        outcome = job.run(path, display)
        return Fresh(None, None, None, summarise(outcome), outcome if whole else None)
    file_digest = digest(raw)
    fast = stat_key(status) if settled(status) else None
    if file_digest == known and not whole:
        return Fresh(key, fast, file_digest, None)
    outcome = job.run(path, display, raw=raw)
    return Fresh(key, fast, file_digest, summarise(outcome), outcome if whole else None)


def _analyse_cached(
    targets: list[tuple[FilePath, str]],
    job: Job,
    store: AnalysisCache,
    keep: bool,
    focus: set[Path],
    progress: Progress | None,
    jobs: int | None,
) -> Batch:
    """Every file from the cache when unchanged, else analysed (in workers when many).

    For an edit (``keep`` with ``focus``), unchanged files are not decoded: they are
    left in :attr:`Batch.stored`, for :class:`Others` to read the few it needs.
    """
    lean = keep and bool(focus)
    focused = {os.fspath(path) for path in focus}  # (compared as text: paths hash slowly)
    results: list[Any] = [None] * len(targets)
    stats: list[tuple[str, StatKey] | None] = [None] * len(targets)
    misses: list[tuple[int, FilePath, str, str | None, str | None]] = []
    batch = Batch()
    keys = batch.keys
    entries = store.entries
    for index, (path, display) in enumerate(targets):
        text = os.fspath(path)  # (as text once: this loop runs for every file of every run)
        key = store.key(text)
        if key is not None:
            keys.add(key)
        if keep and text in focused:  # its model is kept: always analysed
            misses.append((index, path, display, key, None))
            continue
        entry = entries.get(key) if key is not None else None
        if entry is not None and entry.fast is not None:
            try:
                status = os.lstat(text)
            except OSError:
                status = None
            if (
                status is not None
                and stat.S_ISREG(status.st_mode)
                and stat_key(status) == entry.fast
            ):
                try:
                    results[index] = entry if lean else _decoded(entry, display)
                    stats[index] = (key, entry.fast)  # type: ignore[assignment]
                    continue
                except _Malformed:
                    del store.entries[key]  # type: ignore[arg-type]
                    store.dirty = True
                    entry = None
        misses.append((index, path, display, key, entry.digest if entry is not None else None))
    done = len(targets) - len(misses)
    store.hits += done
    if progress is not None and done:
        progress(done, len(targets))
    workers = 1 if keep else _worker_count(len(misses), jobs)
    for (index, path, display, key, _), fresh in zip(
        misses, _fresh_results(misses, job, workers, keep, focus), strict=True
    ):
        store.misses += 1
        results[index] = _take(store, display, path, key, fresh, job)
        if key is not None and fresh.key is not None and fresh.fast is not None:
            stats[index] = (key, fresh.fast)
        done += 1
        if progress is not None:
            progress(done, len(targets))
    for (path, display), result in zip(targets, results, strict=True):
        if isinstance(result, Entry):
            batch.stored.append((path, result))
            continue
        if isinstance(result, FileOutcome):
            batch.add(result)
            batch.kept[display] = result.report
            continue
        loaded, report, seen = result
        batch.files.append(LoadedFile(path, display, findings=loaded))
        batch.load_findings += loaded
        if report is not None:
            batch.gathered.add(report)
        if seen is not None:
            batch.glances[display] = seen
    batch.stats = stats
    return batch


def _take(
    store: AnalysisCache, display: str, path: FilePath, key: str | None, fresh: Fresh, job: Job
) -> Any:
    """Record a freshly read file in the cache; its findings (or its outcome, if kept)."""
    if fresh.summary is None:  # unchanged bytes: the entry holds, with a new stat key
        assert key is not None
        entry = store.entries[key]
        try:
            result = _decoded(entry, display)
        except _Malformed:
            fresh = _analyse_fresh(job, path, display, key, None, whole=False)
        else:
            if fresh.fast is not None and fresh.fast != entry.fast:
                entry.fast = fresh.fast
                store.dirty = True
            return result
    assert fresh.summary is not None
    if fresh.outcome is not None:  # a file being edited: not written to the cache, which
        return fresh.outcome  # it would make the edit rewrite; the next `check` reads it
    if fresh.key is not None and fresh.digest is not None:
        store.put(fresh.key, Entry(fresh.fast, fresh.digest, fresh.summary))
    return unsummarise(display, fresh.summary)


def _fresh_results(
    misses: list[tuple[int, FilePath, str, str | None, str | None]],
    job: Job,
    workers: int,
    keep: bool,
    focus: set[Path],
) -> Iterator[Fresh]:
    if workers <= 1:
        focused = {os.fspath(path) for path in focus}
        for _, path, display, key, known in misses:
            whole = keep and os.fspath(path) in focused
            yield _analyse_fresh(job, path, display, key, known, whole=whole)
        return
    job.calendar.is_working_day(job.as_of)  # load the bank holidays once, before forking
    _SHARED["job"] = job
    work = [(path, display, key, known) for _, path, display, key, known in misses]
    chunks = _chunks(work, workers)
    try:
        with _worker_pool(workers) as pool:
            for chunk in pool.imap(_fresh_chunk, chunks):
                yield from chunk
    finally:
        _SHARED.clear()


def _fresh_chunk(chunk: list[tuple[FilePath, str, str | None, str | None]]) -> list[Fresh]:
    """In a worker: read, hash and analyse files; only plain summaries travel back."""
    job = _SHARED["job"]
    return [
        _analyse_fresh(job, path, display, key, known, whole=False)
        for path, display, key, known in chunk
    ]
