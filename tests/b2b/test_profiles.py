"""Joining with a networking profile, the profile carried over from an earlier event, who sees
whom, browsing (SQL filters and pages) and the suggestions with their explanation."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import B2BParticipant, NetworkProfile, Registration
from tests.b2b.helpers import join, link, open_b2b


def test_a_confirmed_participant_joins_from_the_manage_link(client, factory):
    event = open_b2b(factory)
    registration = factory.registration(event, organisation_name="Yposkesi", category="cdmo")
    manage = client.get(f"/r/{registration.manage_token}")
    assert f"/r/{registration.manage_token}/b2b" in manage.get_data(as_text=True)
    page = client.get(f"/r/{registration.manage_token}/b2b")
    assert page.status_code == 200
    assert 'value="Yposkesi"' in page.get_data(as_text=True)  # from the registration
    response = client.post(
        f"/r/{registration.manage_token}/b2b",
        data={
            "organisation_name": "Yposkesi",
            "category": "cdmo",
            "region": "idf",
            "pitch": "AAV and lentiviral vectors, from clinical to commercial.",
            "offers": ["viral_vectors", "fill_finish"],
            "needs": ["funding"],
            "offers_text": "",
            "needs_text": "",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    participant = db.session.scalar(select(B2BParticipant))
    assert participant.registration_id == registration.id
    assert participant.profile.offers == ["viral_vectors", "fill_finish"]
    assert participant.profile.tag_text == " o:viral_vectors o:fill_finish n:funding "


def test_bad_profile_input_is_refused_and_kept(client, factory):
    event = open_b2b(factory)
    registration = factory.registration(event)
    response = client.post(
        f"/r/{registration.manage_token}/b2b",
        data={"organisation_name": "", "category": "nonsense", "pitch": "Mon pitch " * 100},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert "Mon pitch" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(B2BParticipant)) == 0


def test_b2b_pages_are_404_when_the_event_has_no_b2b(client, factory):
    event = factory.event()
    registration = factory.registration(event)
    assert client.get(f"/r/{registration.manage_token}/b2b").status_code == 404
    manage = client.get(f"/r/{registration.manage_token}").get_data(as_text=True)
    assert "/b2b" not in manage


def test_a_waitlisted_registration_cannot_join(client, factory):
    event = open_b2b(factory)
    registration = factory.registration(event, status="waitlisted")
    response = client.post(
        f"/r/{registration.manage_token}/b2b",
        data={"organisation_name": "X", "category": "biotech"},
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(B2BParticipant)) == 0


def test_the_profile_of_an_earlier_event_is_offered_again_to_confirm(client, factory):
    stage = open_b2b(factory)
    join(
        factory, stage, offers=["analytics"], needs=["cdmo_capacity"], organisation="Biotesting",
        email="lea@example.org", pitch="Analytical methods",
    )  # fmt: skip
    congress = open_b2b(factory)
    registration = factory.registration(
        congress, email="lea@example.org", organisation_name="Biotesting"
    )
    page = client.get(
        f"/r/{registration.manage_token}/b2b", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "earlier event" in page
    assert "Analytical methods" in page
    assert '<input checked id="offers-7" name="offers" type="checkbox" value="analytics">' in page
    client.post(
        f"/r/{registration.manage_token}/b2b",
        data={"organisation_name": "Biotesting", "category": "techprovider",
              "offers": ["analytics"], "needs": ["cdmo_capacity"]},
    )  # fmt: skip
    db.session.rollback()
    # One profile for the person and organisation, shown at both events.
    assert db.session.scalar(select(func.count()).select_from(NetworkProfile)) == 1
    assert db.session.scalar(select(func.count()).select_from(B2BParticipant)) == 2


def test_profiles_are_seen_only_by_opted_in_participants_of_the_same_event(client, factory):
    event = open_b2b(factory)
    other_event = open_b2b(factory)
    me = join(factory, event, needs=["fill_finish"], last_name="Moi")
    neighbour = join(factory, event, offers=["fill_finish"], last_name="Voisin")
    stranger = join(factory, other_event, offers=["fill_finish"], last_name="Etranger")
    assert client.get(link(me, f"/people/{neighbour.id}")).status_code == 200
    assert client.get(link(me, f"/people/{stranger.id}")).status_code == 404
    assert client.get(link(me, f"/people/{me.id}")).status_code == 404
    # Not joined: sent to the page where one joins, nobody shown.
    outsider = factory.registration(event)
    response = client.get(f"/r/{outsider.manage_token}/b2b/people")
    assert response.status_code == 302
    assert client.get(f"/r/{outsider.manage_token}/b2b/people/{neighbour.id}").status_code == 302
    listing = client.get(link(me, "/people")).get_data(as_text=True)
    assert "Voisin" in listing and "Etranger" not in listing


def test_no_email_before_a_meeting_is_accepted(client, factory):
    event = open_b2b(factory)
    me = join(factory, event, needs=["mabs"], last_name="Moi")
    other = join(factory, event, offers=["mabs"], last_name="Etranger")
    email = db.session.get(Registration, other.registration_id).email
    for path in ("/people", "/suggestions", f"/people/{other.id}"):
        assert email not in client.get(link(me, path)).get_data(as_text=True)


def test_browse_filters_in_sql_and_pages(client, factory, query_counter):
    event = open_b2b(factory)
    me = join(factory, event, last_name="Moi")
    for n in range(25):
        join(
            factory, event, last_name=f"P{n:02d}", organisation=f"Org {n:02d}",
            offers=["mabs"] if n % 2 else ["analytics"], category="cdmo" if n < 5 else "biotech",
            region="ara" if n == 7 else "idf",
            pitch="Bioréacteurs à usage unique" if n == 3 else "",
        )  # fmt: skip
    first = client.get(link(me, "/people")).get_data(as_text=True)
    assert "25 profiles" in first or "25 profils" in first
    assert "Org 19" in first and "Org 20" not in first  # 20 a page, by organisation
    second = client.get(link(me, "/people?page=2")).get_data(as_text=True)
    assert "Org 20" in second
    with query_counter() as queries:
        client.get(link(me, "/people"))
    assert len(queries) <= 12, queries  # 20 profiles shown: not one query each
    mabs = client.get(link(me, "/people?tag=mabs&side=offers")).get_data(as_text=True)
    assert "12 profiles" in mabs or "12 profils" in mabs
    assert "Org 01" in mabs and "Org 02" not in mabs
    assert "Org 03" in client.get(link(me, "/people?q=bioreacteurs")).get_data(as_text=True)
    cdmo = client.get(link(me, "/people?category=cdmo")).get_data(as_text=True)
    assert "5 profiles" in cdmo or "5 profils" in cdmo
    region = client.get(link(me, "/people?region=ara")).get_data(as_text=True)
    assert "Org 07" in region and "Org 08" not in region
    # Nonsense filters are ignored, never a 500.
    assert client.get(link(me, "/people?tag=%27;--&page=abc&region=zz")).status_code == 200


def test_suggestions_rank_complementary_profiles_and_say_why(client, factory):
    event = open_b2b(factory)
    me = join(factory, event, offers=["analytics"], needs=["fill_finish", "viral_vectors"],
              last_name="Moi")  # fmt: skip
    both = join(factory, event, offers=["fill_finish", "viral_vectors"], last_name="Both",
                organisation="Both SA")  # fmt: skip
    one = join(factory, event, offers=["fill_finish"], last_name="One", organisation="One SA")
    reverse = join(factory, event, needs=["analytics"], last_name="Rev", organisation="Rev SA")
    join(factory, event, offers=["funding"], last_name="None", organisation="None SA")
    page = client.get(link(me, "/suggestions"), headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    order = [text.index(name) for name in ("Both SA", "One SA", "Rev SA")]
    assert order == sorted(order)
    assert "None SA" not in text
    assert "Offers Fill &amp; finish, which you seek" in text
    assert "Seeks Analytics and testing, which you offer" in text
    # The reasons and the request link are inside each card, not after it.
    cards = re.findall(r'<article class="b2b-card">(.*?)</article>', text, re.S)
    assert len(cards) == 3
    assert all('class="b2b-why"' in card and "/people/" in card for card in cards)
    assert "Offers Fill &amp; finish, which you seek" in cards[1]  # One SA's
    people = client.get(link(me, "/people"), headers={"Accept-Language": "en"})
    assert "b2b-why" not in people.get_data(as_text=True)
    assert {both.id, one.id, reverse.id}
