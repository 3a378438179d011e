"""Set-ups shared by the B2B tests: an event with B2B meetings open, blocks and tables, and
participants who joined with a profile (through the services, in their own transactions)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    B2BSlot,
    Event,
    MeetingRequest,
    Registration,
    RequestStatus,
)
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


def b2b_world(event, registrations=(), extra: bool = True) -> dict:
    """B2B open on an existing event, for the walks over every URL (tests/security,
    tests/registration): `registrations` (and, with `extra`, two more people) joined; between
    the last two, an accepted request with a meeting and an accepted one without; a finished
    run. Returns the ids the URLs take."""
    from eventapp.models import Meeting, MeetingSeat, ScheduleRun
    from tests import factories

    with write_transaction():
        event = db.session.get(Event, event.id)
        planning.save_settings(
            event, enabled=True, request_limit=20, meeting_cap=None, request_expiry_hours=72
        )
        block = planning.add_block(event, event.starts_at, event.starts_at + timedelta(hours=1), 20)
        table = planning.add_tables(event, 2)[0]
        people = [db.session.get(Registration, r.id) for r in registrations]
    extra = [
        factories.registration(event, first_name=name, last_name="Annexe", email=None)
        for name in (("Chantal", "Denis") if extra else ())
    ]
    with write_transaction():
        event = db.session.get(Event, event.id)
        joined = []
        for registration in [*people, *(db.session.get(Registration, r.id) for r in extra)]:
            if registration.email is None:
                registration.email = (
                    f"{registration.first_name.lower()}-{registration.id}@b2b.example"
                )
            joined.append(
                profiles.opt_in(
                    registration,
                    ProfileData(
                        organisation_name=registration.organisation_name or "Org",
                        category="biotech",
                        region=None,
                        offers=["analytics"],
                        needs=["funding"],
                    ),
                )
            )
        c, d = joined[-2], joined[-1]
        held = MeetingRequest(
            event_id=event.id, sender_id=c.id, recipient_id=d.id, status=RequestStatus.ACCEPTED
        )
        unplaced = MeetingRequest(
            event_id=event.id, sender_id=d.id, recipient_id=c.id, status=RequestStatus.ACCEPTED
        )
        db.session.add_all([held, unplaced])
        db.session.flush()
        slot_id = db.session.scalars(
            select(B2BSlot.id).where(B2BSlot.block_id == block.id).order_by(B2BSlot.position)
        ).first()
        meeting = Meeting(event_id=event.id, request_id=held.id, slot_id=slot_id, table_id=table.id)
        db.session.add(meeting)
        db.session.flush()
        db.session.add_all(
            MeetingSeat(participant_id=p.id, slot_id=slot_id, meeting_id=meeting.id) for p in (c, d)
        )
        run = ScheduleRun(event_id=event.id, mode="full", status="done", report={})
        db.session.add(run)
        db.session.flush()
        return {
            "meeting": meeting.id,
            "request": unplaced.id,
            "run": run.id,
            "block": block.id,
            "table": table.id,
            "participant": c.id,
        }
