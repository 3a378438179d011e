"""When the mail job is published: after the commit, and in a request after the response,
never inside the request; what reaches the broker (queue, arguments); a broker that is down
loses nothing."""

import logging
import socket
import time
from datetime import timedelta

import pytest
from flask import has_request_context
from kombu import Connection
from sqlalchemy import select, update

from eventapp import create_app
from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import OutboxMessage, utcnow
from eventapp.services import mail as mail_service
from eventapp.services import registrations as svc
from tests.conftest import DbAwareClient, _free_port, make_config
from tests.support.jobs import Participant, person


def _form(n=1):
    return person(n)


def _participant(n):
    values = {k: v for k, v in person(n).items() if k != "consent"}
    return values | {
        "job_title": "",
        "language": "fr",
        "consent_at": utcnow(),
        "consent_version": "t",
    }


@pytest.fixture
def own_app(database_url):
    """make(**config) -> a new app on the test database (hooks can still be added to it)."""
    made = []

    def make(**config):
        other = create_app(make_config(database_url, **config))
        other.test_client_class = DbAwareClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            _db.engine.dispose()


def test_the_request_answers_before_its_mail_is_sent(own_app, factory):
    app = own_app()
    outbox = app.extensions["mailman"].outbox = []
    seen = {}

    @app.after_request
    def _look(response):
        # The last moment of the request: the row is committed, nothing is sent yet.
        seen["sent"] = len(outbox)
        seen["status"] = _db.session.scalar(select(OutboxMessage.status))
        return response

    event = factory.event()
    response = app.test_client().post(f"/events/{event.slug}/register", data=_form())
    assert response.status_code == 302
    assert seen == {"sent": 0, "status": "pending"}
    [sent] = outbox  # run by the client once the response was back, as a worker would
    assert sent.to == ["participant1@example.org"]
    assert _db.session.scalar(select(OutboxMessage.status)) == "sent"


def test_smtp_is_refused_inside_a_request(app):
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="web request"):
        mail_service.send_ids([1])


def test_jobs_run_without_a_request_context(app, client, factory, monkeypatch):
    calls = []
    real = mail_service.send_ids

    def spy(ids):
        calls.append((list(ids), has_request_context()))
        return real(ids)

    monkeypatch.setattr(mail_service, "send_ids", spy)
    event = factory.event()
    client.post(f"/events/{event.slug}/register", data=_form())
    [(ids, in_request)] = calls
    assert len(ids) == 1 and in_request is False


def test_write_transaction_publishes_after_its_commit_and_a_rollback_nothing(factory, mail_outbox):
    event = factory.event()
    with write_transaction():
        svc.register([event], svc.Participant(**_participant(1)))
        _db.session.flush()
        assert mail_outbox == []  # not before the commit
    assert len(mail_outbox) == 1

    with pytest.raises(RuntimeError), write_transaction():
        svc.register([event], svc.Participant(**_participant(2)))
        _db.session.flush()
        raise RuntimeError("changed my mind")
    assert len(mail_outbox) == 1
    assert _db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.id > 1)) is None


def test_a_mailing_is_split_into_jobs_of_mail_batch_size(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 3)
    published = []
    monkeypatch.setattr(
        "eventapp.jobs.dispatch.Job.publish", lambda job: published.append((job.name, job.args))
    )
    event = factory.event()
    registrations = [factory.registration(event) for _ in range(7)]
    with write_transaction():
        for registration in registrations:
            mail_service.notify_registration(registration, "reminder_link")
    assert [name for name, _args in published] == ["mail.send"] * 3
    assert [len(args[0]) for _name, args in published] == [3, 3, 1]


def test_the_job_goes_to_the_mail_queue_of_the_broker_with_the_message_ids(
    own_app, factory, tmp_path
):
    broker_url = f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    app = own_app(JOBS_EAGER=False, CELERY_BROKER_URL=broker_url)
    event = factory.event()
    response = app.test_client().post(f"/events/{event.slug}/register", data=_form())
    assert response.status_code == 302
    message_id = _db.session.scalar(select(OutboxMessage.id))
    assert _db.session.scalar(select(OutboxMessage.status)) == "pending"  # a worker sends it
    with Connection(broker_url) as connection:
        queue = connection.SimpleQueue("mail")
        job = queue.get(timeout=5)
        assert job.headers["task"] == "mail.send"
        assert job.payload[0] == [[message_id]]  # (args, kwargs, embed)
        job.ack()
        queue.close()


def _closed_port() -> int:
    port = _free_port()
    with socket.socket() as probe:  # nothing listens there
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    return port


def test_a_broker_that_is_down_loses_no_mail_the_sweep_sends_it(
    app, own_app, factory, mail_outbox, caplog
):
    down = own_app(
        TESTING=False, JOBS_EAGER=False, CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0"
    )
    event = factory.event()
    with caplog.at_level(logging.ERROR, logger="eventapp.jobs.dispatch"):
        response = down.test_client().post(f"/events/{event.slug}/register", data=_form())
    assert response.status_code == 302  # registered all the same
    assert "job mail.send not enqueued" in caplog.text
    message = _db.session.scalar(select(OutboxMessage))
    assert message.status == "pending" and mail_outbox == []

    # Later, the sweep (beat) finds it once the grace period is over.
    _db.session.execute(update(OutboxMessage).values(updated_at=utcnow() - timedelta(hours=1)))
    _db.session.commit()
    sweep = app.extensions["celery"].tasks["outbox.sweep"]
    assert sweep.apply(throw=True).result == {"enqueued": 1}
    assert [m.to for m in mail_outbox] == [["participant1@example.org"]]


def test_readyz_reports_the_broker(own_app, client, tmp_path):
    assert "broker" not in client.get("/readyz").json  # JOBS_EAGER: no broker to ask
    embedded = own_app(JOBS_EAGER=False, CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path / 'b.db'}")
    response = embedded.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["broker"] == "embedded" and response.json["status"] == "ready"


def test_readyz_is_503_when_the_broker_is_unreachable(own_app):
    down = own_app(JOBS_EAGER=False, CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "reason": "broker unreachable",
        "broker": "redis",
    }
    assert response.headers["Retry-After"] == "5"


def test_the_live_server_sends_the_mail_once_the_response_is_sent(live_server, factory, db):
    event = factory.event()
    path = f"/events/{event.slug}/register"
    participant = Participant(live_server, follow_redirects=False)
    participant.get(path)
    status, _location = participant.post(path, _form())
    assert status == 302
    deadline = time.monotonic() + 30
    while _statuses(db) != ["sent"] and time.monotonic() < deadline:
        time.sleep(0.1)  # sent in the server's thread, after the response
    assert _statuses(db) == ["sent"]


def _statuses(db):
    db.session.rollback()  # a fresh read each time
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_registration_goes_on_when_redis_is_down(own_app, factory, mail_outbox, monkeypatch):
    from eventapp.extensions import limiter

    # The limiter is one object per process: its state comes back as it was after the test.
    for name in ("enabled", "_storage", "_storage_dead"):
        monkeypatch.setattr(limiter, name, getattr(limiter, name))
    redis_down = f"redis://127.0.0.1:{_closed_port()}/0"
    app = own_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_down,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1},
    )
    event = factory.event()
    response = app.test_client().post(f"/events/{event.slug}/register", data=_form())
    assert response.status_code == 302  # limits counted in memory meanwhile
    assert response.headers["X-RateLimit-Limit"]
    assert [m.to for m in app.extensions["mailman"].outbox] == [["participant1@example.org"]]
