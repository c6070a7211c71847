"""Time pcplan against the parse floor and check-jsonschema, side by side (SPEC §7).

    python bench/run.py                           # 40, 1,000 and 10,000 files
    python bench/run.py --repeat 3 --large 5000   # smaller, quicker

For each size it generates a realistic valid programme (bench/generate.py) under
bench/work/pN/, then times each case of SPEC §7 against what it is compared with,
alternating the commands in one loop (one untimed round first): `check` cold (the
cache emptied before each run) and warm, against the *parse floor* (bench/floor.py:
only reading and C-parsing the same files into nodes with positions, in one process and
in one per core; the stricter floor that only takes the parser's events, --events, is
shown beside it for reference) and
check-jsonschema; `done` at 1 and N files; `status` and `due` against `check`; and
`check` pinned to one core (`taskset -c 0`). Peak memory is measured in separate,
untimed runs, so that watching memory does not slow the timed ones. Each case
prints one Markdown row (measure, figure, target, met?, command) for
docs/performance.md.
It also times `pcplan report` on the example programme and on 1,000 files
(`--report-only`: just that), then the named cases, pcplan alone, each with its median
time and peak memory:

    unknown-keys   one 1 MiB file holding 100,000 unknown keys (target: < 2 s, < 150 MiB)

    python bench/run.py --sizes --cases unknown-keys   # the cases only (no check-jsonschema)
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
AS_OF = "2026-11-25"
BIN = Path(sys.executable).parent

sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def programme(size: int) -> tuple[Path, list[Path]]:
    target = WORK / f"p{size}"
    marker = target / ".complete"
    if not marker.exists():
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        generate(size, target)
        marker.write_text(str(size))
    files = sorted(target.rglob("round-*/*.yaml"))
    assert len(files) == size, (len(files), size)
    return target, files


def wall_time(command: list[str], *, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(
            f"failed ({result.returncode}): {' '.join(command[:6])}…\n"
            f"{result.stderr.decode()[-2000:]}"
        )
    return elapsed


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _memory_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_memory(command: list[str]) -> tuple[float, float]:
    """(largest single-process RSS, largest whole-tree PSS) in MiB, sampled every 5 ms.

    PSS divides pages shared between processes (after fork) among them, so the
    tree's sum is what the run really occupies.
    """
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks = {"rss": 0, "tree": 0}

    def sample() -> None:
        while process.poll() is None:
            tree = [process.pid]
            tree += [child for pid in list(tree) for child in _children(pid)]
            peaks["rss"] = max([peaks["rss"], *(_memory_kib(p, "Rss") for p in tree)])
            peaks["tree"] = max(peaks["tree"], sum(_memory_kib(p, "Pss") for p in tree))
            time.sleep(0.005)

    watcher = threading.Thread(target=sample)
    watcher.start()
    process.wait()
    watcher.join()
    return peaks["rss"] / 1024, peaks["tree"] / 1024


def median_times(
    commands: dict[str, list[str]], repeat: int, before: Any = None
) -> dict[str, float]:
    """Median wall times of commands run alternately, after one untimed run of each.

    ``before(name)`` runs (untimed) before each run of a command: to empty a cache.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(repeat + 1):
        for name, command in commands.items():
            if before is not None:
                before(name)
            elapsed = wall_time(command)
            if round_number:  # the first round only warms the file cache and .pyc files
                times[name].append(elapsed)
    return {name: statistics.median(found) for name, found in times.items()}


def drop_cache(directory: Path) -> None:
    import shutil

    shutil.rmtree(directory / ".pcplan-cache", ignore_errors=True)


ROWS: list[str] = []


