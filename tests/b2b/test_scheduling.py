"""The organiser's side: the scheduler runs in a job and its report says why a request stayed
out; locks survive re-runs; moves, placements and cancellations keep every seat rule (also
under simultaneous writers: real threads); publication e-mails the agendas; the schedule
exports; and nobody else reaches any of it."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    B2BSlot,
    B2BTable,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    OutboxMessage,
    RequestStatus,
    ScheduleRun,
)
from eventapp.services.b2b import scheduling
from eventapp.services.b2b.errors import B2BError
from tests.b2b.helpers import accepted, join, link, open_b2b
from tests.support.races import race


@pytest.fixture(autouse=True)
def _short_runs(app):
    app.config["B2B_SCHEDULE_SECONDS"] = 5
    yield
    app.config.pop("B2B_SCHEDULE_SECONDS", None)


def _setup(factory, **kw):
    org = factory.organisation()
    event = open_b2b(factory, organisers=(org,), **kw)
    manager = factory.user(org, role="manager")
    return org, event, manager


def _assert_no_double_booking(event_id):
    meetings = db.session.scalars(select(Meeting).where(Meeting.event_id == event_id)).all()
    assert len({(m.slot_id, m.table_id) for m in meetings}) == len(meetings)
    seats = Counter()
    for m in meetings:
        r = db.session.get(MeetingRequest, m.request_id)
        for p in (r.sender_id, r.recipient_id):
            seats[p, m.slot_id] += 1
    assert all(n == 1 for n in seats.values())
    assert db.session.scalar(select(func.count()).select_from(MeetingSeat)) == 2 * len(meetings)


def test_the_organiser_runs_the_schedule_in_a_job_and_reads_the_report(client, factory, login):
    _org, event, manager = _setup(factory, blocks=((0, 3),), tables=2)
    hub = join(factory, event, last_name="Hub", organisation="Hub SA")
    others = [join(factory, event, last_name=f"P{n}", organisation=f"P{n} SA") for n in range(5)]
    for other in others:
        accepted(event, other, hub)  # five requests with one person, three slots
    accepted(event, others[0], others[1])
    login(manager)
    dashboard = client.get(f"/organiser/events/{event.id}/b2b")
    assert dashboard.status_code == 200
    response = client.post(f"/organiser/events/{event.id}/b2b/runs", data={"run-mode": "full"})
    assert response.status_code == 302
    db.session.rollback()
    run = db.session.scalar(select(ScheduleRun))
    assert response.headers["Location"].endswith(f"/b2b/runs/{run.id}")
    assert run.status == "done", run.error
    assert (run.requests, run.placed, run.bound) == (6, 4, 4)  # Hub has three slots
    assert run.report["proven"] is True
    _assert_no_double_booking(event.id)
    page = client.get(f"/organiser/events/{event.id}/b2b/runs/{run.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)  # fmt: skip
    assert "Hub SA" in page
    assert "one of them has another meeting" in page or "most meetings" in page
    assert 'http-equiv="refresh"' not in page  # done: no more refreshing
    grid = client.get(f"/organiser/events/{event.id}/b2b/meetings").get_data(as_text=True)
    assert grid.count('id="meeting-') == 4


def test_one_run_at_a_time_and_slots_first(client, factory, login):
    _org, event, manager = _setup(factory, blocks=(), tables=0)
    login(manager)
    response = client.post(
        f"/organiser/events/{event.id}/b2b/runs", data={"run-mode": "full"}, follow_redirects=True
    )
    assert "blocks and tables" in response.get_data(as_text=True) or "blocs" in (
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(ScheduleRun)) == 0
    with write_transaction():
        db.session.add(ScheduleRun(event_id=event.id, mode="full", status="running"))
    _org2, event2, _m = _setup(factory)
    with write_transaction():
        db.session.add(ScheduleRun(event_id=event2.id, mode="full", status="running"))
    from eventapp.models import Event

    with write_transaction(), pytest.raises(B2BError) as refused:
        scheduling.start_run(db.session.get(Event, event2.id), manager, "full")
    assert refused.value.code == B2BError.Code.RUN_ACTIVE


def test_locked_meetings_survive_a_full_run_and_unscheduled_only_keeps_the_rest(factory):
    _org, event, manager = _setup(factory, blocks=((0, 4),), tables=2)
    people = [join(factory, event, last_name=f"P{n}") for n in range(4)]
    r1 = accepted(event, people[0], people[1])
    r2 = accepted(event, people[2], people[3])
    slots = db.session.scalars(select(B2BSlot).order_by(B2BSlot.starts_at)).all()
    tables = db.session.scalars(select(B2BTable).order_by(B2BTable.number)).all()
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, r1.id), slots[3].id, tables[1].id)

    def run(mode):
        from eventapp.models import Event

        with write_transaction():
            started = scheduling.start_run(db.session.get(Event, event.id), manager, mode)
            rid = started.id
        db.session.rollback()
        return db.session.get(ScheduleRun, rid)

    assert run("full").status == "done"
    locked = db.session.scalar(select(Meeting).where(Meeting.request_id == r1.id))
    assert (locked.slot_id, locked.table_id, locked.locked) == (slots[3].id, tables[1].id, True)
    r2_meeting = db.session.scalar(select(Meeting).where(Meeting.request_id == r2.id))
    assert r2_meeting is not None
    kept_id = r2_meeting.id
    r3 = accepted(event, people[0], people[2])
    assert run("unscheduled_only").status == "done"
    db.session.rollback()
    again = db.session.scalar(select(Meeting).where(Meeting.request_id == r2.id))
    assert again.id == kept_id  # the same row: kept where it was
    assert db.session.scalar(select(Meeting).where(Meeting.request_id == r3.id)) is not None
    _assert_no_double_booking(event.id)


def test_move_cancel_and_publish(client, factory, login):
    _org, event, manager = _setup(factory, blocks=((0, 3),), tables=2)
    a, b, c, d = (join(factory, event, last_name=n, organisation=f"{n} SA") for n in "ABCD")
    r1, r2 = accepted(event, a, b), accepted(event, c, d)
    r3 = accepted(event, a, c)
    slots = db.session.scalars(select(B2BSlot).order_by(B2BSlot.starts_at)).all()
    tables = db.session.scalars(select(B2BTable).order_by(B2BTable.number)).all()
    login(manager)
    base = f"/organiser/events/{event.id}/b2b"
    assert (
        client.post(
            f"{base}/requests/{r1.id}/place", data={"slot": slots[0].id, "table": tables[0].id}
        ).status_code
        == 302
    )
    # The same table in the same slot: refused, the form shown again.
    taken = client.post(f"{base}/requests/{r2.id}/place",
                        data={"slot": slots[0].id, "table": tables[0].id})  # fmt: skip
    assert taken.status_code == 409
    # A at two meetings in one slot: refused.
    busy = client.post(f"{base}/requests/{r3.id}/place",
                       data={"slot": slots[0].id, "table": tables[1].id})  # fmt: skip
    assert busy.status_code == 409
    assert (
        client.post(
            f"{base}/requests/{r2.id}/place", data={"slot": slots[0].id, "table": tables[1].id}
        ).status_code
        == 302
    )
    db.session.rollback()
    m2 = db.session.scalar(select(Meeting).where(Meeting.request_id == r2.id))
    assert (
        client.post(
            f"{base}/meetings/{m2.id}/move", data={"slot": slots[2].id, "table": tables[0].id}
        ).status_code
        == 302
    )
    # Bad input: a slot of nowhere is a clear 400, never a 500.
    assert (
        client.post(
            f"{base}/meetings/{m2.id}/move", data={"slot": "x", "table": tables[0].id}
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # provisional
    assert client.post(f"{base}/publish").status_code == 302
    db.session.rollback()
    agendas = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "b2b.agenda")
    ).all()
    assert len(agendas) == 4
    assert any("C SA" in m.body_text for m in agendas)
    # After publication a cancellation is e-mailed to both.
    m1 = db.session.scalar(select(Meeting.id).where(Meeting.request_id == r1.id))
    assert client.post(f"{base}/meetings/{m1}/cancel").status_code == 302
    db.session.rollback()
    assert db.session.get(MeetingRequest, r1.id).status == RequestStatus.CANCELLED
    assert db.session.scalar(select(Meeting.id).where(Meeting.id == m1)) is None
    assert db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "b2b.agenda")
    ) == 6  # fmt: skip
    # The participant's agenda and its calendar file.
    agenda = client.get(link(c, "/meetings")).get_data(as_text=True)
    assert "D SA" in agenda
    ics = client.get(link(c, "/meetings.ics"))
    assert ics.mimetype == "text/calendar" and b"D SA" in ics.data


def test_the_schedule_exports_as_csv_and_xlsx(client, factory, login):
    from openpyxl import load_workbook

    _org, event, manager = _setup(factory)
    a, b = (
        join(factory, event, last_name="Alpha", organisation="=HYPERLINK()"),
        join(factory, event, last_name="Beta"),
    )
    r = accepted(event, a, b)
    slot = db.session.scalars(select(B2BSlot)).first()
    table = db.session.scalars(select(B2BTable)).first()
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, r.id), slot.id, table.id)
    login(manager)
    csv = client.get(f"/organiser/events/{event.id}/b2b/schedule.csv", buffered=True)
    text = csv.get_data(as_text=True)
    assert "Camille ALPHA" in text and "Camille BETA" in text
    assert "'=HYPERLINK()" in text  # a formula is neutralised
    xlsx = client.get(f"/organiser/events/{event.id}/b2b/schedule.xlsx", buffered=True)
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.values)
    assert len(rows) == 2 and "Camille ALPHA" in rows[1]
    sheets = client.get(f"/organiser/events/{event.id}/b2b/tables/sheets").get_data(as_text=True)
    assert "Camille ALPHA" in sheets


def test_nobody_else_reaches_the_organiser_pages(client, factory, login):
    _org, event, _manager = _setup(factory)
    a, b = join(factory, event, last_name="A"), join(factory, event, last_name="B")
    r = accepted(event, a, b)
    slot = db.session.scalars(select(B2BSlot)).first()
    table = db.session.scalars(select(B2BTable)).first()
    with write_transaction():
        meeting = scheduling.place(db.session.get(MeetingRequest, r.id), slot.id, table.id)
        mid = meeting.id
    _other_org, other_event, stranger = _setup(factory)
    login(stranger)
    base = f"/organiser/events/{event.id}/b2b"
    for url in (base, f"{base}/meetings", f"{base}/schedule.csv"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/meetings/{mid}/cancel").status_code == 404
    # Through the stranger's own event: another event's meeting is 404 too.
    own = f"/organiser/events/{other_event.id}/b2b"
    assert client.post(f"{own}/meetings/{mid}/cancel").status_code == 404
    assert client.get(f"{own}/meetings/{mid}/move").status_code == 404
    assert client.get(f"{own}/requests/{r.id}/place").status_code == 404
    db.session.rollback()
    assert db.session.get(Meeting, mid) is not None


@pytest.mark.parametrize("role,dashboard", [("viewer", {200}), ("checkin", {403, 404})])
def test_viewers_read_the_counts_and_checkin_staff_see_nothing(client, factory, login, role,
                                                               dashboard):  # fmt: skip
    org, event, _manager = _setup(factory)
    user = factory.user(org, role=role)
    login(user)
    base = f"/organiser/events/{event.id}/b2b"
    assert client.get(base).status_code in dashboard
    denied = {403, 404}
    assert client.get(f"{base}/meetings").status_code in denied
    assert client.post(f"{base}/runs", data={"run-mode": "full"}).status_code in denied
    assert client.get(f"{base}/schedule.csv").status_code in denied
    assert db.session.scalar(select(func.count()).select_from(ScheduleRun)) == 0


def test_simultaneous_placements_never_double_book(app, factory):
    """Twelve writers at once: six requests want the one table of slot 1, six more want person
    P0 in slot 2 at different tables. One of each group wins."""
    _org, event, _manager = _setup(factory, blocks=((0, 2),), tables=6)
    hub = join(factory, event, last_name="Hub")
    people = [join(factory, event, last_name=f"P{n}") for n in range(12)]
    first = [accepted(event, people[n], people[n + 6]).id for n in range(6)]
    second = [accepted(event, hub, people[n]).id for n in range(6)]
    slots = db.session.scalars(select(B2BSlot).order_by(B2BSlot.starts_at)).all()
    tables = [t.id for t in db.session.scalars(select(B2BTable).order_by(B2BTable.number))]
    jobs = [(rid, slots[0].id, tables[0]) for rid in first]
    jobs += [(rid, slots[1].id, tables[n]) for n, rid in enumerate(second)]

    def place(n):
        rid, slot_id, table_id = jobs[n]
        with write_transaction():
            scheduling.place(db.session.get(MeetingRequest, rid), slot_id, table_id)

    errors, _results = race(app, place, len(jobs))
    db.session.rollback()
    assert len(errors) == 10, errors
    assert all("slot_taken" in e or "person_busy" in e for e in errors), errors
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2
    _assert_no_double_booking(event.id)


def test_a_lost_run_does_not_block_the_next_one(factory):
    from datetime import timedelta

    from eventapp.models import Event, utcnow

    _org, event, manager = _setup(factory)
    with write_transaction():
        db.session.add(
            ScheduleRun(
                event_id=event.id, mode="full", status="running",
                created_at=utcnow() - timedelta(hours=1),
            )
        )  # fmt: skip
    with write_transaction():
        run = scheduling.start_run(db.session.get(Event, event.id), manager, "full")
        assert run.id


def test_the_meetings_grid_reads_in_a_fixed_number_of_queries(client, factory, login,
                                                               query_counter):  # fmt: skip
    _org, event, manager = _setup(factory, blocks=((0, 6),), tables=4)
    people = [join(factory, event, last_name=f"P{n:02d}") for n in range(16)]
    slots = db.session.scalars(select(B2BSlot).order_by(B2BSlot.starts_at)).all()
    tables = db.session.scalars(select(B2BTable).order_by(B2BTable.number)).all()
    login(manager)
    counts = []
    for n in range(8):
        request = accepted(event, people[2 * n], people[2 * n + 1])
        with write_transaction():
            scheduling.place(
                db.session.get(MeetingRequest, request.id), slots[n % 6].id, tables[n // 6].id
            )
        if n in (1, 7):
            with query_counter() as queries:
                page = client.get(f"/organiser/events/{event.id}/b2b/meetings")
            assert page.get_data(as_text=True).count('id="meeting-') == n + 1
            counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_bad_set_up_input_is_refused_and_kept(client, factory, login):
    _org, event, manager = _setup(factory)
    login(manager)
    base = f"/organiser/events/{event.id}/b2b"
    bad = client.post(f"{base}/settings", data={"settings-request_limit": "9999",
                                                 "settings-meeting_cap": "abc"})  # fmt: skip
    assert bad.status_code == 400
    assert 'value="9999"' in bad.get_data(as_text=True)
    tables = client.post(f"{base}/tables", data={"tables-count": "0", "tables-location": "Salle 3"})
    assert tables.status_code == 400 and 'value="Salle 3"' in tables.get_data(as_text=True)
    backwards = {
        "block-starts_at": "2030-01-10T15:00",
        "block-ends_at": "2030-01-10T14:00",
        "block-slot_minutes": "20",
    }
    block = client.post(f"{base}/blocks", data=backwards)
    assert block.status_code == 422
    assert "2030-01-10T15:00" in block.get_data(as_text=True)
    assert client.post(f"{base}/blocks", data={"block-starts_at": "nonsense"}).status_code == 400
    db.session.rollback()
    from eventapp.models import B2BSettings

    assert db.session.get(B2BSettings, event.id).request_limit == 20
