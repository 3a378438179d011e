"""The check-in desk in real Chromium: a staff member opens the desk, checks people in by typed
code and by search; a second desk (another browser context) is told "already checked in"; counts
move without reloading; a scan made while the network is down is queued, never shown as a
success, and sent with its real result when the network returns; the camera reads a QR code."""

import re
from pathlib import Path

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from eventapp.extensions import db
from eventapp.models import Registration
from eventapp.services import tickets
from tests.support.browser import ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(factory):
    org = factory.organisation(short_name="Medicen")
    event = factory.event(organisers=[org], title_fr="Congrès France Bioproduction", capacity=500)
    people = {
        "camille": factory.registration(
            event, first_name="Camille", last_name="Martin", organisation_name="Sanofi"
        ),
        "helene": factory.registration(
            event, first_name="Hélène", last_name="Dupont", organisation_name="Genopole"
        ),
        "paul": factory.registration(
            event, first_name="Paul", last_name="Girard", organisation_name="Yposkesi"
        ),
        "lea": factory.registration(
            event, first_name="Léa", last_name="Moreau", organisation_name="Pfizer"
        ),
    }
    factory.registration(event, first_name="Jean", last_name="Annulé", status="cancelled")
    staff = [factory.user(org, role="checkin", name=f"Bénévole {n}") for n in (1, 2)]
    return event, people, staff


def open_desk(context, user, event, desk, javascript=True):
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error))
    page.goto("/auth/login")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/organiser/"))
    page.goto(f"/organiser/events/{event.id}/checkin")
    page.get_by_label("Nom du poste").fill(desk)
    page.get_by_role("button", name="Ouvrir le poste").click()
    expect(page.locator(".desk-current")).to_contain_text(desk)
    if javascript:
        expect(page.locator("#checkin.js-ready")).to_have_count(1)  # the desk script is on
    return page


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"checkin-{name}.png"), full_page=True)


def checked_in(registration) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, registration.id)


def test_two_desks_check_in_by_code_and_by_search_and_see_each_other(browser, live_server, setup):
    event, people, staff = setup
    first_context = browser.new_context(base_url=live_server, locale="fr-FR")
    second_context = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        desk1 = open_desk(first_context, staff[0], event, "Accueil 1")
        counts1 = desk1.locator("#checkin-counts")
        result1 = desk1.locator("#checkin-result")
        expect(counts1).to_have_text("Présents : 0 sur 4 confirmés")

        # A typed code (the one printed under the QR code, with its spaces).
        code_input = desk1.get_by_label("Code du billet")
        expect(code_input).to_be_focused()
        code_input.fill(tickets.display_code(people["camille"].ticket_code))
        code_input.press("Enter")
        expect(result1).to_contain_text("Entrée validée — Camille MARTIN, Sanofi")
        expect(result1).to_have_class(re.compile(r"\bresult-ok\b"))
        expect(counts1).to_have_text("Présents : 1 sur 4 confirmés")
        expect(code_input).to_have_value("")
        expect(code_input).to_be_focused()  # ready for the next scan

        # Search as one types, accents ignored, and check in from the list.
        search = desk1.get_by_role("searchbox", name="Nom ou organisation")
        search.press_sequentially("helene", delay=40)
        expect(desk1.locator("#search-results .person-name")).to_have_text(["Hélène DUPONT"])
        desk1.get_by_role("button", name="Valider l’entrée Hélène DUPONT").click()
        expect(result1).to_contain_text("Entrée validée — Hélène DUPONT, Genopole")
        expect(counts1).to_have_text("Présents : 2 sur 4 confirmés")
        screenshot(desk1, "checked-in-by-search")
        expect(desk1.locator("#search-results .person-checked")).to_contain_text("Entrée validée à")

        # The second desk scans Camille's ticket again (a desk scanner types the full code).
        desk2 = open_desk(second_context, staff[1], event, "Accueil 2")
        result2 = desk2.locator("#checkin-result")
        desk2.get_by_label("Code du billet").fill(tickets.payload(people["camille"]))
        desk2.get_by_label("Code du billet").press("Enter")
        expect(result2).to_contain_text(
            re.compile(r"Entrée déjà validée à \d\d:\d\d par Accueil 1 \(Bénévole 1\)")
        )
        expect(result2).to_have_class(re.compile(r"\bresult-warn\b"))
        expect(result2).to_contain_text("Camille MARTIN")
        screenshot(desk2, "already-checked-in")

        # Desk 2 checks Paul in: desk 1's counts move without reloading.
        desk2.get_by_label("Code du billet").fill(tickets.payload(people["paul"]))
        desk2.get_by_label("Code du billet").press("Enter")
        expect(result2).to_contain_text("Entrée validée — Paul GIRARD, Yposkesi")
        expect(counts1).to_have_text("Présents : 3 sur 4 confirmés", timeout=15_000)

        # Undo from the result box.
        desk2.get_by_role("button", name="Annuler cette entrée").click()
        expect(result2).to_contain_text("Entrée annulée")
        expect(desk2.locator("#checkin-counts")).to_have_text("Présents : 2 sur 4 confirmés")
        assert checked_in(people["paul"]).checked_in_at is None
        saved = checked_in(people["camille"])
        assert saved.checkin_desk == "Accueil 1" and saved.checked_in_by_id == staff[0].id
    finally:
        first_context.close()
        second_context.close()


