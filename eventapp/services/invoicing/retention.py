"""How long issued documents are kept: invoices and credit notes are accounting records, kept
ten years from the end of the financial year (Code de commerce, art. L123-22; the tax
authorities' six years, LPF art. L102 B, fall inside); quotes with them. Their buyer's name and
address (personal data) therefore stay while the registrations are anonymised after their
event; the nightly retention purge (eventapp/privacy/retention.py) then deletes the documents
whose year ended more than ten years ago. This DELETE is the only way a document goes: the
model refuses it to the ORM (models/invoice.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from eventapp.extensions import db
from eventapp.models import IssuedDocument
from eventapp.services.invoicing.records import PARIS

KEEP_YEARS = 10


def cutoff(now: dt.datetime) -> dt.date:
    """Documents issued before this day are past their keeping period."""
    return dt.date(now.astimezone(PARIS).year - KEEP_YEARS, 1, 1)


def purge(now: dt.datetime) -> int:
    result = db.session.execute(
        delete(IssuedDocument)
        .where(IssuedDocument.issue_date < cutoff(now))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
