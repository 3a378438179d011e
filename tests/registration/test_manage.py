"""The participant's manage page (secret link): see, correct, calendar file, cancel with a
confirmation step (promotes the first waitlisted person), and "e-mail me my link again"."""

import html
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from eventapp.models import AuditLog, Booking, utcnow


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_manage_page_shows_the_registration_privately(client, factory):
    event = factory.event(title_fr="Congrès géré", capacity=10)
    reg = factory.registration(event, first_name="Zoé", organisation_name="Sartorius")
    response = client.get(f"/r/{reg.manage_token}")
    assert response.status_code == 200
    page = text(response)
    assert "Congrès géré" in page and "Zoé" in page and "Sartorius" in page
    assert "Place confirmée" in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert reg.email not in page


def test_unknown_or_silly_tokens_are_404(client):
    assert client.get("/r/nope").status_code == 404
    assert client.get("/r/" + "a" * 200).status_code == 404
    assert client.post("/r/nope", data={}).status_code == 404


def test_waitlisted_person_sees_the_position(client, factory):
    event = factory.event(capacity=1)
    factory.registration(event)
    factory.registration(event, status="waitlisted", created_at=utcnow() - timedelta(minutes=5))
    me = factory.registration(event, status="waitlisted")
    page = text(client.get(f"/r/{me.manage_token}"))
    assert "Sur liste d’attente — position 2" in page
    assert "Vous êtes en position 2" in page


def test_correct_details(client, db, factory):
    reg = factory.registration(factory.event())
    data = {
        "first_name": "Camille ",
        "last_name": "Martin-Durand",
        "organisation_name": "Novasep",
        "job_title": "Directrice",
        "category": "cdmo",
        "region": "nor",
    }
    response = client.post(f"/r/{reg.manage_token}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert (reg.last_name, reg.organisation_name, reg.category, reg.region) == (
        "Martin-Durand",
        "Novasep",
        "cdmo",
        "nor",
    )
    assert "Vos corrections sont enregistrées." in text(client.get(f"/r/{reg.manage_token}"))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.updated"))
    assert entry.actor == "participant" and "Novasep" not in str(entry.details)


