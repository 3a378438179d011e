"""The API settings pages and the API documentation on a 390×844 phone (issue 17): a token is
made and shown once, an endpoint added with its secret, the delivery log, the docs page; none
widens the page, and no page runs a script or loads anything from elsewhere. Screenshots go to
tests/artifacts/."""

from datetime import timedelta

import pytest

from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.services.api import webhooks
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_api_pages_on_a_phone(browser, live_server, factory):
    org = factory.organisation(name="Lyonbiopôle Auvergne-Rhône-Alpes", short_name="Lyonbiopole")
    user = factory.user(org, "owner", name="Marie Organisatrice")
    factory.event(organisers=[org], title_fr="Congrès France Bioproduction 2026")
    endpoint, _secret = webhooks.create_endpoint(
        org,
        url="https://crm.laboratoires-exemple.example/webhooks/eventapp/registrations",
        event_types=["registration.created", "checkin.created"],
        user=user,
    )
    webhooks.send_test(endpoint)
    db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport=PHONE, is_mobile=True
    )
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server) else None
        ),
    )
    page.goto("/auth/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/organiser/**")
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"/organiser/organisations/{org.id}/api-tokens")
    page.locator("#name").fill("Synchro CRM")
    page.get_by_label("Participants : lecture").check()
    page.locator("#expires_on").fill((utcnow() + timedelta(days=60)).date().isoformat())
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.locator("#new-secret").input_value()
    assert secret.startswith("evt_")
    page.screenshot(path=str(ARTIFACTS / "api-tokens-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    for name, url in (
        ("api-webhooks-390.png", f"/organiser/organisations/{org.id}/webhooks"),
        ("api-webhook-log-390.png", f"/organiser/organisations/{org.id}/webhooks/{endpoint.id}"),
        ("api-docs-390.png", "/api/v1/docs"),
    ):
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    assert outside == []
    context.close()
