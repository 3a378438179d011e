"""The programme and the B2B meetings: a session a person signed up for (a confirmed place,
published, not cancelled) makes the meeting slots it overlaps unavailable for the scheduler,
by hand and for a self-pick; the meetings appear in the person's "My programme"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    Event,
    MeetingRequest,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
)
from eventapp.services import programme
from eventapp.services.b2b import scheduling
from eventapp.services.b2b.errors import B2BError
from tests.b2b.helpers import accepted, join, open_b2b


def _session(event, title, slot, *, status=SignupStatus.CONFIRMED, registration=None):
    """A published workshop over `slot`, and a sign-up for it."""
    with write_transaction():
        session = ProgrammeSession(
            event_id=event.id, kind="workshop", title_fr=title, title_en=title,
            starts_at=slot.starts_at + timedelta(minutes=5),
            ends_at=slot.ends_at - timedelta(minutes=5), speakers=[],
        )  # fmt: skip
        db.session.add(session)
        db.session.flush()
        programme.publish(db.session.get(Event, event.id))
        db.session.add(
            SessionSignup(session_id=session.id, registration_id=registration, status=status)
        )
        return session.id


def test_a_session_signed_up_for_is_unavailable_for_meetings(factory):
    event = open_b2b(factory, tables=2)
    a = join(factory, event, last_name="Alpha")
    b = join(factory, event, last_name="Beta", organisation="Beta SA")
    waiting = join(factory, event, last_name="Gamma", organisation="Gamma SA")
    slots = scheduling.slots_of(event.id)
    _session(event, "Atelier vecteurs", slots[1], registration=a.registration_id)
    _session(event, "Atelier complet", slots[2], registration=waiting.registration_id,
             status=SignupStatus.WAITLISTED)  # fmt: skip
    request = accepted(event, a, b)
    problem = scheduling.build_problem(db.session.get(Event, event.id))
    away = {p.id: p.unavailable for p in problem.participants}
    assert away[a.id] == frozenset({slots[1].id}) and away[b.id] == frozenset()
    tables = scheduling.tables_of(event.id)
    with pytest.raises(B2BError) as refused, write_transaction():
        scheduling.place(db.session.get(MeetingRequest, request.id), slots[1].id, tables[0].id)
    assert refused.value.code == "unavailable"
    other = accepted(event, waiting, b)  # a waiting-list place holds no time
    problem = scheduling.build_problem(db.session.get(Event, event.id))
    assert {p.id: p.unavailable for p in problem.participants}[waiting.id] == frozenset()
    free = scheduling.free_slots(b, [db.session.get(type(a), a.id)])[a.id]
    assert slots[1] not in free and slots[0] in free
    assert other.id


def test_meetings_appear_in_my_programme(client, factory):
    event = open_b2b(factory)
    a = join(factory, event, last_name="Alpha")
    b = join(factory, event, last_name="Beta", organisation="Beta SA")
    slots = scheduling.slots_of(event.id)
    _session(event, "Plénière", slots[3], registration=a.registration_id)
    request = accepted(event, a, b)
    with write_transaction():
        scheduling.place(
            db.session.get(MeetingRequest, request.id), slots[0].id,
            scheduling.tables_of(event.id)[2].id,
        )  # fmt: skip
    token = db.session.scalar(
        select(Registration.manage_token).where(Registration.id == a.registration_id)
    )
    page = client.get(f"/r/{token}/programme", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "My B2B meetings" in text and "Beta SA" in text and "Table 3" in text
    other = factory.registration(event)
    plain = client.get(f"/r/{other.manage_token}/programme").get_data(as_text=True)
    assert "b2b-meetings-title" not in plain


def _utc(moment):
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ics(client, token):
    from icalendar import Calendar

    response = client.get(f"/r/{token}/programme.ics", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return response.get_data(as_text=True), Calendar.from_ical(response.data)


def test_my_programme_ics_holds_the_sessions_and_the_published_meetings(
    client, factory, query_counter
):
    event = open_b2b(factory, tables=3)
    a = join(factory, event, last_name="Alpha", language="en")
    others = [
        join(factory, event, last_name=name, organisation=f"{name} SA")
        for name in ("Beta", "Gamma", "Delta")
    ]
    slots, tables = scheduling.slots_of(event.id), scheduling.tables_of(event.id)
    _session(event, "Plénière", slots[3], registration=a.registration_id)
    requests = [accepted(event, a, other) for other in others]
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, requests[0].id), slots[0].id, tables[2].id)
    token = db.session.scalar(
        select(Registration.manage_token).where(Registration.id == a.registration_id)
    )
    # A provisional schedule is not announced: the session only.
    text, calendar = _ics(client, token)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Plénière"]
    with write_transaction():
        scheduling.publish(db.session.get(Event, event.id))
    with query_counter() as one_meeting:
        text, calendar = _ics(client, token)
    entries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"Plénière", "B2B meeting: Camille BETA (Beta SA)"}
    meeting = entries["B2B meeting: Camille BETA (Beta SA)"]
    assert str(meeting["LOCATION"]) == "Table 3 · Hall B"
    assert meeting.decoded("DTSTART").timestamp() == int(_utc(slots[0].starts_at).timestamp())
    assert meeting.decoded("DTEND").timestamp() == int(_utc(slots[0].ends_at).timestamp())
    for other in others:
        assert other.registration.email not in text
    # Two more meetings: the same number of queries (no N+1).
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, requests[1].id), slots[1].id, tables[0].id)
        scheduling.place(db.session.get(MeetingRequest, requests[2].id), slots[2].id, tables[1].id)
    with query_counter() as three_meetings:
        text, calendar = _ics(client, token)
    assert len(list(calendar.walk("VEVENT"))) == 4
    assert len(three_meetings) == len(one_meeting)
