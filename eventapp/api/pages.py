"""The organisation's API settings: its tokens (made by a member for the organisation, the
secret shown once) and its webhook endpoints (the secret shown once, the delivery log, "send
a test event", "send again"). Guarded by Perm.ORG_API (owners and managers)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventapp.api.forms import ButtonForm, EndpointForm, TokenForm
from eventapp.extensions import db
from eventapp.models import ApiToken, WebhookDelivery, WebhookEndpoint, utcnow
from eventapp.organiser.forms import choices
from eventapp.permissions import Perm, guard
from eventapp.problems import keep_form
from eventapp.services.api import delivery, tokens, webhooks

bp = Blueprint("api_settings", __name__, url_prefix="/organiser/organisations/<id:org_id>")


def _token_page(organisation, form=None, secret=None, status=200):
    form = form or TokenForm()
    form.events.choices = choices(
        (e.id, f"{e.title_fr} ({e.starts_at:%d/%m/%Y})")
        for e in tokens.token_events(organisation, current_user)
    )
    if form.expires_on.data is None:
        form.expires_on.data = (utcnow() + timedelta(days=90)).date()
    return render_template(
        "api/tokens.html",
        organisation=organisation,
        tokens=tokens.tokens_of(organisation),
        form=form,
        secret=secret,
        button=ButtonForm(),
        scope_labels={name: label for name, (_perms, label) in tokens.SCOPES.items()},
        now=utcnow(),
    ), status


@bp.route("/api-tokens", methods=["GET", "POST"])
@guard.organisation(Perm.ORG_API)
def token_list(organisation):
    form = TokenForm()
    form.events.choices = choices(
        (e.id, "") for e in tokens.token_events(organisation, current_user)
    )
    if form.validate_on_submit():
        with keep_form(form, lambda status: _token_page(organisation, form, status=status)):
            token, secret = tokens.create_token(
                organisation,
                current_user,
                name=form.name.data,
                scopes=form.scopes.data,
                expires_on=form.expires_on.data,
                event_ids=form.events.data or None,
            )
        flash(_("The token “%(name)s” was created.", name=token.name), "success")
        return _token_page(organisation, secret=secret)
    return _token_page(organisation, form, status=400 if form.is_submitted() else 200)


@bp.post("/api-tokens/<id:api_key_id>/revoke")
@guard.organisation(Perm.ORG_API)
def token_revoke(organisation, api_key_id):
    token = db.session.get(ApiToken, api_key_id)
    if (
        token is None
        or token.organisation_id != organisation.id
        or not ButtonForm().validate_on_submit()
    ):
        abort(404)
    tokens.revoke(token, user=current_user)
    flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("api_settings.token_list", org_id=organisation.id))


def _endpoint_or_404(organisation, endpoint_id) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id != organisation.id:
        abort(404)
    return endpoint


def _webhooks_page(organisation, form=None, secret=None, status=200):
    endpoints = db.session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.organisation_id == organisation.id)
        .order_by(WebhookEndpoint.id)
    ).all()
    return render_template(
        "api/webhooks.html",
        organisation=organisation,
        endpoints=endpoints,
        form=form or EndpointForm(),
        secret=secret,
        labels=webhooks.EVENT_TYPES,
    ), status


@bp.route("/webhooks", methods=["GET", "POST"])
@guard.organisation(Perm.ORG_API)
def webhook_list(organisation):
    form = EndpointForm()
    if form.validate_on_submit():
        with keep_form(form, lambda status: _webhooks_page(organisation, form, status=status)):
            _endpoint, secret = webhooks.create_endpoint(
                organisation,
                url=form.url.data,
                event_types=form.event_types.data,
                user=current_user,
            )
        flash(_("The endpoint was added."), "success")
        return _webhooks_page(organisation, secret=secret)
    return _webhooks_page(organisation, form, status=400 if form.is_submitted() else 200)


@bp.get("/webhooks/<id:endpoint_id>")
@guard.organisation(Perm.ORG_API)
def webhook_log(organisation, endpoint_id):
    endpoint = _endpoint_or_404(organisation, endpoint_id)
    return render_template(
        "api/webhook_log.html",
        organisation=organisation,
        endpoint=endpoint,
        deliveries=delivery.deliveries_of(endpoint),
        labels={**webhooks.EVENT_TYPES, webhooks.TEST_TYPE: _("Test event")},
        button=ButtonForm(),
    )


def _button_or_404() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


@bp.post("/webhooks/<id:endpoint_id>/test")
@guard.organisation(Perm.ORG_API)
def webhook_test(organisation, endpoint_id):
    endpoint = _endpoint_or_404(organisation, endpoint_id)
    _button_or_404()
    webhooks.send_test(endpoint)
    webhooks.publish_pending()
    flash(_("A test event is on its way: see the log below."), "success")
    return redirect(
        url_for("api_settings.webhook_log", org_id=organisation.id, endpoint_id=endpoint.id)
    )


@bp.post("/webhooks/<id:endpoint_id>/toggle")
@guard.organisation(Perm.ORG_API)
def webhook_toggle(organisation, endpoint_id):
    endpoint = _endpoint_or_404(organisation, endpoint_id)
    _button_or_404()
    webhooks.set_active(endpoint, not endpoint.active, user=current_user)
    flash(_("The endpoint is on.") if endpoint.active else _("The endpoint is off."), "success")
    return redirect(
        url_for("api_settings.webhook_log", org_id=organisation.id, endpoint_id=endpoint.id)
    )


@bp.post("/webhooks/<id:endpoint_id>/delete")
@guard.organisation(Perm.ORG_API)
def webhook_delete(organisation, endpoint_id):
    endpoint = _endpoint_or_404(organisation, endpoint_id)
    _button_or_404()
    webhooks.delete_endpoint(endpoint, user=current_user)
    flash(_("The endpoint was deleted."), "success")
    return redirect(url_for("api_settings.webhook_list", org_id=organisation.id))


@bp.post("/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/again")
@guard.organisation(Perm.ORG_API)
def webhook_again(organisation, endpoint_id, delivery_id):
    endpoint = _endpoint_or_404(organisation, endpoint_id)
    _button_or_404()
    sent = db.session.get(WebhookDelivery, delivery_id)
    if sent is None or sent.endpoint_id != endpoint.id:
        abort(404)
    webhooks.send_again(sent)
    webhooks.publish_pending()
    flash(_("The delivery will be sent again."), "success")
    return redirect(
        url_for("api_settings.webhook_log", org_id=organisation.id, endpoint_id=endpoint.id)
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
