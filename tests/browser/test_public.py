"""The main path in real Chromium (Playwright), in French on a phone and in English on a
desktop, with an axe-core check of every public page (no serious or critical violation).
Screenshots go to tests/artifacts/."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.models import OutboxMessage, Registration, utcnow
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser


def check_a11y(page, name: str) -> None:
    """axe-core (from axe-playwright-python): no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def manage_link(db, email: str) -> list[str]:
    db.session.rollback()
    bodies = db.session.scalars(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id)
    )
    return [re.search(r"https?://\S+/[br]/\S+", body).group(0) for body in bodies]


def fill_person(page, *, first, last, email, organisation, job, category, region):
    page.locator("#first_name").fill(first)
    page.locator("#last_name").fill(last)
    page.locator("#email").fill(email)
    page.locator("#organisation_name").fill(organisation)
    page.locator("#job_title").fill(job)
    page.locator("#category").select_option(category)
    page.locator("#region").select_option(region)


@pytest.mark.phone
def test_french_phone_registers_for_two_tour_stages_then_cancels_one(
    page, live_server, db, factory
):
    lead = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    local = factory.organisation(name="BioValley France", short_name="BioValley France")
    tour = factory.event(
        organisers=[lead],
        kind="tour",
        title_fr="French Bioproduction Tour 2027",
        capacity=None,
        region="idf",
        regions=["ges", "hdf", "pdl"],
        starts_at=utcnow() + timedelta(days=20),
        ends_at=utcnow() + timedelta(days=80),
    )
    stages = [
        factory.event(
            organisers=[org],
            kind="stage",
            parent_id=tour.id,
            position=n,
            title_fr=f"French Bioproduction Tour 2027 — étape {n}",
            region=region,
            city=city,
            capacity=capacity,
            starts_at=utcnow() + timedelta(days=20 * n),
        )
        for n, org, region, city, capacity in [
            (1, local, "ges", "Strasbourg", 2),
            (2, lead, "hdf", "Lille", 40),
            (3, lead, "pdl", "Nantes", 40),
        ]
    ]
    factory.registration(stages[0])
    factory.registration(stages[0])  # stage 1 is full: its registrations go on the waiting list

    page.goto("/")
    check_a11y(page, "home")
    page.get_by_role("link", name="French Bioproduction Tour 2027").click()
    page.wait_for_url(f"**/events/{tour.slug}")
    assert page.locator(".map-marker").count() == 3
    check_a11y(page, "tour")
    shot(page, "fr-phone-1-tour")
    page.get_by_role("link", name="S’inscrire à une ou plusieurs étapes").click()
    page.get_by_label(re.compile("Étape 1")).check()
    page.get_by_label(re.compile("Étape 3")).check()
    # A mistake first: the e-mail is wrong; the error shows next to it, nothing typed is lost.
    fill_person(
        page,
        first="Léa",
        last="Durand",
        email="lea.durand@",
        organisation="Yposkesi",
        job="Ingénieure procédés",
        category="biotech",
        region="hdf",
    )
    page.get_by_label(re.compile("J’ai lu la politique de confidentialité")).check()
    page.get_by_role("button", name="S’inscrire aux étapes choisies").click()
    assert (
        page.locator("#email-error").inner_text().startswith("Saisissez une adresse e-mail valide")
    )
    assert page.locator("#organisation_name").input_value() == "Yposkesi"
    assert page.get_by_label(re.compile("Étape 3")).is_checked()
    check_a11y(page, "register-errors")
    shot(page, "fr-phone-2-register-errors")
    page.locator("#email").fill("lea.durand@example.org")
    page.get_by_role("button", name="S’inscrire aux étapes choisies").click()
    page.wait_for_url(f"**/events/{tour.slug}/registered")
    results = page.locator(".result-list > li")
    assert results.count() == 2
    assert "Sur liste d’attente — position 1" in results.nth(0).inner_text()
    assert "Place confirmée" in results.nth(1).inner_text()
    check_a11y(page, "done")
    shot(page, "fr-phone-3-done")

    [link] = manage_link(db, "lea.durand@example.org")  # one e-mail, one link: the booking
    assert "/b/" in link
    page.goto(link)
    booked = page.locator(".result-list > li")
    assert "Sur liste d’attente — position 1" in booked.nth(0).inner_text()
    assert "Place confirmée" in booked.nth(1).inner_text()
    assert booked.count() == 2 and "Place confirmée" in booked.nth(1).inner_text()
    check_a11y(page, "manage")
    booked.nth(1).get_by_role("link", name="Annuler cette inscription…").click()
    check_a11y(page, "cancel")
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    assert "L’inscription est annulée" in page.locator(".flashes").inner_text()
    assert "Inscription annulée" in page.locator(".result-list > li").nth(1).inner_text()
    shot(page, "fr-phone-4-cancelled")
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.status != "cancelled", Registration.email == "lea.durand@example.org"
            )
        )
        == 1
    )


