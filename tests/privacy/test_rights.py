"""A participant's rights from the manage link: download everything held, erase it."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.models import AuditLog, OutboxMessage, Registration, utcnow
from eventapp.services import counts as counts_service
from eventapp.services import registrations as svc
from tests.support.apps import DbAwareClient, make_config


def _register(event, n, **kw):
    with write_transaction():
        outcome = svc.register(
            [event],
            svc.Participant(
                first_name="Léa",
                last_name=f"Durand{n}",
                email=f"lea.durand{n}@example.org",
                category="biotech",
                organisation_name="Yposkesi",
                job_title="Responsable procédés",
                region="idf",
                consent_at=utcnow(),
                consent_version="2026-11",
                **kw,
            ),
        )[0]
    return outcome.registration


# --- download ----------------------------------------------------------------------------------


def test_download_holds_every_registration_of_the_person_and_nothing_of_others(client, db, factory):
    org_user = factory.user(factory.organisation(), name="Organiser Secret")
    congress = factory.event(title_fr="Congrès 2026", capacity=1)
    workshop = factory.event(title_fr="Journées du Biotesting")
    mine = _register(congress, 1)
    other = _register(congress, 2)  # waitlisted, someone else
    with write_transaction():
        svc.register(
            [workshop],
            svc.Participant("Léa", "Durand1", "lea.durand1@example.org", "biotech"),
        )
        svc.update_details(mine, {"job_title": "Directrice"}, user=org_user)

    response = client.get(f"/r/{mine.manage_token}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = response.json
    text = response.get_data(as_text=True)
    assert data["email"] == "lea.durand1@example.org"
    titles = sorted(r["event"]["title_fr"] for r in data["registrations"])
    assert titles == ["Congrès 2026", "Journées du Biotesting"]
    first = next(r for r in data["registrations"] if r["id"] == mine.id)
    assert first["job_title"] == "Directrice"
    assert first["consent_version"] == "2026-11" and first["consent_at"]
    assert first["status"] == "confirmed"
    actions = [(h["action"], h["by"]) for h in data["history"]]
    assert ("registration.updated", "organiser") in actions
    held = {r["id"] for r in data["registrations"]}
    assert all(h["registration_id"] in held for h in data["history"])
    kinds = sorted(m["kind"] for m in data["emails"])
    assert kinds == ["registration.confirmed", "registration.confirmed"]
    assert all(m["subject"] for m in data["emails"])
    # Nothing about other people: not the other participant, not the organiser.
    assert other.email not in text and "Durand2" not in text
    assert "Organiser Secret" not in text and org_user.email not in text
    assert "user_id" not in text


def test_unknown_malformed_or_expired_links_open_nothing(client, db, factory):
    past = factory.event(
        starts_at=utcnow() - timedelta(days=40), ends_at=utcnow() - timedelta(days=31)
    )
    expired = factory.registration(past)
    assert client.get("/r/" + "A" * 43 + "/data.json").status_code == 404
    assert client.get("/r/short/data.json").status_code == 404
    assert client.get("/r/" + "é" * 43 + "/erase").status_code == 404
    response = client.get(f"/r/{expired.manage_token}/data.json")
    assert response.status_code == 410
    assert "Ce lien a expiré après l’événement" in html.unescape(response.get_data(as_text=True))
    assert client.get(f"/r/{expired.manage_token}/erase").status_code == 410


def test_link_works_until_the_configured_days_after_the_event(app, client, factory):
    event = factory.event(
        starts_at=utcnow() - timedelta(days=30), ends_at=utcnow() - timedelta(days=29)
    )
    registration = factory.registration(event)
    assert app.config["MANAGE_LINK_VALID_DAYS"] == 30
    assert client.get(f"/r/{registration.manage_token}/data.json").status_code == 200
    app.config["MANAGE_LINK_VALID_DAYS"] = 7
    try:
        assert client.get(f"/r/{registration.manage_token}/data.json").status_code == 410
    finally:
        app.config["MANAGE_LINK_VALID_DAYS"] = 30


def test_tokens_are_long_random_and_compared_in_constant_time(monkeypatch, factory):
    import hmac

    from eventapp.services import tokens

    event = factory.event()
    registration = factory.registration(event)
    assert len(registration.manage_token) == 43
    assert registration.manage_token != factory.registration(event).manage_token
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(
        tokens.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b)
    )
    assert tokens.lookup(registration.manage_token).registration.id == registration.id
    assert tokens.lookup("B" * 43).state == "unknown"
    assert tokens.lookup(tokens._DUMMY).state == "unknown"  # the decoy never opens anything
    assert len(calls) == 3  # hits and misses all do the comparison


# --- erase -------------------------------------------------------------------------------------


def test_erase_page_explains_and_asks_for_confirmation(client, factory):
    event = factory.event(title_fr="Congrès France Bioproduction")
    registration = factory.registration(event)
    response = client.get(f"/r/{registration.manage_token}/erase")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Effacer mes données personnelles" in page
    assert "Congrès France Bioproduction" in page
    assert f"/r/{registration.manage_token}/data.json" in page
    assert 'name="confirm"' in page and '<label for="confirm">' in page
    assert 'type="hidden" name="scope" value="this"' in page  # only one registration


def test_erase_without_confirmation_is_refused_and_changes_nothing(client, db, factory):
    registration = factory.registration(factory.event())
    response = client.post(f"/r/{registration.manage_token}/erase", data={"scope": "this"})
    assert response.status_code == 400
    assert "Veuillez cocher la case pour confirmer" in response.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.email and registration.anonymised_at is None
    assert registration.status == "confirmed"


def test_erase_anonymises_frees_the_seat_and_offers_it_to_the_waiting_list(
    client, db, factory, mail_outbox
):
    event = factory.event(capacity=1)
    erased = _register(event, 1)
    waiting = _register(event, 2)
    assert (erased.status, waiting.status) == ("confirmed", "waitlisted")
    created_at, token, ticket = erased.created_at, erased.manage_token, erased.ticket_code
    mail_outbox.clear()

    response = client.post(
        f"/r/{token}/erase", data={"scope": "this", "confirm": "y"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Vos données ont été effacées" in response.get_data(as_text=True)

    db.session.expire_all()
    row = db.session.get(Registration, erased.id)
    assert row.email is None
    assert row.first_name == row.last_name == "—"
    assert row.organisation_name == "" and row.job_title == ""
    assert row.anonymised_at is not None
    assert row.status == "cancelled" and row.cancelled_at is not None
    assert (row.category, row.region, row.created_at) == ("biotech", "idf", created_at)
    assert row.manage_token != token and row.ticket_code != ticket
    # The seat is offered to the waiting list, and only the person offered was e-mailed.
    assert db.session.get(Registration, waiting.id).offer_expires_at is not None
    assert [m.to for m in mail_outbox] == [["lea.durand2@example.org"]]
    counts = counts_service.event_counts([event.id])[event.id]
    assert (counts.taken, counts.offered, counts.cancelled) == (1, 1, 1)
    # Audit line without personal data; mail to them kept only as kind/subject/date.
    erased_log = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.erased"))
    assert erased_log.registration_id == erased.id and erased_log.actor == "participant"
    assert "lea" not in str(erased_log.details).lower()
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.registration_id == erased.id)
    ):
        assert message.recipient == "" and message.body_text == "" and message.body_html is None
        assert message.status == "sent" and message.subject
    # The old link opens nothing any more.
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(f"/r/{token}/data.json").status_code == 404
    assert client.get(f"/r/{token}/erase").status_code == 404


def test_erase_all_registrations_of_the_person(client, db, factory):
    stages = [factory.event(kind="stage") for _ in range(3)]
    mine = [_register(stage, 1) for stage in stages]
    someone_else = _register(stages[0], 2)
    page = client.get(f"/r/{mine[0].manage_token}/erase").get_data(as_text=True)
    assert "2 autres inscriptions avec cette adresse e-mail" in page
    response = client.post(
        f"/r/{mine[0].manage_token}/erase", data={"scope": "all", "confirm": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert all(db.session.get(Registration, r.id).anonymised_at for r in mine)
    assert db.session.get(Registration, someone_else.id).email == "lea.durand2@example.org"
    left = db.session.scalar(
        select(func.count()).where(Registration.email == "lea.durand1@example.org")
    )
    assert left == 0


def test_erase_after_the_event_keeps_attendance_figures(client, db, factory):
    past = factory.event(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)
    )
    attended = factory.registration(past, status="confirmed", checked_in_at=utcnow())
    response = client.post(
        f"/r/{attended.manage_token}/erase", data={"scope": "this", "confirm": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Registration, attended.id)
    assert row.email is None and row.anonymised_at is not None
    assert row.status == "confirmed" and row.checked_in_at is not None
    counts = counts_service.event_counts([past.id])[past.id]
    assert (counts.confirmed, counts.checked_in) == (1, 1)


@pytest.fixture
def csrf_client(app, database_url):
    from eventapp import create_app
    from eventapp.extensions import db as _db

    protected = create_app(make_config(database_url, WTF_CSRF_ENABLED=True))
    protected.test_client_class = DbAwareClient
    yield protected.test_client()
    with protected.app_context():
        _db.engine.dispose()


def test_erase_needs_the_form_csrf_token(csrf_client, db, factory):
    registration = factory.registration(factory.event())
    url = f"/r/{registration.manage_token}/erase"
    forged = csrf_client.post(url, data={"scope": "this", "confirm": "y"})
    assert forged.status_code == 400
    db.session.refresh(registration)
    assert registration.anonymised_at is None
    page = csrf_client.get(url).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post(url, data={"scope": "this", "confirm": "y", "csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.anonymised_at is not None


def test_a_second_erasure_of_the_same_registration_changes_nothing(client, db, factory):
    from sqlalchemy.orm.attributes import set_committed_value

    from eventapp.services import privacy

    registration = factory.registration(factory.event())
    token = registration.manage_token
    assert (
        client.post(f"/r/{token}/erase", data={"scope": "this", "confirm": "y"}).status_code == 302
    )
    with write_transaction():
        stale = db.session.get(Registration, registration.id)
        # As a concurrent request would have read it, before the first erasure committed.
        set_committed_value(stale, "anonymised_at", None)
        assert privacy.erase([stale]) == []
    erased_lines = db.session.scalar(
        select(func.count()).where(AuditLog.action == "registration.erased")
    )
    assert erased_lines == 1
