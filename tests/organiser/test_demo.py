"""The issue's "done when", on the demo data: the Polepharma organiser sees the Île-de-France
and Centre-Val de Loire tour stages and the congresses but not the BioValley-only stage, finds
an attendee, moves one from the waiting list, exports the list to XLSX, imports a CSV with two
bad rows and sees them reported."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from eventapp.models import Event, Organisation, Registration
from tests.organiser.test_events import _edit_data


def test_polepharma_organiser_on_the_demo_data(client, db, factory, login, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    polepharma = db.session.scalar(select(Organisation).where(Organisation.slug == "polepharma"))
    login(factory.user(polepharma, email="marie.organisatrice@polepharma.example"))

    def event(slug):
        return db.session.scalar(select(Event).where(Event.slug == slug))

    stage1 = event("fbt-2021-etape-1-grand-ouest")
    stage4 = event("fbt-2021-etape-4-grand-est")
    stage6 = event("fbt-2021-etape-6-ile-de-france")
    congress = event("congres-france-bioproduction-2026")
    biotesting = event("journees-biotesting-2027")

    # What they see.
    dashboard = client.get("/organiser/").get_data(as_text=True)
    assert stage1.title_fr in dashboard and stage6.title_fr in dashboard
    for year in range(2021, 2027):
        assert f"Congrès France Bioproduction {year}" in dashboard
    assert stage4.title_fr not in dashboard
    assert client.get(f"/organiser/events/{stage4.id}").status_code == 404
    assert client.get(f"/organiser/events/{stage4.id}/attendees").status_code == 404
    tour_list = client.get(f"/organiser/events/{stage1.parent_id}/attendees").get_data(as_text=True)
    assert "sur 1 044" in tour_list.replace("\u202f", " ").replace("\xa0", " ")  # 432 + 612

    # Finds an attendee.
    someone = db.session.scalar(
        select(Registration)
        .where(Registration.event_id == congress.id, Registration.status == "confirmed")
        .order_by(Registration.id)
        .limit(1)
    )
    found = client.get(
        f"/organiser/events/{congress.id}/attendees", query_string={"q": someone.last_name}
    ).get_data(as_text=True)
    assert someone.email in found

    # Moves one from the waiting list: the Biotesting days are made full, a latecomer joins
    # the waiting list, then the organiser confirms them (over capacity, logged).
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == biotesting.id, Registration.status == "confirmed")
    )
    response = client.post(
        f"/organiser/events/{biotesting.id}/edit",
        data=_edit_data(biotesting, polepharma, str(confirmed)),
    )
    assert response.status_code == 302
    client.post(
        f"/organiser/events/{biotesting.id}/attendees/new",
        data={
            "first_name": "Nadia",
            "last_name": "Retardataire",
            "email": "nadia.r@example.org",
            "category": "biotech",
            "language": "fr",
            "consent": "y",
        },
    )
    latecomer = db.session.scalar(
        select(Registration).where(Registration.last_name == "Retardataire")
    )
    assert latecomer.status == "waitlisted"
    waiting = client.get(
        f"/organiser/events/{biotesting.id}/attendees", query_string={"status": "waitlisted"}
    ).get_data(as_text=True)
    assert "RETARDATAIRE" in waiting
    client.post(
        f"/organiser/events/{biotesting.id}/attendees/{latecomer.id}/promote",
        data={"override_capacity": "y"},
    )
    db.session.expire_all()
    assert db.session.get(Registration, latecomer.id).status == "confirmed"

    # Exports the list to XLSX and opens it.
    response = client.get(f"/organiser/events/{congress.id}/attendees/export.xlsx", buffered=True)
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nom", "Prénom", "Adresse e-mail")
    assert len(rows) - 1 == db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == congress.id, Registration.status != "cancelled")
    )
    assert someone.email in {row[2] for row in rows}

    # Imports a CSV with two bad rows and sees them reported.
    csv_text = (
        "Nom;Prénom;E-mail;Organisation;Catégorie\n"
        "Lambert;Chloé;chloe.lambert@example.org;Servier;Industrie\n"
        "Moreau;Jules;jules.moreau@;Genopole;academic\n"
        "Garnier;Lina;lina.garnier@example.org;TreeFrog;Licorne\n"
        "Chevalier;Noé;noe.chevalier@example.org;Exothera;cdmo\n"
    )
    response = client.post(
        f"/organiser/events/{congress.id}/import",
        data={"file": (io.BytesIO(csv_text.encode()), "inscrits.csv")},
        content_type="multipart/form-data",
    )
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 lignes ne seront pas importées" in preview
    assert re.search(r'<th scope="row">3</th>.*?adresse e-mail invalide', preview, re.S)
    assert re.search(r'<th scope="row">4</th>.*?catégorie inconnue « Licorne »', preview, re.S)
    client.post(response.headers["Location"], data={"consent": "y"})
    imported = db.session.scalars(
        select(Registration.last_name).where(
            Registration.event_id == congress.id, Registration.source == "import"
        )
    ).all()
    assert sorted(imported) == ["Chevalier", "Lambert"]
