"""Check-in staff for given days only (issue 13): a grant with first and last days holds on
those days (Paris dates, inclusive) and ends by itself, in the checks, the lists, the landing
and the desk; an invitation for an event carries its days to the grant."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.models import Event, EventGrant, Invitation, OutboxMessage, utcnow
from eventapp.organisations import services
from eventapp.permissions import Perm, accessible_events_clause, can
from eventapp.permissions.rules import grant_today
from tests.security.test_permissions import foreign  # noqa: F401 - the fixture


def _volunteer_on(db, factory, first, last):
    org = factory.organisation()
    now = utcnow()
    event = factory.event(organisers=[org], starts_at=now - timedelta(hours=1))
    event.ends_at = now + timedelta(hours=6)
    volunteer = factory.user()
    db.session.add(
        EventGrant(
            event_id=event.id,
            user_id=volunteer.id,
            role="checkin",
            valid_from=first,
            valid_until=last,
        )
    )
    db.session.commit()
    return event, volunteer


def _listed(db, user):
    return db.session.scalars(
        select(Event.id).where(accessible_events_clause(user, Perm.CHECKIN))
    ).all()


def test_a_grant_for_today_opens_the_desk_and_lands_the_volunteer_there(client, db, factory, login):
    today = grant_today()
    event, volunteer = _volunteer_on(db, factory, today, today)
    assert can(volunteer, Perm.CHECKIN, event)
    assert _listed(db, volunteer) == [event.id]
    response = login(volunteer)
    assert (
        client.get(response.headers["Location"])
        .headers["Location"]
        .endswith(f"/organiser/events/{event.id}/checkin")
    )
    desk = client.get(f"/organiser/events/{event.id}/checkin")
    assert desk.status_code == 200
    assert "Votre accès à cet accueil" in desk.get_data(as_text=True)


def test_a_grant_whose_last_day_is_past_has_ended_by_itself(client, db, factory, login):
    yesterday = grant_today() - timedelta(days=1)
    event, volunteer = _volunteer_on(db, factory, yesterday - timedelta(days=1), yesterday)
    assert not can(volunteer, Perm.CHECKIN, event)
    assert _listed(db, volunteer) == []
    login(volunteer)
    assert client.get(f"/organiser/events/{event.id}/checkin").status_code == 404
    assert client.get(f"/organiser/events/{event.id}/checkin/counts").status_code == 404
    assert client.get("/organiser/start").headers["Location"].endswith("/organiser/")


def test_a_grant_that_starts_tomorrow_does_not_hold_yet(db, factory):
    tomorrow = grant_today() + timedelta(days=1)
    event, volunteer = _volunteer_on(db, factory, tomorrow, None)
    assert not can(volunteer, Perm.CHECKIN, event)
    assert _listed(db, volunteer) == []


def test_an_invitation_for_one_day_becomes_a_grant_for_that_day(db, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    manager = factory.user(org, "manager")
    day = grant_today()
    invitation = services.invite(
        org,
        "benevole@example.org",
        "checkin",
        user=manager,
        event=event,
        valid_from=day,
        valid_until=day,
    )
    db.session.commit()
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "team.invitation"))
    assert "uniquement, puis prend fin" in sent.body_text  # the e-mail says the days
    volunteer = services.accept(invitation, name="Bénévole", password="a long password 1")
    db.session.commit()
    grant = db.session.scalar(select(EventGrant).where(EventGrant.user_id == volunteer.id))
    assert (grant.valid_from, grant.valid_until, grant.role) == (day, day, "checkin")


def test_the_team_page_gives_a_role_for_given_days_and_refuses_reversed_ones(
    client, db, factory, login
):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    person = factory.user(email="benevole@example.org")
    day = grant_today()
    reversed_days = client.post(
        f"/organiser/events/{event.id}/team",
        data={
            "email": person.email,
            "role": "checkin",
            "valid_from": (day + timedelta(days=1)).isoformat(),
            "valid_until": day.isoformat(),
        },
    )
    assert reversed_days.status_code == 422
    page = reversed_days.get_data(as_text=True)
    assert "Le dernier jour précède le premier jour." in page
    assert f'value="{day.isoformat()}"' in page  # the form keeps what was typed
    assert db.session.scalar(select(EventGrant)) is None
    response = client.post(
        f"/organiser/events/{event.id}/team",
        data={
            "email": person.email,
            "role": "checkin",
            "valid_from": day.isoformat(),
            "valid_until": day.isoformat(),
        },
    )
    assert response.status_code == 302
    grant = db.session.scalar(select(EventGrant))
    assert (grant.valid_from, grant.valid_until) == (day, day)
    assert "uniquement" in client.get(f"/organiser/events/{event.id}/team").get_data(as_text=True)


def test_a_volunteer_whose_day_is_over_reaches_no_page_of_the_event(
    app,
    client,
    db,
    factory,
    login,
    foreign,  # noqa: F811 - the imported fixture
):
    """The walk of every signed-in URL with the event's ids (tests/security): once the last
    day is past, every event page answers 404, as for a stranger, and nothing changes."""
    from tests.security.test_permissions import EVENT_KINDS, _snapshot, access_of, requests_for

    volunteer = factory.user()
    yesterday = grant_today() - timedelta(days=1)
    for event_id in (foreign["ids"]["event"], foreign["ids"]["tour"]):
        db.session.add(
            EventGrant(
                event_id=event_id,
                user_id=volunteer.id,
                role="checkin",
                valid_from=yesterday,
                valid_until=yesterday,
            )
        )
    db.session.commit()
    login(volunteer)
    before = _snapshot(db, foreign["event"].id)
    checked = 0
    for rule, method, url in requests_for(app, foreign["ids"]):
        response = client.open(url, method=method, data={"confirm": "y"}, buffered=True)
        if access_of(app, rule).kind in EVENT_KINDS:
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
        assert "Secretname" not in response.get_data(as_text=True), (method, url)
    assert checked > 40
    assert _snapshot(db, foreign["event"].id) == before


def test_an_organisation_s_check_in_staff_for_given_days_only(client, db, factory, login):
    """The same for a membership: invited to the organisation as check-in staff for given days,
    the volunteer holds the desk of its events on those days, then nothing."""
    org = factory.organisation()
    owner = factory.user(org, "owner")
    now = utcnow()
    event = factory.event(organisers=[org], starts_at=now - timedelta(hours=1))
    event.ends_at = now + timedelta(hours=6)
    db.session.commit()
    login(owner)
    today = grant_today()
    as_owner = client.post(
        f"/organiser/organisations/{org.id}/invitations",
        data={"email": "o@example.org", "role": "owner", "valid_from": today.isoformat()},
    )
    assert as_owner.status_code == 422  # an owner's role cannot end by itself
    response = client.post(
        f"/organiser/organisations/{org.id}/invitations",
        data={
            "email": "benevole@example.org",
            "role": "checkin",
            "valid_from": today.isoformat(),
            "valid_until": today.isoformat(),
        },
    )
    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation).where(Invitation.role == "checkin"))
    volunteer = services.accept(invitation, name="Bénévole", password="a long password 1")
    db.session.commit()
    membership = volunteer.memberships[0]
    assert (membership.valid_from, membership.valid_until) == (today, today)
    assert can(volunteer, Perm.CHECKIN, event)
    page = client.get(f"/organiser/organisations/{org.id}/members").get_data(as_text=True)
    assert "uniquement" in page
    # The day is over: nothing is left, in the checks and on the pages.
    membership.valid_from = membership.valid_until = today - timedelta(days=1)
    db.session.commit()
    assert not can(volunteer, Perm.CHECKIN, event)
    assert _listed(db, volunteer) == []
    client.post("/auth/logout")
    login(volunteer, password="a long password 1")
    assert client.get(f"/organiser/events/{event.id}/checkin").status_code == 404
