"""The issue's "Done when", as one story through the pages: a CDMO business developer joins
the congress's B2B meetings from their manage link, finds six biotechs through the
suggestions (each seeking what the CDMO offers), requests them; they accept from their own
links; the organiser schedules in a job and publishes; the business developer's agenda holds
six useful meetings, each with its time and table, back to back, in the calendar file too."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import B2BParticipant, MeetingRequest, OutboxMessage, Registration
from tests.b2b.helpers import join, link, open_b2b


def test_a_cdmo_business_developer_gets_six_useful_meetings(app, client, factory, login):
    app.config["B2B_SCHEDULE_SECONDS"] = 10
    org = factory.organisation()
    manager = factory.user(org, role="manager")
    event = open_b2b(factory, organisers=(org,), blocks=((0, 4), (3, 4)), tables=4)
    seekers = [
        join(factory, event, category="biotech", organisation=f"Biotech {n}", last_name=f"B{n}",
             needs=["cdmo_capacity", "fill_finish"] if n % 2 else ["viral_vectors"],
             offers=["gene_therapy"])
        for n in range(6)
    ]  # fmt: skip
    # Noise: people the CDMO has nothing for, and a pending request between two others, which
    # must not hold a slot.
    for n in range(3):
        join(factory, event, category="equipment", organisation=f"Equip {n}", last_name=f"E{n}",
             offers=["equipment"], needs=["recruitment"])  # fmt: skip
    bd = factory.registration(
        event, organisation_name="Yposkesi", category="cdmo", job_title="Business developer"
    )
    token = bd.manage_token
    assert client.post(f"/r/{token}/b2b", data={
        "organisation_name": "Yposkesi", "category": "cdmo", "region": "idf",
        "pitch": "Vecteurs viraux AAV et lentiviraux, du développement au remplissage.",
        "offers": ["viral_vectors", "cdmo_capacity", "fill_finish"], "needs": ["funding"],
    }).status_code == 302  # fmt: skip
    suggestions = client.get(f"/r/{token}/b2b/suggestions").get_data(as_text=True)
    suggested = [int(i) for i in re.findall(r"/b2b/people/(\d+)\"", suggestions)]
    suggested = list(dict.fromkeys(suggested))
    assert sorted(suggested) == sorted(s.id for s in seekers)  # the equipment firms are not
    for pid in suggested:
        sent = client.post(f"/r/{token}/b2b/people/{pid}",
                           data={"message": "Parlons de vos lots cliniques."})  # fmt: skip
        assert sent.status_code == 302
    db.session.rollback()
    for seeker in seekers:
        received = client.get(link(seeker, "/requests")).get_data(as_text=True)
        rid = re.search(r"/b2b/requests/(\d+)/accept", received).group(1)
        assert client.post(link(seeker, f"/requests/{rid}/accept")).status_code == 302
    login(manager)
    run = client.post(f"/organiser/events/{event.id}/b2b/runs", data={"run-mode": "full"})
    report = client.get(run.headers["Location"], headers={"Accept-Language": "en"})
    assert "6 / 6" in report.get_data(as_text=True)
    assert client.post(f"/organiser/events/{event.id}/b2b/publish").status_code == 302
    agenda = client.get(f"/r/{token}/b2b/meetings", headers={"Accept-Language": "en"})
    page = agenda.get_data(as_text=True)
    assert page.count('<p class="b2b-when">') == 6
    for n in range(6):
        assert f"Biotech {n}" in page
    assert len(re.findall(r"Table \d+", page)) == 6
    ics = client.get(f"/r/{token}/b2b/meetings.ics").get_data(as_text=True)
    assert ics.count("BEGIN:VEVENT") == 6
    db.session.rollback()
    me = db.session.scalar(select(B2BParticipant).where(B2BParticipant.registration_id == bd.id))
    # Useful: each counterpart seeks something the CDMO offers.
    for request in db.session.scalars(select(MeetingRequest)):
        other = db.session.get(B2BParticipant, request.recipient_id)
        assert set(other.profile.needs) & set(me.profile.offers)
    # Six meetings over two blocks of four slots: none of them waits between two meetings.
    from eventapp.models import ScheduleRun

    run_row = db.session.scalar(select(ScheduleRun))
    assert run_row.report["idle_total"] == 0
    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == "b2b.agenda",
            OutboxMessage.recipient == db.session.get(Registration, bd.id).email,
        )
    )
    assert mail is not None and mail.body_text.count("Biotech ") == 6
