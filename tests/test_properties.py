"""Properties that hold for every challenge file, found by generating many (hypothesis).

* Valid challenges, written in every YAML style a person might use, check with no
  findings, and their schedule has fifteen steps.
* Any sequence of `done` and `team` edits on a heavily commented file keeps every
  comment byte for byte and in order, leaves a file that still parses, and either
  lands exactly the intended change or is refused leaving the file untouched.
* The schedule keeps SPEC §3 for any fieldwork dates 2020–2035 and any as-of date:
  due dates on working days (England and Wales bank holidays computed here, from
  the ``holidays`` package, independently of pcplan), windows in order, statuses by
  the first-match rule.

The files are written by a small emitter in this module (not by a YAML library),
so that the texts vary the way hand-written files do: quote styles, flow and block
collections, indentation, block scalars, CRLF, a BOM, no final newline, comments.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from pcplan import yamlio
from pcplan.models import Challenge, Settings, validate_challenge
from pcplan.schedule import compute_schedule
from tests.conftest import STEP_KEYS, Run, run

pytestmark = pytest.mark.slow

AS_OF = date(2026, 11, 25)
AUTHORITIES = {
    "bracknell-forest": "Bracknell Forest Council",
    "brighton-and-hove": "Brighton and Hove City Council",
    "east-sussex": "East Sussex County Council",
    "hampshire": "Hampshire County Council",
    "isle-of-wight": "Isle of Wight Council",
    "kent": "Kent County Council",
    "medway": "Medway Council",
    "milton-keynes": "Milton Keynes City Council",
    "portsmouth": "Portsmouth City Council",
    "reading": "Reading Borough Council",
    "slough": "Slough Borough Council",
    "surrey": "Surrey County Council",
    "west-sussex": "West Sussex County Council",
}
SLUGS = sorted(AUTHORITIES)
PROGRAMME = (
    "name: Property programme\n"
    "programme_manager: Morgan Ellis\n"
    "authorities:\n"
    + "".join(f"  {slug}: {name}\n" for slug, name in AUTHORITIES.items())
    + "settings:\n  response_document_weeks: 8\n"
)
BEFORE_FIELDWORK = STEP_KEYS[:11]
ROLES = ("dcs", "assistant_director", "team_leader", "practitioner", "partner")
CONTENTS = (
    "original_scope",
    "self_assessment_findings",
    "peer_commentary",
    "response_document",
    "progress_review",
    "impact_evidence",
)

# How many examples each test tries comes from the profile tests/conftest.py loads
# (a few by default, more under CI=true); the rest is set here.
SETTINGS = settings(
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


# ----------------------------------------------------------------------------- the calendar

# Computed here, from the holidays package, not through pcplan.
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2041))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in ENGLAND


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def test_the_independent_calendar_knows_the_spec_example() -> None:
    """SPEC §3: Easter Monday 2027-03-29 and Good Friday are holidays."""
    assert not is_working_day(date(2027, 3, 29))
    assert not is_working_day(date(2027, 3, 26))
    assert is_working_day(date(2027, 3, 25))


# ----------------------------------------------------------------------------- YAML text

# YAML's printable set; everything else must be escaped in a double-quoted scalar.
_BREAKS = "\r\n\x85\u2028\u2029"


def _printable(char: str) -> bool:
    code = ord(char)
    return (
        char in "\t\n\r\x85"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ) and char != "\ufeff"


_PLAIN_WORD = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff"
_PLAIN = re.compile(rf"[{_PLAIN_WORD}][{_PLAIN_WORD}0-9 .'()&/+-]*[{_PLAIN_WORD}0-9.')]|[A-Za-z]")
_NOT_TEXT = frozenset(
    ["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "~", ""]
)


def plain_ok(text: str) -> bool:
    """Conservatively: would this read back as the same string when written plain?"""
    return bool(_PLAIN.fullmatch(text)) and text not in _NOT_TEXT and "  " not in text


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\t":
            out.append("\\t")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char in _BREAKS or not _printable(char) or char == "\ufeff":
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def quotable_single(text: str) -> bool:
    # U+2028/U+2029 are ordinary characters in YAML 1.2 (not line breaks): kept raw here.
    return all(_printable(c) and c not in "\r\n\x85\t" for c in text) and (text == text.strip(" "))


@dataclass(frozen=True)
class Block:
    """A block scalar: its lines and its header (``|``, ``|-``, ``>``, ``>-``)."""

    lines: tuple[str, ...]
    header: str

    @property
    def value(self) -> str:
        joined = ("\n" if self.header.startswith("|") else " ").join(self.lines)
        return joined if self.header.endswith("-") else joined + "\n"


@dataclass(frozen=True)
class Styled:
    """A scalar with the exact text to write for it (quote style chosen when drawn)."""

    value: Any
    text: str


def plain_data(value: Any) -> Any:
    """What a file should read back as."""
    if isinstance(value, Block):
        return value.value
    if isinstance(value, Styled):
        return plain_data(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_data(item) for item in value]
    return value


@st.composite
def styled_text(draw: st.DrawFn, text: str) -> Styled:
    """``text`` written plain, single-quoted or double-quoted (whichever reads back right)."""
    options = ["double"]
    if quotable_single(text):
        options.append("single")
    if plain_ok(text):
        options.append("plain")
    style = draw(st.sampled_from(options))
    if style == "plain":
        return Styled(text, text)
    if style == "single":
        return Styled(text, single_quoted(text))
    return Styled(text, double_quoted(text))


@st.composite
def styled_date(draw: st.DrawFn, day: date) -> Styled:
    iso = day.isoformat()
    text = draw(st.sampled_from([iso, iso, f"'{iso}'", f'"{iso}"']))
    return Styled(day, text)


@st.composite
def styled_bool(draw: st.DrawFn, value: bool) -> Styled:
    words = ["true", "True", "TRUE"] if value else ["false", "False", "FALSE"]
    return Styled(value, draw(st.sampled_from(words)))


def scalar_text(value: Any) -> str:
    if value is None:
        return "~"
    if isinstance(value, Styled):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value if plain_ok(value) else double_quoted(value)
    raise TypeError(value)


# ----------------------------------------------------------------------------- names

REALISTIC = [
    "Alex Morgan",
    "Jo Rivers",
    "Siobhán O'Connor",
    "Zoë Brontë-Hughes",
    "Łukasz Wójcik",
    "Nguyễn Thị Mai",
    "Dr. Ama Mensah",
    "François d'Arcy",
    "Yes",
    "No",
    "On",
    "Null Island",
    "Björk",
]
AWKWARD = "#:-[]{},&*!|>%@`'\"?\\ ."
EXOTIC = "é ñ ß Ł ø 中 文 😀 ’ \u00a0 \u2028 \u2029 \ufeff \u200b Ω"
NAME_CHARS = st.one_of(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ  "),
    st.sampled_from(AWKWARD),
    st.sampled_from(EXOTIC.replace(" ", "")),
    st.characters(
        min_codepoint=0x20, blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85"
    ),
)


# pcplan refuses these anywhere in a file, raw or escaped: control characters (SPEC §6)
# and the invisible ones that change how text reads (BOM, bidi overrides, U+2028/9).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def normal_name(name: str) -> str:
    """How `pcplan team` matches a name: spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


