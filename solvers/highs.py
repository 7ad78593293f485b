"""HiGHS through highspy: the default backend."""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from optimus.result import Status
from optimus.solvers.base import Capability, RawSolution, SolverOptions

if TYPE_CHECKING:
    from optimus.build import LinearProgram

_MS = highspy.HighsModelStatus
STATUS_MAP: dict[object, Status] = {
    _MS.kOptimal: Status.OPTIMAL,
    _MS.kInfeasible: Status.INFEASIBLE,
    _MS.kUnbounded: Status.UNBOUNDED,
    _MS.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED,
    _MS.kTimeLimit: Status.TIME_LIMIT_NO_SOLUTION,  # refined by the solution status
    _MS.kIterationLimit: Status.TIME_LIMIT_NO_SOLUTION,
    _MS.kSolutionLimit: Status.TIME_LIMIT_NO_SOLUTION,
    _MS.kInterrupt: Status.TIME_LIMIT_NO_SOLUTION,
    _MS.kLoadError: Status.ERROR,
    _MS.kModelError: Status.ERROR,
    _MS.kPresolveError: Status.ERROR,
    _MS.kSolveError: Status.ERROR,
    _MS.kPostsolveError: Status.ERROR,
    _MS.kMemoryLimit: Status.ERROR,
}
_LIMITS = {_MS.kTimeLimit, _MS.kIterationLimit, _MS.kSolutionLimit, _MS.kInterrupt}


def map_status(model_status: object, has_solution: bool) -> Status:
    """One complete mapping from HiGHS model statuses, with ``unknown`` as fallback."""
    if model_status in _LIMITS:
        return Status.TIME_LIMIT_FEASIBLE if has_solution else Status.TIME_LIMIT_NO_SOLUTION
    return STATUS_MAP.get(model_status, Status.UNKNOWN)


_banner_lock = threading.Lock()
_banner_shown = False


def new_highs() -> highspy.Highs:
    """A silent ``Highs`` instance.

    HiGHS prints its banner on stdout when the first instance of a process is created,
    before any option can be set; that would corrupt ``--json`` output, so the first
    construction runs with file descriptor 1 pointed at /dev/null.
    """
    global _banner_shown
    with _banner_lock:
        if _banner_shown:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def make_highs(lp: "LinearProgram", options: SolverOptions | None = None, *,
               relax: bool = False, names: bool = True) -> highspy.Highs:
    """A silent ``Highs`` instance holding ``lp`` (used by the backend and diagnose)."""
    options = options or SolverOptions()
    h = new_highs()
    h.setOptionValue("output_flag", bool(options.verbose))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    if options.mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    semi = lp.semi if lp.has_semi and not relax else None
    col_lower = lp.col_lower if semi is None else np.where(semi, lp.semi_lower, lp.col_lower)
    hessian = getattr(lp, "hessian", None)
    if not names:
        # the arrays straight to HiGHS (no HighsLp: its fields copy element by element)
        integrality = (_integrality(lp, semi) if lp.is_mip and not relax
                       else np.zeros(lp.num_cols, dtype=np.int32))
        f64, i32 = np.float64, np.int32
        h.passModel(int(lp.num_cols), int(lp.num_rows), int(len(lp.a_value)),
                    int(highspy.MatrixFormat.kRowwise),
                    int(highspy.ObjSense.kMaximize if lp.sense == "maximize"
                        else highspy.ObjSense.kMinimize), float(lp.offset),
                    np.ascontiguousarray(lp.cost, f64), np.ascontiguousarray(col_lower, f64),
                    np.ascontiguousarray(lp.col_upper, f64),
                    np.ascontiguousarray(lp.row_lower, f64),
                    np.ascontiguousarray(lp.row_upper, f64),
                    np.ascontiguousarray(lp.a_start, i32), np.ascontiguousarray(lp.a_index, i32),
                    np.ascontiguousarray(lp.a_value, f64), integrality)
        _pass_hessian(h, lp, hessian)
        return h
    m = highspy.HighsLp()
    m.num_col_ = lp.num_cols
    m.num_row_ = lp.num_rows
    m.col_cost_ = lp.cost
    m.col_lower_ = col_lower
    m.col_upper_ = lp.col_upper
    m.row_lower_ = lp.row_lower
    m.row_upper_ = lp.row_upper
    m.offset_ = lp.offset
    m.sense_ = highspy.ObjSense.kMaximize if lp.sense == "maximize" else highspy.ObjSense.kMinimize
    m.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    m.a_matrix_.num_col_ = lp.num_cols
    m.a_matrix_.num_row_ = lp.num_rows
    m.a_matrix_.start_ = lp.a_start
    m.a_matrix_.index_ = lp.a_index
    m.a_matrix_.value_ = lp.a_value
    if lp.is_mip and not relax:
        m.integrality_ = list(map(highspy.HighsVarType, _integrality(lp, semi).tolist()))
    if names:
        m.col_names_ = export_names(lp.col_names())
        m.row_names_ = export_names(lp.row_names())
    h.passModel(m)
    _pass_hessian(h, lp, hessian)
    return h


