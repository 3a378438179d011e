"""A mailing may carry a PDF (checked, kept in the database, attached when each message is sent,
deleted after its keeping period) and may be scheduled (sent by the `mailings.send_due` job at
its time, to the list as it is then; cancellable until then, and a cancellation racing the
sender either stops it or is told it is too late)."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.jobs import tasks
from eventapp.models import (
    AuditLog,
    Event,
    Mailing,
    MailingAttachment,
    OutboxMessage,
    User,
    utcnow,
)
from eventapp.organiser.forms import to_local
from eventapp.organiser.mailings.scheduled import send_due
from eventapp.privacy.retention import purge_expired
from eventapp.services import mailing_attachments, messaging
from tests.support.races import race

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MESSAGE = {"subject": "Programme", "body": "Bonjour {prenom}, voici le programme."}


@pytest.fixture
def setup(factory, login):
    org = factory.organisation(name="Polepharma")
    user = factory.user(org)
    login(user)
    event = factory.event(organisers=[org], title_fr="Journées du Biotesting")
    factory.registration(event, first_name="Léa", last_name="Durand", status="confirmed")
    factory.registration(event, first_name="Hugo", last_name="Martin", status="confirmed")
    return event, user


def _url(event):
    return f"/organiser/events/{event.id}/mailings/new"


def _upload(name="programme.pdf", data=PDF):
    return (io.BytesIO(data), name)


def test_a_pdf_is_attached_to_every_message_and_stored_once(client, db, setup, mail_outbox):
    event, _user = setup
    preview = client.post(
        _url(event),
        data={**MESSAGE, "step": "preview", "attachment": _upload("../Programme 2026.pdf")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Programme 2026.pdf" in page
    stored = db.session.scalar(select(MailingAttachment))
    assert stored.filename == "Programme 2026.pdf" and stored.size == len(PDF)
    assert stored.expires_at < utcnow() + timedelta(days=2)  # a draft: a day
    # The preview's form carries the stored file on (send, test, change the message).
    kept = re.findall(r'<input[^>]*name="attachment_id"[^>]*value="(\d+)"', page)
    assert kept == [str(stored.id)]
    sent = client.post(
        _url(event), data={**MESSAGE, "step": "send", "attachment_id": str(stored.id)}
    )
    assert sent.status_code == 302
    mailing = db.session.scalar(select(Mailing))
    assert mailing.attachment_id == stored.id and mailing.attachment_name == "Programme 2026.pdf"
    db.session.refresh(stored)
    assert stored.expires_at > utcnow() + timedelta(days=29)  # kept 30 days after sending
    # The rows hold a reference, not the file; the e-mails carry it.
    rows = list(db.session.scalars(select(OutboxMessage)))
    assert all(r.attachments == [{"ref": "mailing_attachment", "id": stored.id}] for r in rows)
    assert len(mail_outbox) == 2
    for message in mail_outbox:
        assert message.attachments == [("Programme 2026.pdf", PDF, "application/pdf")]
    log = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Programme 2026.pdf" in log


def test_the_test_message_carries_the_attachment_too(client, db, setup, mail_outbox):
    event, user = setup
    client.post(
        _url(event),
        data={**MESSAGE, "step": "test", "attachment": _upload()},
        content_type="multipart/form-data",
    )
    assert [m.to for m in mail_outbox] == [[user.email]]
    assert mail_outbox[0].attachments[0][0] == "programme.pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"GIF89a not a pdf", "doit être un fichier PDF"),
        ("vide.pdf", b"", "est vide"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * 2048 + b"\n%%EOF", "est trop volumineuse ("),
    ],
)
def test_a_file_that_is_not_a_small_pdf_is_refused_and_the_text_kept(
    client, db, app, setup, name, data, message, monkeypatch
):
    event, _user = setup
    monkeypatch.setitem(app.config, "MAILING_ATTACHMENT_MAX_BYTES", 1024)
    response = client.post(
        _url(event),
        data={**MESSAGE, "step": "preview", "attachment": _upload(name, data)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "voici le programme" in page
    assert db.session.scalar(select(func.count()).select_from(MailingAttachment)) == 0


def test_another_events_attachment_cannot_be_borrowed(client, db, factory, setup, mail_outbox):
    event, _user = setup
    other = factory.event(organisers=[factory.organisation()])
    foreign = mailing_attachments.MailingAttachment(
        event_id=other.id, filename="secret.pdf", size=len(PDF), content=PDF, expires_at=utcnow()
    )
    db.session.add(foreign)
    db.session.commit()
    client.post(_url(event), data={**MESSAGE, "step": "send", "attachment_id": str(foreign.id)})
    assert all(m.attachments == [] for m in mail_outbox) and len(mail_outbox) == 2


def _later(minutes=90):
    return (utcnow() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def test_a_scheduled_mailing_goes_out_at_its_time_to_the_list_as_it_is_then(
    client, db, factory, setup, mail_outbox
):
    event, _user = setup
    when = _later()
    local = to_local(when).strftime("%Y-%m-%dT%H:%M")
    preview = client.post(_url(event), data={**MESSAGE, "step": "preview", "send_at": local})
    assert preview.status_code == 200
    assert "Programmer pour 2 personnes" in preview.get_data(as_text=True)
    sent = client.post(_url(event), data={**MESSAGE, "step": "send", "send_at": local})
    assert sent.status_code == 302
    mailing = db.session.scalar(select(Mailing))
    assert mailing.status == "scheduled" and mailing.send_at == when
    assert mailing.sent_at is None and mailing.recipients_count == 0
    assert mail_outbox == [] and db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    index = client.get(f"/organiser/events/{event.id}/mailings").get_data(as_text=True)
    assert "Programmé pour le" in index or "Programmé pour" in index
    assert "Annuler ce message programmé" in client.get(sent.headers["Location"]).get_data(
        as_text=True
    )
    # Someone registers meanwhile: they get it too.
    factory.registration(event, first_name="Inès", last_name="Petit", status="confirmed")
    assert send_due(now=when - timedelta(minutes=1)) == {}  # not yet
    assert send_due(now=when + timedelta(seconds=30)) == {mailing.id: 3}
    assert send_due(now=when + timedelta(minutes=2)) == {}  # once
    db.session.rollback()
    mailing = db.session.get(Mailing, mailing.id)
    assert mailing.status == "sent" and mailing.recipients_count == 3
    assert sorted(m.body.split(",")[0] for m in mail_outbox) == [
        "Bonjour Hugo",
        "Bonjour Inès",
        "Bonjour Léa",
    ]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "mailing.sent"))
    assert entry.details["recipients"] == 3 and entry.user_id == mailing.created_by_id


def test_the_beat_job_sends_what_is_due(db, setup, mail_outbox):
    event, user = setup
    mailing = Mailing(
        event_id=event.id,
        created_by_id=user.id,
        subject="Rappel",
        body="Bonjour {first_name}",
        filters={},
        status="scheduled",
        send_at=utcnow() - timedelta(seconds=5),
    )
    db.session.add(mailing)
    db.session.commit()
    assert tasks.send_due_mailings.apply(throw=True).result == {"mailings": 1, "queued": 2}
    assert len(mail_outbox) == 2


def test_a_time_in_the_past_is_refused(client, db, setup):
    event, _user = setup
    past = to_local(utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(_url(event), data={**MESSAGE, "step": "send", "send_at": past})
    assert response.status_code == 400
    assert "Choisissez une date et une heure à venir" in response.get_data(as_text=True)
    assert db.session.scalar(select(Mailing)) is None


def test_cancel_a_scheduled_mailing_and_nothing_goes_out(client, db, setup, mail_outbox):
    event, _user = setup
    local = to_local(_later()).strftime("%Y-%m-%dT%H:%M")
    client.post(_url(event), data={**MESSAGE, "step": "send", "send_at": local})
    mailing = db.session.scalar(select(Mailing))
    url = f"/organiser/events/{event.id}/mailings/{mailing.id}/cancel"
    response = client.post(url, follow_redirects=True)
    assert "est annulé" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Mailing, mailing.id).status == "cancelled"
    assert send_due(now=utcnow() + timedelta(days=1)) == {}
    assert mail_outbox == []
    again = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "n’est plus programmé" in again or "n’est plus programmé" in again
    index = client.get(f"/organiser/events/{event.id}/mailings").get_data(as_text=True)
    assert "Annulé" in index


def test_a_cancellation_racing_the_sender_is_one_or_the_other(app, db, setup, mail_outbox):
    event, user = setup
    for _ in range(5):
        mailing = Mailing(
            event_id=event.id,
            created_by_id=user.id,
            subject="Course",
            body="Bonjour",
            filters={},
            status="scheduled",
            send_at=utcnow() - timedelta(seconds=1),
        )
        db.session.add(mailing)
        db.session.commit()
        mailing_id, event_id, user_id = mailing.id, event.id, user.id

        def worker(n, mailing_id=mailing_id, event_id=event_id, user_id=user_id):
            if n == 0:
                return ("sent", send_due())
            with write_transaction():
                try:
                    messaging.cancel_scheduled(
                        db.session.get(Event, event_id),
                        mailing_id,
                        db.session.get(User, user_id),
                    )
                except messaging.MailingError:
                    return ("cancel", "too late")
                return ("cancel", "done")

        errors, results = race(app, worker, 2)
        assert errors == []
        db.session.rollback()
        saved = db.session.get(Mailing, mailing_id)
        queued = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.mailing_id == mailing_id)
        )
        if results[1] == ("cancel", "done"):
            assert saved.status == "cancelled" and queued == 0 and results[0][1] == {}
        else:
            assert saved.status == "sent" and queued == 2
            assert results[0][1] == {mailing_id: 2}


def test_attachments_are_deleted_after_their_keeping_period(db, setup):
    event, user = setup
    old = MailingAttachment(
        event_id=event.id,
        user_id=user.id,
        filename="vieux.pdf",
        size=len(PDF),
        content=PDF,
        expires_at=utcnow() - timedelta(minutes=1),
    )
    kept = MailingAttachment(
        event_id=event.id,
        user_id=user.id,
        filename="récent.pdf",
        size=len(PDF),
        content=PDF,
        expires_at=utcnow() + timedelta(days=3),
    )
    db.session.add_all([old, kept])
    db.session.flush()
    mailing = Mailing(
        event_id=event.id,
        subject="Ancien",
        body="x",
        filters={},
        attachment_id=old.id,
        attachment_name="vieux.pdf",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    db.session.add(mailing)
    db.session.commit()
    purge_expired()
    db.session.rollback()
    assert [a.filename for a in db.session.scalars(select(MailingAttachment))] == ["récent.pdf"]
    mailing = db.session.get(Mailing, mailing.id)
    assert mailing.attachment_id is None and mailing.attachment_name == "vieux.pdf"