# Any name a person might type, and the names a file may hold.
any_names = st.one_of(
    st.sampled_from(REALISTIC),
    # (lists, not st.text: text() would merge the alphabets and rarely pick the exotic ones)
    st.lists(NAME_CHARS, min_size=1, max_size=24).map("".join),
).filter(lambda name: bool(name.strip()))
names = any_names.filter(lambda name: FORBIDDEN.search(name) is None)

words = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzéàüß’'-,.:;!?()#"), min_size=1, max_size=9
).filter(lambda word: not word.startswith("#"))


@st.composite
def prose_lines(draw: st.DrawFn) -> tuple[str, ...]:
    count = draw(st.integers(1, 4))
    lines = []
    for _ in range(count):
        line = " ".join(draw(st.lists(words, min_size=1, max_size=6)))
        lines.append(line)
    return tuple(lines)


# ----------------------------------------------------------------------------- challenges


@dataclass
class Shape:
    """How a generated challenge may depart from the plain valid one."""

    team: str = "full"  # full | empty-list | null | absent
    steps: str = "some"  # some | empty | null | absent


@st.composite
def challenges(draw: st.DrawFn, *, shape: Shape | None = None) -> dict[str, Any]:
    """A challenge that obeys SPEC §2 and every rule of §4 as of AS_OF (when ``shape`` is full)."""
    shape = shape or Shape()
    host = draw(st.sampled_from(SLUGS))
    start = working_day_on_or_after(AS_OF + timedelta(days=draw(st.integers(20 * 7, 6 * 365))))
    while not is_working_day(start + timedelta(days=1)):  # two consecutive days (¶11)
        start = working_day_on_or_after(start + timedelta(days=1))
    end = start + timedelta(days=1)
    challenge_id = f"{host}-{start:%Y-%m}" + draw(st.sampled_from(["", "-b", "-2"]))
    used: set[str] = set()

    def fresh_name() -> str:
        name = draw(names.filter(lambda n: normal_name(n) not in used))
        used.add(normal_name(name))
        return name

    host_dcs = fresh_name()
    data: dict[str, Any] = {
        "id": draw(styled_text(challenge_id)),
        "round": draw(st.integers(1, 1000)),
        "host": {"authority": host, "dcs": draw(styled_text(host_dcs))},
    }
    project_manager = draw(st.sampled_from(["absent", "null", "name"]))
    if project_manager == "null":
        data["host"]["project_manager"] = None
    elif project_manager == "name":
        data["host"]["project_manager"] = draw(styled_text(fresh_name()))
    data["topic"] = draw(styled_text(draw(names)))
    if draw(st.booleans()):
        data["scope"] = draw(
            st.one_of(
                st.builds(Block, prose_lines(), st.sampled_from(["|", "|-", ">", ">-"])),
                names.flatmap(styled_text),
            )
        )
    data["fieldwork"] = {"start": draw(styled_date(start)), "end": draw(styled_date(end))}

    lead_name = fresh_name()
    if shape.team == "full":
        others = [slug for slug in SLUGS if slug != host]
        authorities = draw(st.permutations(others))
        practitioner_roles = draw(
            st.lists(st.sampled_from(["team_leader", "practitioner"]), min_size=2, max_size=2)
        )
        core = [("dcs", True), ("assistant_director", False)] + [
            (role, False) for role in practitioner_roles
        ]
        members = []
        for (role, lead), authority in zip(core, authorities, strict=False):
            members.append(
                _member(draw, lead_name if lead else fresh_name(), authority, role, lead)
            )
        for _ in range(draw(st.integers(0, 2))):  # declined nominations: outside the core
            members.append(
                _member(
                    draw,
                    fresh_name(),
                    draw(st.sampled_from(others)),
                    draw(st.sampled_from(ROLES)),
                    draw(st.booleans()),
                    status="declined",
                )
            )
        if draw(st.booleans()):  # a partner: extra to the four
            members.append(
                _member(draw, fresh_name(), draw(st.sampled_from(others)), "partner", False)
            )
        lead_first = members[0]
        rest = draw(st.permutations(members[1:]))
        position = draw(st.integers(0, len(rest)))
        data["visiting_team"] = [*rest[:position], lead_first, *rest[position:]]
    elif shape.team == "empty-list":
        data["visiting_team"] = []
    elif shape.team == "null":
        data["visiting_team"] = None

    if draw(st.booleans()):
        data["lead_consent"] = {
            "given_by": draw(styled_text(host_dcs)),
            "date": draw(styled_date(AS_OF - timedelta(days=draw(st.integers(0, 60))))),
        }
        if draw(st.booleans()):
            data["lead_consent"]["reason"] = draw(
                st.one_of(
                    st.builds(Block, prose_lines(), st.sampled_from(["|", ">-"])),
                    names.flatmap(styled_text),
                )
            )

    if shape.steps == "some":
        steps: dict[str, Any] = {}
        # steps.data: `team` is recorded only for a whole team, `project_manager` with a name.
        recordable = [
            key
            for key in BEFORE_FIELDWORK
            if (key != "team" or shape.team == "full")
            and (key != "project_manager" or project_manager == "name")
        ]
        for key in draw(st.lists(st.sampled_from(recordable), unique=True, max_size=8)):
            done = draw(st.one_of(st.none(), st.integers(0, 120)))
            steps[key] = None if done is None else draw(styled_date(AS_OF - timedelta(done)))
        data["steps"] = steps
    elif shape.steps == "empty":
        data["steps"] = {}
    elif shape.steps == "null":
        data["steps"] = None

    if draw(st.booleans()):
        feedback: dict[str, Any] = {}
        if draw(st.booleans()):
            feedback["audience"] = [
                draw(styled_text(item)) for item in draw(st.lists(names, max_size=3))
            ]
        if draw(st.booleans()):
            feedback["format"] = draw(styled_text(draw(names)))
        if draw(st.booleans()):
            feedback["agreed_on"] = draw(styled_date(AS_OF - timedelta(draw(st.integers(0, 90)))))
        data["feedback"] = feedback
    if draw(st.booleans()):
        data["escalation"] = {
            "host_contact": draw(styled_text(host_dcs)),
            "visiting_contact": draw(styled_text(lead_name)),
        }
    if draw(st.booleans()):
        review: dict[str, Any] = {"opted_in": draw(styled_bool(draw(st.booleans())))}
        if draw(st.booleans()):
            review["contents"] = list(
                draw(st.lists(st.sampled_from(CONTENTS), unique=True, max_size=6))
            )
        if draw(st.booleans()):
            visit: dict[str, Any] = {"requested": draw(styled_bool(draw(st.booleans())))}
            if draw(st.booleans()):
                visit["hours"] = draw(st.sampled_from([3.5, 4, 4.0, 6, 7.5]))
            if draw(st.booleans()):
                visit["one_to_one"] = draw(styled_bool(draw(st.booleans())))
            review["visit"] = visit
        data["review"] = review

    order = draw(st.permutations(list(data)))
    return {key: data[key] for key in order}


