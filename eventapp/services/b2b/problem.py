"""The problem checked and turned into indices, and the schedule state the methods share.

Rule enforced here: the input must itself respect the hard rules. Unknown ids, a request
with itself, two locked meetings in one seat (person or table, one slot), a locked meeting in
a slot one of its two people is unavailable or above their cap raise `InvalidProblem` (the
organiser must unlock or fix it: a lock is never moved silently). Existing unlocked placements
(unscheduled_only mode) that no longer fit are released and placed again, each with a reason.

Indices: slots 0..S-1 in time order (blocks in order of first appearance, then position),
participants, tables and requests in input order. Sets of slots are int bit masks.
"""

from __future__ import annotations

from collections import Counter

from .model import (
    CLASH,
    GONE,
    MODES,
    NOW_UNAVAILABLE,
    OVER_CAP,
    UNSCHEDULED_ONLY,
    InvalidProblem,
    Options,
    Problem,
    Unplaced,
)


def bits(mask: int):
    """The indices of the set bits of `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _duplicates(ids) -> list:
    return [key for key, n in Counter(ids).items() if n > 1]


class Compiled:
    """A checked problem in indices. `fixed` are the placements kept as they are (locked, and
    existing ones in unscheduled_only mode): request → (slot, table, origin); `free` the
    requests to place, in input order."""

    def __init__(self, problem: Problem, options: Options):
        issues = _check_shape(problem, options)
        if issues:
            raise InvalidProblem(issues)
        self.mode = options.mode
        order = list(dict.fromkeys(slot.block for slot in problem.slots))
        slots = sorted(problem.slots, key=lambda s: (order.index(s.block), s.position))
        self.slot_ids = [slot.id for slot in slots]
        self.slot_index = {sid: i for i, sid in enumerate(self.slot_ids)}
        self.n_slots = len(slots)
        self.all_mask = (1 << self.n_slots) - 1
        self.blocks = [[i for i, s in enumerate(slots) if s.block == b] for b in order]
        self.block_of = [order.index(s.block) for s in slots]
        self.block_mask = [sum(1 << i for i in block) for block in self.blocks]

        self.table_ids = [t.id for t in problem.tables]
        self.table_index = {tid: i for i, tid in enumerate(self.table_ids)}
        self.table_room = [t.room for t in problem.tables]
        self.n_tables = len(self.table_ids)

        self.person_ids = [p.id for p in problem.participants]
        self.person_index = {pid: i for i, pid in enumerate(self.person_ids)}
        # No cap means at most one meeting per slot, which the slots already enforce.
        self.cap = [self.n_slots if p.cap is None else p.cap for p in problem.participants]
        self.has_cap = [p.cap is not None for p in problem.participants]
        self.avail = [
            self.all_mask & ~sum(1 << self.slot_index[s] for s in p.unavailable)
            for p in problem.participants
        ]

        self.req_ids = [r.id for r in problem.requests]
        self.req_index = {rid: i for i, rid in enumerate(self.req_ids)}
        self.req_a = [self.person_index[r.a] for r in problem.requests]
        self.req_b = [self.person_index[r.b] for r in problem.requests]
        self.prio = [r.priority for r in problem.requests]

        self.fixed: dict[int, tuple[int, int, str]] = {}
        self.released: list[Unplaced] = []
        issues = self._fix_locked(problem)
        if issues:
            raise InvalidProblem(issues)
        if options.mode == UNSCHEDULED_ONLY:
            self._keep_existing(problem)
        self.free = [r for r in range(len(self.req_ids)) if r not in self.fixed]

    def person(self, p: int) -> str:
        return f"participant {self.person_ids[p]}"

    def pair(self, r: int) -> tuple[int, int]:
        return self.req_a[r], self.req_b[r]

    def _fix_locked(self, problem: Problem) -> list[str]:
        issues = []
        seats: dict[tuple, object] = {}
        count = [0] * len(self.person_ids)
        for rid, at in problem.locked.items():
            if rid not in self.req_index:
                issues.append(f"locked meeting {rid!r}: no such request")
                continue
            if at.slot not in self.slot_index or at.table not in self.table_index:
                issues.append(f"locked meeting {rid!r}: unknown slot or table")
                continue
            r, s, t = self.req_index[rid], self.slot_index[at.slot], self.table_index[at.table]
            for p in self.pair(r):
                if not self.avail[p] >> s & 1:
                    issues.append(f"locked meeting {rid!r}: {self.person(p)} is unavailable")
                count[p] += 1
            for seat in (("person", self.req_a[r], s), ("person", self.req_b[r], s), ("t", t, s)):
                if seat in seats:
                    issues.append(f"locked meetings {seats[seat]!r} and {rid!r} share a seat")
                seats[seat] = rid
            self.fixed[r] = (s, t, "locked")
        issues += [
            f"locked meetings put {self.person(p)} over their cap of {self.cap[p]}"
            for p, n in enumerate(count)
            if n > self.cap[p]
        ]
        return issues

    def _keep_existing(self, problem: Problem) -> None:
        """Keep each existing placement that still fits, in input order; release the rest."""
        busy = [0] * len(self.person_ids)
        count = [0] * len(self.person_ids)
        tables: set[tuple[int, int]] = set()
        for r, (s, t, _origin) in self.fixed.items():
            for p in self.pair(r):
                busy[p] |= 1 << s
                count[p] += 1
            tables.add((t, s))
        for rid, at in problem.existing.items():
            if rid not in self.req_index:
                raise InvalidProblem([f"existing meeting {rid!r}: no such request"])
            r = self.req_index[rid]
            if r in self.fixed:
                continue  # locked: the lock wins
            a, b = self.pair(r)
            s, t = self.slot_index.get(at.slot), self.table_index.get(at.table)
            if s is None or t is None:
                code, why = GONE, "its slot or table no longer exists"
            elif not self.avail[a] >> s & 1 or not self.avail[b] >> s & 1:
                code, why = NOW_UNAVAILABLE, "one of the two is now unavailable at that time"
            elif (busy[a] | busy[b]) >> s & 1 or (t, s) in tables:
                code, why = CLASH, "a locked or kept meeting took that person or table"
            elif count[a] >= self.cap[a] or count[b] >= self.cap[b]:
                code, why = OVER_CAP, "one of the two would be above their cap"
            else:
                self.fixed[r] = (s, t, "kept")
                for p in (a, b):
                    busy[p] |= 1 << s
                    count[p] += 1
                tables.add((t, s))
                continue
            self.released.append(Unplaced(rid, code, f"Released meeting {rid!r}: {why}."))


def _check_shape(problem: Problem, options: Options) -> list[str]:
    issues = []
    if options.mode not in MODES:
        issues.append(f"unknown mode {options.mode!r}")
    if not options.time_limit > 0:
        issues.append("the time limit must be positive")
    if options.workers < 1:
        issues.append("at least one worker")
    for what, items in (
        ("slot", problem.slots),
        ("table", problem.tables),
        ("participant", problem.participants),
        ("request", problem.requests),
    ):
        issues += [f"duplicate {what} id {key!r}" for key in _duplicates(i.id for i in items)]
    issues += [
        f"two slots at position {pos!r} of block {block!r}"
        for block, pos in _duplicates((s.block, s.position) for s in problem.slots)
    ]
    slot_ids = {s.id for s in problem.slots}
    for p in problem.participants:
        if p.cap is not None and p.cap < 0:
            issues.append(f"participant {p.id!r}: negative cap")
        unknown = set(p.unavailable) - slot_ids
        if unknown:
            issues.append(f"participant {p.id!r}: unavailable in unknown slots {sorted(unknown)}")
    people = {p.id for p in problem.participants}
    for r in problem.requests:
        if r.a not in people or r.b not in people:
            issues.append(f"request {r.id!r}: unknown participant")
        elif r.a == r.b:
            issues.append(f"request {r.id!r}: a meeting needs two people")
    return issues


class State:
    """A schedule being built: who is busy when, how many meetings each person and each slot
    has. Starts with the fixed placements."""

    def __init__(self, c: Compiled):
        self.c = c
        self.busy = [0] * len(c.person_ids)
        self.count = [0] * len(c.person_ids)
        self.load = [0] * c.n_slots
        self.open = c.all_mask if c.n_tables else 0  # slots with a table left
        self.slot_of: dict[int, int] = {}
        for r, (s, _t, _origin) in c.fixed.items():
            self.place(r, s)

    def copy(self) -> State:
        other = State.__new__(State)
        other.c = self.c
        other.busy, other.count, other.load = list(self.busy), list(self.count), list(self.load)
        other.open, other.slot_of = self.open, dict(self.slot_of)
        return other

    def place(self, r: int, s: int) -> None:
        for p in self.c.pair(r):
            self.busy[p] |= 1 << s
            self.count[p] += 1
        self.load[s] += 1
        if self.load[s] >= self.c.n_tables:
            self.open &= ~(1 << s)
        self.slot_of[r] = s

    def free_slots(self, r: int) -> int:
        """The slots where request r could go now: both available, both free, a table left,
        neither at their cap."""
        a, b = self.c.pair(r)
        if self.count[a] >= self.c.cap[a] or self.count[b] >= self.c.cap[b]:
            return 0
        c = self.c
        return c.avail[a] & c.avail[b] & ~self.busy[a] & ~self.busy[b] & self.open

    def idle(self, p: int, busy: int | None = None) -> int:
        return idle_slots(self.busy[p] if busy is None else busy, self.c.avail[p], self.c)


def idle_slots(busy: int, avail: int, c: Compiled) -> int:
    """Slots, block by block, between a person's first and last meeting where they are
    available and have no meeting. Unavailable slots (a session) are not idle time."""
    total = 0
    for block, mask in zip(c.blocks, c.block_mask, strict=True):
        inside = busy & mask
        if inside & (inside - 1) == 0:  # none or one meeting in the block
            continue
        seen, pending = False, 0
        for s in block:
            if busy >> s & 1:
                total += pending
                seen, pending = True, 0
            elif seen and avail >> s & 1:
                pending += 1
    return total
