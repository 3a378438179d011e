"""Issue 19's done-when, in real Chromium on a 390×844 phone, in French and in English, driven
from the e-mails in the outbox: register for three stages of the tour in one go (one full), get
one e-mail with one link, open it, add a fourth stage, correct the job title once, cancel one
stage, receive a waiting-list offer for the full stage when a seat there is cancelled, accept
it. Screenshots go to tests/artifacts/."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.models import OutboxMessage, Registration, utcnow
from tests.browser.test_public import check_a11y, fill_person, shot

pytestmark = [pytest.mark.browser, pytest.mark.phone]

TEXTS = {
    "fr": {
        "register": "S’inscrire à une ou plusieurs étapes",
        "stage": "Étape {n}",
        "consent": "J’ai lu la politique de confidentialité",
        "submit": "S’inscrire aux étapes choisies",
        "waiting": "Sur liste d’attente — position 1",
        "confirmed": "Place confirmée",
        "add": "Ajouter à ma réservation",
        "save": "Enregistrer les corrections",
        "saved": "Vos corrections sont enregistrées pour toutes vos inscriptions",
        "cancel_link": "Annuler cette inscription…",
        "cancel_button": "Oui, annuler mon inscription",
        "cancelled": "Inscription annulée",
        "offer_subject": "Une place se libère pour vous",
        "offered": "Place proposée — répondre avant le",
        "accept": "Oui, je prends la place",
        "accepted": "La place est à vous",
        "tour_card": "3 étapes ouvertes, 1 en liste d’attente",
        "mine_cancel": "Oui, annuler mon inscription",
    },
    "en": {
        "register": "Register for one or several stages",
        "stage": "Stage {n}",
        "consent": "I have read the privacy notice",
        "submit": "Register for the selected stages",
        "waiting": "On the waiting list — position 1",
        "confirmed": "Place confirmed",
        "add": "Add to my booking",
        "save": "Save the corrections",
        "saved": "Your corrections are saved for every registration",
        "cancel_link": "Cancel this registration…",
        "cancel_button": "Yes, cancel my registration",
        "cancelled": "Registration cancelled",
        "offer_subject": "A place is free for you",
        "offered": "Place offered — answer by",
        "accept": "Yes, I take the place",
        "accepted": "The place is yours",
        "tour_card": "3 stages open, 1 with a waiting list only",
        "mine_cancel": "Yes, cancel my registration",
    },
}


def outbox(db, email: str) -> list[OutboxMessage]:
    """The e-mails to `email`, once each has been sent (its body is rendered at sending, by
    the job that runs after the response: wait for it, a few seconds at most)."""
    for _attempt in range(100):
        db.session.rollback()
        messages = list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == email)
                .order_by(OutboxMessage.id)
            )
        )
        if all(m.body_text for m in messages):
            return messages
        time.sleep(0.1)
    raise AssertionError(f"e-mails to {email} not sent: {[m.status for m in messages]}")


def link_in(message: OutboxMessage, pattern: str) -> str:
    return re.search(rf"https?://\S+{pattern}", message.body_text).group(0)


def on_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= 844


@pytest.mark.parametrize(
    "lang",
    [
        pytest.param("fr", id="fr"),
        pytest.param("en", id="en", marks=pytest.mark.locale("en-GB")),
    ],
)
def test_three_stages_one_full_then_add_correct_cancel_and_accept_an_offer(
    page, live_server, db, factory, lang
):
    t = TEXTS[lang]
    medicen = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    tour = factory.event(
        organisers=[medicen],
        kind="tour",
        title_fr="French Bioproduction Tour 2027",
        title_en="French Bioproduction Tour 2027",
        description_fr="Sept étapes régionales. " * 120,  # a long description
        description_en="Seven regional stages. " * 120,
        capacity=None,
        starts_at=utcnow() + timedelta(days=20),
        ends_at=utcnow() + timedelta(days=100),
    )
    places = [
        ("Tours", "Centre de congrès Vinci", "26 boulevard Heurteloup, 37000 Tours", 1),
        ("Bordeaux", "Palais des Congrès", "Avenue Jean-Gabriel Domergue, 33300 Bordeaux", 40),
        ("Lille", "Eurasanté", "310 avenue Eugène Avinée, 59120 Loos-lez-Lille", 40),
        ("Strasbourg", "Palais de la Musique", "Place de Bordeaux, 67000 Strasbourg", 40),
    ]
    stages = [
        factory.event(
            organisers=[medicen],
            kind="stage",
            parent_id=tour.id,
            position=n,
            title_fr=f"Tour 2027 — étape {n} : {city}",
            title_en=f"Tour 2027 — stage {n}: {city}",
            city=city,
            venue=venue,
            address=address,
            contact_email="evenements@medicen.example",
            capacity=capacity,
            starts_at=utcnow() + timedelta(days=20 * n),
        )
        for n, (city, venue, address, capacity) in enumerate(places, 1)
    ]
    other = factory.registration(stages[0], first_name="Hugo", language=lang)  # stage 1: full
    email = f"lea.{lang}@example.org"

    # The tour page on a phone: the count of open stages, the button on the first screen.
    page.goto(f"/events/{tour.slug}")
    assert t["tour_card"] in page.locator("#availability").inner_text()
    register = page.get_by_role("link", name=t["register"])
    assert on_first_screen(page, register)
    shot(page, f"bookings-{lang}-1-tour")
    register.click()
    for n in (1, 2, 3):
        page.get_by_label(re.compile(t["stage"].format(n=n))).check()
    fill_person(
        page,
        first="Léa",
        last="Durand",
        email=email,
        organisation="Yposkesi",
        job="Ingénieure procédés",
        category="biotech",
        region="cvl",
    )
    page.get_by_label(re.compile(t["consent"])).check()
    page.get_by_role("button", name=t["submit"]).click()
    page.wait_for_url(f"**/events/{tour.slug}/registered")
    results = page.locator(".result-list > li")
    assert results.count() == 3
    assert t["waiting"] in results.nth(0).inner_text()
    assert t["confirmed"] in results.nth(1).inner_text()
    check_a11y(page, f"bookings-{lang}-done")
    shot(page, f"bookings-{lang}-2-done")

    # One e-mail, one link: the booking's page.
    [mail] = outbox(db, email)
    link = link_in(mail, "/b/\\S+")
    assert "openstreetmap.org" in mail.body_text and "evenements@medicen.example" in mail.body_text
    page.goto(link)
    assert page.locator(".result-list > li").count() == 3

    # Add the fourth stage.
    page.get_by_label(re.compile("Strasbourg")).check()
    page.get_by_role("button", name=t["add"]).click()
    assert page.locator(".result-list > li").count() == 4

    # Correct the job title once, for every registration.
    page.locator("#job_title").fill("Responsable des opérations")
    page.get_by_role("button", name=t["save"]).click()
    assert t["saved"] in page.locator(".flashes").inner_text()
    check_a11y(page, f"bookings-{lang}-booking")
    shot(page, f"bookings-{lang}-3-booking")

    # Cancel one stage (Bordeaux).
    page.locator(".result-list > li").nth(1).get_by_role("link", name=t["cancel_link"]).click()
    page.get_by_role("button", name=t["cancel_button"]).click()
    assert t["cancelled"] in page.locator(".result-list > li").nth(1).inner_text()

    # Hugo cancels his seat on the full stage: Léa, first on its waiting list, gets an offer.
    page.goto(f"/r/{other.manage_token}/cancel")
    page.get_by_role("button", name=t["mine_cancel"]).click()
    offer = [m for m in outbox(db, email) if t["offer_subject"] in m.subject]
    assert len(offer) == 1
    page.goto(link)
    assert t["offered"] in page.locator(".result-list > li").nth(0).inner_text()
    shot(page, f"bookings-{lang}-4-offer")
    page.goto(link_in(offer[0], "/r/\\S+/offer/accept"))
    check_a11y(page, f"bookings-{lang}-offer")
    page.get_by_role("button", name=t["accept"]).click()
    assert t["accepted"] in page.locator(".flashes").inner_text()
    assert t["confirmed"] in page.locator(".result-list > li").nth(0).inner_text()
    shot(page, f"bookings-{lang}-5-accepted")

    db.session.rollback()
    mine = list(
        db.session.scalars(
            select(Registration).where(Registration.email == email).order_by(Registration.id)
        )
    )
    assert [r.status for r in mine] == ["confirmed", "cancelled", "confirmed", "confirmed"]
    assert len({r.booking_id for r in mine}) == 1
    assert {r.job_title for r in mine if r.is_live} == {"Responsable des opérations"}
    assert all(r.language == lang for r in mine)