def _pass_hessian(h: highspy.Highs, lp: "LinearProgram", hessian: Any) -> None:
    if hessian is not None:  # a convex QP (optimus.quadratic): HiGHS's QP solver
        start, index, value = hessian.highs_triangular()
        h.passHessian(lp.num_cols, len(value), highspy.HessianFormat.kTriangular,
                      start, index, value)


def _integrality(lp: "LinearProgram", semi: np.ndarray | None) -> np.ndarray:
    """HiGHS variable types (``HighsVarType`` values, int32): integer, continuous, and
    (with ``semi``) HiGHS's native semi-continuous and semi-integer types (0 or within
    [lower, upper])."""
    vt = highspy.HighsVarType
    types = np.where(np.asarray(lp.integrality) != 0, int(vt.kInteger), int(vt.kContinuous))
    if semi is not None:
        semi_types = np.where(types == int(vt.kInteger), int(vt.kSemiInteger),
                              int(vt.kSemiContinuous))
        types = np.where(semi, semi_types, types)
    return types.astype(np.int32)


def export_names(names: list[str]) -> list[str]:
    """Names safe for LP/MPS files: ``x[A,1]`` -> ``x(A,1)``, other odd characters -> ``_``."""
    out = []
    seen: set[str] = set()
    for n in names:
        s = n.replace("[", "(").replace("]", ")")
        s = "".join(ch if (ch.isalnum() or ch in "_(),.") and ch.isascii() else "_" for ch in s)
        if not s or s[0].isdigit() or s[0] in "(),.":
            s = "_" + s
        base, k = s, 1
        while s in seen:
            k += 1
            s = f"{base}_{k}"
        seen.add(s)
        out.append(s)
    return out


class HighsBackend:
    """Solve with HiGHS via highspy."""

    name = "highs"
    capabilities = frozenset({Capability.IIS, Capability.RAYS, Capability.MIP, Capability.QP})

    def solve(self, lp: "LinearProgram", options: SolverOptions) -> RawSolution:
        h = make_highs(lp, options, names=False)
        t0 = time.perf_counter()
        h.run()
        elapsed = time.perf_counter() - t0
        ms = h.getModelStatus()
        info = h.getInfo()
        has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
        status = map_status(ms, has_sol)
        raw = RawSolution(status=status, solve_time=elapsed, message=h.modelStatusToString(ms))
        if status.has_solution or (status == Status.UNKNOWN and has_sol):
            sol = h.getSolution()
            raw.x = np.asarray(sol.col_value, dtype=float)
            raw.objective = float(info.objective_function_value)
            if lp.is_mip:
                bound = float(info.mip_dual_bound)
                raw.bound = bound if math.isfinite(bound) else None
                gap = float(info.mip_gap)
                raw.gap = gap if math.isfinite(gap) else None
            else:
                raw.bound, raw.gap = raw.objective, 0.0
        return raw
