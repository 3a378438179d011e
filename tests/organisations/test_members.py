"""Members and invitations: single-use 7-day links stored as hashes, revoke and re-send,
accepting with a new password or an existing account, roles changed or removed (their
sessions end at once), the last owner stays."""

import re
from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.models import AuditLog, Invitation, Membership, User, utcnow
from eventapp.organisations import services


def _link(mail_outbox) -> str:
    return re.search(r"https?://\S+(/invitation/\S+)", mail_outbox[-1].body).group(1)


def _owner_world(factory):
    org = factory.organisation(name="Clubster NSL")
    owner = factory.user(org, "owner", name="Claire Owner")
    return org, owner


def test_an_owner_invites_a_colleague_who_sets_a_password(
    client, db, factory, login, switch, mail_outbox
):
    org, owner = _owner_world(factory)
    switch(owner)
    response = client.post(
        f"/organiser/organisations/{org.id}/invitations",
        data={"email": "Viewer@Example.org", "role": "viewer"},
    )
    assert response.status_code == 302
    link = _link(mail_outbox)
    assert mail_outbox[-1].to == ["viewer@example.org"]
    client.post("/auth/logout")
    page = client.get(link)
    assert page.status_code == 200 and "Clubster NSL" in page.get_data(as_text=True)
    short = client.post(link, data={"name": "Victor Viewer", "password": "short"})
    assert short.status_code == 422 and "Victor Viewer" in short.get_data(as_text=True)
    done = client.post(link, data={"name": "Victor Viewer", "password": "a long enough pass"})
    assert done.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "viewer@example.org"))
    assert user.name == "Victor Viewer" and user.check_password("a long enough pass")
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(org.id, "viewer")]
    assert client.get("/organiser/").status_code == 200  # logged in
    # Single use
    client.post("/auth/logout")
    assert client.get(link).status_code == 410
    assert (
        client.post(link, data={"name": "X", "password": "a long enough pass"}).status_code == 410
    )


def test_an_existing_account_joins_after_logging_in(
    client, db, factory, login, switch, mail_outbox
):
    org, owner = _owner_world(factory)
    someone = factory.user(factory.organisation(), "manager", email="known@example.org")
    with write_transaction():
        services.invite(org, "known@example.org", "manager", user=owner)
    link = _link(mail_outbox)
    body = client.get(link).get_data(as_text=True)
    assert "log in" in body.lower() or "connectez" in body.lower()
    # Nobody sets the existing account's password through the link
    assert (
        client.post(link, data={"name": "Evil", "password": "a long enough pass"}).status_code
        == 422
    )
    other = factory.user(email="other@example.org")
    switch(other)
    assert client.post(link, data={}).status_code == 403  # another account
    switch(someone)
    assert client.post(link, data={}).status_code == 302
    db.session.expire_all()
    assert {m.organisation_id for m in db.session.get(User, someone.id).memberships} >= {org.id}


def test_an_expired_revoked_or_resent_link_stops_working(
    client, db, factory, login, switch, mail_outbox
):
    org, owner = _owner_world(factory)
    with write_transaction():
        invitation = services.invite(org, "a@example.org", "checkin", user=owner)
    first = _link(mail_outbox)
    switch(owner)
    assert (
        client.post(
            f"/organiser/organisations/{org.id}/invitations/{invitation.id}/resend"
        ).status_code
        == 302
    )
    second = _link(mail_outbox)
    assert first != second
    client.post("/auth/logout")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    switch(owner)
    assert (
        client.post(
            f"/organiser/organisations/{org.id}/invitations/{invitation.id}/revoke"
        ).status_code
        == 302
    )
    client.post("/auth/logout")
    assert client.get(second).status_code == 410
    with write_transaction():
        late = services.invite(org, "b@example.org", "viewer", user=owner)
    late.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(_link(mail_outbox)).status_code == 410


def test_a_pending_invitation_or_a_member_is_not_invited_twice(client, db, factory, login, switch):
    org, owner = _owner_world(factory)
    switch(owner)
    url = f"/organiser/organisations/{org.id}/invitations"
    assert client.post(url, data={"email": "a@example.org", "role": "viewer"}).status_code == 302
    again = client.post(url, data={"email": "a@example.org", "role": "viewer"})
    assert again.status_code == 409 and "a@example.org" in again.get_data(as_text=True)
    member = client.post(url, data={"email": owner.email, "role": "viewer"})
    assert member.status_code == 409
    assert client.post(url, data={"email": "not an address", "role": "viewer"}).status_code == 422


