"""Matching bank credits to bookings: matched, partial, over, manual queue, skipped."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eventapp.services.payments.bank_statements import parse_statement
from eventapp.services.payments.bank_types import BankTransaction
from eventapp.services.payments.matching import (
    BookingDue,
    MatchStatus,
    match_transactions,
)
from eventapp.services.payments.providers import ManualProvider, PaymentEventKind
from eventapp.services.payments.references import reference_for_booking

BANK = Path(__file__).resolve().parent.parent / "data" / "bank"
# The references written in the fixture files: bookings 1-8 under this secret.
REF = {i: reference_for_booking(i, "fixture-secret") for i in range(1, 9)}
MEMBER, NON_MEMBER, ACADEMIC, STUDENT = 46800, 70800, 22800, 10800  # VAT included


def _bookings(**paid):
    dues = {
        1: MEMBER,
        2: NON_MEMBER,
        3: MEMBER,
        4: NON_MEMBER,
        5: MEMBER,
        6: NON_MEMBER,
        7: MEMBER,
        8: STUDENT,
    }
    return {REF[i]: BookingDue(due, paid.get(f"b{i}", 0)) for i, due in dues.items()}


def _statement(name):
    return parse_statement((BANK / name).read_bytes())


def _tx(
    text,
    cents,
    *,
    currency="EUR",
    payer="DUPONT JEAN",
    iban="FR7630006000011234567890189",
    fingerprint=None,
):
    return BankTransaction(
        date(2026, 10, 20),
        cents,
        currency,
        text,
        payer,
        iban,
        fingerprint=fingerprint or f"fp-{text}-{cents}",
    )


def _summary(results):
    return [
        (r.status, [(a.reference, a.amount_cents) for a in r.allocations], r.difference_cents)
        for r in results
    ]


def test_societe_generale_statement():
    results = match_transactions(_statement("societe_generale.csv").transactions, _bookings())
    assert _summary(results) == [
        (MatchStatus.MATCHED, [(REF[1], MEMBER)], 0),
        # One transfer for two bookings whose amounts add up.
        (MatchStatus.MATCHED, [(REF[2], NON_MEMBER), (REF[3], MEMBER)], 0),
        (MatchStatus.NOT_A_CREDIT, [], 0),
        (MatchStatus.NO_REFERENCE, [], 0),
    ]
    assert results[3].in_manual_queue and not results[0].needs_review


def test_credit_agricole_statement_partial_payment():
    results = match_transactions(_statement("credit_agricole.csv").transactions, _bookings())
    assert _summary(results) == [
        (MatchStatus.MATCHED, [(REF[4], NON_MEMBER)], 0),
        (MatchStatus.PARTIAL, [(REF[5], 20000)], 20000 - MEMBER),
        (MatchStatus.NOT_A_CREDIT, [], 0),
    ]
    partial = results[1]
    assert partial.needs_review and not partial.in_manual_queue
    assert partial.allocations[0].remaining_after_cents == MEMBER - 20000


def test_bnp_statement_over_payment_and_a_mistyped_reference():
    results = match_transactions(_statement("bnp_paribas.csv").transactions, _bookings())
    assert _summary(results) == [
        (MatchStatus.OVER, [(REF[6], 2 * NON_MEMBER)], NON_MEMBER),
        (MatchStatus.NO_REFERENCE, [], 0),  # EV-4B8N-9FV8: wrong check character
        (MatchStatus.NOT_A_CREDIT, [], 0),
    ]


def test_qonto_statement_and_unprefixed_unknown_words():
    results = match_transactions(_statement("qonto.csv").transactions, _bookings())
    assert [r.status for r in results] == [
        MatchStatus.MATCHED,
        MatchStatus.NOT_A_CREDIT,
        MatchStatus.NO_REFERENCE,
    ]


def test_camt_statement():
    results = match_transactions(_statement("camt053_v02.xml").transactions, _bookings())
    assert _summary(results) == [
        (MatchStatus.MATCHED, [(REF[1], MEMBER)], 0),
        (MatchStatus.MATCHED, [(REF[2], NON_MEMBER)], 0),
        (MatchStatus.PARTIAL, [(REF[3], ACADEMIC)], ACADEMIC - MEMBER),
        (MatchStatus.NOT_A_CREDIT, [], 0),
    ]


def test_re_importing_the_same_statement_changes_nothing():
    transactions = _statement("societe_generale.csv").transactions
    first = match_transactions(transactions, _bookings())
    seen = {r.transaction.fingerprint for r in first if r.stored}
    again = match_transactions(_statement("societe_generale.csv").transactions, _bookings(), seen)
    assert {r.status for r in again} == {MatchStatus.ALREADY_IMPORTED, MatchStatus.NOT_A_CREDIT}
    assert not any(r.allocations or r.stored for r in again)


def test_two_transfers_for_one_booking_in_one_batch():
    results = match_transactions(
        [
            _tx(f"VIR {REF[1]}", MEMBER, fingerprint="a"),
            _tx(f"VIR {REF[1]}", MEMBER, fingerprint="b"),
            _tx(f"VIR {REF[1]}", MEMBER, fingerprint="a"),
        ],
        _bookings(),
    )
    assert _summary(results) == [
        (MatchStatus.MATCHED, [(REF[1], MEMBER)], 0),
        (MatchStatus.OVER, [(REF[1], MEMBER)], MEMBER),
        (MatchStatus.ALREADY_IMPORTED, [], 0),
    ]


@pytest.mark.parametrize(
    ("text", "cents", "paid", "status", "difference"),
    [
        (f"VIR {REF[8]}", STUDENT, 0, MatchStatus.MATCHED, 0),
        (f"VIR {REF[8]}", STUDENT, STUDENT, MatchStatus.OVER, STUDENT),  # already paid
        (f"VIR {REF[8]}", 5000, 5800, MatchStatus.MATCHED, 0),  # the rest of a partial payment
        (f"VIR {REF[8][3:]} DUPONT", STUDENT, 0, MatchStatus.MATCHED, 0),  # prefix forgotten
        (
            f"VIR {reference_for_booking(99, 'fixture-secret')}",
            STUDENT,
            0,
            MatchStatus.UNKNOWN_REFERENCE,
            0,
        ),
        (f"{REF[8]} ET {REF[7]}", STUDENT, 0, MatchStatus.AMBIGUOUS, STUDENT - STUDENT - MEMBER),
        ("VIR TRANSFER DUPONT", STUDENT, 0, MatchStatus.NO_REFERENCE, 0),
    ],
)
def test_match_cases(text, cents, paid, status, difference):
    [result] = match_transactions([_tx(text, cents)], _bookings(b8=paid))
    assert (result.status, result.difference_cents) == (status, difference)


def test_another_currency_goes_to_the_manual_queue():
    [result] = match_transactions([_tx(f"VIR {REF[8]}", STUDENT, currency="CHF")], _bookings())
    assert result.status is MatchStatus.CURRENCY_MISMATCH and result.in_manual_queue


def test_the_bookings_given_are_not_changed():
    bookings = _bookings()
    before = dict(bookings)
    match_transactions([_tx(f"VIR {REF[1]}", MEMBER)], bookings)
    assert bookings == before


def test_payer_details_are_not_kept_once_matched():
    results = match_transactions(
        [
            _tx(f"VIR {REF[1]}", MEMBER),
            _tx(f"VIR {REF[5]}", 100),
            _tx(f"VIR {REF[8]}", 2 * STUDENT),
            _tx("VIR DUPONT", 100),
        ],
        _bookings(),
    )
    matched, partial, over, unknown = (r.record() for r in results)
    for record in (matched, partial):
        assert not {"payer_name", "payer_iban", "text"} & set(record)
        assert "DUPONT" not in repr(record) and "FR76" not in repr(record)
    assert matched == {
        "fingerprint": f"fp-VIR {REF[1]}-{MEMBER}",
        "status": "matched",
        "booked_on": date(2026, 10, 20),
        "amount_cents": MEMBER,
        "currency": "EUR",
        "entry_ref": None,
        "references": [REF[1]],
        "allocations": [{"reference": REF[1], "amount_cents": MEMBER}],
        "difference_cents": 0,
    }
    # The surplus goes back to the payer's account; the manual queue needs to know who paid.
    for record in (over, unknown):
        assert (record["payer_name"], record["payer_iban"]) == (
            "DUPONT JEAN",
            "FR7630006000011234567890189",
        )
    assert "DUPONT" not in repr(results[0].transaction)  # nor in logs


def test_matched_transfers_become_payment_events_recorded_once():
    provider = ManualProvider()
    transactions = _statement("societe_generale.csv").transactions
    events = [
        e for r in match_transactions(transactions, _bookings()) for e in r.payment_events(provider)
    ]
    again = [
        e for r in match_transactions(transactions, _bookings()) for e in r.payment_events(provider)
    ]
    assert [(e.booking_reference, e.amount_cents, e.kind) for e in events] == [
        (REF[1], MEMBER, PaymentEventKind.PAID),
        (REF[2], NON_MEMBER, PaymentEventKind.PAID),
        (REF[3], MEMBER, PaymentEventKind.PAID),
    ]
    assert [e.event_id for e in events] == [e.event_id for e in again]
    assert len({e.event_id for e in events}) == 3
    assert events[0].occurred_at == datetime(2026, 10, 19, 22, 0, tzinfo=UTC)  # midnight in Paris
