"""Models as the API shows them (plain dicts for the schemas of schemas.py), in batches: a
page costs a fixed number of queries whatever its size."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from eventapp.api.v1 import idempotency
from eventapp.extensions import db
from eventapp.models import Event, Question, Registration
from eventapp.questions.answers import answers_of
from eventapp.services.counts import event_counts, free_seats


def event(e: Event) -> dict:
    return {
        "id": e.id,
        "slug": e.slug,
        "kind": str(e.kind),
        "status": str(e.status),
        "parent_id": e.parent_id,
        "title": {"fr": e.title_fr, "en": e.title_en},
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "city": e.city,
        "venue": e.venue,
        "capacity": e.capacity,
        "registration": e.registration_state(),
        "updated_at": e.updated_at,
    }


def availability(events: Sequence[Event]) -> list[dict]:
    counts = event_counts(e.id for e in events)
    return [
        {
            "event_id": e.id,
            "capacity": e.capacity,
            "confirmed": counts[e.id].confirmed,
            "waitlisted": counts[e.id].waitlisted,
            "free_seats": free_seats(e, counts[e.id].taken),
            "registration": e.registration_state(),
        }
        for e in events
    ]


def attendees(rows: Sequence[Registration]) -> list[dict]:
    """The registrations with their answers (not those to sensitive questions), by question
    identifier: two queries for the whole page. (A kept idempotent answer showing them goes
    with their erasure: `idempotency.holds`.)"""
    idempotency.holds(rows)
    answers = answers_of(rows)
    question_ids = {qid for held in answers.values() for qid in held}
    identifiers = {}
    if question_ids:
        identifiers = dict(
            db.session.execute(
                select(Question.id, Question.identifier).where(
                    Question.id.in_(sorted(question_ids)), Question.sensitive.is_(False)
                )
            ).all()
        )
    return [
        {
            "id": r.id,
            "event_id": r.event_id,
            "status": str(r.status),
            "first_name": r.first_name,
            "last_name": r.last_name,
            "email": r.email,
            "organisation_name": r.organisation_name,
            "job_title": r.job_title,
            "category": str(r.category),
            "region": str(r.region) if r.region else None,
            "language": r.language,
            "source": str(r.source),
            "ticket_code": r.ticket_code,
            "checked_in_at": r.checked_in_at,
            "answers": {
                identifiers[qid]: answer.value or ""
                for qid, answer in answers.get(r.id, {}).items()
                if qid in identifiers
            },
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "transferred_from_id": r.transferred_from_id,
        }
        for r in rows
    ]


def attendee(r: Registration) -> dict:
    return attendees([r])[0]