def _member(
    draw: st.DrawFn, name: str, authority: str, role: str, lead: bool, status: str | None = None
) -> dict[str, Any]:
    member: dict[str, Any] = {"name": draw(styled_text(name)), "authority": authority}
    member["role"] = role
    if lead:
        member["lead"] = draw(styled_bool(True))
    elif draw(st.booleans()):
        member["lead"] = draw(styled_bool(False))
    if status is None:
        status = draw(st.sampled_from(["nominated", "confirmed", None]))
    if status is not None:
        member["status"] = status
    order = draw(st.permutations(list(member)))
    return {key: member[key] for key in order}


# ----------------------------------------------------------------------------- the emitter


@dataclass
class Line:
    text: str
    kind: str = "plain"  # plain | header (of a block scalar) | body (of a block scalar)
    indent: int = 0


@dataclass
class Style:
    unit: int = 2
    indentless: bool = False
    newline: str = "\n"
    bom: bool = False
    final_newline: bool = True
    draw: Any = None

    def pick(self, *options: str) -> str:
        choice: str = self.draw(st.sampled_from(options))
        return choice


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, Block))


def emit_mapping(mapping: dict[str, Any], indent: int, style: Style, first: str = "") -> list[Line]:
    lines: list[Line] = []
    for number, (key, value) in enumerate(mapping.items()):
        lead = first if number == 0 and first else " " * indent
        key_text = key if style.pick("plain", "plain", "plain", "quoted") == "plain" else f'"{key}"'
        lines += emit_value(lead + key_text + ":", value, indent, style)
    return lines


def emit_value(head: str, value: Any, indent: int, style: Style) -> list[Line]:
    if value is None:
        return [Line(head + style.pick("", "", " ~", " null"), indent=indent)]
    if isinstance(value, Block):
        body = indent + style.unit
        return [Line(f"{head} {value.header}", "header", indent)] + [
            Line(" " * body + line, "body", body) for line in value.lines
        ]
    if _is_scalar(value):
        return [Line(f"{head} {scalar_text(value)}", indent=indent)]
    if isinstance(value, dict):
        if not value:
            return [Line(head + " {}", indent=indent)]
        if all(_is_scalar(v) for v in value.values()) and style.pick("block", "block", "flow") == (
            "flow"
        ):
            inner = ", ".join(f"{k}: {scalar_text(v)}" for k, v in value.items())
            return [Line(f"{head} {{{inner}}}", indent=indent)]
        return [Line(head, indent=indent), *emit_mapping(value, indent + style.unit, style)]
    if isinstance(value, list):
        if not value:
            return [Line(head + " []", indent=indent)]
        if all(_is_scalar(v) for v in value) and style.pick("block", "flow") == "flow":
            return [Line(f"{head} [{', '.join(scalar_text(v) for v in value)}]", indent=indent)]
        if all(isinstance(v, dict) and all(map(_is_scalar, v.values())) for v in value) and (
            style.pick("block", "block", "block", "flow") == "flow"
        ):
            items = ", ".join(
                "{" + ", ".join(f"{k}: {scalar_text(v)}" for k, v in item.items()) + "}"
                for item in value
            )
            return [Line(f"{head} [{items}]", indent=indent)]
        dash = indent if style.indentless else indent + style.unit
        lines = [Line(head, indent=indent)]
        for item in value:
            if isinstance(item, dict) and item:
                lines += emit_mapping(item, dash + 2, style, first=" " * dash + "- ")
            else:
                lines += emit_value(" " * dash + "-", item, dash, style)
        return lines
    raise TypeError(value)


@dataclass
class Rendered:
    raw: bytes
    comment_lines: list[str]
    trailing_comments: list[str]


