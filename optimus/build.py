"""Compile a checked formulation into a solver-neutral sparse linear program.

Rows and columns carry names built from the constraint or variable name and its index
values (``supply[Seattle]``, ``x[Seattle,Chicago]``), and keys that map them back to the
formulation (``("supply", ("Seattle",))``), so diagnoses speak the problem's language.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimus._gc import gc_paused
from optimus.check import Analysis, analyze
from optimus.errors import FormulationError
from optimus.expressions import EvalError, LinExpr
from optimus.formulation import Formulation
from optimus.issues import Issue

INF = float("inf")
_MAX_ERRORS_PER_CONSTRAINT = 3


def display_name(name: str, key: tuple) -> str:
    """``x`` + ``("A", 1)`` -> ``x[A,1]``."""
    return f"{name}[{','.join(str(k) for k in key)}]" if key else name


@dataclass
class LinearProgram:
    """A sparse (MI)LP with named rows and columns.

    Rows are stored in CSR form (``a_start``, ``a_index``, ``a_value``). ``col_keys`` and
    ``row_keys`` map each column/row back to ``(variable or constraint name, index tuple)``.
    """

    name: str
    sense: str  # "minimize" | "maximize"
    col_keys: list[tuple[str, tuple]]
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray  # 0 continuous, 1 integer
    cost: np.ndarray
    offset: float
    row_keys: list[tuple[str, tuple]]
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray
    domains: dict[str, str] = field(default_factory=dict)  # variable -> domain
    build_time: float = 0.0

    @property
    def num_cols(self) -> int:
        return len(self.col_keys)

    @property
    def num_rows(self) -> int:
        return len(self.row_keys)

    @property
    def is_mip(self) -> bool:
        return bool(self.integrality.any())

    def col_name(self, j: int) -> str:
        return display_name(*self.col_keys[j])

    def row_name(self, i: int) -> str:
        return display_name(*self.row_keys[i])

    def col_names(self) -> list[str]:
        return [display_name(n, k) for n, k in self.col_keys]

    def row_names(self) -> list[str]:
        return [display_name(n, k) for n, k in self.row_keys]

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        s, e = self.a_start[i], self.a_start[i + 1]
        return self.a_index[s:e], self.a_value[s:e]

    def relaxed(self) -> "LinearProgram":
        """A copy with integrality dropped."""
        import copy

        lp = copy.copy(self)
        lp.integrality = np.zeros_like(self.integrality)
        return lp


def build(f: Formulation, analysis: Analysis | None = None) -> LinearProgram:
    """Compile ``f``. Raises :class:`FormulationError` with every issue found.

    Pass the :class:`Analysis` from :func:`optimus.check.analyze` to skip re-checking.
    """
    with gc_paused():
        return _build(f, analysis)


def _build(f: Formulation, analysis: Analysis | None) -> LinearProgram:
    t0 = time.perf_counter()
    a = analysis if analysis is not None else analyze(f)
    if a.issues:
        raise FormulationError(a.issues)
    issues: list[Issue] = []

    # ---- columns
    col_keys: list[tuple[str, tuple]] = []
    lower: list[float] = []
    upper: list[float] = []
    integ: list[int] = []
    for v in f.variables:
        keys = a.var_keys[v.name]
        lo = -INF if v.lower is None else float(v.lower)
        hi = INF if v.upper is None else float(v.upper)
        kind = 1 if v.domain in ("integer", "binary") else 0
        if v.domain == "binary":
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        n = len(keys)
        col_keys.extend((v.name, k) for k in keys)
        lower.extend([lo] * n)
        upper.extend([hi] * n)
        integ.extend([kind] * n)
    ncols = len(col_keys)

    # ---- rows
    row_keys: list[tuple[str, tuple]] = []
    rlo: list[float] = []
    rhi: list[float] = []
    # the terms of all rows, concatenated; zeros are dropped once at the end
    all_cols: list[int] = []
    all_vals: list[float] = []
    row_len: list[int] = []
    for c, cc in a.constraints:
        errors = 0
        envs = cc.binder.iterate({}) if cc.binder else iter([{}])
        names = _bound_names(cc)
        try:
            for env in envs:
                acc = LinExpr()
                try:
                    cc.body.add_to(env, acc, 1.0)
                    if cc.sense == "range":
                        lo_v, hi_v = cc.lower.value(env), cc.upper.value(env)  # type: ignore[union-attr]
                        lo_v, hi_v = lo_v - acc.const, hi_v - acc.const
                    elif cc.sense == "<=":
                        lo_v, hi_v = -INF, -acc.const
                    elif cc.sense == ">=":
                        lo_v, hi_v = -acc.const, INF
                    else:
                        lo_v = hi_v = -acc.const
                except EvalError as exc:
                    errors += 1
                    if errors <= _MAX_ERRORS_PER_CONSTRAINT:
                        at = _at(names, env)
                        issues.append(Issue(exc.code, f"constraint {c.name}", exc.symbol,
                                            f"{exc.message} (in constraint `{c.name}`{at})",
                                            exc.fix))
                    continue
                terms = acc.terms
                row_keys.append((c.name, _flat_key(env, names)))
                rlo.append(lo_v)
                rhi.append(hi_v)
                all_cols.extend(terms.keys())
                all_vals.extend(terms.values())
                row_len.append(len(terms))
        except EvalError as exc:  # raised by a forall filter
            issues.append(Issue(exc.code, f"constraint {c.name}", exc.symbol,
                                f"{exc.message} (in the forall of `{c.name}`)", exc.fix))

    # ---- objective
    cost = np.zeros(ncols)
    offset = 0.0
    if a.objective is not None:
        acc = LinExpr()
        try:
            a.objective.add_to({}, acc, 1.0)
            if acc.terms:
                n = len(acc.terms)
                cost[np.fromiter(acc.terms.keys(), dtype=np.intp, count=n)] = \
                    np.fromiter(acc.terms.values(), dtype=np.float64, count=n)
            offset = acc.const
        except EvalError as exc:
            issues.append(Issue(exc.code, "objective", exc.symbol, f"{exc.message} (in the objective)",
                                exc.fix))
    if issues:
        raise FormulationError(issues)
    a_start, a_index, a_value = _csr(all_cols, all_vals, row_len)

    lp = LinearProgram(
        name=f.name,
        sense=f.objective.sense,
        col_keys=col_keys,
        col_lower=np.array(lower, dtype=np.float64),
        col_upper=np.array(upper, dtype=np.float64),
        integrality=np.array(integ, dtype=np.int8),
        cost=cost,
        offset=float(offset),
        row_keys=row_keys,
        row_lower=np.array(rlo, dtype=np.float64),
        row_upper=np.array(rhi, dtype=np.float64),
        a_start=a_start,
        a_index=a_index,
        a_value=a_value,
        domains={v.name: v.domain for v in f.variables},
    )
    lp.build_time = time.perf_counter() - t0
    return lp


def _csr(cols: list[int], vals: list[float], row_len: list[int]
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays from the concatenated terms of the rows, without zero coefficients."""
    index = np.array(cols, dtype=np.int32)
    value = np.array(vals, dtype=np.float64)
    lengths = np.array(row_len, dtype=np.int64)
    nonzero = value != 0.0
    if not nonzero.all():
        rows = np.repeat(np.arange(len(lengths)), lengths)
        lengths = np.bincount(rows[nonzero], minlength=len(lengths))
        index, value = index[nonzero], value[nonzero]
    start = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=start[1:])
    return start, index, value


def _flat_key(env: dict, names: list[str]) -> tuple:
    out: list[Any] = []
    for n in names:
        v = env[n]
        if isinstance(v, tuple):
            out.extend(v)
        else:
            out.append(v)
    return tuple(out)


def _bound_names(cc: Any) -> list[str]:
    if cc.binder is None:
        return []
    out: list[str] = []
    for targets, _, _ in cc.binder.levels:
        out.extend(targets)
    return out


def _at(names: list[str], env: dict) -> str:
    if not names:
        return ""
    return " at " + ", ".join(f"{n}={env.get(n)!r}" for n in names)
