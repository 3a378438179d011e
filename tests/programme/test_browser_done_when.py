"""Issue 16's "done when", in real Chromium: an organiser builds part of the congress programme
and is warned of a speaker conflict, publishes; a participant on a phone reads the programme,
signs up for a workshop, is refused the parallel one, stars a plenary, downloads the agenda; the
organiser moves the workshop and the participant gets the change e-mail; at the workshop door
the desk counts them; after the event they download their certificate."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.models import Event, OutboxMessage, ProgrammeSession, Room, utcnow
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"programme-{name}.png"), full_page=True)


def log_in(context, user):
    page = context.new_page()
    page.goto("/auth/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/organiser/"))
    return page


def local(moment):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M")


def add_session(page, event, kind, title, starts, ends, room, *, places=None, speaker=None):
    page.goto(f"/organiser/events/{event.id}/programme/sessions/new")
    page.get_by_label("Type").select_option(kind)
    page.get_by_label("Titre (français)").fill(title)
    page.get_by_label("Début (heure de Paris)").fill(local(starts))
    page.get_by_label("Fin (heure de Paris)").fill(local(ends))
    page.get_by_label("Salle", exact=True).select_option(label=room)
    if places:
        page.get_by_label("Places sur inscription").fill(str(places))
    if speaker:
        page.get_by_label(re.compile(speaker)).check()
    page.get_by_role("button", name="Enregistrer dans le brouillon").click()
    expect(page.locator(".flash, [role=status], .notice").first).to_be_visible()


def button(page, title, action):
    """The `action` button of the session titled `title` on the participant's programme."""
    session = page.locator("article", has=page.get_by_role("heading", name=title, exact=True))
    return session.locator(f"button[value={action}]")


