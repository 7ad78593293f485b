"""One path through the pipeline: check -> build -> solve -> diagnose (-> cross-check).

:func:`solve_model` is the only function that strings the stages together. Every caller
(``optimus run``, ``optimus check``, the agent loop, chat, eval, the offline formulator)
goes through it and reads one typed :class:`Report`.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "cap", "expression": "x + 2*y <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x + 4*y"}})
    >>> report = solve_model(f, SolveOptions(time_limit=10))
    >>> str(report.status), report.result.objective, report.program.num_cols
    ('optimal', 12.0, 2)
    >>> solve_formulation(f).objective          # the same, returning the Result only
    12.0
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from optimus.budget import time_left
from optimus.build import LinearProgram, build
from optimus.crosscheck import CrossCheck, compare_results
from optimus.diagnose import diagnose
from optimus.sensitivity import auto_sensitivity, sensitivity
from optimus.errors import FormulationError, UserError
from optimus.exitcodes import ExitCode, exit_code
from optimus.formulation import Formulation
from optimus.issues import Issue
from optimus.result import (
    Diagnosis, DiagnosisKind, Result, Sensitivity, Status, Timings, VariableValues,
)
from optimus.solvers import BACKENDS, SolverOptions, backend_name, get_backend
from optimus.solvers.base import Capability

__all__ = ["SolveOptions", "Report", "solve_model", "solve_formulation", "cross_check",
           "solve_program", "invalid_result", "variable_values"]

_FEASIBLE = {Status.OPTIMAL, Status.TIME_LIMIT_FEASIBLE}


@dataclass(frozen=True)
class SolveOptions:
    """What :func:`solve_model` does.

    ``backend``: the solver (``highs`` or ``pulp``); ``cross_check``: also solve with
    every other backend and compare; ``time_limit`` in seconds and relative ``mip_gap``
    for each solve; ``diagnose``: explain the outcome; ``solve=False``: check and build
    only (``optimus check``); ``sensitivity``: duals and ranges of an optimum (``True``
    always, ``False`` never, ``None`` automatically for small models).
    """

    backend: str = "highs"
    cross_check: bool = False
    time_limit: float | None = None
    mip_gap: float | None = None
    diagnose: bool = True
    solve: bool = True
    sensitivity: bool | None = None  # None: automatic (sensitivity.auto_sensitivity)

    def __post_init__(self) -> None:
        object.__setattr__(self, "backend", backend_name(self.backend))
        if self.time_limit is not None and not self.time_limit > 0:
            raise UserError(f"--time-limit must be a positive number of seconds, got "
                            f"{self.time_limit}", fix="For example --time-limit 60.")
        if self.mip_gap is not None and not 0 <= self.mip_gap < 1:
            raise UserError(f"--mip-gap must be a relative gap in [0, 1), got {self.mip_gap}",
                            fix="For example --mip-gap 0.01 for 1%.")

    @property
    def solver_options(self) -> SolverOptions:
        """The solver's options; the time limit is clipped to the time left before this
        thread's deadline (:func:`optimus.budget.time_left`, eval's per-problem timeout)."""
        limit = self.time_limit
        left = time_left()
        if left is not None:
            limit = max(left, 0.01) if limit is None else min(limit, max(left, 0.01))
        return SolverOptions(time_limit=limit, mip_gap=self.mip_gap)


@dataclass
class Report:
    """Everything one pass through the pipeline produced.

    ``issues`` is empty when the formulation is valid; then ``program`` holds the
    compiled program and (unless ``solve=False``) ``result`` the solve with its
    diagnosis. An invalid formulation has ``program=None`` and a ``result`` of status
    ``error`` whose diagnosis (kind ``invalid``) lists the issues. ``cross_check`` is
    set when it was asked for; ``sensitivity`` (on the result) when computed. Later
    stages (several objectives) add their fields here.
    """

    formulation: Formulation
    result: Result | None = None
    program: LinearProgram | None = None
    issues: list[Issue] = field(default_factory=list)
    cross_check: CrossCheck | None = None

    @property
    def valid(self) -> bool:
        return not self.issues

    @property
    def status(self) -> Status | None:
        return None if self.result is None else self.result.status

    @property
    def sensitivity(self) -> Sensitivity | None:
        """Duals, slacks, reduced costs and ranges of the optimum (None if not computed)."""
        return None if self.result is None else self.result.sensitivity

    def exit_code(self) -> ExitCode:
        """``optimus run``'s exit code: 2 invalid, 4 backends disagree, else by status."""
        if self.issues:
            return ExitCode.BAD_INPUT
        if self.result is None:
            return ExitCode.OK
        code = exit_code(self.result.status)
        if code == ExitCode.OK and self.cross_check is not None and not self.cross_check.agree:
            return ExitCode.DISAGREE
        return code

    def _repr_html_(self) -> str:  # notebooks: the formulation, its solution, diagnosis
        from optimus.render.notebook import report_notebook_html

        return report_notebook_html(self)

    def _repr_markdown_(self) -> str:
        from optimus.render.notebook import report_markdown

        return report_markdown(self)

    def to_json_dict(self) -> dict[str, Any]:
        """The result's JSON shape, plus ``cross_check`` when it was run."""
        data = self.result.to_json_dict() if self.result is not None else {}
        if self.cross_check is not None:
            data["cross_check"] = self.cross_check.to_json_dict()
        return data


