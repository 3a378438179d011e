"""The public directory of the sector's organisations: an organisation lists itself through
one of its people (manage link), the public list filters by family, region and pole or cluster
membership, counts per region on the map, each organisation's page aggregates its people's
offers and needs with no personal data, organisers hide and feature entries."""

from __future__ import annotations

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import DirectoryEntry, MemberCompany, NetworkProfile
from eventapp.services.b2b import directory
from eventapp.services.b2b.directory import EntryData
from tests.b2b.helpers import join, link, open_b2b
from tests.support.races import race

EN = {"Accept-Language": "en"}


def _list_it(client, participant, **data):
    form = {"listed": "y", "sector": "bioproduction", "region": "idf", "website": "",
            "description": ""}  # fmt: skip
    form.update(data)
    return client.post(link(participant, "/directory"), data=form)


def _entry(name, *, sector="biotherapies", region="idf", listed=True, **kw) -> DirectoryEntry:
    """An entry written directly (the list's tests do not need its people)."""
    from eventapp.text import fold, slugify

    with write_transaction():
        entry = DirectoryEntry(
            slug=slugify(name), organisation_key=fold(name), name=name, category="biotech",
            sector=sector, region=region, listed=listed, hidden=kw.pop("hidden", False),
            featured=kw.pop("featured", False), description=kw.pop("description", ""),
            search_text=fold(name), **kw,
        )  # fmt: skip
        db.session.add(entry)
        db.session.flush()
        entry_id = entry.id
    return db.session.get(DirectoryEntry, entry_id)