@st.composite
def rendered(
    draw: st.DrawFn, data: dict[str, Any], *, comments: bool, loose: bool | None = None
) -> Rendered:
    """``data`` as the bytes of a file; with ``comments``, commented on many lines.

    ``loose``: spaces and tabs left at the ends of lines and before comments (drawn
    when not given).
    """
    style = Style(
        unit=draw(st.sampled_from([2, 2, 4])),
        indentless=draw(st.booleans()),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()) if comments else True,
        draw=draw,
    )
    lines = emit_mapping(data, 0, style)
    if loose is None:
        loose = draw(st.booleans())
    out: list[str] = []
    counter = itertools.count(1)
    comment_text = st.text(
        st.one_of(st.sampled_from("abc xyz#:'\"-[]{}|>é中😀\t"), st.sampled_from(AWKWARD)),
        max_size=20,
    )
    if comments:
        out.append("# yaml-language-server: $schema=../schemas/challenge.schema.json")
    previous_kind = "plain"
    for line in lines:
        if comments and line.kind != "body":
            for _ in range(draw(st.integers(0, 2))):
                what = draw(st.sampled_from(["comment", "comment", "blank"]))
                if what == "blank":
                    out.append("")
                else:
                    # After a block scalar only a less-indented comment ends it safely.
                    depth = 0 if previous_kind == "body" else draw(st.integers(0, 8))
                    out.append(" " * depth + "#" + draw(comment_text))
        text = line.text
        if comments and line.kind != "body" and draw(st.integers(0, 2)) > 0:
            gap = draw(
                st.sampled_from([" ", "  ", "     ", "\t", " \t"]) if loose else st.just(" ")
            )
            text += gap + f"# tc-{next(counter)} " + draw(comment_text)
        if loose and line.kind != "body":  # trailing spaces and tabs, as editors leave them
            text += draw(st.sampled_from(["", "", " ", "\t", "  \t "]))
        out.append(text)
        previous_kind = line.kind
    if comments:
        for _ in range(draw(st.integers(0, 2))):
            out.append("#" + draw(comment_text) if draw(st.booleans()) else "")
        out.append("# end of file")
    body = style.newline.join(out) + (style.newline if style.final_newline else "")
    raw = ("\ufeff" if style.bom else "").encode() + body.encode("utf-8")
    return Rendered(raw, comment_lines_of(raw), trailing_comments_of(raw))


def _text_of(raw: bytes) -> str:
    return raw.decode("utf-8").removeprefix("\ufeff")


def comment_lines_of(raw: bytes) -> list[str]:
    """Every whole-line comment, exactly as written (up to its line ending).

    (The line ending is left out: a comment that ends a file with no final newline
    gains one when an edit appends below it, and the file still ends with none.)
    """
    return [
        line.removesuffix("\n").removesuffix("\r")
        for line in _text_of(raw).split("\n")
        if line.strip(" \t\r").startswith("#")
    ]


_TRAILING = re.compile(r"# tc-\d+ [^\r\n]*")


def trailing_comments_of(raw: bytes) -> list[str]:
    """Every marked trailing comment (``# tc-N …``), in order, to the end of its line."""
    return _TRAILING.findall(_text_of(raw))


def changed_lines(before: bytes, after: bytes) -> list[str]:
    """The lines of ``before`` that are not in ``after`` (line endings aside)."""
    old = [line.removesuffix("\r") for line in _text_of(before).split("\n")]
    new = [line.removesuffix("\r") for line in _text_of(after).split("\n")]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        line
        for tag, i1, i2, _, _ in matcher.get_opcodes()
        if tag in ("replace", "delete")
        for line in old[i1:i2]
    ]


