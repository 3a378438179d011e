"""The organiser's fees pages: rates (add, edit, bad input kept), vouchers (one code, a batch
for a partner, who used which), the payments list (filters, no N+1), mark a transfer received,
bank refunds to do, the CSV export, the member directory (add, CSV import, bad file)."""

import io
import re

from sqlalchemy import func, select

from eventapp.models import BookingPayment, MemberCompany, PriceCategory, Voucher
from tests.fees.conftest import form, voucher


def test_rates_are_added_edited_and_bad_input_keeps_the_form(client, db, paid, login):
    event = paid["event"]
    login(paid["manager"])
    page = client.get(f"/organiser/events/{event.id}/rates")
    assert page.status_code == 200 and "Adhérent" in page.text and "468,00" in page.text
    bad = client.post(
        f"/organiser/events/{event.id}/rates",
        data={
            "price-kind": "academic",
            "price-name_fr": "Académique",
            "price-price": "19O",
            "price-vat": "20",
            "price-verification": "approval",
        },
    )
    assert bad.status_code == 400 and 'value="Académique"' in bad.text
    added = client.post(
        f"/organiser/events/{event.id}/rates",
        data={
            "price-kind": "academic",
            "price-name_fr": "Académique",
            "price-price": "190,50",
            "price-vat": "5,5",
            "price-verification": "approval",
            "price-active": "y",
        },
    )
    assert added.status_code == 302
    db.session.rollback()
    rate = db.session.scalar(select(PriceCategory).where(PriceCategory.name_fr == "Académique"))
    assert (rate.price_cents, rate.vat_basis_points, rate.verification) == (19050, 550, "approval")
    edit = client.get(f"/organiser/events/{event.id}/rates?category={rate.id}")
    assert 'value="190.50"' in edit.text
    client.post(
        f"/organiser/events/{event.id}/rates?category={rate.id}",
        data={
            "price-kind": "academic",
            "price-name_fr": "Académique",
            "price-price": "200",
            "price-vat": "20",
            "price-verification": "approval",
        },
    )
    db.session.rollback()
    rate = db.session.get(PriceCategory, rate.id)
    assert (rate.price_cents, rate.active) == (20000, False)
    settings = client.post(
        f"/organiser/events/{event.id}/rates",
        data={
            "settings-transfer_days": "7",
            "settings-card_minutes": "45",
            "settings-late_refund_percent": "50",
            "settings-submit": "1",
        },
    )
    assert settings.status_code == 302


def test_vouchers_one_code_or_a_batch_and_who_used_them(client, db, paid, login):
    event = paid["event"]
    login(paid["manager"])
    assert client.get(f"/organiser/events/{event.id}/vouchers").status_code == 200
    batch = client.post(
        f"/organiser/events/{event.id}/vouchers",
        data={
            "code": "GENO",
            "count": "10",
            "kind": "free",
            "partner": "Genopole",
            "categories": [str(paid["rates"]["non_member"].id)],
        },
    )
    assert batch.status_code == 302
    db.session.rollback()
    codes = db.session.scalars(select(Voucher)).all()
    assert len(codes) == 10 and all(v.code.startswith("GENO-") and v.max_uses == 1 for v in codes)
    again = client.post(
        f"/organiser/events/{event.id}/vouchers",
        data={"code": codes[0].code, "kind": "percent", "value": "15"},
    )
    assert again.status_code == 422
    bad = client.post(
        f"/organiser/events/{event.id}/vouchers",
        data={"code": "X15", "kind": "percent", "value": "150"},
    )
    assert bad.status_code == 400
    client.get("/auth/logout")
    client.post(
        f"/events/{event.slug}/register",
        data=form(
            paid["rates"]["non_member"], email="a@genopole.fr", **{"fee-voucher": codes[0].code}
        ),
    )
    db.session.rollback()
    assert db.session.scalar(select(BookingPayment.total_cents)) == 0
    assert db.session.scalar(select(BookingPayment.state)) == "paid"
    login(paid["manager"])
    listing = client.get(f"/organiser/events/{event.id}/vouchers")
    assert "Durand" in listing.text


def test_the_payments_list_filters_exports_and_records_a_transfer(
    client, db, paid, login, query_counter
):
    event = paid["event"]
    for n in range(6):
        client.post(
            f"/events/{event.slug}/register",
            data=form(paid["rates"]["non_member"], email=f"p{n}@other.fr", last_name=f"Nom{n}"),
        )
    db.session.rollback()
    first = db.session.scalar(select(BookingPayment).order_by(BookingPayment.id))
    login(paid["manager"])
    client.get(f"/organiser/events/{event.id}/payments")
    with query_counter() as few:
        client.get(f"/organiser/events/{event.id}/payments")
    for n in range(6, 12):
        client.get("/auth/logout")
        client.post(
            f"/events/{event.slug}/register",
            data=form(paid["rates"]["non_member"], email=f"p{n}@other.fr", last_name=f"Nom{n}"),
        )
    login(paid["manager"])
    with query_counter() as more:
        page = client.get(f"/organiser/events/{event.id}/payments")
    assert len(more) == len(few)  # no query per row
    assert page.text.count("En attente de paiement") >= 12
    received = client.post(
        f"/organiser/events/{event.id}/payments/{first.id}/received", data={"amount": "708"}
    )
    assert received.status_code == 302
    db.session.rollback()
    assert db.session.get(BookingPayment, first.id).state == "paid"
    paid_only = client.get(f"/organiser/events/{event.id}/payments?show=paid")
    assert paid_only.text.count("Nom0") == 1 and "Nom1" not in paid_only.text
    # A transfer refund is a bank refund to do, marked done by hand.
    client.post(f"/organiser/events/{event.id}/payments/{first.id}/refund", data={"amount": "708"})
    todo = client.get(f"/organiser/events/{event.id}/payments?show=refunds")
    assert "Remboursement de 708,00" in todo.text.replace("\u202f", " ").replace("\xa0", " ")
    export = client.get(f"/organiser/events/{event.id}/payments/export.csv", buffered=True)
    body = export.get_data(as_text=True)
    assert export.mimetype == "text/csv" and body.count("\n") == 13
    assert "708.00" in body and first.bank_reference in body
    bad = client.post(
        f"/organiser/events/{event.id}/payments/{first.id}/received", data={"amount": "-3"}
    )
    assert bad.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(BookingPayment)) == 12


