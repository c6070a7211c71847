"""The programme as a static web site (SPEC §10): page data, rendering and writing.

:func:`build_site` turns an :class:`~pcplan.checker.Analysis` into ``{relative path:
bytes}``: plain dicts and lists rendered by the Jinja2 templates in
``pcplan/templates`` (autoescaping on, so data never becomes markup). Nothing here
reads the clock: the pages depend only on the programme and ``as_of``, so the same
input gives the same bytes. :func:`write_site` writes the pages under a directory.
"""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from dateutil.relativedelta import relativedelta

from pcplan import __version__
from pcplan.checker import Analysis
from pcplan.dates import show_date, show_span, week_commencing
from pcplan.errors import WriteRefused
from pcplan.models import Challenge, Programme
from pcplan.overview import (
    confirmed_count,
    due_items,
    people_to_chase,
    phase,
    status_rows,
    timebank,
)
from pcplan.rules import ChallengeContext
from pcplan.rules.team import TEAM_SIZE, composition_rules, core_members, still_needed

DUE_WITHIN = relativedelta(days=14)  # due.html is exactly `due --within 14d`

COMPOSITION_RULES = composition_rules()

STATUS_WORDS = {
    "done": "done",
    "overdue": "overdue",
    "due_soon": "due soon",
    "open": "open",
    "upcoming": "upcoming",
    "not_applicable": "not applicable",
    "unrecorded": "unrecorded",
}

# The timeline's drawing area (SVG user units).
TIMELINE_LEFT = 190
TIMELINE_WIDTH = 980
TIMELINE_ROW = 22


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _words(text: str) -> str:
    return text.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Page:
    """One challenge's page: its context and its file name under ``challenges/``."""

    ctx: ChallengeContext
    name: str

    @property
    def href(self) -> str:
        return f"challenges/{self.name}"


def _pages(contexts: Iterable[ChallengeContext]) -> dict[str, Page]:
    """A page per challenge by display name; a duplicate id gets ``<id>~2.html`` and so on."""
    ordered = sorted(
        contexts, key=lambda c: (c.challenge.fieldwork.start, c.challenge.id, c.display)
    )
    seen: dict[str, int] = defaultdict(int)
    pages = {}
    for ctx in sorted(ordered, key=lambda c: (c.challenge.id, c.display)):
        seen[ctx.challenge.id] += 1
        count = seen[ctx.challenge.id]
        suffix = "" if count == 1 else f"~{count}"
        pages[ctx.display] = Page(ctx, f"{ctx.challenge.id}{suffix}.html")
    return {ctx.display: pages[ctx.display] for ctx in ordered}


def in_programme(analysis: Analysis, display: str) -> str:
    """A file's path relative to the programme directory, whatever --dir was given as.

    The pages then read the same wherever the programme is checked out.
    """
    root = posixpath.dirname(analysis.programme_file.display.replace(os.sep, "/"))
    path = display.replace(os.sep, "/")
    if root and path.startswith(root + "/"):
        return path[len(root) + 1 :]
    return path


def _authority(programme: Programme | None, slug: str) -> str:
    if programme is None:
        return slug
    return programme.employer_name(slug) or slug


# ----------------------------------------------------------------------------- pages' data


def status_data(analysis: Analysis, pages: Mapping[str, Page]) -> list[dict[str, Any]]:
    programme = analysis.programme
    rows = []
    for row in status_rows(analysis.at_a_glance(), analysis):
        upcoming = row.next_step
        rows.append(
            {
                **row.as_json(),
                "href": pages[row.display].href,
                "host_name": _authority(programme, row.host),
                "fieldwork_text": show_span(row.start, row.end),
                "next_title": upcoming.step.title if upcoming else None,
                "next_status": upcoming.status if upcoming else None,
                "next_due_text": show_date(upcoming.due) if upcoming and upcoming.due else None,
                "next_opens_text": (
                    show_date(upcoming.opens) if upcoming and upcoming.opens else None
                ),
            }
        )
    return rows


def _bar(kind: str, first: date, last: date, note: str = "") -> dict[str, Any]:
    return {"kind": kind, "first": first, "last": max(first, last), "note": note}


