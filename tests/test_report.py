"""`pcplan report`: the static site, read as HTML without a browser (SPEC §10)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest

from pcplan.report import render_visit
from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML, build_tree, iter_files, run

EXAMPLE = Path(__file__).resolve().parent.parent / "challenges"

HOSTILE = "<script>alert('x')</script> & \"Quoted\" <b>bold</b>"


class Page(HTMLParser):
    """The headings, the text and the tags of one page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.chunks: list[str] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        href = dict(attrs).get("href")
        if href is not None:
            self.links.append(href)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def pages(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
        for path in iter_files(site)
    }


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("site") / "site"
    result = run("report", "--out", out, "--as-of", AS_OF, directory=EXAMPLE)
    assert result.exit_code == 0, result
    return pages(out)


def test_the_site_has_every_page(example_site: dict[str, str]) -> None:
    challenges = sorted(path.stem for path in EXAMPLE.rglob("round-*/*.yaml"))
    assert sorted(example_site) == sorted(
        ["index.html", "due.html", "timebank.html", "people.html"]
        + [f"challenges/{name}.html" for name in challenges]
    )
    index = Page(example_site["index.html"])
    for name in challenges:
        assert f"challenges/{name}.html" in index.links


def test_every_page_has_one_h1_and_headings_in_order(example_site: dict[str, str]) -> None:
    for name, html in example_site.items():
        levels = Page(html).headings
        assert levels.count(1) == 1 and levels[0] == 1, name
        for before, after in pairwise(levels):
            assert after <= before + 1, (name, levels)


def test_no_page_names_an_absolute_url(example_site: dict[str, str]) -> None:
    for name, html in example_site.items():
        assert "http://" not in html and "https://" not in html, name
        assert "//" not in " ".join(Page(html).links), name


def test_statuses_are_words_and_svgs_are_labelled(example_site: dict[str, str]) -> None:
    index = example_site["index.html"]
    assert re.search(r'<svg role="img"[^>]*aria-label="Timeline', index)
    assert '<title id="timeline-title">' in index
    assert ">overdue<" in index  # medway's response document, as a word, not only red
    bank = example_site["timebank.html"]
    assert re.search(r'<svg role="img"[^>]*aria-label="Time-bank', bank)
    page = Page(example_site["challenges/medway-2026-06.html"])
    assert "Response document response_document" in page.text
    assert "overdue" in page.text
    for html in example_site.values():
        assert "<th>" not in html  # every header cell says its scope


def test_the_challenge_page_shows_the_team_verdict_and_what_is_still_needed(
    example_site: dict[str, str],
) -> None:
    text = Page(example_site["challenges/east-sussex-2026-12.html"]).text
    assert "Meets the composition rules ; 3 of 4 confirmed." in text
    assert "Still needed the host DCS's answer on Saoirse Wendover (¶22)" in text
    assert "team.unconfirmed" in text  # the findings
    assert "Welcome and the self-assessment in outline" in text  # the visit timetable


def test_the_people_page_says_who_is_in_what(example_site: dict[str, str]) -> None:
    text = Page(example_site["people.html"]).text
    assert "Saoirse Wendover" in text
    assert "east-sussex-2026-12 (East Sussex County Council) visiting practitioner nominated" in (
        text
    )


def test_a_team_short_of_people_says_who_is_missing(tmp_path: Path) -> None:
    short = CHALLENGE_YAML.split("  - name: Lee Chen")[0]  # the lead and the AD only
    directory = build_tree(
        tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, "kent-2027-06.yaml": short}
    )
    out = tmp_path / "site"
    assert run("report", "--out", out, "--as-of", AS_OF, directory=directory).exit_code == 0
    text = Page((out / "challenges" / "kent-2027-06.html").read_text(encoding="utf-8")).text
    assert "Does not meet the composition rules (2 problems) ;" in text
    assert "two team leaders/practitioners" in text
    assert "the host DCS's answer on Pat Quinn (¶22)" in text


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        assert run("report", "--out", out, "--as-of", AS_OF, directory=EXAMPLE).exit_code == 0
    assert pages(first) == pages(second)
    again = run("report", "--out", first, "--as-of", AS_OF, directory=EXAMPLE)
    assert "(0 changed)" in again.stderr


