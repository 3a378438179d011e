"""The same thing reads the same everywhere (issue 20, point 13): region names in English, one
person's presence in the singular, consent as a sentence with its version."""

from flask_babel import force_locale

from eventapp.models import Region, utcnow


def test_region_names_are_translated_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert str(Region.BRE.label) == "Brittany"
        assert str(Region.COR.label) == "Corsica"
        assert str(Region.NOR.label) == "Normandy"
    with app.test_request_context(), force_locale("fr"):
        assert str(Region.BRE.label) == "Bretagne"


def test_attendee_page_presence_and_consent_read_as_sentences(client, factory, login):
    org = factory.organisation(name="Polepharma")
    login(factory.user(org))
    event = factory.event(organisers=[org])
    reg = factory.registration(
        event, first_name="Léa", last_name="Durand", consent_at=utcnow(), consent_version="2026-11"
    )
    html = client.get(f"/organiser/events/{event.id}/attendees/{reg.id}").get_data(as_text=True)
    assert "<dt>Présent·e</dt><dd>Non</dd>" in html
    assert "Présents" not in html.split("<dl", 1)[1].split("</dl>", 1)[0]
    assert "politique de confidentialité (version 2026-11)" in html