def row(measure: str, figure: str, target: str, met: bool | None, command: str) -> None:
    mark = "" if met is None else (" ✓" if met else " ✗")
    line = f"| {measure} | {figure} | {target} |{mark} | `{command}` |"
    ROWS.append(line)
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=40)
    parser.add_argument("--medium", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000, help="0 to skip")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--no-jsonschema", action="store_true")
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=None, help="with no number: only the named cases"
    )
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument(
        "--report-only", action="store_true", help="time only `pcplan report` (SPEC §10)"
    )
    arguments = parser.parse_args()
    repeat = arguments.repeat
    if arguments.report_only:
        report_times(arguments.repeat)
        return
    if arguments.sizes == []:
        print(machine())
        print()
        run_cases(arguments.cases, arguments.repeat)
        return

    pcplan = str(BIN / "pcplan")
    python = sys.executable
    floor = [python, str(HERE / "floor.py")]
    # pcplan's modules compiled once, as an installed package's are (an editable install
    # with PYTHONDONTWRITEBYTECODE set would compile its sources on every run).
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "src" / "pcplan")], check=True)
    cjs = str(BIN / "check-jsonschema")
    schema = str(ROOT / "schemas" / "challenge.schema.json")
    subprocess.run(
        [pcplan, "--dir", str(ROOT / "challenges"), "check", "--no-cache"],
        check=False,
        stdout=subprocess.DEVNULL,
    )  # warm the bank-holiday cache, as any second run has
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1

    print(machine())
    print()
    print("| measure | figure (medians) | target | met? | command |")
    print("|---|---|---|---|---|")

    def check(directory: Path, *extra: str) -> list[str]:
        return [pcplan, "--dir", str(directory), "check", "--as-of", AS_OF, *extra]

    # --- check, small, cold: against the parse floor and check-jsonschema
    small, small_files = programme(arguments.small)
    commands = {
        "check": check(small),
        "floor": [*floor, str(small)],
        "events": [*floor, "--events", str(small)],
    }
    if not arguments.no_jsonschema:
        commands["cjs"] = [cjs, "--schemafile", schema, *map(str, small_files)]
    found = median_times(commands, repeat, lambda name: drop_cache(small))
    ratio = found["check"] / found["floor"]
    row(
        f"`check`, {arguments.small} files, cold",
        f"{found['check']:.3f} s; parse floor {found['floor']:.3f} s: {ratio:.2f}× "
        f"(events-only floor {found['events']:.3f} s: {found['check'] / found['events']:.2f}×)",
        "≤ 2.5× the parse floor",
        ratio <= 2.5,
        f"pcplan --dir {small.relative_to(ROOT)} check (cache emptied before each run)",
    )
    if "cjs" in found:
        ratio = found["check"] / found["cjs"]
        row(
            f"`check`, {arguments.small} files, cold, against check-jsonschema",
            f"{found['check']:.3f} s; check-jsonschema {found['cjs']:.3f} s: {ratio:.2f}×",
            "≤ 0.45× check-jsonschema",
            ratio <= 0.45,
            "check-jsonschema --schemafile schemas/challenge.schema.json FILES",
        )

    # --- check, medium: cold, warm
    medium, medium_files = programme(arguments.medium)
    cold = {"cold": check(medium), "floor": [*floor, str(medium)]}
    cold["floor2"] = [*floor, "--jobs", str(cores), str(medium)]
    found = median_times(cold, repeat, lambda name: drop_cache(medium))
    wall_time(check(medium))  # fill the cache
    warm = median_times({"warm": check(medium)}, repeat)["warm"]
    row(
        f"`check`, {arguments.medium:,} files, warm cache, nothing changed",
        f"{warm:.3f} s; cold {found['cold']:.3f} s: {warm / found['cold']:.2f}×",
        "≤ 0.15× the cold run",
        warm / found["cold"] <= 0.15,
        f"pcplan --dir {medium.relative_to(ROOT)} check (twice)",
    )
    row(
        f"`check`, {arguments.medium:,} files, cold, against the parse floor",
        f"{found['cold']:.3f} s; floor {found['floor']:.3f} s (1 process), "
        f"{found['floor2']:.3f} s ({cores} processes)",
        "(no target)",
        None,
        f"python bench/floor.py [--jobs {cores}] {medium.relative_to(ROOT)}",
    )
    if not arguments.no_jsonschema:
        theirs = median_times(
            {"cjs": [cjs, "--schemafile", schema, *map(str, medium_files)]}, max(1, repeat // 2)
        )["cjs"]
        row(
            f"`check`, {arguments.medium:,} files, cold, against check-jsonschema",
            f"{found['cold']:.3f} s; check-jsonschema {theirs:.3f} s: "
            f"{found['cold'] / theirs:.2f}×",
            "≤ 0.7× check-jsonschema",
            found["cold"] / theirs <= 0.7,
            "check-jsonschema --schemafile schemas/challenge.schema.json FILES",
        )

    # --- done: 1 file and medium, each run a real edit (the date alternates between two
    # days before fieldwork, so that the file stays valid); the files are restored after.
    one, one_files = programme(1)
    targets = {"one": (one, one_files[0]), "medium": (medium, medium_files[0])}
    originals = {path: path.read_bytes() for _, path in targets.values()}
    dates = ["2023-09-25", "2023-09-26"]
    times: dict[str, list[float]] = {name: [] for name in targets}
    try:
        for round_number in range(repeat + 1):
            day = dates[round_number % 2]
            for name, (directory, path) in targets.items():
                command = [pcplan, "--dir", str(directory), "done", path.stem, "scope"]
                elapsed = wall_time([*command, "--on", day])
                if round_number:
                    times[name].append(elapsed)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    done_one = statistics.median(times["one"])
    done_medium = statistics.median(times["medium"])
    row(
        f"`done` on a {arguments.medium:,}-file programme",
        f"{done_medium:.3f} s; on a 1-file programme {done_one:.3f} s: "
        f"{done_medium / done_one:.2f}×",
        "≤ 0.4 s and ≤ 1.3× the 1-file edit",
        done_medium <= 0.4 and done_medium / done_one <= 1.3,
        f"pcplan --dir {medium.relative_to(ROOT)} done ID scope --on DATE",
    )

    version = [wall_time([pcplan, "--version"]) for _ in range(max(repeat, 11))]
    row(
        "`pcplan --version`",
        f"{statistics.median(version) * 1000:.0f} ms",
        "≤ 150 ms",
        statistics.median(version) <= 0.15,
        "pcplan --version",
    )
    helps = median_times({"help": [pcplan, "check", "--help"]}, repeat)["help"]
    row("`pcplan check --help`", f"{helps:.3f} s", "(no target)", None, "pcplan check --help")

    if arguments.large:
        large, _ = programme(arguments.large)
        label = f"{arguments.large:,}"
        # All cold, like for like: `status` and `due` read the cache as `check` does, so
        # they run with it off here (a warm run is shown on its own below).
        cold_env = ["env", "PCPLAN_NO_CACHE=1"]
        overviews = {
            name: [*cold_env, pcplan, "--dir", str(large), name, "--as-of", AS_OF]
            for name in ("status", "due")
        }
        big = median_times(
            {
                "check": check(large, "--no-cache"),
                **overviews,
                "floor2": [*floor, "--jobs", str(cores), str(large)],
                "events2": [*floor, "--events", "--jobs", str(cores), str(large)],
            },
            repeat,
        )
        memory = {
            name: peak_memory(command)
            for name, command in [("check", check(large, "--no-cache")), *overviews.items()]
        }
        for name in ("status", "due"):
            ratio = big[name] / big["check"]
            rss = memory[name][0]
            row(
                f"`{name}`, {label} files",
                f"{big[name]:.2f} s, {rss:.0f} MiB; `check` {big['check']:.2f} s: {ratio:.2f}×",
                "≤ 1.2× `check`, ≤ 150 MiB",
                ratio <= 1.2 and rss <= 150,
                f"pcplan --dir {large.relative_to(ROOT)} {name}",
            )
        drop_cache(large)
        wall_time(check(large))  # fill the cache
        warm = median_times({"status": overviews["status"][2:]}, repeat)["status"]
        row(
            f"`status`, {label} files, after a `check` (warm cache)",
            f"{warm:.2f} s",
            "(no target)",
            None,
            f"pcplan --dir {large.relative_to(ROOT)} status",
        )
        ratio = big["check"] / big["floor2"]
        row(
            f"`check`, {label} files, cold",
            f"{big['check']:.2f} s, {memory['check'][0]:.0f} / {memory['check'][1]:.0f} MiB "
            f"(largest process / whole run); floor on {cores} processes "
            f"{big['floor2']:.2f} s: {ratio:.2f}× (events-only floor {big['events2']:.2f} s: "
            f"{big['check'] / big['events2']:.2f}×)",
            "≤ 1.2× the parse floor on as many processes as cores",
            ratio <= 1.2,
            f"pcplan --dir {large.relative_to(ROOT)} check --no-cache",
        )
        pinned = ["taskset", "-c", "0"]
        one_core = median_times(
            {
                "check": [*pinned, *check(large, "--no-cache")],
                "floor": [*pinned, *floor, str(large)],
                "events": [*pinned, *floor, "--events", str(large)],
            },
            max(1, repeat),
        )
        rss = peak_memory([*pinned, *check(large, "--no-cache")])[0]
        ratio = one_core["check"] / one_core["floor"]
        row(
            f"`check`, {label} files, one core",
            f"{one_core['check']:.2f} s, {rss:.0f} MiB; floor {one_core['floor']:.2f} s: "
            f"{ratio:.2f}× (events-only floor {one_core['events']:.2f} s: "
            f"{one_core['check'] / one_core['events']:.2f}×)",
            "≤ 1.3× the one-process floor, ≤ 150 MiB",
            ratio <= 1.3 and rss <= 150,
            f"taskset -c 0 pcplan --dir {large.relative_to(ROOT)} check --no-cache",
        )

    print()
    report_times(repeat)
    print()
    run_cases(arguments.cases, repeat)


def report_times(repeat: int) -> None:
    """`pcplan report` into an empty folder each time: the example programme, 1,000 files."""
    import resource
    import shutil

    pcplan = str(BIN / "pcplan")
    cases = [("the example programme", ROOT / "challenges"), ("1,000 files", programme(1000)[0])]
    for label, directory in cases:
        out = WORK / f"site-{directory.name}"
        command = [pcplan, "--dir", str(directory), "report", "--out", str(out), "--as-of", AS_OF]
        runs, cpu = [], []
        for attempt in range(repeat + 1):  # the first is a warm-up
            shutil.rmtree(out, ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed = wall_time(command)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if attempt:
                runs.append(elapsed)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        pages = sum(1 for _ in out.rglob("*.html"))
        print(
            f"`pcplan report`, {label} ({pages:,} pages): median {statistics.median(runs):.3f} s "
            f"wall, {statistics.median(cpu):.3f} s CPU (user + system) over {len(runs)} runs; "
            f"load average {os.getloadavg()[0]:.1f}."
        )


# ----------------------------------------------------------------------------- named cases


def unknown_keys() -> Path:
    """A programme whose one challenge (valid otherwise) has 100,000 unknown top-level keys."""
    target = WORK / "unknown-keys"
    marker = target / ".complete"
    if not marker.exists():
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        path = generate(1, target)[0]
        text = path.read_text(encoding="utf-8")
        text += "".join(f"k{index:x}: 1\n" for index in range(100_000))
        assert len(text.encode("utf-8")) <= 1024 * 1024, len(text)
        path.write_text(text, encoding="utf-8")
        marker.write_text("100000")
    return target


# name: (what it is, how to build its programme, target seconds, target MiB)
CASES: dict[str, tuple[str, Callable[[], Path], float, float]] = {
    "unknown-keys": ("100,000 unknown keys in one 1 MiB file", unknown_keys, 2.0, 150.0),
}


def run_cases(names: list[str], repeat: int) -> None:
    """Each named case: `pcplan check --format json --no-cache` (exit 1: the case has
    errors; without the cache, each run reads the hostile file, as a first run does).

    CPU is the run's user + system time: on a shared machine it wanders less than wall time.
    """
    if not names:
        return
    print("| case | pcplan check --format json (median) | CPU (median) | peak memory | target |")
    print("|---|---:|---:|---:|---|")
    for name in names:
        what, build, seconds, mebibytes = CASES[name]
        directory = build()
        command = [str(BIN / "pcplan"), "--dir", str(directory), "check", "--format", "json"]
        command += ["--as-of", AS_OF, "--no-cache"]  # the work itself, every time
        wall_time(command, ok=(1,))  # warm-up
        walls, cpus = [], []
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            walls.append(wall_time(command, ok=(1,)))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        median = statistics.median(walls)
        rss, _ = peak_memory(command)
        met = "✓" if median < seconds and rss < mebibytes else "✗"
        print(
            f"| `{name}`: {what} | {median:.3f} s | {statistics.median(cpus):.3f} s | "
            f"{rss:.0f} MiB | < {seconds:g} s, < {mebibytes:g} MiB {met} |"
        )


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        versions = subprocess.run(
            [str(BIN / "check-jsonschema"), "--version"], capture_output=True, text=True
        ).stdout.strip()
    except FileNotFoundError:  # only the named cases run without it
        versions = "no check-jsonschema"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ours = subprocess.run([str(BIN / "pcplan"), "--version"], capture_output=True, text=True)
    return (
        f"Machine: {platform.system()} {platform.machine()}, {cores} cores ({model}), "
        f"Python {platform.python_version()}; {versions}; {ours.stdout.strip()}."
    )


if __name__ == "__main__":
    main()
