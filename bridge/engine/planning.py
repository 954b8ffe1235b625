"""When a publication goes out: publishing mode, schedule slots and pacing.

- ``publish_now``: ``due_at`` is the earliest time pacing allows; the publisher sends it then.
- ``schedule`` with ``delay``: the post is scheduled at ``max(first seen, published) + delay``
  (or later, if pacing says so); with ``slots``: at the first slot, in the workspace's time
  zone, at or after the earliest time that pacing allows. Slots are local wall-clock times
  turned into UTC for that very day, so "09:00" stays 09:00 across a DST change. Postoria
  holds scheduled posts, so ``due_at`` is now.
- ``queue``: due now; Postoria's queue decides the time, so pacing does not apply.

Pacing, per route: ``max_per_day`` posts per account per day (days in the workspace's time
zone), ``max_per_source_per_day`` posts of one source per day, and ``min_spacing`` between two
posts on an account. A burst of twenty new items then trickles out over days. The counts come
from the publications in the store, never from memory, so they survive restarts and are
shared by every process using the database.

An item dated in the future (beyond :data:`FUTURE_SKEW`) is never planned before its date:
feeds publish embargoed or scheduled entries early, and posting them early leaks them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ..errors import BridgeError
from ..store import Publication, PublicationState

if TYPE_CHECKING:
    from ..config import RouteConfig

FUTURE_SKEW = timedelta(minutes=10)
"""Clock differences tolerated before an item's date counts as being in the future."""

SCHEDULE_LEAD = timedelta(minutes=5)
"""A scheduled time is at least this far ahead, so Postoria still finds it in the future."""

MAX_DAYS_AHEAD = 400
"""How far ahead planning looks for a free slot before giving up."""

NOT_COUNTED = (PublicationState.SKIPPED, PublicationState.CANCELLED, PublicationState.FAILED)
"""Publications in these states took no place on an account and do not count for pacing."""


class PlanningError(BridgeError):
    """No time within :data:`MAX_DAYS_AHEAD` satisfies the route's pacing."""

    title = "Cannot plan"


@dataclass(frozen=True)
class Plan:
    """When the publisher may start (``due_at``) and the post's ``scheduled_time``, if any."""

    due_at: datetime
    scheduled_time: datetime | None
    note: str


@dataclass(frozen=True)
class Booking:
    """A place taken on some accounts at some time, by a stored or a hypothetical publication."""

    when: datetime
    account_ids: frozenset[int]
    source_id: int
    publication_id: int | None = None


def earliest_time(now: datetime, published: datetime | None) -> datetime:
    """Now, or the item's date when it lies in the future beyond :data:`FUTURE_SKEW`."""
    if published is not None and published > now + FUTURE_SKEW:
        return published
    return now


class Planner:
    """Plans publications of routes against what the store already holds.

    Read-only: it never writes. The store is read once per route; ``book`` adds what was
    planned since (the router's new publications, a preview's hypothetical ones), so several
    publications planned on one planner are paced against each other too.
    """

    def __init__(self, session: Session | None, now: datetime) -> None:
        self.session = session
        self.now = now
        self._extra: dict[str, list[Booking]] = {}
        self._stored: dict[str, list[Booking]] = {}

    def book(self, route_name: str, booking: Booking) -> None:
        """Count ``booking`` as taken on ``route_name`` (for previews)."""
        self._extra.setdefault(route_name, []).append(booking)

    def plan(
        self,
        route: RouteConfig,
        zone: ZoneInfo,
        account_ids: list[int],
        source_id: int,
        *,
        first_seen: datetime,
        published: datetime | None,
        exclude_id: int | None = None,
    ) -> Plan:
        """The plan for one publication of ``route`` on ``account_ids``."""
        earliest = earliest_time(self.now, published)
        if route.mode == "queue":
            return Plan(earliest, None, "added to the Postoria queue")
        pacing = _Pacing(
            route, zone, frozenset(account_ids), source_id, self._bookings(route, exclude_id)
        )
        if route.mode == "publish_now":
            when = pacing.first_allowed(earliest)
            return Plan(when, None, "published now" if when == self.now else "paced")
        lead = max(earliest, self.now + SCHEDULE_LEAD)
        if route.slots:
            when = pacing.first_slot(lead, route.sorted_slots)
            local = when.astimezone(zone)
            return Plan(self.now, when, f"{local:%Y-%m-%d %H:%M} slot ({zone.key})")
        assert route.delay is not None
        base = max(first_seen, published or first_seen) + route.delay
        when = pacing.first_allowed(max(base, lead))
        return Plan(self.now, when, f"{route.delay} after the item appeared")

    def _bookings(self, route: RouteConfig, exclude_id: int | None) -> list[Booking]:
        """What constrains the route's times: stored publications from recently on, plus the
        ones booked on this planner. Read once per route; routes without pacing need none."""
        if not (route.max_per_day or route.max_per_source_per_day or route.min_spacing):
            return []
        if route.name not in self._stored:
            self._stored[route.name] = self._load(route)
        stored = [b for b in self._stored[route.name] if b.publication_id != exclude_id]
        return stored + self._extra.get(route.name, [])

    def _load(self, route: RouteConfig) -> list[Booking]:
        if self.session is None:
            return []
        horizon = self.now - timedelta(days=2) - (route.min_spacing or timedelta(0))
        planned = sa.func.coalesce(Publication.scheduled_time, Publication.due_at)
        query = select(
            Publication.id,
            Publication.scheduled_time,
            Publication.due_at,
            Publication.account_ids,
            Publication.source_id,
        ).where(
            Publication.route == route.name,
            Publication.mode != "queue",
            Publication.state.not_in(NOT_COUNTED),  # type: ignore[attr-defined]
            planned >= horizon,
        )
        return [
            Booking(scheduled or due, frozenset(accounts), source_id, publication_id)
            for publication_id, scheduled, due, accounts, source_id in self.session.exec(query)
            if (scheduled or due) is not None
        ]


