"""Bank statement import for one event, through the payment engine (services/payments):
parse (CSV with the organisation's saved column mapping, or CAMT.053), match by reference and
amount, apply the matched transfers as payments (the same path as a card webhook), keep the
rest in a manual queue. Re-importing the same statement changes nothing (fingerprints). Once
matched, a line keeps neither the payer's name, IBAN nor the remittance text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    BankLine,
    BankSettings,
    BookingPayment,
    Event,
    EventOrganiser,
    Organisation,
    OrganiserRole,
    PaymentState,
    User,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.fees.errors import FeeError
from eventapp.services.fees.payments import apply_event
from eventapp.services.payments.bank_statements import (
    ColumnMapping,
    StatementError,
    parse_statement,
    read_layout,
)
from eventapp.services.payments.matching import BookingDue, MatchStatus, match_transactions
from eventapp.services.payments.providers import ManualMethod, ManualProvider

# The engine's messages (bank_types.MESSAGES), here so they are extracted and translated.
STATEMENT_MESSAGES = {
    "empty_file": _l("The file is empty."),
    "too_large": _l("The file is too large (at most %(limit_mb)s MB)."),
    "unknown_format": _l(
        "This is not a bank statement we can read: upload a CSV export or a CAMT.053 XML file."
    ),
    "unsupported_xml": _l("This XML file is not a CAMT.053 account statement (%(kind)s)."),
    "xml_malformed": _l("The XML file is damaged (line %(line)s)."),
    "xml_forbidden": _l("The XML file declares a DTD or entities, which we refuse for safety."),
    "camt_missing_field": _l("Entry %(entry)s of the statement has no %(field)s."),
    "no_header": _l("No header row with the columns of a statement was found."),
    "mapping_needed": _l("Choose which columns hold the %(fields)s."),
    "missing_column": _l("These columns are not in the file: %(columns)s."),
    "bad_amount": _l("Line %(line)s: “%(value)s” is not an amount."),
    "bad_date": _l("Line %(line)s: “%(value)s” is not a date."),
    "bad_currency": _l("Line %(line)s: “%(value)s” is not a currency code."),
    "too_many_transactions": _l("The file has more than %(limit)s transactions."),
}


def statement_message(error: StatementError) -> str:
    text = str(STATEMENT_MESSAGES.get(error.code, error.default_message))
    params = {
        k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
        for k, v in error.params.items()
    }
    try:
        return text % params if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


def lead_organisation(event: Event) -> Organisation | None:
    event_ids = [event.id, *([event.parent_id] if event.parent_id else [])]
    links = db.session.scalars(
        select(EventOrganiser)
        .where(EventOrganiser.event_id.in_(event_ids))
        .order_by(EventOrganiser.position)
    ).all()
    lead = [link for link in links if link.role == OrganiserRole.LEAD] or list(links)
    return db.session.get(Organisation, lead[0].organisation_id) if lead else None


def saved_mapping(organisation: Organisation | None) -> ColumnMapping | None:
    if organisation is None:
        return None
    found = db.session.get(BankSettings, organisation.id)
    return ColumnMapping.from_dict(found.csv_mapping) if found and found.csv_mapping else None


def save_mapping(organisation: Organisation, mapping: ColumnMapping) -> None:
    found = db.session.get(BankSettings, organisation.id)
    if found is None:
        found = BankSettings(organisation_id=organisation.id)
        db.session.add(found)
    found.csv_mapping = mapping.to_dict()


def columns_of(data: bytes) -> tuple[str, ...]:
    """The header of a CSV statement (for the mapping form); () when it cannot be read."""
    try:
        return read_layout(data).header
    except StatementError:
        return ()


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)
    queued: list[BankLine] = field(default_factory=list)
    flagged: list[BankLine] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return self.counts[MatchStatus.MATCHED]


def import_statement(
    event: Event, data: bytes, *, user: User, mapping: ColumnMapping | None = None
) -> ImportReport:
    organisation = lead_organisation(event)
    chosen = mapping or saved_mapping(organisation)
    try:
        statement = parse_statement(
            data, mapping=chosen, account=organisation.iban if organisation else None
        )
    except StatementError as error:
        raise FeeError(
            FeeError.Code.BANK_FILE, field="file", message=statement_message(error)
        ) from error
    if mapping is not None and organisation is not None and statement.format == "csv":
        save_mapping(organisation, mapping)
    payments = list(
        db.session.scalars(select(BookingPayment).where(BookingPayment.event_id == event.id))
    )
    due = {
        p.bank_reference: BookingDue(p.total_cents, p.paid_cents, p.currency)
        for p in payments
        if p.state != PaymentState.AWAITING_APPROVAL or p.total_cents
    }
    seen = set(
        db.session.scalars(select(BankLine.fingerprint).where(BankLine.event_id == event.id))
    )
    provider = ManualProvider(ManualMethod.BANK_TRANSFER)
    report = ImportReport()
    for result in match_transactions(statement.transactions, due, seen):
        report.counts[result.status] += 1
        if not result.stored:
            continue
        record = result.record()
        line = BankLine(
            event_id=event.id,
            fingerprint=record["fingerprint"],
            status=record["status"],
            booked_on=record["booked_on"],
            amount_cents=record["amount_cents"],
            currency=record["currency"],
            references=record["references"],
            payer_name=(record.get("payer_name") or None),
            payer_iban=(record.get("payer_iban") or None),
            text=record.get("text"),
            resolved_at=None if result.needs_review else utcnow(),
        )
        db.session.add(line)
        for payment_event in result.payment_events(provider):
            apply_event(payment_event)
        if result.in_manual_queue:
            report.queued.append(line)
        elif result.needs_review:
            report.flagged.append(line)
    db.session.flush()
    audit.record(
        "payment.bank_imported",
        user=user,
        event_id=event.id,
        format=statement.format,
        counts={str(k): v for k, v in report.counts.items()},
    )
    return report


def resolve_line(line: BankLine, *, user: User) -> None:
    """A person dealt with a line of the queue: its payer details are dropped."""
    line.resolved_at = utcnow()
    line.payer_name = line.payer_iban = line.text = None
    audit.record("payment.bank_line_resolved", user=user, event_id=line.event_id, line=line.id)