@pytest.mark.locale("en-GB")
def test_english_congress_registration_manage_and_cancel(page, live_server, db, factory):
    medicen = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    polepharma = factory.organisation(name="Polepharma", short_name="Polepharma")
    event = factory.event(
        organisers=[medicen, polepharma],
        slug="congres-france-bioproduction-2026",
        title_en="France Bioproduction Congress 2026",
        capacity=500,
        venue="Maison de la Chimie",
        city="Paris",
    )
    page.goto(f"/events/{event.slug}")
    assert "500 places left" in page.locator("#availability").inner_text()
    check_a11y(page, "event")
    shot(page, "en-1-event")
    page.get_by_role("link", name="Register", exact=True).click()
    fill_person(
        page,
        first="Jan",
        last="Kowalski",
        email="jan@example.eu",
        organisation="Biocat",
        job="Process engineer",
        category="cdmo",
        region="abroad",
    )
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    check_a11y(page, "register")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registered")
    assert "Place confirmed" in page.locator(".result-list").inner_text()
    shot(page, "en-2-done")
    page.goto(f"/events/{event.slug}")
    assert "499 places left" in page.locator("#availability").inner_text()

    [link] = manage_link(db, "jan@example.eu")
    page.goto(link)
    assert "France Bioproduction Congress 2026" in page.content()
    page.locator("#job_title").fill("Head of process development")
    page.get_by_role("button", name="Save the corrections").click()
    assert "Your corrections are saved" in page.locator(".flashes").inner_text()
    assert page.locator("#job_title").input_value() == "Head of process development"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Add to calendar")).click()
    assert download.value.suggested_filename == f"{event.slug}.ics"
    page.get_by_role("link", name="Cancel this registration…").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    assert "Registration cancelled" in page.locator(".result-list").inner_text()
    shot(page, "en-3-cancelled")
    page.goto(f"/events/{event.slug}")
    assert "500 places left" in page.locator("#availability").inner_text()


def test_registration_works_by_keyboard_and_without_javascript(browser, live_server, db, factory):
    event = factory.event(title_fr="Atelier clavier", capacity=5)
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/events/{event.slug}/register")
        page.locator("#first_name").focus()
        page.keyboard.type("Clara")
        for key, value in [
            ("Tab", "Petit"),
            ("Tab", "clara@example.org"),
            ("Tab", "Genopole"),
            ("Tab", "Chercheuse"),
        ]:
            page.keyboard.press(key)
            page.keyboard.type(value)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "category"
        page.keyboard.press("ArrowDown")  # native select: first real choice
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "region"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        # The honeypot is skipped; next come the privacy notice and the consent box.
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "consent"
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/registered")
        assert "Place confirmée" in page.inner_text("main")
    finally:
        context.close()


@pytest.mark.phone
def test_other_public_pages_pass_axe(page, live_server, factory):
    event = factory.event(status="cancelled", title_fr="Annulé")
    past = factory.event(
        starts_at=utcnow() - timedelta(days=5), ends_at=utcnow() - timedelta(days=4)
    )
    factory.registration(past)
    reg = factory.registration(factory.event(capacity=1), status="waitlisted")
    for path in [
        "/events?when=past",
        f"/events/{event.slug}",
        f"/events/{past.slug}",
        f"/events/{event.slug}/resend-link",
        f"/r/{reg.manage_token}",
        "/nope",
        "/events?kind=zzz",
    ]:
        page.goto(path)
        check_a11y(page, path)
