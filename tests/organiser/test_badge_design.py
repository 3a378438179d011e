"""The badge designer (issue 20, point 12): the event's managers choose the format (A4 8-up,
4 A6 per A4, A6, label sheets), which elements a badge shows and in which order, the name's and
organisation's sizes, with the organisation's logo; a preview with sample people; the design is
saved per event and every badge PDF of the event uses it. Whatever the design, a long name is
whole on its two lines (never cut, never "…"), and the QR codes still check in."""

import io
import re

import pypdfium2
import pytest
from PIL import Image
from sqlalchemy import select

from eventapp.models import ActorCategory, BadgeDesign, Registration
from eventapp.services import badges, tickets
from tests.organiser.test_badges import LONG_FIRST, LONG_LAST, _page_sizes_mm
from tests.registration.test_tickets import decode_pdf, pdf_text
from tests.support.browser import ARTIFACTS


@pytest.fixture
def org(factory):
    return factory.organisation(name="Polepharma", short_name="Polepharma")


@pytest.fixture
def event(factory, org):
    return factory.event(organisers=[org], title_fr="Journées du Biotesting", slug="jb")


@pytest.fixture
def manager(factory, org, login):
    user = factory.user(org, role="manager")
    login(user)
    return user


DESIGN = {
    "layout": "a4x4",
    "pos_band": "0",
    "pos_logo": "1",
    "pos_event": "0",
    "pos_name": "2",
    "pos_organisation": "3",
    "pos_qr": "4",
    "name_size": "l",
    "organisation_size": "s",
}


def _chosen(page: str, name: str, value: str) -> bool:
    """Whether the form in `page` shows `value` chosen for `name` (a radio or a select)."""
    radio = rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="{value}"'
    select = rf'<select[^>]*name="{name}"[^>]*>.*?<option[^>]*selected[^>]*value="{value}"'
    return bool(re.search(radio, page) or re.search(select, page, re.S))


def _logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (10, 79, 143)).save(buffer, format="PNG")
    return buffer.getvalue()


def _render(data: bytes, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(data)
    try:
        document[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"{name}.png")
    finally:
        document.close()


def test_the_designer_saves_a_design_that_every_badge_pdf_then_uses(
    client, db, factory, event, manager
):
    url = f"/organiser/events/{event.id}/badges/design"
    page = client.get(url).get_data(as_text=True)
    assert "Modèle de badge" in page and "Planches A4 de 4 badges A6" in page
    assert "Aperçu (PDF, personnes fictives)" in page
    saved = client.post(url, data=DESIGN)
    assert saved.status_code == 302
    row = db.session.scalar(select(BadgeDesign).where(BadgeDesign.event_id == event.id))
    assert (row.layout, row.fields, row.name_size) == (
        "a4x4",
        ["logo", "name", "organisation", "qr"],
        "l",
    )
    again = client.get(url).get_data(as_text=True)
    assert _chosen(again, "layout", "a4x4") and _chosen(again, "pos_logo", "1")
    # The badges page offers the saved format; the PDF uses the design.
    badges_page = client.get(f"/organiser/events/{event.id}/badges").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="a4x4"', badges_page), badges_page
    people = [factory.registration(event, last_name=f"Nom{n}") for n in range(5)]
    response = client.get(f"/organiser/events/{event.id}/badges.pdf")
    assert response.status_code == 200
    assert _page_sizes_mm(response.data) == [(210, 297), (210, 297)]  # 4 per sheet
    codes = [c for page_codes in decode_pdf(response.data) for c in page_codes]
    assert sorted(codes) == sorted(tickets.payload(p) for p in people)
    assert "Journées du Biotesting" not in pdf_text(response.data)  # the title is not shown
    entry = client.get(f"/organiser/events/{event.id}/history").get_data(as_text=True)
    assert "Modèle de badge modifié" in entry


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pos_name": "0"}, "Un badge montre toujours le nom."),
        ({"pos_qr": "2"}, "La position 2 est déjà prise par"),
        ({"layout": "a3"}, "error-summary"),
    ],
)
def test_a_design_without_the_name_or_with_two_elements_at_one_place_is_refused(
    client, db, event, manager, changes, message
):
    response = client.post(
        f"/organiser/events/{event.id}/badges/design", data={**DESIGN, **changes}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "error-summary" in page
    assert db.session.scalar(select(BadgeDesign)) is None


@pytest.mark.parametrize("layout", ["a4", "a4x4", "a6", "labels"])
@pytest.mark.parametrize("size", ["s", "l"])
def test_every_format_keeps_a_long_name_whole_and_its_qr_code_readable(
    app, db, event, org, layout, size
):
    org.logo_png = _logo_png()
    db.session.commit()
    person = Registration(
        event_id=event.id,
        first_name=LONG_FIRST + " 🎉",
        last_name=LONG_LAST,
        organisation_name="Laboratoires Pierre Fabre — site de production de Toulouse",
        category=ActorCategory.CDMO,
        status="confirmed",
        ticket_code="design0001",
    )
    design = badges.Design(
        layout=layout,
        elements=("band", "logo", "event", "name", "organisation", "qr"),
        name_size=size,
        organisation_size=size,
    )
    data = badges.build_badges_pdf(event, [person], design=design, logo=badges.event_logo(event))
    lines = [line.strip() for line in pdf_text(data).splitlines()]
    assert LONG_FIRST in lines and LONG_LAST.upper() in lines  # each whole on its line
    assert "…" not in pdf_text(data) and "🎉" not in pdf_text(data)
    assert decode_pdf(data, scale=4)[0] == [tickets.payload(person)]
    document = pypdfium2.PdfDocument(data)
    try:  # the logo is drawn
        kinds = [obj.type for obj in document[0].get_objects()]
    finally:
        document.close()
    assert pypdfium2.raw.FPDF_PAGEOBJ_IMAGE in kinds
    _render(data, f"badge-design-{layout}-{size}")


def test_the_preview_draws_sample_people_with_the_unsaved_design(client, db, event, manager):
    response = client.get(f"/organiser/events/{event.id}/badges/preview.pdf", query_string=DESIGN)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert LONG_LAST.upper() in text and "Hugo" in text
    assert db.session.scalar(select(BadgeDesign)) is None  # a preview saves nothing
    bad = client.get(
        f"/organiser/events/{event.id}/badges/preview.pdf", query_string={**DESIGN, "pos_name": "0"}
    )
    assert bad.status_code == 400


def test_check_in_staff_cannot_change_the_design(client, factory, org, event, login):
    login(factory.user(org, role="checkin"))
    url = f"/organiser/events/{event.id}/badges/design"
    assert client.get(url).status_code == 404
    assert client.post(url, data=DESIGN).status_code == 404
    assert "Concevoir les badges" not in client.get(
        f"/organiser/events/{event.id}/badges"
    ).get_data(as_text=True)
