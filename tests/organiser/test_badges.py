"""Badges PDF: A4 sheets of 8 or A6 single, name / organisation / category band with its word /
event / QR code; long and accented names fit; filters; only confirmed attendees; the QR codes
decode back to tickets that check in."""

import pypdfium2
import pytest
from fpdf import FPDF
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import ActorCategory, Event, Registration, User
from eventapp.services import badges, checkin, tickets
from eventapp.services.pdf import FONT_DIR, FONT_FAMILY, close_fonts, fit_text
from tests.registration.test_tickets import decode_pdf, pdf_text

MM = 72 / 25.4


@pytest.fixture
def org(factory):
    return factory.organisation(short_name="Polepharma")


@pytest.fixture
def event(factory, org):
    return factory.event(
        organisers=[org], title_fr="Journées du Biotesting", title_en="Biotesting Days", slug="jb"
    )


@pytest.fixture
def staff(factory, org, client, login):
    """An event manager: badges of whole lists are theirs (check-in staff print given people)."""
    user = factory.user(org, role="manager")
    login(user)
    return user


@pytest.fixture
def desk_staff(factory, org, client, login):
    user = factory.user(org, role="checkin")
    login(user)
    return user


def test_check_in_staff_cannot_print_the_badges_of_a_whole_list(client, desk_staff, factory, event):
    """Issue 20, point 8: a volunteer at the desk got a PDF of every attendee with no limit."""
    people = [factory.registration(event, last_name=f"Nom{n:02d}") for n in range(12)]
    for params in ({}, {"who": "all"}, {"q": "Nom"}, {"id": [p.id for p in people]}):
        response = _pdf(client, event, **params)
        assert response.status_code == 403, params
        assert response.mimetype == "text/html"
        assert "managers" in response.get_data(as_text=True) or "responsables" in response.get_data(
            as_text=True
        )


def test_check_in_staff_reprint_a_given_persons_badge(client, desk_staff, factory, event):
    people = [factory.registration(event, last_name=f"Nom{n:02d}") for n in range(3)]
    response = _pdf(client, event, id=[people[0].id], layout="a6")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(_page_sizes_mm(response.data)) == 1
    assert client.get(f"/organiser/events/{event.id}/badges").status_code == 200


def _pdf(client, event, **params):
    response = client.get(f"/organiser/events/{event.id}/badges.pdf", query_string=params)
    return response


def _page_sizes_mm(data):
    document = pypdfium2.PdfDocument(data)
    try:
        return [tuple(round(v / MM) for v in document[i].get_size()) for i in range(len(document))]
    finally:
        document.close()


def test_a4_sheets_of_eight_whose_qr_codes_check_in(client, staff, factory, event):
    confirmed = [factory.registration(event, last_name=f"Nom{n:02d}") for n in range(9)]
    factory.registration(event, status="cancelled", last_name="Annulée")
    factory.registration(event, status="waitlisted", last_name="Attente")
    response = _pdf(client, event)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="badges-jb.pdf"' in response.headers["Content-Disposition"]
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert _page_sizes_mm(response.data) == [(210, 297), (210, 297)]
    pages = decode_pdf(response.data)
    assert [len(codes) for codes in pages] == [8, 1]
    assert {c for codes in pages for c in codes} == {tickets.payload(r) for r in confirmed}
    text = pdf_text(response.data)
    assert "Annulée" not in text and "Attente" not in text

    with write_transaction():
        result = checkin.check_in_code(
            db.session.get(Event, event.id),
            pages[1][0],
            user=db.session.get(User, staff.id),
            desk="Desk 1",
        )
    assert result.state == checkin.State.CHECKED_IN
    assert result.registration.last_name == "Nom08"  # sorted by last name: the ninth badge


def test_badge_shows_name_organisation_category_word_and_event(client, staff, factory, event):
    factory.registration(
        event,
        first_name="Hélène",
        last_name="Œhlenschläger",
        organisation_name="Laboratoire français du Fractionnement et des Biotechnologies",
        category="cdmo",
    )
    text = pdf_text(_pdf(client, event).data)
    flat = " ".join(text.split())
    assert "Hélène ŒHLENSCHLÄGER" in flat  # on two lines
    assert "Laboratoire français du Fractionnement et des Biotechnologies" in flat
    assert "Producteur pour tiers (CDMO)" in flat  # the category's word, not only its colour
    assert "Journées du Biotesting" in flat
    english = " ".join(pdf_text(_pdf(client, event, lang="en").data).split())
    assert "Contract manufacturer (CDMO)" in english and "Biotesting Days" in english


