"""Import from CSV/XLSX: a preview with each bad row's line and reason, the good rows
registered only on confirmation, in one transaction (nothing half-imported)."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from eventapp.models import AuditLog, ImportUpload, OutboxMessage, Registration
from eventapp.services import registrations as registration_service

CSV = (
    "Nom;Prénom;E-mail;Organisation;Catégorie;Région\n"
    "Durand;Léa;lea.durand@example.org;Yposkesi;Biotech;Île-de-France\n"
    "Martin;Hugo;pas-une-adresse;Sanofi;industrial;idf\n"
    "Petit;Inès;ines.petit@example.org;LFB;Astronaute;cvl\n"
    "Bernard;Paul;paul.bernard@example.org;Novasep;cdmo;Normandie\n"
    "Roux;Anne;LEA.DURAND@example.org;Genethon;biotech;idf\n"
    "Faure;Marc;deja@example.org;Servier;industrial;idf\n"
    ";;;;;\n"
    "Blanc;Zoé;zoe.blanc@example.org;Cellectis;;\n"
)


@pytest.fixture
def event(factory, login):
    org = factory.organisation(name="Polepharma")
    login(factory.user(org))
    event = factory.event(organisers=[org], capacity=3)
    factory.registration(event, email="deja@example.org")
    return event


def upload(client, event, content: bytes, filename="participants.csv"):
    return client.post(
        f"/organiser/events/{event.id}/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def preview_url(db, event):
    upload_id = db.session.scalar(select(func.max(ImportUpload.id)))
    return f"/organiser/events/{event.id}/import/{upload_id}"


def test_preview_reports_each_bad_row_with_its_line_and_reason(client, db, event):
    response = upload(client, event, CSV.encode())
    assert response.status_code == 302
    page = client.get(preview_url(db, event)).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1  # nothing yet
    rows = page.split("<tr>")

    def row_for(line):
        return next(r for r in rows if f'<th scope="row">{line}</th>' in r)

    assert "adresse e-mail invalide « pas-une-adresse »" in row_for(3)
    assert "catégorie inconnue « Astronaute »" in row_for(4)
    assert "doublon : même e-mail que la ligne 2" in row_for(6)
    assert "déjà inscrit·e à cet événement" in row_for(7)
    assert "4 lignes ne seront pas importées" in page
    assert "3 lignes prêtes à importer" in page
    # 3 seats, 1 taken: 2 confirmed, 1 on the waiting list.
    flat = page.replace("\n", "")
    assert "<dt>Seront confirmées</dt><dd>2</dd>" in flat
    assert "<dt>Iront en liste d’attente</dt><dd>1</dd>" in flat


def test_confirming_imports_only_the_good_rows(client, db, event, mail_outbox):
    upload(client, event, CSV.encode())
    url = preview_url(db, event)
    unconfirmed = client.post(url, data={})
    assert unconfirmed.status_code == 400  # the consent box is required
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    response = client.post(url, data={"consent": "y"})
    assert response.status_code == 302
    imported = {
        r.email: r
        for r in db.session.scalars(select(Registration).where(Registration.source == "import"))
    }
    assert set(imported) == {
        "lea.durand@example.org",
        "paul.bernard@example.org",
        "zoe.blanc@example.org",
    }
    assert imported["lea.durand@example.org"].category == "biotech"
    assert imported["lea.durand@example.org"].region == "idf"
    assert imported["paul.bernard@example.org"].region == "nor"
    assert imported["zoe.blanc@example.org"].category == "other"  # empty category
    statuses = sorted(r.status for r in imported.values())
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert all(r.consent_version.startswith("import:") for r in imported.values())
    assert len(mail_outbox) == 0  # nobody e-mailed unless asked
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "attendees.imported"))
    assert entry.details["confirmed"] == 2 and entry.details["skipped"] == 4
    stored = db.session.scalar(select(ImportUpload))
    assert stored.imported_at is not None and stored.content == b""  # no second copy kept
    # Confirming again imports nothing more.
    again = client.post(url, data={"consent": "y"})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 4


def test_imported_people_can_be_emailed(client, db, event, mail_outbox):
    upload(client, event, CSV.encode())
    response = client.post(preview_url(db, event), data={"consent": "y", "notify": "y"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail_outbox) == [
        "lea.durand@example.org",
        "paul.bernard@example.org",
        "zoe.blanc@example.org",
    ]


def test_xlsx_and_windows_csv_files(client, db, factory, event):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Last name", "First name", "Email", "Company", "Category", "Language"])
    sheet.append(["Smith", "Anna", "anna.smith@example.org", "Biocat", "Investor", "en"])
    sheet.append(["Jones", "Tom", "tom@", "Turku", "other", "en"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert upload(client, event, buffer.getvalue(), "people.xlsx").status_code == 302
    page = client.get(preview_url(db, event)).get_data(as_text=True)
    assert '<th scope="row">3</th>' in page and "adresse e-mail invalide" in page
    client.post(preview_url(db, event), data={"consent": "y"})
    anna = db.session.scalar(select(Registration).where(Registration.last_name == "Smith"))
    assert anna.category == "investor" and anna.language == "en"

    windows = "Nom;Prénom;Courriel\r\nLefèvre;Hélène;helene@example.org\r\n".encode("cp1252")
    assert upload(client, event, windows).status_code == 302
    assert "Hélène LEFÈVRE" in client.get(preview_url(db, event)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "x.csv", "Le fichier est vide."),
        (b"Nom;Prenom;Email\n", "x.csv", "une ligne d’en-tête mais personne dedans"),
        (b"PK\x03\x04 not really a zip", "x.xlsx", "Ce fichier est illisible"),
        (b"\x00\x01\x02binary", "x.csv", "Ce fichier est illisible"),
    ],
)
def test_unusable_files_get_a_clear_message(client, db, event, content, filename, message):
    response = upload(client, event, content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 0


def test_wrong_file_type_is_refused(client, event):
    response = upload(client, event, b"%PDF-1.4", "people.pdf")
    assert response.status_code == 400
    assert "Uniquement des fichiers CSV ou .xlsx" in response.get_data(as_text=True)


def test_a_database_failure_mid_import_leaves_nothing_half_imported(client, db, event, monkeypatch):
    upload(client, event, CSV.encode())
    url = preview_url(db, event)
    real_register = registration_service.register
    calls = []

    def failing_register(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OperationalError("INSERT INTO registration ...", {}, Exception("server gone"))
        return real_register(*args, **kwargs)

    monkeypatch.setattr(registration_service, "register", failing_register)
    response = client.post(url, data={"consent": "y"})
    assert response.status_code == 503
    assert len(calls) == 3  # two rows were written before the failure...
    db.session.rollback()
    # ...and rolled back with everything else.
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert db.session.scalar(select(ImportUpload)).imported_at is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action != "user.login")
        )
        == 0
    )
    # Once the database is back, the same preview imports everything.
    monkeypatch.setattr(registration_service, "register", real_register)
    assert client.post(url, data={"consent": "y"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 4


def test_an_upload_of_another_event_is_not_reachable(client, db, factory, event):
    upload(client, event, CSV.encode())
    other = factory.event(organisers=[])
    upload_id = db.session.scalar(select(ImportUpload.id))
    assert client.get(f"/organiser/events/{other.id}/import/{upload_id}").status_code == 404
