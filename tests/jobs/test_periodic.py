"""The periodic work (beat): the outbox sweep finds what was left behind and only that, the
retention purge runs as a job; the schedule, the queues, the settings that guard them."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab, schedule
from sqlalchemy import select, update

from config import ProductionConfig
from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.jobs.celery_app import QUEUES
from eventapp.models import AuditLog, OutboxMessage, Registration, utcnow
from eventapp.services import mail as mail_service
from eventapp.services.mail import enqueue

ROOT = Path(__file__).resolve().parents[2]


def _message(factory, event, status="pending", attempts=0, age=timedelta(0)):
    registration = factory.registration(event)
    message = enqueue(
        kind="registration.reminder_link",
        recipient=registration.email,
        subject="Votre lien",
        body_text="Bonjour",
        event_id=event.id,
        registration_id=registration.id,
    )
    message.status, message.attempts = status, attempts
    _db.session.flush()
    message_id = message.id
    _db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(updated_at=utcnow() - age)
        .execution_options(synchronize_session=False)
    )
    _db.session.commit()  # and no read after it: the jobs below see this, we see theirs
    return message_id


def test_the_sweep_takes_what_was_left_behind_and_only_that(app, factory):
    grace = timedelta(seconds=app.config["OUTBOX_SWEEP_GRACE_SECONDS"])
    stale = timedelta(seconds=app.config["MAIL_STALE_SENDING_SECONDS"])
    event = factory.event()
    due = {
        _message(factory, event, age=grace + timedelta(seconds=5)),  # its job was lost
        _message(factory, event, "failed", 1, age=timedelta(minutes=2)),  # 1 min back-off over
        _message(factory, event, "failed", 3, age=timedelta(minutes=5)),  # 4 min over
        _message(factory, event, "sending", 1, age=stale + timedelta(seconds=5)),  # worker died
    }
    not_due = {
        _message(factory, event, age=timedelta(seconds=5)),  # its job is still in the queue
        _message(factory, event, "failed", 3, age=timedelta(minutes=3)),  # 4 min back-off
        _message(factory, event, "sending", 1, age=stale - timedelta(seconds=30)),  # in hand
        _message(factory, event, "sent", 1, age=timedelta(days=1)),
        _message(factory, event, "failed", mail_service.MAX_ATTEMPTS, age=timedelta(days=1)),
    }
    assert set(mail_service.due_for_sweep()) == due
    assert not due & not_due


def test_the_sweep_job_sends_them_once(app, factory, mail_outbox):
    event = factory.event()
    lost = _message(factory, event, age=timedelta(hours=1))
    dead = _message(factory, event, "sending", 1, age=timedelta(hours=1))
    sweep = app.extensions["celery"].tasks["outbox.sweep"]
    assert sweep.apply(throw=True).result == {"enqueued": 2}
    assert len(mail_outbox) == 2
    _db.session.rollback()  # a fresh read: the job wrote in its own session
    rows = {m.id: m for m in _db.session.scalars(select(OutboxMessage))}
    assert rows[lost].status == rows[dead].status == "sent"
    assert rows[dead].attempts == 2  # claimed again once stale
    assert sweep.apply(throw=True).result == {"enqueued": 0}  # nothing twice
    assert len(mail_outbox) == 2


def test_beat_schedules_the_sweep_and_the_purge(app):
    celery = app.extensions["celery"]
    entries = celery.conf.beat_schedule
    sweep, purge = entries["outbox-sweep"], entries["privacy-purge"]
    assert sweep["task"] == "outbox.sweep"
    assert sweep["schedule"] == schedule(float(app.config["OUTBOX_SWEEP_SECONDS"]))
    assert sweep["options"]["expires"] == app.config["OUTBOX_SWEEP_SECONDS"]
    assert purge["task"] == "privacy.purge"
    assert purge["schedule"] == crontab(minute="30", hour="3")
    for entry in entries.values():
        assert entry["task"] in celery.tasks


def test_jobs_are_routed_to_their_queues(app):
    celery = app.extensions["celery"]
    assert {q.name for q in celery.conf.task_queues} == set(QUEUES)
    router = celery.amqp.router

    def queue(name):
        return router.route({}, name)["queue"].name

    assert queue("mail.send") == "mail"
    assert queue("outbox.sweep") == queue("privacy.purge") == "default"
    assert queue("webhooks.deliver") == "webhooks" and queue("exports.xlsx") == "exports"


def test_the_purge_job_anonymises_expired_events(app, factory):
    ended = utcnow() - timedelta(days=800)
    old = factory.event(starts_at=ended - timedelta(hours=8), ends_at=ended)
    recent = factory.event()
    factory.registration(old)
    kept = factory.registration(recent)
    result = app.extensions["celery"].tasks["privacy.purge"].apply(throw=True).result
    assert result == {"anonymised": 1, "events": 1}
    emails = dict(_db.session.execute(select(Registration.event_id, Registration.email)).all())
    assert emails == {old.id: None, recent.id: kept.email}
    entry = _db.session.scalar(select(AuditLog).where(AuditLog.action == "privacy.event_purged"))
    assert entry.actor == "system" and entry.event_id == old.id


def test_the_worker_logs_each_outcome_without_an_address(app, factory, caplog):
    event = factory.event()
    message_id = _message(factory, event)
    with caplog.at_level(logging.INFO, logger="eventapp.jobs"):
        app.extensions["celery"].tasks["mail.send"].apply(args=([message_id],))
    assert f"mail.send [{message_id}]: 1 sent, 0 failed, 0 skipped" in caplog.text
    assert "@" not in caplog.text


def test_a_stale_timeout_shorter_than_a_send_job_is_refused(database_url):
    from tests.conftest import make_config

    with pytest.raises(RuntimeError, match="MAIL_STALE_SENDING_SECONDS"):
        create_app(
            make_config(database_url, MAIL_SEND_TIME_LIMIT=60, MAIL_STALE_SENDING_SECONDS=60)
        )


def test_production_refuses_rate_limits_counted_per_worker(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config = type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://events.example.fr",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": True,
        },
    )
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app(config)


def _settings(**env) -> dict:
    code = (
        "import json, config; c = config.Config; print(json.dumps([c.RATELIMIT_STORAGE_URI, "
        "c.CELERY_BROKER_URL]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "RATELIMIT_STORAGE_URI": "", "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_redis_url_serves_the_rate_limits_and_the_broker(tmp_path):
    redis = "redis://cache.internal:6379/2"
    assert _settings(REDIS_URL=redis) == [redis, redis]
    broker = "redis://jobs.internal:6379/0"
    assert _settings(REDIS_URL=redis, CELERY_BROKER_URL=broker) == [redis, broker]
    storage, embedded = _settings(INSTANCE_PATH=str(tmp_path))
    assert storage == "memory://"
    assert embedded == f"sqla+sqlite:///{tmp_path / 'jobs-broker.db'}"
