"""Load → check → result: every rule over a programme directory (SPEC §4).

:func:`analyse` reads programme.yaml and every challenge file, runs the file
rules on each valid challenge, then the cross-file rules, then the waivers.
One broken file never hides the findings of the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pcplan.dates import WorkingDays, working_days
from pcplan.findings import CheckResult, Finding, sort_findings
from pcplan.models import Challenge, Programme, Settings
from pcplan.repo import LoadedFile, ProgrammeDir, challenge_paths, load_file
from pcplan.rules import RULES, ChallengeContext, apply_waivers, file_findings, repo_findings
from pcplan.rules.identity import check_programme_authorities
from pcplan.schedule import compute_schedule

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Analysis:
    """A whole programme, read and checked."""

    programme_file: LoadedFile
    files: list[LoadedFile]
    contexts: list[ChallengeContext]
    findings: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def programme(self) -> Programme | None:
        model = self.programme_file.model
        return model if isinstance(model, Programme) else None

    def result(self, only: Iterable[str] | None = None) -> CheckResult:
        """The findings of every file, or only of the files displayed as ``only``."""
        shown = [f.display for f in self.files] if only is None else list(dict.fromkeys(only))
        selected = set(shown) | {self.programme_file.display}
        findings = [f for name, found in self.findings.items() if name in selected for f in found]
        counted = [name for name in shown if name != self.programme_file.display]
        return CheckResult(files_checked=len(counted), findings=sort_findings(findings))

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
) -> ChallengeContext | None:
    if not isinstance(loaded.model, Challenge) or loaded.document is None:
        return None
    settings = programme.settings if programme else Settings()
    return ChallengeContext(
        path=loaded.path,
        display=loaded.display,
        document=loaded.document,
        challenge=loaded.model,
        schedule=compute_schedule(loaded.model, settings, as_of, calendar),
        programme=programme,
        calendar=calendar,
        as_of=as_of,
    )


def analyse(
    programme_dir: ProgrammeDir,
    as_of: date,
    *,
    extra_paths: Sequence[Path] = (),
    progress: Progress | None = None,
    calendar: WorkingDays | None = None,
) -> Analysis:
    """Read and check the programme in ``programme_dir`` (plus any ``extra_paths``)."""
    calendar = calendar or working_days()
    programme_file = load_file(
        programme_dir.programme_path,
        programme_dir.display(programme_dir.programme_path),
        programme=True,
    )
    programme = programme_file.model if isinstance(programme_file.model, Programme) else None
    findings: dict[str, list[Finding]] = defaultdict(list)
    findings[programme_file.display].extend(programme_file.findings)
    if programme is not None and programme_file.document is not None:
        for problem in check_programme_authorities(programme):
            line, column = programme_file.document.locate(problem.path)
            findings[programme_file.display].append(
                Finding(
                    programme_file.display,
                    line,
                    column,
                    "authority.unknown",
                    RULES["authority.unknown"].severity,
                    problem.message,
                )
            )

    paths = challenge_paths(programme_dir)
    known = set(paths)
    paths += [path for path in extra_paths if path not in known]
    files: list[LoadedFile] = []
    contexts: list[ChallengeContext] = []
    for number, path in enumerate(paths, start=1):
        loaded = load_file(path, programme_dir.display(path))
        files.append(loaded)
        findings[loaded.display].extend(loaded.findings)
        ctx = build_context(loaded, programme, as_of, calendar)
        if ctx is not None:
            contexts.append(ctx)
            findings[ctx.display].extend(file_findings(ctx))
        if progress is not None:
            progress(number, len(paths))

    for ctx, finding in repo_findings(contexts):
        findings[ctx.display].append(finding)
    for ctx in contexts:
        findings[ctx.display] = apply_waivers(ctx, findings[ctx.display])
    return Analysis(programme_file, files, contexts, dict(findings))
