"""The backend interface shared by every solver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from optimus._compat import StrEnum
from optimus.result import Status

if TYPE_CHECKING:
    from optimus.build import LinearProgram


@dataclass
class SolverOptions:
    """Options every backend honours."""

    time_limit: float | None = None  # seconds
    mip_gap: float | None = None  # relative
    verbose: bool = False


@dataclass
class RawSolution:
    """What a backend returns: status, objective, bound, gap and the column values."""

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    x: np.ndarray | None = None
    solve_time: float = 0.0
    message: str | None = None


class Capability(StrEnum):
    """What a backend can do beyond solving (callers ask instead of checking types)."""

    IIS = "iis"  # irreducible infeasible subsystems
    RAYS = "rays"  # primal and dual (Farkas) rays
    MIP = "mip"  # integer variables
    QP = "qp"  # a convex quadratic objective


class Backend(Protocol):
    name: str
    capabilities: frozenset[Capability]

    def solve(self, lp: "LinearProgram", options: SolverOptions) -> RawSolution:
        """Solve ``lp``; never raise for solver outcomes (report them as status)."""
        ...
