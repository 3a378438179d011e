"""The B2B meeting scheduler (issue 18): accepted requests into slots and tables.

Hard rules, never broken (`validate` checks each on any solution): a person is in at most one
meeting per slot; a table hosts at most one meeting per slot; no meeting in a slot where one of
its two people is unavailable (a programme session, a declared absence); nobody above their
cap; a request placed at most once; locked meetings stay where they are, and in
`unscheduled_only` mode so do the existing unlocked placements passed in (those that no longer
fit are released and placed again, each with a reason).

Objective, lexicographic: (1) as many meetings as possible; then (2) as few idle slots as
possible; then (3) the higher priorities among the requests placed.

Idle slots, the measure of (2): per person and block, the slots between their first and last
meeting of the block where they are available and have no meeting. It counts the time a person
waits, which is what an agenda "full of gaps" costs them: one hole of 40 minutes is worse than
one of 20, which "runs of meetings minus one" would count the same. Slots where the person is
unavailable do not count (they are at a session, not waiting), and nothing counts across blocks
(the break between two blocks is no one's gap).

Methods:
- `schedule`: CP-SAT (ortools, imported only when called), with the greedy schedule as its
  starting hint and `Options.workers` search workers (2 is the best setting measured on the
  2-core machine: 1 worker has no large-neighbourhood search and never closed a gap). The time
  limit covers the whole run, import and model building included (about a second at 2,000
  requests). Falls back to the greedy schedule when ortools is missing, fails or finds nothing
  in time. A final greedy pass places any request that still fits, so a schedule stopped
  early is still maximal.
- `greedy_schedule`: that fallback alone.
- `baseline_schedule`: b2match's quick schedule, "first common free slot", for the benchmark.

All three return a `Solution` with the same report: placements with their tables, each request
left out with a reason, the upper bounds, idle-slot statistics, status and wall time.
"""

from __future__ import annotations

import time

from . import cpsat, greedy
from .model import (
    FULL,
    UNSCHEDULED_ONLY,
    Assignment,
    Bounds,
    GapStats,
    InvalidProblem,
    Options,
    Participant,
    Placement,
    Problem,
    Request,
    Slot,
    Solution,
    Table,
    Unplaced,
    Violation,
)
from .problem import Compiled, State
from .report import bounds, gap_stats, reasons, validate

__all__ = [
    "FULL",
    "UNSCHEDULED_ONLY",
    "Assignment",
    "Bounds",
    "GapStats",
    "InvalidProblem",
    "Options",
    "Participant",
    "Placement",
    "Problem",
    "Request",
    "Slot",
    "Solution",
    "Table",
    "Unplaced",
    "Violation",
    "baseline_schedule",
    "greedy_schedule",
    "schedule",
    "validate",
]


def schedule(problem: Problem, options: Options | None = None) -> Solution:
    """The best schedule CP-SAT finds within `options.time_limit` seconds."""
    options = options or Options()
    started = time.monotonic()
    c = Compiled(problem, options)
    start = _best_greedy(c)
    cp_model = cpsat.load()
    if cp_model is None:
        note = "ortools is not installed: greedy schedule"
        return _solution(c, start, started, "greedy", "fallback", False, notes=[note])
    known = bounds(c, None).combinatorial
    out = cpsat.solve(cp_model, c, start, started + options.time_limit, options, known)
    stopped = not out.proven
    if out.state is None:
        note = f"{out.note}: greedy schedule"
        return _solution(c, start, started, "greedy", "fallback", stopped, None, out.phases, [note])
    if not out.phases:
        note = "the greedy schedule is optimal: it reaches the bound and has nothing to improve"
        return _solution(c, start, started, "greedy", "optimal", False, notes=[note])
    state = greedy.compact(c, out.state, [r for r in c.free if r not in out.state.slot_of])
    status = "feasible" if out.timed_out else "optimal"
    return _solution(c, state, started, "cp-sat", status, stopped, out.bound, out.phases)


def greedy_schedule(problem: Problem, options: Options | None = None) -> Solution:
    """The fallback schedule alone (no solver)."""
    options = options or Options()
    started = time.monotonic()
    c = Compiled(problem, options)
    return _solution(c, _best_greedy(c), started, "greedy", "fallback", False)


def baseline_schedule(problem: Problem, options: Options | None = None) -> Solution:
    """First common free slot: requests in order, each to the earliest slot that fits."""
    options = options or Options()
    started = time.monotonic()
    c = Compiled(problem, options)
    state = greedy.first_free_slot(c, State(c))
    return _solution(c, state, started, "first-free-slot", "baseline", False)


def _best_greedy(c: Compiled) -> State:
    """The best of the compact greedy's two orders and the baseline (more meetings, then fewer
    idle slots): the solver starts from it, so it never returns less than the baseline."""
    base = State(c)
    return max(
        greedy.compact(c, base.copy(), pressure=True),
        greedy.compact(c, base.copy()),
        greedy.first_free_slot(c, base.copy()),
        key=cpsat.key,
    )


def _solution(
    c: Compiled,
    state: State,
    started: float,
    method: str,
    status: str,
    stopped: bool,
    solver_bound: int | None = None,
    phases=None,
    notes=None,
) -> Solution:
    table_of = greedy.seat(c, state)
    placements = [
        Placement(
            c.req_ids[r],
            c.slot_ids[s],
            c.table_ids[table_of[r]],
            c.fixed[r][2] if r in c.fixed else "new",
        )
        for r, s in sorted(state.slot_of.items())
    ]
    bound = bounds(c, solver_bound)
    proven = len(placements) >= bound.best
    return Solution(
        placements=placements,
        unplaced=reasons(c, state, stopped and not proven),
        released=list(c.released),
        bounds=bound,
        gaps=gap_stats(state),
        status=status,
        method=method,
        mode=c.mode,
        meetings_proven=proven,
        phases=list(phases or []),
        notes=list(notes or []),
        wall_seconds=round(time.monotonic() - started, 3),
    )
