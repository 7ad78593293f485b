"""Compile a checked formulation into a solver-neutral sparse linear program.

Rows and columns carry names built from the constraint or variable name and its index
values (``supply[Seattle]``, ``x[Seattle,Chicago]``), and keys that map them back to the
formulation (``("supply", ("Seattle",))``), so diagnoses speak the problem's language.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimus._gc import gc_paused
from optimus.budget import MAX_COEFFICIENT, check_deadline
from optimus.columns import ColumnKeys
from optimus.checks import Analysis, analyze
from optimus.constructs import Aux, using_aux
from optimus.errors import FormulationError
from optimus.expressions import EvalError, LinExpr, flat_key
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
    col_keys: "Sequence[tuple[str, tuple]]"  # a ColumnKeys from build()
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
    #: columns of the formulation's variables; auxiliary columns (optimus.constructs)
    #: follow them. None: every column is a variable's.
    user_cols: int | None = None
    #: True for the auxiliary rows of constructs (their keys name the user's constraint)
    aux_rows: np.ndarray | None = None
    #: semi-continuous columns: 0 or within [semi_lower, col_upper]. ``col_lower`` holds
    #: 0 for them (a valid relaxation for code that does not know), ``semi_lower`` the
    #: lower bound of the "on" range (0 for other columns).
    semi: np.ndarray | None = None
    semi_lower: np.ndarray | None = None
    #: constraint name (or "objective") -> its expression as written, for constraints
    #: compiled with auxiliary rows/columns (diagnoses quote them instead of the rows)
    written: dict[str, str] | None = None
    #: quadratic objective terms (optimus.quadratic.Hessian), None for a linear objective
    hessian: Any = None
    #: several objectives: the priority levels (optimus.objectives.ObjectiveLevel), and
    #: each objective's ``(cost, offset, hessian)``; empty for one objective
    objective_levels: list = field(default_factory=list)
    objective_terms: dict = field(default_factory=dict)

    @property
    def num_cols(self) -> int:
        return len(self.col_keys)

    @property
    def num_user_cols(self) -> int:
        """Columns of the formulation's own variables (the first ones)."""
        return self.num_cols if self.user_cols is None else self.user_cols

    @property
    def has_semi(self) -> bool:
        return self.semi is not None and bool(self.semi.any())

    def is_aux_row(self, i: int) -> bool:
        return self.aux_rows is not None and bool(self.aux_rows[i])

    @property
    def num_rows(self) -> int:
        return len(self.row_keys)

    @property
    def is_mip(self) -> bool:
        return bool(self.integrality.any()) or self.has_semi

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
        lp.semi = lp.semi_lower = None
        return lp


def build(f: Formulation, analysis: Analysis | None = None) -> LinearProgram:
    """Compile ``f``. Raises :class:`FormulationError` with every issue found.

    Pass the :class:`Analysis` from :func:`optimus.checks.analyze` to skip re-checking.
    """
    with gc_paused():
        return _build(f, analysis)


def _build(f: Formulation, analysis: Analysis | None) -> LinearProgram:
    t0 = time.perf_counter()
    a = analysis if analysis is not None else analyze(f)
    if a.issues:
        raise FormulationError(a.issues)
    issues: list[Issue] = []

    # ---- columns: one block per variable, as arrays (no Python object per column)
    blocks: list[tuple[str, Any]] = []
    specs: list[tuple[float, float, bool, bool, float]] = []  # lo, hi, integer, semi, semi lo
    for v in f.variables:
        lo = -INF if v.lower is None else float(v.lower)
        hi = INF if v.upper is None else float(v.upper)
        if v.domain == "binary":
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        is_semi = v.domain in ("semicontinuous", "semiinteger")
        # semi: 0 or within [lower, upper]; the relaxation is [0, upper]
        semi_lo, lo = (lo, 0.0) if is_semi else (0.0, lo)
        specs.append((lo, hi, v.domain in ("integer", "binary", "semiinteger"), is_semi, semi_lo))
        blocks.append((v.name, a.var_keys[v.name]))
    col_keys = ColumnKeys(blocks)
    ncols = len(col_keys)
    per_var = np.array(specs, dtype=np.float64).reshape(-1, 5)
    lower, upper, integ, semi, semi_lower = (
        np.repeat(per_var[:, k], [len(keys) for _, keys in blocks]) for k in range(5))
    integ, semi = integ.astype(np.int8), semi.astype(bool)
    aux = Aux(col_keys, lower, upper, integ)
    with using_aux(aux):
        return _build_rows(f, a, t0, issues, col_keys, lower, upper, integ, ncols, semi,
                           semi_lower, aux)


