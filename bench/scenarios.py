"""The scenarios of `make bench` (issue 5) and their targets.

For each database, each server configuration (2 sync workers; gthread 2×8) is started on the
same freshly seeded data and measured against references taken in the same run:
references (GET /healthz, the bare insert), the rush, big lists, dashboard statement counts,
exports and badges. Every figure goes into a list of lines {scenario, figure, target, value,
pass}; `markdown()` prints them as one table per database.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from http.client import HTTPConnection
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench import harness, rounds
from bench.lighthouse import lighthouse
from bench.opening import opening
from bench.pages import pages
from bench.report import Run, fmt_mb, fmt_ms, fmt_rps

SERVERS = (("sync", 2, 1), ("gthread", 2, 8))
# What docs/deploy.md recommends for 2 cores (and `make serve` runs): the opening runs on it.
RECOMMENDED = SERVERS[0]
SCENARIOS = (
    "references", "rush", "questions", "opening", "pages", "lighthouse", "memory", "lists",
    "counts", "badges", "exports",
)  # fmt: skip
IDLE_RSS_MB = 90
CONCURRENCY = 32  # the rush and the references
PAGE_CONCURRENCY = 2  # two organisers at work at once (one per worker)


@dataclass(frozen=True)
class Volumes:
    people: int  # rush participants
    seats: int  # rush capacity
    big: int  # registrations of the big list
    references: int  # requests per reference
    page_requests: int  # requests per list page
    badges: int
    rounds: int = 3  # interleaved rounds of the rush and of the question rush
    limit: int = 80  # places of the fifteen-question form's workshop A (100 ask for it)
    opening: int = 5000  # people at the opening
    opening_seats: int = 500
    reads: int = 400  # requests per block of the pages people read


FULL = Volumes(people=2000, seats=500, big=100_000, references=1000, page_requests=120, badges=500)
QUICK = Volumes(people=200, seats=50, big=5_000, references=300, page_requests=20, badges=50,
                rounds=2, limit=8, opening=500, opening_seats=50, reads=150)  # fmt: skip


def volumes(quick: bool, **overrides) -> Volumes:
    """FULL or QUICK, with any of its numbers replaced (`--people 500`: a loaded machine).
    The fifteen-question form's limited workshop gets a fifth fewer places than people ask
    for it, so that some are refused."""
    from dataclasses import replace

    from bench.rush import limited_choosers

    vol = replace(QUICK if quick else FULL, **{k: v for k, v in overrides.items() if v})
    if overrides.get("people") and not overrides.get("seats"):
        vol = replace(vol, seats=max(vol.people // 4, 1))
    choosers = limited_choosers(vol.people)
    return replace(vol, limit=max(choosers - max(choosers // 5, 1), 1))


# --- plumbing ---------------------------------------------------------------------------------


def seed(env: dict[str, str], vol: Volumes) -> dict:
    args = {"big": vol.big, "servers": len(SERVERS), "seats": vol.seats, "badges": vol.badges,
            "rounds": vol.rounds, "limit": vol.limit, "opening": vol.opening_seats}  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(harness.ROOT / "bench" / "seed.py"), json.dumps(args)],
        cwd=harness.ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def sql(env: dict[str, str], statement: str, **params) -> list[tuple]:
    """Read the benchmark database directly (checks after the rush, list sizes)."""
    engine = create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(statement), params)]
    finally:
        engine.dispose()


def login(target, email: str, password: str) -> str:
    """Log in through the real form (CSRF token included); returns the session cookie."""
    conn = HTTPConnection("127.0.0.1", target.port, timeout=60)
    try:
        page = harness.request(conn, "GET", "/auth/login")
        body = urlencode(
            {"csrf_token": harness.csrf_token(page.body), "email": email, "password": password}
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": harness.session_cookie(page),
        }
        answer = harness.request(conn, "POST", "/auth/login", body, headers)
    finally:
        conn.close()
    if answer.status != 302 or not harness.session_cookie(answer):
        raise RuntimeError(f"login of {email} failed ({answer.status})")
    return harness.session_cookie(answer)


def get_many(target, path: str, cookie: str, count: int, concurrency: int) -> dict:
    jobs = [("GET", path, None, {"Cookie": cookie})] * count
    responses, wall = harness.load(target, jobs, concurrency)
    result = harness.summary(responses, wall)
    result["not_200"] = sum(
        1 for r in responses if not isinstance(r, harness.Response) or r.status != 200
    )
    return result


def get_one(target, path: str, cookie: str = "") -> harness.Response:
    conn = HTTPConnection("127.0.0.1", target.port, timeout=300)
    try:
        return harness.request(conn, "GET", path, headers={"Cookie": cookie} if cookie else {})
    finally:
        conn.close()


# --- references -------------------------------------------------------------------------------


def references(server, run: Run, vol: Volumes) -> dict:
    health = get_many(server, "/healthz", "", vol.references, CONCURRENCY)
    jobs = [("POST", "/bench/insert", b"", {"Content-Length": "0"})] * vol.references
    responses, wall = harness.load(server, jobs, CONCURRENCY)
    insert = harness.summary(responses, wall)
    run.figures["references"] = {"healthz": health, "insert": insert}
    for name, result in (("GET /healthz", health), ("bare insert POST /bench/insert", insert)):
        run.line(
            "Reference",
            f"{name} (c={CONCURRENCY})",
            f"{fmt_rps(result['rps'])}, p99 {fmt_ms(result['p99_ms'])}, {result['errors']} errors; "
            f"server CPU {result['server_cpu_ms']:.1f} ms/request",
        )
    return insert


# --- big lists --------------------------------------------------------------------------------


def _live(env, event_id: int) -> int:
    return sql(
        env,
        "SELECT count(*) FROM registration WHERE event_id = :id AND status != 'cancelled'",
        id=event_id,
    )[0][0]


LIST_VARIANTS = ("first page", "middle page", "last page", "search", "filter")


def _list_paths(event_id: int, live: int) -> dict[str, str]:
    pages = max((live + 49) // 50, 1)
    base = f"/organiser/events/{event_id}/attendees"
    return {
        "first page": base,
        "middle page": f"{base}?page={max(pages // 2, 1)}",
        "last page": f"{base}?page={pages}",
        "search": f"{base}?q=dubois",
        "filter": f"{base}?category=biotech&checked_in=yes",
    }


def big_lists(server, run: Run, env, data: dict, vol: Volumes, cookies: dict) -> None:
    """Each page at 100,000 and at 100 registrations, requests alternating between the two
    (so both sizes see the same machine: a noisy neighbour hits both, not one)."""
    paths = {}
    for key in ("big", "small"):
        event = data[key]
        paths[key] = _list_paths(event["id"], _live(env, event["id"]))
        paths[key]["dashboard"] = "/organiser/"
    # Warm-up, not measured: the first requests of a page read its index pages from disk
    # into the database's cache, as a live server has them in memory already.
    warm = [
        ("GET", paths[key][name], None, {"Cookie": cookies[user]})
        for name in paths["big"]
        for key, user in (("big", "manager"), ("small", "small"))
    ]
    harness.load(server, warm * 3, PAGE_CONCURRENCY)
    sizes = {"big": {}, "small": {}}
    for name in paths["big"]:
        jobs = []
        for _ in range(vol.page_requests):
            for key, user in (("big", "manager"), ("small", "small")):
                jobs.append(("GET", paths[key][name], None, {"Cookie": cookies[user]}))
        responses, wall = harness.load(server, jobs, PAGE_CONCURRENCY)
        for offset, key in enumerate(("big", "small")):
            mine = responses[offset::2]
            result = harness.summary(mine, wall)
            result["not_200"] = sum(
                1 for r in mine if not isinstance(r, harness.Response) or r.status != 200
            )
            sizes[key][name] = result
    run.figures["lists"] = sizes
    big_n, small_n = f"{data['big']['registrations']:,}", f"{data['small']['registrations']:,}"
    for name in (*LIST_VARIANTS, "dashboard"):
        big, small = sizes["big"][name], sizes["small"][name]
        ratio = big["p99_ms"] / small["p99_ms"] if small["p99_ms"] else float("inf")
        value = (
            f"{big_n}: {big['p50_ms']:.0f} / {fmt_ms(big['p99_ms'])}; {small_n}: "
            f"{small['p50_ms']:.0f} / {fmt_ms(small['p99_ms'])}; p99 ratio {ratio:.1f}"
        )
        errors = big["not_200"] + small["not_200"]
        if errors:
            value += f"; {errors} answers not 200"
        if name in LIST_VARIANTS:
            run.line("Big lists", f"attendee list, {name}: p50 / p99", value,
                     "p99 ratio ≤ 3", ratio <= 3 and not errors)  # fmt: skip
        else:
            run.line("Big lists", f"{name}: p50 / p99", value, "all 200", not errors)


# --- dashboard statement counts ---------------------------------------------------------------


def counts(server, run: Run, cookies: dict) -> None:
    result = {}
    for user, events in (("manager", 10), ("many", 200)):
        response = get_one(server, "/organiser/", cookies[user])
        shown = len(set(re.findall(rb"Bench [a-z][\w-]*", response.body)))  # event titles
        result[events] = {
            "status": response.status,
            "statements": int(response.headers.get("X-SQL-Statements", -1)),
            "events_shown": shown,
        }
    run.figures["counts"] = result
    few, many = result[10], result[200]
    run.line(
        "Counts",
        "dashboard SQL statements, 10 events / 200 events",
        f"{few['statements']} / {many['statements']} (events shown: {few['events_shown']} / "
        f"{many['events_shown']})",
        "equal",
        few["statements"] == many["statements"]
        and few["status"] == many["status"] == 200
        and many["events_shown"] >= 200,
    )


# --- badges -----------------------------------------------------------------------------------


def badges(server, run: Run, data: dict, cookies: dict) -> None:
    """The badges PDF of an event's confirmed attendees (A4 sheets of 8, cut marks)."""
    import pypdfium2

    event = data["badges"]
    path = f"/organiser/events/{event['id']}/badges.pdf?layout=a4&lang=fr"
    with harness.PeakRss(server) as rss:
        response = get_one(server, path, cookies["manager"])
    pages = 0
    if response.status == 200 and response.body.startswith(b"%PDF"):
        document = pypdfium2.PdfDocument(response.body)
        pages = len(document)
        document.close()
    expected = -(-event["confirmed"] // 8)
    run.figures["badges"] = {
        "status": response.status,
        "seconds": round(response.seconds, 2),
        "bytes": len(response.body),
        "pages": pages,
        "rss_growth_mb": round(rss.growth_mb, 1),
    }
    run.line(
        "Badges",
        f"{event['confirmed']} badges PDF (A4, 8 a page): time, size",
        f"{response.seconds:.2f} s, {len(response.body) / 1e6:.2f} MB, {pages} pages, "
        f"worker RSS +{fmt_mb(rss.growth_mb)}",
        f"complete ({expected} pages)",
        response.status == 200 and pages == expected,
    )


# --- exports ----------------------------------------------------------------------------------


def _xlsx_rows(body: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        count = 0
        with archive.open(sheet) as handle:
            tail = b""
            while chunk := handle.read(1 << 20):
                count += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]
        return count


def exports(env, run: Run, data: dict, worker_class, workers, threads) -> None:
    """Each export on a freshly started server: its workers are idle and warmed up (logged
    in, the export code loaded by an empty export), so the growth is the export's own."""
    event = data["big"]
    expected = data["big"]["registrations"]
    base = f"/organiser/events/{event['id']}/attendees/export"
    result = {}
    for fmt in ("csv", "xlsx"):
        with harness.Server(env, worker_class, workers, threads) as server:
            cookie = login(server, data["users"]["manager"], data["password"])
            warm = f"{base}.{fmt}?q=no-such-person-zzz&status=all"
            get_many(server, warm, cookie, 8, PAGE_CONCURRENCY)
            with harness.PeakRss(server) as rss:
                response = get_one(server, f"{base}.{fmt}?status=all", cookie)
            if fmt == "csv":
                rows = response.body.count(b"\r\n") - 1
            else:
                rows = _xlsx_rows(response.body) - 1 if response.status == 200 else 0
            result[fmt] = {
                "status": response.status,
                "seconds": round(response.seconds, 2),
                "bytes": len(response.body),
                "rows": rows,
                "rss_growth_mb": round(rss.growth_mb, 1),
                "idle_rss_mb": round(max(rss.idle.values()) / 1024, 1),
            }
    run.figures["exports"] = result
    for fmt, limit in (("csv", 5.0), ("xlsx", None)):
        item = result[fmt]
        complete = item["status"] == 200 and item["rows"] == expected
        label = fmt.upper()
        run.line(
            "Exports",
            f"{label} of {expected:,} rows: time to last byte",
            f"{item['seconds']:.2f} s, {item['bytes'] / 1e6:.1f} MB, {item['rows']:,} rows",
            f"≤ {limit:.0f} s" if limit else "complete",
            complete and (limit is None or item["seconds"] <= limit),
        )
        run.line(
            "Exports",
            f"{label}: peak RSS growth of the worker",
            f"{fmt_mb(item['rss_growth_mb'])} (idle {fmt_mb(item['idle_rss_mb'])})",
            "≤ 50 MB",
            item["rss_growth_mb"] <= 50,
        )


# --- driver -----------------------------------------------------------------------------------


def run_all(
    kind: str,
    env: dict[str, str],
    data: dict,
    vol: Volumes = FULL,
    only: set[str] = frozenset(SCENARIOS),
    servers=SERVERS,
) -> list[dict]:
    runs = []
    for worker_class, workers, threads in servers:
        index = SERVERS.index((worker_class, workers, threads))
        with harness.Server(env, worker_class, workers, threads) as server:
            run = Run(kind, server.label)

            def step(name: str) -> bool:
                if name in only:
                    print(f"-- {harness.elapsed()} {kind}, {server.label}: {name}", flush=True)
                return name in only

            if step("memory"):
                idle = [harness.rss_kib(pid) / 1024 for pid in server.worker_pids()]
                run.figures["idle_rss_mb"] = idle
                run.line("Memory", "idle RSS of a gunicorn worker (after 50 GET /healthz)",
                         ", ".join(fmt_mb(mb) for mb in idle), f"≤ {IDLE_RSS_MB} MB",
                         max(idle) <= IDLE_RSS_MB)  # fmt: skip
            if step("references"):
                references(server, run, vol)
            events = data["rush"][index]
            if step("rush"):
                rounds.rush_rounds(server, run, env, events["congress"], vol.people, vol.seats,
                                   vol.references)  # fmt: skip
            if step("questions"):
                rounds.question_rounds(server, run, env, events, vol.people, vol.seats, vol.limit)
            if step("pages"):
                pages(server, run, vol.reads, rounds=vol.rounds)
            if (worker_class, workers, threads) == RECOMMENDED and step("lighthouse"):
                lighthouse(server, run, env)
            cookies = {
                user: login(server, email, data["password"])
                for user, email in data["users"].items()
            }
            if step("lists"):
                big_lists(server, run, env, data, vol, cookies)
            if step("counts"):
                counts(server, run, cookies)
            if step("badges"):
                badges(server, run, data, cookies)
        # Exports stream from one worker whatever its class: measured once per database, on
        # fresh sync workers (each export starts its own server, so it takes a few seconds).
        if index == 0 and step("exports"):
            exports(env, run, data, worker_class, workers, threads)
        # The opening: once per database, on the recommended configuration, with its own
        # gunicorn (e-mail on), Celery worker and SMTP server.
        if (worker_class, workers, threads) == RECOMMENDED and step("opening"):
            opening(env, run, data["opening"], vol.opening, vol.opening_seats, RECOMMENDED)
        runs.append(run.as_dict())
    return runs
