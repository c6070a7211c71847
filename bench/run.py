"""Time `pcplan check` against check-jsonschema on the same files, side by side (SPEC §7).

    python bench/run.py                 # 40, 1,000 and 10,000 files
    python bench/run.py --sizes 40 1000 --repeat 7

For each size it generates a realistic valid programme (bench/generate.py) under
bench/work/, then runs, alternating in one loop,

    pcplan --dir bench/work/pN check --as-of 2026-11-25
    check-jsonschema --schemafile schemas/challenge.schema.json bench/work/pN/**/*.yaml

and reports median wall times, the ratio, and peak memory (measured in separate,
untimed runs, so that watching memory does not slow the timed ones). It also
times `pcplan --version` and, at 1,000 files, `pcplan status` and `pcplan due`, and
`pcplan report` on the example programme and on 1,000 files (`--report-only`: just that).

Then the named cases, pcplan alone, each with its median time and peak memory:

    unknown-keys   one 1 MiB file holding 100,000 unknown keys (target: < 2 s, < 150 MiB)

    python bench/run.py --sizes --cases unknown-keys   # the cases only (no check-jsonschema)

Results go to stdout as Markdown (paste them into docs/performance.md).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[40, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument(
        "--report-only", action="store_true", help="time only `pcplan report` (SPEC §10)"
    )
    arguments = parser.parse_args()
    if arguments.report_only:
        report_times(arguments.repeat)
        return
    if not arguments.sizes:
        print(machine())
        print()
        run_cases(arguments.cases, arguments.repeat)
        return

    pcplan = str(BIN / "pcplan")
    cjs = str(BIN / "check-jsonschema")
    schema = str(ROOT / "schemas" / "challenge.schema.json")
    subprocess.run(
        [pcplan, "--dir", str(ROOT / "challenges"), "check"], check=False, stdout=subprocess.DEVNULL
    )  # warm the bank-holiday cache, as any second run has

    print(machine())
    print()
    print(
        "| files | pcplan check (median) | check-jsonschema (median) | ratio | "
        "pcplan peak memory: largest process / whole run | check-jsonschema peak |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    medians: dict[int, float] = {}
    for size in arguments.sizes:
        directory, files = programme(size)
        ours = [pcplan, "--dir", str(directory), "check", "--as-of", AS_OF]
        theirs = [cjs, "--schemafile", schema, *map(str, files)]
        repeat = arguments.repeat if size < 5000 else max(3, arguments.repeat // 2)
        times: dict[str, list[float]] = {"ours": [], "theirs": []}
        wall_time(ours)  # one warm-up each: file cache, .pyc files
        wall_time(theirs)
        for _ in range(repeat):
            times["ours"].append(wall_time(ours))
            times["theirs"].append(wall_time(theirs))
        a, b = statistics.median(times["ours"]), statistics.median(times["theirs"])
        medians[size] = a
        rss, tree = peak_memory(ours)
        _, their_tree = peak_memory(theirs)
        print(
            f"| {size:,} | {a:.3f} s | {b:.3f} s | {a / b:.2f} | "
            f"{rss:.0f} / {tree:.0f} MiB | {their_tree:.0f} MiB |"
        )
    if 1000 in medians and 10000 in medians:
        print(f"\n10,000 / 1,000 files: {medians[10000] / medians[1000]:.1f}× the time.")

    print()
    version = [wall_time([pcplan, "--version"]) for _ in range(max(arguments.repeat, 11))]
    print(
        f"`pcplan --version`: median {statistics.median(version) * 1000:.0f} ms "
        f"over {len(version)} runs."
    )
    if 1000 in arguments.sizes:
        directory, _ = programme(1000)
        for command in ("status", "due"):
            runs = [
                wall_time([pcplan, "--dir", str(directory), command, "--as-of", AS_OF])
                for _ in range(arguments.repeat)
            ]
            print(f"`pcplan {command}`, 1,000 files: median {statistics.median(runs):.3f} s.")
        report_times(arguments.repeat)
    print()
    run_cases(arguments.cases, arguments.repeat)


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
    """Each named case: `pcplan check --format json` (exit 1: the case has errors).

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
        command += ["--as-of", AS_OF]
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
