"""Read-side queries of the public site: which events the public may see, the catalogue with its
filters, and everything a card, an event page or a tour page shows, loaded in a fixed number
of queries whatever the number of events (no N+1)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import aliased, selectinload

from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventKind,
    EventOrganiser,
    EventRegion,
    EventStatus,
    Organisation,
    Region,
    utcnow,
)
from eventapp.public import availability
from eventapp.services.counts import Counts, event_counts
from eventapp.text import fold, word_pattern

MAX_SLUG = 120
MAX_SEARCH_WORDS = 5


def _with_organisers(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Event.organiser_links).joinedload(EventOrganiser.organisation),
        selectinload(Event.region_links),
    )


# Built once: every public page of an event starts with this lookup.
_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"))
_BY_SLUG_WITH_ORGANISERS = _with_organisers(_BY_SLUG)


def public_event_or_404(slug: str, with_organisers: bool = True) -> Event:
    """A published or cancelled event (never a draft, nor a stage of a draft tour), with its
    organisers and regions loaded unless the page shows neither."""
    if not slug or len(slug) > MAX_SLUG:
        abort(404)
    query = _BY_SLUG_WITH_ORGANISERS if with_organisers else _BY_SLUG
    event = db.session.scalar(query, {"slug": slug})
    if event is None or event.status == EventStatus.DRAFT:
        abort(404)
    if event.parent_id is not None:
        parent = db.session.get(Event, event.parent_id)
        if parent is None or parent.status == EventStatus.DRAFT:
            abort(404)
    return event


def public_stages(tour: Event, with_organisers: bool = True) -> list[Event]:
    """A tour's public stages in order, with their organisers and regions loaded unless the
    caller shows neither."""
    query = (
        select(Event)
        .where(Event.parent_id == tour.id, Event.status != EventStatus.DRAFT)
        .order_by(Event.position, Event.starts_at, Event.id)
    )
    return list(db.session.scalars(_with_organisers(query) if with_organisers else query))


def organisers_of_public_events() -> list[Organisation]:
    organising = (
        select(EventOrganiser.organisation_id)
        .join(Event, Event.id == EventOrganiser.event_id)
        .where(Event.status != EventStatus.DRAFT)
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(organising))
            .order_by(Organisation.short_name)
        )
    )


@dataclass
class Filters:
    q: str = ""
    kind: str = ""
    region: str = ""
    organisation: Organisation | None = None
    when: str = "upcoming"


def catalogue_query(filters: Filters, now: datetime) -> Select:
    """Top-level public events (tours, congresses, workshops...; stages are on their tour's
    page) matching the filters, upcoming soonest first or past latest first."""
    stmt = select(Event).where(Event.status != EventStatus.DRAFT, Event.parent_id.is_(None))
    for word in fold(filters.q).split()[:MAX_SEARCH_WORDS]:
        # Every word, in either title, accents and case ignored ("congres" finds "Congrès"),
        # punctuation as typed ("100%" is not a pattern).
        pattern = word_pattern(word, literal_punctuation=True)
        stmt = stmt.where(
            or_(Event.title_fr.regexp_match(pattern), Event.title_en.regexp_match(pattern))
        )
    if filters.kind:
        stmt = stmt.where(Event.kind == filters.kind)
    if filters.region:
        in_region = select(EventRegion.event_id).where(EventRegion.region == Region(filters.region))
        stmt = stmt.where(or_(Event.region == filters.region, Event.id.in_(in_region)))
    if filters.organisation is not None:
        organised = select(EventOrganiser.event_id).where(
            EventOrganiser.organisation_id == filters.organisation.id
        )
        stage = aliased(Event)
        tours_with_stage = select(stage.parent_id).where(
            stage.id.in_(organised), stage.status != EventStatus.DRAFT
        )
        stmt = stmt.where(or_(Event.id.in_(organised), Event.id.in_(tours_with_stage)))
    if filters.when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        stmt = stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    return _with_organisers(stmt)


@dataclass
class Card:
    event: Event
    title: str
    organisers: list[str]
    availability: availability.Availability
    stages: list[Event] = field(default_factory=list)


def organiser_names(event: Event) -> list[str]:
    return [link.organisation.short_name for link in event.organiser_links]


def build_cards(events: list[Event], lang: str, now: datetime | None = None) -> list[Card]:
    """Cards for a page of events: one query for the tours' stages, one for all counts."""
    now = now or utcnow()
    tour_ids = [e.id for e in events if e.is_tour]
    stages_by_tour: dict[int, list[Event]] = defaultdict(list)
    if tour_ids:
        for stage in db.session.scalars(
            select(Event)
            .where(Event.parent_id.in_(tour_ids), Event.status != EventStatus.DRAFT)
            .order_by(Event.parent_id, Event.position, Event.id)
        ):
            stages_by_tour[stage.parent_id].append(stage)
    ids = [e.id for e in events] + [s.id for ss in stages_by_tour.values() for s in ss]
    counts = event_counts(ids)
    cards = []
    for event in events:
        if event.is_tour:
            stages = stages_by_tour.get(event.id, [])
            avail = availability.for_tour(event, stages, counts, now)
        else:
            stages = []
            avail = availability.for_event(event, counts[event.id], now)
        cards.append(Card(event, event.title(lang), organiser_names(event), avail, stages))
    return cards


def paragraphs(text: str) -> list[str]:
    """Description text split on blank lines (rendered escaped, one <p> each)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def calendar_feed_events(now: datetime, limit: int = 500) -> list[Event]:
    """Published (and cancelled, so calendars drop them) events and stages of the last year
    and the future; tours themselves are containers, their stages are the entries."""
    parent = aliased(Event)
    return list(
        db.session.scalars(
            select(Event)
            .outerjoin(parent, parent.id == Event.parent_id)
            .where(
                Event.status != EventStatus.DRAFT,
                Event.kind != EventKind.TOUR,
                Event.ends_at >= now - timedelta(days=365),
                or_(Event.parent_id.is_(None), parent.status != EventStatus.DRAFT),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


def stage_rows(tour: Event, lang: str, now: datetime) -> tuple[list[dict], dict[int, Counts]]:
    """A tour's public stages as its pages list them (the tour page, the registration form):
    number, title, regions (the main one first), organisers and availability; with the counts
    read for them (one query)."""
    stages = public_stages(tour)
    counts = event_counts([s.id for s in stages])
    rows = []
    for number, stage in enumerate(stages, start=1):
        regions = [link.region for link in stage.region_links]
        if stage.region and stage.region in regions:
            regions.remove(stage.region)
        regions = ([stage.region] if stage.region else []) + sorted(regions)
        rows.append(
            {
                "number": stage.position or number,
                "event": stage,
                "title": stage.title(lang),
                "regions": regions,
                "organisers": organiser_names(stage),
                "availability": availability.for_event(stage, counts[stage.id], now),
            }
        )
    return rows, counts