def test_markup_in_the_data_is_shown_as_text_on_every_page(tmp_path: Path) -> None:
    quoted = "'" + HOSTILE.replace("'", "''") + "'"
    programme = PROGRAMME_YAML.replace("name: Test programme", f"name: {quoted}")
    programme = programme.replace("Kent County Council", "Kent <i>&amp; County")
    challenge = (
        CHALLENGE_YAML.replace("Alex Morgan", "Alex <em>Morgan</em>")
        .replace("Early help and the front door", quoted)
        .replace("Jo Rivers", 'Jo "Rivers" & <script>x</script>')
        .replace(
            "  dcs: Alex <em>Morgan</em>\n",
            "  dcs: Alex <em>Morgan</em>\n  project_manager: '<b>PM</b>'\n",
        )
    )
    challenge += "scope: \"<img src=x onerror=alert(1)> & 'scope'\"\n"
    directory = build_tree(
        tmp_path / "challenges", {"programme.yaml": programme, "kent-2027-06.yaml": challenge}
    )
    assert run("check", "--as-of", AS_OF, directory=directory).exit_code == 0
    out = tmp_path / "site"
    assert run("report", "--out", out, "--as-of", AS_OF, directory=directory).exit_code == 0
    site = pages(out)
    shown = {
        "index.html": [HOSTILE, "Kent <i>&amp; County"],
        "challenges/kent-2027-06.html": [
            HOSTILE,
            "Alex <em>Morgan</em>",
            "<b>PM</b>",
            'Jo "Rivers" & <script>x</script>',
            "<img src=x onerror=alert(1)> & 'scope'",
        ],
        "people.html": ["Alex <em>Morgan</em>", 'Jo "Rivers" & <script>x</script>'],
        "timebank.html": ["Kent <i>&amp; County"],
        "due.html": [HOSTILE],
    }
    for name, html in site.items():
        page = Page(html)
        assert set(page.tags).isdisjoint({"script", "b", "i", "em", "img"}), name
        assert HOSTILE in page.text, name  # the programme's name, in every page's header
        for text in shown.get(name, []):
            assert text in page.text, (name, text)


def test_the_visit_partial_renders_a_timetable_and_reading_from_plain_dicts() -> None:
    visit = {
        "base": "Room 2.14 <County Hall>",
        "accommodation": None,
        "staff_briefed": "2027-02-24",
        "days": [
            {
                "day": 1,
                "date": "2027-03-10",
                "date_text": "Wed 10 Mar 2027",
                "sessions": [
                    {
                        "start": "09:00",
                        "end": "09:45",
                        "kind": "briefing",
                        "title": "Welcome & <b>coffee</b>",
                        "visitors": "all",
                        "with": ["host DCS", "senior leadership team"],
                        "where": "Council chamber",
                        "consent": None,
                    },
                    {
                        "start": "10:00",
                        "end": "11:30",
                        "kind": "work_seen",
                        "title": "Case file audit",
                        "visitors": ["Jo Rivers", "Sam Lee"],
                        "with": [],
                        "where": None,
                        "consent": {"needed": True, "obtained": None},
                    },
                ],
            },
            {"day": 2, "date": "2027-03-11", "sessions": []},
        ],
    }
    reading = {
        "pack": [
            {"title": "Self-assessment summary", "kind": "self_assessment", "pages": 12},
            {"title": "Early help scorecard", "kind": "evidence", "pages": 6},
        ],
        "pages": 18,
        "requests": [{"what": "Front-door audit", "by": "Jo Rivers", "asked": "2027-03-01"}],
    }
    page = Page(render_visit(visit, reading))
    text = page.text
    assert page.headings == [2, 3, 3, 2, 3, 3]
    assert "Team's base Room 2.14 <County Hall> Staff briefed 2027-02-24" in text
    assert "Day 1: Wed 10 Mar 2027" in text and "Day 2: 2027-03-11" in text
    assert "09:00–09:45 briefing Welcome & <b>coffee</b> all host DCS, senior leadership team" in (
        text
    )
    assert "10:00–11:30 work seen Case file audit Jo Rivers, Sam Lee" in text
    assert "needed, not yet obtained" in text
    assert "Self-assessment summary self assessment 12" in text and "Total 18" in text
    assert "Front-door audit Jo Rivers 2027-03-01 not sent yet" in text
    assert "b" not in page.tags
    empty = Page(render_visit(None, None)).text
    assert "No timetable recorded yet." in empty and "No reading recorded yet." in empty


def test_report_writes_site_in_the_current_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("report", "--as-of", AS_OF, directory=EXAMPLE)
    assert result.exit_code == 0, result
    assert (tmp_path / "site" / "index.html").is_file()
    assert "wrote site/index.html: 17 pages" in result.stderr