def test_refusals_are_clear_in_words_not_only_colour(browser, live_server, setup, factory):
    event, _people, staff = setup
    cancelled = factory.registration(event, first_name="Zoé", last_name="Roux", status="cancelled")
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        desk = open_desk(context, staff[0], event, "Accueil 1")
        result = desk.locator("#checkin-result")
        code = desk.get_by_label("Code du billet")
        code.fill(tickets.payload(cancelled))
        code.press("Enter")
        expect(result.locator(".result-text")).to_have_text("Inscription annulée")
        expect(result).to_have_class(re.compile(r"\bresult-stop\b"))
        expect(result.locator(".result-sign")).to_have_text("✕")
        code.fill("bonjour")
        code.press("Enter")
        expect(result.locator(".result-text")).to_have_text("Code inconnu")
        screenshot(desk, "unknown-code")
    finally:
        context.close()


def test_a_scan_during_a_network_loss_is_queued_then_sent_with_its_real_result(
    browser, live_server, setup
):
    event, people, staff = setup
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        desk = open_desk(context, staff[0], event, "Accueil 1")
        result = desk.locator("#checkin-result")
        network = desk.locator("#network-status")
        expect(network).to_be_hidden()

        context.set_offline(True)
        expect(network).to_be_visible()
        expect(network).to_contain_text("Pas de réseau : les entrées ne sont PAS enregistrées.")
        code = desk.get_by_label("Code du billet")
        code.fill(tickets.payload(people["lea"]))
        code.press("Enter")
        expect(result).to_contain_text("Entrée pas encore enregistrée — pas de réseau")
        expect(result).not_to_contain_text("Entrée validée")
        expect(network).to_contain_text("Scans en attente d’envoi : 1")
        screenshot(desk, "offline-queued")
        desk.get_by_role("searchbox", name="Nom ou organisation").fill("paul")
        expect(desk.locator("#search-results")).to_contain_text("la recherche est indisponible")
        desk.wait_for_timeout(500)
        assert checked_in(people["lea"]).checked_in_at is None

        context.set_offline(False)
        queued = desk.locator("#queue-results")
        expect(queued).to_contain_text("Entrée validée — Léa MOREAU, Pfizer", timeout=15_000)
        expect(queued).to_contain_text("scanné à")
        screenshot(desk, "queue-sent")
        expect(network).to_be_hidden()
        expect(desk.locator("#checkin-counts")).to_have_text("Présents : 1 sur 4 confirmés")
        assert checked_in(people["lea"]).checkin_desk == "Accueil 1"
        assert (
            desk.evaluate("localStorage.length") == 0
            or desk.evaluate(
                f"JSON.parse(localStorage.getItem('eventapp.checkin.queue.{event.id}')).length"
            )
            == 0
        )
    finally:
        context.close()


def test_a_queued_scan_of_someone_checked_in_meanwhile_reports_already(browser, live_server, setup):
    event, people, staff = setup
    first = browser.new_context(base_url=live_server, locale="fr-FR")
    second = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        offline_desk = open_desk(first, staff[0], event, "Accueil 1")
        online_desk = open_desk(second, staff[1], event, "Accueil 2")
        first.set_offline(True)
        code = offline_desk.get_by_label("Code du billet")
        code.fill(tickets.payload(people["helene"]))
        code.press("Enter")
        expect(offline_desk.locator("#checkin-result")).to_contain_text("pas de réseau")
        online_desk.get_by_label("Code du billet").fill(tickets.payload(people["helene"]))
        online_desk.get_by_label("Code du billet").press("Enter")
        expect(online_desk.locator("#checkin-result")).to_contain_text("Entrée validée")
        first.set_offline(False)
        expect(offline_desk.locator("#queue-results")).to_contain_text(
            "Entrée déjà validée", timeout=15_000
        )
        expect(offline_desk.locator("#queue-results")).to_contain_text("Accueil 2")
    finally:
        first.close()
        second.close()