def test_bad_corrections_are_400_and_keep_what_was_typed(client, db, factory):
    reg = factory.registration(factory.event(), last_name="Avant")
    response = client.post(
        f"/r/{reg.manage_token}",
        data={
            "first_name": "",
            "last_name": "Après",
            "organisation_name": "O" * 300,
            "category": "zz",
            "region": "idf",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "Ce champ est obligatoire." in page and "Après" in page
    db.session.expire_all()
    assert reg.last_name == "Avant"


def test_calendar_file_of_a_registration(client, factory):
    event = factory.event(
        kind="webinar", online_url="https://visio.example/room", city=None, venue=None
    )
    reg = factory.registration(event)
    response = client.get(f"/r/{reg.manage_token}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    [vevent] = Calendar.from_ical(response.data).walk("VEVENT")
    assert "https://visio.example/room" in str(vevent["LOCATION"])  # confirmed: gets the link


def test_cancel_needs_a_confirmation_then_offers_the_seat_to_the_first_waitlisted(
    client, db, factory, mail_outbox
):
    event = factory.event(capacity=1)
    me = factory.registration(event)
    first = factory.registration(
        event, status="waitlisted", created_at=utcnow() - timedelta(minutes=2)
    )
    second = factory.registration(event, status="waitlisted")
    page = text(client.get(f"/r/{me.manage_token}/cancel"))
    assert "Annuler mon inscription ?" in page and "Oui, annuler mon inscription" in page
    db.session.expire_all()
    assert me.status == "confirmed"  # the GET changed nothing
    response = client.post(f"/r/{me.manage_token}/cancel", data={})
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{me.manage_token}"
    db.session.expire_all()
    assert (me.status, first.status, second.status) == ("cancelled", "waitlisted", "waitlisted")
    assert first.offer_expires_at is not None and second.offer_expires_at is None
    recipients = sorted(m.to[0] for m in mail_outbox)
    assert recipients == sorted([me.email, first.email])
    offer_mail = next(m for m in mail_outbox if m.to == [first.email])
    assert "place se libère" in offer_mail.subject
    assert f"/r/{first.manage_token}/offer/accept" in offer_mail.body
    page = text(client.get(f"/r/{me.manage_token}"))
    assert "Inscription annulée" in page and "Votre inscription est annulée." in page
    assert "Corriger mes informations" not in page
    # Cancelling again, or correcting a cancelled registration, changes nothing.
    assert client.post(f"/r/{me.manage_token}/cancel", data={}).status_code == 302
    assert client.post(f"/r/{me.manage_token}", data={"first_name": "X"}).status_code == 409


def test_cancelling_moves_the_public_seat_count(client, factory):
    event = factory.event(capacity=3)
    reg = factory.registration(event)
    assert "2 places restantes" in text(client.get(f"/events/{event.slug}"))
    client.post(f"/r/{reg.manage_token}/cancel", data={})
    assert "3 places restantes" in text(client.get(f"/events/{event.slug}"))


def test_a_past_event_can_no_longer_be_cancelled(client, db, factory):
    event = factory.event(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)
    )
    reg = factory.registration(event)
    assert "Annuler mon inscription…" not in text(client.get(f"/r/{reg.manage_token}"))
    assert client.post(f"/r/{reg.manage_token}/cancel", data={}).status_code == 409
    db.session.expire_all()
    assert reg.status == "confirmed"


def test_manage_page_links_to_data_download_erasure_and_notice(client, factory):
    reg = factory.registration(factory.event())
    page = client.get(f"/r/{reg.manage_token}").get_data(as_text=True)
    assert f"/r/{reg.manage_token}/data.json" in page
    assert f"/r/{reg.manage_token}/erase" in page
    assert f"/events/{reg.event.slug}/privacy" in page


def test_manage_link_expires_after_the_event(client, factory):
    ended = utcnow() - timedelta(days=40)
    event = factory.event(starts_at=ended - timedelta(hours=8), ends_at=ended)
    reg = factory.registration(event)
    response = client.get(f"/r/{reg.manage_token}")
    assert response.status_code == 410
    assert "expiré" in response.get_data(as_text=True)
    assert client.get(f"/r/{reg.manage_token}/calendar.ics").status_code == 410


def test_resend_link_is_neutral_and_only_mails_registered_addresses(
    client, db, factory, mail_outbox
):
    event = factory.event()
    reg = factory.registration(event, email="known@example.org")
    cancelled = factory.registration(event, email="gone@example.org", status="cancelled")
    answers = []
    for email in ["Known@Example.org", "stranger@example.org", "gone@example.org"]:
        response = client.post(f"/events/{event.slug}/resend-link", data={"email": email})
        assert response.status_code == 302
        answers.append(text(client.get(response.headers["Location"])))
    assert answers[0] == answers[1] == answers[2]
    assert "Si cette adresse est inscrite à cet événement" in answers[0]
    [message] = mail_outbox
    assert message.to == ["known@example.org"] and reg.booking.manage_token in message.body
    assert cancelled.manage_token not in message.body
    bad = client.post(f"/events/{event.slug}/resend-link", data={"email": "nope"})
    assert bad.status_code == 400 and "Saisissez une adresse e-mail valide" in text(bad)


def test_dev_outbox_page_only_in_development(app, client, db, factory, login):
    login(factory.user(is_admin=True))
    assert client.get("/dev/outbox").status_code == 404
    app.config["DEV_OUTBOX_PAGE"] = True
    try:
        event = factory.event()
        client.post(
            f"/events/{event.slug}/register",
            data={
                "first_name": "A",
                "last_name": "B",
                "email": "a@example.org",
                "organisation_name": "O",
                "category": "biotech",
                "region": "idf",
                "consent": "y",
            },
        )
        page = client.get("/dev/outbox").get_data(as_text=True)
    finally:
        app.config["DEV_OUTBOX_PAGE"] = False
    booking_token = db.session.scalar(select(Booking.manage_token))
    assert f'<a href="http://127.0.0.1:5000/b/{booking_token}">' in page


def test_dev_outbox_needs_a_signed_in_administrator_even_in_development(
    app, client, db, factory, login
):
    """Issue 20, point 16: the outbox showed every manage link to anyone."""
    app.config["DEV_OUTBOX_PAGE"] = True
    try:
        anonymous = client.get("/dev/outbox")
        assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
        login(factory.user(factory.organisation(), "manager"))
        refused = client.get("/dev/outbox")
        assert refused.status_code == 403
        client.post("/auth/logout")
        login(factory.user(is_admin=True))
        shown = client.get("/dev/outbox")
        assert shown.status_code == 200
        assert "no-store" in shown.headers["Cache-Control"]
    finally:
        app.config["DEV_OUTBOX_PAGE"] = False


def test_every_page_and_file_behind_a_manage_link_is_private(app, client, factory):
    """Manage page, cancellation, ticket, calendar, data download, erasure: the secret is in
    the URL, so none may be cached or indexed (one rule for the whole /r/ space)."""
    from eventapp.models import Answer

    registration = factory.registration(factory.event(), status="confirmed")
    question = factory.question(registration.event, "file", identifier="cv")
    factory.db.session.add(
        Answer(
            question_id=question.id,
            booking_id=registration.booking_id,
            registration_id=registration.id,
            value="cv.pdf",
            file_name="cv.pdf",
            file_type="application/pdf",
            file_data=b"%PDF-1.4",
        )
    )
    factory.db.session.commit()
    from tests.b2b.helpers import b2b_world

    b2b = b2b_world(registration.event, [registration])  # the B2B pages too (issue 18)
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/r/<token>") and "GET" in r.methods
    ]
    assert len(rules) >= 6
    for rule in rules:
        url = rule.rule.replace("<token>", registration.manage_token)
        url = url.replace("<id:question_id>", str(question.id))
        url = url.replace("<id:participant_id>", str(b2b["participant"]))
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", url
