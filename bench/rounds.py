"""Rushes in interleaved rounds, so that a ratio compares two things measured side by side on a
machine whose load changes from minute to minute:

- `rush_rounds`: bare insert, rush, bare insert, rush, … (issue 21: the rush on the congress's
  real form ≥ 0.45 × the bare insert); each rush's ratio is taken against the mean of the two
  inserts around it;
- `question_rounds`: the rush without questions and the rush on the fifteen-question form
  (issue 12: ≥ 0.8 ×), in alternating order, each on a fresh event; the limited option must end
  with exactly its places taken, the refused answers exactly those who asked too late.

Each figure is the median over the rounds, with the lowest and highest.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench import harness, rush
from bench.report import Run, fmt_ms

CONCURRENCY = 32


@dataclass
class RushResult:
    forms: dict
    posts: dict
    check: dict


def insert_reference(server, count: int) -> dict:
    jobs = [("POST", "/bench/insert", b"", {"Content-Length": "0"})] * count
    responses, wall = harness.load(server, jobs, CONCURRENCY)
    return harness.summary(responses, wall)


def one_rush(
    server, env, event: dict, people: int, seats: int, concurrency: int = CONCURRENCY, refused=0
) -> RushResult:
    """`people` open the form of `event` ({slug, keys}) and submit it; then the database is
    compared with the answers (bench/rush.py: check)."""
    from bench.scenarios import sql

    slug = event["slug"]
    clients, forms = rush.open_forms(server, slug, people, concurrency, event["keys"])
    answers, posts = rush.submit_forms(server, slug, clients, concurrency, env["SECRET_KEY"])
    rows = [
        rush.Row(*row)
        for row in sql(
            env,
            "SELECT r.id, r.email, r.status FROM registration r JOIN event e "
            "ON e.id = r.event_id WHERE e.slug = :slug",
            slug=slug,
        )
    ]
    result = rush.check(rows, answers, seats, refused)
    # One e-mail per booking (each participant books for themself): the booking's e-mail.
    result["mails_queued"] = sql(
        env,
        "SELECT count(*) FROM outbox_message m JOIN event e ON e.id = m.event_id "
        "WHERE e.slug = :slug AND m.kind = 'booking.created'",
        slug=slug,
    )[0][0]
    result["option_holders"] = sql(
        env,
        "SELECT count(*) FROM answer_choice c JOIN question_option o ON o.id = c.option_id "
        "JOIN question q ON q.id = o.question_id JOIN event e ON e.id = q.event_id "
        "WHERE e.slug = :slug AND o.identifier = :option",
        slug=slug,
        option=rush.LIMITED,
    )[0][0]
    return RushResult(forms, posts, result)


def spread(values: list[float], digits: int = 2) -> str:
    """median (lowest–highest)"""
    if not values:
        return "—"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def _correct(results: list[RushResult]) -> tuple[str, bool]:
    keys = ("oversold", "lost", "duplicates", "server_errors")
    totals = {k: sum(r.check[k] for r in results) for k in keys}
    exact = all(r.check["exact"] for r in results)
    mails = all(r.check["mails_queued"] == r.check["rows"] for r in results)
    ok = all(rush.passed(r.check) for r in results) and mails
    value = (
        f"oversold {totals['oversold']}, lost {totals['lost']}, duplicates "
        f"{totals['duplicates']}, 5xx {totals['server_errors']}; exact counts: "
        f"{'yes' if exact else 'NO'}; one e-mail per booking: {'yes' if mails else 'NO'}"
    )
    return value, ok


def rush_rounds(server, run: Run, env, events: list[dict], people: int, seats: int, refs: int):
    """Insert, rush, insert, rush, …, insert: each rush between two references."""
    inserts = [insert_reference(server, refs)]
    results = []
    for event in events:
        results.append(one_rush(server, env, event, people, seats))
        inserts.append(insert_reference(server, refs))
    ratios, cpu_ratios = [], []
    for n, result in enumerate(results):
        around = (inserts[n]["rps"] + inserts[n + 1]["rps"]) / 2
        ratios.append(result.posts["rps"] / around if around else 0)
        cpu = (inserts[n]["server_cpu_ms"] + inserts[n + 1]["server_cpu_ms"]) / 2
        cpu_ratios.append(
            cpu / result.posts["server_cpu_ms"] if result.posts["server_cpu_ms"] else 0
        )
    run.figures["rush_rounds"] = {
        "inserts": inserts,
        "rushes": [{"forms": r.forms, "posts": r.posts, "check": r.check} for r in results],
        "ratios": ratios,
        "cpu_ratios": cpu_ratios,
    }
    label = (
        f"{people:,} people, {seats} seats, c={CONCURRENCY}, congress form, {len(results)} rounds"
    )
    posts = [r.posts for r in results]
    run.line(
        "Rush",
        f"bare insert POST /bench/insert between the rushes (c={CONCURRENCY})",
        f"{spread([i['rps'] for i in inserts], 0)} req/s; server CPU "
        f"{spread([i['server_cpu_ms'] for i in inserts])} ms/request",
    )
    run.line(
        "Rush",
        f"form pages GET ({label})",
        f"{spread([r.forms['rps'] for r in results], 0)} req/s, p99 "
        f"{spread([r.forms['p99_ms'] for r in results], 0)} ms",
    )
    median = statistics.median(ratios)
    run.line(
        "Rush",
        "registration POST throughput ÷ bare insert",
        f"{spread(ratios)} × ({spread([p['rps'] for p in posts], 0)} req/s); server CPU "
        f"{spread([p['server_cpu_ms'] for p in posts])} ms/POST, CPU ratio {spread(cpu_ratios)}",
        "≥ 0.45 × (median)",
        median >= 0.45,
    )
    run.line(
        "Rush",
        "registration POST latency p50 / p99",
        f"{spread([p['p50_ms'] for p in posts], 0)} / {spread([p['p99_ms'] for p in posts], 0)} ms",
        "p99 ≤ 250 ms (median)",
        statistics.median(p["p99_ms"] for p in posts) <= 250,
    )
    value, ok = _correct(results)
    run.line("Rush", "every round: database against the answers", value, "all 0, exact", ok)


def question_rounds(server, run: Run, env, events: dict, people: int, seats: int, limit: int):
    """The bare form and the fifteen-question form, alternating which goes first."""
    choosers = rush.limited_choosers(people)
    refused = max(choosers - limit, 0)
    bare, fifteen = [], []
    for n, (plain, asked) in enumerate(zip(events["none"], events["fifteen"], strict=True)):
        order = [("none", plain), ("fifteen", asked)]
        for form, event in order if n % 2 == 0 else reversed(order):
            if form == "none":
                bare.append(one_rush(server, env, event, people, seats))
            else:
                fifteen.append(one_rush(server, env, event, people, seats, refused=refused))
    ratios = [q.posts["rps"] / b.posts["rps"] for b, q in zip(bare, fifteen, strict=True)]
    cpu = [
        b.posts["server_cpu_ms"] / q.posts["server_cpu_ms"]
        for b, q in zip(bare, fifteen, strict=True)
    ]
    run.figures["question_rounds"] = {
        "none": [{"posts": r.posts, "check": r.check} for r in bare],
        "fifteen": [{"posts": r.posts, "check": r.check} for r in fifteen],
        "ratios": ratios,
    }
    run.line(
        "Questions",
        f"rush without questions ({people:,} people, {seats} seats, {len(bare)} rounds)",
        f"{spread([r.posts['rps'] for r in bare], 0)} req/s, p99 "
        f"{spread([r.posts['p99_ms'] for r in bare], 0)} ms; server CPU "
        f"{spread([r.posts['server_cpu_ms'] for r in bare])} ms/POST",
    )
    run.line(
        "Questions",
        "rush on 15 questions (3 conditional, workshop A limited): ÷ without",
        f"{spread(ratios)} × ({spread([r.posts['rps'] for r in fifteen], 0)} req/s, p99 "
        f"{spread([r.posts['p99_ms'] for r in fifteen], 0)} ms; server CPU "
        f"{spread([r.posts['server_cpu_ms'] for r in fifteen])} ms/POST, CPU ratio {spread(cpu)})",
        "≥ 0.8 × (median)",
        statistics.median(ratios) >= 0.8,
    )
    holders = [r.check["option_holders"] for r in fifteen]
    run.line(
        "Questions",
        f"workshop A ({limit} places, {choosers} ask for it): holders / refused",
        ", ".join(f"{r.check['option_holders']} / {r.check['refused_4xx']}" for r in fifteen),
        f"exactly {limit} / {refused}, 0 oversold",
        all(h == limit for h in holders)
        and all(r.check["refused_4xx"] == refused for r in fifteen),
    )
    value, ok = _correct(bare + fifteen)
    run.line("Questions", "every round: database against the answers", value, "all 0, exact", ok)


def fmt_p(result: dict) -> str:
    return f"p50 {fmt_ms(result['p50_ms'])}, p99 {fmt_ms(result['p99_ms'])}"
