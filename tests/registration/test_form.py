"""The public registration form through HTTP: success, statuses, duplicates, tours, bad input."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.models import Registration, utcnow


def form(**kw):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "Lea.Durand@Example.org",
        "organisation_name": "Yposkesi",
        "job_title": "Ingénieure procédés",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, **where):
    stmt = select(func.count()).select_from(Registration)
    for key, value in where.items():
        stmt = stmt.where(getattr(Registration, key) == value)
    return db.session.scalar(stmt)


def test_register_redirects_to_a_confirmation_with_the_status(
    app, client, db, factory, mail_outbox
):
    event = factory.event(title_fr="Congrès 2026", capacity=10)
    response = client.post(f"/events/{event.slug}/register", data=form())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.slug}/registered"
    page = text(client.get(response.headers["Location"]))
    assert "Merci, votre inscription est enregistrée" in page
    assert "Place confirmée" in page
    reg = db.session.scalar(select(Registration))
    assert reg.email == "lea.durand@example.org"
    assert reg.consent_at is not None
    assert reg.consent_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert reg.language == "fr" and reg.status == "confirmed" and reg.source == "public"
    # The page leads somewhere: the booking's link, the ticket, the address (masked) the
    # e-mail went to; never the address itself, nor the "already registered" line.
    booking = reg.booking
    assert f"/b/{booking.manage_token}" in page and f"/r/{reg.manage_token}/ticket.pdf" in page
    assert "l" + "•" * 9 + "@example.org" in page and "lea.durand@example.org" not in page
    assert "déjà inscrite" not in page
    [message] = mail_outbox
    assert message.to == ["lea.durand@example.org"]
    assert f"Réservation {booking.reference}" in message.subject
    assert f"http://127.0.0.1:5000/b/{booking.manage_token}" in message.body
    assert "Place confirmée" in message.body
    attachments = {
        filename: (content, mimetype) for filename, content, mimetype in message.attachments
    }
    content, mimetype = attachments["events.ics"]
    assert mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in (content if isinstance(content, str) else content.decode())
    # Every ticket travels with the confirmation, in one PDF.
    assert sorted(m for _c, m in attachments.values()) == ["application/pdf", "text/calendar"]
    assert "billets sont joints" in message.body
    html_part = message.alternatives[0][0]
    assert f"/b/{booking.manage_token}" in html_part


def test_the_seat_count_moves(client, factory):
    event = factory.event(capacity=10)
    client.post(f"/events/{event.slug}/register", data=form())
    assert "9 places restantes" in text(client.get(f"/events/{event.slug}"))


def test_english_registration_gets_english_pages_and_mail(client, db, factory, mail_outbox):
    event = factory.event(title_en="Congress 2026", capacity=1)
    factory.registration(event)
    headers = {"Accept-Language": "en-GB,en"}
    response = client.post(f"/events/{event.slug}/register", data=form(), headers=headers)
    page = text(client.get(response.headers["Location"], headers=headers))
    assert "On the waiting list — position 1" in page
    assert (
        db.session.scalar(select(Registration.language).where(Registration.status == "waitlisted"))
        == "en"
    )
    [message] = mail_outbox
    assert message.subject.startswith("Booking ")
    assert "On the waiting list — position 1" in message.body
    assert message.attachments == []  # no calendar entry for a seat not held


def test_duplicate_is_neutral_and_re_emails_the_link(client, db, factory, mail_outbox):
    event = factory.event(capacity=10)
    client.post(f"/events/{event.slug}/register", data=form())
    other = factory.event(capacity=10)  # noqa: F841 - another event: unaffected
    mail_outbox.clear()
    response = client.post(
        f"/events/{event.slug}/register",
        data=form(first_name="Intrus", email=" LEA.durand@example.org"),
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Consultez votre messagerie" in page and "Place confirmée" not in page
    assert "Intrus" not in page and "Léa" not in page and "Yposkesi" not in page
    assert count(db) == 1
    reg = db.session.scalar(select(Registration))
    assert reg.first_name == "Léa"
    [message] = mail_outbox  # the existing booking's link, e-mailed again
    assert message.to == ["lea.durand@example.org"]
    assert reg.booking.manage_token in message.body
    assert reg.manage_token not in page and reg.booking.manage_token not in page
    assert reg.booking.reference not in page


def test_a_duplicate_submission_shows_the_neutral_page_whoever_was_registered(client, factory):
    """The page after a duplicate is the same whatever the earlier registration was (status,
    names): a stranger typing someone's address learns nothing from it."""
    event = factory.event(capacity=1)
    factory.registration(event, email="first@example.org", status="confirmed")
    factory.registration(event, email="second@example.org", status="waitlisted")
    pages = []
    for email in ("first@example.org", "second@example.org"):
        response = client.post(f"/events/{event.slug}/register", data=form(email=email))
        pages.append(text(client.get(response.headers["Location"])))
    assert "Consultez votre messagerie" in pages[0]
    # A confirmed and a waitlisted address: the same neutral page (but for the masked address).
    assert re.sub(r"\S*@example\.org", "@", pages[0]) == re.sub(r"\S*@example\.org", "@", pages[1])
    assert "Place confirmée" not in pages[0] and "liste d’attente —" not in pages[1]


