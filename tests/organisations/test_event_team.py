"""An event's team: its lead organisation grants a role on one event (a stage) to another
organisation or one person, or invites a volunteer for that event only."""

import re

from sqlalchemy import select

from eventapp.models import AuditLog, EventGrant


def _world(factory):
    medicen = factory.organisation(name="Medicen Paris Region")
    biovalley = factory.organisation(name="BioValley France")
    tour = factory.event(organisers=[medicen], kind="tour", capacity=None, title_fr="Tour")
    stage = factory.event(
        organisers=[medicen], kind="stage", parent_id=tour.id, position=1, title_fr="Grand Est"
    )
    return medicen, biovalley, tour, stage


def test_the_lead_grants_another_organisation_a_role_on_one_stage(
    client, db, factory, login, switch
):
    medicen, biovalley, _tour, stage = _world(factory)
    partner = factory.user(biovalley, "manager")
    switch(partner)
    assert client.get(f"/organiser/events/{stage.id}").status_code == 404
    switch(factory.user(medicen, "manager"))
    response = client.post(
        f"/organiser/events/{stage.id}/team",
        data={"organisation_id": str(biovalley.id), "role": "manager"},
    )
    assert response.status_code == 302
    grant = db.session.scalar(select(EventGrant))
    assert (grant.event_id, grant.organisation_id, grant.role) == (
        stage.id,
        biovalley.id,
        "manager",
    )
    assert "team.granted" in db.session.scalars(select(AuditLog.action)).all()
    page = client.get(f"/organiser/events/{stage.id}/team").get_data(as_text=True)
    assert "BioValley France" in page
    again = client.post(
        f"/organiser/events/{stage.id}/team",
        data={"organisation_id": str(biovalley.id), "role": "manager"},
    )
    assert again.status_code == 409
    own = client.post(
        f"/organiser/events/{stage.id}/team",
        data={"organisation_id": str(medicen.id), "role": "viewer"},
    )
    assert own.status_code == 409
    switch(partner)
    assert client.get(f"/organiser/events/{stage.id}").status_code == 200
    assert client.get(f"/organiser/events/{stage.id}/edit").status_code == 200
    # A co-organiser does not grant in turn
    assert client.get(f"/organiser/events/{stage.id}/team").status_code == 404
    # A viewer of the co-organiser gets the viewer's share only
    switch(factory.user(biovalley, "viewer"))
    assert client.get(f"/organiser/events/{stage.id}/attendees").status_code == 200
    assert client.get(f"/organiser/events/{stage.id}/edit").status_code == 404
    # Removing the grant closes the stage again
    switch(factory.user(medicen, "owner"))
    assert client.post(f"/organiser/events/{stage.id}/team/{grant.id}/remove").status_code == 302
    switch(partner)
    assert client.get(f"/organiser/events/{stage.id}").status_code == 404


def test_one_person_is_given_check_in_on_one_event_only(client, db, factory, login, switch):
    medicen, _biovalley, _tour, stage = _world(factory)
    other = factory.event(organisers=[medicen], title_fr="Autre congrès")
    volunteer = factory.user(email="volunteer@example.org")
    switch(factory.user(medicen, "manager"))
    unknown = client.post(
        f"/organiser/events/{stage.id}/team",
        data={"email": "nobody@example.org", "role": "checkin"},
    )
    assert unknown.status_code == 422 and "nobody@example.org" in unknown.get_data(as_text=True)
    neither = client.post(f"/organiser/events/{stage.id}/team", data={"role": "checkin"})
    assert neither.status_code == 422
    response = client.post(
        f"/organiser/events/{stage.id}/team",
        data={"email": "volunteer@example.org", "role": "checkin"},
    )
    assert response.status_code == 302
    switch(volunteer)
    assert client.get(f"/organiser/events/{stage.id}/checkin").status_code == 200
    assert client.get(f"/organiser/events/{stage.id}/attendees").status_code == 404
    assert client.get(f"/organiser/events/{other.id}/checkin").status_code == 404


def test_a_volunteer_is_invited_for_one_event(client, db, factory, login, switch, mail_outbox):
    medicen, _biovalley, _tour, stage = _world(factory)
    switch(factory.user(medicen, "manager"))
    response = client.post(
        f"/organiser/events/{stage.id}/team",
        data={"email": "new.volunteer@example.org", "role": "checkin", "invite": "1"},
    )
    assert response.status_code == 302
    link = re.search(r"(/invitation/\S+)", mail_outbox[-1].body).group(1)
    client.post("/auth/logout")
    assert (
        client.post(link, data={"name": "Vera", "password": "a long enough pass"}).status_code
        == 302
    )
    assert client.get(f"/organiser/events/{stage.id}/checkin").status_code == 200
    assert client.get(f"/organiser/events/{stage.id}/attendees").status_code == 404
    grant = db.session.scalar(select(EventGrant))
    assert grant.event_id == stage.id and grant.user_id is not None and grant.role == "checkin"
