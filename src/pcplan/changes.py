"""The one editing engine (SPEC §5, §6): every command that changes a challenge file.

`done`, `team …` and `set` are thin commands over these functions. Each opens
the file with :func:`edit.open_editor` (locked from read to write), checks the
change against the data, makes it as a splice that keeps every other byte, and
saves. Each returns a :class:`Change`: whether the file changed, and the lines
to tell the user. Bad requests raise :class:`UsageError` before anything is
written. Nothing here prints or reads the clock.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pcplan.dates import show_date
from pcplan.edit import Editor, Value, open_editor, plain_value
from pcplan.errors import UsageError
from pcplan.findings import path_label, shorten
from pcplan.repo import validate_data
from pcplan.steps import STEP_BY_KEY, STEP_KEYS
from pcplan.vocabulary import FIRST_YEAR, LAST_YEAR, NAME_MAX, ONE_LINE, ROLES, SLUG_PATTERN
from pcplan.yamlio import has_forbidden_character

if TYPE_CHECKING:
    from pathlib import Path

    from pcplan.models import Programme


@dataclass(frozen=True, slots=True)
class Change:
    """What an edit did: ``changed`` when the file was written; ``lines`` to show."""

    changed: bool
    lines: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- shared


def _same_name(a: object, b: str) -> bool:
    return " ".join(str(a).split()).casefold() == " ".join(b.split()).casefold()


def valid_name(name: str) -> str:
    """A name as the file format allows it (SPEC §2), or exit 2 saying why not."""
    name = name.strip()
    if not name:
        raise UsageError("give the member's name")
    if len(name) > NAME_MAX:
        raise UsageError(f"a name is at most {NAME_MAX} characters; this one has {len(name)}")
    if has_forbidden_character(name) or not ONE_LINE.fullmatch(name):
        raise UsageError(
            "the name contains a control or invisible character (a tab or line break?); "
            "retype it on one line"
        )
    return name


def parse_day(text: str, option: str) -> date:
    """An ISO date typed by a person (ASCII digits, years 1900-2199), or exit 2."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {shorten(text, 40)!r}: not a date; write YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{option} {text}: give a year from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _team(editor: Editor) -> list[Any]:
    team = editor.data.get("visiting_team")
    return team if isinstance(team, list) else []


def find_member(editor: Editor, name: str, challenge: str) -> int:
    """The index of ``name`` on the visiting team: exactly, or else the one member whose
    name differs only by case and spacing; several such members, or none, are exit 2."""
    from pcplan.overview import matching_names

    team = _team(editor)
    members = {
        index: str(member.get("name", ""))
        for index, member in enumerate(team)
        if isinstance(member, dict)
    }
    matches = matching_names(name, members.values())
    if len(matches) > 1:
        raise UsageError(
            f"{shorten(name, 80)}: several members of {challenge} differ from this name only "
            f"by case or spacing ({', '.join(matches)}); give the name exactly as in the file"
        )
    if matches:
        return next(index for index, member in members.items() if member == matches[0])
    names = list(members.values())
    close = difflib.get_close_matches(name, names, n=1)
    hint = (
        f"; did you mean {close[0]}?"
        if close
        else (f"; the team is {', '.join(names)}" if names else "; the team is empty")
    )
    raise UsageError(f"{shorten(name, 80)}: not on the visiting team of {challenge}{hint}")


def _date_at(data: dict[str, Any], *path: str) -> date | None:
    value: Any = data
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _saved(editor: Editor, lines: list[str]) -> Change:
    return Change(editor.save(), lines)


# ----------------------------------------------------------------------------- steps


def step_key(step: str) -> str:
    """A planning step's key, or exit 2 with the nearest one."""
    if step in STEP_BY_KEY:
        return step
    close = difflib.get_close_matches(step, STEP_KEYS, n=1)
    hint = f"did you mean {close[0]}?" if close else "the steps are " + ", ".join(STEP_KEYS)
    raise UsageError(f"{shorten(step, 60)}: not a planning step; {hint}")


