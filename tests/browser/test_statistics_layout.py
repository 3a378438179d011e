"""The dashboard's trend chart and an event's statistics on a 1366×768 laptop and a 390×844
phone (issue 20, point 14): no horizontal scroll, no chart label outside its chart or cut, no
table clipped; the phone gets the phone-sized drawing (its text as large as the page's).
Screenshots go to tests/artifacts/."""

from datetime import timedelta

import pytest

from eventapp.models import utcnow
from tests.browser.test_attendee_layout import LAPTOP, PHONE, open_as, page_width
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_event(factory):
    org = factory.organisation(name="Eurobiomed")
    user = factory.user(org, name="Marie Organisatrice")
    now = utcnow()
    event = factory.event(
        organisers=[org],
        title_fr="Journées Thérapies Innovantes",
        starts_at=now + timedelta(days=15),
        capacity=80,
    )
    for n in range(40):
        factory.registration(
            event,
            category=("cdmo", "techprovider", "equipment", "academic")[n % 4],
            region=("pac", "occ", "bfc", "ara")[n % 4],
            created_at=now - timedelta(days=n % 25, hours=n % 5),
        )
    return user, event


# Every visible <text> of every visible chart lies inside its chart's box.
LABELS_INSIDE = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (!svg.getClientRects().length) continue;
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
          r.bottom > box.bottom + 1) out.push(t.textContent);
    }
  }
  return out;
}"""
# The smallest font size (CSS px on screen) of the visible charts' texts.
SMALLEST_TEXT = """() => {
  let smallest = 99;
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (!svg.getClientRects().length) continue;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  return smallest;
}"""
# Tables that hide part of their content (a scroll box narrower or shorter than its table).
CLIPPED_TABLES = """() => [...document.querySelectorAll('table')].filter(t => {
  const box = t.parentElement;
  return t.getClientRects().length && (box.scrollWidth > box.clientWidth + 1 ||
    box.scrollHeight > box.clientHeight + 1);
}).map(t => t.caption ? t.caption.textContent : '?')"""


@pytest.mark.parametrize(("label", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_charts_fit_and_stay_readable(browser, live_server, busy_event, label, viewport):
    user, event = busy_event
    context, page = open_as(browser, live_server, user, viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, url in [
        ("dashboard", "/organiser/"),
        ("statistics", f"/organiser/events/{event.id}/statistics"),
    ]:
        page.goto(url)
        for details in page.locator("details.chart-numbers").all():
            details.locator("summary").click()
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        assert page_width(page) <= viewport["width"], name
        assert page.evaluate(LABELS_INSIDE) == [], name
        assert page.evaluate(SMALLEST_TEXT) >= 11, name
        assert page.evaluate(CLIPPED_TABLES) == [], name
    context.close()


@pytest.mark.parametrize(("label", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_the_badge_designer_and_the_mailing_form_fit(
    browser, live_server, busy_event, label, viewport
):
    """The pages of points 9 and 12 do not widen the page either."""
    user, event = busy_event
    context, page = open_as(browser, live_server, user, viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, url in [
        ("badge-design", f"/organiser/events/{event.id}/badges/design"),
        ("mailing-form", f"/organiser/events/{event.id}/mailings/new"),
    ]:
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        assert page_width(page) <= viewport["width"], name
    context.close()