def test_desk_page_without_javascript_still_checks_in(browser, live_server, setup):
    event, _people, staff = setup
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    try:
        desk = open_desk(context, staff[0], event, "Accueil 1", javascript=False)
        desk.get_by_role("searchbox", name="Nom ou organisation").fill("moreau")
        desk.get_by_role("button", name="Rechercher").click()
        desk.get_by_role("button", name="Valider l’entrée Léa MOREAU").click()
        expect(desk.locator("#checkin-result")).to_contain_text(
            "Entrée validée — Léa MOREAU, Pfizer"
        )
        assert desk.locator("#camera").is_hidden()
    finally:
        context.close()


def test_desk_page_accessibility(browser, live_server, setup):
    from axe_playwright_python.sync_playwright import Axe

    event, people, staff = setup
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        desk = open_desk(context, staff[0], event, "Accueil 1")
        desk.get_by_role("searchbox", name="Nom ou organisation").fill("martin")
        expect(desk.locator("#search-results .person")).to_have_count(1)
        desk.get_by_label("Code du billet").fill(tickets.payload(people["camille"]))
        desk.get_by_label("Code du billet").press("Enter")
        expect(desk.locator("#checkin-result")).to_contain_text("Entrée validée")
        desk.locator("#walk-in summary").click()
        results = Axe().run(desk)
        assert results.violations_count == 0, results.generate_report()
        desk.goto(f"/organiser/events/{event.id}/badges")
        results = Axe().run(desk)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_the_desk_fits_a_phone(browser, live_server, setup):
    event, people, staff = setup
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        desk = open_desk(context, staff[0], event, "Accueil téléphone")
        code = desk.get_by_label("Code du billet")
        code.fill(tickets.display_code(people["lea"].ticket_code))
        desk.get_by_role("button", name="Valider l’entrée", exact=True).tap()
        result = desk.locator("#checkin-result")
        expect(result).to_contain_text("Entrée validée — Léa MOREAU, Pfizer")
        assert desk.evaluate("document.documentElement.scrollWidth") <= 390
        box = result.bounding_box()
        assert box is not None and box["width"] <= 390
        screenshot(desk, "phone")
    finally:
        context.close()


# --- the camera ------------------------------------------------------------------------------


def _y4m_with_qr(path: Path, text: str) -> None:
    """A short video (Y4M, the format Chromium's fake camera reads) showing a QR code."""
    frame = Image.new("L", (640, 480), 255)
    qr = segno.make_qr(text, error="m")
    scale = 10
    size = (len(qr.matrix) + 8) * scale
    code = Image.new("L", (size, size), 255)
    for r, row in enumerate(qr.matrix):
        for c, dark in enumerate(row):
            if dark:
                code.paste(0, ((c + 4) * scale, (r + 4) * scale, (c + 5) * scale, (r + 5) * scale))
    frame.paste(code, ((640 - size) // 2, (480 - size) // 2))
    luma = bytes(16 + (v * 219) // 255 for v in frame.tobytes())
    chroma = bytes([128]) * (320 * 240)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_camera_reads_a_ticket_and_checks_it_in(browser, live_server, setup, tmp_path):
    event, people, staff = setup
    video = tmp_path / "ticket.y4m"
    _y4m_with_qr(video, tickets.payload(people["paul"]))
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            base_url=live_server, locale="fr-FR", permissions=["camera"]
        )
        desk = open_desk(context, staff[0], event, "Accueil 1")
        desk.get_by_role("button", name="Scanner avec la caméra").click()
        expect(desk.locator("#camera-status")).to_contain_text("Caméra allumée")
        expect(desk.locator("#checkin-result")).to_contain_text(
            "Entrée validée — Paul GIRARD, Yposkesi", timeout=20_000
        )
        # The code stays in front of the camera: it is not sent again and again.
        desk.wait_for_timeout(1500)
        expect(desk.locator("#checkin-result")).to_contain_text("Entrée validée — Paul GIRARD")
        decoder = desk.evaluate("'BarcodeDetector' in window ? 'native' : typeof window.jsQR")
        assert decoder in ("native", "function")  # Chromium on Linux: the vendored jsQR
        screenshot(desk, "camera")
        desk.get_by_role("button", name="Arrêter la caméra").click()
        expect(desk.locator("#camera-video")).to_be_hidden()
        assert checked_in(people["paul"]).checked_in_at is not None
        context.close()
    finally:
        camera_browser.close()
