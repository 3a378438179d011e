"""Registration questions in real Chromium: an organiser builds the congress's form in the
builder (no code), a participant on a phone answers it in French with the conditional field
appearing live, a workshop fills up and shows "complet", the organiser filters the list on a
workshop. Neither page widens a 390 px phone screen. Screenshots go to tests/artifacts/."""

import pytest
from sqlalchemy import select

from eventapp.models import Answer, Question
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_build_answer_fill_and_filter(browser, live_server, db, factory):
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    user = factory.user(org, name="Marie Organisatrice")
    event = factory.event(organisers=[org], title_fr="Congrès France Bioproduction 2026")
    ARTIFACTS.mkdir(exist_ok=True)

    # The organiser builds the form.
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    page.goto("/auth/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/organiser/**")
    page.goto(f"/organiser/events/{event.id}/questions")
    page.select_option("#kind", "choice")
    page.get_by_role("button", name="Ajouter une question").click()
    page.locator("#label_fr").fill("Atelier de l’après-midi")
    page.locator("#identifier").fill("workshop")
    page.locator("#options").fill("a | Atelier A | Workshop A | 1\nb | Atelier B | Workshop B | 40")
    page.locator("section.narrow form button.button-primary").click()
    page.wait_for_url(f"**/organiser/events/{event.id}/questions")
    page.goto(f"/organiser/events/{event.id}/questions/new?kind=yes_no")
    page.locator("#label_fr").fill("Rendez-vous B2B ?")
    page.locator("#identifier").fill("b2b")
    page.locator("section.narrow form button.button-primary").click()
    page.wait_for_url(f"**/organiser/events/{event.id}/questions")
    page.goto(f"/organiser/events/{event.id}/questions/new?kind=long_text")
    page.locator("#label_fr").fill("Ce que vous proposez")
    page.locator("#identifier").fill("offer")
    db.session.rollback()
    b2b = db.session.scalar(select(Question).where(Question.identifier == "b2b"))
    page.select_option("#depends_on", str(b2b.id))
    page.locator("#depends_values").fill("yes")
    page.locator("section.narrow form button.button-primary").click()
    page.wait_for_url(f"**/organiser/events/{event.id}/questions")
    page.screenshot(path=str(ARTIFACTS / "questions-builder.png"), full_page=True)
    assert page.locator(".question-item").count() == 3
    db.session.rollback()
    offer = db.session.scalar(select(Question).where(Question.identifier == "offer"))

    # A participant on a phone: the conditional question appears when B2B is "Oui".
    phone = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport=PHONE, is_mobile=True
    )
    visitor = phone.new_page()
    visitor.goto(f"/events/{event.slug}/register")
    block = visitor.locator(f'.question[data-depends-on="q_{b2b.id}"]')
    assert block.is_hidden()
    visitor.locator("#first_name").fill("Léa")
    visitor.locator("#last_name").fill("Durand")
    visitor.locator("#email").fill("lea@example.org")
    visitor.select_option("#category", "biotech")
    visitor.get_by_label("Atelier A").check()
    visitor.get_by_label("Oui").check()
    assert block.is_visible()
    visitor.locator(f"#q_{offer.id}").fill("Capacités de production en lots cliniques")
    visitor.locator("#consent").check()
    assert width(visitor) <= 390
    visitor.screenshot(path=str(ARTIFACTS / "questions-phone-form.png"), full_page=True)
    visitor.locator("form.registration-form button.button-primary[type=submit]").click()
    visitor.wait_for_url("**/registered")
    db.session.rollback()
    values = {a.question.identifier: a.value for a in db.session.scalars(select(Answer))}
    assert values == {
        "workshop": "a",
        "b2b": "yes",
        "offer": "Capacités de production en lots cliniques",
    }

    # The workshop's only place is taken: the next person sees it "complet".
    second = phone.new_page()
    second.goto(f"/events/{event.slug}/register")
    full = second.get_by_label("Atelier A (complet)")
    assert full.is_disabled()
    assert width(second) <= 390

    # The organiser filters the list on the workshop.
    workshop = db.session.scalar(select(Question).where(Question.identifier == "workshop"))
    page.goto(f"/organiser/events/{event.id}/attendees?answer={workshop.id}:a")
    assert "DURAND" in page.content()
    page.goto(f"/organiser/events/{event.id}/attendees?answer={workshop.id}:b")
    assert "DURAND" not in page.content()
    context.close()
    phone.close()
