"""Which files of a programme directory are challenges, and in what order (pcplan.directory)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pcplan.directory import open_programme_dir, walk_challenges

NAMES = [
    "a",
    "a-b",
    "a.yaml",
    "b.yml",
    "B.yaml",
    "z",
    ".hidden",
    ".h.yaml",
    "programme.yaml",
    "x.txt",
]


def oracle(root: Path) -> list[Path]:
    """The challenge files as SPEC §2 words it, sorted as paths sort: every ``*.yaml`` and
    ``*.yml`` below the directory, but programme.yaml at its top and anything hidden."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            wanted = name.endswith((".yaml", ".yml")) and not name.startswith(".")
            if wanted and not (Path(folder) == root and name == "programme.yaml"):
                found.append(Path(folder) / name)
    return sorted(found, key=lambda path: path.parts)


@settings(deadline=None)
@example(tree=[([], "B.yaml"), ([], "a.yaml"), (["a"], "b.yml"), (["a-b"], "a.yaml")])
@given(
    tree=st.lists(
        st.tuples(st.lists(st.sampled_from(NAMES), min_size=0, max_size=3), st.sampled_from(NAMES)),
        max_size=12,
    )
)
def test_the_walk_finds_the_challenge_files_in_path_order(
    tree: list[tuple[list[str], str]],
) -> None:
    with tempfile.TemporaryDirectory() as top:
        root = Path(top) / "challenges"
        root.mkdir()
        (root / "programme.yaml").write_text("name: x\n")
        for folders, name in tree:
            folder = root.joinpath(*folders)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).touch()
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                continue  # (a name already taken by a file or a folder)
        found, unreadable = walk_challenges(open_programme_dir(root))
        assert [Path(path) for path in found] == oracle(root)
        assert [str(Path(path)) for path in found] == found  # (as a Path shows it)
        assert unreadable == []


def test_a_linked_folder_is_not_walked_and_a_linked_file_is_a_challenge(tmp_path: Path) -> None:
    root = tmp_path / "challenges"
    (root / "round-1").mkdir(parents=True)
    (root / "programme.yaml").write_text("name: x\n")
    (root / "round-1" / "kent.yaml").write_text("id: kent\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "surrey.yaml").write_text("id: surrey\n")
    (root / "linked").symlink_to(elsewhere)
    (root / "round-1" / "medway.yaml").symlink_to(elsewhere / "surrey.yaml")
    found, _ = walk_challenges(open_programme_dir(root))
    assert found == [str(root / "round-1" / "kent.yaml"), str(root / "round-1" / "medway.yaml")]


@pytest.mark.parametrize("named", [".", "challenges", "challenges/", "./challenges"])
def test_the_walks_paths_show_as_the_directory_was_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    root = tmp_path / "challenges"
    (root / "round-1").mkdir(parents=True)
    (root / "programme.yaml").write_text("name: x\n")
    (root / "round-1" / "kent.yaml").write_text("id: kent\n")
    monkeypatch.chdir(root if named == "." else tmp_path)
    directory = open_programme_dir(named)
    (found,) = walk_challenges(directory)[0]
    assert found == str(directory.root / "round-1" / "kent.yaml")
    assert directory.display(found) == directory.display(Path(found))
    shown = "" if named == "." else named.rstrip("/") + "/"  # (as the user named it)
    assert directory.display(found) == f"{shown}round-1/kent.yaml"


def test_a_thousand_nested_folders_are_walked_without_running_out_of_stack(
    tmp_path: Path,
) -> None:
    """The walk keeps its own stack: nesting deeper than Python's recursion limit is
    walked like any other tree, in path order, and nothing is lost on the way back up."""
    root = tmp_path / "challenges"
    root.mkdir()
    (root / "programme.yaml").write_text("name: x\n")
    (root / "a.yaml").touch()
    (root / "z.yaml").touch()
    folders = [root]
    try:
        for depth in range(1_100):
            folders.append(folders[-1] / "d")
            folders[-1].mkdir()
            if depth == 500:
                (folders[-1] / "middle.yaml").touch()
        (folders[-1] / "deepest.yaml").touch()
        found, unreadable = walk_challenges(open_programme_dir(root))
        # (os.walk, which the oracle uses, recurses itself before Python 3.12.)
        assert found == [
            f"{root}/a.yaml",
            f"{root}/{'d/' * 1_100}deepest.yaml",  # (in path order: d/… before middle.yaml)
            f"{root}/{'d/' * 501}middle.yaml",
            f"{root}/z.yaml",
        ]
        assert unreadable == []
    finally:  # (bottom up: removing the tree recursively would run out of stack too)
        for folder in reversed(folders[1:]):
            for leftover in folder.iterdir():
                if not leftover.is_dir():
                    leftover.unlink()
            folder.rmdir()
