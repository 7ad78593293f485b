"""Sensitivity of an optimum: shadow prices, slacks, reduced costs and ranges (HiGHS).

:func:`sensitivity` re-solves a built program with HiGHS's simplex, reads the basis, the
row and column duals and HiGHS's ranging, and returns a
:class:`~optimus.result.Sensitivity` whose records speak the problem's language
(constraint and variable names with their index values, and the parameter entry that
supplies each right-hand side or objective coefficient when one does).

Conventions (the same for minimization and maximization):

- a constraint's ``dual`` is the change in the objective per unit increase of its
  right-hand side (its active limit), valid while that limit stays within ``rhs_range``;
  so a binding capacity of a maximization has a dual >= 0 and a binding demand of a
  minimization too;
- a variable's ``reduced_cost`` is the change in the objective per unit increase of the
  variable from its optimal value; its ``cost_range`` is the interval of its objective
  coefficient over which the solution stays optimal.

For a MIP the figures come from the LP with every integer variable fixed at its optimal
value (``basis = fixed_integers``): they say what small changes are worth with the integer
decisions held, not what would happen if those decisions changed.

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import SolveOptions, solve_model
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "cap", "expression": "x + 2*y <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x + 4*y"}})
    >>> s = solve_model(f, SolveOptions(sensitivity=True)).result.sensitivity
    >>> s.constraint("cap").dual, s.constraint("cap").rhs_range
    (3.0, [0.0, None])
"""

from __future__ import annotations

import copy
import math
import re
from itertools import combinations
from typing import Any

import highspy
import numpy as np

from optimus.build import LinearProgram, display_name
from optimus.formulation import Formulation
from optimus.result import (
    ConstraintSensitivity, Result, Sensitivity, SensitivityBasis, Status, VariableSensitivity,
)
from optimus.solvers.base import SolverOptions
from optimus.solvers.highs import make_highs

__all__ = ["sensitivity", "ParameterNames", "AUTO_MAX_ROWS", "AUTO_MAX_COLS", "MAX_SIZE", "auto_sensitivity"]

#: Models up to this many rows and columns get sensitivity without asking.
AUTO_MAX_ROWS = 200
AUTO_MAX_COLS = 200
#: Rows + columns beyond which even ``--sensitivity`` skips it (a note says so).
MAX_SIZE = 200_000
#: Rows + columns up to which parameter entries are matched to right-hand sides and costs.
_NAMING_MAX = 20_000
_TIME_LIMIT = 30.0

_MS = highspy.HighsModelStatus
_BS = highspy.HighsBasisStatus
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def auto_sensitivity(lp: LinearProgram) -> bool:
    """Is ``lp`` small enough to compute sensitivity without being asked?"""
    return lp.num_rows <= AUTO_MAX_ROWS and lp.num_cols <= AUTO_MAX_COLS


def sensitivity(f: Formulation | None, lp: LinearProgram, result: Result,
                options: SolverOptions | None = None) -> Sensitivity | None:
    """The sensitivity of ``result`` (an optimal solve of ``lp``), or None when there is
    no optimum to explain. Never raises for solver outcomes: a failure is a note."""
    if result.status != Status.OPTIMAL or len(result.variables) != lp.num_user_cols:
        return None
    full = getattr(result, "_columns", None)
    if lp.num_user_cols != lp.num_cols and (full is None or len(full) != lp.num_cols):
        return None  # the auxiliary columns' values are needed and were not kept
    sense = lp.sense
    obj_desc = f.objective.description if f is not None else None
    if lp.num_rows + lp.num_cols > MAX_SIZE:
        return Sensitivity(sense=sense, objective=obj_desc, truncated=True, note=(
            f"Sensitivity skipped: the model has {lp.num_rows} rows and {lp.num_cols} columns "
            f"(more than {MAX_SIZE} in all)."))
    basis = SensitivityBasis.LP
    note = ""
    work = lp
    if lp.is_mip:
        x = np.asarray(full, dtype=float) if full is not None and len(full) == lp.num_cols \
            else np.array([v.value for v in result.variables], dtype=float)
        work = _fixed(lp, x)
        basis = SensitivityBasis.FIXED_INTEGERS
        note = ("From the LP with the integer variables fixed at their optimum: these figures "
                "hold while the integer decisions stay as they are.")
    limit = _TIME_LIMIT if options is None or options.time_limit is None \
        else min(_TIME_LIMIT, max(1.0, float(options.time_limit)))
    h = make_highs(work, SolverOptions(time_limit=limit), relax=True, names=False)
    h.setOptionValue("solver", "simplex")
    h.run()
    if h.getModelStatus() != _MS.kOptimal or not h.getBasis().valid:
        return Sensitivity(basis=basis, sense=sense, objective=obj_desc, note=(
            "Sensitivity unavailable: re-solving "
            + ("the LP with the integers fixed" if lp.is_mip else "the LP")
            + f" gave {h.modelStatusToString(h.getModelStatus())}."))
    sol = h.getSolution()
    b = h.getBasis()
    status, ranging = h.getRanging()
    ranged = status == highspy.HighsStatus.kOk and ranging.valid
    names = ParameterNames(f, lp) if f is not None and lp.num_rows + lp.num_cols <= _NAMING_MAX else None
    constraints = _rows(lp, work, sol, b, ranging if ranged else None, names)
    variables = _cols(lp, work, sol, b, ranging if ranged else None, names)
    _unique(constraints, "rhs_parameter")
    _unique(variables, "cost_parameter")
    if not ranged:
        note = (note + " " if note else "") + "HiGHS gave no ranging; ranges are omitted."
    return Sensitivity(basis=basis, note=note, sense=sense, objective=obj_desc,
                       constraints=constraints, variables=variables)


