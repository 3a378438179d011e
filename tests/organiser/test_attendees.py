"""The attendee list (search, filters, sort, pagination in SQL) and the actions on a person,
all through the registration service."""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from eventapp.models import AuditLog, OutboxMessage, Registration, utcnow
from tests.factories import with_booking


@pytest.fixture
def organiser(factory, login):
    org = factory.organisation(name="Polepharma")
    user = factory.user(org)
    login(user)
    return org, user


def page_of(client, event, **args):
    response = client.get(f"/organiser/events/{event.id}/attendees", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_by_name_email_or_organisation(client, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org])
    factory.registration(event, first_name="Léa", last_name="Durand", organisation_name="Sanofi")
    factory.registration(
        event,
        first_name="Hugo",
        last_name="Bernard",
        email="hugo.b@yposkesi.example",
        organisation_name="Yposkesi",
    )
    factory.registration(event, first_name="Inès", last_name="Petit", organisation_name="LFB")
    assert "Léa DURAND" in page_of(client, event, q="durand")
    assert "BERNARD" not in page_of(client, event, q="durand")
    assert "BERNARD" in page_of(client, event, q="YPOSKESI")  # organisation, any case
    assert "BERNARD" in page_of(client, event, q="hugo.b@")  # e-mail
    both = page_of(client, event, q="léa durand")  # several words: all must match
    assert "DURAND" in both and "PETIT" not in both
    assert "Personne ne correspond" in page_of(client, event, q="100%_")  # wildcards escaped


def test_filters_by_status_category_region_and_check_in(client, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org])
    factory.registration(event, last_name="CONFIRMEE", category="biotech", region="idf")
    factory.registration(event, last_name="ATTENTE", status="waitlisted", category="cdmo")
    factory.registration(event, last_name="ANNULEE", status="cancelled", region="cvl")
    factory.registration(event, last_name="ARRIVEE", checked_in_at=utcnow(), region="cvl")
    default = page_of(client, event)
    assert "CONFIRMEE" in default and "ATTENTE" in default and "ANNULEE" not in default
    assert "ANNULEE" in page_of(client, event, status="cancelled")
    assert "ANNULEE" in page_of(client, event, status="all")
    waiting = page_of(client, event, status="waitlisted")
    assert "ATTENTE" in waiting and "CONFIRMEE" not in waiting
    cdmo = page_of(client, event, category="cdmo")
    assert "ATTENTE" in cdmo and "CONFIRMEE" not in cdmo
    cvl = page_of(client, event, region="cvl", status="all")
    assert "ANNULEE" in cvl and "ARRIVEE" in cvl and "CONFIRMEE" not in cvl
    arrived = page_of(client, event, checked_in="yes")
    assert "ARRIVEE" in arrived and "CONFIRMEE" not in arrived
    assert "ARRIVEE" not in page_of(client, event, checked_in="no")


def test_hand_edited_urls_fall_back_to_defaults(client, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org])
    factory.registration(event, last_name="Durand")
    for args in (
        {"status": "nope", "sort": "drop table", "page": "-3", "per_page": "9999999999"},
        {"category": "'; --", "region": "xx", "checked_in": "maybe", "page": "abc"},
        {"q": "x" * 5000, "stage": "99999999999999"},
    ):
        assert (
            client.get(f"/organiser/events/{event.id}/attendees", query_string=args).status_code
            == 200
        )


def test_sorting_and_pagination(client, db, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org], capacity=None)
    now = utcnow()
    names = ["Zola", "Martin", "Arnaud", "Dupont", "Bernard"]
    for n, name in enumerate(names):
        factory.registration(event, last_name=name, created_at=now - timedelta(hours=10 - n))
    page = page_of(client, event)
    names = [name.upper() for name in names]  # last names in capitals: « Prénom NOM »
    assert [page.index(n) for n in sorted(names)] == sorted(page.index(n) for n in names)
    recent = page_of(client, event, sort="-date")
    assert recent.index("BERNARD") < recent.index("ZOLA")
    many = [
        {
            "event_id": event.id,
            "first_name": "P",
            "last_name": f"Person{n:03d}",
            "email": f"p{n}@example.org",
            "category": "biotech",
            "status": "confirmed",
            "manage_token": f"tok-{n}",
            "ticket_code": f"tk-{n}",
        }
        for n in range(120)
    ]
    db.session.execute(insert(Registration), with_booking(many))
    db.session.commit()
    first = page_of(client, event, per_page=50)
    assert "1–50 sur 125" in first and "Page 1 sur 3" in first
    third = page_of(client, event, per_page=50, page=3)
    assert "101–125 sur 125" in third and "ZOLA" in third
    assert "Page 3 sur 3" in page_of(client, event, per_page=50, page=99)  # clamped


