"""The organiser's form builder (/organiser/events/<id>/questions): the event's (or tour's)
questions in order, add, edit, move up/down (buttons, no JavaScript needed), delete (asks first
when there are answers), copy another event's form, preview as a participant. Views never
commit: the request does."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import Answer, Event, Question
from eventapp.organiser.forms import ActionForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, accessible_events_clause, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.questions import building
from eventapp.questions import fields as field_model
from eventapp.questions.blueprint import bp
from eventapp.questions.builder_forms import CopyForm, DeleteQuestionForm, QuestionForm
from eventapp.questions.forms import build
from eventapp.questions.types import TYPES


def _question_of(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


def _list_url(event: Event) -> str:
    return url_for("questions.questions", event_id=event.id)


def _copy_form(event: Event) -> CopyForm:
    sources = db.session.scalars(
        select(Event)
        .where(
            accessible_events_clause(current_user, Perm.EVENT_SETTINGS),
            Event.id != event.id,
            select(Question.id).where(Question.event_id == Event.id).exists(),
        )
        .order_by(Event.starts_at.desc())
        .limit(200)
    ).all()
    form = CopyForm()
    lang = current_language()
    form.source.choices = [SelectChoice(e.id, e.title(lang)) for e in sources]
    return form


@bp.get("/organiser/events/<id:event_id>/questions")
@guard.event(Perm.EVENT_SETTINGS)
def questions(event):
    rows = field_model.questions_of([event.id])
    counts = dict(
        db.session.execute(
            select(Answer.question_id, db.func.count())
            .where(Answer.question_id.in_([q.id for q in rows]))
            .group_by(Answer.question_id)
        ).all()
    )
    return render_event(
        "questions/list.html",
        event,
        questions=rows,
        answer_counts=counts,
        types=TYPES,
        action_form=ActionForm(),
        copy_form=_copy_form(event),
        current_tab="questions.questions",
    )


def _form_page(event, form, question=None, status=200):
    return render_event(
        "questions/form.html",
        event,
        status=status,
        form=form,
        question=question,
        current_tab="questions.questions",
    )


@bp.route("/organiser/events/<id:event_id>/questions/new", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def question_new(event):
    form = QuestionForm(parents=building.condition_parents(event))
    if request.method == "GET" and request.args.get("kind") in TYPES:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        with keep_form(form, lambda status: _form_page(event, form, status=status)):
            building.create(event, form.data_for_service(), form.parsed_options, user=current_user)
        flash(_("The question is added."), "success")
        return redirect(_list_url(event))
    return _form_page(event, form, status=400 if form.is_submitted() else 200)


@bp.route(
    "/organiser/events/<id:event_id>/questions/<id:question_id>/edit", methods=["GET", "POST"]
)
@guard.event(Perm.EVENT_SETTINGS)
def question_edit(event, question_id: int):
    question = _question_of(event, question_id)
    form = QuestionForm(
        obj=question if request.method == "GET" else None,
        parents=building.condition_parents(event, question),
        question=question,
    )
    if form.validate_on_submit():
        with keep_form(form, lambda status: _form_page(event, form, question, status)):
            building.update(
                question, form.data_for_service(), form.parsed_options, user=current_user
            )
        flash(_("The question is saved."), "success")
        return redirect(_list_url(event))
    return _form_page(event, form, question, 400 if form.is_submitted() else 200)


@bp.post("/organiser/events/<id:event_id>/questions/<id:question_id>/move")
@guard.event(Perm.EVENT_SETTINGS)
def question_move(event, question_id: int):
    question = _question_of(event, question_id)
    form = ActionForm()
    if form.validate_on_submit():
        direction = -1 if request.form.get("direction") == "up" else 1
        with flash_and_redirect(_list_url(event)):
            building.move(question, direction, user=current_user)
    return redirect(_list_url(event) + f"#question-{question.id}")


@bp.route(
    "/organiser/events/<id:event_id>/questions/<id:question_id>/delete", methods=["GET", "POST"]
)
@guard.event(Perm.EVENT_SETTINGS)
def question_delete(event, question_id: int):
    question = _question_of(event, question_id)
    form = DeleteQuestionForm()
    answers = building.answer_count(question)

    def page(status):
        return render_event(
            "questions/delete.html",
            event,
            status=status,
            form=form,
            question=question,
            answers=answers,
            current_tab="questions.questions",
        )

    if form.validate_on_submit():
        with keep_form(form, page):
            building.delete(question, user=current_user, confirm=bool(form.confirm.data))
        flash(_("The question is deleted."), "success")
        return redirect(_list_url(event))
    return page(400 if form.is_submitted() else 200)


@bp.post("/organiser/events/<id:event_id>/questions/copy")
@guard.event(Perm.EVENT_SETTINGS)
def questions_copy(event):
    form = _copy_form(event)
    if not form.validate_on_submit():
        flash(_("Choose an event to copy the questions of."), "error")
        return redirect(_list_url(event))
    source = guard.event_or_404(current_user, Perm.EVENT_SETTINGS, form.source.data)
    count = building.copy(source, event, user=current_user)
    flash(_("%(num)s questions copied.", num=count), "success")
    return redirect(_list_url(event))


@bp.get("/organiser/events/<id:event_id>/questions/preview")
@guard.event(Perm.EVENT_SETTINGS)
def questions_preview(event):
    """The participant's form as they will see it (nothing can be sent from here)."""
    lang = current_language()
    if event.is_tour:
        specs = field_model.question_specs([], lang, tour=event)
    else:
        specs = field_model.question_specs([event], lang)
    form = build(ActionForm, field_model.person_specs(lang) + specs)(formdata=None)
    return render_event(
        "questions/preview.html", event, form=form, current_tab="questions.questions"
    )
