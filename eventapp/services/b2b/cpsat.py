"""The CP-SAT model: lexicographic objectives on one model, each phase hinted by the last.

Variables: x[r, s] = request r is held in slot s, for every slot where both people are
available and free of fixed meetings and a table is left. Tables are interchangeable, so a
slot's meetings only need to number at most its free tables; `greedy.seat` gives tables after.

Hard rules: each request at most once; each person at most one meeting per slot; each slot at
most its free tables; each person at most their cap minus their fixed meetings.

Idle slots, per person and block, over the slots where the person is available (a session is
not idle time): busy_i = Σ x at slot i; before_i ≥ busy_j for j < i and after_i ≥ busy_j for
j > i (as chains); idle_i ≥ before_i + after_i − 1 − busy_i.

1. meetings: maximise Σx, a fifth of the time. Skipped when the greedy schedule already
   reaches the combinatorial bound (then the meetings are proven and there is no `solver`
   bound); otherwise its bound is the `solver` bound on meetings.
1b. meetings+gaps, only when 1. is not proven: maximise W·Σx − Σidle, W = number of idle
   variables + 1, so one meeting more outweighs any number of idle slots (still lexicographic,
   and the search weighs the gaps instead of wandering among gap-ridden schedules of the same
   size). Its bound also bounds the meetings: Σx ≤ (bound + W − 1) / W.
2. gaps: hold that many meetings, minimise Σidle (unless 1b proved both).
3. priority (only when some request has one): hold both, maximise Σ priority · x.

Each phase starts from a complete hint (phase 1 from the greedy schedule), so a phase stopped
by the time limit returns a schedule at least as good as the one it started from. `ortools`
is imported in `load()`, when a schedule is asked for, never at start-up.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .model import Options, Phase
from .problem import Compiled, State, bits

# Kept from each phase's time for reading its solution, the next hint, seating and the report
# (about 0.1 s at 2,000 requests): a share of the time left, at least RESERVE seconds.
MARGIN, RESERVE = 0.05, 0.2


def load():
    """CP-SAT's Python module, or None when ortools is not installed."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    return cp_model


@dataclass
class Outcome:
    state: State | None  # the best schedule found; None: no solution in time
    phases: list[Phase] = field(default_factory=list)
    bound: int | None = None  # proven upper bound on all meetings, fixed ones included
    proven: bool = False  # the number of meetings is the largest possible
    timed_out: bool = False  # a phase stopped at the time limit
    note: str | None = None


