"""Command-line tools: `flask --app eventapp demo load`, `users create`, `mail send-pending`,
`worker`, `beat`, `run-all` (eventapp/jobs/cli.py)."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.jobs.cli import COMMANDS as JOB_COMMANDS
from eventapp.models import Membership, MembershipRole, Organisation, User
from eventapp.ops.cli import backup_command
from eventapp.privacy.cli import privacy_cli
from eventapp.services import audit

demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="Organiser accounts.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


@demo_cli.command("load")
@click.option("--reset-passwords", is_flag=True, help="Give the demo accounts new passwords.")
def demo_load(reset_passwords: bool) -> None:
    """Load the demo data (idempotent: a second run adds nothing)."""
    from eventapp.demo.loader import load

    with write_transaction():
        report = load(_credentials_file(), reset_passwords=reset_passwords)
    click.echo(
        f"Demo data: {report.organisations} organisations, {report.events} events, "
        f"{report.registrations} registrations added."
    )
    credentials = _credentials_file()
    if report.accounts:
        click.echo("Demo accounts (passwords shown once, also kept in instance/):")
        for email, role, password in report.accounts:
            click.echo(f"  {email:<42} {password:<16} {role}")
    if report.existing_accounts:
        click.echo(
            f"{report.existing_accounts} demo accounts already exist, unchanged. Their "
            f"passwords are in {credentials} (or run `demo load --reset-passwords`)."
        )


def _password_option(func):
    return click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 10 characters.",
    )(func)


def _check_password(password: str, user: User | None = None) -> None:
    from eventapp.services.accounts import AccountError, check_new_password

    try:
        check_new_password(password, user)
    except AccountError as error:
        with force_locale("en"):  # the operator's console speaks English
            reason = error.message
        raise click.BadParameter(reason, param_hint="password") from None


def _check_email(email: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="email") from None


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--organisation", "organisation_slug", help="Organisation slug, e.g. polepharma.")
@click.option("--role", type=click.Choice([r.value for r in MembershipRole]), default="manager")
@click.option("--admin", is_flag=True)
@_password_option
def users_create(email, name, organisation_slug, role, admin, password) -> None:
    """Create an organiser account (or an admin)."""
    email = _check_email(email.strip())
    _check_password(password)
    if password.strip().lower() == email:
        raise click.BadParameter(
            "the password cannot be the account's e-mail address", param_hint="password"
        )
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"an account already exists for {email}")
    organisation = None
    if organisation_slug:
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.slug == organisation_slug)
        )
        if organisation is None:
            raise click.ClickException(f"unknown organisation {organisation_slug!r}")
    elif not admin:
        raise click.ClickException("give --organisation (or --admin)")
    with write_transaction():
        user = User(email=email, name=name or email.split("@")[0], is_admin=admin)
        user.set_password(password)
        if organisation is not None:
            user.memberships.append(Membership(organisation=organisation, role=role))
        db.session.add(user)
        db.session.flush()
        audit.record(
            "user.created",
            actor="cli",
            organisation=organisation.slug if organisation else None,
            role=role if organisation else None,
            admin=admin,
            target_user_id=user.id,
        )
    click.echo(f"Created {email}" + (f" ({role} of {organisation.slug})" if organisation else ""))


@users_cli.command("set-password")
@click.option("--email", required=True)
@_password_option
def users_set_password(email, password) -> None:
    """Set an account's password (logs out its other sessions)."""
    from eventapp.services.accounts import change_password

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account for {email}")
    _check_password(password, user)
    with write_transaction():
        change_password(user, password, actor="cli")
    click.echo(f"Password changed for {user.email}")


@mail_cli.command("send-pending")
@click.option("--limit", default=1000, show_default=True)
def mail_send_pending(limit: int) -> None:
    """Send (or retry) every message still in the outbox."""
    from eventapp.services.mail import send_pending

    sent, failed = send_pending(limit=limit)
    click.echo(f"{sent} sent, {failed} failed (failed ones stay in the outbox).")
    if failed:
        raise SystemExit(1)


def register_cli(app) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(backup_command)
    for command in JOB_COMMANDS:  # worker, beat, run-all
        app.cli.add_command(command)
