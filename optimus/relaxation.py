"""The smallest change of the data that makes an infeasible model feasible.

:func:`relaxation` solves an *elastic* version of the program: every finite side of every
constraint row, and every variable bound except the sign restriction ``>= 0`` (and the
0/1 of a binary), may be violated at a cost equal to the violation; the total is
minimized. Integrality is kept, so a MIP that is infeasible only because of integrality
gets the change its integer variables need. The result is a list of
:class:`~optimus.result.RelaxationEntry`: option 1 is that minimum (possibly several
changes to apply together); later options change a *single* constraint or bound alone
(each candidate of the conflict is tried by itself), e.g.::

    meet_demand[gadgets]: 120 -> 100, or line_capacity_limit[gadgets]: 100 -> 120

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import solve_model
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "upper": 5}],
    ...     "constraints": [{"name": "need", "expression": "x >= 8"}],
    ...     "objective": {"sense": "minimize", "expression": "x"}})
    >>> solve_model(f).result.diagnosis.relaxation_text()
    'need: 8 -> 5, or x (upper bound): 5 -> 8'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import highspy
import numpy as np

from optimus.build import LinearProgram
from optimus.formulation import Formulation
from optimus.result import ConflictEntry, ConflictKind, RelaxationEntry
from optimus.solvers.base import SolverOptions
from optimus.solvers.highs import make_highs

__all__ = ["relaxation", "MAX_ALTERNATIVES"]

#: Single-constraint alternatives tried after the minimum (one LP/MIP solve each).
MAX_ALTERNATIVES = 8
#: Rows + columns above which only the minimum is computed (no alternatives).
_ALTERNATIVES_MAX_SIZE = 50_000
_MAX_ENTRIES = 100
_TIME_LIMIT = 20.0
_INF = highspy.kHighsInf


@dataclass
class _Side:
    """One elastic side: a row's lower/upper limit or a column's lower/upper bound."""

    kind: str  # "row" or "col"
    pos: int  # row or column number
    upper: bool  # the upper side (<=) or the lower side (>=)
    current: float


def relaxation(lp: LinearProgram, options: SolverOptions | None = None, *,
               f: Formulation | None = None,
               conflict: Iterable[ConflictEntry] = ()) -> list[RelaxationEntry]:
    """The smallest changes of limits that make ``lp`` feasible (empty when none is found
    within the time limit). ``conflict`` (the IIS) gives the single-change candidates."""
    sides = _sides(lp)
    if not sides:
        return []
    limit = _TIME_LIMIT if options is None or options.time_limit is None \
        else min(_TIME_LIMIT, max(1.0, float(options.time_limit)))
    h = _elastic_model(lp, sides, SolverOptions(time_limit=limit))
    n = lp.num_cols
    k = len(sides)
    t = _solve(h, n, k)
    if t is None:
        return []
    names = _names(f, lp)
    used = np.flatnonzero(t > _tol(sides, t))
    order = used[np.argsort(-t[used], kind="stable")][:_MAX_ENTRIES]
    out = [_entry(lp, sides[s], float(t[s]), 1, names) for s in order.tolist()]
    if lp.num_rows + lp.num_cols > _ALTERNATIVES_MAX_SIZE:
        return out
    # single changes: each candidate side alone (the minimum's own sides, then the IIS's)
    cands: list[int] = [int(s) for s in order.tolist()]
    index = {(sd.kind, sd.pos, sd.upper): s for s, sd in enumerate(sides)}
    for e in conflict:
        for key in _conflict_sides(lp, e):
            s = index.get(key)
            if s is not None and s not in cands:
                cands.append(s)
    single = len(order) == 1
    option = 1
    for s in cands[:MAX_ALTERNATIVES]:
        if single and s == int(order[0]):
            continue  # option 1 already is this change alone
        alone = _only(h, n, k, s)
        if alone is None:
            continue
        option += 1
        out.append(_entry(lp, sides[s], alone, option, names))
    return out


# --------------------------------------------------------------------------- the model
def _sides(lp: LinearProgram) -> list[_Side]:
    sides: list[_Side] = []
    for i in range(lp.num_rows):
        if lp.is_aux_row(i):  # a construct's own row: the user's constraint is relaxed instead
            continue
        lo, hi = float(lp.row_lower[i]), float(lp.row_upper[i])
        if math.isfinite(lo):
            sides.append(_Side("row", i, False, lo))
        if math.isfinite(hi):
            sides.append(_Side("row", i, True, hi))
    binary = lp.integrality.astype(bool) & (lp.col_lower >= 0) & (lp.col_upper <= 1)
    for j in range(lp.num_user_cols):  # not the auxiliary columns of constructs
        lo, hi = float(lp.col_lower[j]), float(lp.col_upper[j])
        if binary[j]:
            continue
        if math.isfinite(lo) and lo != 0.0:
            sides.append(_Side("col", j, False, lo))
        if math.isfinite(hi):
            sides.append(_Side("col", j, True, hi))
    return sides


def _elastic_model(lp: LinearProgram, sides: list[_Side], opts: SolverOptions) -> Any:
    """``lp`` plus one nonnegative violation column per side; minimize their sum.

    A row side gets its column in that row (+1 for a lower side, -1 for an upper side);
    a column bound is moved into a new row ``x + t >= lower`` / ``x - t <= upper`` and
    dropped from the column."""
    n, k = lp.num_cols, len(sides)
    h = make_highs(lp, opts, names=False)
    is_row = np.array([sd.kind == "row" for sd in sides])
    upper = np.array([sd.upper for sd in sides])
    pos = np.array([sd.pos for sd in sides], dtype=np.int32)
    # the violation columns: a row side's column has one entry, in its row
    starts = np.concatenate([[0], np.cumsum(is_row)[:-1]]).astype(np.int32)
    rows = pos[is_row]
    vals = np.where(upper[is_row], -1.0, 1.0)
    h.addCols(k, np.ones(k), np.zeros(k), np.full(k, _INF), int(is_row.sum()), starts,
              rows.astype(np.int32), vals)
    if lp.is_mip:
        h.changeColsIntegrality(k, np.arange(n, n + k, dtype=np.int32),
                                np.array([highspy.HighsVarType.kContinuous] * k))
    # a column bound becomes a row: x - t <= upper, x + t >= lower
    col_sides = np.flatnonzero(~is_row)
    if len(col_sides):
        col_lo = lp.col_lower.astype(float).copy()
        col_hi = lp.col_upper.astype(float).copy()
        for s in col_sides.tolist():
            if upper[s]:
                col_hi[pos[s]] = _INF
            else:
                col_lo[pos[s]] = -_INF
        h.changeColsBounds(n, np.arange(n, dtype=np.int32), col_lo, col_hi)
        m = len(col_sides)
        r_lo = np.array([-_INF if upper[s] else sides[s].current for s in col_sides.tolist()])
        r_hi = np.array([sides[s].current if upper[s] else _INF for s in col_sides.tolist()])
        idx = np.empty(2 * m, dtype=np.int32)
        idx[0::2] = pos[col_sides]
        idx[1::2] = n + col_sides
        coef = np.empty(2 * m)
        coef[0::2] = 1.0
        coef[1::2] = np.where(upper[col_sides], -1.0, 1.0)
        h.addRows(m, r_lo, r_hi, 2 * m, np.arange(0, 2 * m, 2, dtype=np.int32), idx, coef)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveOffset(0.0)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    return h


def _solve(h: Any, n: int, k: int) -> np.ndarray | None:
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)[n:n + k]


def _only(h: Any, n: int, k: int, s: int) -> float | None:
    """The violation needed when only side ``s`` may move (None: not enough alone)."""
    cols = np.arange(n, n + k, dtype=np.int32)
    upper = np.zeros(k)
    upper[s] = _INF
    h.changeColsBounds(k, cols, np.zeros(k), upper)
    h.clearSolver()
    try:
        t = _solve(h, n, k)
        if t is None or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return float(t[s])
    finally:
        h.changeColsBounds(k, cols, np.zeros(k), np.full(k, _INF))


def _tol(sides: list[_Side], t: np.ndarray) -> np.ndarray:
    scale = np.array([max(1.0, abs(sd.current)) for sd in sides])
    return 1e-7 * scale


def _conflict_sides(lp: LinearProgram, e: ConflictEntry) -> list[tuple[str, int, bool]]:
    """The elastic sides a conflict member stands for (``(kind, position, upper)``)."""
    if e.variable is not None:
        j = _position(lp.col_keys, e.variable, e.index)
        if j is None:
            return []
        if e.kind == ConflictKind.LOWER_BOUND:
            return [("col", j, False)]
        if e.kind == ConflictKind.UPPER_BOUND:
            return [("col", j, True)]
        return [("col", j, False), ("col", j, True)]
    if e.constraint is None:
        return []
    i = _position(lp.row_keys, e.constraint, e.index)
    if i is None:
        return []
    if e.sense == ">=":
        return [("row", i, False)]
    if e.sense == "<=":
        return [("row", i, True)]
    return [("row", i, False), ("row", i, True)]


def _position(keys: list[tuple[str, tuple]], name: str, index: list[Any]) -> int | None:
    want = (name, tuple(index))
    for p, key in enumerate(keys):
        if key == want:
            return p
    return None


# --------------------------------------------------------------------------- records
def _names(f: Formulation | None, lp: LinearProgram) -> Any:
    if f is None or lp.num_rows + lp.num_cols > 20_000:
        return None
    from optimus.sensitivity import ParameterNames

    try:
        return ParameterNames(f, lp)
    except Exception:  # noqa: BLE001 - names are a nicety; the figures stand without them
        return None


def _entry(lp: LinearProgram, sd: _Side, amount: float, option: int,
           names: Any) -> RelaxationEntry:
    amount = _clean(amount)
    needed = _clean(sd.current + amount if sd.upper else sd.current - amount)
    if sd.kind == "row":
        name, key = lp.row_keys[sd.pos]
        lo, hi = float(lp.row_lower[sd.pos]), float(lp.row_upper[sd.pos])
        sense = "==" if lo == hi else ("<=" if sd.upper else ">=")
        if lo == hi:  # an equality moves up or down
            needed = _clean(sd.current - amount if not sd.upper else sd.current + amount)
        param = names.rhs(sd.pos, sd.current)[0] if names is not None else None
        return RelaxationEntry(constraint=name, index=list(key), current=_clean(sd.current),
                               needed=needed, kind=ConflictKind.ROW, variable=None,
                               sense=sense, option=option, parameter=param)
    name, key = lp.col_keys[sd.pos]
    kind = ConflictKind.UPPER_BOUND if sd.upper else ConflictKind.LOWER_BOUND
    return RelaxationEntry(constraint=name, index=list(key), current=_clean(sd.current),
                           needed=needed, kind=kind, variable=name,
                           sense="<=" if sd.upper else ">=", option=option, parameter=None)


def _clean(v: float) -> float:
    """Round solver noise: 99.99999999 -> 100.0."""
    r = round(v, 7)
    return r if abs(r - v) <= 1e-7 * max(1.0, abs(v)) else v