class _Model:
    def __init__(self, cp_model, c: Compiled):
        self.cp, self.c = cp_model, c
        self.model = cp_model.CpModel()
        self.base = State(c)  # the fixed meetings only
        self.x: list[tuple[int, int, object]] = []  # (request, slot, variable)
        self.at: dict[tuple[int, int], list] = defaultdict(list)  # (person, slot) → variables
        self.idle: list = []
        self.aux: list[tuple] = []  # (variable, person, masks): see _aux
        self.modelled: list[tuple[int, int]] = []  # (person, block) whose idle slots are modelled
        self._build()

    def _build(self) -> None:
        c, m, base, sum_ = self.c, self.model, self.base, self.cp.LinearExpr.sum
        per_slot: list[list] = [[] for _ in range(c.n_slots)]
        per_person: dict[int, list] = defaultdict(list)
        requests_of: dict[int, int] = defaultdict(int)
        for r in c.free:
            lits = []
            for s in bits(base.free_slots(r)):
                v = m.new_bool_var("")
                lits.append(v)
                self.x.append((r, s, v))
                per_slot[s].append(v)
                for p in c.pair(r):
                    self.at[p, s].append(v)
                    per_person[p].append(v)
            if len(lits) > 1:
                m.add_at_most_one(lits)
            for p in c.pair(r):
                requests_of[p] += bool(lits)
        for (_p, _s), lits in self.at.items():
            if len(lits) > 1:
                m.add_at_most_one(lits)
        for s, lits in enumerate(per_slot):
            room = c.n_tables - base.load[s]
            if len(lits) > room:
                m.add(sum_(lits) <= room)
        slots_of: dict[int, int] = defaultdict(int)
        for p, _s in self.at:
            slots_of[p] += 1
        for p, lits in per_person.items():
            left = c.cap[p] - base.count[p]
            if left < min(requests_of[p], slots_of[p]):  # otherwise the cap cannot bind
                m.add(sum_(lits) <= left)

    def add_idle(self) -> None:
        c, m, sum_ = self.c, self.model, self.cp.LinearExpr.sum
        for p in range(len(c.person_ids)):
            for bi, block in enumerate(c.blocks):
                seq = [s for s in block if c.avail[p] >> s & 1]
                if not any(self.at.get((p, s)) for s in seq):
                    continue  # only fixed meetings: their idle slots are a constant
                busy = [self.base.busy[p] >> s & 1 for s in seq]
                for i, s in enumerate(seq):
                    if (p, s) in self.at:  # one variable per person and slot keeps the rows short
                        busy[i] = self._aux(p, 1 << s, 0, 0)
                        m.add(sum_(self.at[p, s]) == busy[i])
                if sum(1 for e in busy if not isinstance(e, int) or e) < 2:
                    continue  # one meeting at most: no idle slot possible
                self.modelled.append((p, bi))
                k, mask = len(seq), [1 << s for s in seq]
                before, after = [0] * k, [0] * k
                before[1], after[k - 2] = busy[0], busy[k - 1]  # k ≥ 2: two meetings fit
                for i in range(2, k):
                    before[i] = self._aux(p, sum(mask[:i]), 0, 0)
                    m.add(before[i] >= before[i - 1])
                    m.add(before[i] >= busy[i - 1])
                for i in range(k - 3, -1, -1):
                    after[i] = self._aux(p, 0, sum(mask[i + 1 :]), 0)
                    m.add(after[i] >= after[i + 1])
                    m.add(after[i] >= busy[i + 1])
                for i in range(1, k - 1):
                    v = self._aux(p, sum(mask[:i]), sum(mask[i + 1 :]), mask[i])
                    m.add(v >= before[i] + after[i] - 1 - busy[i])
                    self.idle.append(v)

    def _aux(self, p: int, some_of: int, some_after: int, none_of: int):
        """A new Boolean and, for the hints, the value it takes in a schedule: person p has a
        meeting in `some_of` (if not 0), one in `some_after` (if not 0), none in `none_of`."""
        v = self.model.new_bool_var("")
        self.aux.append((v, p, some_of, some_after, none_of))
        return v

    def modelled_idle(self, state: State) -> int:
        """The phase-2 objective of a schedule: idle slots of the modelled (person, block)s."""
        c = self.c
        total = 0
        for p, bi in self.modelled:
            total += _block_idle(state.busy[p] & c.block_mask[bi], c.avail[p], c.blocks[bi])
        return total

    def hint(self, state: State) -> None:
        """A complete hint (the auxiliary variables too), so the search starts from it. Written
        to the model's proto in one go: add_hint per variable takes a second at 30,000."""
        self.model.clear_hints()
        hint = self.model.proto.solution_hint
        hint.vars.extend([v.index for _r, _s, v in self.x] + [a[0].index for a in self.aux])
        values = [int(state.slot_of.get(r) == s) for r, s, _v in self.x]
        for _v, p, some_of, some_after, none_of in self.aux:
            busy = state.busy[p]
            value = (busy & some_of or not some_of) and (busy & some_after or not some_after)
            values.append(int(bool(value) and not busy & none_of))
        hint.values.extend(values)

    def run(self, limit: float, options: Options):
        solver = self.cp.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.0, limit)
        solver.parameters.num_workers = options.workers
        solver.parameters.random_seed = options.seed
        # A light presolve: the model is re-solved once per phase, and the full presolve
        # (probing, symmetries) took longer than it saved on the benchmark (first schedule
        # after 11 s instead of 2 s on a loaded 2-core machine, fewer idle slots at 20 s).
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.max_presolve_iterations = 1
        started = time.monotonic()
        status = solver.solve(self.model)
        return solver, status, time.monotonic() - started

    def read(self, solver) -> State:
        state = self.base.copy()
        for r, s, v in self.x:
            if solver.boolean_value(v):
                state.place(r, s)
        return state


def _block_idle(busy: int, avail: int, block: list[int]) -> int:
    total, seen, pending = 0, False, 0
    for s in block:
        if busy >> s & 1:
            total, seen, pending = total + pending, True, 0
        elif seen and avail >> s & 1:
            pending += 1
    return total


def key(state: State) -> tuple[int, int, int]:
    """Better schedules sort higher: more meetings, then fewer idle slots, then priorities."""
    idle = sum(state.idle(p) for p in range(len(state.busy)))
    return len(state.slot_of), -idle, sum(state.c.prio[r] for r in state.slot_of)