def timeline_bars(ctx: ChallengeContext) -> list[dict[str, Any]]:
    """Planning window (F−18w to F), fieldwork, response and, if opted in, review."""
    challenge, schedule = ctx.challenge, ctx.schedule
    start, end = challenge.fieldwork.start, max(challenge.fieldwork.end, challenge.fieldwork.start)
    openings = [s.opens for s in schedule.steps if s.opens and s.opens < start]
    bars = [_bar("planning", min(openings, default=start), start - timedelta(days=1))]
    bars.append(_bar("fieldwork", start, end))
    response = schedule["response_document"]
    if response.done is not None:
        bars.append(_bar("response", end, response.done, "done"))
    elif response.due is not None:
        bars.append(_bar("response", end, response.due, "due"))
    else:
        bars.append(_bar("response", end, end + timedelta(weeks=4), "no due date set"))
    review = schedule["impact_review"]
    if review.applicable and review.opens is not None:
        visit = schedule["impact_visit"]
        done = [d for d in (review.done, visit.done) if d is not None]
        last = max(done) if done else review.opens + timedelta(weeks=4)
        bars.append(_bar("review", review.opens, last, "done" if done else "from"))
    return bars


def timeline_data(
    pages: Mapping[str, Page], as_of: date, programme: Programme | None
) -> dict[str, Any]:
    """Every challenge's bars on one date axis, in SVG user units, with month ticks."""
    rows = [(page, timeline_bars(page.ctx)) for page in pages.values()]
    days = [as_of] + [d for _, bars in rows for bar in bars for d in (bar["first"], bar["last"])]
    first = min(days).replace(day=1)
    last_day = max(days)
    last = (last_day.replace(day=1) + relativedelta(months=1)) - timedelta(days=1)
    span = (last - first).days + 1
    scale: float = TIMELINE_WIDTH / span

    def x(day: date) -> float:
        return round(float(TIMELINE_LEFT + (day - first).days * scale), 1)

    def width(a: date, b: date) -> float:
        return round(max(float((b - a).days + 1) * scale, 3.0), 1)

    out_rows = []
    for index, (page, bars) in enumerate(rows):
        challenge = page.ctx.challenge
        y = 34 + index * TIMELINE_ROW
        out_bars = []
        for bar in bars:
            note = f", {bar['note']}" if bar["note"] else ""
            out_bars.append(
                {
                    "kind": bar["kind"],
                    "x": x(bar["first"]),
                    "width": width(bar["first"], bar["last"]),
                    "label": f"{challenge.id}: {bar['kind']} "
                    f"{show_span(bar['first'], bar['last'])}{note}",
                }
            )
        out_rows.append(
            {
                "id": challenge.id,
                "host_name": _authority(programme, challenge.host.authority),
                "href": page.href,
                "y": y,
                "bars": out_bars,
            }
        )
    ticks = []
    month = first
    while month <= last:
        ticks.append(
            {
                "x": x(month),
                "label": f"{month:%b}",
                "year": f"{month:%Y}" if month.month == 1 or month == first else "",
            }
        )
        month = month + relativedelta(months=1)
    height = 34 + len(rows) * TIMELINE_ROW + 10
    return {
        "rows": out_rows,
        "ticks": ticks,
        "as_of_x": x(as_of),
        "as_of_text": show_date(as_of),
        "first_text": show_date(first),
        "last_text": show_date(last),
        "height": height,
        "width": TIMELINE_LEFT + TIMELINE_WIDTH + 10,
        "left": TIMELINE_LEFT,
    }


def _member_rows(
    challenge: Challenge, programme: Programme | None, people: Mapping[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "name": member.name,
            "href": people.get(member.name, "people.html"),
            "employer": _authority(programme, member.employer),
            "role": "DCS" if member.role == "dcs" else _words(member.role),
            "lead": member.lead,
            "status": member.status,
        }
        for member in challenge.visiting_team
    ]