def order_problem(data: dict[str, Any], key: str, day: date, challenge: str) -> str | None:
    """Why ``steps.order`` would reject ``key`` done on ``day`` (SPEC §4), or None."""
    step = STEP_BY_KEY[key]
    start = _date_at(data, "fieldwork", "start")
    end = _date_at(data, "fieldwork", "end")
    steps = data.get("steps") if isinstance(data.get("steps"), dict) else {}
    assert isinstance(steps, dict)
    when = f"{key} done {day.isoformat()}"
    if end is not None and step.before_fieldwork and day > end:
        return (
            f"{when}: step {step.number} comes before fieldwork, which ended {show_date(end)}; "
            "give the day it was done with --on"
        )
    if start is not None and key == "fieldwork" and day < start:
        return f"{when}: fieldwork starts {show_date(start)}; give its last day with --on"
    if end is not None and key == "response_document" and day < end:
        return (
            f"{when}: the response document follows fieldwork, which ends {show_date(end)}; "
            "give the day it was done with --on"
        )
    if key == "impact_review" and not steps.get("response_document"):
        return (
            f"{when}: the review of impact follows the response document (¶39); record it "
            f"first with `pcplan done {challenge} response_document --on DATE`"
        )
    if key == "impact_visit":
        review = _date_at(data, "steps", "impact_review")
        if review is None:
            return (
                f"{when}: the impact visit follows the review-of-impact document; record it "
                f"first with `pcplan done {challenge} impact_review --on DATE`"
            )
        if day < review:
            return (
                f"{when}: the impact visit comes after the review-of-impact document "
                f"({show_date(review)}); give the visit's day with --on"
            )
    return None


def _not_applicable_note(data: dict[str, Any], key: str) -> str | None:
    """Steps 14-15 apply only when the host opted into the review, step 7 only when someone
    is new to peer challenge (SPEC §3): say so when one is recorded anyway."""
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    assert isinstance(review, dict)
    visit = review.get("visit") if isinstance(review.get("visit"), dict) else {}
    assert isinstance(visit, dict)
    reasons = {
        "impact_review": "review.opted_in is not true",
        "impact_visit": "review.opted_in and review.visit.requested are not both true",
    }
    applies = review.get("opted_in") is True and (
        key != "impact_visit" or visit.get("requested") is True
    )
    if key == "briefing" and data.get("briefing_needed") is False:
        reasons[key], applies = "briefing_needed is false", False
    if key in reasons and not applies:
        return (
            f"note: step `{key}` does not apply to this challenge ({reasons[key]}); recorded anyway"
        )
    return None


def record_step(path: Path, challenge: str, key: str, day: date) -> Change:
    """`done ID STEP --on DAY`: write the step's date (exit 2 if steps.order would reject it)."""
    key = step_key(key)
    with open_editor(path) as editor:
        problem = order_problem(editor.data, key, day, challenge)
        if problem is not None:
            raise UsageError(problem)
        steps = editor.data.get("steps")
        previous = steps.get(key) if isinstance(steps, dict) else None
        editor.set_value(("steps",), key, day)
        note = _not_applicable_note(editor.data, key)
        if not editor.save():
            return Change(False, [f"{key} was already done {day.isoformat()}"])
    was = f" (was {previous})" if previous not in (None, "") else ""
    return Change(True, [*([note] if note else []), f"{key} done {day.isoformat()}{was}"])


def undo_step(path: Path, key: str) -> Change:
    """`done ID STEP --undo`: remove a date recorded by mistake."""
    key = step_key(key)
    with open_editor(path) as editor:
        steps = editor.data.get("steps")
        previous = steps.get(key) if isinstance(steps, dict) else None
        if previous in (None, ""):
            return Change(False, [f"{key} has no date recorded; nothing to undo"])
        editor.remove_key(("steps",), key)
        return _saved(editor, [f"{key} is no longer recorded as done (was {previous})"])


# ----------------------------------------------------------------------------- team


def _registered(programme: Programme | None, name: str) -> Any:
    if programme is None:
        return None
    return next((p for p in programme.people if p.name == name), None)


def _employer_option(authority: str | None, organisation: str | None) -> str:
    return f"--authority {authority}" if authority else f"--organisation {organisation}"


