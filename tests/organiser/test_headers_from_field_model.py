"""The exports' and the import template's person columns are headed by the field model's
labels (eventapp/questions/fields.py), not written again: one wording in the forms, the files
and the import's mapping, in French and English."""

import csv
import html
import io

from flask_babel import force_locale

from eventapp.questions.fields import EXPORT_PERSON_FIELDS, person_label
from eventapp.services.imports.checking import suggest_mapping
from tests.organiser.test_exports import event  # noqa: F401 - the fixture


def _first_row(response) -> list[str]:
    body = response.get_data(as_text=True).lstrip("\ufeff")
    return next(csv.reader(io.StringIO(body), delimiter=";" if ";" in body[:200] else ","))


def test_export_and_template_headers_are_the_field_models_labels(app, client, event):  # noqa: F811
    for lang, accept in (("fr", "fr-FR"), ("en", "en-GB")):
        headers = {"Accept-Language": accept}
        exported = _first_row(
            client.get(
                f"/organiser/events/{event.id}/attendees/export.csv",
                headers=headers,
                buffered=True,
            )
        )
        template = _first_row(
            client.get(f"/organiser/events/{event.id}/import/template.csv", headers=headers)
        )
        with app.test_request_context(), force_locale(lang):
            labels = [person_label(name) for name in EXPORT_PERSON_FIELDS]
        assert exported[: len(labels)] == labels, lang
        assert template[: len(labels)] == labels, lang
        # The form asks with the same words.
        page = html.unescape(
            client.get(f"/events/{event.slug}/register", headers=headers).get_data(True)
        )
        for label in labels:
            assert label in page, (lang, label)
        # And the import recognises every column of its own template and of the export.
        with app.test_request_context():
            mapping = suggest_mapping(template, [])
        assert mapping[: len(labels)] == list(EXPORT_PERSON_FIELDS), lang
        assert "Catégorie d’acteur" in labels or "Actor category" in labels
