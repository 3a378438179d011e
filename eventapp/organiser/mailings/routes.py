"""Messages to attendees: write to the filtered list, preview, send through the outbox; the log
of what was sent to whom."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.i18n import current_language, localdatetime
from eventapp.models import Mailing, OutboxMessage, Registration, User
from eventapp.organiser.attendees.query import STATUS_CHOICES, AttendeeFilter, registrations_query
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import ActionForm
from eventapp.organiser.mailings.forms import MailingForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.routing import page_arg
from eventapp.services import mailing_attachments, messaging

LOG_PAGE = 100


def _filter_from_request() -> AttendeeFilter:
    source = request.form if request.method == "POST" else request.args
    return AttendeeFilter.from_args(source)


@bp.route("/events/<id:event_id>/mailings/new", methods=["GET", "POST"])
@guard.event(Perm.MAILINGS)
def mailing_new(event):
    if event.is_tour:
        abort(404)
    flt = _filter_from_request()
    query = registrations_query([event.id], flt)
    count = messaging.count_recipients(query)
    form = MailingForm()
    step = request.form.get("step", "write")
    attachment = mailing_attachments.for_event(event, form.kept_attachment_id())

    def write_page(status=200):
        return render_event(
            "organiser/mailing_form.html",
            event,
            status=status,
            form=form,
            flt=flt,
            count=count,
            attachment=attachment,
            max_mb=mailing_attachments.max_bytes() // (1024 * 1024),
            status_label=STATUS_CHOICES[flt.status],
            placeholders=messaging.placeholder_help(),
            current_tab="organiser.mailings",
        )

    if step != "edit" and form.validate_on_submit():
        upload = form.attachment.data
        if upload and upload.filename:  # a new file replaces the one kept
            attachment = mailing_attachments.store(
                event, current_user, upload.filename, upload.read()
            )
        form.attachment_id.data = str(attachment.id) if attachment else ""
        send_at = form.send_at_utc()
        if step == "send" and count:
            with keep_form(form, write_page):
                result = messaging.send_mailing(
                    event,
                    query,
                    subject=form.subject.data,
                    body=form.body.data,
                    filters=flt.to_args(),
                    log_filters=flt.for_log(),
                    user=current_user,
                    attachment=attachment,
                    send_at=send_at,
                )
            if send_at:
                flash(
                    _(
                        "Your message is scheduled for %(when)s. It will go to the people the "
                        "list shows then; you can cancel it until then.",
                        when=localdatetime(send_at, "short"),
                    ),
                    "success",
                )
            else:
                flash(
                    ngettext(
                        "Your message is being sent to %(num)s person.",
                        "Your message is being sent to %(num)s people.",
                        result.queued,
                    ),
                    "success",
                )
            return redirect(
                url_for("organiser.mailing", event_id=event.id, mailing_id=result.mailing.id)
            )
        sample = messaging.first_recipient(query)
        if step == "test":  # the message as the first recipient will get it, to the organiser
            messaging.send_test(
                event,
                current_user,
                sample,
                subject=form.subject.data,
                body=form.body.data,
                attachment=attachment,
            )
            flash(_("A test was sent to %(email)s.", email=current_user.email), "success")
        preview = (
            messaging.render_message(event, sample, form.subject.data, form.body.data)
            if sample
            else None
        )
        return render_event(
            "organiser/mailing_preview.html",
            event,
            form=form,
            flt=flt,
            count=count,
            sample=sample,
            preview=preview,
            attachment=attachment,
            send_at=send_at,
            status_label=STATUS_CHOICES[flt.status],
            current_tab="organiser.mailings",
        )
    if attachment is not None:
        form.attachment_id.data = str(attachment.id)
    return write_page(400 if form.is_submitted() and step != "edit" else 200)


@bp.post("/events/<id:event_id>/mailings/<id:mailing_id>/cancel")
@guard.event(Perm.MAILINGS)
def mailing_cancel(event, mailing_id: int):
    """Cancel a scheduled mailing (refused, with a message, once it has gone out)."""
    back = url_for("organiser.mailing", event_id=event.id, mailing_id=mailing_id)
    item = db.session.get(Mailing, mailing_id)
    if item is None or item.event_id != event.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with flash_and_redirect(back):
        messaging.cancel_scheduled(event, mailing_id, current_user)
    flash(_("The scheduled message is cancelled: nobody will receive it."), "success")
    return redirect(back)


@bp.get("/events/<id:event_id>/mailings")
@guard.event(Perm.MAILINGS)
def mailings(event):
    rows = db.session.execute(
        select(Mailing, User.name)
        .outerjoin(User, User.id == Mailing.created_by_id)
        .where(Mailing.event_id == event.id)
        .order_by(Mailing.created_at.desc(), Mailing.id.desc())
    ).all()
    delivery = messaging.delivery_counts([mailing.id for mailing, _name in rows])
    return render_event(
        "organiser/mailings.html", event, rows=rows, delivery=delivery, lang=current_language()
    )


@bp.get("/events/<id:event_id>/mailings/<id:mailing_id>")
@guard.event(Perm.MAILINGS)
def mailing(event, mailing_id: int):
    """A message and who received it (delivery status per person)."""
    item = db.session.get(Mailing, mailing_id)
    if item is None or item.event_id != event.id:
        abort(404)
    author = db.session.get(User, item.created_by_id) if item.created_by_id else None
    total = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.mailing_id == item.id)
    )
    pages = max((total + LOG_PAGE - 1) // LOG_PAGE, 1)
    page = page_arg(pages=pages)
    recipients = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.status,
            OutboxMessage.sent_at,
            OutboxMessage.last_error,
            Registration.id.label("registration_id"),
            Registration.first_name,
            Registration.last_name,
        )
        .outerjoin(Registration, Registration.id == OutboxMessage.registration_id)
        .where(OutboxMessage.mailing_id == item.id)
        .order_by(Registration.last_name, Registration.first_name, OutboxMessage.id)
        .limit(LOG_PAGE)
        .offset((page - 1) * LOG_PAGE)
    ).all()
    delivery = messaging.delivery_counts([item.id])[item.id]
    return render_event(
        "organiser/mailing.html",
        event,
        mailing=item,
        author=author,
        recipients=recipients,
        delivery=delivery,
        page=page,
        pages=pages,
        total=total,
        filter_args=AttendeeFilter.from_dict(item.filters or {}),
        status_choices=STATUS_CHOICES,
        cancel_form=ActionForm(),
        current_tab="organiser.mailings",
    )
