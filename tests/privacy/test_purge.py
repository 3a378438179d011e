"""Retention: `flask privacy purge --older-than 24months` and an organiser's per-event purge."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.models import AuditLog, ImportUpload, OutboxMessage, Registration, utcnow
from eventapp.services import privacy
from eventapp.services.counts import event_counts
from eventapp.services.mail import enqueue


def _past_event(factory, days_ago: int, **kw):
    ends = utcnow() - timedelta(days=days_ago)
    return factory.event(starts_at=ends - timedelta(hours=8), ends_at=ends, **kw)


def _live_personal_data(db, event_id):
    return db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event_id, Registration.anonymised_at.is_(None)
        )
    )


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("24months", privacy.Age(months=24)),
        ("18 months", privacy.Age(months=18)),
        ("2years", privacy.Age(months=24)),
        ("1year", privacy.Age(months=12)),
        ("30days", privacy.Age(days=30)),
        ("6w", privacy.Age(days=42)),
        ("12M", privacy.Age(months=12)),
    ],
)
def test_ages(text, age):
    assert privacy.parse_age(text) == age


@pytest.mark.parametrize("text", ["", "24", "months", "-3months", "2 fortnights", "1e3days"])
def test_bad_ages_are_refused(text):
    with pytest.raises(ValueError, match="not an age"):
        privacy.parse_age(text)


def test_calendar_months_clamp_to_the_end_of_the_month():
    moment = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert privacy.Age(months=1).before(moment) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    assert privacy.Age(months=24).before(moment) == datetime(2024, 3, 31, 12, tzinfo=UTC)
    assert privacy.Age(days=30).before(moment) == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_purge_anonymises_old_events_in_batches_and_keeps_the_figures(runner, db, factory):
    old = _past_event(factory, days_ago=800)  # more than 24 months ago
    recent = _past_event(factory, days_ago=300)
    upcoming = factory.event()
    statuses = ["confirmed"] * 4 + ["cancelled", "waitlisted"]
    old_rows = [
        factory.registration(old, status=s, checked_in_at=utcnow() if s == "confirmed" else None)
        for s in statuses
    ]
    recent_row = factory.registration(recent)
    upcoming_row = factory.registration(upcoming)
    sent = enqueue(
        kind="registration.confirmed",
        recipient=old_rows[0].email,
        subject="Inscription confirmée",
        body_text=f"Bonjour {old_rows[0].first_name}",
        event_id=old.id,
        registration_id=old_rows[0].id,
    )
    sent.status = "sent"
    db.session.add(ImportUpload(event_id=old.id, filename="inscrits.csv", content=b"a@b.fr"))
    db.session.commit()
    before = event_counts([old.id])[old.id]

    result = runner.invoke(
        args=["privacy", "purge", "--older-than", "24months", "--batch-size", "4"]
    )
    assert result.exit_code == 0, result.output
    assert f"{old.slug}: 6 registrations anonymised" in result.output
    assert "6 registrations anonymised in 1 events" in result.output

    db.session.expire_all()
    for row in old_rows:
        row = db.session.get(Registration, row.id)
        assert row.email is None and row.anonymised_at is not None
        assert row.first_name == row.last_name == "—" and row.organisation_name == ""
    assert event_counts([old.id])[old.id] == before  # statuses and check-ins kept
    assert db.session.get(Registration, recent_row.id).email is not None
    assert db.session.get(Registration, upcoming_row.id).email is not None
    message = db.session.get(OutboxMessage, sent.id)
    assert (message.recipient, message.body_text, message.subject) == (
        "",
        "",
        "Inscription confirmée",
    )
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 0
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "privacy.event_purged"))
    assert log.event_id == old.id and log.actor == "cli"
    assert log.details == {"anonymised": 6, "import_files_deleted": 1, "older_than": "24months"}

    # A second run changes nothing and logs nothing.
    again = runner.invoke(args=["privacy", "purge", "--older-than", "24months"])
    assert again.exit_code == 0
    assert "Nothing to anonymise" in again.output
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 1


def test_purge_accepts_other_ages_and_defaults_to_the_retention_period(runner, db, factory):
    event = _past_event(factory, days_ago=45)
    factory.registration(event)
    assert "Nothing to anonymise" in runner.invoke(args=["privacy", "purge"]).output
    result = runner.invoke(args=["privacy", "purge", "--older-than", "30days"])
    assert "1 registrations anonymised" in result.output
    assert _live_personal_data(db, event.id) == 0


def test_dry_run_changes_nothing(runner, db, factory):
    event = _past_event(factory, days_ago=900)
    factory.registration(event)
    result = runner.invoke(args=["privacy", "purge", "--older-than", "2years", "--dry-run"])
    assert result.exit_code == 0
    assert f"would purge {event.slug}" in result.output
    assert _live_personal_data(db, event.id) == 1


def test_a_bad_age_is_a_clear_usage_error(runner):
    result = runner.invoke(args=["privacy", "purge", "--older-than", "soon"])
    assert result.exit_code == 2
    assert "not an age like 24months, 2years or 30days" in result.output


def test_purge_event_for_an_organiser_is_audit_logged_and_refused_before_the_end(db, factory):
    org = factory.organisation()
    user = factory.user(org)
    upcoming = factory.event(organisers=[org])
    factory.registration(upcoming)
    with pytest.raises(privacy.PrivacyError) as refused:
        privacy.purge_event(upcoming, user)
    assert refused.value.code == "not_ended"
    assert _live_personal_data(db, upcoming.id) == 1

    ended = _past_event(factory, days_ago=2, organisers=[org])
    for _ in range(3):
        factory.registration(ended)
    assert privacy.purge_event(ended, user, batch_size=2) == 3
    db.session.commit()
    assert _live_personal_data(db, ended.id) == 0
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "privacy.event_purged"))
    assert (log.user_id, log.event_id, log.details["anonymised"]) == (user.id, ended.id, 3)
    assert privacy.purge_event(ended, user) == 0  # idempotent, no second audit line
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 1