def parsed(raw: bytes, events: str = "fast") -> dict[str, Any]:
    source = yamlio.decode(Path("x.yaml"), raw)
    return yamlio.parse(source, events=yamlio.EVENT_SOURCES[events]).data


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh programme directory per example (numbered: safe however tests are spread)."""

    def make(files: dict[str, bytes]) -> Path:
        directory = tmp_path_factory.mktemp("prop") / "challenges"
        directory.mkdir()
        (directory / "programme.yaml").write_text(PROGRAMME, encoding="utf-8")
        for name, raw in files.items():
            (directory / name).write_bytes(raw)
        return directory

    return make


def _file_name(data: dict[str, Any], suffix: str = ".yaml") -> str:
    return str(plain_data(data["id"])) + suffix


# ----------------------------------------------------------------------------- valid files


@settings(SETTINGS)
@given(data=challenges(), suffix=st.sampled_from([".yaml", ".yml"]), pick=st.data())
def test_generated_valid_challenges_check_clean_and_schedule(
    workspace: Any, data: dict[str, Any], suffix: str, pick: st.DataObject
) -> None:
    text = pick.draw(rendered(data, comments=pick.draw(st.booleans())))
    note(text.raw.decode("utf-8", errors="replace"))
    assert parsed(text.raw) == plain_data(data), "the test's emitter wrote something else"
    model = validate_challenge(parsed(text.raw))
    assert isinstance(model, Challenge), model

    directory = workspace({_file_name(data, suffix): text.raw})
    checked = run("check", "--format", "json", "--as-of", AS_OF.isoformat(), directory=directory)
    steps = plain_data(data.get("steps")) or {}
    # These files plan no visit: once logistics is recorded done, visit.unplanned says so (§9).
    expected = ["visit.unplanned"] if steps.get("logistics") is not None else []
    # A requested return visit plans its one-to-one between the DCSs, or review.one_to_one says so.
    if not model.review.visit.one_to_one and model.review.visit.requested:
        expected.append("review.one_to_one")
    found = [p["rule"] for p in checked.json()["problems"]]
    assert sorted(found) == sorted(expected), checked.stdout
    assert checked.exit_code == 0, checked
    assert checked.json()["files_checked"] == 1

    challenge_id = str(plain_data(data["id"]))
    shown = run(
        "schedule", challenge_id, "--format", "json", "--as-of", AS_OF.isoformat(),
        directory=directory,
    )  # fmt: skip
    assert shown.exit_code == 0, shown
    schedule = shown.json()
    assert [step["step"] for step in schedule["steps"]] == list(STEP_KEYS)
    assert schedule["fieldwork"] == {
        "start": plain_data(data["fieldwork"]["start"]),
        "end": plain_data(data["fieldwork"]["end"]),
    }
    recorded = plain_data(data.get("steps") or {})
    for step in schedule["steps"]:
        assert step["done"] == recorded.get(step["step"]), step
        if recorded.get(step["step"]) is not None:
            assert step["status"] == "done", step
        elif step["status"] != "not_applicable":
            assert step["status"] == "upcoming", step  # fieldwork is at least 20 weeks away


def _both(raw: bytes) -> tuple[Any, Any]:
    """What each event source makes of a file: a document, or the problem it reports."""
    source = yamlio.decode(Path("x.yaml"), raw)
    found = []
    for events in ("fast", "roundtrip"):
        try:
            found.append(yamlio.parse(source, spans=True, events=yamlio.EVENT_SOURCES[events]))
        except yamlio.YamlProblem as problem:
            found.append(f"{problem.line}:{problem.column}: {problem.message}")
    return found[0], found[1]


@settings(SETTINGS)
@given(data=challenges(), pick=st.data())
def test_both_parsers_read_generated_files_alike(data: dict[str, Any], pick: st.DataObject) -> None:
    """Fast (libyaml) and round-trip (pure-Python) events: same data, positions and spans.

    (Every aspect is compared before the test fails, so that a difference in one does
    not hide one in another; whitespace at the ends of lines has its own test below.)
    """
    text = pick.draw(rendered(data, comments=pick.draw(st.booleans()), loose=False))
    note(repr(text.raw.decode("utf-8")))
    fast, roundtrip = _both(text.raw)
    assert isinstance(fast, yamlio.Document), fast
    assert fast.data == plain_data(data), "the test's emitter wrote something else"
    assert isinstance(roundtrip, yamlio.Document), f"roundtrip refused it: {roundtrip}"
    differing: dict[str, Any] = {}
    for aspect in ("data", "positions", "key_spans", "spans"):
        left, right = getattr(fast, aspect), getattr(roundtrip, aspect)
        if left == right:
            continue
        if aspect == "data":
            differing[aspect] = (left, right)
        else:
            differing[aspect] = {
                key: (left.get(key), right.get(key))
                for key in left.keys() | right.keys()
                if left.get(key) != right.get(key)
            }
    assert not differing, f"fast vs roundtrip: {differing}"


@settings(SETTINGS)
@given(data=challenges(), pick=st.data())
def test_both_parsers_accept_the_same_whitespace(data: dict[str, Any], pick: st.DataObject) -> None:
    """Spaces and tabs at the ends of lines and before comments, as editors leave them.

    The fast path reads them all. The pure-Python fallback refuses tabs used as
    separators (see test_parsers_agree.TABS_AS_SEPARATORS); wherever it reads a
    file, it must read it exactly as the fast path does.
    """
    text = pick.draw(rendered(data, comments=pick.draw(st.booleans()), loose=True))
    note(repr(text.raw.decode("utf-8")))
    fast, roundtrip = _both(text.raw)
    assert isinstance(fast, yamlio.Document), fast
    assert fast.data == plain_data(data), "the test's emitter wrote something else"
    if b"\t" in text.raw and not isinstance(roundtrip, yamlio.Document):
        return
    assert isinstance(roundtrip, yamlio.Document), f"roundtrip refused it: {roundtrip}"
    assert (roundtrip.data, roundtrip.positions) == (fast.data, fast.positions)


# ----------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class Edit:
    args: tuple[str, ...]

    def __repr__(self) -> str:
        return "pcplan " + " ".join(json.dumps(arg, ensure_ascii=False) for arg in self.args)


def _cli_name(name: str) -> bool:
    # A leading `-` would be read as an option; a person would write `--` first.
    return not name.lstrip().startswith("-") and "tc-" not in name


@st.composite
def edits(draw: st.DrawFn, challenge_id: str, known: list[str]) -> Edit:
    kind = draw(st.sampled_from(["done", "done", "add", "add", "confirm", "decline"]))
    if kind == "done":
        step = draw(st.sampled_from([*STEP_KEYS, "Scope", "review"]))
        day = draw(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
        return Edit(("done", challenge_id, step, "--on", day.isoformat()))
    cli_names = any_names.filter(_cli_name)
    if kind == "add":
        name = draw(st.one_of(cli_names, st.sampled_from(known))) if known else draw(cli_names)
        authority = draw(st.sampled_from([*SLUGS, "atlantis"]))
        role = draw(st.sampled_from(ROLES))
        lead = ("--lead",) if draw(st.booleans()) else ()
        return Edit(
            ("team", challenge_id, "add", name, "--authority", authority, "--role", role, *lead)
        )
    name = draw(st.one_of(st.sampled_from(known), cli_names)) if known else draw(cli_names)
    return Edit(("team", challenge_id, kind, name))


def expected_after(data: dict[str, Any], edit: Edit) -> tuple[str, dict[str, Any] | None]:
    """What an edit should do: ``("usage", None)`` for an exit-2 refusal, else the new data."""
    new = json.loads(json.dumps(data))
    args = edit.args
    if args[0] == "done":
        step, day = args[2], args[4]
        if step not in STEP_KEYS:
            return "usage", None
        if not isinstance(new.get("steps"), dict):
            new["steps"] = {}
        new["steps"][step] = day
        return "change", new
    action, name = args[2], args[3]
    team = new.get("visiting_team") or []
    matches = [
        i
        for i, m in enumerate(team)
        if isinstance(m, dict) and normal_name(str(m.get("name", ""))) == normal_name(name)
    ]
    if action == "add":
        name = name.strip()
        authority, role = args[5], args[7]
        if authority not in AUTHORITIES or not name or matches or FORBIDDEN.search(name):
            return "usage", None
        item: dict[str, Any] = {"name": name, "authority": authority, "role": role}
        if "--lead" in args:
            item["lead"] = True
        item["status"] = "nominated"
        new["visiting_team"] = [*team, item]
        return "change", new
    if not matches:
        return "usage", None
    member = team[matches[0]]
    member["status"] = "confirmed" if action == "confirm" else "declined"
    new["visiting_team"] = team
    return "change", new


SHAPES = st.builds(
    Shape,
    team=st.sampled_from(["full", "full", "empty-list", "null", "absent"]),
    steps=st.sampled_from(["some", "some", "empty", "null", "absent"]),
)


@st.composite
def edit_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], Rendered, list[Edit]]:
    data = draw(SHAPES.flatmap(lambda shape: challenges(shape=shape)))
    text = draw(rendered(data, comments=True))
    challenge_id = str(plain_data(data["id"]))
    known = [str(plain_data(m["name"])) for m in (data.get("visiting_team") or [])]
    known = [name for name in known if _cli_name(name)]
    sequence = draw(st.lists(edits(challenge_id, known), min_size=1, max_size=5))
    return data, text, sequence


def _ends_well(result: Run) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result
    assert result.exit_code in (0, 1, 2), result


@settings(SETTINGS)
@given(scenario=edit_scenarios())
def test_edit_sequences_keep_every_comment(workspace: Any, scenario: Any) -> None:
    data, text, sequence = scenario
    note(text.raw.decode("utf-8", errors="replace"))
    assert parsed(text.raw) == plain_data(data), "the test's emitter wrote something else"
    name = _file_name(data)
    directory = workspace({name: text.raw})
    path = directory / name
    before = text.raw
    current = plain_data(data)
    for edit in sequence:
        note(repr(edit))
        outcome, wanted = expected_after(current, edit)
        result = run(*edit.args, directory=directory)
        _ends_well(result)
        after = path.read_bytes()
        event(f"{edit.args[0]} {edit.args[2] if edit.args[0] == 'team' else ''}: "
              f"exit {result.exit_code}")  # fmt: skip
        if result.exit_code != 0:
            assert after == before, "a refused edit changed the file"
            if outcome == "usage":
                assert result.exit_code == 2, result
            else:
                note(f"refused: {result.stderr.strip()}")
            continue
        assert outcome == "change", (edit, result)
        # Only the line an edit is about may change; new lines may appear.
        removed = changed_lines(before, after)
        assert len(removed) <= 1, removed
        assert not any(line.strip(" \t").startswith("#") for line in removed), removed
        # Every whole-line comment is still there, byte for byte, in order ...
        assert comment_lines_of(after) == text.comment_lines
        # ... and so is every trailing comment.
        assert trailing_comments_of(after) == text.trailing_comments
        # The BOM stays (or stays away), and the file reads back as intended.
        assert after.startswith(b"\xef\xbb\xbf") == text.raw.startswith(b"\xef\xbb\xbf")
        if b"\r\n" in text.raw:
            assert after.count(b"\n") == after.count(b"\r\n"), "a line ending changed"
        else:
            assert b"\r" not in after, "a line ending changed"
        assert after.endswith(b"\n") == text.raw.endswith(b"\n"), "the final newline changed"
        now = parsed(after)
        assert now == wanted, (edit, now, wanted)
        assert isinstance(validate_challenge(now), Challenge)
        current, before = now, after
    assert trailing_comments_of(before) == text.trailing_comments
    assert comment_lines_of(before) == text.comment_lines


# ----------------------------------------------------------------------------- schedule


# SPEC §3's table, written out again here: (opens, due) as (anchor, weeks, months).
TABLE: dict[str, tuple[tuple[str, int, int], tuple[str, int, int] | None]] = {
    "dates": (("start", -18, 0), ("start", -14, 0)),
    "scope": (("start", -18, 0), ("start", -14, 0)),
    "team": (("start", -14, 0), ("start", -10, 0)),
    "planning_discussion": (("start", -14, 0), ("start", -10, 0)),
    "project_manager": (("start", -14, 0), ("start", -10, 0)),
    "self_assessment": (("start", -14, 0), ("start", -4, 0)),
    "briefing": (("start", -8, 0), ("start", -2, 0)),
    "logistics": (("start", -8, 0), ("start", -4, 0)),
    "reading_pack": (("start", -4, 0), ("start", -2, 0)),
    "pre_meeting": (("start", -2, 0), ("start", 0, 0)),
    "supplementary_reading": (("start", -1, 0), ("start", 0, 0)),
    "fieldwork": (("start", 0, 0), ("end", 0, 0)),
    "response_document": (("end", 0, 0), None),  # due: end + response_document_weeks
    "impact_review": (("end", 0, 6), None),
    "impact_visit": (("end", 0, 6), None),
}
MOVES = set(STEP_KEYS[:11]) | {"response_document"}


def _at(anchor: tuple[str, int, int], start: date, end: date) -> date:
    base = start if anchor[0] == "start" else end
    return base + relativedelta(weeks=anchor[1], months=anchor[2])


def _previous_working_day(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


@dataclass
class Expected:
    opens: date | None
    nominal_due: date | None
    due: date | None
    status: str


def oracle(
    start: date,
    end: date,
    steps: dict[str, date | None],
    opted_in: bool,
    visit_requested: bool,
    response_weeks: int | None,
    due_soon_days: int,
    as_of: date,
) -> dict[str, Expected]:
    """SPEC §3, step by step, computed without pcplan."""
    found: dict[str, Expected] = {}
    for key in STEP_KEYS:
        if (key == "impact_review" and not opted_in) or (
            key == "impact_visit" and not (opted_in and visit_requested)
        ):
            found[key] = Expected(None, None, None, "not_applicable")
            continue
        opens_anchor, due_anchor = TABLE[key]
        opens = _at(opens_anchor, start, end)
        if key == "impact_visit" and steps.get("impact_review") is not None:
            opens = max(opens, steps["impact_review"])  # type: ignore[type-var]
        if key == "response_document":
            nominal = None if response_weeks is None else end + timedelta(weeks=response_weeks)
        else:
            nominal = None if due_anchor is None else _at(due_anchor, start, end)
        due = nominal
        if nominal is not None and key in MOVES:
            due = _previous_working_day(nominal)
        done = steps.get(key)
        # First match wins.
        if (done is not None and done <= as_of) or (key == "fieldwork" and as_of > end):
            status = "done"
        elif key in STEP_KEYS[:11] and as_of > end:
            status = "unrecorded"  # steps 1-11 once fieldwork is over
        elif due is not None and as_of > due:
            status = "overdue"
        elif due is not None and opens <= as_of <= due and (due - as_of).days < due_soon_days:
            status = "due_soon"
        elif (due is not None and opens <= as_of <= due) or (due is None and opens <= as_of):
            status = "open"
        elif as_of < opens:
            status = "upcoming"
        else:  # pragma: no cover - the SPEC's list covers every case
            raise AssertionError("no status matches")
        found[key] = Expected(opens, nominal, due, status)
    return found


@st.composite
def schedule_cases(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
    end = start + timedelta(days=draw(st.sampled_from([0, 1, 1, 1, 2, 3, 4])))
    steps: dict[str, date | None] = {}
    for key in draw(st.lists(st.sampled_from(STEP_KEYS), unique=True, max_size=8)):
        steps[key] = draw(
            st.one_of(st.none(), st.dates(start - timedelta(weeks=30), end + timedelta(weeks=60)))
        )
    return {
        "start": start,
        "end": end,
        "steps": steps,
        "opted_in": draw(st.booleans()),
        "visit_requested": draw(st.booleans()),
        "response_weeks": draw(st.one_of(st.none(), st.integers(1, 104))),
        "due_soon_days": draw(st.one_of(st.just(7), st.integers(0, 30))),
        "as_of": draw(
            st.one_of(
                st.dates(start - timedelta(weeks=20), end + timedelta(weeks=70)),
                st.sampled_from([start, end, start - timedelta(weeks=14)]),
            )
        ),
    }


def _challenge_of(case: dict[str, Any]) -> Challenge:
    model = validate_challenge(
        {
            "id": "kent-prop",
            "round": 1,
            "host": {"authority": "kent", "dcs": "Alex Morgan"},
            "topic": "Properties",
            "fieldwork": {"start": case["start"].isoformat(), "end": case["end"].isoformat()},
            "steps": {
                key: None if day is None else day.isoformat() for key, day in case["steps"].items()
            },
            "review": {
                "opted_in": case["opted_in"],
                "visit": {"requested": case["visit_requested"]},
            },
        }
    )
    assert isinstance(model, Challenge), model
    return model


def _expected_for(case: dict[str, Any]) -> dict[str, Expected]:
    return oracle(
        case["start"],
        case["end"],
        case["steps"],
        case["opted_in"],
        case["visit_requested"],
        case["response_weeks"],
        case["due_soon_days"],
        case["as_of"],
    )


# Always tried: fieldwork is over (D > end) though its recorded date is still to come.
FIELDWORK_OVER = {
    "start": date(2027, 6, 9),
    "end": date(2027, 6, 10),
    "steps": {"fieldwork": date(2027, 6, 30)},
    "opted_in": False,
    "visit_requested": False,
    "response_weeks": None,
    "due_soon_days": 7,
    "as_of": date(2027, 6, 14),
}


@settings(SETTINGS, max_examples=10 * SETTINGS.max_examples)  # pure and quick
@given(case=schedule_cases())
@example(case=FIELDWORK_OVER)
def test_schedule_keeps_spec_section_3(case: dict[str, Any]) -> None:
    challenge = _challenge_of(case)
    programme_settings = Settings(
        response_document_weeks=case["response_weeks"], due_soon_days=case["due_soon_days"]
    )
    schedule = compute_schedule(challenge, programme_settings, case["as_of"])
    expected = _expected_for(case)
    assert [entry.key for entry in schedule.steps] == list(STEP_KEYS)
    for entry in schedule.steps:
        want = expected[entry.key]
        nominal = entry.moved_from or entry.due
        # Due dates of steps 1-11 and 13 are working days, moved back from a day off.
        if entry.key in MOVES and entry.due is not None:
            assert is_working_day(entry.due), (entry.key, entry.due)
            assert nominal is not None and entry.due <= nominal
            assert all(
                not is_working_day(nominal - timedelta(days=back))
                for back in range((nominal - entry.due).days)
            ), (entry.key, entry.due, nominal)
        elif entry.key not in MOVES:
            assert entry.moved_from is None, entry
        # Windows in order: opens no later than the nominal due date.
        if entry.opens is not None and nominal is not None:
            assert entry.opens <= nominal, entry
        # The dates and the status SPEC §3 gives.
        assert (entry.opens, nominal, entry.due) == (want.opens, want.nominal_due, want.due), (
            entry.key,
            entry,
            want,
        )
        assert entry.status == want.status, (entry.key, entry, want)


@settings(SETTINGS)
@given(case=schedule_cases())
@example(case=FIELDWORK_OVER)
def test_schedule_command_shows_the_same_as_spec_section_3(
    workspace: Any, case: dict[str, Any]
) -> None:
    """The same, through `pcplan schedule --format json` on a file."""
    steps = "".join(
        f"  {key}:{'' if day is None else ' ' + day.isoformat()}\n"
        for key, day in case["steps"].items()
    )
    text = (
        "id: kent-prop\nround: 1\nhost:\n  authority: kent\n  dcs: Alex Morgan\n"
        "topic: Properties\n"
        f"fieldwork:\n  start: {case['start']}\n  end: {case['end']}\n"
        + (f"steps:\n{steps}" if steps else "")
        + f"review:\n  opted_in: {str(case['opted_in']).lower()}\n"
        f"  visit: {{requested: {str(case['visit_requested']).lower()}}}\n"
    )
    programme_settings = (
        "settings:\n"
        + (
            f"  response_document_weeks: {case['response_weeks']}\n"
            if case["response_weeks"] is not None
            else ""
        )
        + f"  due_soon_days: {case['due_soon_days']}\n"
    )
    directory = workspace({"kent-prop.yaml": text.encode()})
    programme = PROGRAMME.split("settings:")[0] + programme_settings
    (directory / "programme.yaml").write_text(programme, encoding="utf-8")
    shown = run(
        "schedule", "kent-prop", "--format", "json", "--as-of", case["as_of"].isoformat(),
        directory=directory,
    )  # fmt: skip
    assert shown.exit_code == 0, shown
    expected = _expected_for(case)
    got = shown.json()["steps"]
    assert [step["step"] for step in got] == list(STEP_KEYS)
    for step in got:
        want = expected[step["step"]]
        iso = {None: None} | {d: d.isoformat() for d in (want.opens, want.due) if d is not None}
        assert (step["opens"], step["due"], step["status"]) == (
            iso[want.opens],
            iso[want.due],
            want.status,
        ), (step, want)


@settings(SETTINGS)
@given(
    st.lists(
        st.tuples(st.integers(738000, 738040), st.integers(-3, 6), st.sampled_from("ab")),
        min_size=2,
        max_size=12,
    )
)
@example([(738000, 0, "a"), (738000, -1, "a")])  # same start, the later file's end first
def test_team_diary_flags_exactly_the_overlapping_appearances(
    periods: list[tuple[int, int, str]],
) -> None:
    """The diary rule's quick test for a group with no overlap never hides one (an end
    before its start included: `fieldwork.dates` reports those, and the rule reads them
    as it always has)."""
    from pcplan.rules import Sighting, team
    from pcplan.rules.team import check_diaries

    group = [
        Sighting(f"f{index}.yaml", 1, 1, name, (start, start + length, f"c{index}", "lead"))
        for index, (start, length, name) in enumerate(periods)
    ]
    shared = [[s for s in group if s.value == name] for name in "ab"]
    shared = [same for same in shared if len(same) > 1]
    flagged = [found for found in check_diaries(shared)]
    quick = team._overlapping
    try:
        team._overlapping = lambda appearances: True  # the full sweep for every group
        assert flagged == list(check_diaries(shared))
    finally:
        team._overlapping = quick
    if all(length >= 0 for _, length, _ in periods):  # and, for real periods, every pair
        expected = {
            one.display
            for one in group
            for other in group
            if one is not other
            and one.value == other.value
            and one.detail[0] <= other.detail[1]
            and other.detail[0] <= one.detail[1]
        }
        assert {sighting.display for sighting, _ in flagged} == expected


@settings(SETTINGS)
@given(
    st.one_of(
        st.binary(max_size=40),
        st.lists(st.integers(0, 127), max_size=40).map(bytes),
        st.text(max_size=30).map(lambda text: text.encode("utf-8")),
    )
)
@example(b"id: x\n\x7f")
@example(b"\tid: x\r\n")
@example(b"\xef\xbb\xbfid: x\n")
def test_plain_ascii_is_decoded_as_every_other_text(raw: bytes) -> None:
    """The quick path for printable ASCII refuses and keeps exactly what the full one does."""
    from pcplan.yamlio import YamlProblem, _checked_text, decode

    def outcome(read: Any) -> Any:
        try:
            return read()
        except YamlProblem as problem:
            return (problem.message, problem.line, problem.column)

    quick = outcome(lambda: (lambda source: (source.text, source.bom))(decode(Path("x"), raw)))
    assert quick == outcome(lambda: _checked_text(raw))


@settings(SETTINGS)
@given(st.integers(0, 2500), st.integers(2, 8))
def test_worker_chunks_keep_every_file_in_order_and_end_small(files: int, workers: int) -> None:
    """The workers' chunks hold every file once, in walk order; the last ones are small."""
    from pcplan.checker import CHUNK, _chunks

    chunks = _chunks(list(range(files)), workers)
    assert [item for chunk in chunks for item in chunk] == list(range(files))
    assert all(0 < len(chunk) <= CHUNK for chunk in chunks)
    ending = chunks[-2 * workers * 4 :] if files >= 2 * workers * CHUNK else chunks
    assert all(len(chunk) <= CHUNK // 4 for chunk in ending)


# ----------------------------------------------------------------- id.filename


@given(st.text(alphabet="ab.- _", min_size=1, max_size=12).filter(lambda n: n not in (".", "..")))
@example("kent-2027-06..yaml")
@example(".yaml")
@example("kent.")
@example("..yaml")
@example("a.b.")
def test_id_filename_reads_a_file_name_as_pathlib_does(name: str) -> None:
    """The rule splits the name itself (the walk gives text); the split is Path's, on
    whichever Python runs (3.14 splits names with a leading or trailing dot otherwise)."""
    from types import SimpleNamespace

    from pcplan.rules.identity import check_id_matches_filename

    path = Path("round-1") / name
    ctx: Any = SimpleNamespace(file_name=name, challenge=SimpleNamespace(id="kent"))
    problems = list(check_id_matches_filename(ctx))
    if path.stem == "kent":
        assert problems == []
    else:
        (problem,) = problems
        assert f"rename the file to `kent{path.suffix}` or set `id: {path.stem}`" in problem.message


# ----------------------------------------------------------------- file names shown


@given(
    st.sampled_from([".", "challenges", "challenges/", "./c", "/srv/prog", "::x", "a\x1bb"]),
    st.sampled_from(["", ".", "challenges", "::c", "c\nd"]),
    st.lists(
        st.tuples(
            st.booleans(),
            st.text(alphabet="ab/:.\n\x1b\u202e", min_size=0, max_size=8),
        ),
        max_size=6,
    ),
)
@example(".", "challenges", [(True, "/a//b")])  # (not under the root: shown as it is)
@example("challenges", "challenges", [(True, "")])  # (the root itself)
@example(".", ".", [(True, "a"), (True, "::a")])  # (`::` starts a workflow command)
def test_the_walks_names_are_shown_alike_one_by_one_or_all_at_once(
    root: str, shown_as: str, parts: list[tuple[bool, str]]
) -> None:
    """ProgrammeDir.displays (for thousands of walked paths) agrees with display."""
    from pcplan.directory import ProgrammeDir

    programme_dir = ProgrammeDir(Path(root), shown_as)
    lead = "" if root == "." else root if root.endswith("/") else f"{root}/"
    paths: list[Path | str] = [
        f"{lead}{tail}" if under else Path(tail or "x") for under, tail in parts
    ]
    assert programme_dir.displays(paths) == [programme_dir.display(path) for path in paths]


# ----------------------------------------------------------------- plain scalars

# YAML 1.2.2 §10.3.2, the core schema's tag resolution, written out from the spec.
_CORE_NULL = re.compile(r"null|Null|NULL|~|")
_CORE_BOOL = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_OCTAL = re.compile(r"0o[0-7]+")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_CORE_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_CORE_NAN = re.compile(r"\.(nan|NaN|NAN)")


def _core_schema(text: str) -> Any:
    if _CORE_NULL.fullmatch(text):
        return None
    if text in _CORE_BOOL:
        return _CORE_BOOL[text]
    if _CORE_INT.fullmatch(text):
        return int(text)
    if _CORE_OCTAL.fullmatch(text):
        return int(text[2:], 8)
    if _CORE_HEX.fullmatch(text):
        return int(text[2:], 16)
    if _CORE_FLOAT.fullmatch(text):
        return float(text)
    if _CORE_INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _CORE_NAN.fullmatch(text):
        return float("nan")
    return text


@given(
    st.one_of(
        st.text(alphabet="0123456789+-.eExXoabfFnNtTuUlLrsi~_ ", max_size=8),
        st.sampled_from([*sorted(_CORE_BOOL), "null", "Null", "NULL", "~", "", "nULL", "tRUE"]),
        st.sampled_from([".inf", "-.Inf", "+.INF", ".NaN", ".nan", "0o17", "0x1F", "0o8"]),
        st.sampled_from(["2027-06-09", "Nottingham", "team leader", "false alarm", "~x"]),
    )
)
def test_plain_scalars_read_as_the_yaml_core_schema_says(text: str) -> None:
    """What yamlio makes of a plain scalar: the spec's reading (dates, which it lacks,
    stay text: the models read them)."""
    got, expected = yamlio.resolve_plain(text), _core_schema(text)
    assert type(got) is type(expected)
    assert repr(got) == repr(expected)
