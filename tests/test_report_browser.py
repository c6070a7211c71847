"""`pcplan report` in a real headless browser: the operating system's Chromium, by Playwright.

Skipped only when there is no Chromium binary (`.ci/run` installs the Debian package);
the browser is never downloaded. Set PCPLAN_SHOTS_DIR to keep copies of the screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, run

EXAMPLE = Path(__file__).resolve().parent.parent / "challenges"


def _chromium() -> str | None:
    for candidate in (os.environ.get("PCPLAN_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


CHROMIUM = _chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)"),
]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Visit:
    """A browser page that records console errors, page errors and every request."""

    def __init__(self, context: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, url: str) -> Any:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        return self.page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    result = run("report", "--out", out, "--as-of", AS_OF, directory=EXAMPLE)
    assert result.exit_code == 0, result
    return out


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        outside: list[str] = []

        def guard(route: Any) -> None:  # nothing may leave file://; refuse it if it tries
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        try:
            yield context
        finally:
            context.close()
            browser.close()
        assert outside == []


@pytest.fixture
def visit(context: Any) -> Iterator[Visit]:
    visit = Visit(context)
    yield visit
    visit.page.close()
    assert visit.errors == []
    assert [url for url in visit.requests if not url.startswith("file://")] == []


def test_every_challenge_has_a_page_reachable_from_the_index(site: Path, visit: Visit) -> None:
    page = visit.open(site.joinpath("index.html").as_uri())
    links = page.eval_on_selector_all(
        "table th[scope=row] a", "anchors => anchors.map(a => [a.textContent, a.href])"
    )
    challenges = sorted(path.stem for path in EXAMPLE.rglob("round-*/*.yaml"))
    assert sorted(text for text, _ in links) == challenges
    for challenge, href in links:
        assert href.startswith("file://")
        page = visit.open(href)
        assert page.inner_text("h1").startswith(f"{challenge}: ")
        assert page.locator("#schedule").count() == 1
    page = visit.open(site.joinpath("index.html").as_uri())
    page.click(f"text={challenges[0]}")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/challenges/{challenges[0]}.html")
    for name in ("Due", "Time-bank", "People", "Status"):
        page.click(f"nav >> text={name}")
        page.wait_for_load_state("load")
        assert page.locator("h1").count() == 1
    assert len(visit.requests) >= len(challenges) + 6


def test_the_due_page_lists_exactly_what_due_says(site: Path, visit: Visit) -> None:
    expected = run(
        "due", "--format", "json", "--within", "14d", "--as-of", AS_OF, directory=EXAMPLE
    ).json()
    assert expected  # the example programme has something due on AS_OF
    page = visit.open(site.joinpath("due.html").as_uri())
    shown = page.eval_on_selector_all(
        "#due tr.item",
        """rows => rows.map(row => ({
            id: row.querySelector('.challenge').innerText.trim(),
            step: row.querySelector('.step').innerText.trim(),
            title: row.querySelector('.title').innerText.trim(),
            due: row.querySelector('.due time').getAttribute('datetime'),
            status: row.querySelector('.status').innerText.trim().replaceAll(' ', '_'),
        }))""",
    )
    assert shown == expected
    weeks = page.locator("#due tr.week").all_inner_texts()
    assert weeks and all(week.startswith("Week commencing ") for week in weeks)


def test_the_other_pages_open_without_errors(site: Path, visit: Visit) -> None:
    for name in ("timebank.html", "people.html"):
        page = visit.open(site.joinpath(name).as_uri())
        assert page.locator("h1").count() == 1
    assert page.locator("svg[role=img]").count() == 0  # people: a table only
    page = visit.open(site.joinpath("timebank.html").as_uri())
    assert (
        page.locator("svg[role=img] title").first.text_content() == "Time-bank balance by authority"
    )


def test_screenshots_of_the_index_and_a_challenge(site: Path, visit: Visit, tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    page = visit.open(site.joinpath("index.html").as_uri())
    assert page.viewport_size == {"width": 1280, "height": 900}
    box = page.locator("svg[role=img]").bounding_box()
    assert box is not None and box["width"] > 600  # the timeline is drawn, not collapsed
    page.screenshot(path=str(shots / "index-1280x900.png"))
    page.screenshot(path=str(shots / "index-full.png"), full_page=True)
    page.pdf(path=str(shots / "index-a4.pdf"), format="A4")
    page = visit.open(site.joinpath("challenges", "east-sussex-2026-12.html").as_uri())
    page.screenshot(path=str(shots / "east-sussex-2026-12.png"), full_page=True)
    for shot in shots.iterdir():
        assert shot.stat().st_size > 10_000, shot
    keep = os.environ.get("PCPLAN_SHOTS_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in sorted(shots.iterdir()):
            shutil.copy2(shot, Path(keep) / shot.name)