def _build_rows(f: Formulation, a: Analysis, t0: float, issues: list[Issue],
                col_keys: ColumnKeys, lower: np.ndarray, upper: np.ndarray,
                integ: np.ndarray, ncols: int, semi: np.ndarray, semi_lower: np.ndarray,
                aux: Aux) -> LinearProgram:

    # ---- rows
    row_keys: list[tuple[str, tuple]] = []
    rlo: list[float] = []
    rhi: list[float] = []
    # the terms of all rows, concatenated; zeros are dropped once at the end
    terms_out = _Terms()
    row_len: list[int] = []
    written: dict[str, str] = {}
    aux_cols = aux_rows = 0
    for c, cc in a.constraints:
        errors = 0
        envs = cc.binder.iterate({}) if cc.binder else iter([{}])
        names = _bound_names(cc)
        ind = a.indicators.get(c.name)
        try:
            for count, env in enumerate(envs):
                if not count & 4095:
                    check_deadline()
                acc = LinExpr()
                key = flat_key(env, names)
                try:
                    aux.owner = (c.name, key)
                    aux.orientation = _ORIENTATION.get(cc.sense, 0)
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
                    if cc.strict:
                        lo_v, hi_v = _strict(aux, acc, lo_v, hi_v, c.expression)
                except EvalError as exc:
                    errors += 1
                    if errors <= _MAX_ERRORS_PER_CONSTRAINT:
                        at = _at(names, env)
                        issues.append(Issue(exc.code, f"constraint {c.name}", exc.symbol,
                                            f"{exc.message} (in constraint `{c.name}`{at})",
                                            exc.fix))
                    continue
                if len(aux.col_keys) != aux_cols or len(aux.rows) != aux_rows:
                    written[c.name] = c.expression
                    aux_cols, aux_rows = len(aux.col_keys), len(aux.rows)
                if ind is not None:  # an indicator: big-M rows from the bounds
                    both = (lower, upper, col_keys) if not aux.col_keys else \
                        (np.concatenate([lower, aux.lower]), np.concatenate([upper, aux.upper]),
                         col_keys + aux.col_keys)
                    errors += _indicator_rows(ind, env, acc, lo_v, hi_v, c, names, *both,
                                              issues, row_keys, rlo, rhi, row_len, terms_out,
                                              errors)
                    continue
                row_keys.append((c.name, key))
                rlo.append(lo_v)
                rhi.append(hi_v)
                row_len.append(terms_out.add(acc))
        except EvalError as exc:  # raised by a forall filter
            issues.append(Issue(exc.code, f"constraint {c.name}", exc.symbol,
                                f"{exc.message} (in the forall of `{c.name}`)", exc.fix))

    # ---- objective
    offset = 0.0
    obj_acc: LinExpr | None = None
    sense = f.objective.sense if f.objective is not None else "minimize"
    named: list[tuple[Any, LinExpr]] = []
    for o, node in a.objectives:  # several objectives (optimus.objectives)
        acc = LinExpr()
        try:
            aux.owner = ("objective", ())
            aux.orientation = 1 if o.sense == "minimize" else -1
            node.add_to({}, acc, 1.0)
            named.append((o, acc))
        except EvalError as exc:
            issues.append(Issue(exc.code, f"objective {o.name}", exc.symbol,
                                f"{exc.message} (in objective `{o.name}`)", exc.fix))
    if a.objective is not None:
        acc = LinExpr()
        try:
            aux.owner = ("objective", ())
            aux.orientation = 1 if f.objective.sense == "minimize" else -1
            a.objective.add_to({}, acc, 1.0)
            obj_acc = acc
            if len(aux.col_keys) != aux_cols or len(aux.rows) != aux_rows:
                written["objective"] = f.objective.expression
            offset = acc.const
        except EvalError as exc:
            issues.append(Issue(exc.code, "objective", exc.symbol, f"{exc.message} (in the objective)",
                                exc.fix))
    if issues:
        raise FormulationError(issues)
    # ---- auxiliary columns and rows of the constructs (abs, min, max, piecewise)
    n_user_rows = len(row_keys)
    if aux.col_keys or aux.rows:
        col_keys = col_keys + aux.col_keys
        lower = np.concatenate([lower, np.array(aux.lower, dtype=np.float64)])
        upper = np.concatenate([upper, np.array(aux.upper, dtype=np.float64)])
        integ = np.concatenate([integ, np.array(aux.integer, dtype=np.int8)])
        semi = np.concatenate([semi, np.zeros(len(aux.col_keys), dtype=bool)])
        semi_lower = np.concatenate([semi_lower, np.zeros(len(aux.col_keys))])
        for k, terms in zip(aux.row_keys, aux.rows):
            e = LinExpr()
            e.terms = terms
            row_keys.append(k)
            row_len.append(terms_out.add(e))
        rlo.extend(aux.row_lower)
        rhi.extend(aux.row_upper)
    cost = np.zeros(len(col_keys))
    hessian = None
    if obj_acc is not None:
        cost, _, hessian = _acc_vector(obj_acc, len(col_keys))
    levels: list = []
    terms = {o.name: _acc_vector(acc, len(col_keys)) for o, acc in named}
    if named:
        from optimus.objectives import compile_levels

        levels = compile_levels([o for o, _ in named], terms)
        cost, offset, hessian, sense = (levels[0].cost, levels[0].offset, levels[0].hessian,
                                        levels[0].sense)
    from optimus.quadratic import hessian_issues

    integ_arr = np.asarray(integ, dtype=np.int8)
    for where, sn, h in ([("objective", sense, hessian)] if not levels else
                         [(f"objective {'+'.join(lv.names)}", lv.sense, lv.hessian)
                          for lv in levels]):
        if h is not None:
            issues.extend(hessian_issues(h, sn, integ_arr,
                                         lambda j: display_name(*col_keys[j]), where))
    if issues:
        raise FormulationError(issues)
    check_deadline()
    a_start, a_index, a_value = _csr(*terms_out.arrays(), row_len)
    issues = number_issues(col_keys, row_keys, a_start, a_index, a_value,
                           np.array(rlo, dtype=np.float64), np.array(rhi, dtype=np.float64),
                           cost, offset)
    if issues:
        raise FormulationError(issues)

    lp = LinearProgram(
        name=f.name,
        sense=sense,
        col_keys=col_keys,
        col_lower=np.asarray(lower, dtype=np.float64),
        col_upper=np.asarray(upper, dtype=np.float64),
        integrality=np.asarray(integ, dtype=np.int8),
        cost=cost,
        offset=float(offset),
        row_keys=row_keys,
        row_lower=np.array(rlo, dtype=np.float64),
        row_upper=np.array(rhi, dtype=np.float64),
        a_start=a_start,
        a_index=a_index,
        a_value=a_value,
        domains={v.name: v.domain for v in f.variables},
        user_cols=ncols if len(col_keys) > ncols else None,
        aux_rows=(np.arange(len(row_keys)) >= n_user_rows) if len(row_keys) > n_user_rows else None,
        semi=semi if semi.any() else None,
        semi_lower=semi_lower if semi.any() else None,
        written=written or None,
    )
    lp.hessian = hessian
    lp.objective_levels = levels
    lp.objective_terms = terms
    lp.build_time = time.perf_counter() - t0
    return lp