class _Pacing:
    """The route's pacing rules over a set of bookings, for one publication.

    Bookings are indexed once (per local day and account, per local day for the source, and
    as sorted times for spacing), so each candidate time is checked in logarithmic time and
    planning a burst of hundreds of items stays fast.
    """

    def __init__(
        self,
        route: RouteConfig,
        zone: ZoneInfo,
        accounts: frozenset[int],
        source_id: int,
        bookings: list[Booking],
    ) -> None:
        self.route = route
        self.zone = zone
        self.accounts = accounts
        self.source_id = source_id
        self.per_account_day: Counter[tuple[date, int]] = Counter()
        self.per_source_day: Counter[date] = Counter()
        shared: list[datetime] = []
        for booking in bookings:
            day = booking.when.astimezone(zone).date()
            for account in booking.account_ids & accounts:
                self.per_account_day[day, account] += 1
            if booking.source_id == source_id:
                self.per_source_day[day] += 1
            if booking.account_ids & accounts:
                shared.append(booking.when)
        self.shared_times = sorted(shared)

    def first_allowed(self, start: datetime) -> datetime:
        """The earliest time at or after ``start`` that breaks no pacing rule."""
        when = start
        limit = start + timedelta(days=MAX_DAYS_AHEAD)
        while when < limit:
            later = self._conflict(when)
            if later is None:
                return when
            when = later
        raise PlanningError(f"route {self.route.name!r}: no time within {MAX_DAYS_AHEAD} days")

    def first_slot(self, start: datetime, slots: list[time]) -> datetime:
        """The first slot at or after ``start`` that breaks no pacing rule."""
        day = start.astimezone(self.zone).date()
        for offset in range(MAX_DAYS_AHEAD):
            if self._day_full(day + timedelta(days=offset)):
                continue
            for slot in slots:
                candidate = local_time(day + timedelta(days=offset), slot, self.zone)
                if candidate >= start and self._conflict(candidate) is None:
                    return candidate
        raise PlanningError(f"route {self.route.name!r}: no free slot within {MAX_DAYS_AHEAD} days")

    def _conflict(self, when: datetime) -> datetime | None:
        """``None`` when ``when`` is allowed, else the next time worth trying."""
        day = when.astimezone(self.zone).date()
        if self._day_full(day):
            return local_time(day + timedelta(days=1), time(0), self.zone)
        spacing = self.route.min_spacing
        if spacing:
            low = bisect_right(self.shared_times, when - spacing)
            high = bisect_left(self.shared_times, when + spacing)
            if low < high:  # some booking lies less than ``spacing`` away
                return self.shared_times[high - 1] + spacing
        return None

    def _day_full(self, day: date) -> bool:
        """Whether the local ``day`` already has as many posts as the route allows."""
        most = self.route.max_per_day
        if most is not None and any(
            self.per_account_day[day, account] >= most for account in self.accounts
        ):
            return True
        most_from_source = self.route.max_per_source_per_day
        return most_from_source is not None and self.per_source_day[day] >= most_from_source


def local_time(day: date, slot: time, zone: ZoneInfo) -> datetime:
    """``slot`` on ``day`` in ``zone``, as UTC.

    A time skipped by a DST change (02:30 on the spring-forward night) lands at the same
    distance after the change; a repeated one (fall back) is its first occurrence.
    """
    return datetime.combine(day, slot, tzinfo=zone).astimezone(UTC)


def local_day(when: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC start and end of the workspace-local day containing ``when``."""
    day = when.astimezone(zone).date()
    return local_time(day, time(0), zone), local_time(day + timedelta(days=1), time(0), zone)