def test_done_when(browser, live_server, factory, db):
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    starts = (utcnow() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    event = factory.event(
        organisers=[org],
        slug="congres-test-programme",
        title_fr="Congrès France Bioproduction",
        starts_at=starts,
        ends_at=starts + timedelta(hours=9),
    )
    for n, (name, capacity) in enumerate((("Amphithéâtre", 400), ("Salle Pasteur", 40))):
        db.session.add(Room(event_id=event.id, name=name, capacity=capacity, position=n))
    db.session.commit()
    manager = factory.user(org, "manager")
    volunteer = factory.user(org, "checkin")
    person = factory.registration(event, first_name="Inès", last_name="Moreau")
    desktop = browser.new_context(base_url=live_server, locale="fr-FR")
    staff = browser.new_context(base_url=live_server, locale="fr-FR")
    phone = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    try:
        # 1. The organiser builds part of the programme and is warned of a speaker conflict.
        org_page = log_in(desktop, manager)
        org_page.goto(f"/organiser/events/{event.id}/programme/speakers")
        org_page.locator("#name").fill("Sophie Carrel")
        org_page.get_by_label("Organisation").fill("Genopole")
        org_page.get_by_label(re.compile("accepte d’être affiché")).check()
        org_page.get_by_role("button", name="Ajouter l’intervenant").click()
        expect(org_page.get_by_text("Intervenant « Sophie Carrel » ajouté.")).to_be_visible()
        hour = timedelta(hours=1)
        add_session(
            org_page,
            event,
            "plenary",
            "Plénière d’ouverture",
            starts,
            starts + hour,
            "Amphithéâtre",
        )
        add_session(
            org_page,
            event,
            "workshop",
            "Vecteurs viraux",
            starts + 2 * hour,
            starts + 3 * hour,
            "Salle Pasteur",
            places=30,
            speaker="Sophie Carrel",
        )
        add_session(
            org_page,
            event,
            "workshop",
            "Procédés anticorps",
            starts + 2 * hour,
            starts + 3 * hour,
            "Amphithéâtre",
            places=50,
            speaker="Sophie Carrel",
        )
        org_page.goto(f"/organiser/events/{event.id}/programme")
        expect(org_page.locator("#conflicts")).to_contain_text(
            "Sophie Carrel parle à deux endroits à la fois"
        )
        shot(org_page, "organiser-timetable")
        org_page.get_by_role("button", name="Publier le programme").click()
        expect(org_page.get_by_text("Programme publié.")).to_be_visible()

        # 2. A participant on a phone reads the programme, signs up, is refused the parallel
        # workshop, stars the plenary and downloads the agenda.
        mobile = phone.new_page()
        mobile.goto(f"/events/{event.slug}")
        mobile.get_by_role("link", name="Voir le programme").click()
        expect(mobile.get_by_role("heading", name="Vecteurs viraux")).to_be_visible()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        shot(mobile, "public-phone")
        mobile.goto(f"/r/{person.manage_token}/programme")
        button(mobile, "Vecteurs viraux", "signup").click()
        expect(mobile.get_by_text("Vous êtes inscrit·e à « Vecteurs viraux ».")).to_be_visible()
        button(mobile, "Procédés anticorps", "signup").click()
        expect(
            mobile.get_by_text(re.compile(r"en même temps que «\s*Vecteurs viraux\s*»"))
        ).to_be_visible()
        button(mobile, "Plénière d’ouverture", "star").click()
        expect(
            mobile.get_by_text("« Plénière d’ouverture » est dans votre programme.")
        ).to_be_visible()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        shot(mobile, "participant-phone")
        mobile.goto(f"/r/{person.manage_token}")
        with mobile.expect_download() as info:
            mobile.get_by_role("link", name=re.compile("Télécharger mon programme")).click()
        agenda = Calendar.from_ical(Path(info.value.path()).read_bytes())
        assert sorted(str(e["SUMMARY"]) for e in agenda.walk("VEVENT")) == [
            "Plénière d’ouverture",
            "Vecteurs viraux",
        ]
        shot(mobile, "manage-phone")

        # 3. The organiser moves the workshop and publishes: the participant is e-mailed.
        db.session.rollback()
        workshop = db.session.scalar(
            select(ProgrammeSession).where(ProgrammeSession.title_fr == "Vecteurs viraux")
        )
        org_page.goto(f"/organiser/events/{event.id}/programme/sessions/{workshop.id}")
        org_page.get_by_label("Début (heure de Paris)").fill(local(starts + 5 * hour))
        org_page.get_by_label("Fin (heure de Paris)").fill(local(starts + 6 * hour))
        org_page.get_by_role("button", name="Enregistrer dans le brouillon").click()
        org_page.get_by_role("button", name="Publier le programme").click()
        expect(
            org_page.get_by_text(re.compile("1 participant reçoit les changements"))
        ).to_be_visible()
        db.session.rollback()
        (message,) = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "programme_changed")
        )
        assert message.registration_id == person.id and "Vecteurs viraux" in message.body_text

        # 4. At the workshop door, check-in staff count the participant in.
        desk = log_in(staff, volunteer)
        desk.goto(f"/organiser/events/{event.id}/programme/doors")
        desk.get_by_role("link", name="Vecteurs viraux").click()
        desk.get_by_label("Code du billet").fill(person.ticket_code)
        desk.get_by_role("button", name="Compter l’entrée").click()
        expect(desk.locator("[data-testid=door-count]")).to_have_text("1")
        shot(desk, "door")

        # 5. After the event, the participant downloads the certificate.
        db.session.rollback()
        shift = timedelta(days=40)
        row = db.session.get(Event, event.id)
        row.starts_at, row.ends_at = row.starts_at - shift, row.ends_at - shift
        row.registration_opens_at = row.starts_at - timedelta(days=10)
        row.registration_closes_at = row.starts_at - timedelta(hours=1)
        for session in db.session.scalars(select(ProgrammeSession)):
            for name in ("starts_at", "ends_at", "published_starts_at", "published_ends_at"):
                setattr(session, name, getattr(session, name) - shift)
        db.session.commit()
        mobile.goto(f"/r/{person.manage_token}")
        with mobile.expect_download() as info:
            mobile.get_by_role("link", name=re.compile("attestation de présence")).click()
        assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    finally:
        desktop.close()
        staff.close()
        phone.close()
