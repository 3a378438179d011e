"""The reminder e-mail before an event (services/reminders, beat's `reminders.send`): at the
organiser's time or the default (3 days before; a webinar at 8:00 on its day), to confirmed
people only, with their ticket, once. The clock is frozen."""

from datetime import UTC, datetime, timedelta

from eventapp.extensions import db
from eventapp.jobs import tasks
from eventapp.models import Registration
from eventapp.services import reminders


def run_at(monkeypatch, now):
    monkeypatch.setattr(reminders, "utcnow", lambda: now)
    return tasks.send_reminders.apply(throw=True).result["queued"]


def test_default_three_days_before_confirmed_only_with_ticket_once(
    monkeypatch, factory, mail_outbox
):
    starts = datetime(2027, 3, 11, 8, 30, tzinfo=UTC)
    event = factory.event(
        starts_at=starts,
        venue="Centre de congrès Vinci",
        address="26 boulevard Heurteloup, 37000 Tours",
        city="Tours",
        contact_email="evenements@polepharma.example",
        registration_opens_at=starts - timedelta(days=60),
        created_at=starts - timedelta(days=60),
    )
    early = starts - timedelta(days=30)
    seated = factory.registration(event, created_at=early)
    waiting = factory.registration(event, status="waitlisted", created_at=early)
    factory.registration(event, status="cancelled", created_at=early)
    assert reminders.reminder_at(event) == starts - timedelta(days=3)

    assert run_at(monkeypatch, starts - timedelta(days=3, minutes=1)) == 0
    assert mail_outbox == []
    assert run_at(monkeypatch, starts - timedelta(days=3)) == 1
    [mail] = mail_outbox
    assert mail.to == [seated.email] and "Rappel" in mail.subject
    assert "26 boulevard Heurteloup, 37000 Tours" in mail.body
    assert "openstreetmap.org/search?query=" in mail.body
    assert "evenements@polepharma.example" in mail.body
    assert "Ce qu’il faut apporter" in mail.body
    assert {name for name, *_ in mail.attachments} >= {f"ticket-{event.slug}.pdf"}
    assert not any(m.to == [waiting.email] for m in mail_outbox)
    # Once only, even if the job runs again.
    assert run_at(monkeypatch, starts - timedelta(days=2)) == 0
    db.session.expire_all()
    assert db.session.get(Registration, seated.id).reminded_at is not None


def test_organiser_sets_the_time_and_a_webinar_defaults_to_8_on_its_day(
    monkeypatch, factory, mail_outbox
):
    starts = datetime(2027, 3, 11, 13, 0, tzinfo=UTC)  # 14:00 in Paris
    custom = factory.event(starts_at=starts, reminder_hours=24)
    webinar = factory.event(
        starts_at=starts, kind="webinar", venue=None, online_url="https://visio.example/x"
    )
    assert reminders.reminder_at(custom) == starts - timedelta(hours=24)
    assert reminders.reminder_at(webinar) == datetime(2027, 3, 11, 7, 0, tzinfo=UTC)  # 8:00
    for event in (custom, webinar):
        factory.registration(event, created_at=starts - timedelta(days=20))
    assert run_at(monkeypatch, starts - timedelta(hours=24)) == 1
    assert run_at(monkeypatch, datetime(2027, 3, 11, 7, 0, tzinfo=UTC)) == 1
    online = mail_outbox[-1]
    assert "https://visio.example/x" in online.body and "tester le son" in online.body


def test_someone_confirmed_after_the_reminder_time_is_not_reminded(
    monkeypatch, factory, mail_outbox
):
    starts = datetime(2027, 3, 11, 8, 30, tzinfo=UTC)
    event = factory.event(starts_at=starts)
    factory.registration(event, created_at=starts - timedelta(days=1))  # late: has its tickets
    assert run_at(monkeypatch, starts - timedelta(hours=12)) == 0
    assert mail_outbox == []