def test_queries_per_page_do_not_grow_with_the_page_size(
    client, db, factory, organiser, query_counter
):
    org, _user = organiser
    event = factory.event(organisers=[org], capacity=100)
    rows = [
        {
            "event_id": event.id,
            "first_name": "P",
            "last_name": f"Person{n:03d}",
            "email": f"p{n}@example.org",
            "category": "biotech",
            "status": "confirmed" if n % 2 else "waitlisted",
            "manage_token": f"tok-{n}",
            "ticket_code": f"tk-{n}",
            "checked_in_at": utcnow() if n % 3 == 0 else None,
        }
        for n in range(260)
    ]
    db.session.execute(insert(Registration), with_booking(rows))
    db.session.commit()
    url = f"/organiser/events/{event.id}/attendees"
    counts = {}
    for size in (25, 200):
        with query_counter() as queries:
            page = client.get(url, query_string={"per_page": size}).get_data(as_text=True)
        counts[size] = len(queries)
        assert page.count("<tr>") >= size  # the page really holds that many rows
    assert counts[25] == counts[200], counts
    # user, memberships, event and access, the co-organiser grants, counts, rows, waiting-list
    # positions, the refused e-mails of the page, the event's questions (their columns/filters)
    assert counts[200] <= 9, counts


def test_a_tour_list_covers_only_the_stages_the_user_manages(client, factory, organiser):
    org, _user = organiser
    lead = factory.organisation(name="Medicen Paris Region")
    tour = factory.event(organisers=[lead], kind="tour", capacity=None)
    ours = factory.event(
        organisers=[lead, org], kind="stage", parent_id=tour.id, position=6, title_fr="Étape IDF"
    )
    theirs = factory.event(
        organisers=[factory.organisation()], kind="stage", parent_id=tour.id, position=4
    )
    factory.registration(ours, last_name="Visible")
    factory.registration(theirs, last_name="Cachee")
    page = page_of(client, tour)
    assert "VISIBLE" in page and "Étape IDF" in page and "CACHEE" not in page
    assert "Cachee" not in page_of(client, tour, stage=theirs.id)  # a foreign stage id: ignored


def test_detail_shows_the_person_their_mails_and_history(client, db, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org])
    reg = factory.registration(event, last_name="Durand", job_title="Responsable QC")
    db.session.add(
        OutboxMessage(
            kind="registration.confirmed",
            recipient=reg.email,
            subject="Inscription confirmée",
            body_text="...",
            registration_id=reg.id,
            event_id=event.id,
        )
    )
    db.session.commit()
    page = client.get(f"/organiser/events/{event.id}/attendees/{reg.id}").get_data(as_text=True)
    assert "Responsable QC" in page and reg.email in page and "Inscription confirmée" in page


def test_edit_goes_through_update_details_and_is_logged(client, db, factory, organiser):
    org, user = organiser
    event = factory.event(organisers=[org])
    reg = factory.registration(event, first_name="Lea", category="biotech")
    url = f"/organiser/events/{event.id}/attendees/{reg.id}/edit"
    assert 'value="Lea"' in client.get(url).get_data(as_text=True)
    data = {
        "first_name": "Léa",
        "last_name": reg.last_name,
        "organisation_name": "Yposkesi",
        "job_title": reg.job_title,
        "category": "cdmo",
        "region": "idf",
    }
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    reg = db.session.get(Registration, reg.id)
    assert (reg.first_name, reg.organisation_name, reg.category) == ("Léa", "Yposkesi", "cdmo")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.updated"))
    assert entry.user_id == user.id
    assert entry.details["fields"] == ["category", "first_name", "organisation_name"]
    bad = client.post(url, data={**data, "first_name": "", "category": "wizard"})
    assert bad.status_code == 400


