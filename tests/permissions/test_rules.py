"""The permission rules (eventapp.permissions.rules): one role table, the actor passed
explicitly, and the per-event check agreeing with the SQL clause the lists use."""

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from eventapp.models import Event, MembershipRole, Organisation
from eventapp.permissions import (
    EVENT_PERMS,
    ROLE_PERMISSIONS,
    Perm,
    accessible_events_clause,
    can,
    organisations_clause,
    permissions_on,
)
from eventapp.permissions.rules import load_event


@dataclass
class TokenActor:
    """What an API token will be: not a User, the same attributes."""

    memberships: list = field(default_factory=list)
    is_authenticated: bool = True
    is_active: bool = True
    is_admin: bool = False


@pytest.fixture
def world(factory):
    mine = factory.organisation(name="Polepharma")
    partner = factory.organisation(name="Medicen Paris Region")
    other = factory.organisation(name="Eurobiomed")
    own = factory.event(organisers=[mine], title_fr="Journées du Biotesting")
    co_run = factory.event(organisers=[partner, mine], title_fr="Assises")
    tour = factory.event(organisers=[mine], kind="tour", capacity=None, title_fr="Tour")
    stage = factory.event(organisers=[other], kind="stage", parent_id=tour.id, position=1)
    foreign = factory.event(organisers=[other], title_fr="Congrès Eurobiomed")
    return {
        "mine": mine,
        "other": other,
        "events": {"own": own, "co_run": co_run, "tour": tour, "stage": stage, "foreign": foreign},
    }


def _listed(db, actor, perm) -> set[int]:
    return set(db.session.scalars(select(Event.id).where(accessible_events_clause(actor, perm))))


def test_the_role_table(app):
    assert ROLE_PERMISSIONS[MembershipRole.OWNER] == frozenset(Perm)
    assert ROLE_PERMISSIONS[MembershipRole.MANAGER] == frozenset(Perm) - {Perm.ORG_MEMBERS}
    assert ROLE_PERMISSIONS[MembershipRole.CHECKIN] == {Perm.CHECKIN}
    assert set(ROLE_PERMISSIONS) == set(MembershipRole)  # every role says what it grants
    assert Perm.EVENT_CREATE.on_organisation and Perm.EVENT_CREATE not in EVENT_PERMS


@pytest.mark.parametrize("role", list(MembershipRole))
def test_the_check_on_one_event_agrees_with_the_clause_of_the_lists(db, factory, world, role):
    user = factory.user(world["mine"], str(role))
    for perm in EVENT_PERMS:
        listed = _listed(db, user, perm)
        for name, event in world["events"].items():
            expected = perm in ROLE_PERMISSIONS[role] and name != "foreign"
            assert can(user, perm, event) is expected, (role, perm, name)
            assert (event.id in listed) is expected, (role, perm, name)
            loaded, perms = load_event(user, event.id)
            assert loaded.id == event.id and perms == permissions_on(user, event)


def test_an_actor_that_is_not_a_user_goes_through_the_same_checks(db, world):
    token = TokenActor(
        memberships=[SimpleNamespace(organisation_id=world["mine"].id, role=MembershipRole.CHECKIN)]
    )
    own, foreign = world["events"]["own"], world["events"]["foreign"]
    assert can(token, Perm.CHECKIN, own) and not can(token, Perm.ATTENDEES_VIEW, own)
    assert not can(token, Perm.CHECKIN, foreign)
    assert own.id in _listed(db, token, Perm.CHECKIN)
    assert foreign.id not in _listed(db, token, Perm.CHECKIN)
    assert _listed(db, token, Perm.ATTENDEES_EXPORT) == set()


def test_nobody_anonymous_or_inactive_holds_anything(db, world):
    grant = [SimpleNamespace(organisation_id=world["mine"].id, role=MembershipRole.MANAGER)]
    for actor in (
        TokenActor(memberships=grant, is_authenticated=False),
        TokenActor(memberships=grant, is_active=False),
        TokenActor(memberships=grant, is_active=False, is_admin=True),
    ):
        assert permissions_on(actor, world["events"]["own"]) == frozenset()
        assert _listed(db, actor, Perm.EVENT_VIEW) == set()
        assert load_event(actor, world["events"]["own"].id) == (None, frozenset())


def test_admins_hold_every_event_permission_everywhere(db, factory, world):
    admin = factory.user(is_admin=True)
    for event in world["events"].values():
        assert permissions_on(admin, event) == EVENT_PERMS
    assert _listed(db, admin, Perm.HISTORY) == {e.id for e in world["events"].values()}
    organisations = db.session.scalars(
        select(Organisation.id).where(organisations_clause(admin, Perm.EVENT_CREATE))
    )
    assert set(organisations) >= {world["mine"].id, world["other"].id}


def test_organisation_permissions_hold_in_the_organisations_themselves(db, factory, world):
    manager = factory.user(world["mine"], "manager")
    staff = factory.user(world["other"], "checkin")

    def orgs(actor):
        return set(
            db.session.scalars(
                select(Organisation.id).where(organisations_clause(actor, Perm.EVENT_CREATE))
            )
        )

    assert orgs(manager) == {world["mine"].id}
    assert orgs(staff) == set()
    with pytest.raises(ValueError):
        can(manager, Perm.EVENT_CREATE, world["events"]["own"])
    with pytest.raises(ValueError):
        accessible_events_clause(manager)
