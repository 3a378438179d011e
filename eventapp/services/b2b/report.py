"""What a run reports beside its placements (bounds, idle slots, why a request stayed out), and
`validate`, the independent check of every hard rule on a solution.

`validate` reads the Problem directly, not the indices the methods share, so a bug there cannot
hide itself. It returns the violations (an empty list when the solution keeps every rule):
unknown ids, a request placed twice or neither placed nor reported, a person or a table twice
in one slot, a meeting in a slot one of its people is unavailable, a person above their cap, a
locked meeting moved, and in unscheduled_only mode a kept placement moved without being
released.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import (
    BUSY,
    CAP_REACHED,
    NO_COMMON_SLOT,
    NO_TABLE,
    TIME_LIMIT,
    UNSCHEDULED_ONLY,
    Bounds,
    GapStats,
    Problem,
    Solution,
    Unplaced,
    Violation,
)
from .problem import Compiled, State, bits


def bounds(c: Compiled, solver: int | None) -> Bounds:
    """Counts no schedule can beat: every request, requests whose two people share an
    available slot, slots × tables, half the meetings the people can hold (each at most their
    cap, their available slots and their requests), and per slot the tables or half the people
    who could meet there."""
    shared = [c.avail[a] & c.avail[b] for a, b in map(c.pair, range(len(c.req_ids)))]
    degree: Counter = Counter()
    could_meet: dict[int, int] = defaultdict(int)  # person → slots where a request could be
    for r, mask in enumerate(shared):
        if mask:
            for p in c.pair(r):
                degree[p] += 1
                could_meet[p] |= mask
    people_per_slot = [sum(m >> s & 1 for m in could_meet.values()) for s in range(c.n_slots)]
    parts = {
        "requests": len(c.req_ids),
        "shared_slot": sum(1 for mask in shared if mask),
        "table_slots": c.n_slots * c.n_tables,
        "caps": sum(min(c.cap[p], could_meet[p].bit_count(), degree[p]) for p in could_meet) // 2,
        "per_slot": sum(min(c.n_tables, n // 2) for n in people_per_slot),
    }
    return Bounds(solver=solver, combinatorial=min(parts.values()), parts=parts)


def gap_stats(state: State) -> GapStats:
    idle = [state.idle(p) for p, n in enumerate(state.count) if n]
    return GapStats(
        total=sum(idle),
        max_per_person=max(idle, default=0),
        mean_per_person=sum(idle) / len(idle) if idle else 0.0,
        people_with_gaps=sum(1 for n in idle if n),
    )


def reasons(c: Compiled, state: State, stopped: bool) -> list[Unplaced]:
    """Why each request not placed stayed out, judged on the final schedule. `stopped`: the
    search ended at the time limit before proving that no schedule holds more meetings, so a
    request kept out by a choice (busy, no table) is reported as time_limit."""
    out = []
    for r in c.free:
        if r in state.slot_of:
            continue
        rid, (a, b) = c.req_ids[r], c.pair(r)
        shared = c.avail[a] & c.avail[b]
        capped = [p for p in (a, b) if c.has_cap[p] and state.count[p] >= c.cap[p]]
        free = shared & ~state.busy[a] & ~state.busy[b]
        if not shared:
            why = f"{c.person(a)} and {c.person(b)} are never available in the same slot."
            out.append(Unplaced(rid, NO_COMMON_SLOT, why))
            continue
        if capped:
            p = capped[0]
            why = f"{c.person(p)} already has their maximum of {c.cap[p]} meetings."
            out.append(Unplaced(rid, CAP_REACHED, why, c.person_ids[p]))
            continue
        if not free:
            code, why = BUSY, "in every slot where both are available, one has another meeting"
        elif not free & state.open:
            code, why = NO_TABLE, "every table is taken in the slots where both are free"
        else:
            raise RuntimeError(f"request {rid!r} fits in slot {next(bits(free & state.open))}")
        if stopped:
            code, why = TIME_LIMIT, f"the time limit ended the search ({why})"
        out.append(Unplaced(rid, code, why[0].upper() + why[1:] + "."))
    return out


def validate(problem: Problem, solution: Solution) -> list[Violation]:
    found: list[Violation] = []

    def bad(code: str, message: str, request=None) -> None:
        found.append(Violation(code, message, request))

    requests = {r.id: r for r in problem.requests}
    slots = {s.id for s in problem.slots}
    tables = {t.id for t in problem.tables}
    people = {p.id: p for p in problem.participants}
    seen: Counter = Counter()
    person_slot: dict[tuple, object] = {}
    table_slot: dict[tuple, object] = {}
    meetings: Counter = Counter()
    for pl in solution.placements:
        seen[pl.request] += 1
        if seen[pl.request] == 2:
            bad("placed_twice", f"request {pl.request!r} is placed more than once", pl.request)
        request = requests.get(pl.request)
        if request is None:
            bad("unknown_request", f"placement of unknown request {pl.request!r}", pl.request)
            continue
        if pl.slot not in slots or pl.table not in tables:
            bad("unknown_seat", f"request {pl.request!r}: unknown slot or table", pl.request)
            continue
        other = table_slot.get((pl.table, pl.slot))
        if other is not None:
            message = f"table {pl.table!r} hosts {other!r} and {pl.request!r} at {pl.slot!r}"
            bad("table_double_booked", message, pl.request)
        table_slot[pl.table, pl.slot] = pl.request
        for pid in (request.a, request.b):
            meetings[pid] += 1
            other = person_slot.get((pid, pl.slot))
            if other is not None:
                message = f"participant {pid!r} is in {other!r} and {pl.request!r} at {pl.slot!r}"
                bad("person_double_booked", message, pl.request)
            person_slot[pid, pl.slot] = pl.request
            if pl.slot in people[pid].unavailable:
                message = f"participant {pid!r} is unavailable in slot {pl.slot!r}"
                bad("unavailable", message, pl.request)
    for pid, n in meetings.items():
        cap = people[pid].cap
        if cap is not None and n > cap:
            bad("over_cap", f"participant {pid!r} has {n} meetings, above their cap of {cap}")

    placed = solution.by_request()
    released = {u.request for u in solution.released}
    must_stay = [("locked", rid, at) for rid, at in problem.locked.items()]
    if solution.mode == UNSCHEDULED_ONLY:  # an existing placement of a locked request: lock wins
        must_stay += [
            ("kept", rid, at)
            for rid, at in problem.existing.items()
            if rid not in problem.locked and rid not in released
        ]
    for what, rid, at in must_stay:
        pl = placed.get(rid)
        if pl is None or (pl.slot, pl.table) != (at.slot, at.table):
            bad(f"{what}_moved", f"{what} meeting {rid!r} is not at its slot and table", rid)

    reported = Counter(u.request for u in solution.unplaced)
    for rid in requests:
        if seen[rid] + reported[rid] != 1 and not seen[rid] > 1:
            bad("unaccounted", f"request {rid!r} must be either placed or reported unplaced", rid)
    return found
