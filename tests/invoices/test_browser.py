"""The invoice pages on a 390 px phone, in real Chromium: the registration form's billing
details, the booking page's invoice block with its quote button, the billing details page and
the organiser's invoices list; nothing widens the page, axe finds no violation. Screenshots
in tests/artifacts/."""

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.invoices.conftest import ACADEMIC_BILLING, book, booking_of, pay
from tests.support.browser import ARTIFACTS
from tests.support.checks import check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.phone]


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"invoices-{name}-390.png"), full_page=True)
    assert width(page) <= 390, (name, width(page))
    check_accessibility(page)


def test_invoice_pages_on_a_phone(page, db, congress):
    event = congress["event"]
    page.goto(f"/events/{event.slug}/register")
    page.locator("#fee-billing-name").wait_for()
    shot(page, "register")
    paid = book(event.id, congress["rates"]["academic"].id, billing=ACADEMIC_BILLING)
    pay(paid, congress["manager"])
    unpaid = book(event.id, congress["rates"]["academic"].id, n=3)
    token = booking_of(unpaid).manage_token
    page.goto(f"/b/{token}")
    shot(page, "booking")
    page.get_by_role("link", name="Corriger les informations de facturation").click()
    page.locator("#purchase_order").fill("BC-2026-9")
    shot(page, "billing")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Vos informations de facturation sont enregistrées.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger un devis (PDF)").click()
    assert download.value.suggested_filename == "quote-D-000001.pdf"
    page.goto(f"/b/{booking_of(paid).manage_token}")
    assert page.get_by_text("Facture F-000001 (PDF)").is_visible()

    manager = congress["manager"]
    page.goto("/auth/login")
    page.locator("#email").fill(manager.email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/organiser/o/{congress['org'].id}/invoices")
    assert page.get_by_text("Réservations à facturer").is_visible()
    shot(page, "organiser-list")
