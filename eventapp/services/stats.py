"""Counts for the dashboard and the statistics page, all from aggregate SQL (GROUP BY): a fixed
number of statements whatever the number of events or registrations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Event, Registration, RegistrationStatus, User, utcnow
from eventapp.permissions import EVENT_PERMS, Perm, accessible_events_clause
from eventapp.services.counts import Counts, event_counts

LIVE = Registration.status != RegistrationStatus.CANCELLED


def fill_rate(confirmed: int, capacity: int | None) -> float | None:
    return confirmed / capacity if capacity else None


@dataclass
class EventRow:
    event: Event
    counts: Counts
    can_manage: bool

    @property
    def fill(self) -> float | None:
        return fill_rate(self.counts.confirmed, self.event.capacity)


@dataclass
class TourGroup:
    tour: Event
    can_manage: bool
    stages: list[EventRow] = field(default_factory=list)

    @property
    def totals(self) -> Counts:
        return Counts(
            **{
                key: sum(getattr(row.counts, key) for row in self.stages)
                for key in ("confirmed", "waitlisted", "pending", "cancelled", "checked_in")
            }
        )

    @property
    def capacity(self) -> int | None:
        if not self.stages or any(row.event.capacity is None for row in self.stages):
            return None
        return sum(row.event.capacity for row in self.stages)

    @property
    def fill(self) -> float | None:
        return fill_rate(self.totals.confirmed, self.capacity)

    @property
    def ends_at(self) -> datetime:
        return max([self.tour.ends_at, *(row.event.ends_at for row in self.stages)])


@dataclass
class Dashboard:
    upcoming: list = field(default_factory=list)  # EventRow or TourGroup, soonest first
    past: list = field(default_factory=list)  # most recent first

    def upcoming_event_ids(self) -> list[int]:
        """The upcoming events and stages that take registrations (tours' stages included)."""
        ids: list[int] = []
        for item in self.upcoming:
            rows = item.stages if isinstance(item, TourGroup) else [item]
            ids.extend(row.event.id for row in rows)
        return ids

    @property
    def empty(self) -> bool:
        return not (self.upcoming or self.past)


def dashboard(user: User, now: datetime | None = None) -> Dashboard:
    """The user's events (check-in staff included) with their counts, stages grouped under
    their tour with the tour's totals across the stages shown. Four statements at most."""
    now = now or utcnow()
    events = list(
        db.session.scalars(
            select(Event)
            .where(accessible_events_clause(user, *EVENT_PERMS))
            .order_by(Event.starts_at, Event.id)
        )
    )
    ids = [e.id for e in events]
    managed = set(
        db.session.scalars(select(Event.id).where(accessible_events_clause(user, Perm.EVENT_VIEW)))
    )
    counts = event_counts(ids)
    by_id = {e.id: e for e in events}
    missing_tours = {e.parent_id for e in events if e.parent_id and e.parent_id not in by_id}
    if missing_tours:
        for tour in db.session.scalars(select(Event).where(Event.id.in_(missing_tours))):
            by_id[tour.id] = tour
    groups: dict[int, TourGroup] = {}
    items: list = []
    for event in events:
        if event.is_tour:
            group = groups.setdefault(event.id, TourGroup(event, can_manage=event.id in managed))
            items.append(group)
    for event in events:
        if event.is_tour:
            continue
        row = EventRow(event, counts[event.id], event.id in managed)
        if event.parent_id:
            group = groups.get(event.parent_id)
            if group is None:
                tour = by_id[event.parent_id]
                group = groups[tour.id] = TourGroup(tour, can_manage=tour.id in managed)
                items.append(group)
            group.stages.append(row)
        else:
            items.append(row)
    for group in groups.values():
        group.stages.sort(key=lambda row: (row.event.position or 0, row.event.starts_at))
    result = Dashboard()

    def start(item):
        return item.tour.starts_at if isinstance(item, TourGroup) else item.event.starts_at

    def end(item):
        return item.ends_at if isinstance(item, TourGroup) else item.event.ends_at

    for item in sorted(items, key=start):
        (result.upcoming if end(item) >= now else result.past).append(item)
    result.past.reverse()
    return result


# --- one event ------------------------------------------------------------------------------


@dataclass
class EventStats:
    counts: Counts
    timeline: list[tuple[date, int, int]]  # (period start, new registrations, cumulative)
    weekly: bool
    categories: list[tuple[str, int]]  # (category value, live registrations), largest first
    regions: list[tuple[str | None, int]]

    @property
    def live(self) -> int:
        return self.counts.live

    @property
    def checkin_rate(self) -> float | None:
        if not self.counts.confirmed:
            return None
        return self.counts.checked_in / self.counts.confirmed


def _hour_bucket():
    created = Registration.created_at
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", created))
    return func.strftime("%Y-%m-%d %H:00:00", created)


def _as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timeline(event_id: int, zone: ZoneInfo) -> tuple[list[tuple[date, int, int]], bool]:
    """Registrations received per day in `zone` (per week past two months), cumulative. The
    database groups by UTC hour (one GROUP BY, portable); hours are then placed on local days,
    so daylight saving time is exact."""
    bucket = _hour_bucket().label("bucket")
    rows = db.session.execute(
        select(bucket, func.count())
        .where(Registration.event_id == event_id)
        .group_by(bucket)
        .order_by(bucket)
    ).all()
    per_day: dict[date, int] = defaultdict(int)
    for hour, count in rows:
        per_day[_as_utc(hour).astimezone(zone).date()] += int(count)
    if not per_day:
        return [], False
    first, last = min(per_day), max(per_day)
    weekly = (last - first).days > 62
    step = timedelta(days=7 if weekly else 1)
    start = first - timedelta(days=first.weekday()) if weekly else first
    series = []
    cumulative = 0
    day = start
    while day <= last:
        new = sum(per_day.get(day + timedelta(days=n), 0) for n in range(step.days))
        cumulative += new
        series.append((day, new, cumulative))
        day += step
    return series, weekly


TREND_DAYS = 30


def registration_trend(
    event_ids: list[int], zone: ZoneInfo, *, days: int = TREND_DAYS, now: datetime | None = None
) -> list[tuple[date, int]]:
    """Registrations received per day (in `zone`) by these events over the last `days` days,
    today included, days without any as 0; one GROUP BY (by UTC hour, placed on local days as in
    `timeline`). Empty when there is no event."""
    if not event_ids:
        return []
    now = now or utcnow()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    bucket = _hour_bucket().label("bucket")
    rows = db.session.execute(
        select(bucket, func.count())
        .where(Registration.event_id.in_(event_ids), Registration.created_at >= since)
        .group_by(bucket)
    ).all()
    per_day: dict[date, int] = defaultdict(int)
    for hour, count in rows:
        per_day[_as_utc(hour).astimezone(zone).date()] += int(count)
    return [
        (first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


def breakdown(event_id: int, column) -> list[tuple[str | None, int]]:
    rows = db.session.execute(
        select(column, func.count())
        .where(Registration.event_id == event_id, LIVE)
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [(str(value) if value is not None else None, int(count)) for value, count in rows]


def event_stats(event: Event, zone: ZoneInfo) -> EventStats:
    """Four GROUP BY statements: counts, timeline, categories, regions."""
    series, weekly = timeline(event.id, zone)
    return EventStats(
        counts=event_counts([event.id])[event.id],
        timeline=series,
        weekly=weekly,
        categories=breakdown(event.id, Registration.category),
        regions=breakdown(event.id, Registration.region),
    )
