"""A programme imported from CSV/XLSX on the attendee import's steps: the same mapping screen,
each bad row with its line and reason (in French), nothing stored before the organiser
confirms, then rooms, tracks and speakers created with the sessions in one transaction."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from eventapp.models import ImportUpload, ProgrammeSession, Room, Speaker, Track
from eventapp.organiser.forms import to_local

CSV = (
    "Titre;Title EN;Type;Début;Fin;Salle;Parcours;Intervenants;Places;Description\n"
    "Vecteurs viraux : production;Viral vectors;Atelier;{day} 09:00;{day} 10:30;"
    'Salle Curie;Procédés;"Claire Dupont; Marc Lefort";25;Les procédés AAV\n'
    "Table ronde des pôles;Poles round table;table ronde;{day} 11:00;{day} 12:00;"
    "Auditorium;;Paul Secret, Claire Dupont;;\n"
    ";Untitled;plenary;{day} 13:00;{day} 14:00;;;;;\n"
    "Pitchs de start-up;;Concours;{day} 14:00;{day} 15:00;;;;;\n"
    "Visite du site;;visite;{day} 16:00;{day} 15:00;;;;douze;\n"
    "Pause;;pause;demain;{day} 16:30;;;;;\n"
)


@pytest.fixture
def world(congress, login):
    login(congress["manager"])
    day = to_local(congress["event"].starts_at).strftime("%d/%m/%Y")
    return congress | {"csv": CSV.format(day=day).encode(), "day": day}


def upload(client, event, content, filename="programme.csv"):
    return client.post(
        f"/organiser/events/{event.id}/programme/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def preview_url(db, event):
    upload_id = db.session.scalar(select(func.max(ImportUpload.id)))
    return f"/organiser/events/{event.id}/programme/import/{upload_id}"


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_preview_names_each_bad_row_in_french_and_stores_nothing(client, db, world):
    event = world["event"]
    sessions_before = count(db, ProgrammeSession)
    assert upload(client, event, world["csv"]).status_code == 302
    assert db.session.scalar(select(ImportUpload.kind).order_by(ImportUpload.id.desc())) == (
        "programme"
    )
    page = client.get(preview_url(db, event)).get_data(as_text=True)
    rows = page.split("<tr>")

    def row_for(line):
        return next(r for r in rows if f'<th scope="row">{line}</th>' in r)

    assert "titre manquant" in row_for(4)
    assert "type inconnu «\u00a0Concours\u00a0»" in row_for(5)
    assert "la fin n’est pas après le début" in row_for(6)
    assert "«\u00a0douze\u00a0»" in row_for(6)
    assert "date ou heure illisible «\u00a0demain\u00a0»" in row_for(7)
    assert "Nouvelles salles\u00a0: Salle Curie" in page
    assert "Marc Lefort" in page
    # The same mapping screen as the attendee import, with the file's columns.
    assert 'name="map-0"' in page and 'name="step" value="map"' in page
    assert count(db, ProgrammeSession) == sessions_before
    assert db.session.scalar(select(Room).where(Room.name == "Salle Curie")) is None


def test_confirming_creates_the_good_sessions_with_their_rooms_tracks_and_speakers(
    client, db, world
):
    event = world["event"]
    before = count(db, ProgrammeSession)
    upload(client, event, world["csv"])
    url = preview_url(db, event)
    client.get(url)
    response = client.post(url, data={})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organiser/events/{event.id}/programme")
    db.session.rollback()
    assert count(db, ProgrammeSession) == before + 2
    workshop = db.session.scalar(
        select(ProgrammeSession).where(ProgrammeSession.title_fr == "Vecteurs viraux : production")
    )
    assert workshop.kind == "workshop"
    assert workshop.seat_limit == 25
    assert workshop.title_en == "Viral vectors"
    assert workshop.description_fr == "Les procédés AAV"
    assert workshop.published_at is None  # a draft
    assert to_local(workshop.starts_at) == datetime.strptime(
        world["day"] + " 09:00", "%d/%m/%Y %H:%M"
    )
    assert db.session.get(Room, workshop.room_id).name == "Salle Curie"
    assert db.session.get(Track, workshop.track_id).name_fr == "Procédés"
    db.session.refresh(workshop, attribute_names=["speakers"])
    assert sorted(s.name for s in workshop.speakers) == ["Claire Dupont", "Marc Lefort"]
    # Existing rooms and speakers are reused, not duplicated.
    assert count(db, Room) == 3
    names = db.session.scalars(select(Speaker.name).where(Speaker.event_id == event.id)).all()
    assert sorted(names) == ["Claire Dupont", "Marc Lefort", "Paul Secret"]
    table = db.session.scalar(
        select(ProgrammeSession).where(ProgrammeSession.title_fr == "Table ronde des pôles")
    )
    assert table.kind == "round_table" and table.room_id == world["rooms"]["hall"].id
    # Imported once only.
    again = client.post(url, data={})
    assert again.status_code == 302
    assert count(db, ProgrammeSession) == before + 2


def test_unmapped_columns_go_to_the_mapping_screen(client, db, world):
    event = world["event"]
    content = f"Intitulé;Quand;Jusqu’à\nAtelier mAbs;{world['day']} 09:00;{world['day']} 10:00\n"
    upload(client, event, content.encode())
    url = preview_url(db, event)
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Le fichier n’a pas de colonne pour" in text and "Titre (français)" in text
    response = client.post(
        url, data={"step": "map", "map-0": "title_fr", "map-1": "starts_at", "map-2": "ends_at"}
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Atelier mAbs" in page
    assert client.post(url, data={}).status_code == 302
    assert db.session.scalar(
        select(ProgrammeSession).where(ProgrammeSession.title_fr == "Atelier mAbs")
    )


def test_an_xlsx_file_with_date_cells(client, db, world):
    event = world["event"]
    start = to_local(event.starts_at).replace(hour=9, minute=30)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Title", "Start", "End", "Room", "Capacity"])
    sheet.append(["mAbs process", start, start.replace(hour=11), "Salle Pasteur", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert upload(client, event, buffer.getvalue(), "programme.xlsx").status_code == 302
    assert client.post(preview_url(db, event), data={}).status_code == 302
    session = db.session.scalar(
        select(ProgrammeSession).where(ProgrammeSession.title_fr == "mAbs process")
    )
    assert to_local(session.starts_at) == start
    assert session.room_id == world["rooms"]["small"].id and session.seat_limit == 12


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "vide.csv", "Le fichier est vide"),
        (b"Titre;D\xc3\xa9but;Fin\n", "entete.csv", "une ligne d’en-tête mais personne"),
        (b"PK\x03\x04 not really a zip", "x.xlsx", "Ce fichier est illisible"),
    ],
)
def test_a_bad_file_is_refused_with_a_french_message(client, db, world, content, filename, message):
    response = upload(client, world["event"], content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, ImportUpload) == 0


def test_a_database_failure_mid_import_stores_no_session(client, db, world, monkeypatch):
    event = world["event"]
    before = count(db, ProgrammeSession)
    upload(client, event, world["csv"])
    url = preview_url(db, event)
    from eventapp.services.programme import editing

    real = editing.save_session
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("disk full"))
        return real(*args, **kwargs)

    monkeypatch.setattr(editing, "save_session", failing)
    response = client.post(url, data={})
    assert response.status_code == 503  # the friendly "busy, try again" of a database error
    db.session.rollback()
    assert count(db, ProgrammeSession) == before
    assert db.session.scalar(select(Room).where(Room.name == "Salle Curie")) is None
    assert (
        db.session.scalar(select(ImportUpload.imported_at).order_by(ImportUpload.id.desc())) is None
    )


def test_uploads_do_not_cross_kinds_or_events(client, db, world, factory):
    event = world["event"]
    upload(client, event, world["csv"])
    upload_id = db.session.scalar(select(func.max(ImportUpload.id)))
    # A programme file is not an attendee import, and the reverse.
    assert client.get(f"/organiser/events/{event.id}/import/{upload_id}").status_code == 404
    other = factory.event(organisers=[world["org"]])
    assert (
        client.get(f"/organiser/events/{other.id}/programme/import/{upload_id}").status_code == 404
    )


def test_a_viewer_cannot_import(client, db, congress, login):
    login(congress["viewer"])
    response = upload(client, congress["event"], b"Titre;D\xc3\xa9but;Fin\nA;1;2\n")
    assert response.status_code in (403, 404)
    assert count(db, ImportUpload) == 0
