"""Import with column mapping (Indico #2952): a partner's XLSX with its own headers, mapped to
the person's fields and the event's questions (suggested from the headers), a preview with
every row's errors, the import with the answers; the mapping remembered for the next file of
the same shape."""

import html
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from eventapp.models import Answer, ImportUpload, Registration


def text(response):
    return html.unescape(response.get_data(as_text=True))


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PARTNER = [
    ["Surname", "Given", "Mail", "Company", "Régime alimentaire", "Atelier", "Comments"],
    ["Durand", "Léa", "lea@example.org", "Yposkesi", "Végétarien", "Atelier A", "x"],
    ["Martin", "Hugo", "hugo@example.org", "Sanofi", "Martien", "Atelier B", ""],
    ["Petit", "Inès", "ines@example.org", "LFB", "", "a", ""],
]


def _setup(factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    factory.question(
        event,
        "choice",
        identifier="diet",
        label_fr="Régime alimentaire",
        options=[("none", "Aucun"), ("veg", "Végétarien")],
    )
    factory.question(
        event,
        "choice",
        identifier="workshop",
        label_fr="Atelier",
        options=[("a", "Atelier A", 40), ("b", "Atelier B", 40)],
    )
    return event


def _upload(client, event, content, name="partenaire.xlsx"):
    return client.post(
        f"/organiser/events/{event.id}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_partners_file_is_mapped_previewed_and_imported_with_its_answers(
    client, db, factory, login
):
    event = _setup(factory, login)
    response = _upload(client, event, xlsx(PARTNER))
    assert response.status_code == 302  # unknown headers: the organiser maps them next
    url = response.headers["Location"]
    page = text(client.get(url))
    assert "pas de colonne pour" in page and "Surname" in page
    # The questions' columns were recognised from their wording.
    assert 'value="q:diet" selected' in page and 'value="q:workshop" selected' in page
    mapping = {
        "map-0": "last_name",
        "map-1": "first_name",
        "map-2": "email",
        "map-3": "organisation_name",
    }
    mapped = client.post(
        url, data={"step": "map", **mapping, "map-4": "q:diet", "map-5": "q:workshop"}
    )
    assert mapped.status_code == 302
    page = text(client.get(url))
    assert "Régime alimentaire : Ne fait pas partie des options. « Martien »" in page
    assert "2 lignes prêtes à importer" in page
    assert client.post(url, data={"consent": "y"}).status_code == 302
    people = {r.email: r for r in db.session.scalars(select(Registration))}
    assert set(people) == {"lea@example.org", "ines@example.org"}
    answers = {
        (a.registration_id, a.question.identifier): a.value
        for a in db.session.scalars(select(Answer))
    }
    lea, ines = people["lea@example.org"].id, people["ines@example.org"].id
    assert answers == {(lea, "diet"): "veg", (lea, "workshop"): "a", (ines, "workshop"): "a"}

    # The next file of the same shape gets the same mapping at once.
    again = _upload(
        client,
        event,
        xlsx([PARTNER[0], ["Roux", "Anne", "anne@example.org", "LFB", "Aucun", "Atelier B", ""]]),
    )
    page = text(client.get(again.headers["Location"]))
    assert "1 ligne prête à importer" in page
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 2


def test_a_mapping_without_the_required_columns_is_refused_with_the_message(
    client, db, factory, login
):
    event = _setup(factory, login)
    url = _upload(client, event, xlsx(PARTNER)).headers["Location"]
    response = client.post(url, data={"step": "map", "map-0": "last_name"})
    assert response.status_code == 422
    assert "pas de colonne pour" in text(response)
    response = client.post(url, data={"step": "map", "map-0": "martian", "map-1": "first_name"})
    assert response.status_code == 422