def test_one_person_on_an_a6_badge(client, staff, factory, event):
    factory.registration(event, last_name="Autre")
    person = factory.registration(event, first_name="Łukasz", last_name="Wiśniewski")
    response = _pdf(client, event, id=person.id, layout="a6")
    assert _page_sizes_mm(response.data) == [(105, 148)]
    assert decode_pdf(response.data) == [[tickets.payload(person)]]
    assert "Łukasz\r\nWIŚNIEWSKI" in pdf_text(response.data)  # first and last name, a line each


def test_filters_narrow_the_list_but_never_add_unconfirmed_people(client, staff, factory, event):
    factory.registration(event, first_name="Élodie", last_name="Bio", category="biotech")
    academic = factory.registration(
        event, first_name="Marc", last_name="Aca", category="academic", region="ara"
    )
    factory.registration(event, first_name="Luc", last_name="Gone", status="cancelled")
    checked = factory.registration(event, first_name="Inès", last_name="Here", category="biotech")
    db.session.get(Registration, checked.id).checked_in_at = checked.created_at
    db.session.commit()

    def names(**params):
        text = pdf_text(_pdf(client, event, **params).data)
        return sorted(
            name
            for name in ("Élodie BIO", "Marc ACA", "Luc GONE", "Inès HERE")
            if name in " ".join(text.split())
        )

    assert names() == ["Inès HERE", "Marc ACA", "Élodie BIO"]
    assert names(category="biotech") == ["Inès HERE", "Élodie BIO"]
    assert names(region="ara") == ["Marc ACA"]
    assert names(who="checked_in") == ["Inès HERE"]
    assert names(checked_in="no") == ["Marc ACA", "Élodie BIO"]
    assert names(q="elodie") == ["Élodie BIO"]
    # The attendee list's search: e-mail too, and any length ("Badges for this list").
    assert names(q=academic.email) == ["Marc ACA"]
    assert names(q="ac") == ["Marc ACA"]
    assert names(id=[academic.id, checked.id]) == ["Inès HERE", "Marc ACA"]


def test_nothing_to_print_says_so(client, staff, factory, event):
    response = _pdf(client, event, category="investor")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "pas de badge à imprimer" in page


@pytest.mark.parametrize(
    "params", [{"layout": "a3"}, {"id": "abc"}, {"category": "astronaut"}, {"lang": "de"}]
)
def test_bad_options_are_a_400_with_a_message(client, staff, factory, event, params):
    factory.registration(event)
    response = _pdf(client, event, **params)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "error-summary" in page


def test_badges_page_offers_the_options(client, staff, factory, event):
    factory.registration(event)
    page = client.get(f"/organiser/events/{event.id}/badges").get_data(as_text=True)
    assert "1 participant confirmé." in page
    assert "Planches A4 de 8 badges" in page and 'for="layout"' in page
    assert f"/organiser/events/{event.id}/badges.pdf" in page


def test_badges_run_a_fixed_number_of_queries(client, staff, factory, event, query_counter):
    def measure(count):
        for n in range(count):
            factory.registration(event, last_name=f"Q{n}")
        db.session.commit()
        with query_counter() as queries:
            assert _pdf(client, event).status_code == 200
        return len(queries)

    assert measure(3) == measure(20)


# --- layout rules ------------------------------------------------------------------------------


def _pdf_with_font():
    pdf = FPDF(unit="mm")
    pdf.add_font(FONT_FAMILY, "", FONT_DIR / "DejaVuSans-Europe.ttf")
    pdf.add_font(FONT_FAMILY, "B", FONT_DIR / "DejaVuSans-Bold-Europe.ttf")
    return pdf


@pytest.fixture
def pdf():
    document = _pdf_with_font()
    yield document
    close_fonts(document)


def test_names_shrink_to_fit_then_wrap_then_shorten(pdf):
    short = fit_text(pdf, "Jean Li", 82, 15.5, 20, 10, "B", max_lines=3)
    assert short.size == 20 and short.lines == ["Jean Li"]

    medium = fit_text(pdf, "Anne-Sophie Vandenberghe-Lefort", 82, 15.5, 20, 10, "B", max_lines=3)
    assert len(medium.lines) == 1 and 10 <= medium.size < 20  # shrunk, still one line

    long = "Anne-Sophie de La Rochefoucauld-Montmorency de Saint-Exupéry"
    wrapped = fit_text(pdf, long, 82, 15.5, 20, 10, "B", max_lines=3)
    assert len(wrapped.lines) > 1 and " ".join(wrapped.lines) == long  # nothing lost
    assert len(wrapped.lines) * wrapped.line_height <= 15.5

    absurd = fit_text(pdf, "Wolfeschlegelsteinhausen " * 12, 82, 15.5, 20, 10, "B", max_lines=3)
    assert absurd.size == 10 and absurd.lines[-1].endswith("…")
    for fitted in (short, medium, wrapped, absurd):
        pdf.set_font(FONT_FAMILY, "B", fitted.size)
        assert all(pdf.get_string_width(line) <= 82 + 1e-6 for line in fitted.lines)


