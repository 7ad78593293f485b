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
from typing import Any

import numpy as np
from pydantic import BaseModel

from optimus._gc import gc_paused
from optimus.build import LinearProgram, build
from optimus.check import analyze
from optimus.errors import FormulationError
from optimus.formulation import Formulation
from optimus.result import Diagnosis, Result, Status, Timings, VariableValue
from optimus.solvers import SolverOptions, get_backend


def _index(key: tuple) -> list[Any]:
    return list(key)


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


def variable_values(lp: LinearProgram, x: Any) -> list[VariableValue]:
    """The column values as ``{name, index, value}`` records: integer columns within 1e-6
    of an integer are rounded, and -0.0 becomes 0.0.

    Vectorized with numpy and built without per-record validation (the values come from
    our own program), so 100,000 columns take a fraction of a second.
    """
    vals = np.asarray(x, dtype=np.float64)
    integ = np.asarray(lp.integrality, dtype=bool)
    if integ.any():
        rounded = np.round(vals)
        vals = np.where(integ & (np.abs(vals - rounded) < 1e-6), rounded, vals)
    vals = (vals + 0.0).tolist()  # -0.0 + 0.0 == +0.0
    with gc_paused():
        return _make_values(lp.col_keys, vals)


def _values_slow(col_keys: list[tuple[str, tuple]], vals: list[float]) -> list[VariableValue]:
    construct = VariableValue.model_construct
    return [construct(name=name, index=list(key), value=v) for (name, key), v in zip(col_keys, vals)]


def _values_fast(col_keys: list[tuple[str, tuple]], vals: list[float]) -> list[VariableValue]:
    """What ``model_construct`` does for complete, trusted records (set the instance dict,
    the fields-set, no extras, no private attributes) through the slot descriptors, at a
    third of its cost: it dominated collecting a 90,000-column solution."""
    slots = BaseModel.__dict__
    set_dict = slots["__dict__"].__set__
    set_fields = slots["__pydantic_fields_set__"].__set__
    set_extra = slots["__pydantic_extra__"].__set__
    set_private = slots["__pydantic_private__"].__set__
    new, cls, fields = object.__new__, VariableValue, set(VariableValue.model_fields)
    out: list[VariableValue] = []
    append = out.append
    for (name, key), v in zip(col_keys, vals):
        obj = new(cls)
        set_dict(obj, {"name": name, "index": list(key), "value": v})
        set_fields(obj, fields.copy())
        set_extra(obj, None)
        set_private(obj, None)
        append(obj)
    return out


def _pick_values_builder() -> Any:
    """Use the fast builder only if it makes exactly what pydantic makes."""
    sample = ([("x", ("a", 1)), ("y", ())], [2.5, 0.0])
    try:
        fast, ref = _values_fast(*sample), _values_slow(*sample)
        if fast == ref and [v.model_dump() for v in fast] == [v.model_dump() for v in ref] \
                and [v.model_fields_set for v in fast] == [v.model_fields_set for v in ref] \
                and repr(fast) == repr(ref) and fast[0].model_copy() == ref[0]:
            return _values_fast
    except Exception:  # noqa: BLE001 - pydantic internals changed: keep the public path
        pass
    return _values_slow


_make_values = _pick_values_builder()


def _finite(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


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
        a = analyze(f)
        lp = build(f, a)
    except FormulationError as exc:
        total = time.perf_counter() - t0
        return Result(status=Status.ERROR.value, backend=backend,
                      diagnosis=Diagnosis(kind="invalid", summary="The formulation is invalid.",
                                          issues=[str(i) for i in exc.issues]),
                      timings=Timings(build=total, total=total),
                      message="invalid formulation")
    result = solve_lp(lp, backend, options)
    if diagnose:
        from optimus.diagnose import diagnose as run_diagnosis

        result.diagnosis = run_diagnosis(f, lp, result, options)
    result.timings.total = time.perf_counter() - t0
    return result
