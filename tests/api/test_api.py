"""The JSON API: public availability of published events; the organiser's live counts, guarded
like the workspace pages (401 JSON without a login, 404 for another organisation's event)."""


def test_published_events_with_their_availability(client, factory):
    org = factory.organisation()
    open_event = factory.event(organisers=[org], capacity=2, title_fr="Congrès ouvert")
    factory.registration(open_event, status="confirmed")
    factory.registration(open_event, status="cancelled")
    factory.event(organisers=[org], status="draft", title_fr="Brouillon")
    response = client.get("/api/events")
    assert response.status_code == 200 and response.is_json
    events = response.json["events"]
    assert [e["title"]["fr"] for e in events] == ["Congrès ouvert"]
    assert events[0]["confirmed"] == 1 and events[0]["free_seats"] == 1
    assert events[0]["slug"] == open_event.slug


def test_organiser_counts_need_a_login_and_the_event(app, client, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=10)
    factory.registration(event, status="confirmed")
    factory.registration(event, status="waitlisted")
    url = f"/api/organiser/events/{event.id}/counts"
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == 401
    outsider, staff = app.test_client(), app.test_client()
    login(factory.user(factory.organisation(), "manager"), c=outsider)
    foreign = outsider.get(url)
    assert foreign.status_code == 404 and foreign.json["error"]["code"] == 404
    login(factory.user(org, "checkin"), c=staff)
    counts = staff.get(url).json
    assert (counts["confirmed"], counts["waitlisted"], counts["free_seats"]) == (1, 1, 9)
