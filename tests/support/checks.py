"""Assertions shared by several test folders."""

import html


def assert_friendly_503(response) -> None:
    """The database is down or locked: a friendly 503, in French, that saved nothing."""
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = html.unescape(response.get_data(as_text=True))
    assert "Service momentanément indisponible" in page
    request = getattr(response, "request", None)
    if request is not None and request.method in ("GET", "HEAD"):
        # A page that only reads says nothing about saving (issue 20, point 6: a saved
        # registration's confirmation page said "nothing was saved").
        assert "Rien n’a été enregistré" not in page and "Veuillez réessayer" in page
    else:
        assert "Rien n’a été enregistré" in page
    assert "Traceback" not in page and "OperationalError" not in page


def check_accessibility(page):
    """axe-core finds no violation on the page (Playwright)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
