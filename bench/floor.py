"""The parse floor: only read and parse the challenge files, with the C YAML loader.

    python bench/floor.py DIR              # one process
    python bench/floor.py --jobs 2 DIR     # one process per core (forked workers)

It reads every ``*.yaml`` below DIR but programme.yaml (as pcplan's walk does),
decodes it and runs libyaml's parser over it through ``ruamel.yaml.clib``
(``_ruamel_yaml.CParser``, the parser pcplan itself uses), taking every event and
building nothing: no data, no validation, no rules, no output. That is the least any
YAML checker must do, as a whole process (Python start-up and the import of the C
parser included), and bench/run.py shows every pcplan figure against it.

(ruamel.yaml's C *safe loader* would be no floor: its constructor is Python, and it
takes about 1.9 ms a file here, more than a whole `pcplan check` per file.)

    python bench/floor.py --compose DIR    # also compose each document's nodes

``--compose`` goes one step further, as a YAML library's ``compose`` does: libyaml's events
become a tree of nodes with their positions (``CSafeLoader(text).get_single_node()``:
composed in C, each plain scalar's tag resolved in Python), still building no data. It is
shown beside the strict floor, for reference: the figures issue 15 gives for the code it was
filed against (0.14 s for 40 files; `check` at 10,000 files 1.4× the floor on two
processes) are nearer this floor than the strict one.
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


def parse(paths: list[str]) -> int:
    from _ruamel_yaml import CParser

    events = 0
    for path in paths:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        next_event = CParser(text).get_event
        while next_event() is not None:
            events += 1
    return events


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
    parser.add_argument("--compose", action="store_true", help="compose each document's nodes")
    arguments = parser.parse_args()
    paths = files_under(arguments.directory)
    work = compose if arguments.compose else parse
    if arguments.jobs <= 1:
        keys = work(paths)
    else:
        import multiprocessing

        size = max(1, min(100, len(paths) // arguments.jobs))
        chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
        with multiprocessing.get_context("fork").Pool(arguments.jobs) as pool:
            keys = sum(pool.imap_unordered(work, chunks))
    unit = "documents" if arguments.compose else "events"
    sys.stdout.write(f"{len(paths)} files, {keys} {unit}\n")


if __name__ == "__main__":
    main()
