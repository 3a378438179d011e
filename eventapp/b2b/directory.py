"""The sector directory's pages (issue 18): the public list (filters, counts per region on the
France map) and each organisation's page; the organisation's own entry, edited by one of its
people under their manage link; the organisers' curation (hide, feature)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.b2b.blueprint import bp
from eventapp.b2b.forms import DirectoryEntryForm
from eventapp.b2b.participant import _me, _render
from eventapp.extensions import db, limiter
from eventapp.i18n import current_language
from eventapp.models import DirectoryEntry, Region, Registration, Sector
from eventapp.organiser.forms import ActionForm
from eventapp.permissions import Perm, guard
from eventapp.public import francemap
from eventapp.routing import int_arg, page_arg
from eventapp.services.b2b import directory
from eventapp.services.b2b.directory import EntryData, Filters

MAX_SLUG = 120


def _filters(members: directory.Memberships) -> Filters:
    args = request.args
    pole = int_arg("pole", None, minimum=1)
    return Filters(
        text=(args.get("q") or "")[:100],
        sector=args.get("sector", "") if args.get("sector") in set(Sector) else "",
        region=args.get("region", "") if args.get("region") in set(Region) else "",
        pole=pole if pole in members.poles else None,
    )


@bp.get("/directory")
@guard.public
def directory_list():
    """The organisations that chose to be listed, filtered; their count per region on the map
    (a region links to the list filtered on it)."""
    members = directory.memberships()
    filters = _filters(members)
    found = directory.browse(filters, page_arg(), members)
    tags = directory.tags_of([e.organisation_key for e in found.items])
    counts = directory.region_counts(filters, members)
    return render_template(
        "b2b/directory/list.html",
        title=_("Directory of the bioproduction sector"),
        filters=filters,
        found=found,
        tags=tags,
        members={e.id: members.of(e) for e in found.items},
        poles=directory.poles_with_members(members),
        the_map=francemap.count_map(counts),
        counts=counts,
        sectors=Sector,
        regions=Region,
        top=directory.TOP_TAGS,
    )


@bp.get("/directory/<slug>")
@guard.public
def directory_entry(slug: str):
    """An organisation: what it does, what its people offer and seek (tags and how many of
    them), its pole and cluster memberships and the events to come where they meet."""
    if len(slug) > MAX_SLUG:
        abort(404)
    entry = directory.public_entry_or_none(slug)
    if entry is None:
        abort(404)
    tags = directory.tags_of([entry.organisation_key]).get(entry.organisation_key)
    return render_template(
        "b2b/directory/entry.html",
        title=entry.name,
        entry=entry,
        tags=tags,
        poles=directory.memberships().of(entry),
        events=directory.upcoming_events(entry),
        lang=current_language(),
    )


def _rate():
    return current_app.config["MANAGE_RATE_LIMIT"]


@bp.route("/r/<token>/b2b/directory", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
@guard.manage_link
def own_entry(registration: Registration, token: str):
    """The entry of the organisation of the participant's profile: listed or not, its family,
    region, web site and description."""
    participant = _me(registration, token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    profile = participant.profile
    entry = directory.entry_of(profile)
    form = DirectoryEntryForm()
    if request.method == "GET":
        form.process(obj=entry or directory.draft_of(profile))

    def page(status):
        return _render(
            "b2b/directory/own.html",
            registration,
            status,
            participant=participant,
            form=form,
            entry=entry,
        )

    if request.method == "POST":
        if not form.validate():
            return page(400)
        directory.save_own(
            profile,
            EntryData(
                sector=form.sector.data,
                region=form.region.data or None,
                website=form.website.data or "",
                description=form.description.data or "",
                listed=bool(form.listed.data),
            ),
        )
        flash(_("Your organisation's entry is saved."), "success")
        return redirect(url_for("b2b.own_entry", token=token))
    return page(200)


@bp.get("/organiser/directory")
@guard.organisations(Perm.ORG_PROFILE)
def curation(organisations):
    """Every entry of the directory, for the organisers of the poles and clusters."""
    state = request.args.get("state", "")
    state = state if state in directory.STATES else ""
    text = (request.args.get("q") or "")[:100]
    found = directory.curation_page(text, state, page_arg())
    return render_template(
        "b2b/directory/curation.html",
        title=_("Sector directory"),
        found=found,
        state=state,
        text=text,
        query={k: v for k, v in (("q", text), ("state", state)) if v},
        action_form=ActionForm(),
    )


@bp.post("/organiser/directory/<id:entry_id>/<any(hide, show, feature, unfeature):how>")
@guard.organisations(Perm.ORG_PROFILE)
def curate(organisations, entry_id: int, how: str):
    entry = db.get_or_404(DirectoryEntry, entry_id)
    back = url_for("b2b.curation", **_back_args())
    if ActionForm().validate():
        directory.curate(entry, how, user=current_user)
        flash(_("The directory is updated."), "success")
    return redirect(back)


def _back_args() -> dict:
    """The list's filters and page, carried by the action forms."""
    state = request.form.get("state", "")
    return {
        k: v
        for k, v in (
            ("q", (request.form.get("q") or "")[:100]),
            ("state", state if state in directory.STATES else ""),
            ("page", page_arg(args=request.form)),
        )
        if v and v != 1
    }
