"""The backend interface shared by every solver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

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


class Backend(Protocol):
    name: str

    def solve(self, lp: "LinearProgram", options: SolverOptions) -> RawSolution:
        """Solve ``lp``; never raise for solver outcomes (report them as status)."""
        ...
