"""A tour stage has one name on every screen, e-mail and file (issue 20, point 13): Event.title
names a stage with its tour, « French Bioproduction Tour 2027 — Grand Est », and every page,
e-mail, calendar, ticket, badge, export and invoice list calls it."""

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.models import Registration
from eventapp.services import bookings
from eventapp.services.invoicing.exports import EventTitles
from tests.registration.test_booking import person

NAME = "French Bioproduction Tour 2027 — Grand Est"
NAME_EN = "French Bioproduction Tour 2027 — Grand Est (Strasbourg)"


def _tour_and_stage(factory):
    org = factory.organisation(name="BioValley France")
    tour = factory.event(
        organisers=[org],
        kind="tour",
        capacity=None,
        slug="fbt-2027",
        title_fr="French Bioproduction Tour 2027",
        title_en="French Bioproduction Tour 2027",
    )
    stage = factory.event(
        organisers=[org],
        kind="stage",
        parent_id=tour.id,
        position=4,
        slug="fbt-2027-grand-est",
        title_fr="Grand Est",
        title_en="Grand Est (Strasbourg)",
        region="ges",
    )
    return org, tour, stage


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_one_function_names_a_stage_with_its_tour_once(db, factory):
    _org, tour, stage = _tour_and_stage(factory)
    assert stage.title("fr") == NAME and stage.title("en") == NAME_EN
    assert tour.title("fr") == "French Bioproduction Tour 2027"  # a tour is itself
    assert stage.own_title("fr") == "Grand Est"  # what the edit form shows
    # A stage whose title already says its tour (the demo's) is not named twice.
    stage.title_fr = "French Bioproduction Tour 2027 — étape 4 : Grand Est"
    assert stage.title("fr") == stage.title_fr


def test_a_stage_reads_the_same_in_its_e_mail_pages_calendar_ticket_badges_and_exports(
    client, db, factory, login, mail_outbox
):
    org, tour, stage = _tour_and_stage(factory)
    with write_transaction():
        bookings.book([stage], [person()], origin=tour)
    registration = db.session.scalar(select(Registration))

    [message] = mail_outbox
    assert NAME in message.body
    attachments = {name: content for name, content, _type in message.attachments}
    assert f"SUMMARY:{NAME}" in attachments["events.ics"].replace("\r\n ", "")
    assert NAME in _pdf_text(attachments["tickets.pdf"])

    assert NAME in client.get(f"/events/{stage.slug}").text  # the public page
    manage = client.get(f"/r/{registration.manage_token}").text
    assert NAME in manage
    calendar = client.get(f"/r/{registration.manage_token}/calendar.ics").text
    assert f"SUMMARY:{NAME}" in calendar.replace("\r\n ", "")

    login(factory.user(org, role="manager"))
    for url in (
        f"/organiser/events/{stage.id}/attendees",
        f"/organiser/events/{stage.id}/attendees/{registration.id}",
        f"/organiser/events/{tour.id}/attendees",  # the tour's list: one column per stage
    ):
        assert NAME in client.get(url).text, url
    sheet = load_workbook(
        io.BytesIO(
            client.get(f"/organiser/events/{tour.id}/attendees/export.xlsx", buffered=True).data
        )
    ).active
    assert NAME in [cell.value for row in sheet.iter_rows() for cell in row]
    badges = client.get(f"/organiser/events/{stage.id}/badges.pdf?layout=a6&lang=fr", buffered=True)
    assert badges.status_code == 200
    assert PdfReader(io.BytesIO(badges.data)).metadata.title == f"Badges — {NAME}"
    assert "Grand Est" in _pdf_text(badges.data)  # on the badge (fitted on two lines)

    # The invoices' list and accounting export read the same function.
    assert EventTitles("fr")[stage.id] == NAME and EventTitles("en")[stage.id] == NAME_EN


def test_no_template_prints_an_event_title_column():
    """Templates get an event's name from Event.title (through the view or the call
    `event.title(...)`), never its columns: only the edit forms name them, and the programme
    import's preview, whose rows are a file's columns (a session's title, not an event's)."""
    root = Path(__file__).resolve().parents[2] / "templates"
    found = []
    for path in root.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in re.finditer(r"[\w.]*title_(?:fr|en)\b", line):
                if not match.group(0).startswith(("form.", "row.values.")):
                    found.append(f"{path.relative_to(root)}:{number}: {match.group(0)}")
    assert found == []
