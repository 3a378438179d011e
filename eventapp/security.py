"""Security headers on every response (CSP without inline scripts or styles, no framing,
no MIME sniffing, strict referrer policy, HSTS in production), a request guard against NUL
bytes, and the client's real address behind trusted proxies (TRUSTED_PROXIES)."""

from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in items) for key, items in values)


PRIVATE_PREFIX = "/r/"
# Pages with personal data: a participant's (/r/), the organisers' workspace and its API, the
# account pages (login, password reset, the second step of a login, profile, sessions and login
# history), the development outbox. Never stored by a browser or a proxy, so the back button on
# a shared computer shows nothing after logout.
NO_STORE_PREFIXES = (
    PRIVATE_PREFIX,
    "/organiser",
    "/api/",
    "/auth/",
    "/dev/",
    "/account/",
    "/login/",
)
_warned_hosts: set[str] = set()


def init_app(app) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a load balancer every request comes from its address: take the client's from
        # the last `proxies` X-Forwarded-For entries (those our proxies wrote), so rate limits
        # count per visitor; anything a client writes itself in that header is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.before_request
    def _refuse_nul_bytes():
        # Nobody types a NUL character, and PostgreSQL text cannot hold one (the query would
        # fail with a 500): a request carrying one in its path, query string, form fields or
        # uploaded file names is refused before any query runs (file contents are not concerned).
        if "\x00" in request.path or _has_nul(request.args.lists()):
            abort(400)
        if request.method not in ("GET", "HEAD") and (
            _has_nul(request.form.lists())
            or any("\x00" in (f.filename or "") for f in request.files.values())
        ):
            abort(400)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Manage links carry a secret token in the URL: never send it to another site.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith(NO_STORE_PREFIXES) and "no-store" not in headers.get(
            "Cache-Control", ""
        ):
            headers["Cache-Control"] = "private, no-store"
        if request.path.startswith(PRIVATE_PREFIX):
            # A participant's pages and files (manage, ticket, calendar, data, erasure) carry
            # their secret in the URL: never cached, never indexed.
            headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    if app.config.get("WARN_HOST_MISMATCH"):

        @app.before_request
        def _warn_on_another_host():
            # Development: links in e-mails and .ics files use BASE_URL, not the request's host.
            expected = urlsplit(app.config["BASE_URL"]).netloc
            host = request.host
            if host != expected and host not in _warned_hosts:
                _warned_hosts.add(host)
                app.logger.warning(
                    "This request came to %s but BASE_URL is %s: links in e-mails and calendar "
                    "files point to BASE_URL. Set BASE_URL (make run sets it from HOST and PORT).",
                    host,
                    app.config["BASE_URL"],
                )
