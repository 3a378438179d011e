"""Issue 13's "done when", in real Chromium (French): an administrator creates Clubster NSL and
invites its first manager, who invites a colleague as viewer and a volunteer as check-in staff
for one event on one day; Medicen grants BioValley France the manager role on the Grand Est
stage; the viewer cannot export; the volunteer lands on the desk; the manager turns on TOTP and
logs in with a code, then with a recovery code. Screenshots in tests/artifacts/teams-*.png."""

import re
from datetime import timedelta

import pyotp
import pytest
from babel.support import Translations
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.models import Organisation, OutboxMessage, utcnow
from eventapp.permissions.rules import grant_today
from tests.conftest import ARTIFACTS
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

T = Translations.load("translations", ["fr"]).gettext  # the labels as a French reader sees them
NEW_PASSWORD = "un mot de passe assez long"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"teams-{name}.png"), full_page=True)


def new_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    return context.new_page()


def log_in(page, email, password=DEFAULT_PASSWORD):
    page.goto("/auth/login")
    page.get_by_label(T("E-mail")).fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name=T("Log in")).click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_role("button", name=T("Log out")).first.click()


def link_sent_to(db, email, path_word):
    db.session.rollback()
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, email
    return re.search(rf"https?://[^\s]+(/{path_word}/[^\s]+)", message.body_text).group(1)


def accept(page, db, email, name):
    page.goto(link_sent_to(db, email, "invitation"))
    page.get_by_label(T("Your name")).fill(name)
    page.get_by_label(T("Choose a password")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=T("Create my account and join")).click()


