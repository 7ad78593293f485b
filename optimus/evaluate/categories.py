"""Failure categories of an evaluation run (one per problem).

``correct``; ``wrong_objective`` (a solution whose objective misses the reference);
``infeasible``; ``unbounded``; ``invalid_formulation`` (still invalid after repairs);
``abstained`` (abstained, or the text is not an optimization problem);
``provider_error``; ``timeout``; plus ``error`` for an unexpected exception in our own
code (recorded with its message so the run can continue) and ``unscored`` for rows
whose reference is unknown (``meta.answer_unknown``), and ``bad input`` for a row that
cannot be run at all (not valid JSON, no question, a question over the text limit, a
malformed ``meta``): recorded with the reason, not scored, and the run goes on.

Example::

    >>> categorize("optimal", correct=False)
    'wrong_objective'
    >>> categorize("not_optimization", correct=False)
    'abstained'
"""

from __future__ import annotations

from typing import Literal

Category = Literal["correct", "wrong_objective", "infeasible", "unbounded",
                   "invalid_formulation", "abstained", "provider_error", "timeout", "error",
                   "unscored", "bad input"]

CATEGORIES: tuple[str, ...] = ("correct", "wrong_objective", "infeasible", "unbounded",
                               "invalid_formulation", "abstained", "provider_error",
                               "timeout", "error", "unscored", "bad input")

LABELS = {
    "correct": "correct",
    "wrong_objective": "wrong objective",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
    "invalid_formulation": "invalid formulation after repairs",
    "abstained": "abstained or not an optimization problem",
    "provider_error": "provider error",
    "timeout": "timeout",
    "error": "internal error",
    "unscored": "not scored (answer unknown)",
    "bad input": "bad input (the row cannot be run)",
}

_BY_STATUS = {
    "optimal": "wrong_objective",
    "time_limit_feasible": "wrong_objective",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
    "error": "invalid_formulation",
    "invalid_formulation": "invalid_formulation",
    "parse_error": "invalid_formulation",
    "unknown": "invalid_formulation",
    "abstained": "abstained",
    "not_optimization": "abstained",
    "provider_error": "provider_error",
    "timeout": "timeout",
    "time_limit_no_solution": "timeout",
}


def categorize(status: str, correct: bool | None, *, diagnosis_kind: str | None = None,
               error: bool = False) -> str:
    """The category of one problem's outcome.

    ``correct`` None means the row is not scored. ``infeasible_or_unbounded`` goes to
    ``unbounded`` when the diagnosis found growing variables, else to ``infeasible``.
    """
    if error:
        return "error"
    if correct:
        return "correct"
    if status in ("provider_error", "timeout"):
        return status
    if correct is None:
        return "unscored"
    if status == "infeasible_or_unbounded":
        return "unbounded" if diagnosis_kind == "unbounded" else "infeasible"
    return _BY_STATUS.get(status, "invalid_formulation")


def label(category: str) -> str:
    """The human label of a category."""
    return LABELS.get(category, category)