# --------------------------------------------------------------------------- the pipeline
def solve_model(f: Formulation, options: SolveOptions | None = None) -> Report:
    """Check, build, solve, diagnose and (optionally) cross-check ``f``.

    An invalid formulation does not raise: the report lists every issue. Bad options
    raise :class:`~optimus.errors.UserError` (from :class:`SolveOptions`).
    """
    options = options or SolveOptions()
    t0 = time.perf_counter()
    try:
        lp = build(f)  # checks first; raises with every issue
    except FormulationError as exc:
        issues = list(exc.issues)
        return Report(f, invalid_result(issues, backend=options.backend,
                                        elapsed=time.perf_counter() - t0), issues=issues)
    build_time = time.perf_counter() - t0
    if not options.solve:
        return Report(f, program=lp)
    result = solve_program(lp, options.backend, options.solver_options)
    if options.diagnose:
        result.diagnosis = _diagnose(f, lp, result, options.solver_options)
    if lp.hessian is None and not lp.objective_levels and (
            options.sensitivity or (options.sensitivity is None and auto_sensitivity(lp))):
        result.sensitivity = _sensitivity(f, lp, result, options.solver_options)
    result.timings = Timings(build=build_time, solve=result.timings.solve,
                             total=time.perf_counter() - t0)
    report = Report(f, result, program=lp)
    if options.cross_check:
        report.cross_check = _cross_check(f, lp, result, options)
    return report


def solve_formulation(f: Formulation, *, backend: str = "highs",
                      time_limit: float | None = None, mip_gap: float | None = None,
                      diagnose: bool = True) -> Result:
    """:func:`solve_model` returning only the :class:`~optimus.result.Result`."""
    options = SolveOptions(backend=backend, time_limit=time_limit, mip_gap=mip_gap,
                           diagnose=diagnose)
    report = solve_model(f, options)
    assert report.result is not None
    return report.result


def cross_check(f: Formulation, *, time_limit: float | None = None,
                mip_gap: float | None = None, diagnose: bool = True) -> CrossCheck:
    """Build ``f`` once, solve it with every backend, and compare the results.

    An invalid formulation gives one ``error`` result per backend, which agree.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "upper": 3}],
    ...     "objective": {"sense": "maximize", "expression": "x"}})
    >>> cross_check(f).agree
    True
    """
    report = solve_model(f, SolveOptions(cross_check=True, time_limit=time_limit,
                                         mip_gap=mip_gap, diagnose=diagnose))
    if report.cross_check is not None:
        return report.cross_check
    assert report.result is not None
    results = {name: report.result.model_copy(update={"backend": name}) for name in BACKENDS}
    return CrossCheck(results=results, agree=True,
                      notes=["the formulation is invalid; nothing was solved"])


