"""A short-lived cache of the public pages anonymous readers ask for most: the catalogue, an
event or tour page, a programme (issue 21: those pages, seat counts included, may be up to 2
seconds old; a new registration shows within that).

Only for a reader without any cookie (no session: nobody logged in, no flash message, no form
in progress) and only answers 200 that set no cookie and left the session untouched. Keyed by
the path with its query string and the reader's language. Each worker process keeps its own
pages (at most MAX_PAGES), for `PUBLIC_PAGE_CACHE_SECONDS` (0: off; the suite runs with it off
but for the tests of this cache). Headers added after the view (security headers, CSP) are
added to a cached answer as to a fresh one: only the view's own body, status and content type
are kept.
"""

from __future__ import annotations

import threading
import time
from functools import wraps

from flask import Response, current_app, make_response, request, session

from eventapp.i18n import current_language

MAX_PAGES = 256
_lock = threading.Lock()
_pages: dict[tuple[str, str], tuple[float, bytes, int, str]] = {}


def clear() -> None:
    with _lock:
        _pages.clear()


def _store(key, expires: float, response: Response) -> None:
    entry = (expires, response.get_data(), response.status_code, response.content_type)
    with _lock:
        if len(_pages) >= MAX_PAGES:
            now = time.monotonic()
            for old in [k for k, v in _pages.items() if v[0] <= now]:
                del _pages[old]
            if len(_pages) >= MAX_PAGES:
                _pages.clear()
        _pages[key] = entry


def anonymous_page(view):
    """Serve the view's page from the cache to readers without cookies (see the module)."""

    @wraps(view)
    def cached(*args, **kwargs):
        seconds = current_app.config.get("PUBLIC_PAGE_CACHE_SECONDS", 0)
        if not seconds or request.cookies:
            return view(*args, **kwargs)
        key = (request.full_path, current_language())
        now = time.monotonic()
        with _lock:
            hit = _pages.get(key)
        if hit is not None and hit[0] > now:
            _expires, body, status, content_type = hit
            response = Response(body, status=status, content_type=content_type)
            response.vary.add("Cookie")
            return response
        response = make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and not response.is_streamed
            and "Set-Cookie" not in response.headers
            and not session.modified
        ):
            _store(key, now + seconds, response)
        return response

    return cached
