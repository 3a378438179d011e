"""The attendee list: an event's, or a tour's across the stages the actor may see; search,
filters, sort and pages in SQL (attendees/query.py)."""

from __future__ import annotations

from flask import request, session

from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Region
from eventapp.organiser.attendees.delivery import bounced_ids
from eventapp.organiser.attendees.forms import OverrideForm
from eventapp.organiser.attendees.query import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    SORTS,
    STATUS_CHOICES,
    AttendeeFilter,
    paginate,
)
from eventapp.organiser.blueprint import bp
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.questions import reading
from eventapp.questions.answers import answers_of
from eventapp.routing import int_arg, page_arg
from eventapp.services.counts import waitlist_positions

COLUMNS_KEY = "attendee_columns"


def _chosen_columns(event, specs) -> list:
    """The question columns this organiser chose for this event's list: from the form when it
    was sent (`columns` marks it), else remembered in their session."""
    remembered = session.get(COLUMNS_KEY) or {}
    if request.args.get("columns") == "1":
        wanted = set(request.args.getlist("col"))
        remembered = {**remembered, str(event.id): sorted(wanted)[:30]}
        session[COLUMNS_KEY] = dict(list(remembered.items())[-50:])
    wanted = set(remembered.get(str(event.id), []))
    return [s for s in specs if s.identifier in wanted]


def _answer_filters(specs) -> list[tuple[str, str]]:
    """The answers the list may be filtered on: each option of a choice or yes/no question."""
    out = []
    for spec in specs:
        if spec.type.name in ("choice", "multi_choice", "yes_no"):
            for option in spec.options:
                label = (
                    option.label.removesuffix(")").rsplit(" (", 1)[0]
                    if option.full
                    else option.label
                )
                out.append((f"{spec.question.id}:{option.value}", f"{spec.label} : {label}"))
    return out


@bp.get("/events/<id:event_id>/attendees")
@guard.tour(Perm.ATTENDEES_VIEW)
def attendees(event, scope):
    """The filtered list: an event's, or a tour's across the stages the actor may see."""
    flt = AttendeeFilter.from_args(request.args)
    ids = [e.id for e in scope]
    size = int_arg("per_page", DEFAULT_PAGE_SIZE)
    page = paginate(ids, flt, page_arg(), size) if ids else None
    lang = current_language()
    titles = {e.id: e.title(lang) for e in scope}
    positions = waitlist_positions(page.items) if page else {}
    specs = reading.export_specs(ids, lang, with_sensitive=True) if ids else []
    columns = _chosen_columns(event, specs)
    answers = answers_of(page.items) if page and columns else {}
    cells = {
        r.id: [reading.display(s, answers[r.id].get(s.question.id), lang) for s in columns]
        for r in (page.items if page and columns else [])
    }
    bounced = bounced_ids([r.id for r in page.items]) if page else set()
    return render_event(
        "organiser/attendees.html",
        event,
        scope=scope,
        titles=titles,
        flt=flt,
        page=page,
        positions=positions,
        bounced=bounced,
        status_choices=STATUS_CHOICES,
        sorts=SORTS,
        page_sizes=PAGE_SIZES,
        categories=ActorCategory.choices(),
        regions=Region.choices(),
        action_form=OverrideForm(),
        here=request.full_path,
        question_specs=specs,
        columns=columns,
        cells=cells,
        answer_filters=_answer_filters(specs),
    )
