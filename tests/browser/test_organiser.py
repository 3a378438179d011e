"""The organiser's main path in real Chromium (French): log in, open an event, find an
attendee, move one from the waiting list, export to Excel, import a file with two bad rows;
axe-core finds no accessibility violation on the main pages."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.models import Registration
from tests.factories import DEFAULT_PASSWORD
from tests.support.checks import check_accessibility

pytestmark = pytest.mark.browser


@pytest.fixture
def congress(factory):
    org = factory.organisation(name="Polepharma", short_name="Polepharma")
    user = factory.user(org, name="Marie Organisatrice")
    event = factory.event(
        organisers=[org], capacity=2, title_fr="Congrès France Bioproduction 2026"
    )
    factory.registration(event, first_name="Léa", last_name="Durand", organisation_name="Yposkesi")
    factory.registration(event, first_name="Hugo", last_name="Bernard", category="cdmo")
    waiting = factory.registration(
        event, first_name="Inès", last_name="Attente", status="waitlisted", region="cvl"
    )
    return {"user": user, "event": event, "waiting": waiting}


def log_in(page, user):
    page.goto("/auth/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes événements")).to_be_visible()


def test_main_path_in_chromium(page, congress, db, tmp_path):
    event, waiting = congress["event"], congress["waiting"]
    log_in(page, congress["user"])
    check_accessibility(page)

    page.get_by_role("link", name="Congrès France Bioproduction 2026").click()
    expect(page.get_by_role("heading", name="Congrès France Bioproduction 2026")).to_be_visible()
    check_accessibility(page)

    # Find an attendee.
    page.get_by_role("navigation", name="Menu de l’événement").get_by_role(
        "link", name="Participants"
    ).click()
    page.get_by_role("searchbox", name="Rechercher").fill("durand")
    page.get_by_role("button", name="Rechercher").click()
    table = page.locator("table.attendee-table")
    expect(table).to_contain_text("Léa DURAND")
    expect(table).not_to_contain_text("BERNARD")
    check_accessibility(page)

    # Move one from the waiting list: the event is full, so with the logged override.
    page.goto(f"/organiser/events/{event.id}/attendees?status=waitlisted")
    page.get_by_role("link", name=re.compile("ATTENTE")).click()
    page.get_by_label("Dépasser la capacité si l’événement est complet").check()
    page.get_by_role("button", name="Passer en confirmé").click()
    expect(page.locator(".flash")).to_contain_text("passe de la liste d’attente aux confirmés")
    db.session.rollback()
    assert db.session.get(Registration, waiting.id).status == "confirmed"

    # Export to Excel.
    page.goto(f"/organiser/events/{event.id}/attendees")
    page.locator("summary", has_text="Export et badges").click()  # the folded menu
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter vers Excel").click()
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "Nom" and {r[0] for r in rows[1:]} == {"Durand", "Bernard", "Attente"}

    # Import a file with two bad rows.
    csv_path = tmp_path / "inscrits.csv"
    csv_path.write_text(
        "Nom;Prénom;E-mail;Catégorie\n"
        "Lambert;Chloé;chloe.lambert@example.org;biotech\n"
        "Moreau;Jules;pas-une-adresse;biotech\n"
        "Garnier;Lina;lina@example.org;Licorne\n",
        encoding="utf-8",
    )
    event_menu = page.get_by_role("navigation", name="Menu de l’événement")
    event_menu.locator("summary", has_text="Plus").click()  # the set-up pages
    event_menu.get_by_role("link", name="Import").click()
    page.get_by_label("Fichier (CSV ou Excel .xlsx)").set_input_files(str(csv_path))
    page.get_by_role("button", name="Voir l’aperçu").click()
    expect(page.get_by_role("heading", name="2 lignes ne seront pas importées")).to_be_visible()
    problems = page.locator("table.import-problems")
    expect(problems.locator("tr", has_text="Moreau")).to_contain_text("adresse e-mail invalide")
    expect(problems.locator("tr", has_text="Garnier")).to_contain_text("catégorie inconnue")
    check_accessibility(page)
    page.get_by_label(re.compile("ont demandé à être inscrites")).check()
    page.get_by_role("button", name="Importer 1 personne").click()
    expect(page.locator(".flash")).to_contain_text("1 personne importée")
    db.session.rollback()
    assert db.session.scalar(select(Registration).where(Registration.last_name == "Lambert"))

    # The statistics page and the history.
    page.goto(f"/organiser/events/{event.id}/statistics")
    # Each chart is drawn wide and phone-sized; a laptop shows the wide ones.
    expect(page.locator("svg[role=img]:visible")).to_have_count(4)
    check_accessibility(page)
    page.goto(f"/organiser/events/{event.id}/history")
    expect(page.locator("table")).to_contain_text("Participants importés")


@pytest.mark.phone
def test_the_attendee_list_works_on_a_phone(page, congress):
    log_in(page, congress["user"])
    page.goto(f"/organiser/events/{congress['event'].id}/attendees")
    expect(page.locator("table.attendee-table")).to_contain_text("DURAND")
    check_accessibility(page)
