"""In real Chromium on phones (390 px): a CDMO participant joins from their manage link, finds
a biotech through a suggestion and requests a meeting; the biotech accepts on their phone;
the organiser computes the schedule (a job: the run page refreshes itself until it is done)
and publishes; the CDMO sees the meeting with its table. No page widens the phone's screen;
the participant pages pass axe. Screenshots of each page go to tests/artifacts/."""

from __future__ import annotations

import re

import pytest

from eventapp.extensions import db
from eventapp.models import Registration
from tests.b2b.helpers import join, open_b2b
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import ARTIFACTS
from tests.support.checks import check_accessibility

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True
    )
    return context, context.new_page()


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"b2b-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name


def test_two_phones_meet_through_a_suggestion(browser, live_server, factory):
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    manager = factory.user(org, role="manager")
    event = open_b2b(factory, organisers=(org,), blocks=((0, 3),), tables=2)
    biotech = join(
        factory, event, category="biotech", organisation="TreeFrog Therapeutics",
        first_name="Léa", last_name="Durand", needs=["cdmo_capacity", "fill_finish"],
        offers=["cell_therapy"], pitch="Thérapie cellulaire en phase clinique, industrialisation.",
    )  # fmt: skip
    cdmo = factory.registration(
        event, first_name="Hugo", last_name="Bernard", organisation_name="Yposkesi",
        category="cdmo",
    )  # fmt: skip
    biotech_token = db.session.get(Registration, biotech.registration_id).manage_token

    context, page = _phone(browser, live_server)
    page.goto(f"/r/{cdmo.manage_token}")
    page.get_by_role("link", name="Mes rendez-vous B2B").click()
    page.get_by_label("Présentation courte").fill("Vecteurs viraux AAV, capacités cliniques.")
    page.get_by_label("Capacités de CDMO").first.check()
    page.locator("#offers-6").check()  # fill & finish
    _shot(page, "join")
    check_accessibility(page)
    page.get_by_role("button", name="Participer aux rendez-vous B2B").click()
    page.get_by_role("link", name="Voir mes suggestions").click()
    assert page.get_by_text("Cherche Capacités de CDMO, que vous proposez").is_visible()
    _shot(page, "suggestions")
    check_accessibility(page)
    page.get_by_role("link", name="Demander un rendez-vous").first.click()
    page.get_by_label("Message (pourquoi vous souhaitez vous rencontrer)").fill(
        "Parlons de vos lots cliniques."
    )
    _shot(page, "person")
    page.get_by_role("button", name="Envoyer la demande").click()
    _shot(page, "requests-sent")
    page.goto(f"/r/{cdmo.manage_token}/b2b/people")
    _shot(page, "people")
    check_accessibility(page)

    other, phone = _phone(browser, live_server)
    phone.goto(f"/r/{biotech_token}/b2b/requests")
    assert phone.get_by_text("Parlons de vos lots cliniques.").is_visible()
    _shot(phone, "requests-received")
    check_accessibility(phone)
    phone.get_by_role("button", name="Accepter").click()
    assert phone.get_by_text("Acceptée : vos coordonnées sont partagées.").is_visible()

    page.goto(f"/r/{cdmo.manage_token}/b2b/requests")
    page.get_by_role("link", name="Léa DURAND").click()
    assert page.get_by_text("Coordonnées").is_visible()  # shared once accepted

    # The organiser, on a phone too.
    desk, organiser = _phone(browser, live_server)
    organiser.goto("/auth/login")
    organiser.locator("#email").fill(manager.email)
    organiser.locator("#password").fill(DEFAULT_PASSWORD)
    organiser.locator("form button[type=submit]").click()
    organiser.wait_for_url("**/organiser/**")
    organiser.goto(f"/organiser/events/{event.id}/b2b")
    _shot(organiser, "organiser-dashboard")
    organiser.get_by_role("button", name="Calculer le planning optimal").click()
    organiser.wait_for_url(re.compile(r".*/b2b/runs/\d+$"))
    organiser.get_by_text("Terminé").wait_for(timeout=60_000)  # the page refreshes itself
    assert "1 / 1" in organiser.locator("main").inner_text()
    _shot(organiser, "organiser-run")
    organiser.get_by_role("link", name="Revoir les rendez-vous").click()
    organiser.get_by_role("button", name="Publier et envoyer les agendas par e-mail").click()
    _shot(organiser, "organiser-meetings")

    page.goto(f"/r/{cdmo.manage_token}/b2b/meetings")
    assert page.get_by_text(re.compile(r"Table \d+")).first.is_visible()
    assert page.get_by_text("TreeFrog Therapeutics").is_visible()
    _shot(page, "meetings")
    check_accessibility(page)
    for ctx in (context, other, desk):
        ctx.close()
