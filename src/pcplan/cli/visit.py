"""`pcplan visit`: the fieldwork timetable (SPEC §9), and the edits that keep it and requests."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pcplan.cli.common import app, handles_errors, load_one, named_challenge
from pcplan.cli.runtime import parse_date, stamp, today, write_json
from pcplan.errors import UsageError
from pcplan.vocabulary import SESSION_KINDS

if TYPE_CHECKING:
    from pcplan.edit import Value
    from pcplan.models import Challenge


class VisitFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    ics = "ics"


class VisitAction(StrEnum):
    add = "add"
    request = "request"
    sent = "sent"


@app.command(
    epilog="Examples:\n\n"
    '  pcplan visit east-sussex-2026-12 --person "Marguerite Olumide"\n\n'
    "  pcplan visit east-sussex-2026-12 add --day 1 --start 09:00 --end 09:45 --kind briefing "
    '--title "Welcome from the host DCS" --with "host DCS" --where "Council chamber"\n\n'
    '  pcplan visit east-sussex-2026-12 request "Front-door audit 2026" '
    '--by "Marguerite Olumide"\n\n'
    "  pcplan visit east-sussex-2026-12 sent 1 --on 2026-12-02"
)
@handles_errors
def visit(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    action: Annotated[
        VisitAction | None,
        typer.Argument(
            help="add (a session), request (supplementary reading) or sent (a request "
            "answered); leave out to show the timetable.",
            show_default=False,
        ),
    ] = None,
    what: Annotated[
        str | None,
        typer.Argument(
            help="request: what was asked for; sent: the request's number or what.",
            show_default=False,
        ),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Show: one visitor's days only.")
    ] = None,
    fmt: Annotated[
        VisitFormat, typer.Option("--format", help="Show: table, markdown, json or ics.")
    ] = VisitFormat.table,
    day: Annotated[
        int | None, typer.Option("--day", help="add: fieldwork day, 1 or 2.", show_default=False)
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", metavar="HH:MM", help="add: start time.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", metavar="HH:MM", help="add: end time.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="add: briefing, interview, focus_group, … (SPEC §9)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="add: the session's title.")] = None,
    visitors: Annotated[
        str, typer.Option("--visitors", help='add: "all", or names separated by commas.')
    ] = "all",
    with_: Annotated[
        str | None, typer.Option("--with", help="add: whom they meet, separated by commas.")
    ] = None,
    where: Annotated[str | None, typer.Option("--where", help="add: the room or site.")] = None,
    consent_needed: Annotated[
        bool,
        typer.Option("--consent-needed", help="add: work seen or service users needing consent."),
    ] = False,
    by: Annotated[str | None, typer.Option("--by", help="request: the visitor who asked.")] = None,
    asked: Annotated[
        str | None,
        typer.Option("--asked", metavar="DATE", help="request: when it was asked; default today."),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="sent: when it was sent; default today."),
    ] = None,
) -> None:
    """Show the fieldwork timetable day by day, or add a session or a reading request.

    Parallel sessions (the two pairs, ¶21) are side by side. Markdown is a printable
    timetable for the host's staff; ics gives timed events in Europe/London.

    Example: pcplan visit east-sussex-2026-12 --person "Marguerite Olumide" --format markdown
    """
    given = {
        "--day": day,
        "--start": start,
        "--end": end,
        "--kind": kind,
        "--title": title,
        "--visitors": None if visitors == "all" else visitors,
        "--with": with_,
        "--where": where,
        "--consent-needed": consent_needed or None,
        "--by": by,
        "--asked": asked,
        "--on": on,
        "--person": person,
        "--format": None if fmt is VisitFormat.table else fmt.value,
    }
    allowed = {
        None: ("--person", "--format"),
        VisitAction.add: (
            "--day", "--start", "--end", "--kind", "--title",
            "--visitors", "--with", "--where", "--consent-needed",
        ),
        VisitAction.request: ("--by", "--asked"),
        VisitAction.sent: ("--on",),
    }  # fmt: skip
    stray = [option for option, value in given.items() if value is not None]
    stray = [option for option in stray if option not in allowed[action]]
    if stray:
        doing = f"visit {action.value}" if action else "showing the timetable"
        raise UsageError(f"{', '.join(stray)}: not used when {doing}")
    if action is None:
        if what is not None:
            raise UsageError(f"{what}: say what to do: add, request or sent")
        _show(challenge, person, fmt)
        return
    if action is VisitAction.add:
        if what is not None:
            raise UsageError("visit add takes options only: --day, --start, --end, --kind, --title")
        _add_session(
            challenge,
            day=day,
            start=start,
            end=end,
            kind=kind,
            title=title,
            visitors=visitors,
            with_=with_,
            where=where,
            consent_needed=consent_needed,
        )
    elif action is VisitAction.request:
        _add_request(challenge, what, by, parse_date(asked, "--asked") or today())
    else:
        _record_sent(challenge, what, parse_date(on, "--on") or today())


# ----------------------------------------------------------------------------- show


def _show(reference: str, person: str | None, fmt: VisitFormat) -> None:
    from pcplan.dates import show_date, show_span
    from pcplan.render import visit as views
    from pcplan.timetable import person_slots, same_name, slots

    loaded, programme = load_one(reference)
    model = loaded.challenge
    assert model is not None  # (load_one exits when the file is broken)
    chosen = slots(model)
    left_out = len(model.visit.sessions) - len(chosen)
    if person is not None:
        people = [m.name for m in model.visiting_team]
        people += [model.host.dcs, model.host.project_manager or ""]
        if not any(same_name(person, name) for name in people if name):
            import difflib

            close = difflib.get_close_matches(person, [n for n in people if n], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"{person}: not in {model.id}'s visiting team{hint}")
        chosen = person_slots(model, person)
    host = (programme.authority_name(model.host.authority) if programme else None) or (
        model.host.authority
    )
    span = show_span(model.fieldwork.start, model.fieldwork.end)
    if fmt is VisitFormat.json:
        write_json(views.timetable_json(model, chosen))
        return
    if fmt is VisitFormat.ics:
        from pcplan.timetable import session_events

        name = f"Peer challenge {model.id}: visit" + (f" ({person})" if person else "")
        views.write_visit_ics(session_events(model, chosen), sys.stdout, name=name, stamp=stamp())
        return
    heading = [
        f"{model.id}: fieldwork timetable at {host}, {span}" + (f", for {person}" if person else "")
    ]
    details = model.visit
    if details.base:
        heading.append(f"Team base: {details.base}")
    if details.accommodation:
        heading.append(f"Overnight: {details.accommodation}")
    if details.staff_briefed:
        heading.append(f"Host staff briefed: {show_date(details.staff_briefed)}")
    notes = []
    if not model.visit.sessions:
        notes.append(f"No sessions planned yet: add them with `pcplan visit {model.id} add …`.")
    if left_out:
        notes.append(
            f"{left_out} session{'s' if left_out != 1 else ''} not shown: the day or times "
            "do not read; run `pcplan check`."
        )
    render = views.timetable_markdown if fmt is VisitFormat.markdown else views.timetable_text
    sys.stdout.write(render(model, chosen, heading, notes))


# ----------------------------------------------------------------------------- edits


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _text(value: str, option: str, limit: int = 500) -> str:
    from pcplan.yamlio import has_forbidden_character

    value = value.strip()
    if not value:
        raise UsageError(f"{option}: give some text")
    if len(value) > limit:
        raise UsageError(f"{option}: at most {limit} characters; this has {len(value)}")
    if has_forbidden_character(value) or any(c in value for c in "\t\n\r"):
        raise UsageError(f"{option}: contains a control or invisible character; retype it")
    return value


def _model_after(editor: Any) -> Challenge:
    """The challenge as the edit would leave it, or exit 2 naming what is wrong."""
    from pcplan.findings import path_label
    from pcplan.repo import validate_data

    checked = validate_data("challenge", editor.expected)
    if isinstance(checked, list):
        first = checked[0]
        raise UsageError(f"{path_label(first.path)}: {first.message}; nothing written")
    return checked


def _add_session(
    reference: str,
    *,
    day: int | None,
    start: str | None,
    end: str | None,
    kind: str | None,
    title: str | None,
    visitors: str,
    with_: str | None,
    where: str | None,
    consent_needed: bool,
) -> None:
    import difflib

    from pcplan.cli.editing import _report_edit
    from pcplan.edit import open_editor
    from pcplan.rules.visit import check_visit_clash, check_visit_times
    from pcplan.timetable import parse_time

    missing = [
        option
        for option, value in (
            ("--day", day),
            ("--start", start),
            ("--end", end),
            ("--kind", kind),
            ("--title", title),
        )
        if value is None
    ]
    if missing:
        raise UsageError(f"visit add: missing {', '.join(missing)}")
    assert day is not None and start and end and kind and title is not None
    if kind not in SESSION_KINDS:
        close = difflib.get_close_matches(kind, SESSION_KINDS, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise UsageError(f"--kind {kind}: {hint}one of {', '.join(SESSION_KINDS)}")
    for option, value in (("--start", start), ("--end", end)):
        if parse_time(value) is None:
            raise UsageError(f"{option} {value}: write a 24-hour time HH:MM, such as 09:30")
    item: dict[str, Value] = {"day": day, "start": start, "end": end, "kind": kind}
    item["title"] = _text(title, "--title")
    names = _split(visitors)
    item["visitors"] = "all" if names in ([], ["all"]) else names
    if with_:
        item["with"] = [_text(w, "--with") for w in _split(with_)]
    if where:
        item["where"] = _text(where, "--where")
    if consent_needed:
        item["consent"] = {"needed": True}
    named = named_challenge(reference)
    before = named.snapshot()
    with open_editor(named.path) as editor:
        sessions = (editor.data.get("visit") or {}).get("sessions") or []
        index = len(sessions) if isinstance(sessions, list) else 0
        editor.append_item(("visit", "sessions"), item)
        model = _model_after(editor)
        context = _context(named, editor, model)
        for rule in (check_visit_times, check_visit_clash):
            for problem in rule(context):
                if problem.path[:3] == ("visit", "sessions", index):
                    raise UsageError(f"{problem.message}; nothing written")
        editor.save()
    sys.stdout.write(
        f"{named.display}: added session #{index + 1}, day {day} {start}–{end} {kind}: {title}\n"
    )
    _report_edit(named, before, today())


def _context(named: Any, editor: Any, model: Challenge) -> Any:
    from pcplan.dates import working_days
    from pcplan.rules import ChallengeContext

    return ChallengeContext(
        path=named.path,
        display=named.display,
        challenge=model,
        programme=None,
        calendar=working_days(),
        as_of=today(),
        document=editor.document,
    )


def _add_request(reference: str, what: str | None, by: str | None, asked: date) -> None:
    from pcplan.cli.editing import _report_edit
    from pcplan.edit import open_editor

    if what is None:
        raise UsageError('visit request: say what was asked for, e.g. "Front-door audit 2026"')
    if by is None:
        raise UsageError("visit request: missing --by (the visitor who asked)")
    item: dict[str, Value] = {
        "what": _text(what, "WHAT"),
        "by": _text(by, "--by", 80),
        "asked": asked,
    }
    named = named_challenge(reference)
    before = named.snapshot()
    with open_editor(named.path) as editor:
        reading = editor.data.get("reading")
        requests = reading.get("requests") if isinstance(reading, dict) else None
        number = (len(requests) if isinstance(requests, list) else 0) + 1
        editor.append_item(("reading", "requests"), item)
        _model_after(editor)
        editor.save()
    sys.stdout.write(
        f"{named.display}: request #{number} recorded: {item['what']} (asked by "
        f"{item['by']} on {asked.isoformat()}); record the answer with "
        f"`pcplan visit {reference} sent {number}`\n"
    )
    _report_edit(named, before, today())


def _record_sent(reference: str, which: str | None, on: date) -> None:
    from pcplan.cli.editing import _report_edit
    from pcplan.edit import open_editor

    if which is None:
        raise UsageError("visit sent: give the request's number (from 1) or what was asked for")
    named = named_challenge(reference)
    before = named.snapshot()
    with open_editor(named.path) as editor:
        reading = editor.data.get("reading")
        requests = reading.get("requests") if isinstance(reading, dict) else None
        requests = requests if isinstance(requests, list) else []
        index = _find_request(requests, which)
        request = requests[index]
        asked = parse_date(str(request.get("asked")), "asked") if request.get("asked") else None
        if asked is not None and on < asked:
            raise UsageError(
                f"--on {on.isoformat()} is before the request was asked ({asked.isoformat()}); "
                "nothing written"
            )
        editor.set_value(("reading", "requests", index), "sent", on)
        _model_after(editor)
        changed = editor.save()
    what = request.get("what")
    if changed:
        sys.stdout.write(f"{named.display}: request #{index + 1} ({what}) sent {on.isoformat()}\n")
    else:
        sys.stdout.write(f"{named.display}: request #{index + 1} ({what}) was already sent then\n")
    _report_edit(named, before, today())


def _find_request(requests: list[Any], which: str) -> int:
    if which.isdigit():
        number = int(which)
        if 1 <= number <= len(requests):
            return number - 1
        raise UsageError(
            f"request {which}: there {'is' if len(requests) == 1 else 'are'} "
            f"{len(requests)} request{'s' if len(requests) != 1 else ''}; number them from 1"
        )
    wanted = " ".join(which.split()).casefold()
    for index, request in enumerate(requests):
        if isinstance(request, dict) and " ".join(str(request.get("what")).split()).casefold() == (
            wanted
        ):
            return index
    listed = "; ".join(
        f"{i + 1}: {r.get('what')}" for i, r in enumerate(requests) if isinstance(r, dict)
    )
    raise UsageError(f"{which}: no such request ({listed or 'none recorded'})")
