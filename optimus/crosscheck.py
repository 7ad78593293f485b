"""Compare the results of two backends on one program, and report any disagreement.

:func:`optimus.pipeline.solve_model` (with ``cross_check=True``) builds the program once
and hands it to every backend, so a difference can only come from the solvers (or from
how a backend reads the program), never from the compiler; this module holds the rule.

Comparison rule (:func:`compare_results`):

- Statuses must be compatible. ``infeasible_or_unbounded`` is compatible with
  ``infeasible`` and with ``unbounded`` (it claims only one of the two). A time limit
  without a solution contradicts nothing. Anything else that differs is a difference
  (e.g. ``optimal`` against ``infeasible``, or an ``error``).
- When both have a solution, objectives ``a`` and ``b`` agree when
  ``|a - b| <= max(1e-6 * max(|a|, |b|), 1e-6)`` (CBC writes 8-9 significant digits), plus,
  for a MIP, the relative gap either solver may stop at: ``g * max(|a|, |b|)`` with ``g``
  the largest of both reported gaps, the requested ``mip_gap`` and HiGHS's default 1e-4.
- A solution stopped by the time limit is only checked against the other's proven bound:
  it must not be better than the bound (within the same tolerance).

Example::

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import cross_check
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "cap", "expression": "x + 2*y <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x + 4*y"}})
    >>> cross_check(f).agree
    True
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, Field

from optimus.result import Result, Status

__all__ = ["CrossCheck", "compare_results", "RULE", "HIGHS_DEFAULT_MIP_GAP"]

HIGHS_DEFAULT_MIP_GAP = 1e-4
RULE = ("statuses compatible (infeasible_or_unbounded matches infeasible or unbounded); "
        "objectives within max(1e-6*max(|a|,|b|), 1e-6), plus the larger MIP gap "
        "(reported, requested, or HiGHS's default 1e-4) for MIPs")

_FEASIBLE = {Status.OPTIMAL, Status.TIME_LIMIT_FEASIBLE}
_COMPATIBLE = {
    frozenset({Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED}),
    frozenset({Status.UNBOUNDED, Status.INFEASIBLE_OR_UNBOUNDED}),
}


class CrossCheck(BaseModel):
    """Both backends' results and whether they agree (see the module doc for the rule)."""

    results: dict[str, Result]
    agree: bool
    differences: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rule: str = RULE

    def to_json_dict(self) -> dict[str, Any]:
        """``{"agree", "differences", "notes", "rule", "results": {backend: result JSON}}``."""
        return {"agree": self.agree, "differences": list(self.differences),
                "notes": list(self.notes), "rule": self.rule,
                "results": {k: r.to_json_dict() for k, r in self.results.items()}}

    def text(self) -> str:
        """One line per backend, then the verdict."""
        lines = []
        for name, r in self.results.items():
            obj = "" if r.objective is None else f" objective {r.objective:.10g}"
            lines.append(f"{name}: {r.status}{obj}")
        lines.append("Backends agree." if self.agree else "Backends DISAGREE:")
        lines += [f"- {d}" for d in self.differences]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _tolerance(a: float, b: float) -> float:
    return max(1e-6 * max(abs(a), abs(b)), 1e-6)


def compare_results(results: dict[str, Result], *, sense: str = "minimize",
                    is_mip: bool = False, mip_gap: float | None = None
                    ) -> tuple[list[str], list[str]]:
    """Compare two results by the module's rule: ``(differences, notes)``.

    >>> a = Result(status="optimal", objective=10.0)
    >>> b = Result(status="optimal", objective=10.5)
    >>> compare_results({"highs": a, "pulp": b})[0]
    ['objectives differ: highs 10 vs pulp 10.5 (|diff| 0.5 > tolerance 1.05e-05)']
    """
    (na, ra), (nb, rb) = list(results.items())[:2]
    diffs: list[str] = []
    notes: list[str] = []
    sa, sb = ra.status, rb.status
    tlns = Status.TIME_LIMIT_NO_SOLUTION
    if tlns in (sa, sb):
        other = sb if sa == tlns else sa
        if other in (Status.ERROR, Status.UNKNOWN):
            diffs.append(f"status differs: {na} {sa} vs {nb} {sb}")
        else:
            slow = " and ".join(n for n, s in ((na, sa), (nb, sb)) if s == tlns)
            notes.append(f"{slow} found no solution within the time limit; nothing to compare")
        return diffs, notes
    if sa != sb:
        if frozenset({sa, sb}) in _COMPATIBLE:
            notes.append(f"statuses {na} {sa} and {nb} {sb} are compatible")
        elif not (sa in _FEASIBLE and sb in _FEASIBLE):
            diffs.append(f"status differs: {na} {sa} vs {nb} {sb}")
            return diffs, notes
    if not (sa in _FEASIBLE and sb in _FEASIBLE):
        return diffs, notes
    a, b = ra.objective, rb.objective
    if a is None or b is None:
        diffs.append(f"objective missing: {na} {a} vs {nb} {b}")
        return diffs, notes
    tol = _tolerance(a, b)
    if is_mip:
        gaps = [g for g in (ra.gap, rb.gap, mip_gap, HIGHS_DEFAULT_MIP_GAP)
                if g is not None and math.isfinite(g)]
        tol += max(gaps) * max(abs(a), abs(b))
    both_optimal = sa == sb == Status.OPTIMAL
    if both_optimal:
        if abs(a - b) > tol:
            diffs.append(f"objectives differ: {na} {a:.10g} vs {nb} {b:.10g} "
                         f"(|diff| {abs(a - b):.3g} > tolerance {tol:.3g})")
        return diffs, notes
    # At least one stopped early: its value is a feasible point, the other's bound limits it.
    better = (lambda u, v: u > v + tol) if sense == "maximize" else (lambda u, v: u < v - tol)
    for (n1, r1), (n2, r2) in (((na, ra), (nb, rb)), ((nb, rb), (na, ra))):
        bound = r2.bound if r2.bound is not None else (
            r2.objective if r2.status == Status.OPTIMAL else None)
        if bound is not None and r1.objective is not None and better(r1.objective, bound):
            diffs.append(f"{n1}'s objective {r1.objective:.10g} is better than {n2}'s proven "
                         f"bound {bound:.10g}")
    if not diffs:
        notes.append("a time limit stopped at least one solver; objectives are consistent "
                     "with the bounds")
    return diffs, notes
