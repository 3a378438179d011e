"""The retention run: every event that ended before the retention period loses its personal
data, in batches of one transaction each. `flask privacy purge` and the daily `privacy.purge`
job (eventapp/jobs/schedule.py) both run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from eventapp.account import sessions
from eventapp.auth import throttle
from eventapp.database import write_transaction
from eventapp.models import utcnow
from eventapp.organisations import services as organisation_services
from eventapp.questions import answers as answer_service
from eventapp.services import mailing_attachments
from eventapp.services import privacy as privacy_service
from eventapp.services.invoicing import retention as invoice_retention


@dataclass
class PurgeReport:
    cutoff: datetime
    events: list[tuple[str, int | None]] = field(default_factory=list)  # (slug, anonymised)
    answers: int = 0  # answers past their question's own retention, deleted

    @property
    def total(self) -> int:
        return sum(count or 0 for _slug, count in self.events)


def purge_expired(
    older_than: privacy_service.Age | None = None,
    *,
    batch_size: int = privacy_service.DEFAULT_BATCH_SIZE,
    actor: str = "cli",
    dry_run: bool = False,
    on_event: Callable[[str, int | None], None] | None = None,
) -> PurgeReport:
    """Anonymise the registrations of events that ended longer ago than `older_than` (default:
    PRIVACY_RETENTION_MONTHS), `batch_size` per transaction. Safe to run again: anonymised
    ones are skipped. With dry_run, only lists the events (their count is None)."""
    older_than = older_than or privacy_service.Age(months=privacy_service.retention_months())
    now = utcnow()
    report = PurgeReport(cutoff=older_than.before(now))
    # Each batch below is its own write transaction (the first one ends this read).
    events = [(e.id, e.slug) for e in privacy_service.events_to_purge(older_than, now)]
    for event_id, slug in events:
        total = None
        if not dry_run:
            total = 0
            while True:
                with write_transaction():
                    done = privacy_service.anonymise_batch([event_id], batch_size)
                if not done:
                    break
                total += done
            with write_transaction():
                privacy_service.finish_event_purge(
                    event_id, total, actor=actor, older_than=str(older_than)
                )
        report.events.append((slug, total))
        if on_event is not None:
            on_event(slug, total)
    if not dry_run:  # invitations hold an e-mail address: answered or expired ones go too
        with write_transaction():
            organisation_services.purge_invitations(now)
        with write_transaction():  # mailings' PDFs past their keeping period
            mailing_attachments.purge(now)
        # The login history and sessions after LOGIN_HISTORY_DAYS, failed-login counters a
        # day after their last failure (eventapp.account.sessions, eventapp.auth.throttle).
        with write_transaction():
            sessions.purge(now)
            throttle.purge(now)
        with write_transaction():  # answers of questions with a shorter retention of their own
            report.answers = answer_service.purge_by_question_retention(now)
        with write_transaction():  # invoices ten years after their year (accounting records)
            invoice_retention.purge(now)
    return report
