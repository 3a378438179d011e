"""Test data factories. Each creates valid rows with sensible defaults and commits them."""

import itertools
from datetime import timedelta

from eventapp.extensions import db
from eventapp.models import (
    Booking,
    Event,
    EventOrganiser,
    EventRegion,
    Membership,
    Organisation,
    Registration,
    User,
    utcnow,
)

_seq = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery"


def _n() -> int:
    return next(_seq)


def organisation(**kw) -> Organisation:
    n = _n()
    values = {
        "slug": f"org-{n}",
        "name": f"Organisation {n}",
        "short_name": f"Org {n}",
        "kind": "pole",
        "regions": ["idf"],
    }
    values.update(kw)
    org = Organisation(**values)
    db.session.add(org)
    db.session.commit()
    return org


def event(organisers=(), regions=None, **kw) -> Event:
    """A published event, open for registration, a month from now (override anything)."""
    n = _n()
    now = utcnow()
    starts = kw.pop("starts_at", now + timedelta(days=30))
    values = {
        "slug": f"event-{n}",
        "kind": "congress",
        "title_fr": f"Congrès {n}",
        "title_en": f"Congress {n}",
        "description_fr": "Description",
        "description_en": "Description",
        "starts_at": starts,
        "ends_at": kw.pop("ends_at", starts + timedelta(hours=8)),
        "city": "Paris",
        "region": "idf",
        "venue": "Maison de la Chimie",
        "capacity": 100,
        "registration_opens_at": now - timedelta(days=10),
        "registration_closes_at": starts - timedelta(hours=1),
        "status": "published",
    }
    values.update(kw)
    ev = Event(**values)
    for position, org in enumerate(organisers):
        ev.organiser_links.append(
            EventOrganiser(
                organisation=org,
                role="lead" if position == 0 else "co_organiser",
                position=position,
            )
        )
    if regions is None:
        regions = [values["region"]] if values.get("region") else []
    for region in regions:
        ev.region_links.append(EventRegion(region=region))
    db.session.add(ev)
    db.session.commit()
    return ev


def registration(event: Event, **kw) -> Registration:
    """A registration inserted directly (no seat rule): for setting up states in tests."""
    n = _n()
    values = {
        "event_id": event.id,
        "first_name": "Camille",
        "last_name": f"Martin{n}",
        "email": f"camille.martin{n}@example.org",
        "organisation_name": "Sanofi",
        "job_title": "Ingénieure procédés",
        "category": "industrial",
        "region": "idf",
        "status": "confirmed",
        "source": "public",
        "consent_at": utcnow(),
        "consent_version": "test",
    }
    values.update(kw)
    reg = Registration(**values)
    db.session.add(reg)
    db.session.commit()
    return reg


def user(organisation: Organisation | None = None, role: str = "manager", **kw) -> User:
    n = _n()
    password = kw.pop("password", DEFAULT_PASSWORD)
    values = {"email": f"user{n}@example.org", "name": f"User {n}"}
    values.update(kw)
    u = User(**values)
    u.set_password(password)
    if organisation is not None:
        u.memberships.append(Membership(organisation=organisation, role=role))
    db.session.add(u)
    db.session.commit()
    return u


def with_booking(rows: list[dict]) -> list[dict]:
    """Rows for a bulk `insert(Registration)`: every registration belongs to a booking; here one
    shared booking per event (the tests that bulk-insert are about lists, not bookings)."""
    shared = {}
    for row in rows:
        if "booking_id" in row:
            continue
        if row["event_id"] not in shared:
            booking = Booking(event_id=row["event_id"], first_name="Bulk", email=None)
            db.session.add(booking)
            db.session.flush()
            shared[row["event_id"]] = booking.id
        row["booking_id"] = shared[row["event_id"]]
    return rows


def question(event: Event, kind: str = "short_text", options=(), **kw):
    """A question of `event`; `options`: (identifier, label) or (identifier, label, places)."""
    from eventapp.models import Question, QuestionOption

    n = _n()
    values = {
        "identifier": f"q{n}",
        "kind": kind,
        "label_fr": f"Question {n}",
        "label_en": f"Question {n} (en)",
        "position": n,
    }
    values.update(kw)
    q = Question(event_id=event.id, **values)
    for position, option in enumerate(options):
        identifier, label, *rest = option
        q.options.append(
            QuestionOption(
                identifier=identifier,
                label_fr=label,
                label_en=label,
                position=position,
                seat_limit=rest[0] if rest else None,
            )
        )
    db.session.add(q)
    db.session.commit()
    return q