def test_changing_or_removing_a_role_ends_their_sessions_at_once(
    app, client, db, factory, login, switch, mail_outbox
):
    org, owner = _owner_world(factory)
    colleague = factory.user(org, "manager")
    other_browser = app.test_client()
    switch(colleague, c=other_browser)
    assert other_browser.get("/organiser/").status_code == 200
    switch(owner)
    response = client.post(
        f"/organiser/organisations/{org.id}/members/{colleague.id}/role", data={"role": "viewer"}
    )
    assert response.status_code == 302
    assert other_browser.get("/organiser/").status_code == 302  # logged out
    db.session.expire_all()
    assert db.session.get(Membership, colleague.memberships[0].id).role == "viewer"
    assert "viewer" in mail_outbox[-1].body.lower() or "lecteur" in mail_outbox[-1].body.lower()
    switch(colleague, c=other_browser)
    assert other_browser.get("/organiser/").status_code == 200
    assert (
        client.post(f"/organiser/organisations/{org.id}/members/{colleague.id}/remove").status_code
        == 302
    )
    assert other_browser.get("/organiser/").status_code == 302
    assert db.session.scalar(select(Membership).where(Membership.user_id == colleague.id)) is None
    actions = list(db.session.scalars(select(AuditLog.action)))
    assert "team.role_changed" in actions and "team.member_removed" in actions


def test_the_last_owner_cannot_leave_nor_lose_the_role(client, db, factory, login, switch):
    org, owner = _owner_world(factory)
    switch(owner)
    base = f"/organiser/organisations/{org.id}/members/{owner.id}"
    response = client.post(f"{base}/remove", follow_redirects=True)
    assert "at least one owner" in response.get_data(
        as_text=True
    ) or "au moins un" in response.get_data(as_text=True)
    client.post(f"{base}/role", data={"role": "manager"})
    db.session.expire_all()
    assert (
        db.session.scalar(select(Membership.role).where(Membership.user_id == owner.id)) == "owner"
    )
    second = factory.user(org, "owner")
    assert (
        client.post(
            f"/organiser/organisations/{org.id}/members/{second.id}/role", data={"role": "manager"}
        ).status_code
        == 302
    )


def test_only_owners_manage_members_and_ids_of_another_organisation_open_nothing(
    client, db, factory, login, switch
):
    org, owner = _owner_world(factory)
    other_org, other_owner = _owner_world(factory)
    foreign_invitation = services.invite(other_org, "x@example.org", "viewer", user=other_owner)
    foreign_member = factory.user(other_org, "manager")
    db.session.commit()
    for role in ("manager", "viewer", "checkin"):
        switch(factory.user(org, role))
        url = f"/organiser/organisations/{org.id}/invitations"
        assert client.post(url, data={"email": "z@example.org", "role": "owner"}).status_code == 404
    viewer = factory.user(org, "viewer")
    switch(viewer)
    page = client.get(f"/organiser/organisations/{org.id}/members")
    assert page.status_code == 200 and "Claire Owner" in page.get_data(as_text=True)
    assert owner.email not in page.get_data(as_text=True)  # read only: no addresses, no forms
    switch(owner)
    for url in (
        f"/organiser/organisations/{org.id}/invitations/{foreign_invitation.id}/revoke",
        f"/organiser/organisations/{org.id}/invitations/{foreign_invitation.id}/resend",
        f"/organiser/organisations/{org.id}/members/{foreign_member.id}/remove",
        f"/organiser/organisations/{org.id}/members/{foreign_member.id}/role",
        f"/organiser/organisations/{other_org.id}/members/{foreign_member.id}/remove",
    ):
        assert client.post(url, data={"role": "viewer"}).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Invitation, foreign_invitation.id).revoked_at is None
    assert db.session.get(User, foreign_member.id).memberships[0].role == "manager"


def test_old_invitations_are_purged(db, factory):
    org, owner = _owner_world(factory)
    old = services.invite(org, "old@example.org", "viewer", user=owner)
    fresh = services.invite(org, "fresh@example.org", "viewer", user=owner)
    old.expires_at = utcnow() - timedelta(days=services.INVITATION_KEEP_DAYS + 1)
    db.session.commit()
    assert services.purge_invitations() == 1
    db.session.commit()
    assert [i.id for i in db.session.scalars(select(Invitation))] == [fresh.id]


def test_the_retention_run_deletes_old_invitations(db, factory):
    from eventapp.privacy.retention import purge_expired

    org, owner = _owner_world(factory)
    old = services.invite(org, "old@example.org", "viewer", user=owner)
    fresh = services.invite(org, "fresh@example.org", "viewer", user=owner)
    old.expires_at = utcnow() - timedelta(days=services.INVITATION_KEEP_DAYS + 1)
    db.session.commit()
    purge_expired()
    assert [i.id for i in db.session.scalars(select(Invitation))] == [fresh.id]