def add_member(
    path: Path,
    challenge: str,
    programme: Programme | None,
    name: str,
    *,
    authority: str | None = None,
    organisation: str | None = None,
    role: str | None = None,
    lead: bool = False,
) -> Change:
    """`team ID add NAME`: nominate someone; employer and role from the registry when known."""
    name = valid_name(name)
    if authority is not None and organisation is not None:
        raise UsageError("team add: give --authority or --organisation, not both")
    person = _registered(programme, name)
    if person is not None:
        if (authority or organisation) and (authority, organisation) != (
            person.authority,
            person.organisation,
        ):
            registered = _employer_option(person.authority, person.organisation)
            raise UsageError(
                f"{name} is in programme.yaml with {registered}; leave the option out, or "
                "correct programme.yaml if they have moved"
            )
        if role is not None and role != person.role:
            raise UsageError(
                f"{name} is in programme.yaml as {person.role}; leave --role out, or correct "
                "programme.yaml"
            )
        authority, organisation, role = person.authority, person.organisation, person.role
    else:
        missing = [
            option
            for option, value in (
                ("--authority (or --organisation)", authority or organisation),
                ("--role", role),
            )
            if value is None
        ]
        if missing:
            known = [p.name for p in programme.people] if programme else []
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UsageError(
                f"{shorten(name, 80)} is not in programme.yaml's `people`, so give "
                f"{' and '.join(missing)}{hint}"
            )
    assert role is not None
    if role not in ROLES:
        raise UsageError(f"--role {shorten(role, 40)}: one of {', '.join(ROLES)}")
    _check_employer(programme, authority, organisation, role)
    with open_editor(path) as editor:
        for member in _team(editor):
            if isinstance(member, dict) and _same_name(member.get("name", ""), name):
                raise UsageError(
                    f"{name} is already on the visiting team of {challenge}; use "
                    f"`pcplan team {challenge} confirm`, `decline` or `remove`"
                )
        if lead:
            for member in _team(editor):
                if (
                    isinstance(member, dict)
                    and member.get("lead") is True
                    and member.get("status") != "declined"
                ):
                    raise UsageError(
                        f"{member.get('name')} already leads the visiting team of {challenge}; "
                        f"add without --lead, then `pcplan team {challenge} lead NAME`"
                    )
        employer = authority or organisation
        assert employer is not None
        item: dict[str, str | bool] = {"name": name}
        item["authority" if authority else "organisation"] = employer
        item["role"] = role
        if lead:
            item["lead"] = True
        item["status"] = "nominated"
        editor.append_item(("visiting_team",), item)
        return _saved(
            editor, [f"added {name} ({employer}, {role}{', lead' if lead else ''}) as nominated"]
        )


def _check_employer(
    programme: Programme | None, authority: str | None, organisation: str | None, role: str
) -> None:
    from pcplan.rules.identity import unknown_authority_message, unknown_organisation_message

    if organisation is not None and role != "partner":
        raise UsageError(
            "--organisation is for partners from outside the councils (role partner, ¶21)"
        )
    slug = authority or organisation
    option = "--authority" if authority else "--organisation"
    assert slug is not None
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise UsageError(f"{option} {shorten(slug, 40)}: use a slug, such as `kent`")
    if programme is None:
        return
    if authority is not None and authority not in programme.authorities:
        raise UsageError(
            f"--authority {authority}: "
            + unknown_authority_message(authority, programme.authorities)
        )
    if organisation is not None and organisation not in programme.organisations:
        raise UsageError(
            f"--organisation {organisation}: "
            + unknown_organisation_message(organisation, programme.organisations)
        )


def remove_member(path: Path, challenge: str, name: str) -> Change:
    """`team ID remove NAME`: delete a member entered by mistake (not a decline, ¶22)."""
    with open_editor(path) as editor:
        index = find_member(editor, name, challenge)
        shown = _team(editor)[index].get("name")
        editor.remove_item(("visiting_team",), index)
        return _saved(editor, [f"removed {shown} from the visiting team"])