# --------------------------------------------------------------------------- the stages
def solve_program(lp: LinearProgram, backend: str = "highs",
                  options: SolverOptions | None = None) -> Result:
    """Solve a built program with the named backend; outcomes come back as data."""
    options = options or SolverOptions()
    if getattr(lp, "objective_levels", None):  # several objectives: successive solves
        from optimus.objectives import solve_lexicographic

        single = lambda p: _solve_single(p, backend, options)  # noqa: E731
        return solve_lexicographic(lp, single, mip_gap=options.mip_gap)
    return _solve_single(lp, backend, options)


def _solve_single(lp: LinearProgram, backend: str, options: SolverOptions) -> Result:
    raw = get_backend(backend).solve(lp, options)
    result = Result(status=raw.status, objective=_finite(raw.objective),
                    bound=_finite(raw.bound), gap=_finite(raw.gap), backend=backend,
                    message=raw.message)
    if raw.x is not None:
        result.variables = variable_values(lp, raw.x)
        result._columns = np.asarray(raw.x, dtype=np.float64)
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
    n = lp.num_user_cols  # auxiliary columns of constructs are not the user's variables
    keys = lp.col_keys if n == lp.num_cols else lp.col_keys[:n]
    return VariableValues(keys, (vals[:n] + 0.0).tolist())  # -0.0 + 0.0 == +0.0


def invalid_result(issues: Iterable[Any], *, backend: str | None = None,
                   elapsed: float = 0.0) -> Result:
    """The result of a formulation that could not be built: status ``error`` with a
    diagnosis of kind ``invalid`` listing every issue (as text)."""
    return Result(status=Status.ERROR, backend=backend, message="invalid formulation",
                  diagnosis=Diagnosis(kind=DiagnosisKind.INVALID,
                                      summary="The formulation is invalid.",
                                      issues=[str(i) for i in issues]),
                  timings=Timings(build=elapsed, total=elapsed))


def _finite(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


def _diagnose(f: Formulation, lp: LinearProgram, result: Result,
              options: SolverOptions) -> Diagnosis:
    """The diagnosis; a failure in it is reported as data and the solution is kept."""
    try:
        return diagnose(f, lp, result, options)
    except Exception as exc:  # noqa: BLE001 - keep the solve result whatever happens here
        return Diagnosis(kind=DiagnosisKind.ERROR,
                         summary=f"The diagnosis failed: {type(exc).__name__}: {exc}")


def _sensitivity(f: Formulation, lp: LinearProgram, result: Result,
                 options: SolverOptions) -> Sensitivity | None:
    """The sensitivity; a failure in it is a note and the solution is kept."""
    try:
        return sensitivity(f, lp, result, options)
    except Exception as exc:  # noqa: BLE001 - keep the solve result whatever happens here
        return Sensitivity(sense=lp.sense, note=f"Sensitivity failed: {type(exc).__name__}: {exc}")


def _cross_check(f: Formulation, lp: LinearProgram, primary: Result,
                 options: SolveOptions) -> CrossCheck:
    """Solve the same program with every other backend and compare with ``primary``.

    A non-optimal status diagnosed once is shared by the backends that report it too."""
    opts = options.solver_options
    results: dict[str, Result] = {}
    shared: dict[str, Diagnosis] = {}
    if primary.diagnosis is not None and primary.status not in _FEASIBLE:
        shared[primary.status] = primary.diagnosis
    skipped = []
    for name in BACKENDS:
        if name == options.backend:
            results[name] = primary
            continue
        if lp.hessian is not None and Capability.QP not in get_backend(name).capabilities:
            skipped.append(name)  # no QP solver: nothing to compare
            continue
        r = solve_program(lp, name, opts)
        if options.diagnose:
            if r.status in shared:
                r.diagnosis = shared[r.status].model_copy(deep=True)
            else:
                r.diagnosis = _diagnose(f, lp, r, opts)
                if r.status not in _FEASIBLE:
                    shared[r.status] = r.diagnosis
        results[name] = r
    diffs, notes = compare_results(results, sense=lp.sense, is_mip=lp.is_mip,
                                   mip_gap=options.mip_gap) if len(results) > 1 else ([], [])
    notes += [f"{name} was not run: it has no solver for a quadratic objective" for name in skipped]
    return CrossCheck(results=results, agree=not diffs, differences=diffs, notes=notes)
