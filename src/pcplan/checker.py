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
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pcplan.dates import WorkingDays, working_days
from pcplan.findings import CheckResult, Finding, sort_findings
from pcplan.models import Challenge, Private, Programme
from pcplan.repo import (
    LoadedFile,
    ProgrammeDir,
    load_file,
    load_private,
    load_programme,
    unreadable_finding,
    walk_challenges,
)
from pcplan.rules import (
    RULES,
    ChallengeContext,
    FileReport,
    Gathered,
    check_across,
    check_file,
)
from pcplan.rules.identity import check_programme_authorities
from pcplan.rules.team import check_registry_names

Progress = Callable[[int, int], None]

PARALLEL_FROM = 400  # files; below this, starting workers costs more than it saves
CHUNK = 100


@dataclass(slots=True)
class Analysis:
    """A whole programme, read and checked."""

    programme_file: LoadedFile
    files: list[LoadedFile]
    contexts: list[ChallengeContext]
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # folders that could not be listed
    private_file: LoadedFile | None = None  # env PCPLAN_PRIVATE's file, when set

    @property
    def programme(self) -> Programme | None:
        model = self.programme_file.model
        return model if isinstance(model, Programme) else None

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
        model = self.private_file.model if self.private_file is not None else None
        return model if isinstance(model, Private) else None

    def context(self, display: str) -> ChallengeContext | None:
        for ctx in self.contexts:
            if ctx.display == display:
                return ctx
        return None


def build_context(
    loaded: LoadedFile,
    programme: Programme | None,
    as_of: date,
    calendar: WorkingDays,
    private: Private | None = None,
) -> ChallengeContext | None:
    if not isinstance(loaded.model, Challenge) or loaded.document is None:
        return None
    return ChallengeContext(
        path=loaded.path,
        display=loaded.display,
        document=loaded.document,
        challenge=loaded.model,
        programme=programme,
        calendar=calendar,
        as_of=as_of,
        private=private,
    )


@dataclass(slots=True)
class FileOutcome:
    """One challenge file read and checked on its own (before cross-file rules and waivers).

    ``loaded.findings`` are the file's `yaml`/`schema` findings; ``report`` holds
    its rules' findings and what the cross-file pass needs, when it is valid.
    """

    loaded: LoadedFile
    context: ChallengeContext | None
    report: FileReport | None

    @property
    def valid(self) -> bool:
        return self.report is not None


def analyse_file(
    path: Path,
    display: str,
    programme: Programme | None,
    as_of: date,
    calendar: WorkingDays,
    *,
    rules: bool = True,
    root: Path | None = None,
    private: Private | None = None,
) -> FileOutcome:
    """Read one challenge file and run every per-file rule on it (unless ``rules`` is off).

    ``root`` is the programme directory: links out of it are not followed.
    """
    loaded = load_file(path, display, root=root)
    ctx = build_context(loaded, programme, as_of, calendar, private)
    if ctx is None:
        return FileOutcome(loaded, None, None)
    return FileOutcome(loaded, ctx, check_file(ctx) if rules else FileReport(display))


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
) -> Analysis:
    """Read and check the programme in ``programme_dir`` (plus any ``extra_paths``).

    With ``keep`` the analysis keeps every valid challenge's model and schedule
    (:attr:`Analysis.contexts`), for the commands that show them; `check` only
    needs the findings, which lets a large programme be read in parallel.
    Without ``rules`` only the `yaml` and `schema` findings are made, for the
    commands that show dates and teams but not problems.
    """
    # Reading builds many small objects and no reference cycles: the cyclic
    # garbage collector would only rescan them again and again (a third of the
    # time of a 10,000-file check), so it waits until the analysis is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse(programme_dir, as_of, extra_paths, progress, calendar, jobs, keep, rules)
    finally:
        if collecting:
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
) -> Analysis:
    calendar = calendar or working_days()
    programme_file = load_programme(programme_dir)
    programme = programme_file.model if isinstance(programme_file.model, Programme) else None
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
        private = private_file.model if isinstance(private_file.model, Private) else None

    paths, unreadable = walk_challenges(programme_dir)
    for folder in unreadable:  # findings, never skipped in silence
        finding = unreadable_finding(programme_dir, folder)
        findings[finding.file].append(finding)
    known = set(paths)
    paths += [path for path in extra_paths if path not in known]
    targets = [(path, programme_dir.display(path)) for path in paths]
    files: list[LoadedFile] = []
    contexts: list[ChallengeContext] = []
    gathered = Gathered()
    job = Job(programme_dir.root, programme, as_of, calendar, rules, private)
    workers = 1 if keep or not rules else _worker_count(len(targets), jobs)
    for batch in _batches(targets, job, progress, workers):
        files += batch.files
        contexts += batch.contexts
        for finding in batch.load_findings:
            findings[finding.file].append(finding)
        gathered.merge(batch.gathered)
    findings.update(check_across(gathered))
    shown = [programme_dir.display(folder.path) for folder in unreadable]
    return Analysis(programme_file, files, contexts, dict(findings), shown, private_file)


@dataclass(slots=True)
class Batch:
    """Some challenge files, read and checked on their own: one file, or a worker's chunk."""

    files: list[LoadedFile] = field(default_factory=list)
    contexts: list[ChallengeContext] = field(default_factory=list)
    load_findings: list[Finding] = field(default_factory=list)  # `yaml` and `schema`
    gathered: Gathered = field(default_factory=Gathered)

    def add(self, outcome: FileOutcome) -> None:
        self.files.append(outcome.loaded)
        self.load_findings += outcome.loaded.findings
        if outcome.context is not None:
            self.contexts.append(outcome.context)
        if outcome.report is not None:
            self.gathered.add(outcome.report)


@dataclass(frozen=True, slots=True)
class Job:
    """What every file of one analysis is checked against."""

    root: Path
    programme: Programme | None
    as_of: date
    calendar: WorkingDays
    rules: bool = True
    private: Private | None = None

    def run(self, path: Path, display: str) -> FileOutcome:
        return analyse_file(
            path,
            display,
            self.programme,
            self.as_of,
            self.calendar,
            rules=self.rules,
            root=self.root,
            private=self.private,
        )


def _batches(
    targets: list[tuple[Path, str]], job: Job, progress: Progress | None, workers: int
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
    targets: list[tuple[Path, str]], job: Job, progress: Progress | None, workers: int
) -> Iterator[Batch]:
    import multiprocessing

    job.calendar.is_working_day(job.as_of)  # load the bank holidays once, before forking
    _SHARED["job"] = job
    chunks = [targets[start : start + CHUNK] for start in range(0, len(targets), CHUNK)]
    context = multiprocessing.get_context("fork")
    done = 0
    try:
        with context.Pool(workers) as pool:
            for batch in pool.imap(_analyse_chunk, chunks):
                yield batch
                done += len(batch.files)
                if progress is not None:
                    progress(done, len(targets))
    finally:
        _SHARED.clear()


def _analyse_chunk(chunk: list[tuple[Path, str]]) -> Batch:
    """In a worker: analyse files; only findings, sightings and waivers travel back."""
    job = _SHARED["job"]
    batch = Batch()
    for path, display in chunk:
        outcome = job.run(path, display)
        outcome.context = None  # the rest stays behind: models are costly to send
        batch.add(outcome)
        outcome.loaded.document = None
        outcome.loaded.model = None
        outcome.loaded.findings = []  # (they travel once, in the batch's load_findings)
    return batch