def set_lead(path: Path, challenge: str, name: str) -> Change:
    """`team ID lead NAME`: NAME leads the visiting team; whoever led before no longer does."""
    with open_editor(path) as editor:
        index = find_member(editor, name, challenge)
        team = _team(editor)
        member = team[index]
        if member.get("status") == "declined":
            raise UsageError(f"{member.get('name')} declined; a lead must be on the team")
        if member.get("lead") is True and not any(
            isinstance(m, dict) and m.get("lead") is True for i, m in enumerate(team) if i != index
        ):
            return Change(False, [f"{member.get('name')} already leads the visiting team"])
        was = [
            str(m.get("name"))
            for i, m in enumerate(team)
            if i != index and isinstance(m, dict) and m.get("lead") is True
        ]
        for other, entry in enumerate(team):
            if other != index and isinstance(entry, dict) and entry.get("lead") is True:
                editor.remove_key(("visiting_team", other), "lead")
        if member.get("lead") is not True:
            editor.set_value(("visiting_team", index), "lead", True)
        before = f" (instead of {', '.join(was)})" if was else ""
        return _saved(editor, [f"{member.get('name')} now leads the visiting team{before}"])


def set_member_status(path: Path, challenge: str, name: str, status: str) -> Change:
    """`team ID confirm|decline NAME`: the host DCS's answer (¶22); never a reason."""
    with open_editor(path) as editor:
        index = find_member(editor, name, challenge)
        member = _team(editor)[index]
        if member.get("status") == status:
            return Change(False, [f"{member.get('name')} is already {status}"])
        editor.set_value(("visiting_team", index), "status", status)
        return _saved(editor, [f"{member.get('name')} is now {status}"])


# ----------------------------------------------------------------------------- set

#: Every field `pcplan set` changes (SPEC §5), with how its value is read.
SETTABLE: dict[str, str] = {
    "topic": "text",
    "round": "integer",
    "scope": "text",
    "host.dcs": "text",
    "host.project_manager": "text",
    "fieldwork.start": "date",
    "fieldwork.end": "date",
    "briefing_needed": "boolean",
    "feedback.audience": "list",
    "feedback.format": "text",
    "feedback.agreed_on": "date",
    "escalation.host_contact": "text",
    "escalation.visiting_contact": "text",
    "lead_consent.given_by": "text",
    "lead_consent.date": "date",
    "lead_consent.reason": "text",
    "review.opted_in": "boolean",
    "review.contents": "list",
    "review.visit.requested": "boolean",
    "review.visit.hours": "number",
    "review.visit.one_to_one": "boolean",
}


def settable_field(field_path: str) -> str:
    if field_path in SETTABLE:
        return field_path
    close = difflib.get_close_matches(field_path, list(SETTABLE), n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise UsageError(
        f"{shorten(field_path, 60)}: not a field `pcplan set` changes; {hint}"
        f"the fields are {', '.join(SETTABLE)}"
    )


def parse_field_value(field_path: str, text: str) -> Value:
    """The value typed for a field, as the file would hold it (exit 2 if it cannot be)."""
    kind = SETTABLE[settable_field(field_path)]
    if kind == "date":
        return parse_day(text, field_path)
    if kind == "boolean":
        words = {"true": True, "yes": True, "false": False, "no": False}
        if text.strip().lower() not in words:
            raise UsageError(f"{field_path}: give true or false")
        return words[text.strip().lower()]
    if kind == "integer":
        if not re.fullmatch(r"[0-9]{1,6}", text.strip()):
            raise UsageError(f"{field_path}: give a whole number")
        return int(text)
    if kind == "number":
        if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,3})?", text.strip()):
            raise UsageError(f"{field_path}: give a number of hours, such as 4 or 3.5")
        number = float(text)
        return int(number) if number.is_integer() else number
    multi_line = field_path == "scope"
    if has_forbidden_character(text) or (not multi_line and any(c in text for c in "\t\n\r")):
        where = "" if multi_line else "; one line, with no tab"
        raise UsageError(f"{field_path}: the value holds a control or invisible character{where}")
    if kind == "list":
        items = [item.strip() for item in text.split(",")]
        return [item for item in items if item]
    if not text.strip():
        raise UsageError(f"{field_path}: give a value, or --unset to remove the field")
    return text