def test_tour_registration_for_two_stages_each_with_its_own_seats(client, db, factory, mail_outbox):
    tour = factory.event(kind="tour", capacity=None)
    full = factory.event(kind="stage", parent_id=tour.id, position=1, capacity=1, city="Lille")
    roomy = factory.event(kind="stage", parent_id=tour.id, position=2, capacity=5, city="Nantes")
    closed = factory.event(
        kind="stage",
        parent_id=tour.id,
        position=3,
        registration_closes_at=utcnow() - timedelta(hours=1),
    )
    factory.registration(full)
    page = text(client.get(f"/events/{tour.slug}/register?stage={roomy.id}"))
    assert f'id="stage-{roomy.id}" checked' in page
    assert f'id="stage-{closed.id}"' not in page  # shown, not selectable
    full_row = page.split(f'id="stage-{full.id}"')[1].split("</li>")[0]
    roomy_row = page.split(f'id="stage-{roomy.id}"')[1].split("</li>")[0]
    assert "availability-full" in full_row  # amber "full, waiting list", not green
    assert "availability-full" not in roomy_row
    response = client.post(
        f"/events/{tour.slug}/register", data=form(stages=[str(full.id), str(roomy.id)])
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Place confirmée" in page and "Sur liste d’attente — position 1" in page
    assert count(db, event_id=full.id, status="waitlisted") == 1
    assert count(db, event_id=roomy.id, status="confirmed") == 1
    [message] = mail_outbox  # one e-mail for the booking, listing both stages
    booking_ids = {
        r.booking_id
        for r in db.session.scalars(select(Registration).where(Registration.first_name == "Léa"))
    }
    assert len(booking_ids) == 1  # one booking, one link
    assert "Lille" in message.body and "Nantes" in message.body
    assert "Sur liste d’attente — position 1" in message.body and "Place confirmée" in message.body


def test_a_stage_url_redirects_to_the_tour_form(client, factory):
    tour = factory.event(kind="tour", capacity=None)
    stage = factory.event(kind="stage", parent_id=tour.id, position=1)
    response = client.get(f"/events/{stage.slug}/register")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{tour.slug}/register?stage={stage.id}"


@pytest.mark.parametrize(
    "stages",
    [[], ["abc"], ["999999"], ["-1"], ["FOREIGN"], ["CLOSED"]],
)
def test_tour_stage_ids_are_checked(client, db, factory, stages):
    tour = factory.event(kind="tour", capacity=None)
    factory.event(kind="stage", parent_id=tour.id, position=1)
    foreign = factory.event()
    closed = factory.event(
        kind="stage",
        parent_id=tour.id,
        position=2,
        registration_closes_at=utcnow() - timedelta(hours=1),
    )
    ids = [{"FOREIGN": str(foreign.id), "CLOSED": str(closed.id)}.get(s, s) for s in stages]
    response = client.post(f"/events/{tour.slug}/register", data=form(stages=ids))
    assert response.status_code == 400
    assert "Léa" in text(response)  # what was typed is kept
    assert count(db) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Ce champ est obligatoire."),
        ({"first_name": "   "}, "Ce champ est obligatoire."),
        ({"email": "not-an-email"}, "Saisissez une adresse e-mail valide"),
        ({"email": "lea@"}, "Saisissez une adresse e-mail valide"),
        ({"email": "x" * 250 + "@example.org"}, "254"),
        ({"last_name": "D" * 101}, "100"),
        ({"organisation_name": "O" * 201}, "200"),
        ({"job_title": "J" * 201}, "200"),
        ({"first_name": "Léa\x07"}, "sans caractères spéciaux"),
        ({"category": "martian"}, "choix"),
        ({"category": ""}, "Choisissez la catégorie"),
        ({"region": "atlantis"}, "choix"),
        ({"consent": None}, "Ce champ est obligatoire"),
    ],
)
def test_bad_input_is_a_400_with_the_error_next_to_the_field(client, db, factory, changes, message):
    event = factory.event()
    response = client.post(f"/events/{event.slug}/register", data=form(**changes))
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "Yposkesi" in page or "organisation_name" in changes  # typed values kept
    assert count(db) == 0