def test_a_participant_lists_their_organisation_and_the_public_sees_it(client, factory):
    event = open_b2b(factory)
    me = join(factory, event, organisation="Yposkesi", category="cdmo",
              offers=["viral_vectors", "fill_finish"], needs=["recruitment"],
              email="claire.martin@yposkesi.com", last_name="Martin")  # fmt: skip
    page = client.get(link(me, "/directory"))
    assert page.status_code == 200
    assert 'value="bioproduction"' in page.get_data(as_text=True)  # a CDMO's family
    assert client.get("/directory").get_data(as_text=True).count("Yposkesi") == 0

    response = _list_it(client, me, website="https://www.yposkesi.com/fr",
                        description="CDMO de vecteurs viraux.")  # fmt: skip
    assert response.status_code == 302
    db.session.rollback()
    entry = db.session.scalar(select(DirectoryEntry))
    assert (entry.name, entry.domain, entry.listed) == ("Yposkesi", "yposkesi.com", True)

    public = client.get("/directory", headers=EN).get_data(as_text=True)
    assert "Yposkesi" in public and "Viral vectors" in public
    page = client.get(f"/directory/{entry.slug}", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "CDMO de vecteurs viraux." in text
    assert "Fill &amp; finish" in text and "Recruitment" in text
    assert event.title_fr in text or event.title_en in text  # where to meet them
    # No person on the public pages: neither the e-mail nor the name.
    for html in (public, text):
        assert "claire.martin" not in html and "Martin" not in html and "@" not in html


def test_unlisting_and_bad_input(client, factory):
    event = open_b2b(factory)
    me = join(factory, event, organisation="Genethon", category="academic")
    assert _list_it(client, me).status_code == 302
    refused = _list_it(client, me, website="javascript:alert(1)")
    assert refused.status_code == 400
    assert "https://" in refused.get_data(as_text=True)
    refused = _list_it(client, me, sector="nonsense")
    assert refused.status_code == 400
    assert _list_it(client, me, listed="").status_code == 302
    db.session.rollback()
    entry = db.session.scalar(select(DirectoryEntry))
    assert entry.listed is False
    assert client.get(f"/directory/{entry.slug}").status_code == 404
    assert client.get("/directory/" + "x" * 200).status_code == 404


def test_the_aggregate_counts_people_not_profiles_text(client, factory):
    event = open_b2b(factory)
    for n, offers in enumerate((["mabs"], ["mabs", "analytics"], ["analytics"])):
        join(factory, event, organisation="Sanofi", category="industrial", offers=offers,
             needs=["digital"], last_name=f"P{n}")  # fmt: skip
    someone = db.session.scalars(select(NetworkProfile)).first()
    with write_transaction():
        directory.save_own(
            db.session.get(NetworkProfile, someone.id),
            EntryData(sector="bioproduction", region="idf", website="", description="",
                      listed=True),
        )  # fmt: skip
    counts = directory.tags_of(["sanofi"])["sanofi"]
    assert counts.people == 3
    assert counts.offers == [("mabs", 2), ("analytics", 2)]
    assert counts.needs == [("digital", 3)]


def test_filters_by_family_region_text_and_membership(client, factory):
    medicen = factory.organisation(short_name="Medicen", name="Medicen Paris Region")
    lyon = factory.organisation(short_name="Lyonbiopôle", name="Lyonbiopôle")
    _entry("Abivax", region="idf")
    _entry("Yposkesi", sector="bioproduction", region="idf", website="https://yposkesi.com",
           domain="yposkesi.com")  # fmt: skip
    _entry("Novasep", sector="bioproduction", region="ara")
    _entry("Hidden Bio", region="ara", hidden=True)
    _entry("Unlisted Bio", region="ara", listed=False)
    with write_transaction():
        db.session.add_all([
            MemberCompany(organisation_id=medicen.id, name="ABIVAX", domains=["abivax.com"]),
            MemberCompany(organisation_id=medicen.id, name="Ypsk SAS", domains=["yposkesi.com"]),
            MemberCompany(organisation_id=lyon.id, name="Novasep", domains=["novasep.com"]),
        ])  # fmt: skip

    def names(query=""):
        html = client.get(f"/directory{query}", headers=EN).get_data(as_text=True)
        found = [n for n in ("Abivax", "Yposkesi", "Novasep", "Hidden Bio", "Unlisted Bio")
                 if f">{n}</a>" in html]  # fmt: skip
        return sorted(found), html

    assert names()[0] == ["Abivax", "Novasep", "Yposkesi"]
    assert names("?sector=bioproduction")[0] == ["Novasep", "Yposkesi"]
    assert names("?region=ara")[0] == ["Novasep"]
    assert names("?q=YPOSKÉSI")[0] == ["Yposkesi"]
    # Membership by the member's folded name (ABIVAX) or by its e-mail domain (yposkesi.com).
    assert names(f"?pole={medicen.id}")[0] == ["Abivax", "Yposkesi"]
    assert names(f"?pole={lyon.id}")[0] == ["Novasep"]
    assert names("?pole=999999&sector=zzz&region=mars&page=abc")[0] == [
        "Abivax", "Novasep", "Yposkesi"
    ]  # fmt: skip
    # The map's figures follow the other filters, not the region one.
    members = directory.memberships()
    assert directory.region_counts(directory.Filters(region="ara"), members) == {
        "idf": 2, "ara": 1
    }  # fmt: skip
    assert directory.region_counts(directory.Filters(sector="biotherapies"), members) == {
        "idf": 1
    }  # fmt: skip
    html = names()[1]
    assert 'aria-label="Île-de-France: 2 organisations"' in html


def test_the_list_paginates_in_sql_with_a_fixed_number_of_queries(client, factory, query_counter):
    for n in range(3):
        _entry(f"Bio {n:02d}")
    with query_counter() as few:
        assert client.get("/directory").status_code == 200
    for n in range(3, 60):
        _entry(f"Bio {n:02d}", region=("idf", "ara", "occ")[n % 3])
    with query_counter() as many:
        page = client.get("/directory?page=2")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ">Bio 24</a>" in text and ">Bio 47</a>" in text and ">Bio 23</a>" not in text
    assert len(many) == len(few)
    with query_counter() as entry_page:
        client.get("/directory/bio-05")
    assert len(entry_page) <= 6


def test_organisers_hide_and_feature_outsiders_cannot(client, factory, login):
    org = factory.organisation()
    manager = factory.user(org, role="manager")
    viewer = factory.user(factory.organisation(), role="viewer")
    first = _entry("Alpha Bio")
    last = _entry("Zeta Bio")
    login(manager)
    assert client.get("/organiser/directory").status_code == 200
    assert client.post(f"/organiser/directory/{last.id}/feature").status_code == 302
    assert client.post(f"/organiser/directory/{first.id}/hide").status_code == 302
    html = client.get("/directory").get_data(as_text=True)
    assert "Alpha Bio" not in html and "Zeta Bio" in html
    assert client.get(f"/directory/{first.slug}").status_code == 404
    hidden = client.get("/organiser/directory?state=hidden").get_data(as_text=True)
    assert "Alpha Bio" in hidden and "Zeta Bio" not in hidden
    assert client.post("/organiser/directory/999999/hide").status_code == 404
    assert client.post(f"/organiser/directory/{last.id}/delete").status_code == 404
    client.post("/auth/logout")
    login(viewer)
    assert client.get("/organiser/directory").status_code == 403
    assert client.post(f"/organiser/directory/{first.id}/show").status_code == 403
    db.session.rollback()
    assert db.session.get(DirectoryEntry, first.id).hidden is True


def test_a_hidden_entry_stays_hidden_when_its_people_save_it(client, factory):
    event = open_b2b(factory)
    me = join(factory, event, organisation="Exolab", category="techprovider")
    _list_it(client, me)
    with write_transaction():
        db.session.scalar(select(DirectoryEntry)).hidden = True
    assert _list_it(client, me, description="Encore").status_code == 302
    own = client.get(link(me, "/directory"), headers=EN).get_data(as_text=True)
    assert "hidden this entry" in own
    assert client.get("/directory").get_data(as_text=True).count("Exolab") == 0


def test_two_people_of_one_organisation_list_it_at_once(app, factory):
    event = open_b2b(factory)
    people = [join(factory, event, organisation="Cellforcure", category="cdmo",
                   last_name=f"N{n}") for n in range(4)]  # fmt: skip
    profile_ids = [p.profile_id for p in people]

    def work(n):
        with write_transaction():
            profile = db.session.get(NetworkProfile, profile_ids[n])
            directory.save_own(
                profile,
                EntryData(sector="bioproduction", region="cvl", website="",
                          description=f"by {n}", listed=True),
            )  # fmt: skip

    errors, _ = race(app, work, 4)
    assert errors == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry)) == 1


def test_the_curation_list_paginates_with_a_fixed_number_of_queries(
    client, factory, login, query_counter
):
    login(factory.user(factory.organisation(), role="manager"))
    for n in range(3):
        _entry(f"Cur {n:02d}", listed=n % 2 == 0)
    with query_counter() as few:
        assert client.get("/organiser/directory").status_code == 200
    for n in range(3, 120):
        _entry(f"Cur {n:02d}", listed=n % 2 == 0)
    with query_counter() as many:
        page = client.get("/organiser/directory?page=2&state=")
    assert page.status_code == 200 and ">Cur 50<" in page.get_data(as_text=True)
    assert len(many) == len(few)
    listed = client.get("/organiser/directory?state=unlisted&q=cur").get_data(as_text=True)
    assert "Cur 01" in listed and "Cur 02" not in listed