def _node(data: Any, parts: list[str] | tuple[str, ...]) -> Any:
    for part in parts:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _would_be(data: dict[str, Any], edits: list[tuple[list[str], Any]]) -> dict[str, Any]:
    """A copy of ``data`` with the fields set (value None: removed, with emptied mappings)."""
    result = copy.deepcopy(data)
    for parts, value in edits:
        node: Any = result
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        if value is not None:
            node[parts[-1]] = value
            continue
        node.pop(parts[-1], None)
        for depth in range(len(parts) - 1, 0, -1):  # a mapping left empty goes too
            if _node(result, parts[:depth]) == {}:
                _node(result, parts[: depth - 1]).pop(parts[depth - 1])
    return result


def set_field(path: Path, field_path: str, value: Value | None) -> Change:
    """`set ID FIELD VALUE` (``value`` None: `--unset`): one field, checked against the model."""
    return set_fields(path, [(field_path, value)])


def set_fields(path: Path, edits: list[tuple[str, Value | None]]) -> Change:
    """Several fields at once (``lead_consent`` needs its name and date together)."""
    parsed = [(settable_field(name).split("."), value) for name, value in edits]
    names = ", ".join(name for name, _ in edits)
    with open_editor(path) as editor:
        data = _would_be(
            editor.data,
            [(parts, None if value is None else plain_value(value)) for parts, value in parsed],
        )
        checked = validate_data("challenge", data)
        if not isinstance(checked, list) and checked.fieldwork.end < checked.fieldwork.start:
            raise UsageError(
                f"{names}: fieldwork would end ({checked.fieldwork.end.isoformat()}) before it "
                f"starts ({checked.fieldwork.start.isoformat()}); nothing written"
            )
        if isinstance(checked, list):
            issue = checked[0]
            where = path_label(issue.path) if issue.path else names
            hint = (
                "; set the fields together: `pcplan set ID FIELD VALUE FIELD VALUE`"
                if "missing" in issue.message
                else ""
            )
            raise UsageError(f"{names}: {where}: {issue.message}{hint}; nothing written")
        lines = []
        removed: list[tuple[str, ...]] = []
        new_blocks: dict[tuple[tuple[str, ...], str], dict[str, Any]] = {}
        for parts, value in parsed:
            name = ".".join(parts)
            if value is None:
                target = _removal(editor.data, data, parts)
                if target is not None and not any(target[: len(r)] == r for r in removed):
                    removed.append(target)
                    editor.remove_key(target[:-1], target[-1])
                lines.append(f"{name} unset")
                continue
            shown = ", ".join(value) if isinstance(value, list) else _show(value)
            lines.append(f"{name} set to {shorten(shown, 80)}")
            depth = len(parts) - 1  # the deepest mapping that is already there
            while depth > 0 and not isinstance(_node(editor.data, parts[:depth]), dict):
                depth -= 1
            if depth == len(parts) - 1:
                editor.set_value(tuple(parts[:-1]), parts[-1], value)
                continue
            block = new_blocks.setdefault((tuple(parts[:depth]), parts[depth]), {})
            for part in parts[depth + 1 : -1]:
                block = block.setdefault(part, {})
            block[parts[-1]] = value
        for (anchor, key), block in new_blocks.items():
            editor.add_mapping(anchor, key, block)
        if not editor.save():
            return Change(False, [f"{names}: already so; nothing to change"])
        return Change(True, lines)


def _removal(
    data: dict[str, Any], after: dict[str, Any], parts: list[str]
) -> tuple[str, ...] | None:
    """The key to delete to unset ``parts``: the outermost mapping the edit leaves empty."""
    if not isinstance(_node(data, parts[:-1]), dict) or parts[-1] not in _node(data, parts[:-1]):
        return None
    depth = len(parts)
    while depth > 1 and _node(after, parts[: depth - 1]) is None:
        depth -= 1
    return tuple(parts[:depth])


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
