"""The data of the B2B meeting scheduler: the problem it is given and the solution it returns.

Plain frozen dataclasses, no Flask and no database: the DB layer builds a `Problem` from its
rows and stores a `Solution`'s placements back. Ids are whatever the caller uses (primary keys,
strings): anything hashable. Slots are given in time order; blocks in the order they first
appear, slots inside a block ordered by `position`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

Id = Hashable

FULL = "full"  # re-place every request that is not locked
UNSCHEDULED_ONLY = "unscheduled_only"  # also keep every existing unlocked placement
MODES = (FULL, UNSCHEDULED_ONLY)

# Why a request stays unplaced (Unplaced.code). The UI translates by code; `message` is the
# English explanation with names filled in, for logs and the benchmark.
NO_COMMON_SLOT = "no_common_slot"  # the two are never available in the same slot
CAP_REACHED = "cap_reached"  # one of them already has their maximum number of meetings
BUSY = "busy"  # every slot where both are available holds another meeting of one of them
NO_TABLE = "no_table"  # they are both free in some slot, but every table is taken there
TIME_LIMIT = "time_limit"  # busy or no table, and the search stopped before proving the count
REASONS = (NO_COMMON_SLOT, CAP_REACHED, BUSY, NO_TABLE, TIME_LIMIT)

# Why an existing unlocked placement was released in unscheduled_only mode (Released.code).
GONE = "gone"  # its slot or table no longer exists
NOW_UNAVAILABLE = "now_unavailable"  # one of the two is now unavailable in that slot
CLASH = "clash"  # a locked meeting or an earlier kept placement took the person or the table
OVER_CAP = "over_cap"  # keeping it would put a person over a (lowered) cap


@dataclass(frozen=True)
class Slot:
    id: Id
    block: Id
    position: int  # order inside the block; consecutive positions are back-to-back slots


@dataclass(frozen=True)
class Table:
    id: Id
    room: Id | None = None


@dataclass(frozen=True)
class Participant:
    id: Id
    cap: int | None = None  # most meetings this person may have; None: no cap
    unavailable: frozenset = frozenset()  # slot ids: programme sessions, declared absences


@dataclass(frozen=True)
class Request:
    """An accepted meeting request between participants `a` and `b`."""

    id: Id
    a: Id
    b: Id
    priority: int = 0  # higher wins when not every request fits (after meetings and gaps)


@dataclass(frozen=True)
class Assignment:
    slot: Id
    table: Id


@dataclass(frozen=True)
class Options:
    time_limit: float = 30.0  # seconds of wall time for the whole run, model building included
    mode: str = FULL
    workers: int = 2  # CP-SAT search workers
    seed: int = 0


@dataclass(frozen=True)
class Problem:
    slots: Sequence[Slot]
    tables: Sequence[Table]
    participants: Sequence[Participant]
    requests: Sequence[Request]
    locked: Mapping[Id, Assignment] = field(default_factory=dict)  # request id → kept as is
    # Unlocked placements of an earlier run: kept in unscheduled_only mode, ignored in full mode.
    existing: Mapping[Id, Assignment] = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    request: Id
    slot: Id
    table: Id
    origin: str = "new"  # "locked", "kept" (an existing placement, unscheduled_only) or "new"


@dataclass(frozen=True)
class Unplaced:
    request: Id
    code: str
    message: str
    participant: Id | None = None  # whose cap, for cap_reached


@dataclass(frozen=True)
class Bounds:
    """Upper bounds on the number of meetings (locked and kept ones included).

    `solver` is CP-SAT's proven bound (None when it did not run); `combinatorial` the smallest
    of `parts`, simple counts any schedule must respect."""

    solver: int | None
    combinatorial: int
    parts: Mapping[str, int]

    @property
    def best(self) -> int:
        return self.combinatorial if self.solver is None else min(self.solver, self.combinatorial)


@dataclass(frozen=True)
class GapStats:
    """Idle slots: per person and block, the slots between their first and last meeting where
    they are available and have no meeting (see scheduler's docstring for why this measure)."""

    total: int
    max_per_person: int
    mean_per_person: float  # over the people with at least one meeting
    people_with_gaps: int


@dataclass(frozen=True)
class Phase:
    name: str  # "meetings", "gaps", "priority"
    status: str  # CP-SAT's status name: OPTIMAL, FEASIBLE, UNKNOWN, ...
    objective: int | None
    bound: int | None
    seconds: float


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    request: Id | None = None


@dataclass(frozen=True)
class Solution:
    placements: list[Placement]
    unplaced: list[Unplaced]
    released: list[Unplaced]  # existing placements dropped in unscheduled_only mode
    bounds: Bounds
    gaps: GapStats
    status: str  # "optimal", "feasible" (time limit), "fallback", "baseline"
    method: str  # "cp-sat", "greedy", "first-free-slot"
    mode: str
    meetings_proven: bool  # the number of meetings is proven to be the largest possible
    phases: list[Phase]
    notes: list[str]
    wall_seconds: float

    @property
    def placed(self) -> int:
        return len(self.placements)

    def by_request(self) -> dict[Id, Placement]:
        return {p.request: p for p in self.placements}


class InvalidProblem(ValueError):
    """The input breaks a rule by itself (unknown ids, two locks in one seat, ...)."""

    def __init__(self, issues: list[str]):
        super().__init__("; ".join(issues))
        self.issues = issues
