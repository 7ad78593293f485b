"""PuLP with its bundled CBC: the second backend, used to cross-check HiGHS.

The PuLP model is built straight from the :class:`~optimus.build.LinearProgram` arrays
(one ``LpAffineExpression`` per row from ``(variable, coefficient)`` pairs), so it holds
exactly the program HiGHS solves. CBC runs as a subprocess with its files (MPS model,
solution, log) in a private temporary directory that is removed afterwards; nothing is
printed on stdout.

Status mapping (CBC's solution-file first line, then its log's ``Result -`` line):

============================================  =========================================
CBC says                                       our status
============================================  =========================================
``Optimal``                                    ``optimal``
``Infeasible`` / ``Integer infeasible``        ``infeasible``
``Unbounded``                                  ``unbounded`` (LP); ``infeasible_or_unbounded``
                                               for a MIP (CBC only saw an unbounded
                                               relaxation, as HiGHS reports it)
``Stopped on ...`` with a solution             ``time_limit_feasible``
``Stopped on ...`` without one                 ``time_limit_no_solution``
anything else                                  from the log, else ``unknown``
============================================  =========================================

MIP bound and gap come from CBC's log (``Lower bound:`` / ``Upper bound:``); when the log
has none, an optimal MIP gets ``bound = objective`` and ``gap = 0`` (CBC's default
tolerance proves optimality) or ``gap = None`` when a relative gap option let it stop early.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import time
import warnings
from typing import TYPE_CHECKING

import numpy as np

from optimus.result import Status
from optimus.solvers.base import Capability, RawSolution, SolverOptions

if TYPE_CHECKING:
    from optimus.build import LinearProgram

_NUM = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf)"


def _pulp():
    import pulp

    return pulp


def build_pulp_problem(lp: "LinearProgram"):
    """The PuLP ``LpProblem`` holding ``lp`` and its variables (column ``j`` is ``x{j}``)."""
    pulp = _pulp()
    sense = pulp.LpMaximize if lp.sense == "maximize" else pulp.LpMinimize
    prob = pulp.LpProblem(_safe_name(lp.name), sense)
    lo = [None if not math.isfinite(v) else float(v) for v in lp.col_lower.tolist()]
    hi = [None if not math.isfinite(v) else float(v) for v in lp.col_upper.tolist()]
    cats = ["Integer" if v else "Continuous" for v in lp.integrality.tolist()]
    new_var = getattr(prob, "add_variable", None) or pulp.LpVariable  # PuLP >= 3.3 | older
    xs = [new_var(f"x{j}", lo[j], hi[j], cats[j]) for j in range(lp.num_cols)]

    nz = np.flatnonzero(lp.cost)
    obj = pulp.LpAffineExpression([(xs[j], float(lp.cost[j])) for j in nz.tolist()],
                                  constant=float(lp.offset))
    prob.setObjective(obj)

    start = lp.a_start.tolist()
    index = lp.a_index.tolist()
    value = lp.a_value.tolist()
    rlo = lp.row_lower.tolist()
    rhi = lp.row_upper.tolist()
    LE, GE, EQ = pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ
    Constraint, Expr = pulp.LpConstraint, pulp.LpAffineExpression
    add = prob.addConstraint
    for i in range(lp.num_rows):
        s, e = start[i], start[i + 1]
        lo_i, hi_i = rlo[i], rhi[i]
        has_lo, has_hi = lo_i > -math.inf, hi_i < math.inf
        if not (has_lo or has_hi):
            continue  # a free row constrains nothing
        expr = Expr([(xs[index[k]], value[k]) for k in range(s, e)])
        if has_lo and has_hi and lo_i == hi_i:
            add(Constraint(expr, EQ, f"r{i}", lo_i))
            continue
        if has_lo:
            add(Constraint(expr, GE, f"r{i}_lo" if has_hi else f"r{i}", lo_i))
        if has_hi:
            add(Constraint(expr, LE, f"r{i}_hi" if has_lo else f"r{i}", hi_i))
    if lp.has_semi:
        _semi_rows(lp, prob, xs, new_var)
    return prob, xs


def _semi_rows(lp: "LinearProgram", prob, xs: list, new_var) -> None:
    """Semi-continuous columns (CBC through PuLP has no such type): a binary ``on`` per
    column with ``x <= upper * on`` and ``x >= lower * on`` (the column's own bounds are
    [0, upper], and upper is finite: the checker requires it)."""
    pulp = _pulp()
    assert lp.semi is not None and lp.semi_lower is not None
    for j in np.flatnonzero(lp.semi).tolist():
        on = new_var(f"on{j}", 0, 1, "Integer")
        hi, lo = float(lp.col_upper[j]), float(lp.semi_lower[j])
        prob.addConstraint(pulp.LpConstraint(
            pulp.LpAffineExpression([(xs[j], 1.0), (on, -hi)]), pulp.LpConstraintLE, f"sc{j}_hi", 0.0))
        if lo > 0:
            prob.addConstraint(pulp.LpConstraint(
                pulp.LpAffineExpression([(xs[j], 1.0), (on, -lo)]), pulp.LpConstraintGE,
                f"sc{j}_lo", 0.0))


def _safe_name(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]", "_", name or "optimus")
    return s or "optimus"


def _parse_log(text: str) -> dict[str, object]:
    """``result`` (the ``Result -`` line), ``objective``, ``bound`` from CBC's log."""
    out: dict[str, object] = {}
    m = re.search(r"^Result - (.+)$", text, re.M)
    if m:
        out["result"] = m.group(1).strip()
    m = re.search(r"^Objective value:\s*" + _NUM, text, re.M)
    if m:
        out["objective"] = float(m.group(1))
    m = re.search(r"^(?:Lower|Upper) bound:\s*" + _NUM, text, re.M)
    if m:
        out["bound"] = float(m.group(1))
    out["no_solution"] = "No feasible solution found" in text
    return out