def solve(
    cp_model, c: Compiled, hint: State, deadline: float, options: Options, known_bound: int
) -> Outcome:
    """`hint`: the schedule to start from; `known_bound`: the combinatorial bound on meetings
    (when the hint reaches it, the meetings are proven and phase 1 is skipped)."""
    ok = (cp_model.OPTIMAL, cp_model.FEASIBLE)
    mm = _Model(cp_model, c)
    mm.add_idle()
    if time.monotonic() >= deadline:  # a limit shorter than building the model (~1 s at 2,000)
        return Outcome(state=None, note="no time left for CP-SAT after building its model")
    fixed = len(c.fixed)
    has_priority = any(c.prio[r] for r in c.free)
    out = Outcome(state=None)
    sum_ = cp_model.LinearExpr.sum
    meetings, idle = sum_([v for _r, _s, v in mm.x]), sum_(mm.idle)

    def phase(name, share, measure):
        """Solve with `share` of the time left; record the phase; the schedule or None."""
        left = deadline - time.monotonic()
        solver, status, seconds = mm.run(left * share - max(RESERVE, left * MARGIN), options)
        state = mm.read(solver) if status in ok else None
        objective, bound = measure(solver, state) if state else (None, None)
        out.phases.append(Phase(name, solver.status_name(status), objective, bound, seconds))
        out.timed_out |= status != cp_model.OPTIMAL
        return state, status

    # 1. as many meetings as possible: often proven at once (the tables or the caps bind), and
    # not even needed when the greedy schedule already reaches the combinatorial bound.
    best, status = hint, cp_model.OPTIMAL
    out.proven = len(hint.slot_of) >= known_bound
    if not out.proven:
        mm.model.maximize(meetings)
        mm.hint(hint)
        share = 0.2 if mm.idle else 0.7 if has_priority else 1.0  # the rest is for the gaps
        state, status = phase("meetings", share, lambda solver, st: _maximum(solver, st, fixed))
        if state is not None:  # else the next phases go on from the hint
            best = max(state, hint, key=key)
            out.bound = out.phases[-1].bound
            out.proven = status == cp_model.OPTIMAL

    # 1b. not proven: more meetings and fewer idle slots together. One meeting more outweighs
    # every idle slot (there are fewer than `weight`), so this is still lexicographic, and the
    # search does not wander among gap-ridden schedules of the same size.
    weight, gaps_done = len(mm.idle) + 1, False
    if not out.proven and mm.idle:
        mm.model.maximize(weight * meetings - idle)
        mm.hint(best)

        def meetings_and_bound(solver, state):
            # weight·m − idle ≤ bound and idle ≤ weight − 1: m ≤ (bound + weight − 1) / weight
            top = math.floor((solver.best_objective_bound + 1e-6 + weight - 1) / weight)
            return len(state.slot_of), top + fixed

        state, status = phase("meetings+gaps", 0.6, meetings_and_bound)
        if state is not None:
            best = max(state, best, key=key)
            bound = out.phases[-1].bound
            out.bound = bound if out.bound is None else min(out.bound, bound)
            gaps_done = status == cp_model.OPTIMAL  # both objectives proven at once
            out.proven = gaps_done or len(best.slot_of) >= out.bound
    mm.model.add(meetings >= len(best.slot_of) - fixed)

    # 2. then as few idle slots as possible, the meetings held
    if mm.idle and not gaps_done:
        mm.model.minimize(idle)
        mm.hint(best)
        state, _status = phase("gaps", 0.7 if has_priority else 1.0, _minimum)
        best = max(state or best, best, key=key)

    # 3. then the priorities, the meetings and idle slots held
    if has_priority:
        if mm.idle:
            mm.model.add(idle <= mm.modelled_idle(best))
        weights = [(c.prio[r], v) for r, _s, v in mm.x if c.prio[r]]
        mm.model.maximize(
            cp_model.LinearExpr.weighted_sum([v for _w, v in weights], [w for w, _v in weights])
        )
        mm.hint(best)
        state, _status = phase("priority", 1.0, _maximum)
        best = max(state or best, best, key=key)
    if out.phases and all(p.objective is None for p in out.phases):
        out.note = f"CP-SAT found no schedule in time ({out.phases[-1].status})"
        return out
    out.state = best
    return out


def _minimum(solver, _state) -> tuple[int, int]:
    return round(solver.objective_value), math.ceil(solver.best_objective_bound - 1e-6)


def _maximum(solver, _state, offset: int = 0) -> tuple[int, int]:
    bound = math.floor(solver.best_objective_bound + 1e-6)
    return round(solver.objective_value) + offset, bound + offset
