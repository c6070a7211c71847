"""The last whole-programme check, remembered: re-checking an unchanged programme reads no file.

The content cache (:mod:`pcplan.cache`) spares a re-check the parsing of unchanged
files, but the run still loads pydantic, the models and the rules to validate
programme.yaml, rebuild every file's sightings and recompute the cross-file rules:
most of the time of a warm `check`. Yet when no file changed, the answer cannot
change either. So after an analysis of the whole programme through the cache,
:func:`record` keeps its *verdict* (every finding, and how many files were
checked) beside the cache, with what it depends on:

* the cache's salt: pcplan's version and sources, the bank holidays, the as-of
  date, and the bytes of programme.yaml and of the private constraints file;
* the challenge files the walk found, in order, each with its stat key (size,
  mtime, ctime, inode), recorded only when the file was settled when read
  (:func:`pcplan.cache.settled`), as the cache's fast key is;
* the way the directory was named, and the private constraints file (findings show paths
  as they were given).

:func:`recall` gives the findings back only when all of these are the same now
and no folder is unreadable; it needs only the standard library, so `check`
answers an unchanged programme without importing the analysis at all. Anything
else (a file added, removed or touched, another date, a damaged or foreign
verdict) is a full analysis through the cache, which records a new verdict.
Like the cache, a verdict is JSON, written atomically, checked field by field
when read, and never an error.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from typing import Any

from pcplan import __version__
from pcplan.cache import (
    FORMAT,
    AnalysisCache,
    StatKey,
    disabled_by_environment,
    read_regular,
    salt,
    stat_key,
    write_atomic,
)
from pcplan.directory import PRIVATE_ENV, ProgrammeDir, walk_challenges
from pcplan.findings import CheckResult, finding_read_back


def record(
    store: AnalysisCache,
    programme_dir: ProgrammeDir,
    files: list[tuple[str, StatKey]],
    result: CheckResult,
) -> None:
    """Keep the verdict of a whole-programme analysis beside its cache ``store`` (see the
    module doc); never raises for the disk. ``files``: each challenge file's cache key and
    stat key, in walk order."""
    text = json.dumps(
        {
            "format": FORMAT,
            "pcplan": __version__,
            "salt": store.salt,
            "shown_as": programme_dir.shown_as,
            "private": os.environ.get(PRIVATE_ENV, ""),
            "files": [[key, fast] for key, fast in files],
            "checked": result.files_checked,
            "findings": [list(finding) for finding in result.findings],
        },
        separators=(",", ":"),
        ensure_ascii=True,
    )
    try:
        if store.prepare_folder() is not None:
            write_atomic(store.verdict_file, text.encode("ascii"))
    except OSError:
        pass


def recall(programme_dir: ProgrammeDir, as_of: date) -> CheckResult | None:
    """The last verdict of this programme, if nothing it depends on changed; else None."""
    if disabled_by_environment():
        return None
    salt_value = salt(programme_path=programme_dir.programme_path, as_of=as_of.isoformat())
    store = AnalysisCache(programme_dir.root, salt_value)  # (its names, not its entries)
    raw = read_regular(store.verdict_file)  # (not through a link)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if (
            type(data) is not dict
            or data.get("format") != FORMAT
            or data.get("pcplan") != __version__
            or data.get("salt") != salt_value
            or data.get("shown_as") != programme_dir.shown_as
            or data.get("private") != os.environ.get(PRIVATE_ENV, "")
            or not _same_files(store, programme_dir, data.get("files"))
        ):
            return None
        return _result(data.get("checked"), data.get("findings"))
    except (ValueError, TypeError, RecursionError):
        return None


def _same_files(store: AnalysisCache, programme_dir: ProgrammeDir, recorded: Any) -> bool:
    """Does the walk find exactly the recorded files, each with its recorded stat key?"""
    if type(recorded) is not list:
        return False
    paths, unreadable = walk_challenges(programme_dir)
    if unreadable or len(paths) != len(recorded):
        return False
    for path, (key, fast) in zip(paths, recorded, strict=True):
        if store.key(path) != key:
            return False
        try:
            status = os.lstat(path)
        except OSError:
            return False
        if not stat.S_ISREG(status.st_mode) or stat_key(status) != fast:
            return False
    return True


def _result(checked: Any, rows: Any) -> CheckResult | None:
    if type(checked) is not int or type(rows) is not list:
        return None
    findings = []
    for file, line, column, rule, severity, message in rows:
        finding = finding_read_back(file, line, column, rule, severity, message)
        if finding is None:
            return None
        findings.append(finding)
    return CheckResult(checked, tuple(findings))
