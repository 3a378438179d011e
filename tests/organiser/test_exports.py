"""Exports of the filtered attendee list: CSV (BOM, comma or semicolon, formula cells
neutralised) and XLSX (opened with openpyxl), streamed."""

import csv
import io
import re
import tracemalloc
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask_login import login_user
from openpyxl import load_workbook
from sqlalchemy import insert, select

from eventapp.models import AuditLog, EventOrganiser, Organisation, Registration, utcnow
from eventapp.organiser.attendees.query import AttendeeFilter, registrations_query
from eventapp.services import exports
from tests.factories import with_booking

PARIS = ZoneInfo("Europe/Paris")
CDMO_FR = "Producteur pour tiers (CDMO)"


@pytest.fixture
def event(factory, login):
    org = factory.organisation(name="Polepharma")
    login(factory.user(org))
    event = factory.event(organisers=[org], slug="congres-2026", capacity=10)
    factory.registration(
        event,
        first_name="Hélène",
        last_name="Lefèvre",
        organisation_name="Laboratoires Ménard; fils",
        category="cdmo",
        region="cvl",
    )
    factory.registration(
        event, first_name='=HYPERLINK("http://x")', last_name="+33 6 12", job_title="@SUM(A1)"
    )
    factory.registration(event, last_name="Attente", status="waitlisted", job_title="-2+3")
    factory.registration(event, last_name="Annulee", status="cancelled")
    return event


def download(client, event, fmt, **args):
    response = client.get(
        f"/organiser/events/{event.id}/attendees/export.{fmt}", query_string=args, buffered=True
    )
    assert response.status_code == 200
    return response


def test_csv_has_a_bom_french_headers_and_neutralised_formulas(client, db, event):
    response = download(client, event, "csv")
    assert response.mimetype == "text/csv"
    assert 'filename="congres-2026-' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Nom", "Prénom", "Adresse e-mail"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Lefèvre", "'+33 6 12", "Attente"}  # cancelled left out by default
    assert by_name["Lefèvre"][3] == "Laboratoires Ménard; fils"
    assert by_name["Lefèvre"][5] == CDMO_FR and by_name["Lefèvre"][6] == "Centre-Val de Loire"
    formula = by_name["'+33 6 12"]
    assert formula[1] == '\'=HYPERLINK("http://x")' and formula[4] == "'@SUM(A1)"
    assert by_name["Attente"][4] == "'-2+3"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "attendees.exported"))
    assert entry.details["format"] == "csv"


def test_csv_with_semicolons_and_the_list_filters(client, event):
    raw = download(client, event, "csv", sep="semicolon", status="waitlisted").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and rows[1][0] == "Attente"
    assert ";" in raw.decode("utf-8-sig").splitlines()[0]


def test_xlsx_opens_with_openpyxl(client, event):
    response = download(client, event, "xlsx", status="all", sort="name")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nom", "Prénom", "Adresse e-mail")
    assert [row[0] for row in rows[1:]] == ["+33 6 12", "Annulee", "Attente", "Lefèvre"]
    registered = rows[4][10]
    assert isinstance(registered, datetime)
    # Text that looks like a formula stays text (a string cell, never a formula).
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert sheet.cell(row=2, column=5).data_type == "s"


def test_tour_export_names_the_stage_of_each_row(client, factory, login):
    org = factory.organisation()
    login(factory.user(org))
    tour = factory.event(organisers=[org], kind="tour", capacity=None)
    stage = factory.event(organisers=[org], kind="stage", parent_id=tour.id, title_fr="Étape 6")
    factory.registration(stage, last_name="Durand")
    raw = download(client, tour, "csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    # The stage's one name (Event.title): with its tour.
    assert rows[0][0] == "Événement" and rows[1][:2] == [f"{tour.title_fr} — Étape 6", "Durand"]


def test_the_export_is_a_streamed_response(app, db, factory, event):
    """The view hands back a generator (stream_with_context), not a finished file."""
    lead = db.session.scalar(
        select(Organisation)
        .join(EventOrganiser)
        .where(EventOrganiser.event_id == event.id, EventOrganiser.role == "lead")
    )
    manager = factory.user(lead)
    url = f"/organiser/events/{event.id}/attendees/export.csv"
    with app.test_request_context(url):
        login_user(manager)
        response = app.view_functions["organiser.export"](event_id=event.id, format="csv")
        assert response.is_streamed
        body = b"".join(response.response)
        response.close()
    assert body.startswith("\ufeff".encode()) and "Lefèvre".encode() in body


def _bulk(db, event_id, count):
    now = utcnow()
    batch = []
    for n in range(count):
        batch.append(
            {
                "event_id": event_id,
                "first_name": "Camille",
                "last_name": f"Martin{n:06d}",
                "email": f"c{n}@example.org",
                "organisation_name": "Sanofi Pasteur — site de Marcy-l'Étoile",
                "job_title": "Responsable assurance qualité",
                "category": "industrial",
                "region": "ara",
                "status": "confirmed",
                "manage_token": f"m{event_id}-{n}",
                "ticket_code": f"t{event_id}-{n}",
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(batch) == 5000:
            db.session.execute(insert(Registration), with_booking(batch))
            batch = []
    if batch:
        db.session.execute(insert(Registration), with_booking(batch))
    db.session.commit()


def _peak(app, db, event_id, stream) -> tuple[int, int]:
    query = registrations_query([event_id], AttendeeFilter())
    with app.test_request_context():
        tracemalloc.start()
        size = sum(len(chunk) for chunk in stream(query, PARIS))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.rollback()
    return size, peak


@pytest.mark.slow
@pytest.mark.parametrize("stream", [exports.csv_stream, exports.xlsx_stream])
def test_exports_stream_in_constant_memory(app, db, factory, stream):
    """Four times more rows, the same peak memory: rows are fetched in batches (yield_per)
    and written out in chunks, never held all at once."""
    small, large = factory.event(capacity=None), factory.event(capacity=None)
    _bulk(db, small.id, 2_000)
    _bulk(db, large.id, 8_000)
    small_size, small_peak = _peak(app, db, small.id, stream)
    large_size, large_peak = _peak(app, db, large.id, stream)
    assert large_size > 3.5 * small_size
    assert large_peak < 1.3 * small_peak, (small_peak, large_peak)


def test_the_audit_log_does_not_keep_the_search_text(client, db, event):
    download(client, event, "csv", q="lefèvre")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "attendees.exported"))
    assert entry.details["filters"] == {"search": True}
    assert "lefèvre" not in str(entry.details).lower()


def test_xlsx_has_widths_a_frozen_filtered_header_and_says_what_it_holds(client, event):
    """Issue 20, point 11: column widths, a frozen header with an autofilter, a readable sheet
    name, a file name with the event and the filter, times with their zone, languages by name."""
    response = download(client, event, "xlsx", status="waitlisted", category="cdmo", q="x")
    disposition = response.headers["Content-Disposition"]
    assert re.search(
        r'filename="congres-2026-liste-d-attente-producteur-pour-tiers-cdmo-recherche-'
        r'\d{8}-\d{4}\.xlsx"',
        disposition,
    ), disposition
    response = download(client, event, "xlsx", status="all")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    assert sheet.title == event.title_fr[:31]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N5"  # header + 4 rows, 14 columns
    assert sheet.column_dimensions["A"].width == 18
    assert sheet.column_dimensions["C"].width >= 30  # the e-mail column
    header = [cell.value for cell in sheet[1]]
    assert header[10] == "Inscrit le (heure de Paris)"
    assert {row[9] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Français"}
