"""Development only: the e-mails the app queued, readable in the browser, so a new user can
follow the manage link of a registration without a mail server. 404 outside development
(DEV_OUTBOX_PAGE is only on in DevelopmentConfig); a signed-in administrator only, since it
shows every manage link (issue 20, point 16)."""

import re

from flask import abort, current_app, render_template
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import OutboxMessage
from eventapp.permissions import guard
from eventapp.registration.blueprint import bp

URL = re.compile(r"(https?://[^\s<>\"']+)")


def _segments(text: str) -> list[tuple[str, bool]]:
    """The body split into (text, is_link) pieces, rendered escaped by the template."""
    parts = URL.split(text or "")
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]


@bp.get("/dev/outbox")
@guard.admin  # every manage link is on it: administrators only, even in development
def dev_outbox():
    if not current_app.config.get("DEV_OUTBOX_PAGE"):
        abort(404)
    messages = list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(30))
    )
    return render_template(
        "registration/dev_outbox.html",
        messages=[(m, _segments(m.body_text)) for m in messages],
    )