def test_issue_13_done_when(browser, live_server, db, factory):
    admin = factory.user(email="admin@eventapp.example", name="Ada Admin", is_admin=True)
    medicen = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    biovalley = factory.organisation(name="BioValley France", short_name="BioValley")
    medicen_lead = factory.user(medicen, "manager", name="Marc Medicen")
    biovalley_manager = factory.user(biovalley, "manager", name="Berthe BioValley")
    tour = factory.event(
        organisers=[medicen], kind="tour", capacity=None, title_fr="French Bioproduction Tour"
    )
    grand_est = factory.event(
        organisers=[medicen], kind="stage", parent_id=tour.id, position=4, title_fr="Grand Est"
    )
    other_stage = factory.event(
        organisers=[medicen], kind="stage", parent_id=tour.id, position=5, title_fr="Hauts"
    )
    factory.registration(grand_est, first_name="Gaëlle", last_name="Strasbourg")
    factory.registration(other_stage, first_name="Hector", last_name="Lille")

    # 1. The administrator creates Clubster NSL and invites its first manager.
    admin_page = new_page(browser, live_server)
    log_in(admin_page, admin.email)
    admin_page.goto("/admin/organisations/new")
    admin_page.locator("#name").fill("Clubster NSL")
    admin_page.get_by_label(T("Short name")).fill("Clubster NSL")
    admin_page.get_by_label(T("Kind")).select_option("cluster")
    admin_page.locator("#owner-email").fill("manon@clubster.example")
    admin_page.get_by_role("button", name=T("Save")).click()
    expect(admin_page.locator(".flash")).to_contain_text(
        T("The organisation has been created and its first owner invited.")
    )
    shot(admin_page, "1-organisation-created")
    db.session.rollback()
    clubster = db.session.scalar(select(Organisation).where(Organisation.name == "Clubster NSL"))
    now = utcnow()
    event = factory.event(
        organisers=[clubster],
        title_fr="Journée Clubster NSL",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    factory.registration(event, first_name="Paul", last_name="Roubaix")

    # 2. The first manager joins, then invites a viewer and, for one event and one day, a
    # volunteer as check-in staff.
    manager = new_page(browser, live_server)
    accept(manager, db, "manon@clubster.example", "Manon Clubster")
    expect(manager.get_by_role("heading", name=T("My events"))).to_be_visible()
    manager.goto(f"/organiser/organisations/{clubster.id}/members")
    manager.get_by_label(T("E-mail")).fill("victor@clubster.example")
    manager.locator("#role").select_option("viewer")
    manager.get_by_role("button", name=T("Send the invitation")).click()
    expect(manager.locator(".flash")).to_contain_text(T("The invitation has been sent."))
    manager.goto(f"/organiser/events/{event.id}/team")
    today = grant_today().isoformat()
    manager.get_by_label(T("Or one person (the e-mail of their account)")).fill(
        "vera@benevoles.example"
    )
    manager.locator("#role").select_option("checkin")
    manager.get_by_label(T("First day (optional)")).fill(today)
    manager.get_by_label(T("Last day (optional)")).fill(today)
    manager.get_by_role("button", name=T("Invite this person by e-mail")).click()
    expect(manager.locator(".flash")).to_contain_text(T("The invitation has been sent."))
    shot(manager, "2-event-team")

    # 3. The viewer sees the list but cannot export.
    viewer = new_page(browser, live_server)
    accept(viewer, db, "victor@clubster.example", "Victor Viewer")
    viewer.goto(f"/organiser/events/{event.id}/attendees")
    expect(viewer.locator("table.attendee-table")).to_contain_text("ROUBAIX")
    # No export link, not even folded away in the menu, and no mailing.
    expect(viewer.locator("a[href*='/export']")).to_have_count(0)
    expect(viewer.get_by_text(T("Export and badges"))).to_have_count(0)
    expect(viewer.get_by_text(T("Write to these people"))).to_have_count(0)
    shot(viewer, "3-viewer-list")
    refused = viewer.request.get(f"/organiser/events/{event.id}/attendees/export.xlsx")
    assert refused.status == 404

    # 4. The volunteer lands on the desk (on joining, and at every login today).
    volunteer = new_page(browser, live_server)
    accept(volunteer, db, "vera@benevoles.example", "Véra Bénévole")
    expect(volunteer).to_have_url(re.compile(rf"/organiser/events/{event.id}/checkin$"))
    expect(volunteer.get_by_text(T("Your access to this desk: %(days)s.")[:15])).to_be_visible()
    shot(volunteer, "4-volunteer-desk")
    log_out(volunteer)
    log_in(volunteer, "vera@benevoles.example", NEW_PASSWORD)
    expect(volunteer).to_have_url(re.compile(rf"/organiser/events/{event.id}/checkin$"))

    # 5. Medicen grants BioValley France the manager role on the Grand Est stage.
    lead = new_page(browser, live_server)
    log_in(lead, medicen_lead.email)
    lead.goto(f"/organiser/events/{grand_est.id}/team")
    lead.locator("#organisation_id").select_option(str(biovalley.id))
    lead.locator("#role").select_option("manager")
    lead.get_by_role("button", name=T("Give the role")).click()
    expect(lead.locator(".flash")).to_contain_text(T("The role has been given on this event."))
    expect(lead.locator("main")).to_contain_text("BioValley France")
    shot(lead, "5-stage-granted")
    partner = new_page(browser, live_server)
    log_in(partner, biovalley_manager.email)
    partner.goto(f"/organiser/events/{grand_est.id}/attendees")
    expect(partner.locator("table.attendee-table")).to_contain_text("STRASBOURG")
    assert partner.request.get(f"/organiser/events/{other_stage.id}/attendees").status == 404

    # 6. The manager turns on TOTP, then logs in with a code, then with a recovery code.
    manager.goto("/account/profile")
    expect(manager.get_by_role("heading", name=T("My account"))).to_be_visible()
    shot(manager, "6-profile")
    manager.get_by_role("link", name=T("Two-factor login")).click()
    secret = manager.locator("main code").first.inner_text().strip()
    manager.get_by_label(T("Code from your app, or a recovery code")).fill(pyotp.TOTP(secret).now())
    manager.get_by_role("button", name=T("Turn two-factor login on")).click()
    codes = manager.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot(manager, "7-recovery-codes")
    log_out(manager)
    log_in(manager, "manon@clubster.example", NEW_PASSWORD)
    expect(manager).to_have_url(re.compile(r"/login/2fa$"))
    manager.get_by_label(T("Code from your app, or a recovery code")).fill(pyotp.TOTP(secret).now())
    manager.get_by_role("button", name=T("Log in")).last.click()
    expect(manager.get_by_role("heading", name=T("My events"))).to_be_visible()
    log_out(manager)
    log_in(manager, "manon@clubster.example", NEW_PASSWORD)
    manager.get_by_label(T("Code from your app, or a recovery code")).fill(codes[0])
    manager.get_by_role("button", name=T("Log in")).last.click()
    expect(manager.get_by_role("heading", name=T("My events"))).to_be_visible()
    expect(manager.locator(".flash")).to_contain_text("9")  # recovery codes left
    manager.goto("/account/sessions")
    expect(manager.get_by_role("heading", name=T("Login history"), exact=True)).to_be_visible()
    shot(manager, "8-sessions")


@pytest.mark.phone
def test_the_account_pages_fit_a_phone_and_pass_axe(page, db, factory):
    """The new pages (profile, sessions and history, an event's team with its days) at 390 px:
    no horizontal scroll, and axe-core finds no violation."""
    from tests.support.checks import check_accessibility

    org = factory.organisation()
    user = factory.user(org, "owner", name="Manon Clubster")
    event = factory.event(organisers=[org])
    log_in(page, user.email)
    for name, url in (
        ("profile", "/account/profile"),
        ("sessions", "/account/sessions"),
        ("team", f"/organiser/events/{event.id}/team"),
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        check_accessibility(page)
        shot(page, f"phone-{name}")
