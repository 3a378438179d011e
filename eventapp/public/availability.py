"""What the public sees about an event's seats: one small value object per event (or tour),
computed from counts the caller loaded in one query (services.counts.event_counts).
Templates turn it into words ("120 places left", "Full — waiting list open", ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from eventapp.models import Event, utcnow
from eventapp.services.counts import Counts, free_seats


@dataclass
class Availability:
    # draft, cancelled, ended, not_yet_open, closed, open; tours: tour_open, tour_upcoming
    state: str
    confirmed: int = 0
    waitlisted: int = 0
    free: int | None = None  # None: unlimited
    attendance: int = 0  # past events: people checked in (or confirmed if nobody was scanned)
    open_stages: int = 0
    full_stages: int = 0  # of the open stages, those with only a waiting list left
    taken: int = 0  # seats taken: confirmed + held by waiting-list offers
    opens_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state in ("open", "tour_open")

    @property
    def is_full(self) -> bool:
        return self.state == "open" and self.free == 0


def _attendance(counts: Counts) -> int:
    return counts.checked_in or counts.confirmed


def for_event(event: Event, counts: Counts, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    state = event.registration_state(now)
    return Availability(
        state=state,
        confirmed=counts.confirmed,
        waitlisted=counts.waitlisted,
        free=free_seats(event, counts.taken),
        taken=counts.taken,
        attendance=_attendance(counts),
        opens_at=event.registration_opens_at if state == "not_yet_open" else None,
    )


def for_tour(
    tour: Event,
    stages: Iterable[Event],
    counts: dict[int, Counts],
    now: datetime | None = None,
) -> Availability:
    """A tour sums its stages; it is open while at least one stage takes registrations."""
    now = now or utcnow()
    stages = list(stages)
    states = [s.registration_state(now) for s in stages]
    total = Counts()
    for stage in stages:
        c = counts.get(stage.id, Counts())
        total.confirmed += c.confirmed
        total.waitlisted += c.waitlisted
        total.checked_in += c.checked_in
        total.offered += c.offered
    open_stages = states.count("open")
    full_stages = sum(
        1
        for stage, st in zip(stages, states, strict=True)
        if st == "open" and free_seats(stage, counts.get(stage.id, Counts()).taken) == 0
    )
    if tour.registration_state(now) == "cancelled":
        state = "cancelled"
    elif open_stages:
        state = "tour_open"
    elif stages and all(s == "ended" for s in states):
        state = "ended"
    elif "not_yet_open" in states:
        state = "not_yet_open"
    elif not stages:
        state = "tour_upcoming"
    else:
        state = "closed"
    opens = [s.registration_opens_at for s, st in zip(stages, states, strict=True)]
    opens = [o for o, st in zip(opens, states, strict=True) if st == "not_yet_open" and o]
    return Availability(
        state=state,
        confirmed=total.confirmed,
        waitlisted=total.waitlisted,
        attendance=_attendance(total),
        open_stages=open_stages,
        full_stages=full_stages,
        taken=total.taken,
        opens_at=min(opens) if opens else None,
    )
