"""Working days, England and Wales bank holidays, and week/month arithmetic.

Bank holidays come from the ``holidays`` package (UK, subdivision ENG). Importing
it and building a year costs about a quarter of a second, more than the rest of
a small `pcplan check`, so the dates it gives are kept in a small cache file
keyed by the package's version (``$PCPLAN_CACHE_DIR``, else
``$XDG_CACHE_HOME/pcplan``, else ``~/.cache/pcplan``). The package is still the
only source: a new ``holidays`` release starts a new cache, and an unwritable
cache directory just means computing each run.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

SPAN = 12  # years computed around a missing year in one go


def add_weeks(day: date, weeks: int) -> date:
    """Whole weeks. (Exactly what ``relativedelta(weeks=n)`` gives, at a tenth of the cost.)"""
    return day + timedelta(weeks=weeks)


_MONTHS: dict[tuple[date, int], date] = {}  # (a programme's files share most of their dates)


def add_months(day: date, months: int) -> date:
    """Calendar months with dateutil, clipped to the month's end (31 Aug + 6 months = 28 Feb)."""
    key = (day, months)
    found = _MONTHS.get(key)
    if found is None:
        found = _MONTHS[key] = day + relativedelta(months=months)
    return found


def show_date(day: date) -> str:
    """A date as people in the programme write it: ``Thu 25 Mar 2027``."""
    return day.strftime("%a %d %b %Y")


def week_commencing(day: date) -> date:
    """The Monday of the week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


class BankHolidays:
    """England and Wales bank holidays, computed only for the years asked about."""

    def __init__(self, cache_dir: Path | None = None, *, use_cache: bool = True) -> None:
        self._years: dict[int, frozenset[date]] = {}
        self._names: dict[date, str] = {}
        self._cache_dir = cache_dir
        self._use_cache = use_cache
        self._cache_loaded = False

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        year = self._years.get(day.year)
        if year is None:
            year = self._load(day.year)
        return day in year

    def name(self, day: date) -> str | None:
        """The holiday's name, e.g. ``"Easter Monday"``, or None."""
        return self._names.get(day) if day in self else None

    def _load(self, year: int) -> frozenset[date]:
        if self._use_cache and not self._cache_loaded:
            self._cache_loaded = True
            self._read_cache()
            if year in self._years:
                return self._years[year]
        self._compute(range(year - SPAN // 2, year + SPAN // 2 + 1))
        if self._use_cache:
            self._write_cache()
        return self._years[year]

    def _compute(self, years: range) -> None:
        import holidays

        calendar = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
        by_year: dict[int, set[date]] = {year: set() for year in years}
        for day, name in calendar.items():
            by_year.setdefault(day.year, set()).add(day)
            self._names[day] = name
        for year, days in by_year.items():
            self._years[year] = frozenset(days)

    # -- cache ------------------------------------------------------------------

    def _cache_file(self) -> Path | None:
        version = _holidays_version()
        if version is None:
            return None
        directory = self._cache_dir or default_cache_dir()
        return directory / f"bank-holidays-eng-{version}.json"

    def _read_cache(self) -> None:
        path = self._cache_file()
        if path is None:
            return
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            for year, entries in stored.items():
                days = []
                for iso, name in entries:
                    day = date.fromisoformat(iso)
                    self._names[day] = name
                    days.append(day)
                self._years[int(year)] = frozenset(days)
        except (OSError, ValueError, TypeError, AttributeError):
            return  # no cache yet, or a damaged one: compute instead

    def _write_cache(self) -> None:
        path = self._cache_file()
        if path is None:
            return
        payload = {
            str(year): [[day.isoformat(), self._names[day]] for day in sorted(days)]
            for year, days in sorted(self._years.items())
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # (only to write the cache: 12 ms to import)

            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".bank-holidays-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(payload, out)
            os.replace(temp, path)
        except OSError:
            return  # a read-only home is fine: the next run computes again


def default_cache_dir() -> Path:
    explicit = os.environ.get("PCPLAN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pcplan"


def _holidays_version() -> str | None:
    """The installed ``holidays`` version, found without importing anything heavy.

    ``importlib.metadata`` alone costs ~80 ms to import, so the version is read
    from the ``holidays-X.Y.dist-info`` folder beside the package; failing that,
    the package folder's modification time keys the cache.
    """
    from importlib.util import find_spec

    spec = find_spec("holidays")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        package = Path(location)
        for info in package.parent.glob("holidays-*.dist-info"):
            return info.name[len("holidays-") : -len(".dist-info")]
        try:
            return f"mtime-{package.stat().st_mtime_ns}"
        except OSError:
            continue
    return None


class WorkingDays:
    """Weekends and bank holidays, for moving due dates and checking fieldwork."""

    def __init__(self, bank_holidays: BankHolidays | None = None) -> None:
        self.bank_holidays = bank_holidays if bank_holidays is not None else BankHolidays()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the previous working day."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_after(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def why_not_working(self, day: date) -> str | None:
        """ "a Saturday", "a bank holiday (Easter Monday)", or None on a working day."""
        if day.weekday() >= 5:
            return f"a {day.strftime('%A')}"
        name = self.bank_holidays.name(day)
        return f"a bank holiday ({name})" if name else None


_DEFAULT: WorkingDays | None = None


def working_days() -> WorkingDays:
    """The process-wide calendar (so the bank holidays are computed once per run)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WorkingDays()
    return _DEFAULT


@functools.lru_cache(maxsize=4096)  # (an overview shows the same few dates many times)
def show_span(first: date, last: date) -> str:
    """A date range, compactly: ``21–22 Jan 2026``, ``30 Jun–1 Jul 2026``."""
    if first.year != last.year:
        return f"{first.day} {first:%b %Y}–{last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b}–{last.day} {last:%b %Y}"
    if first.day != last.day:
        return f"{first.day}–{last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y}"