def _acc_vector(acc: LinExpr, ncols: int) -> tuple[np.ndarray, float, Any]:
    """An objective's ``(cost vector, constant, Hessian or None)`` from its terms."""
    cost = np.zeros(ncols)
    obj_cols, obj_vals = acc.arrays()  # distinct columns
    cost[obj_cols] = obj_vals
    hessian = None
    if acc.quad:
        from optimus.quadratic import Hessian

        hessian = Hessian(acc.quad, ncols)
        if not hessian.terms:
            hessian = None
    return cost, float(acc.const), hessian


def _indicator_rows(ind: Any, env: dict, acc: LinExpr, lo_v: float, hi_v: float, c: Any,
                   names: list[str], lower: list[float], upper: list[float],
                   col_keys: list, issues: list[Issue], row_keys: list, rlo: list, rhi: list,
                   row_len: list, terms_out: "_Terms", errors: int) -> int:
    """Append the big-M rows of one binding of an indicator constraint (same key as the
    user's row); 1 after an issue for a missing bound, else 0."""
    from optimus.indicators import big_m_rows

    rows = big_m_rows(ind, env, acc.flush(), lo_v, hi_v, lower, upper,
                      lambda j: display_name(*col_keys[j]))
    if isinstance(rows, str):
        if errors < _MAX_ERRORS_PER_CONSTRAINT:
            var = rows.split("`")[1].split("[")[0]
            side = "upper" if "no upper" in rows else "lower"
            issues.append(Issue("indicator_bound", f"constraint {c.name}", var,
                                f"constraint `{c.name}` (when {ind.text}){_at(names, env)} needs "
                                f"a big-M, but {rows}",
                                f"Give variable `{var}` an `{side}` bound (the most it can "
                                f"be); the big-M is derived from the bounds, never guessed."))
        return 1
    key = flat_key(env, names)
    for terms, lo, hi in rows:
        row = LinExpr()
        row.terms = terms
        row_keys.append((c.name, key))
        rlo.append(lo)
        rhi.append(hi)
        row_len.append(terms_out.add(row))
    return 0


