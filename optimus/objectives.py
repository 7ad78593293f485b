"""Several objectives: priorities solved lexicographically, equal priorities blended.

``Formulation.objectives`` lists ``{name, sense, expression, priority, weight}``; the
objectives of the lowest priority are optimized first, then, with each earlier level
held at its optimum (within a tolerance), the next level, and so on. Objectives of equal
priority form one level: their weighted sum, each term signed for the level's sense (the
sense of the level's first objective), so "maximize profit" and "minimize cost" at one
priority blend as ``w1*profit - w2*cost`` maximized.

How it is solved: successive solves of the same compiled program, not HiGHS's own
multi-objective mode. After level *k* is solved with optimum ``z_k``, one row
``c_k x <= z_k`` (minimize) or ``>= z_k`` (maximize) is added and level *k+1* is solved
(the solution just found meets it, so it stays feasible); should a later level still be
reported infeasible (numerics), the rows are loosened by ``tol = 1e-6 * max(1, |z_k|)``
(plus the MIP gap when one is set) and that level solved again. This
is one path for every backend (HiGHS and PuLP/CBC alike) and for a convex quadratic
level; the result reports each objective's value at the final solution
(:attr:`optimus.result.Result.objectives`), and ``Result.objective`` is the value of the
first level.

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import solve_formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "upper": 4}, {"name": "y", "upper": 4}],
    ...     "constraints": [{"name": "cap", "expression": "x + y <= 5"}],
    ...     "objectives": [
    ...         {"name": "most_x", "sense": "maximize", "expression": "x", "priority": 1},
    ...         {"name": "least_y", "sense": "minimize", "expression": "y", "priority": 2}]})
    >>> r = solve_formulation(f)
    >>> r.objectives
    {'most_x': 4.0, 'least_y': 0.0}
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["ObjectiveLevel", "levels_of", "first_level_objective", "blend_text",
           "solve_lexicographic", "LEX_TOL"]

#: relative tolerance by which an earlier level may worsen while later ones are solved
LEX_TOL = 1e-6


@dataclass
class ObjectiveLevel:
    """One priority level compiled: the blended cost vector for the level's sense."""

    priority: int
    names: list[str]
    sense: str
    cost: np.ndarray
    offset: float = 0.0
    hessian: Any = None  # optimus.quadratic.Hessian of the blended level, if quadratic


def levels_of(objectives: Iterable[Any]) -> list[list[Any]]:
    """The objectives grouped by priority, lowest first (list order within a level)."""
    groups: dict[int, list[Any]] = {}
    for o in objectives:
        groups.setdefault(int(o.priority), []).append(o)
    return [groups[k] for k in sorted(groups)]


def _sign(o: Any, sense: str) -> float:
    return 1.0 if o.sense == sense else -1.0


def blend_text(level: list[Any]) -> str:
    """The level as one expression string: ``w1*(e1) - w2*(e2)`` (weights and signs)."""
    sense = level[0].sense
    if len(level) == 1 and level[0].weight == 1:
        return level[0].expression
    parts = []
    for o in level:
        w = float(o.weight) * _sign(o, sense)
        parts.append(f"{'-' if w < 0 else '+'} {abs(w):g}*({o.expression})")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def first_level_objective(objectives: list[Any]) -> tuple[str, str, str | None]:
    """The first level as ``(sense, expression, description)`` of one objective."""
    level = levels_of(objectives)[0] if objectives else []
    if not level:
        return "minimize", "0", None
    desc = "; ".join(o.description for o in level if o.description) or None
    return level[0].sense, blend_text(level), desc


def compile_levels(objectives: list[Any], vectors: dict[str, tuple[np.ndarray, float, Any]]
                   ) -> list[ObjectiveLevel]:
    """Levels from each objective's ``(cost vector, offset, hessian or None)``."""
    out = []
    for level in levels_of(objectives):
        sense = level[0].sense
        cost = np.zeros_like(next(iter(vectors.values()))[0])
        offset = 0.0
        hess = None
        for o in level:
            c, k, h = vectors[o.name]
            w = float(o.weight) * _sign(o, sense)
            cost = cost + w * c
            offset += w * k
            if h is not None:
                hess = h.scaled(w) if hess is None else hess.plus(h.scaled(w))
        out.append(ObjectiveLevel(int(level[0].priority), [o.name for o in level], sense,
                                  cost, offset, hess))
    return out


def _with_level(lp: Any, level: ObjectiveLevel, fixed: list[tuple[ObjectiveLevel, float]]) -> Any:
    """A copy of ``lp`` optimizing ``level``, each earlier level held by one row."""
    out = copy.copy(lp)
    out.sense, out.cost, out.offset = level.sense, level.cost, level.offset
    out.hessian = level.hessian
    if not fixed:
        return out
    rows_lo, rows_hi, idx, val, keys = [], [], [], [], []
    for lev, bound in fixed:
        nz = np.flatnonzero(lev.cost)
        idx.append(nz.astype(np.int32))
        val.append(lev.cost[nz].astype(np.float64))
        if lev.sense == "minimize":
            rows_lo.append(-np.inf)
            rows_hi.append(bound - lev.offset)
        else:
            rows_lo.append(bound - lev.offset)
            rows_hi.append(np.inf)
        keys.append(("_".join(lev.names) + "_kept", ()))
    lengths = np.array([len(i) for i in idx], dtype=np.int64)
    start = np.concatenate([lp.a_start, lp.a_start[-1] + np.cumsum(lengths)]).astype(np.int32)
    out.a_start = start
    out.a_index = np.concatenate([lp.a_index, *idx]).astype(np.int32)
    out.a_value = np.concatenate([lp.a_value, *val])
    out.row_lower = np.concatenate([lp.row_lower, rows_lo])
    out.row_upper = np.concatenate([lp.row_upper, rows_hi])
    out.row_keys = list(lp.row_keys) + keys
    return out


