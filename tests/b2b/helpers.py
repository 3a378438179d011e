"""Set-ups shared by the B2B tests: an event with B2B meetings open, blocks and tables, and
participants who joined with a profile (through the services, in their own transactions)."""

from __future__ import annotations

from datetime import timedelta

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import B2BParticipant, Event, MeetingRequest, Registration, RequestStatus
from eventapp.services.b2b import planning, profiles
from eventapp.services.b2b.profiles import ProfileData


def open_b2b(factory, *, organisers=(), blocks=((0, 6),), slot_minutes=20, tables=3, **rules):
    """An event (8 h from a month from now) with B2B open: `blocks` are (hours after the
    start, number of slots)."""
    org = organisers or (factory.organisation(),)
    event = factory.event(organisers=org)
    with write_transaction():
        event = db.session.get(Event, event.id)
        planning.save_settings(
            event,
            enabled=True,
            request_limit=rules.get("request_limit", 20),
            meeting_cap=rules.get("meeting_cap"),
            request_expiry_hours=rules.get("request_expiry_hours", 72),
        )
        for hours, count in blocks:
            start = event.starts_at + timedelta(hours=hours)
            planning.add_block(
                event, start, start + timedelta(minutes=slot_minutes * count), slot_minutes
            )
        if tables:
            planning.add_tables(event, tables, "Hall B")
    return db.session.get(Event, event.id)


def join(
    factory, event, *, offers=(), needs=(), category="biotech", organisation=None, pitch="", **kw
):
    """A confirmed registration of `event` that joined the B2B meetings."""
    organisation = organisation or f"Org {kw.get('last_name', '')}".strip()
    registration = factory.registration(
        event, organisation_name=organisation, category=category, **kw
    )
    with write_transaction():
        registration = db.session.get(Registration, registration.id)
        participant = profiles.opt_in(
            registration,
            ProfileData(
                organisation_name=organisation,
                category=category,
                region=kw.get("region", "idf"),
                pitch=pitch,
                offers=list(offers),
                needs=list(needs),
            ),
        )
        pid = participant.id
    return db.session.get(B2BParticipant, pid)


def accepted(event, a: B2BParticipant, b: B2BParticipant) -> MeetingRequest:
    """An accepted request from a to b, written directly (the request rules have their tests)."""
    with write_transaction():
        request = MeetingRequest(
            event_id=event.id, sender_id=a.id, recipient_id=b.id, status=RequestStatus.ACCEPTED
        )
        db.session.add(request)
        db.session.flush()
        rid = request.id
    return db.session.get(MeetingRequest, rid)


def link(participant: B2BParticipant, endpoint: str = "", **values) -> str:
    token = db.session.get(Registration, participant.registration_id).manage_token
    return f"/r/{token}/b2b{endpoint}"