def number_issues(col_keys: list[tuple[str, tuple]], row_keys: list[tuple[str, tuple]],
                  a_start: np.ndarray, a_index: np.ndarray, a_value: np.ndarray,
                  rlo: np.ndarray, rhi: np.ndarray, cost: np.ndarray, offset: float
                  ) -> list[Issue]:
    """NaN, infinite or huge (over :data:`~optimus.budget.MAX_COEFFICIENT`) numbers in the
    built program, each naming its row, its variable and the value (vectorised: a clean
    program costs one pass over the arrays)."""
    out: list[Issue] = []

    def bad(values: np.ndarray, infinite_ok: bool) -> np.ndarray:
        if not infinite_ok and values.size and values.max() <= MAX_COEFFICIENT \
                and values.min() >= -MAX_COEFFICIENT:  # two reductions, no temporaries
            return np.zeros(0, dtype=np.intp)  # (a NaN fails both comparisons)
        with np.errstate(invalid="ignore"):
            wrong = np.isnan(values) | (np.abs(values) > MAX_COEFFICIENT)
        if infinite_ok:
            wrong &= ~np.isinf(values)
        return np.flatnonzero(wrong)

    def why(v: float) -> str:
        if v != v:
            return "not a number (NaN)"
        if not np.isfinite(v):
            return "infinite"
        return f"larger than the limit of {MAX_COEFFICIENT:g}"

    fix = (f"Rescale the units so that every number stays below {MAX_COEFFICIENT:g} in "
           "magnitude (solvers lose all precision beyond that); check the data for NaN.")
    for k in bad(a_value, infinite_ok=False)[:3]:
        row = int(np.searchsorted(a_start, k, side="right") - 1)
        name, key = row_keys[row]
        v = float(a_value[k])
        out.append(Issue("bad_value", f"constraint {name}", name,
                         f"the coefficient of `{display_name(*col_keys[int(a_index[k])])}` in "
                         f"row `{display_name(name, key)}` is {v:g}, {why(v)}", fix))
    for side, values in (("right-hand side", rlo), ("right-hand side", rhi)):
        for i in bad(values, infinite_ok=True)[:3]:
            name, key = row_keys[int(i)]
            v = float(values[i])
            out.append(Issue("bad_value", f"constraint {name}", name,
                             f"the {side} of row `{display_name(name, key)}` is {v:g}, {why(v)}",
                             fix))
        if out:
            break
    for j in bad(cost, infinite_ok=False)[:3]:
        v = float(cost[j])
        out.append(Issue("bad_value", "objective", None,
                         f"the objective coefficient of `{display_name(*col_keys[int(j)])}` is "
                         f"{v:g}, {why(v)}", fix))
    if offset != offset or not abs(offset) <= MAX_COEFFICIENT:
        out.append(Issue("bad_value", "objective", None,
                         f"the constant term of the objective is {offset:g}, {why(offset)}", fix))
    return out


