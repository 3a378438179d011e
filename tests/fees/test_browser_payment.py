"""The issue's "done when", in real Chromium against a server of the app wired to the local
Stripe stand-in: a member books at the member rate by e-mail domain; a student asks for the
student rate, is approved, then pays by (test) card on the stand-in's hosted page; a company
books three colleagues with a voucher and pays by card; a transfer booking is matched by
uploading a bank CSV; an unpaid booking's seat goes to the waiting list at its deadline
(frozen clock). Screenshots in tests/artifacts/."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.models import Booking, BookingPayment, Registration
from eventapp.services.fees import holds
from tests.factories import DEFAULT_PASSWORD
from tests.fees.conftest import voucher
from tests.support.apps import make_config
from tests.support.browser import ARTIFACTS
from tests.support.checks import check_accessibility
from tests.support.network import free_port, serving
from tests.support.stripe_standin import StripeStandIn

pytestmark = pytest.mark.browser


@pytest.fixture
def paid_server(app, database_url):
    """The app with card payment on (the stand-in), served on a free port, CSRF on."""
    with StripeStandIn() as standin:
        port = free_port()
        served = create_app(
            make_config(
                database_url,
                WTF_CSRF_ENABLED=True,
                BASE_URL=f"http://127.0.0.1:{port}",
                **standin.config(),
            )
        )
        with serving(served, port) as url:
            standin.webhook_url = f"{url}/payments/stripe/webhook"
            yield url, standin
        with served.app_context():
            _db.engine.dispose()


@pytest.fixture
def tab(browser, paid_server):
    url, _standin = paid_server
    context = browser.new_context(
        base_url=url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    pg = context.new_page()
    yield pg
    context.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fees-{name}.png"), full_page=True)


def register(
    page,
    event,
    *,
    email,
    rate,
    first="Léa",
    last="Durand",
    voucher_code="",
    justification="",
    colleagues=(),
):
    page.goto(f"/events/{event.slug}/register")
    page.locator("#first_name").fill(first)
    page.locator("#last_name").fill(last)
    page.locator("#email").fill(email)
    page.locator("#organisation_name").fill("Sanofi")
    page.locator("#category").select_option("industrial")
    page.locator("#region").select_option("idf")
    page.get_by_label(re.compile(rate)).check()
    if voucher_code:
        page.locator("#fee-voucher").fill(voucher_code)
    if justification:
        page.locator("#fee-justification").fill(justification)
    if colleagues:
        for n, (cfirst, clast, cemail) in enumerate(colleagues):
            # "Add a colleague" sends the form back with one row more (no JavaScript needed).
            page.get_by_role("button", name="Ajouter un collègue").click()
            page.locator(f"#colleagues-{n}-first_name").fill(cfirst)
            page.locator(f"#colleagues-{n}-last_name").fill(clast)
            page.locator(f"#colleagues-{n}-email").fill(cemail)
    # The invoice's billing details (eventapp/invoices); typed after the colleagues' rows (the
    # "Add a colleague" round trip keeps what was typed, but fewer steps is faster).
    page.locator("#fee-billing-name").fill("Sanofi")
    page.locator("#fee-billing-address").fill("46 avenue de la Grande Armée")
    page.locator("#fee-billing-postcode").fill("75017")
    page.locator("#fee-billing-city").fill("Paris")
    page.locator("#consent").check()
    page.get_by_role("button", name=re.compile("S’inscrire|Inscription|inscrire", re.I)).click()


def pay_by_card(page, standin):
    page.get_by_role("button", name=re.compile("par carte")).click()
    page.wait_for_load_state()
    assert page.url.startswith(standin.base_url), page.locator("main").inner_text()
    page.locator("#card_number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("Pay", re.I)).first.click()
    page.wait_for_url(re.compile(r"/pay$"))


def payment_of(db, email):
    db.session.rollback()
    booking = db.session.scalar(select(Booking).where(Booking.email == email))
    return db.session.scalar(select(BookingPayment).where(BookingPayment.booking_id == booking.id))


def test_the_issue_paths_in_chromium(tab, paid_server, db, paid):
    _url, standin = paid_server
    page, event, manager = tab, paid["event"], paid["manager"]
    voucher(event, code="SANOFI3", kind="percent", value=10, max_uses=3)

    # 1. A member's e-mail domain: the member rate, straight to payment (transfer shown).
    register(page, event, email="lea.durand@sanofi.com", rate="Adhérent")
    page.wait_for_url(re.compile(r"/pay$"))
    member = payment_of(db, "lea.durand@sanofi.com")
    assert member.state == "awaiting_payment"
    assert member.bank_reference in page.content()
    check_accessibility(page)
    shot(page, "1-member-pay")

    # 2. A student: approval first, then payment by card.
    register(
        page,
        event,
        email="tom@univ-paris.fr",
        rate="Étudiant",
        first="Tom",
        last="Martin",
        justification="Master 2 bioproduction, Université Paris-Saclay",
    )
    page.wait_for_url(re.compile(r"/pay$"))
    assert "En attente de validation" in page.content()
    student_pay = page.url
    organiser = page.context.new_page()
    organiser.goto("/auth/login")
    organiser.get_by_label("Adresse e-mail").fill(manager.email)
    organiser.locator("#password").fill(DEFAULT_PASSWORD)
    organiser.get_by_role("button", name="Se connecter").click()
    organiser.goto(f"/organiser/events/{event.id}/payments?show=awaiting_approval")
    organiser.get_by_role("button", name="Accepter le tarif").click()
    shot(organiser, "2-organiser-approved")
    page.goto(student_pay)
    pay_by_card(page, standin)
    assert payment_of(db, "tom@univ-paris.fr").state == "paid"
    assert "Payé" in page.content()
    shot(page, "2-student-paid")

    # 3. A company books three colleagues with a voucher, pays once by card.
    register(
        page,
        event,
        email="chef@sanofi.com",
        rate="Adhérent",
        first="Chef",
        last="Equipe",
        voucher_code="sanofi3",
        colleagues=[("Marc", "Petit", "marc@sanofi.com"), ("Inès", "Roux", "ines@sanofi.com")],
    )
    page.wait_for_url(re.compile(r"/pay$"))
    group = payment_of(db, "chef@sanofi.com")
    assert group.total_cents == 3 * 42120
    pay_by_card(page, standin)
    group = payment_of(db, "chef@sanofi.com")
    assert (group.state, group.paid_cents) == ("paid", 3 * 42120)
    shot(page, "3-group-paid")

    # 4. The member's transfer arrives: the organiser uploads the bank CSV.
    statement = ARTIFACTS / "releve.csv"
    statement.write_text(
        f"Date;Libellé;Montant\n20/11/2026;VIR SEPA DURAND LEA {member.bank_reference};468,00\n",
        encoding="utf-8",
    )
    organiser.goto(f"/organiser/events/{event.id}/payments/bank")
    organiser.locator("#file").set_input_files(str(statement))
    organiser.get_by_role("button", name="Importer le relevé").click()
    assert "1 virement rapproché" in organiser.content()
    shot(organiser, "4-bank-matched")
    assert payment_of(db, "lea.durand@sanofi.com").state == "paid"

    # 5. Full event: an unpaid booking's seat goes to the waiting list at its deadline.
    db.session.rollback()
    event = db.session.get(type(event), event.id)
    taken = db.session.scalar(
        select(_db.func.count()).select_from(Registration).where(Registration.status == "confirmed")
    )
    event.capacity = taken + 1
    db.session.commit()
    register(page, event, email="unpaid@other.fr", rate="Non-adhérent", first="Paul", last="Lent")
    page.wait_for_url(re.compile(r"/pay$"))
    register(page, event, email="waiting@other.fr", rate="Non-adhérent", first="Zoé", last="Attend")
    page.wait_for_url(re.compile(r"/pay$"))
    unpaid = payment_of(db, "unpaid@other.fr")
    holds.release_due(unpaid.due_at + timedelta(seconds=1))  # the frozen clock, past the deadline
    db.session.rollback()
    statuses = dict(
        db.session.execute(
            select(Registration.email, Registration.status).where(
                Registration.email.in_(["unpaid@other.fr", "waiting@other.fr"])
            )
        ).all()
    )
    # The freed seat is offered to the person waiting, who accepts it from the booking page.
    assert statuses == {"unpaid@other.fr": "cancelled", "waiting@other.fr": "waitlisted"}
    pay_url = page.url
    page.goto(pay_url.removesuffix("/pay"))
    page.get_by_role("link", name="Accepter la place").click()
    page.get_by_role("button", name="Oui, je prends la place").click()
    db.session.rollback()
    waiting = db.session.scalars(
        select(Registration).where(Registration.email == "waiting@other.fr")
    ).one()
    assert waiting.status == "confirmed"
    page.goto(pay_url)
    assert "En attente de paiement" in page.content()
    shot(page, "5-waiting-list-moved-up")
