"""The table check-in of B2B meetings: hosts (check-in role and up) and the two people mark a
meeting held or no-show once its slot is near, the counts reach the organiser's B2B page;
nobody marks someone else's meeting or a meeting days ahead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import B2BSlot, B2BTable, Meeting, MeetingRequest, utcnow
from eventapp.services.b2b import attendance, scheduling
from tests.b2b.helpers import accepted, join, link, open_b2b
from tests.support.races import race

EN = {"Accept-Language": "en"}


def _world(factory, *, started=True):
    org = factory.organisation()
    event = open_b2b(factory, organisers=(org,))
    a = join(factory, event, organisation="Yposkesi", last_name="Alpha")
    b = join(factory, event, organisation="Cellforcure", last_name="Beta")
    c = join(factory, event, organisation="Genethon", last_name="Gamma")
    with write_transaction():
        slot = db.session.scalars(select(B2BSlot).order_by(B2BSlot.starts_at)).first()
        table = db.session.scalars(select(B2BTable).order_by(B2BTable.number)).first()
        if started:  # the slot began five minutes ago
            length = slot.ends_at - slot.starts_at
            slot.starts_at = utcnow() - timedelta(minutes=5)
            slot.ends_at = slot.starts_at + length
        slot_id, table_id = slot.id, table.id
    request = accepted(event, a, b)
    with write_transaction():
        meeting = scheduling.place(db.session.get(MeetingRequest, request.id), slot_id, table_id)
        meeting_id = meeting.id
    return {"org": org, "event": event, "a": a, "b": b, "c": c,
            "meeting": db.session.get(Meeting, meeting_id)}  # fmt: skip


def _url(w, how):
    return f"/organiser/events/{w['event'].id}/b2b/meetings/{w['meeting'].id}/attendance/{how}"


def test_a_table_host_marks_meetings_and_the_counts_follow(client, factory, login):
    w = _world(factory)
    host = factory.user(w["org"], role="checkin")
    login(host)
    page = client.get(f"/organiser/events/{w['event'].id}/b2b/checkin", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Table 1" in text and "Yposkesi" in text and "Cellforcure" in text
    assert client.post(_url(w, "no_show")).status_code == 302
    db.session.rollback()
    assert db.session.get(Meeting, w["meeting"].id).attendance == "no_show"
    assert client.post(_url(w, "held")).status_code == 302  # corrected
    assert attendance.counts(w["event"].id) == {"held": 1, "no_show": 0, "unmarked": 0}
    client.post("/auth/logout")
    login(factory.user(w["org"], role="manager"))
    dashboard = client.get(f"/organiser/events/{w['event'].id}/b2b", headers=EN)
    assert "Meetings held" in dashboard.get_data(as_text=True)
    assert client.post(_url(w, "clear")).status_code == 302
    db.session.rollback()
    meeting = db.session.get(Meeting, w["meeting"].id)
    assert (meeting.attendance, meeting.attendance_at) == (None, None)


def test_outsiders_and_viewers_cannot_mark(client, factory, login):
    w = _world(factory)
    login(factory.user(w["org"], role="viewer"))
    assert client.get(f"/organiser/events/{w['event'].id}/b2b/checkin").status_code == 404
    assert client.post(_url(w, "held")).status_code == 404
    client.post("/auth/logout")
    login(factory.user(factory.organisation(), role="manager"))
    assert client.post(_url(w, "held")).status_code == 404
    assert client.post(_url(w, "maybe")).status_code == 404
    db.session.rollback()
    assert db.session.get(Meeting, w["meeting"].id).attendance is None


def test_a_meeting_days_ahead_cannot_be_marked(client, factory, login):
    w = _world(factory, started=False)
    login(factory.user(w["org"], role="manager"))
    response = client.post(_url(w, "held"), headers=EN, follow_redirects=True)
    assert "from 15 minutes before it starts" in response.get_data(as_text=True)
    own = client.get(link(w["a"], "/meetings"), headers=EN).get_data(as_text=True)
    assert "We met" not in own  # no button before the slot is near
    db.session.rollback()
    assert db.session.get(Meeting, w["meeting"].id).attendance is None


def test_the_two_people_mark_their_own_meeting_only(client, factory):
    w = _world(factory)
    page = client.get(link(w["b"], "/meetings"), headers=EN).get_data(as_text=True)
    assert "We met" in page and "did not come" in page
    mine = link(w["b"], f"/meetings/{w['meeting'].id}")
    assert client.post(f"{mine}/no_show").status_code == 302
    db.session.rollback()
    assert db.session.get(Meeting, w["meeting"].id).attendance == "no_show"
    assert client.post(link(w["c"], f"/meetings/{w['meeting'].id}/held")).status_code == 404
    assert client.post(f"{mine}/clear").status_code == 404  # clearing is the hosts'
    assert client.post(link(w["a"], f"/meetings/{w['meeting'].id}/held")).status_code == 302
    page = client.get(link(w["a"], "/meetings"), headers=EN).get_data(as_text=True)
    assert ">Held<" in page


def test_simultaneous_marks_leave_one_of_them(app, factory):
    w = _world(factory)
    meeting_id = w["meeting"].id
    marks = ["held", "no_show"] * 3

    def work(n):
        with write_transaction():
            attendance.mark(db.session.get(Meeting, meeting_id), marks[n])

    errors, _ = race(app, work, len(marks))
    assert errors == []
    db.session.rollback()
    meeting = db.session.get(Meeting, meeting_id)
    assert meeting.attendance in ("held", "no_show") and meeting.attendance_at is not None


def test_the_checkin_page_reads_a_fixed_number_of_queries(client, factory, login, query_counter):
    w = _world(factory)
    login(factory.user(w["org"], role="checkin"))
    url = f"/organiser/events/{w['event'].id}/b2b/checkin"
    with query_counter() as few:
        assert client.get(url).status_code == 200
    slot_id = w["meeting"].slot_id
    extra = [
        join(factory, w["event"], last_name=f"X{n}", organisation=f"X{n} SA") for n in range(4)
    ]
    tables = scheduling.tables_of(w["event"].id)
    for n, (x, y) in enumerate(((extra[0], extra[1]), (extra[2], extra[3]))):
        request = accepted(w["event"], x, y)
        with write_transaction():
            scheduling.place(db.session.get(MeetingRequest, request.id), slot_id, tables[n + 1].id)
    with query_counter() as many:
        page = client.get(url)
    assert page.get_data(as_text=True).count('<li id="meeting-') == 3
    assert len(many) == len(few)
