"""The periodic jobs, run by the one `beat` process (`flask --app eventapp beat`): one row each
in `PERIODIC`. A later issue adds its own row here (payment deadlines, waiting-list offer
expiry, reminders): a job name from eventapp/jobs/tasks.py and a function of the app's config
that says when.

A periodic job that no worker picked up before its next run is dropped (`expires`), so a
worker back after a night away does not run a night's worth of sweeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from celery.schedules import crontab, schedule


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    when: Callable[[dict], schedule]  # config -> a Celery schedule
    expires: Callable[[dict], float]  # config -> seconds


def _every(key: str) -> Callable[[dict], schedule]:
    return lambda config: schedule(float(config[key]))


def _daily_at(key: str) -> Callable[[dict], crontab]:
    def when(config) -> crontab:
        minute, hour = config[key].split()
        return crontab(minute=minute, hour=hour)

    return when


PERIODIC = [
    # Outbox messages whose job was lost (broker restarted, worker killed): sent again.
    Periodic(
        "outbox-sweep",
        "outbox.sweep",
        _every("OUTBOX_SWEEP_SECONDS"),
        lambda config: float(config["OUTBOX_SWEEP_SECONDS"]),
    ),
    # Scheduled mailings whose time has come: their messages are queued (organiser/mailings).
    Periodic(
        "mailings-send-due",
        "mailings.send_due",
        _every("MAILING_SCHEDULE_SECONDS"),
        lambda config: float(config["MAILING_SCHEDULE_SECONDS"]),
    ),
    # Registrations of events past their retention period: anonymised (`flask privacy purge`).
    Periodic("privacy-purge", "privacy.purge", _daily_at("PRIVACY_PURGE_AT"), lambda _c: 3600.0),
    # Waiting-list offers past their deadline: passed on to the next person (services/offers).
    Periodic(
        "offers-expire",
        "offers.expire",
        _every("OFFER_SWEEP_SECONDS"),
        lambda config: float(config["OFFER_SWEEP_SECONDS"]),
    ),
    # Reminder e-mails before the events (services/reminders).
    Periodic(
        "reminders-send",
        "reminders.send",
        _every("REMINDER_SWEEP_SECONDS"),
        lambda config: float(config["REMINDER_SWEEP_SECONDS"]),
    ),
    # Reminder e-mails before each B2B meeting block (services/b2b/reminders).
    Periodic(
        "b2b-remind",
        "b2b.remind",
        _every("REMINDER_SWEEP_SECONDS"),
        lambda config: float(config["REMINDER_SWEEP_SECONDS"]),
    ),
    # Webhook deliveries due for another attempt (services/api/webhooks.py); old log rows.
    Periodic(
        "webhooks-sweep",
        "webhooks.sweep",
        lambda config: schedule(float(config.get("WEBHOOK_SWEEP_SECONDS", 60))),
        lambda config: float(config.get("WEBHOOK_SWEEP_SECONDS", 60)),
    ),
    # Unpaid bookings past their payment deadline: seats released, reminders sent before.
    Periodic(
        "fees-release",
        "fees.release",
        _every("PAYMENT_RELEASE_SECONDS"),
        lambda config: float(config["PAYMENT_RELEASE_SECONDS"]),
    ),
]


def beat_schedule(config) -> dict:
    return {
        entry.name: {
            "task": entry.task,
            "schedule": entry.when(config),
            "options": {"expires": entry.expires(config)},
        }
        for entry in PERIODIC
    }
