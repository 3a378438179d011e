"""Check-in staff land on today's desk; everyone else on the dashboard."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from eventapp.models import EventGrant

PARIS = ZoneInfo("Europe/Paris")


def _today(hours_from=1, hours=6):
    start = datetime.now(PARIS).replace(hour=8, minute=0, second=0, microsecond=0)
    return {"starts_at": start, "ends_at": start + timedelta(hours=10)}


def test_check_in_staff_land_on_the_desk_of_todays_event(client, db, factory, login):
    org = factory.organisation()
    today = factory.event(organisers=[org], **_today())
    later = datetime.now(PARIS) + timedelta(days=10)
    factory.event(organisers=[org], starts_at=later, ends_at=later + timedelta(hours=8))
    response = login(factory.user(org, "checkin"))
    assert response.headers["Location"] == "/organiser/start"
    landing = client.get("/organiser/start")
    assert landing.headers["Location"] == f"/organiser/events/{today.id}/checkin"


def test_with_several_events_today_they_choose_and_managers_get_the_dashboard(
    client, db, factory, login
):
    org = factory.organisation()
    first = factory.event(organisers=[org], title_fr="Salle A", **_today())
    second = factory.event(organisers=[org], title_fr="Salle B", **_today())
    login(factory.user(org, "checkin"))
    page = client.get("/organiser/start")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Salle A" in body and "Salle B" in body
    assert f"/organiser/events/{first.id}/checkin" in body
    assert f"/organiser/events/{second.id}/checkin" in body
    client.post("/auth/logout")
    login(factory.user(org, "manager"))
    assert client.get("/organiser/start").headers["Location"] == "/organiser/"


def test_a_volunteer_granted_one_event_lands_on_its_desk(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org], **_today())
    factory.event(organisers=[org], **_today())  # not theirs
    volunteer = factory.user()
    db.session.add(EventGrant(event_id=event.id, user_id=volunteer.id, role="checkin"))
    db.session.commit()
    login(volunteer)
    assert (
        client.get("/organiser/start").headers["Location"]
        == f"/organiser/events/{event.id}/checkin"
    )