class _Terms:
    """The rows' terms, concatenated: short rows through Python lists, rows whose terms a
    vectorized sum left as arrays (``LinExpr.block``) as those arrays."""

    def __init__(self) -> None:
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.chunks: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, acc: LinExpr) -> int:
        """Append the terms of ``acc``; their number."""
        if acc.block is None:
            terms = acc.terms
            self.cols.extend(terms.keys())
            self.vals.extend(terms.values())
            return len(terms)
        self._flush_lists()
        cols, vals = acc.arrays()
        self.chunks.append((cols, vals))
        return len(cols)

    def _flush_lists(self) -> None:
        if self.cols:
            self.chunks.append((np.array(self.cols, dtype=np.intp),
                                np.array(self.vals, dtype=np.float64)))
            self.cols, self.vals = [], []

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All columns (int32) and coefficients (float64), in order."""
        self._flush_lists()
        if not self.chunks:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        # one copy each, straight into the dtypes HiGHS takes (columns are < 2**31: budget)
        cols = np.concatenate([c for c, _ in self.chunks], dtype=np.int32, casting="unsafe")
        vals = np.concatenate([v for _, v in self.chunks], dtype=np.float64, casting="unsafe")
        return cols, vals


def _csr(index: np.ndarray, value: np.ndarray, row_len: list[int]
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays from the concatenated terms of the rows, without zero coefficients."""
    lengths = np.array(row_len, dtype=np.int64)
    nonzero = value != 0.0
    if not nonzero.all():
        rows = np.repeat(np.arange(len(lengths)), lengths)
        lengths = np.bincount(rows[nonzero], minlength=len(lengths))
        index, value = index[nonzero], value[nonzero]
    start = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=start[1:])
    return start, index, value


_ORIENTATION = {"<=": 1, ">=": -1}  # which way a row pushes its body (constructs)


def _strict(aux: Aux, acc: LinExpr, lo: float, hi: float, src: str) -> tuple[float, float]:
    """The bounds of a strict ``<``/``>`` row: ``<= rhs - 1`` (``>= rhs + 1``) when both
    sides are integer-valued; else an :class:`EvalError` with the fix."""
    ok, col = aux.integer_valued(acc)
    if not ok:
        why = (f"`{aux.label(col)}` is continuous" if col is not None and col < aux.base
               and not aux.user_integer[col] else
               "a coefficient or a constant is not an integer")
        raise EvalError(f"strict inequality `{src}` between expressions that are not "
                        f"integer-valued ({why}); a solver cannot keep a strict margin",
                        code="strict_inequality", symbol=src,
                        fix="Write <= or >= with an explicit margin (e.g. `x <= y - 0.01`), "
                            "or use integer variables with integer coefficients.")
    return (lo + 1 if lo > -INF else lo), (hi - 1 if hi < INF else hi)


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
