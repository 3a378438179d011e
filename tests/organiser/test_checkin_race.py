"""Two (or ten) desks scanning the same ticket at the same instant produce exactly one check-in;
the others are told "already checked in". Real threads, each with its own database connection,
on the SQLite file and on PostgreSQL; through the service and through HTTP requests."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import AuditLog, Event, Registration, User
from eventapp.services import checkin, tickets
from tests.support.races import race


def test_ten_desks_scanning_one_ticket_check_it_in_once(app, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    registration = factory.registration(event)
    staff = [factory.user(org, role="checkin") for _ in range(10)]
    payload = tickets.payload(registration)
    event_id, staff_ids = event.id, [u.id for u in staff]

    def desk(n):
        with write_transaction():
            result = checkin.check_in_code(
                db.session.get(Event, event_id),
                payload,
                user=db.session.get(User, staff_ids[n]),
                desk=f"Desk {n}",
            )
            return str(result.state), result.registration.checkin_desk

    errors, results = race(app, desk, 10)
    assert errors == []
    states = sorted(state for state, _desk in results.values())
    assert states == ["already"] * 9 + ["checked_in"]
    winner = next(n for n, (state, _desk) in results.items() if state == "checked_in")
    # Everyone was told the same truth: the winner's desk.
    assert {desk_name for _state, desk_name in results.values()} == {f"Desk {winner}"}
    db.session.rollback()
    saved = db.session.get(Registration, registration.id)
    assert saved.checkin_desk == f"Desk {winner}"
    assert saved.checked_in_by_id == staff_ids[winner]
    logged = db.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.action == "registration.checked_in")
    )
    assert logged == 1


def test_two_desks_posting_the_same_scan_at_once_over_http(app, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    registration = factory.registration(event)
    clients = []
    for n in range(2):
        user = factory.user(org, role="checkin")
        client = app.test_client()
        response = client.post(
            "/auth/login", data={"email": user.email, "password": "correct horse battery"}
        )
        assert response.status_code == 302
        client.post(f"/organiser/events/{event.id}/checkin/desk", data={"desk": f"Desk {n + 1}"})
        clients.append(client)
    url = f"/organiser/events/{event.id}/checkin/scan"
    payload = tickets.payload(registration)

    def post(n):
        response = clients[n].post(
            url, data={"code": payload}, headers={"Accept": "application/json"}
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.json

    errors, results = race(app, post, 2)
    assert errors == []
    assert sorted(r["state"] for r in results.values()) == ["already", "checked_in"]
    loser = next(r for r in results.values() if r["state"] == "already")
    winner_desk = next(f"Desk {n + 1}" for n, r in results.items() if r["state"] == "checked_in")
    assert winner_desk in loser["title"]
    db.session.rollback()
    assert db.session.get(Registration, registration.id).checkin_desk == winner_desk
