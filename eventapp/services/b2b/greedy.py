"""The two greedy schedules and the table seating every method shares.

- `first_free_slot`: the baseline, b2match's quick schedule: requests in their order, each to
  the earliest slot where both people are available and free, a table is left and neither is
  at their cap. Kept as is for the benchmark's comparison.
- `compact`: the fallback when CP-SAT is missing or finds nothing in time, and the repair pass
  after it: requests by priority, then (with `pressure`) those of the least over-asked people
  first, then the hardest first (fewest slots the two share), each to the slot that adds the
  fewest idle slots to the two people, next to their other meetings where possible. The
  fallback runs both orders and keeps the better. All are maximal: a request left out fits
  nowhere when its turn comes.
- `seat`: tables are interchangeable, so slots are chosen first and tables given after, slot
  by slot: fixed meetings keep their table, then a person keeps the table they had in the
  previous slot of the block where it is free, then a table in the same room, then the first.
"""

from __future__ import annotations

from .problem import Compiled, State, bits


def first_free_slot(c: Compiled, state: State) -> State:
    for r in c.free:
        mask = state.free_slots(r)
        if mask:
            state.place(r, (mask & -mask).bit_length() - 1)
    return state


def compact(
    c: Compiled, state: State, requests: list[int] | None = None, pressure: bool = False
) -> State:
    """`pressure`: requests of over-asked people (many requests for their cap) last, so their
    few places go to requests that have no other chance; otherwise the hardest to fit first."""
    pending = c.free if requests is None else requests
    asked = [0] * len(c.person_ids)
    for r in pending:
        if c.avail[c.req_a[r]] & c.avail[c.req_b[r]]:
            for p in c.pair(r):
                asked[p] += 1

    def order(r: int):
        shared = (c.avail[c.req_a[r]] & c.avail[c.req_b[r]]).bit_count()
        over = max(asked[p] / max(c.cap[p], 1) for p in c.pair(r)) if pressure else 0
        return -c.prio[r], over, shared

    for r in sorted(pending, key=order):
        if r in state.slot_of:
            continue
        mask = state.free_slots(r)
        if mask:
            state.place(r, min(bits(mask), key=lambda s, r=r: _cost(c, state, r, s)))
    return state


def _cost(c: Compiled, state: State, r: int, s: int) -> tuple[int, int, int]:
    """Idle slots the meeting adds to its two people, then minus the neighbouring meetings it
    joins (a run grows rather than a new one starting), then the slot's load."""
    added = joined = 0
    block = c.block_mask[c.block_of[s]]
    for p in c.pair(r):
        busy = state.busy[p]
        added += state.idle(p, busy | 1 << s) - state.idle(p, busy)
        joined += bool(busy & block & (1 << s + 1 | 1 << s >> 1))
    return added, -joined, state.load[s]


def seat(c: Compiled, state: State) -> dict[int, int]:
    """A table for every placed request: request → table index."""
    table_of = {r: t for r, (_s, t, _origin) in c.fixed.items()}
    by_slot: list[list[int]] = [[] for _ in range(c.n_slots)]
    for r, s in sorted(state.slot_of.items()):
        if r not in table_of:
            by_slot[s].append(r)
    for block in c.blocks:
        previous: dict[int, int] = {}  # person → table in the previous slot of the block
        for s in block:
            now: dict[int, int] = {}
            taken = set()
            for r, (fs, t, _origin) in c.fixed.items():
                if fs == s:
                    taken.add(t)
                    now.update(dict.fromkeys(c.pair(r), t))
            left = []
            for r in by_slot[s]:
                same = [previous[p] for p in c.pair(r) if previous.get(p) not in (None, *taken)]
                if same:
                    table_of[r] = same[0]
                    taken.add(same[0])
                else:
                    left.append(r)
            free = [t for t in range(c.n_tables) if t not in taken]
            for r in left:
                rooms = {c.table_room[previous[p]] for p in c.pair(r) if p in previous} - {None}
                t = next((t for t in free if c.table_room[t] in rooms), free[0])
                free.remove(t)
                table_of[r] = t
            for r in by_slot[s]:
                now.update(dict.fromkeys(c.pair(r), table_of[r]))
            previous = now
    return table_of
