"""The parse floor: only read the challenge files and parse them with the C YAML parser.

    python bench/floor.py DIR              # one process
    python bench/floor.py --jobs 2 DIR     # one process per core (forked workers)
    python bench/floor.py --events DIR     # events only: a stricter reference

It reads every ``*.yaml`` below DIR but programme.yaml (as pcplan's walk does),
decodes it and parses it with libyaml through ``ruamel.yaml.clib`` (the parser pcplan
itself uses) into a tree of nodes with their positions, as a YAML library's
``compose`` does (``CSafeLoader(text).get_single_node()``: composed in C, each plain
scalar's tag resolved in Python), building no data: no validation, no rules, no
output. That is what "reading and C-parsing the same files" gives a program (a parse it
can look anything up in), as a whole process (Python start-up and the import of the C
parser included), and bench/run.py shows every pcplan figure against it.

It is the floor issue 15's figures were measured against: timed here side by side,
the code that issue was filed against is 1.75× this floor at 10,000 files on two
processes (the issue says 1.4×), and 3.3× the stricter ``--events`` floor.

``--events`` stops a step earlier: it only takes libyaml's events one by one
(``CParser.get_event``), building nothing at all, not even nodes. Less than any YAML
checker must do, it is shown beside the parse floor for reference.

(ruamel.yaml's C *safe loader*, which also builds the data, would be no floor: its
constructor is Python, and it takes about 1.9 ms a file here, more than a whole
`pcplan check` per file.)
"""

from __future__ import annotations

import argparse
import os
import sys


def files_under(root: str) -> list[str]:
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in names:
            wanted = name.endswith((".yaml", ".yml")) and not name.startswith(".")
            if wanted and not (name == "programme.yaml" and folder == root):
                found.append(os.path.join(folder, name))
    return sorted(found)


def events(paths: list[str]) -> int:
    from _ruamel_yaml import CParser

    count = 0
    for path in paths:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        next_event = CParser(text).get_event
        while next_event() is not None:
            count += 1
    return count


def compose(paths: list[str]) -> int:
    from ruamel.yaml.cyaml import CSafeLoader

    documents = 0
    for path in paths:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        documents += CSafeLoader(text).get_single_node() is not None
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--events", action="store_true", help="only take the parser's events, composing nothing"
    )
    arguments = parser.parse_args()
    paths = files_under(arguments.directory)
    work = events if arguments.events else compose
    if arguments.jobs <= 1:
        keys = work(paths)
    else:
        import multiprocessing

        size = max(1, min(100, len(paths) // arguments.jobs))
        chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
        with multiprocessing.get_context("fork").Pool(arguments.jobs) as pool:
            keys = sum(pool.imap_unordered(work, chunks))
    unit = "events" if arguments.events else "documents"
    sys.stdout.write(f"{len(paths)} files, {keys} {unit}\n")


if __name__ == "__main__":
    main()
