"""Is an answer correct? The two rules (the README's "Evaluating" section states them).

* ``relative`` (default): ``|objective - reference| <= max(1e-4 * |reference|, 0.0051)``;
  the absolute floor forgives references rounded to two decimals.
* ``orlm`` (ORLM's and OptMATH's scripts): both values rounded to the nearest integer,
  then relative error ``<= 5%``, or absolute ``<= 0.05`` when the reference is 0.

A null reference (the source says there is no solution) is matched by the statuses
``infeasible``, ``unbounded`` and ``infeasible_or_unbounded``. Rows whose
``meta.answer_unknown`` is set are not scored. A match of one of ``meta.alt_answers``
counts as correct and is flagged as ``alt_match``.

Example::

    >>> matches(100.004, 100.0, "relative"), matches(100.02, 100.0, "relative")
    (True, False)
    >>> score("optimal", 104.0, 100.0, [], "orlm")
    Score(correct=True, alt_match=False, scored=True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Literal

Rule = Literal["relative", "orlm"]
RULES: tuple[str, ...] = ("relative", "orlm")
NULL_MATCHING_STATUSES = frozenset({"infeasible", "unbounded", "infeasible_or_unbounded"})
OBJECTIVE_STATUSES = frozenset({"optimal", "time_limit_feasible"})

RELATIVE_TOL = 1e-4
ABSOLUTE_FLOOR = 0.0051
ORLM_REL_TOL = 0.05
ORLM_ZERO_ABS_TOL = 0.05

TOLERANCE_TEXT = {
    "relative": "|objective - reference| <= max(1e-4 * |reference|, 0.0051)",
    "orlm": "both rounded to the nearest integer, then |objective - reference| / |reference| "
            "<= 5% (|objective| <= 0.05 when the reference is 0)",
}


def check_rule(rule: str) -> Rule:
    """Validate a rule name (raises ValueError naming the valid ones)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; use one of: {', '.join(RULES)}")
    return rule  # type: ignore[return-value]


def matches(objective: float, reference: float, rule: str = "relative") -> bool:
    """True when ``objective`` equals the numeric ``reference`` under ``rule``."""
    if objective is None or not math.isfinite(objective):
        return False
    rule = check_rule(rule)
    if rule == "relative":
        return abs(objective - reference) <= max(RELATIVE_TOL * abs(reference), ABSOLUTE_FLOOR)
    obj_r, ref_r = round(objective), round(reference)
    if ref_r == 0:
        return abs(obj_r) <= ORLM_ZERO_ABS_TOL
    return abs(obj_r - ref_r) / abs(ref_r) <= ORLM_REL_TOL


@dataclass(frozen=True)
class Score:
    """``correct`` (None when not scored), ``alt_match`` (correct only via alt_answers)."""

    correct: bool | None
    alt_match: bool = False
    scored: bool = True


def score(status: str, objective: float | None, reference: float | None,
          alt_answers: Iterable[float] = (), rule: str = "relative",
          answer_unknown: bool = False) -> Score:
    """Score one outcome against its reference.

    ``status`` is a solver status or agent outcome; ``objective`` counts only when the
    status carries a solution (``optimal`` or ``time_limit_feasible``).
    """
    check_rule(rule)
    if answer_unknown:
        return Score(correct=None, alt_match=False, scored=False)
    has_obj = status in OBJECTIVE_STATUSES and objective is not None
    if reference is None:
        return Score(correct=status in NULL_MATCHING_STATUSES)
    if not has_obj:
        return Score(correct=False)
    assert objective is not None
    if matches(objective, reference, rule):
        return Score(correct=True)
    if any(matches(objective, alt, rule) for alt in alt_answers):
        return Score(correct=True, alt_match=True)
    return Score(correct=False)