def test_the_member_directory_adds_imports_and_refuses_a_bad_file(client, db, paid, login):
    org = paid["org"]
    login(paid["manager"])
    url = f"/organiser/organisations/{org.id}/members-directory"
    assert "Sanofi" in client.get(url).text
    added = client.post(
        url,
        data={
            "member-name": "Yposkesi",
            "member-domains": "@yposkesi.com yposkesi.fr",
            "member-submit": "1",
        },
    )
    assert added.status_code == 302
    content = "nom;siren;domaines\nGenopole;;genopole.fr\nInstitut Pasteur;775684897;pasteur.fr\n"
    imported = client.post(
        url,
        data={"import-file": (io.BytesIO(content.encode()), "membres.csv"), "import-submit": "1"},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    bad = client.post(
        url,
        data={
            "import-file": (io.BytesIO(b"Genopole;12;pas un domaine\n"), "m.csv"),
            "import-submit": "1",
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Ligne 1" in bad.text
    db.session.rollback()
    names = sorted(db.session.scalars(select(MemberCompany.name)))
    assert names == ["Genopole", "Institut Pasteur", "Sanofi", "Yposkesi"]
    yposkesi = db.session.scalar(select(MemberCompany).where(MemberCompany.name == "Yposkesi"))
    assert yposkesi.domains == ["yposkesi.com", "yposkesi.fr"]


def test_a_voucher_limit_is_shown_and_used(client, db, paid):
    code = voucher(paid["event"], code="ONCE", max_uses=1)
    event = paid["event"]
    ok = client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["non_member"], email="a@x.fr", **{"fee-voucher": "ONCE"}),
    )
    assert ok.status_code == 302
    used_up = client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["non_member"], email="b@x.fr", **{"fee-voucher": "ONCE"}),
    )
    assert used_up.status_code == 409 and "b@x.fr" in used_up.text
    db.session.rollback()
    assert db.session.get(Voucher, code.id).used == 1


def test_an_organiser_changes_a_booking_rate_and_the_due_follows(client, db, paid, login):
    event, rates = paid["event"], paid["rates"]
    client.post(
        f"/events/{event.slug}/register", data=form(rates["non_member"], email="z@other.fr")
    )
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    login(paid["manager"])
    page = client.get(f"/organiser/events/{event.id}/payments")
    assert f'id="rate-{payment.id}"' in page.text
    changed = client.post(
        f"/organiser/events/{event.id}/payments/{payment.id}/category",
        data={"category": str(rates["member"].id)},
    )
    assert changed.status_code == 302
    db.session.rollback()
    payment = db.session.get(BookingPayment, payment.id)
    assert (payment.price_category_id, payment.total_cents) == (rates["member"].id, 46800)
    other = PriceCategory(event_id=paid["event"].id + 999, kind="member", name_fr="X")
    assert other.event_id != payment.event_id
    wrong = client.post(
        f"/organiser/events/{event.id}/payments/{payment.id}/category",
        data={"category": "999999"},
    )
    assert wrong.status_code == 302
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).total_cents == 46800


def test_a_double_click_records_a_transfer_or_a_refund_once(client, db, paid, login):
    event = paid["event"]
    client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    db.session.rollback()
    payment = db.session.scalar(select(BookingPayment))
    login(paid["manager"])
    key = re.search(
        r'name="key" value="(r[0-9a-f]+)"',
        client.get(f"/organiser/events/{event.id}/payments").text,
    ).group(1)
    for _ in range(2):
        client.post(
            f"/organiser/events/{event.id}/payments/{payment.id}/received",
            data={"amount": "100", "key": key},
        )
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).paid_cents == 10000
    for _ in range(2):
        client.post(
            f"/organiser/events/{event.id}/payments/{payment.id}/refund",
            data={"amount": "40", "key": "f1"},
        )
    db.session.rollback()
    assert db.session.get(BookingPayment, payment.id).refunded_cents == 4000


def test_tour_stages_take_no_rate(client, db, paid, factory, login):
    tour = factory.event(organisers=[paid["org"]], kind="tour", capacity=None)
    stage = factory.event(organisers=[paid["org"]], parent_id=tour.id, position=1)
    login(paid["manager"])
    page = client.get(f"/organiser/events/{stage.id}/rates")
    assert page.status_code == 200 and "étapes" in page.text and "price-price" not in page.text
    client.post(
        f"/organiser/events/{stage.id}/rates",
        data={
            "price-kind": "member",
            "price-name_fr": "X",
            "price-price": "1",
            "price-vat": "20",
            "price-verification": "none",
        },
    )
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(PriceCategory)
            .where(PriceCategory.event_id == stage.id)
        )
        == 0
    )