# --------------------------------------------------------------------------- helpers
def _fixed(lp: LinearProgram, x: np.ndarray) -> LinearProgram:
    """``lp`` with its integer columns fixed at ``x`` (rounded) and integrality dropped."""
    out = copy.copy(lp)
    integ = lp.integrality.astype(bool)
    fixed = np.round(x)
    out.col_lower = np.where(integ, fixed, lp.col_lower)
    out.col_upper = np.where(integ, fixed, lp.col_upper)
    if lp.has_semi:  # a semi-continuous column: off stays 0, on keeps [lower, upper]
        semi = np.asarray(lp.semi, dtype=bool) & ~integ
        off = semi & (np.abs(x) <= 1e-9)
        out.col_upper = np.where(off, 0.0, out.col_upper)
        out.col_lower = np.where(semi & ~off, lp.semi_lower, out.col_lower)
    out.integrality = np.zeros_like(lp.integrality)
    out.semi = out.semi_lower = None
    return out


def _unique(records: list[Any], attr: str) -> None:
    """Keep a parameter name only where it supplies one row (column) alone: a change to a
    parameter shared by several rows moves them all, which one row's range does not cover."""
    counts: dict[str, int] = {}
    for r in records:
        name = getattr(r, attr)
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    for r in records:
        if counts.get(getattr(r, attr), 0) > 1:
            setattr(r, attr, None)


def _num(v: float) -> float | None:
    """A finite float (``-0.0`` -> ``0.0``, noise below 1e-12 -> 0) or None for +-inf."""
    v = float(v)
    if not math.isfinite(v) or abs(v) >= 1e30:
        return None
    if abs(v) < 1e-12:
        return 0.0
    r = round(v, 9)  # HiGHS's 10.000000000000004 -> 10.0
    return r if abs(r - v) <= 1e-9 * max(1.0, abs(v)) else v


def _rows(lp: LinearProgram, work: LinearProgram, sol: Any, basis: Any, ranging: Any,
          names: "ParameterNames | None") -> list[ConstraintSensitivity]:
    act = np.asarray(sol.row_value, dtype=float)
    dual = np.asarray(sol.row_dual, dtype=float)
    status = list(basis.row_status)
    if ranging is not None:
        dn = np.asarray(ranging.row_bound_dn.value_, dtype=float)
        up = np.asarray(ranging.row_bound_up.value_, dtype=float)
    out = []
    for i in range(lp.num_rows):
        if lp.is_aux_row(i):  # a construct's own row: not one the user wrote
            continue
        lo, hi, a = float(lp.row_lower[i]), float(lp.row_upper[i]), float(act[i])
        st = status[i]
        if lo == hi:
            sense, rhs = "==", lo
        elif math.isfinite(lo) and math.isfinite(hi):
            sense = "range"
            at_lo = st == _BS.kLower or (st != _BS.kUpper and a - lo <= hi - a)
            rhs = lo if at_lo else hi
        elif math.isfinite(hi):
            sense, rhs = "<=", hi
        elif math.isfinite(lo):
            sense, rhs = ">=", lo
        else:
            sense, rhs = "free", None
        if rhs is None:
            slack = None
        elif sense == "range":
            slack = min(hi - a, a - lo)
        elif sense == "<=":
            slack = hi - a
        elif sense == ">=":
            slack = a - lo
        else:
            slack = 0.0
        scale = max(1.0, abs(rhs)) if rhs is not None else 1.0
        nonbasic = st != _BS.kBasic
        binding = rhs is not None and (nonbasic or abs(slack or 0.0) <= 1e-9 * scale)
        if rhs is None:
            rng: list[float | None] = [None, None]
        elif nonbasic and ranging is not None:
            rng = [_num(dn[i]), _num(up[i])]
        elif nonbasic:
            rng = [None, None]
        elif sense in ("<=",) or (sense == "range" and rhs == hi):
            rng = [_num(a), None]  # the limit may fall to the activity, or rise freely
        elif sense in (">=",) or (sense == "range" and rhs == lo):
            rng = [None, _num(a)]
        else:  # a basic equality (degenerate): the dual is 0 at this value only
            rng = [_num(a), _num(a)]
        name, key = lp.row_keys[i]
        param, desc = names.rhs(i, rhs) if names is not None and rhs is not None else (None, None)
        out.append(ConstraintSensitivity(
            name=name, index=list(key), activity=_num(a) or 0.0,
            slack=None if slack is None else max(0.0, _num(slack) or 0.0),
            dual=_num(dual[i]) or 0.0, rhs_range=rng, binding=bool(binding), sense=sense,
            rhs=None if rhs is None else _num(rhs), rhs_parameter=param, description=desc))
    return out


