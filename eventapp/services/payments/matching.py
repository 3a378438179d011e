"""Matching bank transfers to bookings: a pure function from transactions to results.

Rules, for each transaction in statement order:
- a debit (or zero) is not a payment: NOT_A_CREDIT, nothing to store;
- a fingerprint already imported (or seen earlier in the same batch): ALREADY_IMPORTED, skipped;
- a credit in another currency than the booking's: CURRENCY_MISMATCH, manual queue;
- the references are read from the text (references.find_references). Prefixed ones count;
  unprefixed ones only when they are a known booking's. A known reference with the amount left
  to pay: MATCHED; less: PARTIAL; more (or a booking already paid): OVER. Several known
  references whose amounts left add up to the credit: MATCHED, one allocation each; otherwise
  AMBIGUOUS. References but none known: UNKNOWN_REFERENCE; none: NO_REFERENCE.
- amounts paid are carried through the batch: two transfers for one booking in one statement
  make MATCHED then OVER, never MATCHED twice.

Personal data: once matched, the payer's name, IBAN and the remittance text are not kept.
``MatchResult.record()`` is what to store; it carries them only where a person still needs
them: the manual queue, and OVER (the surplus goes back to that account).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from eventapp.services.payments.bank_types import BankTransaction
from eventapp.services.payments.providers import ManualProvider, PaymentEvent
from eventapp.services.payments.references import find_references

BANK_TIMEZONE = ZoneInfo("Europe/Paris")


class MatchStatus(StrEnum):
    MATCHED = "matched"
    PARTIAL = "partial"
    OVER = "over"
    AMBIGUOUS = "ambiguous"
    UNKNOWN_REFERENCE = "unknown_reference"
    NO_REFERENCE = "no_reference"
    CURRENCY_MISMATCH = "currency_mismatch"
    ALREADY_IMPORTED = "already_imported"
    NOT_A_CREDIT = "not_a_credit"


MANUAL_QUEUE = frozenset(
    {
        MatchStatus.AMBIGUOUS,
        MatchStatus.UNKNOWN_REFERENCE,
        MatchStatus.NO_REFERENCE,
        MatchStatus.CURRENCY_MISMATCH,
    }
)
PAID_TO_BOOKINGS = frozenset({MatchStatus.MATCHED, MatchStatus.PARTIAL, MatchStatus.OVER})
_KEEPS_PAYER = MANUAL_QUEUE | {MatchStatus.OVER}


@dataclass(frozen=True)
class BookingDue:
    """A booking that can receive a transfer (pass paid ones too: a second payment is OVER)."""

    amount_due_cents: int
    already_paid_cents: int = 0
    currency: str = "EUR"

    @property
    def remaining_cents(self) -> int:
        return max(self.amount_due_cents - self.already_paid_cents, 0)


@dataclass(frozen=True)
class Allocation:
    reference: str
    amount_cents: int  # what this transaction pays towards that booking
    remaining_before_cents: int

    @property
    def remaining_after_cents(self) -> int:
        """Still due after this payment; negative: paid too much by that many cents."""
        return self.remaining_before_cents - self.amount_cents


@dataclass(frozen=True)
class MatchResult:
    transaction: BankTransaction
    status: MatchStatus
    allocations: tuple[Allocation, ...] = ()
    references: tuple[str, ...] = ()  # the references read in the text
    difference_cents: int = 0  # credit minus what was left to pay: < 0 partial, > 0 over

    @property
    def in_manual_queue(self) -> bool:
        return self.status in MANUAL_QUEUE

    @property
    def needs_review(self) -> bool:
        """Partial and over-payments are flagged, the manual queue waits for a person."""
        return self.in_manual_queue or self.status in (MatchStatus.PARTIAL, MatchStatus.OVER)

    @property
    def keeps_payer_details(self) -> bool:
        return self.status in _KEEPS_PAYER

    @property
    def stored(self) -> bool:
        """Whether the integration keeps anything for it (and so its fingerprint)."""
        return self.status not in (MatchStatus.ALREADY_IMPORTED, MatchStatus.NOT_A_CREDIT)

    def record(self) -> dict:
        """What to store: the fingerprint (so a re-import skips it), date, amount, status and
        allocations; the payer's name, IBAN and text only when keeps_payer_details."""
        t = self.transaction
        data = {
            "fingerprint": t.fingerprint,
            "status": self.status.value,
            "booked_on": t.booked_on,
            "amount_cents": t.amount_cents,
            "currency": t.currency,
            "entry_ref": t.entry_ref,
            "references": list(self.references),
            "allocations": [
                {"reference": a.reference, "amount_cents": a.amount_cents} for a in self.allocations
            ],
            "difference_cents": self.difference_cents,
        }
        if self.keeps_payer_details:
            data.update(payer_name=t.payer_name, payer_iban=t.payer_iban, text=t.text)
        return data

    def payment_events(self, provider: ManualProvider) -> list[PaymentEvent]:
        """The payments this result makes, as PaymentEvents of the manual provider: the same
        path (and the same dedup by event id) as a card payment's webhook."""
        if self.status not in PAID_TO_BOOKINGS:
            return []
        booked = datetime.combine(self.transaction.booked_on, time.min, tzinfo=BANK_TIMEZONE)
        return [
            provider.record_payment(
                allocation.reference,
                allocation.amount_cents,
                source_id=f"bank:{self.transaction.fingerprint}:{allocation.reference}",
                received_at=booked.astimezone(UTC),
                currency=self.transaction.currency,
            )
            for allocation in self.allocations
        ]


