"""The organiser's B2B figures per actor category: requests sent and received, the
acceptance rate of those received, meetings scheduled, held and no-shows (one query)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import Attendance, Meeting, MeetingRequest, RequestStatus, utcnow
from eventapp.services.b2b import scheduling, stats
from tests.b2b.helpers import join, open_b2b

EN = {"Accept-Language": "en"}


def _request(event, a, b, status, **kw):
    with write_transaction():
        request = MeetingRequest(
            event_id=event.id, sender_id=a.id, recipient_id=b.id, status=status, **kw
        )
        db.session.add(request)
        db.session.flush()
        return request.id


def _placed(event, request_id, slot, table, attendance=None):
    with write_transaction():
        meeting = scheduling.place(db.session.get(MeetingRequest, request_id), slot.id, table.id)
        if attendance is not None:  # the check-in opens on the day: marked directly here
            db.session.execute(
                update(Meeting).where(Meeting.id == meeting.id).values(attendance=attendance)
            )


def _world(factory):
    org = factory.organisation()
    event = open_b2b(factory, organisers=(org,), tables=3)
    cdmo1, cdmo2 = (join(factory, event, last_name=n, category="cdmo") for n in ("C1", "C2"))
    bio1, bio2 = (join(factory, event, last_name=n, category="biotech") for n in ("B1", "B2"))
    investor = join(factory, event, last_name="I1", category="investor")
    slots, tables = scheduling.slots_of(event.id), scheduling.tables_of(event.id)
    accepted = RequestStatus.ACCEPTED
    _placed(event, _request(event, bio1, cdmo1, accepted), slots[0], tables[0], Attendance.HELD)
    _placed(event, _request(event, bio2, cdmo1, accepted), slots[1], tables[0], Attendance.NO_SHOW)
    _placed(event, _request(event, cdmo1, cdmo2, accepted), slots[2], tables[1])
    _request(event, bio1, cdmo2, RequestStatus.DECLINED)
    _request(event, bio2, cdmo2, RequestStatus.PENDING, expires_at=utcnow() + timedelta(days=2))
    lapsed = utcnow() - timedelta(hours=1)  # still pending, past its deadline: expired
    _request(event, investor, bio1, RequestStatus.PENDING, expires_at=lapsed)
    _request(event, investor, bio2, RequestStatus.CANCELLED)
    return org, event


def _figures(row):
    return (row.sent, row.received, row.accepted, row.decided, row.scheduled, row.held,
            row.no_shows)  # fmt: skip


def test_figures_per_category_in_one_query(factory, query_counter):
    _org, event = _world(factory)
    event_id = event.id
    with query_counter() as queries:
        categories, overall = stats.by_category(event_id)
    assert len(queries) == 1
    by = {str(row.category): row for row in categories}
    assert list(by) == ["biotech", "cdmo", "investor"]  # the vocabulary's order
    assert _figures(by["cdmo"]) == (1, 5, 3, 4, 3, 1, 1)  # cdmo × cdmo counted once
    assert by["cdmo"].acceptance_rate == 0.75
    assert _figures(by["biotech"]) == (4, 2, 0, 1, 2, 1, 1)
    assert by["biotech"].acceptance_rate == 0.0
    assert _figures(by["investor"]) == (2, 0, 0, 0, 0, 0, 0)
    assert by["investor"].acceptance_rate is None
    assert _figures(overall) == (7, 7, 3, 5, 3, 1, 1) and overall.acceptance_rate == 0.6


def test_the_dashboard_shows_the_table(client, factory, login):
    org, event = _world(factory)
    login(factory.user(org, role="manager"))
    page = client.get(f"/organiser/events/{event.id}/b2b", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "By actor category" in text and "Contract manufacturer (CDMO)" in text
    assert "75%" in text and "60%" in text and "All categories" in text
    french = client.get(f"/organiser/events/{event.id}/b2b", headers={"Accept-Language": "fr"})
    assert "Taux d’acceptation" in french.get_data(as_text=True)


def test_no_table_without_requests(client, factory, login):
    org = factory.organisation()
    event = open_b2b(factory, organisers=(org,))
    assert stats.by_category(event.id)[0] == []
    login(factory.user(org, role="manager"))
    text = client.get(f"/organiser/events/{event.id}/b2b", headers=EN).get_data(as_text=True)
    assert "By actor category" not in text
