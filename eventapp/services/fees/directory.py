"""An organisation's member directory: companies and institutions with their e-mail domains
(and SIREN), which give their staff the member rate. Companies, not people: no personal data."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import MemberCompany, Organisation, User
from eventapp.services import audit
from eventapp.services.fees.errors import FeeError

_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_LINES = 5000


def parse_domains(text: str) -> list[str] | None:
    """Domains from "a.fr b.com, c.org" (an @ in front is dropped); None if one is not one."""
    found = []
    for raw in re.split(r"[\s,;]+", (text or "").strip().lower()):
        raw = raw.lstrip("@")
        if not raw:
            continue
        if not _DOMAIN.match(raw):
            return None
        if raw not in found:
            found.append(raw)
    return found


def members(organisation: Organisation) -> list[MemberCompany]:
    return list(
        db.session.scalars(
            select(MemberCompany)
            .where(MemberCompany.organisation_id == organisation.id)
            .order_by(MemberCompany.name)
        )
    )


def upsert(organisation: Organisation, name: str, siren: str | None, domains: list[str]):
    name = " ".join(name.split())[:200]
    found = db.session.scalar(
        select(MemberCompany).where(
            MemberCompany.organisation_id == organisation.id, MemberCompany.name == name
        )
    )
    if found is None:
        found = MemberCompany(organisation_id=organisation.id, name=name)
        db.session.add(found)
    found.siren = siren or None
    found.domains = domains
    return found


def import_csv(organisation: Organisation, content: bytes, *, user: User) -> int:
    """Lines "name;siren;domains" (a header line is skipped; comma or semicolon). All or
    nothing: a bad line refuses the file with its number."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    dialect = ";" if text.count(";") >= text.count(",") else ","
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=dialect), start=1):
        if not any(cell.strip() for cell in row):
            continue
        if number == 1 and row and row[0].strip().lower() in ("name", "nom", "entreprise"):
            continue
        if len(rows) >= MAX_LINES or len(row) < 3:
            raise FeeError(FeeError.Code.DIRECTORY_FILE, field="file", line=number)
        name, siren, domains = row[0].strip(), re.sub(r"\s", "", row[1]), parse_domains(row[2])
        if (
            not name
            or domains is None
            or not domains
            or (siren and not re.fullmatch(r"\d{9}", siren))
        ):
            raise FeeError(FeeError.Code.DIRECTORY_FILE, field="file", line=number)
        rows.append((name, siren, domains))
    if not rows:
        raise FeeError(FeeError.Code.DIRECTORY_FILE, field="file", line=1)
    for name, siren, domains in rows:
        upsert(organisation, name, siren, domains)
    db.session.flush()
    audit.record("members.imported", user=user, organisation_id=organisation.id, count=len(rows))
    return len(rows)
