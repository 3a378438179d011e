"""The checkout step of the registration form: prices computed on the server, member rates by
e-mail domain, approval of checked rates, quotas, vouchers; free events stay free."""

import html

from sqlalchemy import func, select

from eventapp.models import Booking, BookingPayment, Registration
from tests.fees.conftest import form, voucher


def text(response):
    return html.unescape(response.get_data(as_text=True))


def payments(db):
    db.session.rollback()
    return list(db.session.scalars(select(BookingPayment).order_by(BookingPayment.id)))


def test_a_free_event_has_no_payment_step(client, db, factory):
    event = factory.event()
    page = client.get(f"/events/{event.slug}/register")
    assert "fee-category" not in page.text
    response = client.post(f"/events/{event.slug}/register", data=form(None))
    assert response.status_code == 302 and "/registered" in response.headers["Location"]
    assert payments(db) == []


def test_a_member_domain_gets_the_member_rate_and_the_payment_page(client, db, paid):
    event, member = paid["event"], paid["rates"]["member"]
    page = text(client.get(f"/events/{event.slug}/register"))
    assert "468,00" in page and "390,00" in page and "Adhérent" in page
    response = client.post(f"/events/{event.slug}/register", data=form(member))
    assert response.status_code == 302 and "/pay" in response.headers["Location"]
    [payment] = payments(db)
    assert payment.state == "awaiting_payment"
    assert (payment.net_cents, payment.vat_cents, payment.total_cents) == (39000, 7800, 46800)
    assert payment.due_at is not None and payment.bank_reference.startswith("EV-")
    pay = text(client.get(response.headers["Location"]))
    assert payment.bank_reference in pay and "FR7630006000011234567890189" in pay
    booking = db.session.get(Booking, payment.booking_id)
    assert "Paiement" in text(client.get(f"/b/{booking.manage_token}"))


def test_a_member_rate_from_another_domain_needs_a_justification_then_approval(
    client, db, paid, login, mail_outbox
):
    event, member = paid["event"], paid["rates"]["member"]
    refused = client.post(
        f"/events/{event.slug}/register", data=form(member, email="lea@gmail.com")
    )
    assert refused.status_code == 422
    assert "Léa" in text(refused) and "dites pourquoi" in text(refused)
    assert payments(db) == []
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    asked = client.post(
        f"/events/{event.slug}/register",
        data=form(member, email="lea@gmail.com", **{"fee-justification": "Salariée de Sanofi"}),
    )
    assert asked.status_code == 302
    [payment] = payments(db)
    assert payment.state == "awaiting_approval" and payment.due_at is None
    login(paid["manager"])
    listing = text(client.get(f"/organiser/events/{event.id}/payments?show=awaiting_approval"))
    assert "Salariée de Sanofi" in listing
    mail_outbox.clear()
    approved = client.post(f"/organiser/events/{event.id}/payments/{payment.id}/approve")
    assert approved.status_code == 302
    [payment] = payments(db)
    assert payment.state == "awaiting_payment" and payment.due_at is not None
    assert any("tarif" in m.subject.lower() for m in mail_outbox)
    history = text(client.get(f"/organiser/events/{event.id}/history"))
    assert "Tarif accepté" in history and "Réservation tarifée" in history


def test_a_tampered_rate_is_refused_and_nothing_is_saved(client, db, paid, factory):
    other = factory.event()
    from eventapp.models import PriceCategory

    foreign = PriceCategory(event_id=other.id, kind="member", name_fr="X", price_cents=1)
    db.session.add(foreign)
    db.session.commit()
    event = paid["event"]
    for value in (str(foreign.id), "abc", "999999"):
        response = client.post(
            f"/events/{event.slug}/register", data=form(None, **{"fee-category": value})
        )
        assert response.status_code in (400, 422), value
    response = client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["non_member"], **{"fee-price": "1", "total_cents": "1"}),
    )
    [payment] = payments(db)
    assert payment.total_cents == 70800  # 590 € + 20 %: computed, never read from the form


def test_the_student_quota_holds(client, db, paid):
    event, student = paid["event"], paid["rates"]["student"]
    for n in range(2):
        ok = client.post(
            f"/events/{event.slug}/register",
            data=form(student, email=f"s{n}@univ.fr", **{"fee-justification": "Master"}),
        )
        assert ok.status_code == 302
    full = client.post(
        f"/events/{event.slug}/register",
        data=form(student, email="s9@univ.fr", **{"fee-justification": "Master"}),
    )
    assert full.status_code == 409 and "Plus aucune place" in text(full)
    assert len(payments(db)) == 2


def test_a_voucher_takes_its_discount_and_only_on_its_rates(client, db, paid):
    event, rates = paid["event"], paid["rates"]
    voucher(event, code="EARLY15", category_ids=[rates["non_member"].id])
    wrong = client.post(
        f"/events/{event.slug}/register",
        data=form(rates["member"], **{"fee-voucher": "early15"}),
    )
    assert wrong.status_code == 422 and "ne s’applique pas" in text(wrong).replace("'", "’")
    unknown = client.post(
        f"/events/{event.slug}/register",
        data=form(rates["non_member"], **{"fee-voucher": "NOPE"}),
    )
    assert unknown.status_code == 422
    ok = client.post(
        f"/events/{event.slug}/register",
        data=form(rates["non_member"], email="x@other.fr", **{"fee-voucher": " early15 "}),
    )
    assert ok.status_code == 302
    [payment] = payments(db)
    assert payment.discount_cents == 8850 and payment.net_cents == 50150
    assert payment.total_cents == 60180


def test_a_group_booking_registers_colleagues_and_pays_once(client, db, paid, mail_outbox):
    event, member = paid["event"], paid["rates"]["member"]
    code = voucher(event, code="GROUPE10", kind="percent", value=10, max_uses=5)
    page = client.get(f"/events/{event.slug}/register").text
    assert "Ajouter un collègue" in page
    data = form(
        member,
        **{
            "fee-voucher": "groupe10",
            "colleagues-0-first_name": "Marc",
            "colleagues-0-last_name": "Petit",
            "colleagues-0-email": "marc.petit@sanofi.com",
            "colleagues-1-first_name": "Inès",
            "colleagues-1-last_name": "Roux",
            "colleagues-1-email": "ines.roux@sanofi.com",
        },
    )
    half = {**data, "colleagues-2-first_name": "Sans", "colleagues-2-email": "bad"}
    refused = client.post(f"/events/{event.slug}/register", data=half)
    assert refused.status_code == 400 and 'value="Marc"' in refused.text
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 302
    [payment] = payments(db)
    booking = db.session.get(Booking, payment.booking_id)
    people = db.session.scalars(
        select(Registration.email).where(Registration.booking_id == booking.id)
    ).all()
    assert sorted(people) == [
        "ines.roux@sanofi.com",
        "lea.durand@sanofi.com",
        "marc.petit@sanofi.com",
    ]
    assert (payment.net_cents, payment.total_cents) == (3 * 35100, 3 * 42120)
    db.session.refresh(code)
    assert code.used == 3
    assert len([m for m in mail_outbox if m.to == ["lea.durand@sanofi.com"]]) == 1