def test_malformed_posts_never_500(client, db, factory):
    event = factory.event()
    url = f"/events/{event.slug}/register"
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data="garbage", content_type="application/json").status_code == 400
    assert (
        client.post(
            url, data=b"\xff\xfe\x00", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 400
    )
    assert client.post(url, data={"first_name": ["a", "b"], "email": ["x", "y"]}).status_code == 400
    assert client.post(url, data=form(first_name="x" * 100_000)).status_code == 400
    assert client.post("/events/nope/register", data=form()).status_code == 404
    assert count(db) == 0


def test_honeypot_refuses_quietly_and_keeps_the_form_usable(client, db, factory):
    event = factory.event()
    response = client.post(
        f"/events/{event.slug}/register", data=form(homepage="http://spam.example")
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "spam.example" not in page
    assert 'class="hp"' in page and "style=" not in page
    assert count(db) == 0


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"status": "cancelled"}, 409, "Cet événement est annulé"),
        (
            {"registration_opens_at": utcnow() + timedelta(days=2)},
            409,
            "ne sont pas encore ouvertes",
        ),
        ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, 409, "sont closes"),
        (
            {"starts_at": utcnow() - timedelta(days=2), "ends_at": utcnow() - timedelta(days=1)},
            409,
            "est terminé",
        ),
        ({"status": "draft"}, 404, None),
    ],
)
def test_window_and_status_are_enforced_on_the_server(
    client, db, factory, changes, status, message
):
    event = factory.event(**changes)
    response = client.post(f"/events/{event.slug}/register", data=form())
    assert response.status_code == status
    if message:
        assert message in text(response)
        closed_page = text(client.get(f"/events/{event.slug}/register"))
        assert 'name="first_name"' not in closed_page
    assert count(db) == 0


def test_confirmation_page_without_a_submission_goes_back_to_the_event(client, factory):
    event = factory.event()
    response = client.get(f"/events/{event.slug}/registered")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.slug}"


def test_registration_form_labels_every_input(client, factory):
    tour = factory.event(kind="tour", capacity=None)
    factory.event(kind="stage", parent_id=tour.id, position=1)
    page = client.get(f"/events/{tour.slug}/register").get_data(as_text=True)
    import re

    for input_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page):
        assert f'for="{input_id}"' in page, input_id
    assert "style=" not in page and "<script>" not in page


def test_a_cancelled_tour_takes_no_registration_for_its_stages(client, db, factory):
    tour = factory.event(kind="tour", capacity=None, status="cancelled")
    stage = factory.event(kind="stage", parent_id=tour.id, position=1)
    response = client.post(f"/events/{tour.slug}/register", data=form(stages=[str(stage.id)]))
    assert response.status_code == 409
    assert "Cet événement est annulé" in text(response)
    page = text(client.get(f"/events/{stage.slug}"))
    assert "/register" not in page and "Annulé" in page
    assert count(db) == 0


def test_a_duplicate_that_slips_past_the_check_is_refused_by_the_database(
    client, db, factory, monkeypatch
):
    """The unique index is the backstop of the duplicate check: if a live registration for
    the address appears without the check seeing it (a write that skipped the seat lock),
    the insert fails in the database and the form answers 409, nothing saved."""
    from eventapp.services import registrations as svc

    event = factory.event(capacity=10)
    factory.registration(event, email="lea.durand@example.org")
    db.session.commit()
    blind = svc._lock_and_read

    def sees_no_duplicate(event, email):
        confirmed, _existing = blind(event, email)
        return confirmed, None

    monkeypatch.setattr(svc, "_lock_and_read", sees_no_duplicate)
    response = client.post(f"/events/{event.slug}/register", data=form())
    assert response.status_code == 409
    page = text(response)
    assert "Votre inscription n’a pas pu être traitée" in page
    assert 'value="Léa"' in page  # what was typed is kept
    assert count(db, event_id=event.id) == 1


def test_the_already_registered_line_shows_only_where_it_applies(client, db, factory):
    tour = factory.event(kind="tour", capacity=None)
    held = factory.event(kind="stage", parent_id=tour.id, position=1, capacity=5)
    new = factory.event(kind="stage", parent_id=tour.id, position=2, capacity=5)
    factory.registration(held, email="lea.durand@example.org")
    response = client.post(
        f"/events/{tour.slug}/register", data=form(stages=[str(held.id), str(new.id)])
    )
    page = text(client.get(response.headers["Location"]))
    assert "cette adresse était déjà inscrite" in page
    response = client.post(
        f"/events/{tour.slug}/register",
        data=form(email="someone.else@example.org", stages=[str(new.id)]),
    )
    assert "déjà inscrite" not in text(client.get(response.headers["Location"]))
