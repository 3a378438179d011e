"""CSRF: every POST route of app.url_map, on an app with CSRF protection on (as in production),
refuses a request without the form's token (400, or the form shown again with a message) and
changes nothing; the same request with the session's token goes through (so the refusal really
is the token check and not a bad body). The desk's JSON calls need the X-CSRFToken header.

A POST route added later without an entry below fails `test_every_post_route_is_covered`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.extensions import limiter
from eventapp.models import ImportUpload, Mailing, utcnow
from eventapp.services import accounts
from tests import factories
from tests.support.apps import DbAwareClient, make_config

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')
PASSWORD = factories.DEFAULT_PASSWORD


@pytest.fixture(scope="module")
def secured(app, database_url):
    """The app with CSRF protection on, on the test database."""
    enabled = limiter.enabled
    other = create_app(make_config(database_url, WTF_CSRF_ENABLED=True))
    other.test_client_class = DbAwareClient
    yield other
    limiter.enabled = enabled
    with other.app_context():
        _db.engine.dispose()


def token_of(client, url="/auth/login") -> str:
    match = TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, url
    return match.group(1) or match.group(2)


def log_in(client, user) -> None:
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token_of(client)},
    )
    assert response.status_code == 302


def snapshot(db) -> dict:
    """Every row of every table (the test database is small)."""
    db.session.rollback()
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def world(db, factory):
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    event = factory.event(organisers=[org], capacity=1)
    confirmed = factory.registration(event, status="confirmed")
    waiting = factory.registration(event, status="waitlisted")
    cancelled = factory.registration(event, status="cancelled")
    tour = factory.event(organisers=[org], kind="tour", capacity=None)
    booked_tour = factory.event(organisers=[org], kind="tour", capacity=None)
    stage = factory.event(organisers=[org], parent_id=booked_tour.id, position=1, capacity=5)
    confirmed.booking.event_id = booked_tour.id  # a tour's booking: a stage can be added
    draft = factory.event(organisers=[org], status="draft")
    upload = ImportUpload(
        event_id=event.id,
        filename="people.csv",
        content="Nom;Prénom;E-mail\nDurand;Léa;lea.import@example.org\n".encode(),
    )
    scheduled = Mailing(
        event_id=event.id,
        subject="Rappel",
        body="Bonjour",
        filters={},
        status="scheduled",
        send_at=utcnow() + timedelta(days=1),
    )
    db.session.add_all([upload, scheduled])
    manager = factory.user(org, "manager")
    db.session.commit()
    return {
        "scheduled": scheduled,
        "org": org,
        "event": event,
        "confirmed": confirmed,
        "waiting": waiting,
        "cancelled": cancelled,
        "tour": tour,
        "stage": stage,
        "draft": draft,
        "upload": upload,
        "manager": manager,
        "reset_token": accounts.reset_token(manager),
    }


def _person(**kw) -> dict:
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea.durand@example.org",
        "organisation_name": "Yposkesi",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
        "language": "fr",
    }
    data.update(kw)
    return data


def _event_form(w, **kw) -> dict:
    start = utcnow() + timedelta(days=50)
    data = {
        "kind": "congress",
        "title_fr": "Journées du Biotesting",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT18:00"),
        "region": "cvl",
        "capacity": "80",
        "lead_id": str(w["org"].id),
    }
    data.update(kw)
    return data


@dataclass
class Case:
    who: str | None  # None (anonymous), "manager" or "checkin"
    url: callable
    data: callable = lambda w: {}
    writes: bool = True  # the positive control changes the database
    desk: bool = False  # needs a desk name in the session first


def _org(path: str):
    return lambda w: f"/organiser/events/{w['event'].id}{path}"


CASES = {
    "auth.login": Case(
        None, lambda w: "/auth/login", lambda w: {"email": w["manager"].email, "password": PASSWORD}
    ),
    "auth.logout": Case("manager", lambda w: "/auth/logout", writes=False),
    "auth.change_password": Case(
        "manager",
        lambda w: "/auth/password/change",
        lambda w: {
            "current_password": PASSWORD,
            "new_password": "another long password",
            "confirm": "another long password",
        },
    ),
    "auth.forgot_password": Case(
        None, lambda w: "/auth/password/forgot", lambda w: {"email": w["manager"].email}
    ),
    "auth.reset_password": Case(
        None,
        lambda w: f"/auth/password/reset/{w['reset_token']}",
        lambda w: {"new_password": "another long password", "confirm": "another long password"},
    ),
    "registration.register": Case(
        None, lambda w: f"/events/{w['event'].slug}/register", lambda w: _person()
    ),
    "registration.resend_link": Case(
        None,
        lambda w: f"/events/{w['event'].slug}/resend-link",
        lambda w: {"email": w["confirmed"].email},
    ),
    "registration.manage": Case(
        None,
        lambda w: f"/r/{w['confirmed'].manage_token}",
        lambda w: {k: v for k, v in _person(first_name="Camilla").items() if k != "email"},
    ),
    "registration.cancel": Case(None, lambda w: f"/r/{w['confirmed'].manage_token}/cancel"),
    "registration.offer_accept": Case(
        None, lambda w: f"/r/{_offered(w).manage_token}/offer/accept"
    ),
    "registration.offer_decline": Case(
        None, lambda w: f"/r/{_offered(w).manage_token}/offer/decline"
    ),
    "registration.booking": Case(
        None,
        lambda w: f"/b/{w['confirmed'].booking.manage_token}",
        lambda w: {k: v for k, v in _person(first_name="Camilla").items() if k != "email"},
    ),
    "registration.booking_add": Case(
        None,
        lambda w: f"/b/{w['confirmed'].booking.manage_token}/add",
        lambda w: {"stages": [w["stage"].id]},
    ),
    "registration.booking_cancel": Case(
        None,
        lambda w: f"/b/{w['confirmed'].booking.manage_token}/cancel/{w['confirmed'].id}",
    ),
    "privacy.erase": Case(
        None,
        lambda w: f"/r/{w['confirmed'].manage_token}/erase",
        lambda w: {"scope": "this", "confirm": "y"},
    ),
    "organiser.event_new": Case("manager", lambda w: "/organiser/events/new", _event_form),
    "organiser.event_edit": Case(
        "manager", _org("/edit"), lambda w: _event_form(w, title_fr="Congrès renommé")
    ),
    "organiser.stage_new": Case(
        "manager",
        lambda w: f"/organiser/events/{w['tour'].id}/stages/new",
        lambda w: {k: v for k, v in _event_form(w).items() if k != "kind"},
    ),
    "organiser.event_publish": Case(
        "manager", lambda w: f"/organiser/events/{w['draft'].id}/publish"
    ),
    "organiser.event_unpublish": Case(
        "manager", lambda w: f"/organiser/events/{w['tour'].id}/unpublish"
    ),
    "organiser.event_cancel": Case("manager", _org("/cancel"), lambda w: {"confirm": "y"}),
    "organiser.attendee_new": Case(
        "manager", _org("/attendees/new"), lambda w: _person(email="new@example.org")
    ),
    "organiser.attendee_edit": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/attendees/{w['confirmed'].id}/edit",
        lambda w: _person(first_name="Camilla"),
    ),
    "organiser.attendee_cancel": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/attendees/{w['confirmed'].id}/cancel",
        lambda w: {"notify": "y"},
    ),
    "organiser.attendee_move": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/attendees/{w['confirmed'].id}/move",
        lambda w: {"target": str(w["draft"].id), "notify": "y"},
    ),
    "organiser.attendee_resend": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/attendees/{w['confirmed'].id}/resend",
        lambda w: {},
    ),
    "organiser.attendee_promote": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/attendees/{w['waiting'].id}/promote",
        lambda w: {"override_capacity": "y"},
    ),
    "organiser.attendee_reconfirm": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/attendees/{w['cancelled'].id}/reconfirm",
        lambda w: {"override_capacity": "y"},
    ),
    "organiser.import_upload": Case(
        "manager",
        _org("/import"),
        lambda w: {"file": (io.BytesIO(b"Nom;Prenom;E-mail\nA;B;ab@example.org\n"), "p.csv")},
    ),
    "organiser.import_preview": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/import/{w['upload'].id}",
        lambda w: {"consent": "y"},
    ),
    "organiser.mailing_new": Case(
        "manager",
        _org("/mailings/new"),
        lambda w: {"subject": "Infos pratiques", "body": "Bonjour", "step": "send"},
    ),
    "organiser.mailing_cancel": Case(
        "manager",
        lambda w: f"/organiser/events/{w['event'].id}/mailings/{w['scheduled'].id}/cancel",
    ),
    "organiser.badge_design": Case(
        "manager",
        _org("/badges/design"),
        lambda w: {
            "layout": "a6",
            "pos_name": "1",
            "pos_qr": "2",
            "pos_band": "0",
            "pos_event": "0",
            "pos_organisation": "0",
            "pos_logo": "0",
            "name_size": "l",
            "organisation_size": "m",
        },
    ),
    "organiser.checkin_set_desk": Case(
        "checkin", _org("/checkin/desk"), lambda w: {"desk": "Poste Zèbre"}, writes=False
    ),
    "organiser.checkin_scan": Case(
        "checkin",
        _org("/checkin/scan"),
        lambda w: {"code": w["confirmed"].ticket_code},
        desk=True,
    ),
    "organiser.checkin_registration": Case(
        "checkin",
        lambda w: f"/organiser/events/{w['event'].id}/checkin/registrations/{w['confirmed'].id}",
        desk=True,
    ),
    "organiser.checkin_undo": Case(
        "checkin",
        lambda w: (
            f"/organiser/events/{w['event'].id}/checkin/registrations/{w['confirmed'].id}/undo"
        ),
        desk=True,
    ),
    "organiser.checkin_walk_in": Case(
        "checkin",
        _org("/checkin/walk-in"),
        lambda w: _person(email="walkin@example.org", override_capacity="y"),
        desk=True,
    ),
}


def _once(w, key, make):
    if key not in w:
        w[key] = make()
    return w[key]


def _invitation(w, event=False):
    from eventapp.models import Invitation, MembershipRole
    from eventapp.organisations import services

    def make():
        invitation = Invitation(
            organisation_id=w["org"].id,
            email="invited@example.org",
            role=MembershipRole.VIEWER,
            event_id=w["event"].id if event else None,
        )
        token = services._new_token(invitation)
        _db.session.add(invitation)
        _db.session.commit()
        return invitation, token

    return _once(w, "invitation", make)


def _offered(w):
    """The waiting person holds an open waiting-list offer (the seat is held for them)."""

    def make():
        waiting = w["waiting"]
        waiting.offered_at = utcnow()
        waiting.offer_expires_at = utcnow() + timedelta(hours=48)
        _db.session.commit()
        return waiting

    return _once(w, "offered", make)


def _grant(w):
    from eventapp.models import EventGrant

    def make():
        other = factories.organisation(name="BioValley France")
        grant = EventGrant(event_id=w["event"].id, organisation_id=other.id, role="manager")
        _db.session.add(grant)
        _db.session.commit()
        return grant

    return _once(w, "grant", make)


def _other_org(w):
    return _once(w, "other_org", lambda: factories.organisation(name="Eurobiomed"))


def _teams(path: str):
    return lambda w: f"/organiser/organisations/{w['org'].id}{path}"


def _org_form(**kw):
    data = {"name": "Clubster NSL", "short_name": "Clubster NSL", "kind": "cluster"}
    data.update(kw)
    return data


def _with_2fa(w):
    def make():
        w["manager"].totp_secret = "JBSWY3DPEHPK3PXP"
        w["manager"].totp_enabled_at = utcnow()
        _db.session.commit()
        return True

    _once(w, "2fa", make)
    return "/account/2fa"


def _other_session(w):
    from eventapp.account import sessions
    from eventapp.models import UserSession

    def make():
        row = UserSession(
            user_id=w["manager"].id,
            key_hash=sessions.digest("another browser"),
            generation=sessions.digest(w["manager"].session_token),
            network="192.0.2.x",
            browser="Firefox · Linux",
        )
        _db.session.add(row)
        _db.session.commit()
        return row.id

    return f"/account/sessions/{_once(w, 'other_session', make)}/end"


def _email_token(w):
    from eventapp.account.profile import email_change_token

    return f"/account/email-change/{email_change_token(w['manager'], 'new.address@example.org')}"


CASES.update(
    {
        "account.profile": Case(
            "manager", lambda w: "/account/profile", lambda w: {"name": "Léa", "language": "en"}
        ),
        "account.change_email": Case(
            "manager",
            lambda w: "/account/email",
            lambda w: {"email": "new.address@example.org", "password": PASSWORD},
        ),
        "account.confirm_email": Case(None, _email_token),
        "account.end_session": Case("manager", _other_session),
        "account.end_all_sessions": Case("manager", lambda w: "/account/sessions/end-all"),
        "account.two_factor": Case("manager", _with_2fa, lambda w: {"password": PASSWORD}),
        # Without a half-done login the step sends back to the login page (302).
        "account.login_second_step": Case(
            None, lambda w: "/login/2fa", lambda w: {"code": "123456"}, writes=False
        ),
        "organisations.admin_new": Case(
            "admin",
            lambda w: "/admin/organisations/new",
            lambda w: _org_form(**{"owner-email": "first@example.org"}),
        ),
        "organisations.profile": Case(
            "manager", _teams("/profile"), lambda w: _org_form(name="Medicen renamed")
        ),
        "organisations.invite": Case(
            "owner",
            _teams("/invitations"),
            lambda w: {"email": "new@example.org", "role": "viewer"},
        ),
        "organisations.resend": Case(
            "owner", lambda w: _teams(f"/invitations/{_invitation(w)[0].id}/resend")(w)
        ),
        "organisations.revoke": Case(
            "owner", lambda w: _teams(f"/invitations/{_invitation(w)[0].id}/revoke")(w)
        ),
        "organisations.change_role": Case(
            "owner",
            lambda w: _teams(f"/members/{w['manager'].id}/role")(w),
            lambda w: {"role": "viewer"},
        ),
        "organisations.remove": Case(
            "owner", lambda w: _teams(f"/members/{w['manager'].id}/remove")(w)
        ),
        "organisations.event_team": Case(
            "manager",
            lambda w: (_other_org(w), _org("/team")(w))[1],
            lambda w: {"organisation_id": str(_other_org(w).id), "role": "viewer"},
        ),
        "organisations.event_team_remove": Case(
            "manager", lambda w: _org(f"/team/{_grant(w).id}/remove")(w)
        ),
        "organisations.invitation": Case(
            None,
            lambda w: f"/invitation/{_invitation(w)[1]}",
            lambda w: {"name": "Ines Invited", "password": "a long enough password"},
        ),
    }
)


# Not a browser's form: Stripe signs its webhook instead (tests/fees/test_card_payment.py).
CSRF_EXEMPT = {"fees.stripe_webhook"}
# /api/v1 is authenticated by a bearer token only (a session cookie carries no authority
# there: tests/security/test_api_v1.py), so it needs no CSRF token.
API_V1 = "/api/v1/"


def _api(w):
    """An API token, a webhook endpoint and one delivery of the organisation (issue 17)."""
    if "api" not in w:
        from eventapp.models import WebhookDelivery
        from eventapp.services.api import tokens, webhooks

        token, _secret = tokens.create_token(
            w["org"],
            w["manager"],
            name="CRM",
            scopes=["events:read"],
            expires_on=(utcnow() + timedelta(days=9)).date(),
        )
        endpoint, _secret = webhooks.create_endpoint(
            w["org"], url="https://crm.example.org/hook", event_types=["checkin.created"], user=None
        )
        delivery = webhooks.send_test(endpoint)
        _db.session.commit()
        w["api"] = {"token": token, "endpoint": endpoint, "delivery": delivery}
        assert isinstance(delivery, WebhookDelivery)
    return w["api"]


def _api_settings(path):
    return lambda w: f"/organiser/organisations/{w['org'].id}{path(w) if callable(path) else path}"


def _fees(w):
    """A rate of the event and a booking payment awaiting approval (issue 14)."""
    from eventapp.models import (
        BankLine,
        BookingPayment,
        MemberCompany,
        PaymentTransaction,
        PriceCategory,
    )

    def make():
        rate = PriceCategory(
            event_id=w["event"].id,
            kind="student",
            name_fr="Étudiant",
            price_cents=9000,
            verification="approval",
        )
        _db.session.add(rate)
        _db.session.flush()
        payment = BookingPayment(
            booking_id=w["confirmed"].booking_id,
            event_id=w["event"].id,
            state="awaiting_approval",
            price_category_id=rate.id,
            bank_reference="EV-TEST-0001",
            total_cents=10800,
            paid_cents=10800,
        )
        _db.session.add(payment)
        _db.session.flush()
        refund = PaymentTransaction(
            payment_id=payment.id,
            kind="refund",
            amount_cents=100,
            provider="manual_bank_transfer",
            source="t:1",
            state="pending",
        )
        line = BankLine(
            event_id=w["event"].id,
            fingerprint="f1",
            status="no_reference",
            booked_on=utcnow().date(),
            amount_cents=100,
            text="VIR",
        )
        member = MemberCompany(organisation_id=w["org"].id, name="Sanofi", domains=["sanofi.com"])
        _db.session.add_all([refund, line, member])
        _db.session.commit()
        return {"payment": payment, "refund": refund, "line": line, "member": member}

    return _once(w, "fees", make)


def _invoicing(w):
    """The waiting registration's booking owes 120 € (a line, billing details) and the
    organisation has its legal details (issue 15)."""
    from tests.invoices.support import payment_for

    def make():
        payment = payment_for(w["org"], w["event"], w["waiting"], reference="EV-TEST-0002")
        return {"payment": payment, "token": w["waiting"].booking.manage_token}

    return _once(w, "invoicing", make)


def _invoiced(w):
    from tests.invoices.support import issued_invoice

    return _once(
        w,
        "invoiced",
        lambda: issued_invoice(w["org"], w["event"], w["waiting"], reference="EV-TEST-0003"),
    )


def _question(w):
    return _once(w, "question", lambda: factories.question(w["event"], "yes_no", identifier="gala"))


def _second_question(w):
    _question(w)
    return _once(w, "question2", lambda: factories.question(w["event"], identifier="diet"))


def _source_question(w):
    return _once(w, "source_q", lambda: factories.question(w["draft"], identifier="visit"))


def _q(path: str):
    return lambda w: _org(f"/questions/{_question(w).id}{path}")(w)


CASES.update(
    {
        "fees.rates": Case(
            "manager",
            _org("/rates"),
            lambda w: {
                "price-kind": "member",
                "price-name_fr": "Adhérent",
                "price-price": "390",
                "price-vat": "20",
                "price-verification": "member",
                "price-active": "y",
            },
        ),
        "fees.vouchers": Case(
            "manager",
            _org("/vouchers"),
            lambda w: {"code": "GENOPOLE", "kind": "percent", "value": "15"},
        ),
        "fees.decide": Case(
            "manager", lambda w: _org(f"/payments/{_fees(w)['payment'].id}/approve")(w)
        ),
        "fees.money_action": Case(
            "manager",
            lambda w: _org(f"/payments/{_fees(w)['payment'].id}/refund")(w),
            lambda w: {"amount": "10"},
        ),
        "fees.change_category": Case(
            "manager",
            lambda w: _org(f"/payments/{_fees(w)['payment'].id}/category")(w),
            lambda w: {"category": str(_fees(w)["payment"].price_category_id)},
        ),
        "fees.refund_done": Case(
            "manager", lambda w: _org(f"/payments/refunds/{_fees(w)['refund'].id}/done")(w)
        ),
        "fees.bank_import": Case(
            "manager",
            _org("/payments/bank"),
            lambda w: {
                "file": (
                    io.BytesIO(b"Date;Libelle;Montant\n20/10/2026;VIR X;12,00\n"),
                    "releve.csv",
                )
            },
        ),
        "fees.bank_resolve": Case(
            "manager", lambda w: _org(f"/payments/bank/{_fees(w)['line'].id}/resolve")(w)
        ),
        "fees.member_directory": Case(
            "manager",
            _teams("/members-directory"),
            lambda w: {
                "member-name": "Yposkesi",
                "member-domains": "yposkesi.com",
                "member-submit": "1",
            },
        ),
        "fees.member_delete": Case(
            "manager",
            lambda w: _teams(f"/members-directory/{_fees(w)['member'].id}/delete")(w),
        ),
        # Without card payment configured the answer is a message (nothing is written).
        "fees.pay_card": Case(
            None,
            lambda w: (_fees(w), f"/b/{w['confirmed'].booking.manage_token}/pay/card")[1],
            writes=False,
        ),
        # A payment awaiting approval has nothing due: a message, nothing written.
        "fees.pay_transfer": Case(
            None,
            lambda w: (_fees(w), f"/b/{w['confirmed'].booking.manage_token}/pay/transfer")[1],
            writes=False,
        ),
        "invoices.billing": Case(
            None,
            lambda w: f"/b/{_invoicing(w)['token']}/billing",
            lambda w: {
                "buyer_kind": "business",
                "name": "Université Paris-Saclay",
                "address": "3 rue Joliot-Curie",
                "postcode": "91190",
                "city": "Gif-sur-Yvette",
                "country_code": "FR",
            },
        ),
        "invoices.quote": Case(None, lambda w: f"/b/{_invoicing(w)['token']}/quote"),
        "invoices.issue": Case(
            "manager",
            lambda w: f"/organiser/o/{w['org'].id}/invoices/issue/{_invoicing(w)['payment'].id}",
            lambda w: {"purchase_order": "BC-2026-1"},
        ),
        "invoices.resend": Case(
            "manager", lambda w: f"/organiser/o/{w['org'].id}/invoices/{_invoiced(w)}/send"
        ),
        "questions.question_new": Case(
            "manager",
            _org("/questions/new"),
            lambda w: {"kind": "short_text", "label_fr": "Régime", "requirement": "optional"},
        ),
        "questions.question_edit": Case(
            "manager",
            _q("/edit"),
            lambda w: {"kind": "yes_no", "label_fr": "Dîner de gala", "requirement": "optional"},
        ),
        "questions.question_move": Case(
            "manager",
            lambda w: _org(f"/questions/{_second_question(w).id}/move")(w),
            lambda w: {"direction": "up"},
        ),
        "questions.question_delete": Case("manager", _q("/delete")),
        "api_settings.token_list": Case(
            "manager",
            _api_settings("/api-tokens"),
            lambda w: {
                "name": "CRM",
                "scopes": ["attendees:read"],
                "expires_on": (utcnow() + timedelta(days=30)).date().isoformat(),
            },
        ),
        "api_settings.token_revoke": Case(
            "manager", _api_settings(lambda w: f"/api-tokens/{_api(w)['token'].id}/revoke")
        ),
        "api_settings.webhook_list": Case(
            "manager",
            _api_settings("/webhooks"),
            lambda w: {"url": "https://crm.example.org/in", "event_types": ["checkin.created"]},
        ),
        "api_settings.webhook_test": Case(
            "manager", _api_settings(lambda w: f"/webhooks/{_api(w)['endpoint'].id}/test")
        ),
        "api_settings.webhook_toggle": Case(
            "manager", _api_settings(lambda w: f"/webhooks/{_api(w)['endpoint'].id}/toggle")
        ),
        "api_settings.webhook_delete": Case(
            "manager", _api_settings(lambda w: f"/webhooks/{_api(w)['endpoint'].id}/delete")
        ),
        "api_settings.webhook_again": Case(
            "manager",
            _api_settings(
                lambda w: (
                    f"/webhooks/{_api(w)['endpoint'].id}/deliveries/{_api(w)['delivery'].id}/again"
                )
            ),
        ),
        "questions.questions_copy": Case(
            "manager",
            lambda w: (_source_question(w), _org("/questions/copy")(w))[1],
            lambda w: {"source": str(_source_question(w).event_id)},
        ),
    }
)


def _programme(w):
    """A room, a track, a speaker, a published session and a draft one (issue 16)."""
    from eventapp.models import ProgrammeSession, Room, Speaker, Track

    def make():
        event = w["event"]
        room = Room(event_id=event.id, name="Auditorium", capacity=100)
        track = Track(event_id=event.id, name_fr="Procédés", colour="blue")
        speaker = Speaker(event_id=event.id, name="Claire Dupont")
        _db.session.add_all([room, track, speaker])
        _db.session.flush()
        times = {"starts_at": event.starts_at, "ends_at": event.starts_at + timedelta(hours=1)}
        published = ProgrammeSession(
            event_id=event.id,
            kind="plenary",
            title_fr="Plénière",
            room_id=room.id,
            published_at=utcnow(),
            published_starts_at=times["starts_at"],
            published_ends_at=times["ends_at"],
            published_room_id=room.id,
            **times,
        )
        draft = ProgrammeSession(event_id=event.id, kind="workshop", title_fr="Atelier", **times)
        _db.session.add_all([published, draft])
        _db.session.commit()
        return {"room": room, "track": track, "speaker": speaker, "session": published}

    return _once(w, "programme", make)


def _ended_programme(w):
    """An ended event of the organisation with a session someone attended."""
    from eventapp.models import ProgrammeSession, SessionAttendance

    def make():
        ended = factories.event(
            organisers=[w["org"]],
            starts_at=utcnow() - timedelta(days=3),
            ends_at=utcnow() - timedelta(days=2),
            registration_opens_at=None,
            registration_closes_at=None,
        )
        person = factories.registration(ended)
        session = ProgrammeSession(
            event_id=ended.id,
            kind="visit",
            title_fr="Visite",
            starts_at=ended.starts_at,
            ends_at=ended.ends_at,
            published_at=utcnow(),
            published_starts_at=ended.starts_at,
            published_ends_at=ended.ends_at,
        )
        _db.session.add(session)
        _db.session.flush()
        _db.session.add(SessionAttendance(session_id=session.id, registration_id=person.id))
        _db.session.commit()
        return ended

    return _once(w, "ended_programme", make)


def _programme_upload(w):
    """A programme file uploaded and not yet imported (issue 16)."""

    def make():
        upload = ImportUpload(
            event_id=w["event"].id,
            filename="programme.csv",
            content=b"Titre;Debut;Fin\nAtelier;10/06/2026 09:00;10/06/2026 10:00\n",
            kind="programme",
        )
        _db.session.add(upload)
        _db.session.commit()
        return upload

    return _once(w, "programme_upload", make)


def _p(path: str):
    return lambda w: _org(path.format(**{k: v.id for k, v in _programme(w).items()}))(w)


def _session_form(w, **kw):
    start = utcnow() + timedelta(days=30)
    data = {
        "kind": "workshop",
        "title_fr": "Vecteurs viraux",
        "starts_at": start.strftime("%Y-%m-%dT10:00"),
        "ends_at": start.strftime("%Y-%m-%dT11:00"),
    }
    data.update(kw)
    return data


def _b2b(w):
    """B2B meetings open on the event (issue 18): the confirmed participant A and three others
    joined; a request B→A waiting, a request A→C waiting, B–C accepted with a meeting, C–D
    accepted without one; a spare block and a spare table."""
    from datetime import timedelta

    from eventapp.models import B2BSettings, Meeting, MeetingRequest, MeetingSeat
    from eventapp.services.b2b import planning
    from eventapp.services.b2b.profiles import ProfileData, opt_in

    def make():
        from eventapp.database import write_transaction

        with write_transaction():
            return build()

    def build():
        event = w["event"]
        _db.session.add(B2BSettings(event_id=event.id, enabled=True, request_limit=20))
        _db.session.flush()
        start = event.starts_at
        block = planning.add_block(event, start, start + timedelta(hours=1), 20)
        spare_block = planning.add_block(
            event, start + timedelta(hours=2), start + timedelta(hours=3), 20
        )
        tables = planning.add_tables(event, 3)
        people = [w["confirmed"]] + [factories.registration(event) for _n in range(3)]
        a, b, c, d = (
            opt_in(r, ProfileData(organisation_name=f"Org {n}", category="cdmo", region=None))
            for n, r in enumerate(people)
        )
        ask = lambda x, y, status: MeetingRequest(  # noqa: E731
            event_id=event.id, sender_id=x.id, recipient_id=y.id, status=status
        )
        waiting, mine, held, unplaced = (
            ask(b, a, "pending"), ask(a, c, "pending"), ask(b, c, "accepted"),
            ask(c, d, "accepted"),
        )  # fmt: skip
        _db.session.add_all([waiting, mine, held, unplaced])
        _db.session.flush()
        slots = [s.id for s in _db.session.scalars(select_slots(block.id))]
        meeting = Meeting(
            event_id=event.id, request_id=held.id, slot_id=slots[0], table_id=tables[0].id
        )
        _db.session.add(meeting)
        _db.session.flush()
        _db.session.add_all(
            MeetingSeat(participant_id=p.id, slot_id=slots[0], meeting_id=meeting.id)
            for p in (b, c)
        )
        _db.session.flush()
        return {
            "a": a, "d": d, "waiting": waiting, "unplaced": unplaced, "meeting": meeting,
            "slots": slots, "tables": [t.id for t in tables], "spare_block": spare_block,
        }  # fmt: skip

    return _once(w, "b2b", make)


def select_slots(block_id):
    from eventapp.models import B2BSlot

    return select(B2BSlot).where(B2BSlot.block_id == block_id).order_by(B2BSlot.position)


def _me(path: str):
    return lambda w: (_b2b(w), f"/r/{w['confirmed'].manage_token}/b2b{path}")[1]


def _b2b_org(path):
    return lambda w: _org(f"/b2b{path(_b2b(w)) if callable(path) else path}")((_b2b(w), w)[1])


CASES.update(
    {
        "programme.session_new": Case("manager", _p("/programme/sessions/new"), _session_form),
        "programme.session_edit": Case(
            "manager",
            _p("/programme/sessions/{session}"),
            lambda w: _session_form(w, title_fr="Plénière renommée"),
        ),
        "programme.session_action": Case("manager", _p("/programme/sessions/{session}/cancel")),
        "programme.publish": Case("manager", _p("/programme/publish")),
        "programme.rooms": Case("manager", _p("/programme/rooms"), lambda w: {"name": "Salle B"}),
        "programme.room_edit": Case(
            "manager", _p("/programme/rooms/{room}"), lambda w: {"name": "Grand auditorium"}
        ),
        "programme.tracks": Case(
            "manager",
            _p("/programme/tracks"),
            lambda w: {"name_fr": "Thérapies", "colour": "green"},
        ),
        "programme.track_edit": Case(
            "manager",
            _p("/programme/tracks/{track}"),
            lambda w: {"name_fr": "Procédés bis", "colour": "red"},
        ),
        "programme.speakers": Case(
            "manager", _p("/programme/speakers"), lambda w: {"name": "Paul Martin"}
        ),
        "programme.speaker_edit": Case(
            "manager", _p("/programme/speakers/{speaker}"), lambda w: {"name": "Claire Durand"}
        ),
        "programme.speaker_delete": Case(
            "manager",
            _p("/programme/speakers/{speaker}/delete"),
            lambda w: {"delete-confirm": "y"},
        ),
        "programme.door": Case(
            "checkin",
            _p("/programme/sessions/{session}/door"),
            lambda w: {"code": w["confirmed"].ticket_code},
        ),
        "programme.door_tick": Case(
            "checkin",
            _p("/programme/sessions/{session}/door/tick"),
            lambda w: {"registration_id": str(w["confirmed"].id)},
        ),
        "programme.send_certificates": Case(
            "manager",
            lambda w: f"/organiser/events/{_ended_programme(w).id}/programme/certificates/send",
            lambda w: {"confirm": "y"},
        ),
        "programme.import_programme": Case(
            "manager",
            _org("/programme/import"),
            lambda w: {
                "file": (
                    io.BytesIO(b"Titre;Debut;Fin\nA;10/06/2026 09:00;10/06/2026 10:00\n"),
                    "p.csv",
                )
            },
        ),
        "programme.import_programme_preview": Case(
            "manager",
            lambda w: (
                f"/organiser/events/{w['event'].id}/programme/import/{_programme_upload(w).id}"
            ),
        ),
        "programme.my_programme": Case(
            None,
            lambda w: (_programme(w), f"/r/{w['confirmed'].manage_token}/programme")[1],
            lambda w: {"session_id": str(_programme(w)["session"].id), "action": "star"},
        ),
        "b2b.home": Case(
            None,
            _me(""),
            lambda w: {"organisation_name": "Yposkesi", "category": "cdmo", "pitch": "AAV"},
        ),
        "b2b.availability": Case(
            None, _me("/availability"), lambda w: {"away-slots": [str(_b2b(w)["slots"][1])]}
        ),
        "b2b.leave": Case(None, _me("/leave")),
        "b2b.person": Case(
            None, lambda w: _me(f"/people/{_b2b(w)['d'].id}")(w), lambda w: {"message": "Bonjour"}
        ),
        "b2b.answer": Case(None, lambda w: _me(f"/requests/{_b2b(w)['waiting'].id}/accept")(w)),
        "b2b.save_settings": Case(
            "manager",
            _b2b_org("/settings"),
            lambda w: {"settings-request_limit": "7", "settings-enabled": "y"},
        ),
        "b2b.add_block": Case(
            "manager",
            _b2b_org("/blocks"),
            lambda w: {
                "block-starts_at": "2030-01-10T14:00",
                "block-ends_at": "2030-01-10T15:00",
                "block-slot_minutes": "20",
            },
        ),
        "b2b.remove_block": Case(
            "manager", _b2b_org(lambda b: f"/blocks/{b['spare_block'].id}/delete")
        ),
        "b2b.add_tables": Case("manager", _b2b_org("/tables"), lambda w: {"tables-count": "2"}),
        "b2b.remove_table": Case("manager", _b2b_org(lambda b: f"/tables/{b['tables'][2]}/delete")),
        "b2b.run": Case("manager", _b2b_org("/runs"), lambda w: {"run-mode": "full"}),
        "b2b.move": Case(
            "manager",
            _b2b_org(lambda b: f"/meetings/{b['meeting'].id}/move"),
            lambda w: {"slot": str(_b2b(w)["slots"][2]), "table": str(_b2b(w)["tables"][1])},
        ),
        "b2b.place": Case(
            "manager",
            _b2b_org(lambda b: f"/requests/{b['unplaced'].id}/place"),
            lambda w: {"slot": str(_b2b(w)["slots"][1]), "table": str(_b2b(w)["tables"][0])},
        ),
        "b2b.cancel": Case("manager", _b2b_org(lambda b: f"/meetings/{b['meeting'].id}/cancel")),
        "b2b.lock": Case("manager", _b2b_org(lambda b: f"/meetings/{b['meeting'].id}/lock")),
        "b2b.publish": Case("manager", _b2b_org("/publish")),
        "b2b.own_entry": Case(
            None, _me("/directory"), lambda w: {"listed": "y", "sector": "bioproduction"}
        ),
        "b2b.curate": Case("manager", lambda w: f"/organiser/directory/{_entry(w).id}/hide"),
        "b2b.mark_meeting": Case(
            "checkin",
            lambda w: _org(f"/b2b/meetings/{_own_meeting(w)}/attendance/held")(w),
        ),
        "b2b.booking_rules": Case(
            "manager", _b2b_org("/rules"), lambda w: {"slot_mode": "self_pick"}
        ),
        "b2b.mark_own_meeting": Case(None, lambda w: _me(f"/meetings/{_own_meeting(w)}/held")(w)),
    }
)


def _own_meeting(w):
    """A meeting of the confirmed participant A (B's request accepted), in a slot that began
    five minutes ago: the table check-in is open."""
    from eventapp.models import B2BSlot, Meeting, MeetingSeat

    def make():
        from eventapp.database import write_transaction

        b2b = _b2b(w)
        with write_transaction():
            slot = _db.session.get(B2BSlot, b2b["slots"][1])
            slot.starts_at = utcnow() - timedelta(minutes=5)
            slot.ends_at = slot.starts_at + timedelta(minutes=20)
            waiting = b2b["waiting"]
            _db.session.get(type(waiting), waiting.id).status = "accepted"
            meeting = Meeting(
                event_id=w["event"].id, request_id=waiting.id, slot_id=slot.id,
                table_id=b2b["tables"][1],
            )  # fmt: skip
            _db.session.add(meeting)
            _db.session.flush()
            _db.session.add_all(
                MeetingSeat(participant_id=p, slot_id=slot.id, meeting_id=meeting.id)
                for p in (waiting.sender_id, waiting.recipient_id)
            )
            return meeting.id

    return _once(w, "own_meeting", make)


def _entry(w):
    """A listed entry of the sector directory (issue 18)."""
    from eventapp.models import DirectoryEntry

    def make():
        from eventapp.database import write_transaction

        with write_transaction():
            entry = DirectoryEntry(
                slug="csrf-bio", organisation_key="csrf bio", name="CSRF Bio", category="biotech",
                sector="biotherapies", listed=True, hidden=False, featured=False,
                description="", search_text="csrf bio",
            )  # fmt: skip
            _db.session.add(entry)
            _db.session.flush()
            return entry

    return _once(w, "directory_entry", make)


def test_every_post_route_is_covered(app):
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith(API_V1)
    } - CSRF_EXEMPT
    assert posts == set(CASES), (posts - set(CASES), set(CASES) - posts)


def _client_for(secured, world, case, factory):
    client = secured.test_client()
    if case.who == "manager":
        log_in(client, world["manager"])
    elif case.who == "checkin":
        log_in(client, factory.user(world["org"], "checkin"))
    elif case.who == "owner":
        log_in(client, factory.user(world["org"], "owner"))
    elif case.who == "admin":
        log_in(client, factory.user(is_admin=True))
    if case.desk:
        desk_url = f"/organiser/events/{world['event'].id}/checkin"
        token = token_of(client, desk_url)
        response = client.post(f"{desk_url}/desk", data={"desk": "Accueil", "csrf_token": token})
        assert response.status_code == 302
    return client


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    endpoint, secured, world, db, factory
):
    case = CASES[endpoint]
    client = _client_for(secured, world, case, factory)
    if endpoint == "organiser.checkin_undo":
        world["confirmed"].checked_in_at = utcnow()
        db.session.commit()
    url = case.url(world)
    before = snapshot(db)
    logged_in_before = client.get("/organiser/").status_code

    for forged in (None, "forged-token", token_of(secured.test_client())):
        data = case.data(world)
        if forged:  # a made-up token, or a real one from another browser's session
            data["csrf_token"] = forged
        response = client.post(url, data=data)
        assert response.status_code == 400, (endpoint, forged, response.status_code)
        body = response.get_data(as_text=True)
        assert "Votre session a expiré" in body or "Requête invalide" in body, endpoint
        assert snapshot(db) == before, (endpoint, forged)
    assert client.get("/organiser/").status_code == logged_in_before  # still (not) logged in
    if endpoint == "organiser.checkin_set_desk":
        desk_page = client.get(f"/organiser/events/{world['event'].id}/checkin")
        assert "Poste Zèbre" not in desk_page.get_data(as_text=True)

    # Positive control: the same request with this session's token is accepted.
    # (one token per session, whatever the form; taken from a page with a form)
    page = f"/organiser/events/{world['event'].id}/checkin" if case.who else "/auth/login"
    data = {**case.data(world), "csrf_token": token_of(client, page)}
    response = client.post(url, data=data)
    assert response.status_code in (200, 302), (endpoint, response.status_code)
    if case.writes:
        assert snapshot(db) != before, endpoint
    elif endpoint == "auth.logout":
        assert client.get("/organiser/").status_code == 302  # logged out now
    elif endpoint == "account.login_second_step":
        assert response.headers["Location"].endswith("/auth/login")
    elif endpoint in ("fees.pay_card", "fees.pay_transfer"):  # a message on the payment page
        assert response.headers["Location"].endswith("/pay")
    else:
        desk_page = client.get(f"/organiser/events/{world['event'].id}/checkin")
        assert "Poste Zèbre" in desk_page.get_data(as_text=True)


def test_desk_json_calls_need_the_csrf_header(secured, world, db, factory):
    client = _client_for(secured, world, Case("checkin", None, desk=True), factory)
    desk_url = f"/organiser/events/{world['event'].id}/checkin"
    token = token_of(client, desk_url)
    scan = f"{desk_url}/scan"
    data = {"code": world["confirmed"].ticket_code}
    before = snapshot(db)
    for headers in (
        {"Accept": "application/json"},
        {"Accept": "application/json", "X-CSRFToken": "forged"},
        {"Accept": "application/json", "X-CSRFToken": token_of(secured.test_client())},
    ):
        response = client.post(scan, data=data, headers=headers)
        assert response.status_code == 400, headers
        assert response.is_json and response.json["error"]["code"] == 400
        assert snapshot(db) == before
    response = client.post(
        scan, data=data, headers={"Accept": "application/json", "X-CSRFToken": token}
    )
    assert response.status_code == 200 and response.json["state"] == "checked_in"
