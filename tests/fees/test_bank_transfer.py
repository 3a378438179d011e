"""Bank transfers: the organiser uploads a statement; a transfer with the booking's reference
and amount marks it paid (the payer's details are not kept), the rest goes to a queue;
importing the same file again changes nothing; a column mapping is chosen once; a file in
another format gets a clear message."""

import io

from sqlalchemy import func, select

from eventapp.models import BankLine, BookingPayment, PaymentTransaction
from tests.fees.conftest import form


def _statement(*lines):
    head = "Date;Libellé;Montant;Devise\n"
    return (head + "".join(f"{line}\n" for line in lines)).encode("utf-8")


def _upload(client, event, content, name="releve.csv", **extra):
    return client.post(
        f"/organiser/events/{event.id}/payments/bank",
        data={"file": (io.BytesIO(content), name), **extra},
        content_type="multipart/form-data",
    )


def test_a_statement_matches_a_transfer_and_a_second_import_changes_nothing(
    client, db, paid, login
):
    event = paid["event"]
    client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    reference = payment.bank_reference.lower().replace("-", " ")
    content = _statement(
        f"20/10/2026;VIR DE MARTIN SOPHIE MOTIF {reference} congres;468,00;EUR",
        "21/10/2026;VIR INCONNU SANS REF;90,00;EUR",
        "22/10/2026;PRLV EDF;-45,10;EUR",
    )
    login(paid["manager"])
    first = _upload(client, event, content)
    assert first.status_code == 200, first.text[:400]
    assert "1 virement rapproché" in first.text and "1 ligne à examiner" in first.text
    db.session.rollback()
    db.session.refresh(payment)
    assert (payment.state, payment.paid_cents, payment.method) == ("paid", 46800, "transfer")
    matched = db.session.scalar(select(BankLine).where(BankLine.status == "matched"))
    assert matched.payer_name is None and matched.text is None  # not kept once matched
    queued = db.session.scalar(select(BankLine).where(BankLine.status == "no_reference"))
    assert "INCONNU" in queued.text
    again = _upload(client, event, content)
    assert "2 lignes déjà importées" in again.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PaymentTransaction)) == 1
    assert db.session.scalar(select(func.count()).select_from(BankLine)) == 2
    resolved = client.post(f"/organiser/events/{event.id}/payments/bank/{queued.id}/resolve")
    assert resolved.status_code == 302
    db.session.rollback()
    assert db.session.get(BankLine, queued.id).text is None


def test_a_partial_transfer_is_flagged_and_the_booking_stays_awaiting(client, db, paid, login):
    event = paid["event"]
    client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    login(paid["manager"])
    _upload(client, event, _statement(f"20/10/2026;{payment.bank_reference};200,00;EUR"))
    db.session.rollback()
    db.session.refresh(payment)
    assert (payment.state, payment.paid_cents, payment.due_cents) == ("partly_paid", 20000, 26800)


def test_a_mapping_is_asked_once_then_remembered(client, db, paid, login):
    event = paid["event"]
    client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    content = f"Jour;Somme;Commentaire\n25/10/2026;468,00;paiement {payment.bank_reference}\n"
    login(paid["manager"])
    asked = _upload(client, event, content.encode())
    assert asked.status_code == 422 and "Jour" in asked.text
    mapped = _upload(
        client,
        event,
        content.encode(),
        date_column="Jour",
        amount_column="Somme",
        text_column="Commentaire",
    )
    assert mapped.status_code == 200 and "1 virement rapproché" in mapped.text
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).state == "paid"
    second = content.replace("25/10/2026", "26/10/2026").encode()
    assert _upload(client, event, second).status_code == 200  # the saved mapping reads it


def test_a_file_in_an_unknown_format_gets_a_clear_message(client, paid, login):
    login(paid["manager"])
    response = _upload(client, paid["event"], b"%PDF-1.7 not a statement", name="releve.pdf")
    assert response.status_code == 422
    assert "relevé bancaire que nous savons lire" in response.text.replace("&#39;", "'")


def test_a_camt053_statement_is_read_and_matched(client, db, paid, login):
    from pathlib import Path

    event = paid["event"]
    client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["non_member"], email="achats@polepharma.example.org"),
    )
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    payment.bank_reference = "EV-FKC7-4EG5"  # the reference written in the sample statement
    db.session.commit()
    content = (Path(__file__).parents[1] / "data/bank/camt053_v08.xml").read_bytes()
    login(paid["manager"])
    response = _upload(client, event, content, name="releve.xml")
    assert response.status_code == 200 and "1 virement rapproché" in response.text
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).state == "paid"