def map_cbc_status(first_line: str, log: dict[str, object], is_mip: bool) -> Status:
    """Our status from CBC's solution-file first line and parsed log (see module doc)."""
    line = first_line.strip().lower()
    result = str(log.get("result", "")).lower()
    unbounded = Status.INFEASIBLE_OR_UNBOUNDED if is_mip else Status.UNBOUNDED
    if line.startswith("optimal"):
        return Status.OPTIMAL
    if line.startswith(("infeasible", "integer infeasible")):
        return Status.INFEASIBLE
    if line.startswith("unbounded"):
        return unbounded
    if line.startswith("stopped"):
        has_sol = ("no integer solution" not in line and "objective value" in line
                   and not log.get("no_solution"))
        return Status.TIME_LIMIT_FEASIBLE if has_sol else Status.TIME_LIMIT_NO_SOLUTION
    # Unknown first line (PuLP's "Not Solved"/"Undefined"): fall back on the log.
    if "optimal" in result:
        return Status.OPTIMAL
    if "infeasible" in result:
        return Status.INFEASIBLE
    if "unbounded" in result:
        return unbounded
    if result.startswith("stopped"):
        return Status.TIME_LIMIT_NO_SOLUTION if log.get("no_solution") else Status.TIME_LIMIT_FEASIBLE
    return Status.UNKNOWN


