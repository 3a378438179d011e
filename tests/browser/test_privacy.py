"""The privacy pages in a real browser: accessible (axe-core), usable on a phone, by keyboard,
without JavaScript."""

import pytest

from eventapp.models import Registration
from tests.support.checks import check_accessibility

pytestmark = pytest.mark.browser


@pytest.mark.phone
def test_event_notice_on_a_phone_is_accessible(page, factory):
    event = factory.event(
        organisers=[factory.organisation(name="Medicen Paris Region")],
        title_fr="Congrès France Bioproduction",
    )
    page.goto(f"/events/{event.slug}/privacy")
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("Politique de confidentialité")
    )
    assert page.get_by_text("Medicen Paris Region").is_visible()
    check_accessibility(page)
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.phone
def test_erasure_by_keyboard_on_a_phone(page, db, factory):
    event = factory.event(title_fr="Journées du Biotesting")
    registration = factory.registration(event)
    page.goto(f"/r/{registration.manage_token}/erase")
    check_accessibility(page)
    # Submitting without ticking the box is refused with a message, nothing is lost.
    page.get_by_role("button", name="Effacer mes données").click()
    assert page.get_by_text("Veuillez cocher la case pour confirmer.").first.is_visible()
    check_accessibility(page)
    page.get_by_label("Je comprends que mes données personnelles seront effacées").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Effacer mes données").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/privacy/erased")
    assert page.get_by_role("heading", level=1).inner_text() == "Vos données ont été effacées"
    check_accessibility(page)
    db.session.rollback()
    assert db.session.get(Registration, registration.id).anonymised_at is not None


@pytest.mark.locale("en-GB")
def test_notice_in_english_in_the_browser(page, factory):
    factory.event(organisers=[factory.organisation(name="Genopole")])
    page.goto("/privacy")
    assert page.get_by_role("heading", level=1).inner_text() == "Privacy notice"
    check_accessibility(page)