def test_every_category_has_its_own_colour_and_a_readable_word_on_it():
    colours = badges.CATEGORY_COLOURS
    assert set(colours) == set(ActorCategory)
    assert len(set(colours.values())) == len(colours)

    def luminance(rgb):
        return badges._luminance(rgb)

    for colour in colours.values():
        text = badges.band_text_colour(colour)
        light, dark = sorted((luminance(colour), luminance(text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, colour


def test_the_badge_builder_takes_a_plain_list_of_registrations(app, factory, event):
    """The benchmark harness calls build_badges_pdf directly; unsaved registrations work too."""
    people = [
        Registration(
            event_id=event.id,
            first_name="Camille",
            last_name=f"Martin{n}",
            organisation_name="Sanofi",
            category=list(ActorCategory)[n % len(ActorCategory)],
            status="confirmed",
            ticket_code=f"benchcode{n:06d}",
        )
        for n in range(17)
    ]
    data = badges.build_badges_pdf(event, people, layout="a4", lang="fr")
    assert len(_page_sizes_mm(data)) == 3
    assert sum(len(codes) for codes in decode_pdf(data)) == 17
    assert db.session.scalar(select(Registration.id)) is None  # nothing written


LONG_FIRST = "Marie-Charlotte-Éléonore"
LONG_LAST = "de La Rochefoucauld-Montbrun-Saint-Exupéry"


@pytest.mark.parametrize("layout", ["a4", "a6"])
def test_a_long_name_shrinks_on_two_lines_whole_and_emoji_are_dropped(
    client, staff, factory, event, layout, tmp_path
):
    """Issue 20, point 12: first and last name each on a line, shrunk to fit, never cut
    mid-word nor ended with "…"; characters the font lacks (emoji) are dropped cleanly."""
    person = factory.registration(
        event, first_name=LONG_FIRST + " 🎉", last_name=LONG_LAST, organisation_name="Yposkesi 🚀"
    )
    data = _pdf(client, event, id=person.id, layout=layout).data
    lines = [line.strip() for line in pdf_text(data).splitlines()]
    assert LONG_FIRST in lines
    assert LONG_LAST.upper() in lines
    assert "Yposkesi" in lines
    text = pdf_text(data)
    assert "…" not in text and "🎉" not in text and "🚀" not in text
    # Rendered to an image to be looked at (tests/artifacts/badge-long-name-<layout>.png).
    from tests.support.browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    image.save(ARTIFACTS / f"badge-long-name-{layout}.png")


def test_fit_lines_keeps_every_line_whole_within_the_width():
    from eventapp.services.pdf import TextFitter, fit_lines, new_pdf

    pdf = new_pdf("t", "fr")
    try:
        fitted = fit_lines(TextFitter(pdf), [LONG_FIRST, LONG_LAST.upper()], 80, 30, 30, "B")
        assert fitted.lines == [LONG_FIRST, LONG_LAST.upper()]
        assert max(fitted.widths) <= 80 and 2 * fitted.line_height <= 30
        assert fitted.size < 30  # it shrank
    finally:
        close_fonts(pdf)


def test_a_very_long_last_name_goes_on_two_lines_at_a_readable_size_never_cut_in_a_word():
    """On an A6 badge the name box is 93 x 36 mm: the last name kept on one line would shrink
    to 7 pt (smaller than the event's name); broken between words or after a hyphen it stays
    above 15 pt, and nothing of it is lost."""
    from eventapp.services.pdf import TextFitter, fit_lines, new_pdf

    pdf = new_pdf("t", "fr")
    try:
        fitter = TextFitter(pdf)
        last = LONG_LAST.upper()
        one_line = fit_lines(fitter, [LONG_FIRST, last], 93, 36, 30, "B")
        wrapped = fit_lines(fitter, [LONG_FIRST, last], 93, 36, 30, "B", wrap_each=2)
        assert one_line.lines == [LONG_FIRST, last] and one_line.size < 10
        assert wrapped.size > 15 and wrapped.lines[0] == LONG_FIRST  # the first name's line
        assert wrapped.lines[1:] == ["DE LA ROCHEFOUCAULD-", "MONTBRUN-SAINT-EXUPÉRY"]
        assert max(wrapped.widths) <= 93 and len(wrapped.lines) * wrapped.line_height <= 36
        # A short name is left alone: one line each, at the largest size.
        short = fit_lines(fitter, ["Léa", "DURAND"], 93, 36, 30, "B", wrap_each=2)
        assert (short.lines, short.size) == (["Léa", "DURAND"], 30)
        # A single word wider than the box is never cut: it shrinks.
        word = fit_lines(fitter, ["Anticonstitutionnellement" * 2], 93, 36, 30, "B", wrap_each=2)
        assert word.lines == ["Anticonstitutionnellement" * 2]
    finally:
        close_fonts(pdf)