def level_value(level: ObjectiveLevel, x: np.ndarray) -> float:
    v = float(level.cost @ x + level.offset)
    if level.hessian is not None:
        v += level.hessian.value(x)
    return v


def solve_lexicographic(lp: Any, solve_one: Callable[[Any], Any], *,
                        mip_gap: float | None = None) -> Any:
    """Solve ``lp.objective_levels`` in order with ``solve_one`` (a program -> Result
    function); the last solve's result, with ``objectives`` filled and ``objective`` the
    first level's value. A level that is not solved to optimality ends the sequence (its
    status is the result's, and the message names the level)."""
    levels: list[ObjectiveLevel] = lp.objective_levels
    fixed: list[tuple[ObjectiveLevel, float]] = []
    result = None
    solve_time = 0.0
    t0 = time.perf_counter()
    optima: list[float] = []
    for k, level in enumerate(levels):
        result = solve_one(_with_level(lp, level, fixed))
        solve_time += result.timings.solve
        if k and result.status in ("infeasible", "infeasible_or_unbounded"):
            # numerically the earlier optima held exactly may not be met: loosen them
            fixed = [(lev, z + _tol(z, mip_gap) if lev.sense == "minimize" else z - _tol(z, mip_gap))
                     for (lev, _), z in zip(fixed, optima)]
            result = solve_one(_with_level(lp, level, fixed))
            solve_time += result.timings.solve
        if result.status != "optimal" or result.objective is None:
            if k:
                result.message = (f"priority {level.priority} ({', '.join(level.names)}): "
                                  f"{result.message or result.status}")
            break
        z = float(result.objective)
        optima.append(z)
        fixed.append((level, z))  # held exactly (the solution found meets it)
    assert result is not None
    if result.variables and result.status == "optimal":
        x = np.asarray(result.variables.columns()[1], dtype=float)
        result.objectives = {name: value for name, value in objective_values(lp, x).items()}
        result.objective = level_value(levels[0], x)
        result.bound = result.objective if not lp.is_mip else result.bound
        if lp.is_mip:
            result.bound = None
            result.gap = None
    result.timings.solve = solve_time
    result.timings.total = time.perf_counter() - t0
    return result


def _tol(z: float, mip_gap: float | None) -> float:
    return LEX_TOL * max(1.0, abs(z)) + (abs(z) * mip_gap if mip_gap else 0.0)


def objective_values(lp: Any, x: np.ndarray) -> dict[str, float]:
    """Each named objective's value at ``x`` (unweighted, in its own sense)."""
    out = {}
    for name, (c, k, h) in lp.objective_terms.items():
        v = float(c @ x + k)
        if h is not None:
            v += h.value(x)
        out[name] = v
    return out


def compile_objectives(objectives: list[Any], compiler: Any, issues: list[Any],
                       is_identifier: Callable[[Any], bool]) -> list[tuple[Any, Any]]:
    """Check and compile ``Formulation.objectives``: names unique plain identifiers,
    weights positive and finite; each expression compiled (an issue per problem)."""
    import math

    from optimus.expressions import ExprError, compile_objective
    from optimus.issues import Issue

    out = []
    seen: set[str] = set()
    for o in objectives:
        where = f"objective {o.name}"
        if not is_identifier(o.name):
            issues.append(Issue("invalid_name", where, str(o.name),
                                f"objective name {o.name!r} is not a valid identifier",
                                "Use letters, digits and underscores, e.g. `total_cost`."))
        if o.name in seen:
            issues.append(Issue("duplicate_name", where, o.name,
                                f"objective name `{o.name}` is used twice",
                                "Give each objective its own name."))
        seen.add(o.name)
        if not (math.isfinite(o.weight) and o.weight > 0):
            issues.append(Issue("bad_value", where, o.name,
                                f"objective `{o.name}` has weight {o.weight:g}; weights are "
                                f"positive numbers",
                                "Use a positive weight; to maximize instead of minimize, set "
                                "`sense` (never a negative weight)."))
        if o.weight >= 1e4 and any(p.priority == o.priority for p in objectives if p is not o):
            issues.append(Issue("priority_as_weight", where, o.name,
                                f"objective `{o.name}` has weight {o.weight:g}: a huge weight "
                                f"folds a priority into a blend",
                                "Give more important goals a lower `priority` (1 before 2) "
                                "instead of a huge weight; they are then solved "
                                "lexicographically."))
        try:
            out.append((o, compile_objective(compiler, o.expression)))
        except ExprError as exc:
            issues.append(Issue(exc.code, where, exc.symbol,
                                f"{exc.message} (in objective `{o.name}`)", exc.fix))
    return out
