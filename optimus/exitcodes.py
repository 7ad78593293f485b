"""Exit codes of every ``optimus`` command, and the one mapping from outcomes to them.

>>> from optimus.result import Outcome, Status
>>> int(exit_code(Status.OPTIMAL)), int(exit_code(Status.INFEASIBLE)), int(exit_code(Outcome.ABSTAINED))
(0, 1, 5)
"""

from __future__ import annotations

from enum import IntEnum

from optimus.result import Outcome, Status


class ExitCode(IntEnum):
    """What a command's exit status means (the README's tables list them)."""

    OK = 0  # optimal, or a feasible solution at the time limit
    NOT_OPTIMAL = 1  # solved, but infeasible, unbounded, no solution in time, error, unknown
    BAD_INPUT = 2  # bad input or configuration: nothing was solved or written
    PROVIDER = 3  # the model provider failed (key, rate limit after retries, timeout, down)
    DISAGREE = 4  # --cross-check: the backends disagree
    NO_SOLVE = 5  # no solve happened: not an optimization problem, no valid formulation
    INTERRUPTED = 130  # Ctrl-C


_OK = {Status.OPTIMAL, Status.TIME_LIMIT_FEASIBLE}
_NO_SOLVE = {Outcome.NOT_OPTIMIZATION, Outcome.INVALID_FORMULATION, Outcome.ABSTAINED,
             Outcome.PARSE_ERROR}
_PROVIDER = {Outcome.PROVIDER_ERROR, Outcome.TIMEOUT}


def exit_code(status: str) -> ExitCode:
    """The exit code for a solve status or an outcome where no solve happened."""
    if status in _OK:
        return ExitCode.OK
    if status in _NO_SOLVE:
        return ExitCode.NO_SOLVE
    if status in _PROVIDER:
        return ExitCode.PROVIDER
    return ExitCode.NOT_OPTIMAL
