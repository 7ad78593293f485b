"""Solve a formulation: check -> build -> solve -> diagnose, as one function.

Example::

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "cap", "expression": "x + 2*y <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x + 4*y"}})
    >>> r = solve_formulation(f)
    >>> r.status, r.objective
    ('optimal', 12.0)
"""

from __future__ import annotations

import math
import time
from typing import Any, Iterable

import numpy as np

from optimus.build import LinearProgram, build
from optimus.errors import FormulationError
from optimus.formulation import Formulation
from optimus.result import Diagnosis, Result, Status, Timings, VariableValues
from optimus.solvers import SolverOptions, get_backend


def solve_lp(lp: LinearProgram, backend: str = "highs",
             options: SolverOptions | None = None) -> Result:
    """Solve a built program with the named backend; outcomes come back as data."""
    options = options or SolverOptions()
    raw = get_backend(backend).solve(lp, options)
    result = Result(status=raw.status.value, objective=_finite(raw.objective),
                    bound=_finite(raw.bound), gap=_finite(raw.gap), backend=backend,
                    message=raw.message)
    if raw.x is not None:
        result.variables = variable_values(lp, raw.x)
    result.timings = Timings(build=lp.build_time, solve=raw.solve_time,
                             total=lp.build_time + raw.solve_time)
    return result


def variable_values(lp: LinearProgram, x: Any) -> VariableValues:
    """The column values as ``{name, index, value}`` records: integer columns within 1e-6
    of an integer are rounded, and -0.0 becomes 0.0.

    The records stay as the program's column keys plus the values (a
    :class:`~optimus.result.VariableValues`, which reads like a list); they are only built
    when someone reads them one by one, so 100,000 columns cost a few milliseconds.
    """
    vals = np.asarray(x, dtype=np.float64)
    if len(vals) != lp.num_cols:
        raise ValueError(f"{len(vals)} values for {lp.num_cols} columns")
    integ = np.asarray(lp.integrality, dtype=bool)
    if integ.any():
        rounded = np.round(vals)
        vals = np.where(integ & (np.abs(vals - rounded) < 1e-6), rounded, vals)
    return VariableValues(lp.col_keys, (vals + 0.0).tolist())  # -0.0 + 0.0 == +0.0


def _finite(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


def invalid_result(issues: Iterable[Any], *, backend: str | None = None,
                   elapsed: float = 0.0) -> Result:
    """The result of a formulation that could not be built: status ``error`` with a
    diagnosis of kind ``invalid`` listing every issue (as text)."""
    return Result(status=Status.ERROR.value, backend=backend, message="invalid formulation",
                  diagnosis=Diagnosis(kind="invalid", summary="The formulation is invalid.",
                                      issues=[str(i) for i in issues]),
                  timings=Timings(build=elapsed, total=elapsed))


def solve_formulation(f: Formulation, *, backend: str = "highs",
                      time_limit: float | None = None, mip_gap: float | None = None,
                      diagnose: bool = True) -> Result:
    """Check, build, solve and (optionally) diagnose ``f``.

    Invalid formulations do not raise: they come back with status ``error`` and a
    diagnosis of kind ``invalid`` listing every issue.
    """
    t0 = time.perf_counter()
    options = SolverOptions(time_limit=time_limit, mip_gap=mip_gap)
    try:
        lp = build(f)  # checks first; raises with every issue
    except FormulationError as exc:
        return invalid_result(exc.issues, backend=backend, elapsed=time.perf_counter() - t0)
    result = solve_lp(lp, backend, options)
    if diagnose:
        from optimus.diagnose import diagnose as run_diagnosis

        result.diagnosis = run_diagnosis(f, lp, result, options)
    result.timings.total = time.perf_counter() - t0
    return result
