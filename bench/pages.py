"""The pages people read (issue 21): the congress page, the tour page, the catalogue and the
programme page of the demo data, each against GET /healthz in the same run, in alternating
blocks (healthz, page, healthz, next page, …, for several rounds): a page's ratio is its
requests/s over the mean of the two /healthz blocks around it. Anonymous readers (no cookie),
as people arriving from a link or a search engine."""

from __future__ import annotations

import statistics

from bench import harness
from bench.report import Run
from bench.rounds import spread

CONCURRENCY = 32
CONGRESS = "congres-france-bioproduction-2026"
TOUR = "french-bioproduction-tour-2027"
PAGES = {
    "event page": f"/events/{CONGRESS}",
    "tour page": f"/events/{TOUR}",
    "catalogue": "/",
    "programme page": f"/events/{CONGRESS}/programme",
}
TARGET = 0.35


def _block(server, path: str, count: int) -> dict:
    jobs = [("GET", path, None, {"Accept-Language": "fr"})] * count
    responses, wall = harness.load(server, jobs, CONCURRENCY)
    result = harness.summary(responses, wall)
    result["not_200"] = sum(
        1 for r in responses if not isinstance(r, harness.Response) or r.status != 200
    )
    result["bytes"] = next((len(r.body) for r in responses if isinstance(r, harness.Response)), 0)
    return result


def pages(server, run: Run, requests: int, rounds: int = 3) -> None:
    health = [_block(server, "/healthz", requests)]
    per_page: dict[str, list[dict]] = {name: [] for name in PAGES}
    ratios: dict[str, list[float]] = {name: [] for name in PAGES}
    for _ in range(rounds):
        for name, path in PAGES.items():
            result = _block(server, path, requests)
            health.append(_block(server, "/healthz", requests))
            around = (health[-2]["rps"] + health[-1]["rps"]) / 2
            per_page[name].append(result)
            ratios[name].append(result["rps"] / around if around else 0)
    run.figures["pages"] = {"healthz": health, "pages": per_page, "ratios": ratios}
    run.line(
        "Pages",
        f"GET /healthz (c={CONCURRENCY}, {len(health)} blocks of {requests})",
        f"{spread([h['rps'] for h in health], 0)} req/s, p99 "
        f"{spread([h['p99_ms'] for h in health], 1)} ms; server CPU "
        f"{spread([h['server_cpu_ms'] for h in health])} ms/request",
    )
    for name, path in PAGES.items():
        results = per_page[name]
        errors = sum(r["not_200"] for r in results)
        value = (
            f"{spread(ratios[name])} × ({spread([r['rps'] for r in results], 0)} req/s, p99 "
            f"{spread([r['p99_ms'] for r in results], 0)} ms; server CPU "
            f"{spread([r['server_cpu_ms'] for r in results])} ms; "
            f"{results[0]['bytes'] / 1000:.1f} kB)"
        )
        if errors:
            value += f"; {errors} answers not 200"
        run.line(
            "Pages",
            f"{name} {path} ÷ /healthz",
            value,
            f"≥ {TARGET} × (median)",
            statistics.median(ratios[name]) >= TARGET and not errors,
        )