def test_cancel_frees_the_seat_for_the_first_on_the_waiting_list(
    client, db, factory, organiser, mail_outbox
):
    org, _user = organiser
    event = factory.event(organisers=[org], capacity=1)
    seated = factory.registration(event, status="confirmed")
    first = factory.registration(event, status="waitlisted", created_at=utcnow() - timedelta(2))
    factory.registration(event, status="waitlisted", created_at=utcnow() - timedelta(1))
    url = f"/organiser/events/{event.id}/attendees/{seated.id}/cancel"
    response = client.post(url, data={}, follow_redirects=True)  # no e-mail to the cancelled
    assert "La place est proposée à 1 personne de la liste d’attente" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Registration, seated.id).status == "cancelled"
    offered = db.session.get(Registration, first.id)
    assert offered.status == "waitlisted" and offered.offer_expires_at is not None
    kinds = [m.subject for m in mail_outbox]
    assert len(kinds) == 1 and mail_outbox[0].to == [first.email]  # only the person offered


def test_promote_needs_a_seat_or_the_logged_override(client, db, factory, organiser):
    org, user = organiser
    event = factory.event(organisers=[org], capacity=1)
    factory.registration(event, status="confirmed")
    waiting = factory.registration(event, status="waitlisted")
    url = f"/organiser/events/{event.id}/attendees/{waiting.id}/promote"
    refused = client.post(url, data={}, follow_redirects=True)
    assert "L’événement est complet" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "waitlisted"
    client.post(url, data={"override_capacity": "y"})
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.promoted"))
    assert entry.user_id == user.id and entry.details["capacity_override"] is True


def test_promote_from_the_list_returns_to_the_same_filtered_page(client, db, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org], capacity=5)
    waiting = factory.registration(event, status="waitlisted")
    back = f"/organiser/events/{event.id}/attendees?status=waitlisted"
    response = client.post(
        f"/organiser/events/{event.id}/attendees/{waiting.id}/promote", data={"next": back}
    )
    assert response.headers["Location"] == back
    evil = client.post(
        f"/organiser/events/{event.id}/attendees/{waiting.id}/promote",
        data={"next": "https://evil.example/"},
    )
    assert "evil" not in evil.headers["Location"]


def test_reconfirm_applies_the_seat_rule(client, db, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org], capacity=1)
    gone = factory.registration(event, status="cancelled", cancelled_at=utcnow())
    factory.registration(event, status="confirmed")
    client.post(f"/organiser/events/{event.id}/attendees/{gone.id}/reconfirm", data={})
    db.session.expire_all()
    assert db.session.get(Registration, gone.id).status == "waitlisted"


def add(client, event, **overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Roux",
        "email": "camille.roux@example.org",
        "organisation_name": "Novasep",
        "category": "cdmo",
        "region": "nor",
        "language": "fr",
        "consent": "y",
        "notify": "y",
    }
    data.update(overrides)
    return client.post(f"/organiser/events/{event.id}/attendees/new", data=data)


def test_adding_by_hand_uses_the_seat_rule_and_a_logged_override(
    client, db, factory, organiser, mail_outbox
):
    org, user = organiser
    event = factory.event(organisers=[org], capacity=1)
    assert add(client, event).status_code == 302
    first = db.session.scalar(select(Registration).where(Registration.last_name == "Roux"))
    assert first.status == "confirmed" and first.source == "organiser"
    assert first.consent_at is not None and first.consent_version.startswith("organiser:")
    assert len(mail_outbox) == 1
    add(client, event, email="second@example.org", last_name="Second", notify="")
    second = db.session.scalar(select(Registration).where(Registration.last_name == "Second"))
    assert second.status == "waitlisted" and len(mail_outbox) == 1
    add(client, event, email="third@example.org", last_name="Third", override_capacity="y")
    third = db.session.scalar(select(Registration).where(Registration.last_name == "Third"))
    assert third.status == "confirmed"
    entry = db.session.scalar(
        select(AuditLog).where(
            AuditLog.action == "registration.created", AuditLog.registration_id == third.id
        )
    )
    assert entry.user_id == user.id and entry.details["capacity_override"] is True


def test_adding_checks_the_input_and_duplicates(client, db, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org])
    bad = add(client, event, email="not an e-mail", consent="")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert 'value="Camille"' in page  # what was typed stays
    assert db.session.scalar(select(Registration)) is None
    add(client, event)
    duplicate = add(client, event, email="CAMILLE.ROUX@example.org")
    assert duplicate.status_code == 302
    assert len(db.session.scalars(select(Registration)).all()) == 1


def test_cannot_add_to_a_cancelled_event(client, db, factory, organiser):
    org, _user = organiser
    event = factory.event(organisers=[org], status="cancelled")
    assert add(client, event).status_code == 302
    assert db.session.scalar(select(Registration)) is None
