"""An event's deadline for online changes (participants cannot cancel or change their
registration online after it; their pages say until when they can) and its practical
information ("what to bring"), in French and English, on the page after registering, in the
confirmation e-mail and on the participant's pages."""

import html
from datetime import timedelta

from sqlalchemy import select

from eventapp.models import Event, Registration, utcnow
from tests.organiser.test_events import form as event_form
from tests.organiser.test_events import manager_of
from tests.registration.test_form import form as registration_form

PRACTICAL_FR = "Apportez votre carte professionnelle.\nVestiaire au rez-de-chaussée."
PRACTICAL_EN = "Bring your business card.\nCloakroom on the ground floor."


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_practical_information_after_registering_in_the_email_and_on_the_booking(
    client, db, factory, mail_outbox
):
    event = factory.event(practical_info_fr=PRACTICAL_FR, practical_info_en=PRACTICAL_EN)
    response = client.post(f"/events/{event.slug}/register", data=registration_form())
    done = text(client.get(response.headers["Location"]))
    assert "Apportez votre carte professionnelle." in done
    assert "Ce qu’il faut apporter, informations pratiques" in done
    [message] = mail_outbox
    assert "Apportez votre carte professionnelle." in message.body
    assert "Vestiaire au rez-de-chaussée." in message.body
    html_part = message.alternatives[0][0]
    assert "Apportez votre carte professionnelle.<br>" in html_part
    reg = db.session.scalar(select(Registration))
    assert "Vestiaire au rez-de-chaussée." in text(client.get(f"/b/{reg.booking.manage_token}"))
    assert "Vestiaire au rez-de-chaussée." in text(client.get(f"/r/{reg.manage_token}"))
    english = {"Accept-Language": "en"}
    assert "Cloakroom on the ground floor." in text(
        client.get(f"/r/{reg.manage_token}", headers=english)
    )


def test_practical_information_falls_back_to_french_and_is_escaped(client, db, factory):
    event = factory.event(practical_info_fr="<b>Badge</b> à l’accueil", practical_info_en="")
    reg = factory.registration(event)
    page = client.get(f"/r/{reg.manage_token}", headers={"Accept-Language": "en"})
    raw = page.get_data(as_text=True)
    assert "<b>Badge</b>" not in raw and "&lt;b&gt;Badge&lt;/b&gt;" in raw


def test_before_the_deadline_the_pages_say_until_when(client, db, factory, mail_outbox):
    deadline = utcnow() + timedelta(days=5)
    event = factory.event(changes_until=deadline)
    response = client.post(f"/events/{event.slug}/register", data=registration_form())
    assert response.status_code == 302
    reg = db.session.scalar(select(Registration))
    for url in (f"/r/{reg.manage_token}", f"/b/{reg.booking.manage_token}"):
        page = text(client.get(url))
        assert "Vous pouvez annuler ou modifier cette inscription en ligne jusqu’au" in page
        assert "Annuler" in page
    [message] = mail_outbox
    assert "Annulation et modifications en ligne jusqu’au" in message.body
    assert "jusqu’à la date limite indiquée" in message.body


def test_after_the_deadline_participants_can_no_longer_cancel_or_change_online(client, db, factory):
    event = factory.event(changes_until=utcnow() - timedelta(hours=1))
    reg = factory.registration(event, job_title="Chercheuse")
    db.session.commit()
    manage = text(client.get(f"/r/{reg.manage_token}"))
    assert "Les modifications et annulations en ligne ont fermé le" in manage
    assert f"/r/{reg.manage_token}/cancel" not in manage
    assert 'id="job_title"' not in manage  # no corrections form
    booking_page = text(client.get(f"/b/{reg.booking.manage_token}"))
    assert f"/b/{reg.booking.manage_token}/cancel/{reg.id}" not in booking_page
    assert 'id="job_title"' not in booking_page

    # Typed URLs and forged POSTs change nothing.
    assert client.get(f"/r/{reg.manage_token}/cancel").status_code == 409
    assert client.post(f"/r/{reg.manage_token}/cancel", data={}).status_code == 409
    details = {
        "first_name": "Camille",
        "last_name": "Martin",
        "organisation_name": "Sanofi",
        "job_title": "Directrice",
        "category": "industrial",
        "region": "idf",
    }
    response = client.post(f"/r/{reg.manage_token}", data=details)
    assert response.status_code == 409
    assert "Les modifications et annulations en ligne ont fermé le" in text(response)
    response = client.post(f"/b/{reg.booking.manage_token}/cancel/{reg.id}", data={})
    assert response.status_code == 302
    response = client.post(f"/b/{reg.booking.manage_token}", data=details)
    assert response.status_code == 302
    db.session.expire_all()
    assert reg.status == "confirmed" and reg.job_title == "Chercheuse"


def test_a_booking_changes_only_its_registrations_still_before_their_deadline(client, db, factory):
    tour = factory.event(kind="tour", capacity=None)
    closed = factory.event(
        kind="stage", parent_id=tour.id, position=1, changes_until=utcnow() - timedelta(hours=1)
    )
    still = factory.event(kind="stage", parent_id=tour.id, position=2)
    response = client.post(
        f"/events/{tour.slug}/register",
        data=registration_form(stages=[str(closed.id), str(still.id)]),
    )
    assert response.status_code == 302
    regs = {r.event_id: r for r in db.session.scalars(select(Registration))}
    token = regs[still.id].booking.manage_token
    page = text(client.get(f"/b/{token}"))
    assert f"/b/{token}/cancel/{regs[still.id].id}" in page
    assert f"/b/{token}/cancel/{regs[closed.id].id}" not in page
    details = registration_form(job_title="Responsable qualité")
    response = client.post(f"/b/{token}", data=details)
    assert response.status_code == 302
    db.session.expire_all()
    assert regs[still.id].job_title == "Responsable qualité"
    assert regs[closed.id].job_title == "Ingénieure procédés"


def test_the_organiser_sets_the_deadline_and_the_practical_information(client, db, factory, login):
    org, _user = manager_of(factory, login)
    start = (utcnow() + timedelta(days=60)).strftime("%Y-%m-%d")
    data = event_form(
        org,
        changes_until=f"{start}T08:00",
        practical_info_fr=PRACTICAL_FR,
        practical_info_en=PRACTICAL_EN,
    )
    response = client.post("/organiser/events/new", data=data)
    assert response.status_code == 302, text(response)
    event = db.session.scalar(select(Event))
    assert event.changes_until is not None and event.changes_until < event.starts_at
    assert event.practical_info_fr == PRACTICAL_FR and event.practical_info_en == PRACTICAL_EN
    page = text(client.get(f"/organiser/events/{event.id}/edit"))
    assert f'value="{start}T08:00"' in page and "Vestiaire au rez-de-chaussée." in page

    late = (utcnow() + timedelta(days=61)).strftime("%Y-%m-%d")
    response = client.post(
        f"/organiser/events/{event.id}/edit", data=event_form(org, changes_until=f"{late}T08:00")
    )
    assert response.status_code == 400
    assert "La date limite des modifications en ligne doit précéder la fin" in text(response)
    assert f'value="{late}T08:00"' in text(response)  # what was typed is kept