def _cols(lp: LinearProgram, work: LinearProgram, sol: Any, basis: Any, ranging: Any,
          names: "ParameterNames | None") -> list[VariableSensitivity]:
    x = np.asarray(sol.col_value, dtype=float)
    d = np.asarray(sol.col_dual, dtype=float)
    status = list(basis.col_status)
    n = lp.num_user_cols  # the constructs' auxiliary columns are not reported
    if ranging is not None:
        cdn = np.asarray(ranging.col_cost_dn.value_, dtype=float)[:n]
        cup = np.asarray(ranging.col_cost_up.value_, dtype=float)[:n]
    out = []
    for j in range(n):
        name, key = lp.col_keys[j]
        fixed_int = bool(lp.integrality[j])
        if ranging is not None and not fixed_int:
            rng: list[float | None] = [_num(cdn[j]), _num(cup[j])]
        else:
            rng = [None, None]
        cost = float(lp.cost[j])
        param, desc = names.cost(j, cost) if names is not None and cost != 0 else (None, None)
        out.append(VariableSensitivity(
            name=name, index=list(key), value=_num(x[j]) or 0.0, reduced_cost=_num(d[j]) or 0.0,
            cost_range=rng, cost=_num(cost) or 0.0, basic=status[j] == _BS.kBasic,
            cost_parameter=param, description=desc))
    return out


class ParameterNames:
    """Which parameter entry supplies a row's right-hand side or a column's cost.

    A parameter is a candidate when its name appears in the constraint (objective)
    expression; its entry matches when its key is made of the row's (column's) index
    values in order and its value equals the number. Only an unambiguous match is named.
    """

    def __init__(self, f: Formulation, lp: LinearProgram) -> None:
        from optimus.checks import analyze

        self.f, self.lp = f, lp
        a = analyze(f)
        self.tables: dict[str, tuple[int, Any]] = {} if a.issues else dict(a.symbols.params)
        self.desc = {p.name: p.description for p in f.parameters}
        self.in_constraint = {c.name: self._params(c.expression) for c in f.constraints}
        self.in_objective = self._params(f.objective.expression)
        self.var_desc = {v.name: v.description for v in f.variables}
        self.con_desc = {c.name: c.description for c in f.constraints}

    def _params(self, text: str) -> list[str]:
        words = dict.fromkeys(_WORD.findall(text or ""))
        return [w for w in words if w in self.tables] if hasattr(self, "tables") else []

    def _match(self, candidates: list[str], key: tuple, value: float) -> str | None:
        found: list[str] = []
        tol = 1e-9 * max(1.0, abs(value))
        for p in candidates:
            arity, table = self.tables[p]
            if not isinstance(table, dict):
                if abs(float(table) - value) <= tol:
                    found.append(p)
                continue
            if arity > len(key):
                continue
            for sub in dict.fromkeys(combinations(key, arity)):
                v = table.get(sub)
                if v is not None and abs(float(v) - value) <= tol:
                    found.append(display_name(p, sub))
        return found[0] if len(found) == 1 else None

    def rhs(self, i: int, value: float) -> tuple[str | None, str | None]:
        name, key = self.lp.row_keys[i]
        param = self._match(self.in_constraint.get(name, []), key, value)
        desc = self.desc.get(param.split("[")[0]) if param else None
        return param, desc or self.con_desc.get(name)

    def cost(self, j: int, value: float) -> tuple[str | None, str | None]:
        name, key = self.lp.col_keys[j]
        param = self._match(self.in_objective, key, value)
        return param, self.var_desc.get(name)