def test_report_refuses_a_symlinked_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "site"
    link.symlink_to(real)
    result = run("report", "--out", link, "--as-of", AS_OF, directory=EXAMPLE)
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert list(real.iterdir()) == []
    (tmp_path / "file").write_text("x")
    result = run("report", "--out", tmp_path / "file", "--as-of", AS_OF, directory=EXAMPLE)
    assert result.exit_code == 1 and "not a folder" in result.stderr


def test_report_refuses_a_symlinked_page(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    target = tmp_path / "elsewhere.html"
    target.write_text("mine")
    (out / "due.html").symlink_to(target)
    result = run("report", "--out", out, "--as-of", AS_OF, directory=EXAMPLE)
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert target.read_text() == "mine"


def test_visit_data_reads_a_challenges_visit_in_day_and_time_order() -> None:
    from pcplan.models import Challenge, validate_challenge
    from pcplan.report import reading_data, visit_data
    from pcplan.yamlio import decode, parse

    text = CHALLENGE_YAML + (
        "visit:\n"
        "  base: Room 2.14\n"
        "  sessions:\n"
        "    - {day: 2, start: '09:00', end: '10:00', kind: feedback, title: B}\n"
        "    - {day: 1, start: '11:00', end: '12:00', kind: interview, title: C}\n"
        "    - {day: 1, start: '09:00', end: '09:45', kind: briefing, title: A}\n"
        "reading:\n"
        "  pack:\n"
        "    - {title: SA, kind: self_assessment, pages: 12}\n"
    )
    challenge = validate_challenge(parse(decode(Path("x.yaml"), text.encode())).data)
    assert isinstance(challenge, Challenge)
    visit = visit_data(challenge)
    assert visit is not None and visit["base"] == "Room 2.14"
    assert [(d["day"], d["date"]) for d in visit["days"]] == [(1, "2027-06-09"), (2, "2027-06-10")]
    assert [s["title"] for d in visit["days"] for s in d["sessions"]] == ["A", "C", "B"]
    assert reading_data(challenge) == {
        "pack": [{"title": "SA", "kind": "self_assessment", "pages": 12}],
        "pages": 12,
        "requests": [],
    }
    bare = validate_challenge(parse(decode(Path("x.yaml"), CHALLENGE_YAML.encode())).data)
    assert isinstance(bare, Challenge) and visit_data(bare) is None


def test_the_stylesheet_is_inlined_unescaped(example_site: dict[str, str]) -> None:
    for html in example_site.values():
        style = html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert "&#" not in style and "&quot;" not in style
        assert "@media print" in style and "size: A4" in style


def test_pages_do_not_depend_on_where_the_programme_is(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "elsewhere" / "challenges"
    shutil.copytree(EXAMPLE, copy)
    sites = []
    for directory, out in ((EXAMPLE, tmp_path / "one"), (copy, tmp_path / "two")):
        assert run("report", "--out", out, "--as-of", AS_OF, directory=directory).exit_code == 0
        sites.append(pages(out))
    assert sites[0] == sites[1]
    assert (
        "<code>round-09/east-sussex-2026-12.yaml</code>"
        in (sites[0]["challenges/east-sussex-2026-12.html"])
    )


def test_every_template_is_package_data() -> None:
    """A non-editable install carries the templates (pyproject's package-data)."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["pcplan"]
    templates = root / "src" / "pcplan" / "templates"
    files = [p.relative_to(templates.parent).as_posix() for p in templates.iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files)


def test_a_programme_without_challenges_or_with_a_broken_programme_yaml(tmp_path: Path) -> None:
    empty = build_tree(tmp_path / "empty", {"programme.yaml": PROGRAMME_YAML})
    result = run("report", "--out", tmp_path / "one", "--as-of", AS_OF, directory=empty)
    assert result.exit_code == 0, result
    assert "No challenges." in Page((tmp_path / "one" / "index.html").read_text()).text
    broken = build_tree(
        tmp_path / "broken",
        {"programme.yaml": "name: [oops\n", "kent-2027-06.yaml": CHALLENGE_YAML},
    )
    result = run("report", "--out", tmp_path / "two", "--as-of", AS_OF, directory=broken)
    assert result.exit_code == 0, result
    assert "programme.yaml cannot be read" in result.stderr
    index = Page((tmp_path / "two" / "index.html").read_text()).text
    assert "programme.yaml cannot be read" in index and "kent-2027-06" in index
    assert (tmp_path / "two" / "challenges" / "kent-2027-06.html").is_file()
