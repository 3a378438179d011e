"""The attendee list on a 1366×768 laptop and a 390×844 phone (issue 20, point 10): the first
rows show without scrolling, the event's tab bar stays on one line, and on a phone neither the
list, the attendee page nor the event form widens the page. Screenshots go to tests/artifacts/."""

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def congress(factory):
    org = factory.organisation(name="Polepharma", short_name="Polepharma")
    user = factory.user(org, name="Marie Organisatrice")
    event = factory.event(organisers=[org], title_fr="Congrès France Bioproduction 2026")
    people = [
        factory.registration(
            event,
            first_name=first,
            last_name=last,
            organisation_name=organisation,
            email=f"{first.lower()}.{last.lower()}@laboratoires-pierre-fabre-exemple.example",
        )
        for first, last, organisation in [
            ("Marie-Charlotte", "de La Rochefoucauld-Montbrun", "Laboratoires Pierre Fabre"),
            ("Léa", "Durand", "Yposkesi"),
            ("Hugo", "Bernard", "Sanofi Pasteur"),
        ]
    ]
    return user, event, people


def open_as(browser, live_server, user, viewport):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport=viewport, is_mobile=viewport == PHONE
    )
    page = context.new_page()
    page.goto("/auth/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/organiser/**")
    return context, page


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_first_rows_visible_and_tabs_on_one_line_on_a_laptop(browser, live_server, congress):
    user, event, _people = congress
    context, page = open_as(browser, live_server, user, LAPTOP)
    page.goto(f"/organiser/events/{event.id}/attendees")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attendees-1366x768.png"))
    rows = page.locator("table.attendee-table tbody tr")
    second, third = rows.nth(1).bounding_box(), rows.nth(2).bounding_box()
    assert second["y"] + second["height"] <= LAPTOP["height"], second  # two whole rows
    assert third["y"] + 40 <= LAPTOP["height"], third  # and the third begins above the fold
    tops = page.locator(".event-tabs > ul > li").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().top)"
    )
    assert len(set(tops)) == 1, tops  # the tab bar does not wrap
    # The site's menu holds on one line too (« Se déconnecter » wrapped under it).
    menu = page.locator(".site-nav li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(menu)) == 1, menu
    assert page_width(page) <= LAPTOP["width"]
    # The set-up pages are under « Plus », in sight once it is opened (no JavaScript needed).
    page.locator(".tabs-more summary").click()
    team = page.locator(".tabs-more a", has_text="Équipe")
    assert team.is_visible()
    box = team.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], box
    page.screenshot(path=str(ARTIFACTS / "attendees-more-1366x768.png"))
    assert page_width(page) <= LAPTOP["width"]
    context.close()


def test_nothing_widens_the_page_on_a_phone(browser, live_server, congress):
    user, event, people = congress
    context, page = open_as(browser, live_server, user, PHONE)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, url in [
        ("attendees", f"/organiser/events/{event.id}/attendees"),
        ("attendee", f"/organiser/events/{event.id}/attendees/{people[0].id}"),
        ("event-form", f"/organiser/events/{event.id}/edit"),
    ]:
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / f"{name}-390x844.png"), full_page=True)
        assert page_width(page) <= PHONE["width"], (name, page_width(page))
    context.close()
