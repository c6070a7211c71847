"""The progress bar: on a terminal once loading passes a second, never when piped."""

from __future__ import annotations

import io

import pytest

from pcplan.cli.runtime import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_bar_in_the_first_second() -> None:
    clock, stream = Clock(), Terminal()
    progress = Progress(stream, clock)
    clock.now += 0.5
    progress(10, 1000)
    assert not progress.shown
    assert stream.getvalue() == ""


def test_a_bar_once_loading_passes_a_second_then_it_clears() -> None:
    clock, stream = Clock(), Terminal()
    progress = Progress(stream, clock)
    clock.now += 1.5
    progress(300, 1000)
    assert progress.shown
    progress(1000, 1000)
    assert not progress.shown
    assert "Reading challenges" in stream.getvalue()


def test_no_bar_when_piped() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, clock)
    clock.now += 5
    progress(300, 1000)
    assert not progress.shown
    assert stream.getvalue() == ""


def test_no_bar_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    clock, stream = Clock(), Terminal()
    progress = Progress(stream, clock)
    clock.now += 5
    progress(300, 1000)
    assert not progress.shown
    assert stream.getvalue() == ""
