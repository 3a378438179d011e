"""Benchmark of the B2B meeting scheduler (issue 18): 500 participants, 2,000 accepted requests,
12 slots (two blocks of six 20-minute slots), 80 tables in two halls.

The data are seeded and shaped like a sector congress: a few very popular participants (the
large CDMOs and pharma groups everyone wants to meet) draw most requests, caps of 8 to 10
meetings, speakers and session-goers unavailable during their sessions, some who arrive late
or leave after lunch. The same problem is scheduled three ways: CP-SAT (the engine), the greedy
fallback alone, and the "first common free slot" baseline of b2match's quick schedule. Then a
re-run as the organiser does it (`unscheduled_only`): 60 meetings cancelled, 20 locked, the
other placements kept, 100 requests accepted since.

`python bench/b2b.py` prints the figures as the Markdown table of `make bench`; `run()` returns
them ({"runs": [...], "figures": {...}}) for bench/run.py.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import replace
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Run, markdown
from eventapp.services.b2b.scheduler import (
    UNSCHEDULED_ONLY,
    Assignment,
    Options,
    Participant,
    Problem,
    Request,
    Slot,
    Solution,
    Table,
    baseline_schedule,
    greedy_schedule,
    schedule,
    validate,
)

PEOPLE, REQUESTS, BLOCKS, SLOTS_PER_BLOCK, TABLES = 500, 2000, 2, 6, 80
TARGET_SECONDS = 60.0
TIME_LIMIT = 45.0  # the solver's budget: the run, model building included, stays under target
SEED = 18


def make_problem(
    seed: int = SEED, people: int = PEOPLE, requests: int = REQUESTS, tables: int = TABLES
) -> Problem:
    rng = random.Random(seed)
    slots = [
        Slot(f"b{b}s{i}", f"block{b}", i) for b in range(BLOCKS) for i in range(SLOTS_PER_BLOCK)
    ]
    halls = [Table(f"T{t + 1}", "Hall A" if t < tables // 2 else "Hall B") for t in range(tables)]
    blocks = [slots[b * SLOTS_PER_BLOCK : (b + 1) * SLOTS_PER_BLOCK] for b in range(BLOCKS)]
    participants, weights = [], []
    for p in range(people):
        unavailable: set[str] = set()
        roll = rng.random()
        if roll < 0.25:  # a session (speaker, or a talk they registered for): 2 or 3 slots
            block, length = rng.choice(blocks), rng.choice((2, 3))
            start = rng.randrange(SLOTS_PER_BLOCK - length + 1)
            unavailable = {s.id for s in block[start : start + length]}
        elif roll < 0.33:  # arrives late or leaves after lunch
            unavailable = {s.id for s in (blocks[0][:2] if rng.random() < 0.5 else blocks[1])}
        elif roll < 0.43:  # one declared absence
            unavailable = {rng.choice(slots).id}
        cap = rng.choice((8, 8, 9, 10, 10, 10))
        participants.append(Participant(f"p{p}", cap, frozenset(unavailable)))
        popularity = rng.random()
        weights.append(25 if popularity < 0.03 else 6 if popularity < 0.15 else 1)
    pairs: set[frozenset] = set()
    out = []
    while len(out) < requests:
        a = rng.randrange(people)
        b = rng.choices(range(people), weights)[0]
        if a == b or frozenset((a, b)) in pairs:
            continue
        pairs.add(frozenset((a, b)))
        out.append(Request(f"r{len(out)}", f"p{a}", f"p{b}"))
    return Problem(slots, halls, participants, out)


def rerun_problem(problem: Problem, first: Solution, seed: int = SEED) -> Problem:
    """The organiser's second run: 60 meetings cancelled (their requests withdrawn), 20 of the
    rest locked, the others kept, 100 more requests accepted since."""
    rng = random.Random(seed + 1)
    placements = list(first.placements)
    rng.shuffle(placements)
    cancelled = {p.request for p in placements[:60]}
    locked = {p.request: Assignment(p.slot, p.table) for p in placements[60:80]}
    existing = {p.request: Assignment(p.slot, p.table) for p in placements[80:]}
    pairs = {frozenset((r.a, r.b)) for r in problem.requests}
    ids = [p.id for p in problem.participants]
    extra = []
    while len(extra) < 100:
        a, b = rng.sample(ids, 2)
        if frozenset((a, b)) not in pairs:
            pairs.add(frozenset((a, b)))
            extra.append(Request(f"new{len(extra)}", a, b))
    kept = [r for r in problem.requests if r.id not in cancelled]
    return replace(problem, requests=[*kept, *extra], locked=locked, existing=existing)


def figures(problem: Problem, solution: Solution) -> dict:
    phases = [
        (p.name, p.status, p.objective, p.bound, round(p.seconds, 1)) for p in solution.phases
    ]
    return {
        "seconds": solution.wall_seconds,
        "placed": solution.placed,
        "upper_bound": solution.bounds.best,
        "solver_bound": solution.bounds.solver,
        "combinatorial_bound": solution.bounds.combinatorial,
        "bound_parts": dict(solution.bounds.parts),
        "idle_total": solution.gaps.total,
        "idle_max": solution.gaps.max_per_person,
        "idle_mean": solution.gaps.mean_per_person,
        "people_with_gaps": solution.gaps.people_with_gaps,
        "status": solution.status,
        "phases": phases,
        "unplaced_by_reason": dict(sorted(Counter(u.code for u in solution.unplaced).items())),
        "violations": len(validate(problem, solution)),
    }


def _lines(run: Run, f: dict, target: bool) -> None:
    """The figures of one method as report lines; `target`: the 60 s target applies."""
    line = partial(run.line, "b2b schedule")
    limit = f"< {TARGET_SECONDS:.0f} s" if target else "—"
    line(
        "schedule time",
        f"{f['seconds']:,.1f} s",
        limit,
        f["seconds"] < TARGET_SECONDS if target else None,
    )
    share = 100 * f["placed"] / f["upper_bound"] if f["upper_bound"] else 100.0
    line("placed / upper bound", f"{f['placed']:,} / {f['upper_bound']:,} ({share:.1f} %)")
    line("solver bound", "—" if f["solver_bound"] is None else f"{f['solver_bound']:,}")
    parts = ", ".join(f"{k} {v:,}" for k, v in f["bound_parts"].items())
    line("combinatorial bound", f"{f['combinatorial_bound']:,} (min of {parts})")
    line("idle slots: total", f"{f['idle_total']:,}")
    line("idle slots: max / mean per person", f"{f['idle_max']} / {f['idle_mean']:.2f}")
    line("people with an idle slot", f"{f['people_with_gaps']:,}")
    line("unplaced, by reason", ", ".join(f"{k} {v:,}" for k, v in f["unplaced_by_reason"].items()))
    line("rule violations", str(f["violations"]), "0", f["violations"] == 0)
    phases = "".join(f"; {n} {st} {o} (bound {b}) {s} s" for n, st, o, b, s in f["phases"])
    line("status", f["status"] + phases)


def run(time_limit: float = TIME_LIMIT, seed: int = SEED, tables: int = TABLES) -> dict:
    """Schedule the benchmark problem three ways, then re-run; returns the report's runs and
    the raw figures by method."""
    problem = make_problem(seed, tables=tables)
    options = Options(time_limit=time_limit)
    title = f"B2B scheduler ({PEOPLE} people, {REQUESTS:,} requests, 12 slots, {tables} tables)"
    print(f"b2b: {title}; CP-SAT time limit {time_limit:.0f} s", flush=True)
    results: dict[str, tuple[Problem, Solution]] = {}
    for label, method in (
        ("first free slot (b2match)", baseline_schedule),
        ("greedy fallback", greedy_schedule),
        ("CP-SAT", schedule),
    ):
        results[label] = (problem, method(problem, options))
        print(f"  {label}: {results[label][1].placed} meetings, {results[label][1].wall_seconds} s")
    second = rerun_problem(problem, results["CP-SAT"][1], seed)
    label = "CP-SAT re-run: 60 cancelled, 20 locked, rest kept, +100 requests"
    results[label] = (second, schedule(second, replace(options, mode=UNSCHEDULED_ONLY)))
    print(f"  {label}: {results[label][1].placed} meetings, {results[label][1].wall_seconds} s")
    runs, raw = [], {}
    for label, (prob, solution) in results.items():
        r = Run(title, label)
        raw[label] = r.figures = figures(prob, solution)
        _lines(r, r.figures, target=label.startswith("CP-SAT"))
        runs.append(r.as_dict())
    return {"runs": runs, "figures": raw}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--tables", type=int, default=TABLES)
    args = parser.parse_args()
    result = run(args.time_limit, args.seed, args.tables)
    print()
    print(markdown(result))
    misses = [c for r in result["runs"] for c in r["checks"] if c["pass"] is False]
    print(f"{len(misses)} target(s) missed.")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
