"""Organisation pages: the administrators' list and creation, the profile (owners and managers,
administrators), members and invitations, the per-event team (co-organisers), the public
organisation page and the invitation link.

The views never commit: the request does, after an answer below 400 (DEVELOPERS.md)."""

from __future__ import annotations

from flask import (
    Flask,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventapp.account.views import sign_in
from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import (
    Event,
    EventGrant,
    EventOrganiser,
    EventStatus,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganiserRole,
    User,
    utcnow,
)
from eventapp.organisations import services
from eventapp.organisations.blueprint import bp
from eventapp.organisations.forms import (
    AcceptNewAccountForm,
    ActionForm,
    GrantForm,
    InvitationForm,
    OrganisationForm,
    RoleForm,
)
from eventapp.organiser.forms import choices
from eventapp.permissions import Perm, guard, organisation_ids
from eventapp.permissions.rules import organisations_clause
from eventapp.problems import flash_and_redirect, keep_form


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _me() -> User:
    return current_user._get_current_object()


# --- administrators ---------------------------------------------------------------------------


@bp.get("/admin/organisations")
@guard.admin
def admin_list():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("organisations/admin_list.html", organisations=orgs)


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@guard.admin
def admin_new():
    form = OrganisationForm()
    invite = InvitationForm(prefix="owner", meta={"csrf": False})  # the main form checks it
    del invite.role, invite.valid_from, invite.valid_until

    def page(status=200):
        return render_template(
            "organisations/profile.html", form=form, owner_form=invite, organisation=None
        ), status

    if form.validate_on_submit() and invite.validate():
        with keep_form(form, page):
            org = services.create_organisation(form.to_data(), user=_me())
            services.invite(org, invite.email.data, MembershipRole.OWNER, user=_me())
        flash(_("The organisation has been created and its first owner invited."), "success")
        return redirect(url_for("organisations.members", org_id=org.id))
    return page(400 if form.is_submitted() else 200)


# --- the profile ------------------------------------------------------------------------------


@bp.route("/organiser/organisations/<id:org_id>/profile", methods=["GET", "POST"])
@guard.organisation(Perm.ORG_PROFILE)
def profile(organisation):
    form = OrganisationForm()
    if not form.is_submitted():
        form.fill_from(organisation)

    def page(status=200):
        return render_template(
            "organisations/profile.html", form=form, owner_form=None, organisation=organisation
        ), status

    if form.validate_on_submit():
        data = form.to_data()
        if Perm.ORG_MEMBERS not in _org_perms(organisation):
            data.pop("require_2fa")  # who sets the members' rules: the owners
        with keep_form(form, page):
            services.update_organisation(organisation, data, user=_me())
        flash(_("The organisation's profile has been saved."), "success")
        return redirect(url_for("organisations.profile", org_id=organisation.id))
    return page(400 if form.is_submitted() else 200)


def _org_perms(organisation: Organisation) -> set[Perm]:
    return {
        perm
        for perm in (Perm.ORG_MEMBERS, Perm.ORG_PROFILE, Perm.ORG_VIEW, Perm.ORG_API)
        if organisation.id in organisation_ids(_me(), perm) or _me().is_admin
    }


# --- my organisations, members and invitations -----------------------------------------------


@bp.get("/organiser/organisations")
@guard.signed_in
def mine():
    orgs = db.session.scalars(
        select(Organisation)
        .where(organisations_clause(_me(), Perm.ORG_VIEW, Perm.ORG_PROFILE))
        .order_by(Organisation.name)
    ).all()
    return render_template("organisations/mine.html", organisations=orgs)


@bp.get("/organiser/organisations/<id:org_id>/members")
@guard.organisation(Perm.ORG_VIEW)
def members(organisation):
    return _members_page(organisation)


def _members_page(organisation, invite_form=None, status=200):
    rows = db.session.scalars(
        select(Membership)
        .options(selectinload(Membership.user))
        .where(Membership.organisation_id == organisation.id)
        .join(User)
        .order_by(User.name)
    ).all()
    invitations = [
        invitation
        for invitation in db.session.scalars(
            select(Invitation)
            .where(Invitation.organisation_id == organisation.id)
            .order_by(Invitation.created_at.desc())
        )
        if invitation.accepted_at is None and invitation.revoked_at is None
    ]
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        members=rows,
        invitations=invitations,
        now=utcnow(),
        can_manage=Perm.ORG_MEMBERS in _org_perms(organisation),
        can_use_api=Perm.ORG_API in _org_perms(organisation),
        invite_form=invite_form or InvitationForm(),
        role_form=RoleForm(),
        action_form=ActionForm(),
        grant_days=grant_days,
    ), status