def match_transactions(
    transactions: Iterable[BankTransaction],
    bookings: Mapping[str, BookingDue],
    seen_fingerprints: Container[str] = frozenset(),
) -> list[MatchResult]:
    """One MatchResult per transaction, in order (see the module's rules). ``bookings`` maps
    canonical references (EV-XXXX-XXXX) to what is due; it is not changed."""
    paid = {reference: due.already_paid_cents for reference, due in bookings.items()}
    batch: set[str] = set()
    results = []
    for transaction in transactions:
        results.append(_match(transaction, bookings, paid, seen_fingerprints, batch))
    return results


def _match(transaction, bookings, paid, seen, batch) -> MatchResult:
    if not transaction.is_credit:
        return MatchResult(transaction, MatchStatus.NOT_A_CREDIT)
    if transaction.fingerprint in seen or transaction.fingerprint in batch:
        return MatchResult(transaction, MatchStatus.ALREADY_IMPORTED)
    batch.add(transaction.fingerprint)
    found = find_references(transaction.text)
    prefixed = _distinct(f.reference for f in found if f.prefixed)
    known = [r for r in prefixed if r in bookings] or _distinct(
        f.reference for f in found if not f.prefixed and f.reference in bookings
    )
    if not known:
        status = MatchStatus.UNKNOWN_REFERENCE if prefixed else MatchStatus.NO_REFERENCE
        return MatchResult(transaction, status, references=tuple(prefixed))
    references = tuple(known)
    if any(bookings[r].currency != transaction.currency for r in known):
        return MatchResult(transaction, MatchStatus.CURRENCY_MISMATCH, references=references)

    def left(reference):
        return bookings[reference].amount_due_cents - paid[reference]

    amount = transaction.amount_cents
    if len(known) > 1:
        total = sum(max(left(r), 0) for r in known)
        if total != amount or any(left(r) <= 0 for r in known):
            return MatchResult(
                transaction,
                MatchStatus.AMBIGUOUS,
                references=references,
                difference_cents=amount - total,
            )
        allocations = tuple(Allocation(r, left(r), left(r)) for r in known)
        for allocation in allocations:
            paid[allocation.reference] += allocation.amount_cents
        return MatchResult(transaction, MatchStatus.MATCHED, allocations, references)
    reference = known[0]
    before = max(left(reference), 0)
    paid[reference] += amount
    difference = amount - before
    status = (
        MatchStatus.MATCHED
        if difference == 0
        else MatchStatus.PARTIAL
        if difference < 0
        else MatchStatus.OVER
    )
    allocation = Allocation(reference, amount, before)
    return MatchResult(transaction, status, (allocation,), references, difference)


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
