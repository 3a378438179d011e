"""The privacy notice, and the participant's rights reached from their manage link (no login:
the secret token in the URL is the credential, checked by services.tokens)."""

import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db, limiter
from eventapp.i18n import current_language
from eventapp.models import Event, EventOrganiser, Organisation, Registration
from eventapp.permissions import guard
from eventapp.privacy.blueprint import bp
from eventapp.privacy.forms import EraseForm
from eventapp.public.catalogue import organisers_of_public_events, public_event_or_404
from eventapp.services import privacy as privacy_service
from eventapp.services.tokens import expires_at, valid_days

# Manage-link pages: generous for a person, useless for guessing 256-bit tokens.
MANAGE_LINK_RATE_LIMIT = "20 per minute"


def _organisers_of(event: Event) -> list[Organisation]:
    """The controllers for an event: its organisers; for a tour, also its stages' organisers;
    for a stage without organisers of its own, its tour's."""
    event_ids = [event.id]
    if event.parent_id is not None:
        event_ids.append(event.parent_id)
    if event.is_tour:
        event_ids.extend(db.session.scalars(select(Event.id).where(Event.parent_id == event.id)))
    rows = db.session.execute(
        select(Organisation, EventOrganiser.event_id)
        .join(EventOrganiser, EventOrganiser.organisation_id == Organisation.id)
        .where(EventOrganiser.event_id.in_(event_ids))
        .order_by(EventOrganiser.position, Organisation.name)
    ).all()
    own = [org for org, event_id in rows if event_id == event.id]
    if event.parent_id is not None and own:
        rows = [(org, event_id) for org, event_id in rows if event_id == event.id]
    seen, organisers = set(), []
    for org, _event_id in rows:
        if org.id not in seen:
            seen.add(org.id)
            organisers.append(org)
    return organisers


def _render_notice(event: Event | None):
    context = {
        "version": current_app.config["PRIVACY_NOTICE_VERSION"],
        "retention_months": privacy_service.retention_months(),
        "link_days": valid_days(),
        "event": event,
        "event_title": event.title(current_language()) if event else None,
        "retention_ends_on": (
            format_date(privacy_service.retention_ends_at(event), "long") if event else None
        ),
        "organisers": _organisers_of(event) if event else organisers_of_public_events(),
    }
    return render_template("privacy/notice.html", **context)


@bp.get("/privacy")
@guard.public
def notice():
    """The general notice, or an event's (?event=<slug>) naming its organisers."""
    slug = request.args.get("event", "").strip()
    return _render_notice(public_event_or_404(slug, with_organisers=False) if slug else None)


@bp.get("/events/<slug>/privacy")
@guard.public
def event_notice(slug: str):
    return _render_notice(public_event_or_404(slug, with_organisers=False))


@bp.get("/r/<token>/data.json")
@limiter.limit(MANAGE_LINK_RATE_LIMIT)
@guard.manage_link
def download_data(registration: Registration, token: str):
    """Right of access and portability: everything held about the link's holder, as JSON."""
    data = privacy_service.export_person(registration)
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="eventapp-my-data-{registration.event.slug}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/erase", methods=["GET", "POST"])
@limiter.limit(MANAGE_LINK_RATE_LIMIT)
@guard.manage_link
def erase(registration: Registration, token: str):
    """Right to erasure: GET explains and asks for confirmation, POST erases."""
    mine = privacy_service.registrations_of_person(registration)
    form = EraseForm()
    if form.validate_on_submit():
        targets = mine if form.scope.data == "all" else [registration]
        erased = privacy_service.erase(targets)
        flash(
            ngettext(
                "Your personal data has been erased from %(num)d registration.",
                "Your personal data has been erased from %(num)d registrations.",
                len(erased),
            ),
            "success",
        )
        return redirect(url_for("privacy.erased"))
    lang = current_language()
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "privacy/erase.html",
            form=form,
            token=token,
            registration=registration,
            event_title=registration.event.title(lang),
            others=[
                {"title": r.event.title(lang), "event": r.event, "status": r.status}
                for r in mine
                if r.id != registration.id
            ],
            link_expires_at=expires_at(registration),
        ),
        status,
    )


@bp.get("/privacy/erased")
@guard.public
def erased():
    return render_template("privacy/erased.html", title=_("Your data has been erased"))