@bp.post("/organiser/organisations/<id:org_id>/invitations")
@guard.organisation(Perm.ORG_MEMBERS)
def invite(organisation):
    form = InvitationForm()

    def page(status=200):
        return _members_page(organisation, invite_form=form, status=status)

    if not form.validate_on_submit():
        return page(422)
    with keep_form(form, page):
        services.invite(
            organisation,
            form.email.data,
            form.role.data,
            user=_me(),
            valid_from=form.valid_from.data,
            valid_until=form.valid_until.data,
        )
    flash(_("The invitation has been sent."), "success")
    return redirect(url_for("organisations.members", org_id=organisation.id))


def _invitation_of(organisation: Organisation, invitation_id: int) -> Invitation:
    found = db.session.get(Invitation, invitation_id)
    if found is None or found.organisation_id != organisation.id:
        abort(404)
    return found


def _membership_of(organisation: Organisation, member_id: int) -> Membership:
    found = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == member_id
        )
    )
    if found is None:
        abort(404)
    return found


@bp.post("/organiser/organisations/<id:org_id>/invitations/<id:invitation_id>/resend")
@guard.organisation(Perm.ORG_MEMBERS)
def resend(organisation, invitation_id):
    back = url_for("organisations.members", org_id=organisation.id)
    invitation = _invitation_of(organisation, invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with flash_and_redirect(back):
        services.resend(invitation, user=_me())
    flash(_("A new invitation link has been sent."), "success")
    return redirect(back)


@bp.post("/organiser/organisations/<id:org_id>/invitations/<id:invitation_id>/revoke")
@guard.organisation(Perm.ORG_MEMBERS)
def revoke(organisation, invitation_id):
    back = url_for("organisations.members", org_id=organisation.id)
    invitation = _invitation_of(organisation, invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with flash_and_redirect(back):
        services.revoke(invitation, user=_me())
    flash(_("The invitation has been revoked: its link no longer works."), "success")
    return redirect(back)


@bp.post("/organiser/organisations/<id:org_id>/members/<id:member_id>/role")
@guard.organisation(Perm.ORG_MEMBERS)
def change_role(organisation, member_id):
    back = url_for("organisations.members", org_id=organisation.id)
    membership = _membership_of(organisation, member_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        services.change_role(membership, form.role.data, user=_me())
    flash(_("The role has been changed; their sessions have ended."), "success")
    return redirect(back)


@bp.post("/organiser/organisations/<id:org_id>/members/<id:member_id>/remove")
@guard.organisation(Perm.ORG_MEMBERS)
def remove(organisation, member_id):
    back = url_for("organisations.members", org_id=organisation.id)
    membership = _membership_of(organisation, member_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    leaving = membership.user_id == _me().id
    with flash_and_redirect(back):
        services.remove_member(membership, user=_me())
    if leaving:
        return redirect(url_for("auth.login"))
    flash(_("The member has been removed; their sessions have ended."), "success")
    return redirect(back)


# --- an event's team (co-organisers) ----------------------------------------------------------


grant_days = services.grant_days


def _lead_of(event: Event) -> Organisation | None:
    return db.session.scalar(
        select(Organisation)
        .join(EventOrganiser)
        .where(
            EventOrganiser.event_id.in_([event.id, event.parent_id or event.id]),
            EventOrganiser.role == OrganiserRole.LEAD,
        )
        .order_by(EventOrganiser.event_id == event.id)
    )


@bp.route("/organiser/events/<id:event_id>/team", methods=["GET", "POST"])
@guard.event(Perm.EVENT_TEAM)
def event_team(event):
    from eventapp.organiser.navigation import render_event

    form = GrantForm()
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices([("", "—"), *((str(o.id), o.name) for o in orgs)])

    def page(status=200):
        grants = db.session.scalars(
            select(EventGrant)
            .options(selectinload(EventGrant.organisation), selectinload(EventGrant.user))
            .where(EventGrant.event_id == event.id)
            .order_by(EventGrant.created_at)
        ).all()
        return render_event(
            "organisations/event_team.html",
            event,
            status=status,
            form=form,
            grants=grants,
            action_form=ActionForm(),
            grant_days=grant_days,
            current_tab="organisations.event_team",
        )

    if form.is_submitted():
        if not form.validate():
            return page(422)
        org = db.session.get(Organisation, int(form.organisation_id.data or 0) or -1)
        with keep_form(form, page):
            if org is None and request.form.get("invite") and form.email.data:
                lead = _lead_of(event)
                if lead is None:
                    abort(404)
                services.invite(
                    lead,
                    form.email.data,
                    form.role.data,
                    user=_me(),
                    event=event,
                    valid_from=form.valid_from.data,
                    valid_until=form.valid_until.data,
                )
                flash(_("The invitation has been sent."), "success")
            else:
                services.grant(
                    event,
                    form.role.data,
                    user=_me(),
                    organisation=org,
                    email=form.email.data,
                    valid_from=form.valid_from.data,
                    valid_until=form.valid_until.data,
                )
                flash(_("The role has been given on this event."), "success")
        return redirect(url_for("organisations.event_team", event_id=event.id))
    return page()


@bp.post("/organiser/events/<id:event_id>/team/<id:grant_id>/remove")
@guard.event(Perm.EVENT_TEAM)
def event_team_remove(event, grant_id):
    found = db.session.get(EventGrant, grant_id)
    if found is None or found.event_id != event.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.remove_grant(found, user=_me())
    flash(_("The role on this event has been removed."), "success")
    return redirect(url_for("organisations.event_team", event_id=event.id))


# --- public -----------------------------------------------------------------------------------


def _public_org(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    return org


@bp.get("/o/<slug>")
@guard.public
def public_page(slug):
    org = _public_org(slug)
    events = db.session.scalars(
        select(Event)
        .join(EventOrganiser, EventOrganiser.event_id == Event.id)
        .where(
            EventOrganiser.organisation_id == org.id,
            Event.status == EventStatus.PUBLISHED,
            Event.ends_at >= utcnow(),
        )
        .order_by(Event.starts_at)
        .limit(50)
    ).all()
    return render_template(
        "organisations/public.html", organisation=org, events=events, lang=current_language()
    )


@bp.get("/o/<slug>/logo.png")
@guard.public
def logo(slug):
    org = _public_org(slug)
    data = db.session.scalar(select(Organisation.logo_png).where(Organisation.id == org.id))
    if not data:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@guard.public  # the token is the credential, checked by services.invitation_for_token
def invitation(token):
    found = services.invitation_for_token(token)
    if found is None:
        return render_template("organisations/invitation_invalid.html"), 410
    account_exists = db.session.scalar(select(User.id).where(User.email == found.email))
    form = AcceptNewAccountForm()
    join = ActionForm()

    def page(status=200):
        return render_template(
            "organisations/invitation.html",
            invitation=found,
            form=form,
            join_form=join,
            account_exists=bool(account_exists),
            grant_days=grant_days,
        ), status

    if request.method == "POST":
        signed_in = current_user.is_authenticated
        if signed_in and join.validate_on_submit():
            with keep_form(join, page):
                services.accept(found, user=_me())
            flash(_("Welcome to %(org)s.", org=found.organisation.name), "success")
            # Where the work is: check-in staff land on today's desk.
            return redirect(url_for("account.landing"))
        if not signed_in and not account_exists and form.validate_on_submit():
            with keep_form(form, page):
                user = services.accept(found, name=form.name.data, password=form.password.data)
            sign_in(user)
            flash(_("Welcome to %(org)s.", org=found.organisation.name), "success")
            # Where the work is: check-in staff land on today's desk.
            return redirect(url_for("account.landing"))
        return page(422)
    return page()
