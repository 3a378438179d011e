"""The jobs. Each runs in a worker inside an app context of the Flask app (celery_app.FlaskTask)
and logs its outcome (counts and ids only: no address reaches a log, see
eventapp/privacy/logging.py, which masks every record of the worker's process too)."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from eventapp.auth import throttle
from eventapp.database import own_transaction
from eventapp.jobs import broker, dispatch
from eventapp.privacy.retention import purge_expired
from eventapp.services import accounts, offers, reminders
from eventapp.services import mail as mail_service

log = logging.getLogger(__name__)

SEND_MAIL = mail_service.SEND_JOB  # "mail.send", routed to the mail queue
SWEEP_OUTBOX = "outbox.sweep"
PURGE = "privacy.purge"
SEND_DUE_MAILINGS = "mailings.send_due"
EXPIRE_OFFERS = "offers.expire"
SEND_REMINDERS = "reminders.send"


@shared_task(name=SEND_MAIL)
def send_mail(message_ids: list[int]) -> dict:
    """Send these outbox messages; those already sent or claimed by another worker are skipped
    (the claim step), failed ones stay in the outbox for the sweep."""
    sent, failed = mail_service.send_ids(message_ids)
    skipped = len(message_ids) - sent - failed
    log.info(
        "mail.send %s: %d sent, %d failed, %d skipped", _ids(message_ids), sent, failed, skipped
    )
    return {"sent": sent, "failed": failed, "skipped": skipped}


@shared_task(name=SWEEP_OUTBOX)
def sweep_outbox() -> dict:
    """Enqueue a send job for every message left behind (mail_service.due_for_sweep)."""
    ids = mail_service.due_for_sweep()
    size = current_app.config["MAIL_BATCH_SIZE"]
    for start in range(0, len(ids), size):
        dispatch.enqueue(SEND_MAIL, ids[start : start + size])
    pruned = broker.prune_embedded(current_app.extensions["celery"])
    if ids or pruned:
        log.info("outbox.sweep: %d messages enqueued again %s", len(ids), _ids(ids))
    return {"enqueued": len(ids)}


@shared_task(name=PURGE)
def purge() -> dict:
    """The retention purge with its default age (PRIVACY_RETENTION_MONTHS)."""
    report = purge_expired(actor="system")  # "Automatic" in the history
    log.info(
        "privacy.purge: %d registrations anonymised in %d events", report.total, len(report.events)
    )
    return {"anonymised": report.total, "events": len(report.events)}


@shared_task(name=SEND_DUE_MAILINGS)
def send_due_mailings() -> dict:
    """Queue the messages of the scheduled mailings whose time has come."""
    from eventapp.organiser.mailings.scheduled import send_due

    sent = send_due()
    if sent:
        log.info("mailings.send_due: %s", {str(k): v for k, v in sent.items()})
    return {"mailings": len(sent), "queued": sum(sent.values())}


@shared_task(name=accounts.RESET_JOB)
def password_reset(email: str) -> dict:
    """A "forgot password" request, queued the same way whether the address has an account or
    not (no timing difference in the request): the message is queued here if it has one. The
    address is not logged nor returned."""
    with own_transaction():
        queued = accounts.send_password_reset(email)
    log.info("accounts.password_reset: %s", "queued" if queued else "no account")
    return {"queued": bool(queued)}


@shared_task(name=throttle.NOTIFY_JOB)
def failed_logins(user_id: int, failures: int) -> dict:
    """Repeated failed logins on an address: its account's owner is told (published the same
    way whether the address has an account or not; 0 for none)."""
    with own_transaction():
        told = throttle.tell_owner(user_id, failures)
    log.info("accounts.failed_logins: %s", "owner told" if told else "no account")
    return {"told": bool(told)}


@shared_task(name=EXPIRE_OFFERS)
def expire_offers() -> dict:
    """Waiting-list offers past their deadline: ended, and each seat offered to the next person
    waiting, event by event (services/offers.sweep); the same for the workshops' places
    (services/programme/offers.sweep)."""
    from eventapp.services.programme import offers as session_offers

    expired = offers.sweep() + session_offers.sweep()
    if expired:
        log.info("offers.expire: %d offers expired and passed on", expired)
    return {"expired": expired}


@shared_task(name=SEND_REMINDERS)
def send_reminders() -> dict:
    """The reminder e-mails of the events whose reminder time has come (services/reminders),
    to their confirmed people, once each."""
    queued = reminders.sweep()
    if queued:
        log.info("reminders.send: %d reminders queued", queued)
    return {"queued": queued}


def _ids(ids: list[int]) -> str:
    if len(ids) <= 5:
        return str(list(ids))
    return f"[{ids[0]}, … {ids[-1]}] ({len(ids)})"


RELEASE_UNPAID = "fees.release"
REFUND = "fees.refund"


@shared_task(name=RELEASE_UNPAID)
def release_unpaid() -> dict:
    """Unpaid bookings past their deadline release their seats (the waiting list moves up);
    reminders go to those whose deadline is near (services/fees/holds.py)."""
    from eventapp.services.fees import holds

    report = holds.release_due()
    log.info("fees.release: %(released)d released, %(reminded)d reminded", report)
    return report


@shared_task(name=REFUND, autoretry_for=(Exception,), retry_backoff=60, max_retries=8)
def refund(transaction_id: int) -> dict:
    """Ask the card provider for a pending refund (idempotent: services/fees/refunds.py)."""
    from eventapp.services.fees import refunds

    outcome = refunds.run_refund(transaction_id)
    log.info("fees.refund: transaction %d %s", transaction_id, outcome)
    return {"transaction": transaction_id, "outcome": outcome}


WEBHOOKS_DELIVER = "webhooks.deliver"
WEBHOOKS_SWEEP = "webhooks.sweep"


@shared_task(name=WEBHOOKS_DELIVER)
def webhooks_deliver(delivery_ids: list[int]) -> dict:
    """Send these webhook deliveries (services/api/webhooks.py: signed, retried, in order)."""
    from eventapp.services.api import delivery

    outcome = delivery.deliver(delivery_ids)
    log.info("webhooks.deliver %s: %s", _ids(delivery_ids), sorted(set(outcome.values())))
    return {str(k): v for k, v in outcome.items()}


@shared_task(name=WEBHOOKS_SWEEP)
def webhooks_sweep() -> dict:
    """Webhook deliveries due for another attempt; the delivery log and the API's idempotent
    answers past their time are deleted."""
    from eventapp.api.v1 import idempotency
    from eventapp.services.api import delivery

    queued = delivery.sweep()
    pruned = idempotency.prune()
    if queued or pruned:
        log.info(
            "webhooks.sweep: %d deliveries queued, %d idempotent answers pruned", queued, pruned
        )
    return {"queued": queued, "pruned": pruned}


B2B_SCHEDULE = "b2b.schedule"
B2B_REMIND = "b2b.remind"


@shared_task(name=B2B_REMIND)
def b2b_remind() -> dict:
    """The reminder e-mails of the B2B meeting blocks starting soon (services/b2b/reminders),
    once per block."""
    from eventapp.services.b2b import reminders as b2b_reminders

    queued = b2b_reminders.sweep()
    if queued:
        log.info("b2b.remind: %d reminders queued", queued)
    return {"queued": queued}


@shared_task(name=B2B_SCHEDULE)
def b2b_schedule(run_id: int) -> dict:
    """One run of the B2B meeting scheduler, queued by the organiser (services/b2b/scheduling):
    computed outside any transaction, applied under the event lock."""
    from eventapp.services.b2b import scheduling

    outcome = scheduling.execute(run_id)
    log.info("b2b.schedule: run %d %s", run_id, outcome)
    return {"run": run_id, "outcome": outcome}
