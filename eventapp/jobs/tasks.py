"""The jobs. Each runs in a worker inside an app context of the Flask app (celery_app.FlaskTask)
and logs its outcome (counts and ids only: no address reaches a log, see
eventapp/privacy/logging.py, which masks every record of the worker's process too)."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from eventapp.jobs import broker, dispatch
from eventapp.privacy.retention import purge_expired
from eventapp.services import mail as mail_service

log = logging.getLogger(__name__)

SEND_MAIL = mail_service.SEND_JOB  # "mail.send", routed to the mail queue
SWEEP_OUTBOX = "outbox.sweep"
PURGE = "privacy.purge"


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
