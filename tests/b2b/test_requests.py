"""Meeting requests: sent with a message, accepted or declined by the other, cancelled by
either; one per pair; a per-person limit that holds under simultaneous requests (real
threads); expiry; contact details shared once accepted; e-mails through the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    MeetingRequest,
    OutboxMessage,
    Registration,
    RequestStatus,
    utcnow,
)
from eventapp.services.b2b import requests as requests_service
from tests.b2b.helpers import join, link, open_b2b
from tests.support.races import race


def _status(request_id):
    db.session.rollback()
    return db.session.get(MeetingRequest, request_id).status


def test_request_accept_and_contact_details(client, factory):
    event = open_b2b(factory)
    me = join(factory, event, needs=["fill_finish"], last_name="Moi")
    other = join(factory, event, offers=["fill_finish"], last_name="Autre")
    other_email = db.session.get(Registration, other.registration_id).email
    response = client.post(
        link(me, f"/people/{other.id}"), data={"message": "Vos capacités de remplissage ?"}
    )
    assert response.status_code == 302
    db.session.rollback()
    request = db.session.scalar(select(MeetingRequest))
    assert (request.status, request.message) == ("pending", "Vos capacités de remplissage ?")
    assert request.expires_at is not None
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "b2b.request"))
    assert mail.recipient == other_email
    assert "Vos capacités de remplissage ?" in mail.body_text
    assert "/b2b" in mail.body_text
    # The sender cannot accept their own request; the recipient can.
    assert client.post(link(me, f"/requests/{request.id}/accept")).status_code == 302
    assert _status(request.id) == "pending"
    received = client.get(link(other, "/requests")).get_data(as_text=True)
    assert "Vos capacités de remplissage ?" in received
    assert other_email not in client.get(link(me, f"/people/{other.id}")).get_data(as_text=True)
    client.post(link(other, f"/requests/{request.id}/accept"))
    assert _status(request.id) == "accepted"
    page = client.get(link(me, f"/people/{other.id}")).get_data(as_text=True)
    assert other_email in page  # shared once accepted
    answer = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "b2b.answer"))
    assert answer.recipient == db.session.get(Registration, me.registration_id).email


def test_decline_and_cancel(client, factory):
    event = open_b2b(factory)
    a = join(factory, event, last_name="A")
    b = join(factory, event, last_name="B")
    client.post(link(a, f"/people/{b.id}"), data={"message": ""})
    rid = db.session.scalar(select(MeetingRequest.id))
    client.post(link(b, f"/requests/{rid}/decline"))
    assert _status(rid) == "declined"
    # Answered already: a second answer is refused with a message, nothing changes.
    response = client.post(link(b, f"/requests/{rid}/accept"), follow_redirects=True)
    assert "already been answered" in response.get_data(as_text=True) or "déjà" in (
        response.get_data(as_text=True)
    )
    assert _status(rid) == "declined"
    # A declined request may be sent again; then the sender withdraws it.
    client.post(link(a, f"/people/{b.id}"), data={"message": "Encore"})
    assert _status(rid) == "pending"
    client.post(link(a, f"/requests/{rid}/cancel"))
    assert _status(rid) == "cancelled"


def test_one_request_per_pair(client, factory):
    event = open_b2b(factory)
    a = join(factory, event, last_name="A")
    b = join(factory, event, last_name="B")
    client.post(link(a, f"/people/{b.id}"), data={"message": ""})
    again = client.post(link(b, f"/people/{a.id}"), data={"message": "Moi aussi"})
    assert again.status_code == 409
    assert "Moi aussi" in again.get_data(as_text=True)  # the form keeps what was typed
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 1


def test_a_request_of_another_participant_is_404(client, factory):
    event = open_b2b(factory)
    a, b, c = (join(factory, event, last_name=n) for n in "ABC")
    client.post(link(a, f"/people/{b.id}"), data={"message": ""})
    rid = db.session.scalar(select(MeetingRequest.id))
    assert client.post(link(c, f"/requests/{rid}/accept")).status_code == 302
    assert _status(rid) == "pending"
    assert client.post(link(c, f"/requests/{rid}/cancel")).status_code == 302
    assert _status(rid) == "pending"


def test_expired_requests_cannot_be_accepted_and_free_the_limit(client, factory):
    event = open_b2b(factory, request_limit=1, request_expiry_hours=1)
    a, b, c = (join(factory, event, last_name=n) for n in "ABC")
    client.post(link(a, f"/people/{b.id}"), data={"message": ""})
    rid = db.session.scalar(select(MeetingRequest.id))
    refused = client.post(link(a, f"/people/{c.id}"), data={"message": ""})
    assert refused.status_code == 409  # the limit of one
    with write_transaction():
        db.session.get(MeetingRequest, rid).expires_at = utcnow() - timedelta(minutes=1)
    client.post(link(b, f"/requests/{rid}/accept"))
    assert _status(rid) != "accepted"
    page = client.get(link(b, "/requests"), headers={"Accept-Language": "en"})
    assert "badge-expired" in page.get_data(as_text=True)
    assert "Accept</button>" not in page.get_data(as_text=True)
    assert client.post(link(a, f"/people/{c.id}"), data={"message": ""}).status_code == 302


def test_the_request_limit_holds_under_simultaneous_requests(app, factory):
    event = open_b2b(factory, request_limit=3)
    sender = join(factory, event, last_name="Sender")
    others = [join(factory, event, last_name=f"R{n}").id for n in range(8)]
    sender_id = sender.id

    def send(n):
        with write_transaction():
            me = db.session.get(B2BParticipant, sender_id)
            requests_service.send(me, others[n], "")

    errors, _results = race(app, send, len(others))
    db.session.rollback()
    assert len(errors) == 5 and all("request_limit" in e for e in errors), errors
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 3


def test_pending_requests_never_reach_the_scheduler(factory):
    from eventapp.services.b2b.scheduling import build_problem

    event = open_b2b(factory)
    a, b, c = (join(factory, event, last_name=n) for n in "ABC")
    with write_transaction():
        requests_service.send(db.session.get(B2BParticipant, a.id), b.id, "")
        accepted = requests_service.send(db.session.get(B2BParticipant, a.id), c.id, "")
        requests_service.accept(db.session.get(B2BParticipant, c.id), accepted.id)
        accepted_id = accepted.id
    problem = build_problem(event)
    assert [r.id for r in problem.requests] == [accepted_id]
    assert RequestStatus.PENDING in {r.status for r in db.session.scalars(select(MeetingRequest))}


def test_the_profile_page_says_a_request_is_waiting(client, factory):
    event = open_b2b(factory)
    a = join(factory, event, last_name="A")
    b = join(factory, event, last_name="B")
    client.post(link(a, f"/people/{b.id}"), data={"message": ""})
    mine = client.get(link(a, f"/people/{b.id}")).get_data(as_text=True)
    assert "Votre demande attend une réponse." in mine and 'name="message"' not in mine
    theirs = client.get(link(b, f"/people/{a.id}")).get_data(as_text=True)
    assert "vous a demandé un rendez-vous" in theirs