class PulpBackend:
    """Solve with PuLP's bundled CBC (``pulp.PULP_CBC_CMD``)."""

    name = "pulp"
    capabilities = frozenset({Capability.MIP})

    def solve(self, lp: "LinearProgram", options: SolverOptions) -> RawSolution:
        if getattr(lp, "hessian", None) is not None:
            return RawSolution(status=Status.ERROR, message=(
                "PuLP/CBC cannot solve a quadratic objective; use --backend highs (its QP "
                "solver), or make the objective linear with piecewise(...)"))
        try:
            pulp = _pulp()
        except ImportError:  # pragma: no cover - pulp is a dependency
            return RawSolution(status=Status.ERROR, message="PuLP is not installed (pip install pulp)")
        if _bounds_contradict(lp):
            # PuLP writes only the columns that appear in a row or the objective, so CBC
            # would never see a contradiction in the bounds of the others: settle it here.
            return RawSolution(status=Status.INFEASIBLE,
                               message="CBC not run: some variable's bounds admit no value")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 4.0 migration notices
            prob, xs = build_pulp_problem(lp)
        tmp = tempfile.mkdtemp(prefix="optimus-cbc-")
        log_path = os.path.join(tmp, "cbc.log")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PULP_CBC_CMD's v4 deprecation notice
                solver = pulp.PULP_CBC_CMD(
                    msg=False, logPath=log_path,
                    timeLimit=None if options.time_limit is None else max(float(options.time_limit), 0.01),
                    gapRel=options.mip_gap)
            solver.tmpDir = tmp
            solver.delete_tmp_files = lambda *files: None  # we read the .sol, then rmtree
            t0 = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    prob.solve(solver)
            except Exception as exc:  # PulpSolverError, OSError: outcomes, not crashes
                return RawSolution(status=Status.ERROR, solve_time=time.perf_counter() - t0,
                                   message=f"CBC failed: {exc}")
            elapsed = time.perf_counter() - t0
            first = ""
            for fn in os.listdir(tmp):
                if fn.endswith(".sol"):
                    with open(os.path.join(tmp, fn)) as fh:
                        first = fh.readline()
            log_text = ""
            if os.path.exists(log_path):
                with open(log_path, errors="replace") as fh:
                    log_text = fh.read()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log = _parse_log(log_text)
        status = map_cbc_status(first, log, lp.is_mip)
        message = (first.split(" - objective value")[0].strip() or str(log.get("result", ""))
                   or pulp.LpStatus.get(prob.status, ""))
        raw = RawSolution(status=status, solve_time=elapsed, message=f"CBC: {message}")
        if status.has_solution:
            x = np.array([np.nan if v.varValue is None else v.varValue for v in xs], dtype=float)
            missing = np.isnan(x)
            if missing.any():  # in no row and not in the objective: PuLP never wrote them
                fill = np.clip(0.0, lp.col_lower, lp.col_upper)
                integ = lp.integrality.astype(bool)
                fill[integ] = np.clip(np.round(fill[integ]), np.ceil(lp.col_lower[integ] - 1e-9),
                                      np.floor(lp.col_upper[integ] + 1e-9))
                x[missing] = fill[missing]
            raw.x = x
            obj = float(lp.cost @ x + lp.offset) if lp.num_cols else float(lp.offset)
            raw.objective = obj
            if not lp.is_mip:
                raw.bound, raw.gap = obj, 0.0
            else:
                bound = log.get("bound")
                if isinstance(bound, float) and math.isfinite(bound):
                    bound += float(lp.offset) if _bound_excludes_offset(log, obj, lp) else 0.0
                    raw.bound = bound
                    raw.gap = abs(obj - bound) / max(abs(obj), 1e-10)
                elif status == Status.OPTIMAL:
                    raw.bound = obj
                    raw.gap = 0.0 if options.mip_gap is None else None
        return raw


def _bounds_contradict(lp: "LinearProgram") -> bool:
    lo, hi = lp.col_lower, lp.col_upper
    if np.any(lo > hi):
        return True
    integ = lp.integrality.astype(bool)
    with np.errstate(invalid="ignore"):
        return bool(np.any(integ & (np.ceil(lo - 1e-9) > np.floor(hi + 1e-9))))


def _bound_excludes_offset(log: dict[str, object], obj: float, lp: "LinearProgram") -> bool:
    """CBC's log reports objective and bound without the objective constant (MPS drops it)."""
    logged = log.get("objective")
    if not isinstance(logged, float) or lp.offset == 0.0:
        return False
    return abs((logged + lp.offset) - obj) < abs(logged - obj)
