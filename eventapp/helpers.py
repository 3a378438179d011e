"""Small request helpers shared by blueprints."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, fallback_endpoint: str = "public.home") -> str:
    """Return `target` if it is a local path on this site, else the fallback URL.

    Refuses absolute URLs, scheme-relative URLs (//evil.example) and backslash tricks, so `next=`
    parameters cannot be used for open redirects.
    """
    if target:
        target = target.strip()
        parts = urlsplit(target)
        if (
            target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and not parts.scheme
            and not parts.netloc
            and not any(ord(ch) < 32 for ch in target)
        ):
            return target
    return url_for(fallback_endpoint)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on the configured BASE_URL, for e-mails and calendar files.

    Never built from the request's Host header, so a forged Host cannot plant a foreign domain
    in a participant's manage link.
    """
    from flask import current_app

    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, url_scheme=base.scheme or "https", script_name=base.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)
