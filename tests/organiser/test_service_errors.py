"""A rule refused in an organiser view goes through the one ServiceError handler: the request
rolls back (nothing of the refused change is kept), a browser gets the page with the form kept
or a flash and a redirect, a JSON caller (Accept: application/json) an RFC 9457 problem."""

from sqlalchemy import func, select

from eventapp.models import AuditLog, Event, Registration
from tests.organiser.test_events import _edit_data, manager_of

JSON = {"Accept": "application/json"}


def audit_count(db, action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == action)
    )


def test_publishing_twice_answers_a_json_problem_and_writes_nothing(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], status="published")
    response = client.post(f"/organiser/events/{event.id}/publish", headers=JSON)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "event.not_draft" and problem["status"] == 409
    assert problem["detail"] == "Seul un brouillon peut être publié."
    assert audit_count(db, "event.published") == 0


def test_a_refused_action_button_flashes_and_redirects(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], status="published")
    response = client.post(f"/organiser/events/{event.id}/publish")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organiser/events/{event.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Seul un brouillon peut être publié." in page


def test_promoting_on_a_full_event_answers_json_and_changes_nothing(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], capacity=1)
    factory.registration(event)
    waiting = factory.registration(event, status="waitlisted")
    response = client.post(
        f"/organiser/events/{event.id}/attendees/{waiting.id}/promote", headers=JSON
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "registration.full"
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "waitlisted"
    assert audit_count(db, "registration.promoted") == 0


def test_an_edit_refused_by_the_rules_keeps_nothing_and_answers_json(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], capacity=5)
    for _ in range(3):
        factory.registration(event)
    data = _edit_data(event, org, "2", title_fr="Nouveau titre")
    response = client.post(f"/organiser/events/{event.id}/edit", data=data, headers=JSON)
    assert response.status_code == 409
    assert response.get_json()["code"] == "registration.below_confirmed"
    db.session.expire_all()
    assert db.session.get(Event, event.id).title_fr != "Nouveau titre"
    assert audit_count(db, "event.updated") == 0


def test_an_edit_with_bad_dates_shows_the_message_under_the_field(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org])
    data = _edit_data(event, org, "", title_fr="Nouveau titre")
    data["ends_at"] = data["starts_at"].replace(data["starts_at"][-5:], "00:01")
    data["starts_at"] = data["starts_at"].replace(data["starts_at"][-5:], "23:00")
    response = client.post(f"/organiser/events/{event.id}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "L’événement doit se terminer après son début." in page
    assert 'value="Nouveau titre"' in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Event, event.id).title_fr != "Nouveau titre"