def team_verdict(challenge: Challenge, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The composition rules' results and what is still needed."""
    hits = {rule: [f for f in findings if f["rule"] == rule] for rule in COMPOSITION_RULES}
    results = []
    for rule in COMPOSITION_RULES:
        if not challenge.visiting_team:
            results.append({"rule": rule, "result": "n/a", "message": "no visiting team yet"})
            continue
        if not hits[rule]:
            results.append({"rule": rule, "result": "ok", "message": ""})
        for finding in hits[rule]:
            result = "waived" if finding["severity"] == "info" else finding["severity"]
            results.append({"rule": rule, "result": result, "message": finding["message"]})
    failing = [r for r in results if r["result"] in ("error", "warning")]
    if not challenge.visiting_team:
        verdict = "no visiting team yet"
    elif failing:
        verdict = f"does not meet the composition rules ({_plural(len(failing), 'problem')})"
    else:
        verdict = "meets the composition rules"
    return {
        "verdict": verdict,
        "ok": bool(challenge.visiting_team) and not failing,
        "results": results,
        "confirmed": confirmed_count(challenge),
        "size": TEAM_SIZE,
        "needed": [*still_needed(challenge), *_awaiting_answer(challenge)],
    }


def visit_data(challenge: Challenge) -> dict[str, Any] | None:
    """The visit timetable as plain dicts for ``_visit.html.j2`` (None without one).

    The days are exactly `pcplan visit --format json`'s (SPEC §9), each with its
    date in words, plus the team's base, the accommodation and the staff briefing.
    """
    from pcplan.render.visit import timetable_json
    from pcplan.timetable import slots

    visit = challenge.visit
    if not (visit.sessions or visit.base or visit.accommodation or visit.staff_briefed):
        return None
    days = cast(list[dict[str, Any]], timetable_json(challenge, slots(challenge))["days"])
    for day in days:
        day["date_text"] = show_date(date.fromisoformat(day["date"]))
    return {
        "base": visit.base,
        "accommodation": visit.accommodation,
        "staff_briefed": _iso(visit.staff_briefed),
        "days": days,
    }


def reading_data(challenge: Challenge) -> dict[str, Any] | None:
    """The reading pack and supplementary requests as plain dicts (None without any)."""
    reading = challenge.reading
    if not (reading.pack or reading.requests):
        return None
    pack = [{"title": i.title, "kind": i.kind, "pages": i.pages} for i in reading.pack]
    requests = [
        {"what": r.what, "by": r.by, "asked": _iso(r.asked), "sent": _iso(r.sent)}
        for r in reading.requests
    ]
    pages = sum(item.pages or 0 for item in reading.pack)
    return {"pack": pack, "pages": pages, "requests": requests}


def challenge_data(
    page: Page, analysis: Analysis, pages: Mapping[str, Page], people: Mapping[str, str]
) -> dict[str, Any]:
    ctx = page.ctx
    challenge, schedule = ctx.challenge, ctx.schedule
    programme = analysis.programme
    findings = [
        {
            "line": f.line,
            "column": f.column,
            "severity": f.severity,
            "rule": f.rule,
            "message": f.message,
        }
        for f in analysis.findings.get(ctx.display, [])
    ]
    steps = [
        {
            "number": entry.step.number,
            "key": entry.key,
            "title": entry.step.title,
            "who": entry.step.who,
            "opens": _iso(entry.opens),
            "opens_text": show_date(entry.opens) if entry.opens else "",
            "due": _iso(entry.due),
            "due_text": show_date(entry.due) if entry.due else "",
            "done": _iso(entry.done),
            "done_text": show_date(entry.done) if entry.done else "",
            "status": entry.status,
            "status_text": STATUS_WORDS[entry.status],
            "chase": ", ".join(people_to_chase(entry.step, challenge, programme)),
        }
        for entry in schedule.steps
    ]
    return {
        "id": challenge.id,
        "file": in_programme(analysis, ctx.display),
        "round": challenge.round,
        "topic": challenge.topic,
        "scope": challenge.scope,
        "host": challenge.host.authority,
        "host_name": _authority(programme, challenge.host.authority),
        "host_dcs": challenge.host.dcs,
        "project_manager": challenge.host.project_manager,
        "fieldwork": {
            "start": challenge.fieldwork.start.isoformat(),
            "end": _iso(challenge.fieldwork.end),
        },
        "fieldwork_text": show_span(challenge.fieldwork.start, challenge.fieldwork.end),
        "phase": phase(challenge, schedule),
        "steps": steps,
        "members": _member_rows(challenge, programme, people),
        "team": team_verdict(challenge, findings),
        "findings": findings,
        "visit": visit_data(challenge),
        "reading": reading_data(challenge),
        "people": people,
    }


def due_data(analysis: Analysis, as_of: date, pages: Mapping[str, Page]) -> dict[str, Any]:
    """Exactly the items of ``due --within 14d``, grouped by the week they fall due."""
    contexts = {ctx.display: ctx for ctx in analysis.contexts}
    items = due_items(analysis.contexts, as_of, DUE_WITHIN)
    this_week = week_commencing(as_of)
    weeks: list[dict[str, Any]] = []
    for item in items:
        monday = week_commencing(item.due)
        if not weeks or weeks[-1]["monday"] != monday.isoformat():
            label = (
                " (this week)"
                if monday == this_week
                else " (earlier)"
                if monday < this_week
                else ""
            )
            weeks.append(
                {
                    "monday": monday.isoformat(),
                    "title": f"Week commencing {show_date(monday)}{label}",
                    "items": [],
                }
            )
        ctx = contexts[item.display]
        status = item.entry.status
        detail = ""
        if status == "overdue":
            detail = f"by {_plural((as_of - item.due).days, 'day')}"
        weeks[-1]["items"].append(
            {
                **item.as_json(),
                "due_text": show_date(item.due),
                "href": pages[item.display].href,
                "who": ", ".join(
                    people_to_chase(item.entry.step, ctx.challenge, analysis.programme)
                )
                or item.entry.step.who,
                "detail": detail,
            }
        )
    return {
        "weeks": weeks,
        "count": len(items),
        "horizon_text": show_date(as_of + DUE_WITHIN),
    }


def timebank_data(analysis: Analysis) -> dict[str, Any]:
    rows = sorted(
        timebank(analysis.contexts, analysis.programme),
        key=lambda r: (-r.balance, r.name, r.authority),
    )
    extent = max([1, *(abs(row.balance) for row in rows)])
    half = 220.0
    label_width = 320  # room for the Royal Borough of Windsor and Maidenhead
    out = []
    for index, row in enumerate(rows):
        length = round(abs(row.balance) / extent * half, 1)
        zero = label_width + half
        out.append(
            {
                "slug": row.authority,
                "name": row.name,
                **row.as_json(),
                "balance_text": f"{row.balance:+d}" if row.balance else "0",
                "y": 20 + index * 22,
                "x": zero - length if row.balance < 0 else zero,
                "width": length,
                "sign": "negative" if row.balance < 0 else "positive",
            }
        )
    return {
        "rows": out,
        "zero": label_width + half,
        "label_width": label_width,
        "width": int(label_width + 2 * half + 60),
        "height": 20 + len(out) * 22 + 24,
        "extent": extent,
    }


def people_data(analysis: Analysis, pages: Mapping[str, Page]) -> list[dict[str, Any]]:
    """Everyone in the programme, with each challenge they are in, by fieldwork date."""
    programme = analysis.programme
    roles: dict[str, list[dict[str, Any]]] = defaultdict(list)
    employers: dict[str, str] = {}
    if programme is not None:
        for person in programme.people:
            roles.setdefault(person.name, [])
            employers[person.name] = _authority(programme, person.employer)
    for page in pages.values():
        ctx = page.ctx
        challenge = ctx.challenge
        base = {
            "id": challenge.id,
            "href": page.href,
            "fieldwork_text": show_span(challenge.fieldwork.start, challenge.fieldwork.end),
            "start": challenge.fieldwork.start.isoformat(),
            "phase": phase(challenge, ctx.schedule),
            "host_name": _authority(programme, challenge.host.authority),
        }
        roles[challenge.host.dcs].append({**base, "as": "host DCS", "status": ""})
        employers.setdefault(challenge.host.dcs, _authority(programme, challenge.host.authority))
        if challenge.host.project_manager:
            roles[challenge.host.project_manager].append(
                {**base, "as": "host project manager", "status": ""}
            )
        for member in challenge.visiting_team:
            role = "DCS" if member.role == "dcs" else _words(member.role)
            what = f"visiting {role}" + (" (lead)" if member.lead else "")
            roles[member.name].append({**base, "as": what, "status": member.status})
            employers.setdefault(member.name, _authority(programme, member.employer))
    return [
        {
            "name": name,
            "anchor": f"person-{index}",
            "employer": employers.get(name, ""),
            "challenges": sorted(entries, key=lambda e: (e["start"], e["id"], e["as"])),
        }
        for index, (name, entries) in enumerate(
            sorted(roles.items(), key=lambda item: (item[0].casefold(), item[0])), start=1
        )
    ]


# ----------------------------------------------------------------------------- rendering


def _environment() -> Any:
    from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape

    class PageEnvironment(Environment):
        """Looks ``row.key`` up in a dict first (the pages' data is dicts), method second.

        Jinja's own order tries the attribute first and pays for an AttributeError on
        nearly every lookup: a third of the time of a thousand pages.
        """

        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)

    env = PageEnvironment(
        loader=PackageLoader("pcplan", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["words"] = _words
    env.globals["STATUS_WORDS"] = STATUS_WORDS
    return env


def render_visit(visit: dict[str, Any] | None, reading: dict[str, Any] | None) -> str:
    """The visit timetable and reading partial alone (for tests and other pages)."""
    env = _environment()
    return str(env.get_template("_visit.html.j2").render(visit=visit, reading=reading))


def build_site(analysis: Analysis, as_of: date) -> dict[str, bytes]:
    """Every page of the site as ``{relative path: bytes}``, in a fixed order."""
    env = _environment()
    from markupsafe import Markup

    css = Markup(env.loader.get_source(env, "style.css")[0])  # ours: never escaped
    programme = analysis.programme
    pages = _pages(analysis.contexts)
    name = programme.name if programme else "Peer challenges"
    common = {
        "programme_name": name,
        "as_of": as_of.isoformat(),
        "as_of_text": show_date(as_of),
        "version": __version__,
        "css": css,
    }
    unreadable = [
        {
            "file": in_programme(analysis, loaded.display),
            "problems": [f"{f.line}:{f.column} {f.rule}: {f.message}" for f in loaded.findings],
        }
        for loaded in sorted(analysis.files, key=lambda f: f.display)
        if loaded.model is None
    ]
    site: dict[str, bytes] = {}

    def render(path: str, template: str, root: str, **data: Any) -> None:
        html = env.get_template(template).render(root=root, here=path, **common, **data)
        site[path] = html.encode("utf-8")

    render(
        "index.html",
        "index.html.j2",
        "",
        rows=status_data(analysis, pages),
        timeline=timeline_data(pages, as_of, programme),
        unreadable=unreadable,
        programme_unreadable=programme is None,
    )
    people = people_data(analysis, pages)
    people_index = {person["name"]: f"people.html#{person['anchor']}" for person in people}
    for page in pages.values():
        render(
            page.href,
            "challenge.html.j2",
            "../",
            c=challenge_data(page, analysis, pages, people_index),
        )
    render("due.html", "due.html.j2", "", due=due_data(analysis, as_of, pages))
    render("timebank.html", "timebank.html.j2", "", bank=timebank_data(analysis))
    render("people.html", "people.html.j2", "", people=people)
    return site


def write_site(out: Path, site: Mapping[str, bytes]) -> int:
    """Write the pages under ``out`` (created if need be); return how many changed.

    Each file is replaced atomically (a reader sees the old page or the new one) and
    only when its bytes differ; a symbolic link anywhere on the way (the folder,
    ``challenges/``, a page) is refused. The pages are made again from the files at
    will, so they are not fsynced one by one (that alone took seconds at 1,000 pages).
    """
    from collections import defaultdict

    from pcplan import fileio

    if out.is_symlink():
        raise WriteRefused(f"{out}: is a symbolic link; pcplan will not write through it")
    if out.exists() and not out.is_dir():
        raise WriteRefused(f"{out}: exists and is not a folder; give another --out")
    by_folder: dict[Path, list[tuple[Path, bytes]]] = defaultdict(list)
    for relative, data in site.items():
        path = out / relative
        by_folder[path.parent].append((path, data))
    changed = 0
    for folder, pages in by_folder.items():
        for part in (folder, *folder.parents):
            if part == out.parent:
                break
            if part.is_symlink():
                raise WriteRefused(f"{part}: is a symbolic link; pcplan will not write through it")
        fileio.ensure_directory(folder)
        with fileio.locked(folder):  # one lock (and one sweep of stale temp files) a folder
            for path, data in pages:
                changed += fileio.write_output(path, data, durable=False)
    return changed


def _awaiting_answer(challenge: Challenge) -> list[str]:
    """Core members still only nominated: the host DCS has yet to answer (¶22)."""
    waiting = sorted(m.name for _, m in core_members(challenge) if m.status == "nominated")
    return ["the host DCS's answer on " + ", ".join(waiting) + " (¶22)"] if waiting else []
