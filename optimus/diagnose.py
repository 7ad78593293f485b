"""Explain a solve outcome in the problem's own terms.

:func:`diagnose` looks at a :class:`~optimus.result.Result` and the program it came from:

- **infeasible** -> an irreducible infeasible subsystem (IIS) from HiGHS, computed on the
  LP relaxation with ``iis_strategy = kIisStrategyIrreducible`` (the default "light"
  strategy returns an empty set), mapped back to constraint names and index values, plus
  the variable bounds that take part. When the relaxation is feasible (integrality alone
  makes the model infeasible) an *elastic* relaxation keeps integrality, gives each row
  side a nonnegative slack, minimizes total slack, and names the rows that must be
  violated and by how much. Integer variables whose bounds hold no integer are named
  directly.
- **unbounded / infeasible_or_unbounded** -> the LP relaxation is re-solved with
  presolve off; if it is unbounded, the primal ray names the variables that grow
  (``increases``) or fall (``decreases``) without limit. A MIP whose relaxation is
  unbounded is checked for an integer-feasible point; a relaxation that turns out
  infeasible (or bounded, for a MIP) is diagnosed as infeasible.
- **optimal** -> sanity warnings: quantities that count discrete things (workers, trucks,
  units, ...) declared continuous whose values came out fractional, and an all-zero optimum.
- **time limits, errors** -> a short summary.

Every step is vectorized over the arrays of the :class:`~optimus.build.LinearProgram`;
nothing does per-row work proportional to the number of columns.

Example::

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import solve_formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "upper": 5}],
    ...     "constraints": [{"name": "need", "expression": "x >= 10"}],
    ...     "objective": {"sense": "minimize", "expression": "x"}})
    >>> d = solve_formulation(f).diagnosis
    >>> str(d.kind), [c.constraint or c.variable for c in d.conflict]
    ('infeasible', ['need', 'x'])
"""

from __future__ import annotations

import math
import re
from typing import Any

import highspy
import numpy as np

from optimus.build import LinearProgram, display_name
from optimus.formulation import Formulation
from optimus.result import (
    ConflictEntry, ConflictKind, ConflictMethod, Diagnosis, DiagnosisKind, Direction, Result,
    Status, UnboundedVariable, VariableValues,
)
from optimus.relaxation import relaxation
from optimus.solvers.base import SolverOptions
from optimus.solvers.highs import make_highs

__all__ = ["diagnose", "DIAGNOSE_TIME_LIMIT", "COUNT_WORDS"]

#: Seconds allowed to each diagnostic solve when the caller set no time limit.
DIAGNOSE_TIME_LIMIT = 60.0
#: Largest subsystem (nonzeros) handed to HiGHS's irreducible-IIS search; beyond it the
#: rows of the Farkas certificate are reported unreduced.
IIS_MAX_NONZEROS = 2000
_MAX_LISTED = 500  # conflict rows / ray variables kept in the diagnosis
_MAX_NAMED = 10  # ... of which the summary names this many
_TOL = 1e-7

_MS = highspy.HighsModelStatus
_LOWER, _UPPER, _BOXED = 2, 3, 4  # highspy.IisBoundStatus values
_IIS_IRREDUCIBLE = 4  # highspy.IisStrategy.kIisStrategyIrreducible

#: Words (in a variable's name or description) that mark a count of discrete things.
COUNT_WORDS = frozenset("""
number num count counts how many units unit pieces piece items item workers worker
employees employee staff people persons person nurses nurse drivers driver doctors
teachers students trucks truck vehicles vehicle cars car buses bus vans van planes
aircraft ships boats machines machine boxes box crates crate pallets pallet
containers container bins bottles cans bags packages package parcels batches batch
tables chairs desks houses rooms servers computers trips animals cows
trees seats tickets copies advertisements ads commercials bikes robots
""".split())
#: Words that mark a measured (continuous) quantity even next to a count word.
MEASURE_WORDS = frozenset("""
hours hour minutes minute time tons ton tonnes kg kilograms grams pounds lbs liters
litres gallons fraction proportion percent percentage share amount volume weight flow
acres hectares meters metres miles km dollars money investment invest budget rate
level cost price revenue profit
""".split())


def diagnose(f: Formulation | None, lp: LinearProgram, result: Result,
             options: SolverOptions | None = None) -> Diagnosis:
    """Explain ``result`` (a solve of ``lp``, compiled from ``f``) in the problem's terms.

    Returns a :class:`Diagnosis` of kind ``ok``, ``suspicious`` (optimal with warnings),
    ``infeasible`` (with ``conflict``), ``unbounded`` (with ``unbounded_variables``),
    ``time_limit`` or ``error``. Never raises for solver outcomes.
    """
    d = _diagnose(f, lp, result, options)
    if d.kind == DiagnosisKind.INFEASIBLE and not d.relaxation:
        try:
            d.relaxation = relaxation(lp, _diag_options(options), f=f, conflict=d.conflict)
        except Exception as exc:  # noqa: BLE001 - a diagnosis must never break a solve
            d.warnings.append(f"The smallest relaxation could not be computed "
                              f"({type(exc).__name__}: {exc}).")
    return d


def _diagnose(f: Formulation | None, lp: LinearProgram, result: Result,
              options: SolverOptions | None) -> Diagnosis:
    opts = _diag_options(options)
    status = result.status
    try:
        if status == Status.OPTIMAL:
            return _sanity(f, lp, result)
        if status == Status.INFEASIBLE:
            return _infeasible(lp, opts)
        if status in (Status.UNBOUNDED, Status.INFEASIBLE_OR_UNBOUNDED):
            return _unbounded(lp, opts, status)
        if status == Status.TIME_LIMIT_FEASIBLE:
            d = _sanity(f, lp, result)
            gap = f", gap {result.gap:.2%}" if result.gap is not None else ""
            bound = f", best bound {_fmt(result.bound)}" if result.bound is not None else ""
            obj = f"objective {_fmt(result.objective)}" if result.objective is not None else "no objective"
            d.summary = (f"Stopped at the time limit with a feasible solution ({obj}"
                         f"{bound}{gap}); it may not be optimal. "
                         + ("" if not d.warnings else d.summary))
            d.kind = DiagnosisKind.TIME_LIMIT
            return d
        if status == Status.TIME_LIMIT_NO_SOLUTION:
            return Diagnosis(kind=DiagnosisKind.TIME_LIMIT, summary=(
                "No feasible solution was found before the time limit. The model may be "
                "infeasible or just hard: raise the time limit (--time-limit) or loosen "
                "the MIP gap (--mip-gap)."))
    except Exception as exc:  # a diagnosis must never break a solve
        return Diagnosis(kind=DiagnosisKind.ERROR, summary=f"Diagnosis failed ({type(exc).__name__}: {exc}); "
                         f"the solver status was {status}.")
    msg = f": {result.message}" if result.message else ""
    return Diagnosis(kind=DiagnosisKind.ERROR, summary=f"The solver stopped with status {status}{msg}.")


# --------------------------------------------------------------------------- helpers

def _diag_options(options: SolverOptions | None) -> SolverOptions:
    limit = DIAGNOSE_TIME_LIMIT
    if options is not None and options.time_limit is not None:
        limit = min(limit, max(float(options.time_limit), 1.0))
    return SolverOptions(time_limit=limit, mip_gap=None, verbose=False)


def _fmt(v: float) -> str:
    return f"{v:.10g}"  # `:g` keeps six digits: 1234567 would read 1.23457e+06


def _row_text(lp: LinearProgram, i: int, side: str | None = None, max_terms: int = 6) -> str:
    """``demand[B]: make[B] >= 50`` (terms elided past ``max_terms``); a row of a
    constraint compiled with auxiliary columns (abs, max, piecewise...) shows the
    constraint as written."""
    idx, val = lp.row(i)
    if lp.written and lp.row_keys[i][0] in lp.written and (
            lp.is_aux_row(i) or bool((idx >= lp.num_user_cols).any())):
        return f"{lp.row_name(i)}: {lp.written[lp.row_keys[i][0]]}"
    parts = []
    for j, a in zip(idx[:max_terms].tolist(), val[:max_terms].tolist()):
        name = lp.col_name(j)
        coef = "" if a == 1 else ("-" if a == -1 else f"{_fmt(a)}*")
        parts.append(f"{coef}{name}")
    body = " + ".join(parts).replace("+ -", "- ") if parts else "0"
    if len(idx) > max_terms:
        body += f" + ... ({len(idx)} terms)"
    lo, hi = float(lp.row_lower[i]), float(lp.row_upper[i])
    if lo == hi:
        rel = f"== {_fmt(lo)}"
    elif side == "lower" or (side is None and math.isfinite(lo) and not math.isfinite(hi)):
        rel = f">= {_fmt(lo)}"
    elif side == "upper" or (side is None and math.isfinite(hi) and not math.isfinite(lo)):
        rel = f"<= {_fmt(hi)}"
    else:
        rel = f"in [{_fmt(lo)}, {_fmt(hi)}]"
    return f"{lp.row_name(i)}: {body} {rel}"


def _row_entry(lp: LinearProgram, i: int, side: str | None, **extra: Any) -> ConflictEntry:
    name, key = lp.row_keys[i]
    lo, hi = float(lp.row_lower[i]), float(lp.row_upper[i])
    if lo == hi:
        sense = "=="
    elif side == "lower":
        sense = ">="
    elif side == "upper":
        sense = "<="
    else:
        sense = ">=" if math.isfinite(lo) and not math.isfinite(hi) else (
            "<=" if math.isfinite(hi) and not math.isfinite(lo) else "range")
    rhs = lo if sense in (">=", "==") else (hi if sense == "<=" else None)
    return ConflictEntry(constraint=name, index=list(key), kind=ConflictKind.ROW, sense=sense,
                         rhs=rhs, text=_row_text(lp, i, side), **extra)


def _bound_entry(lp: LinearProgram, j: int, which: str) -> ConflictEntry:
    name, key = lp.col_keys[j]
    value = float(lp.col_lower[j] if which == "lower" else lp.col_upper[j])
    rel = ">=" if which == "lower" else "<="
    return ConflictEntry(variable=name, index=list(key), kind=ConflictKind(f"{which} bound"),
                         value=value, text=f"{display_name(name, key)} {rel} {_fmt(value)}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _names(entries: list[ConflictEntry], total: int | None = None) -> str:
    """Rows (the first few, in full) then variable bounds grouped by variable and value."""
    rows = [e for e in entries if e.variable is None]
    shown = list(dict.fromkeys(e.text for e in rows[:_MAX_NAMED]))
    more = (total if total is not None else len(rows)) - len(shown)
    if more > 0:
        shown.append(f"and {more} more")
    groups: dict[tuple, list[ConflictEntry]] = {}
    for e in entries:
        if e.variable is not None:
            groups.setdefault((e.variable, e.kind, e.value), []).append(e)
    for (name, kind, value), es in list(groups.items())[:_MAX_NAMED]:
        if len(es) == 1:
            shown.append(es[0].text)
        elif value is not None:
            rel = ">=" if kind == ConflictKind.LOWER_BOUND else "<="
            shown.append(f"{name}[...] {rel} {_fmt(value)} ({len(es)} of them)")
        else:
            shown.append(f"{name}: {kind} ({len(es)} of them)")
    return "; ".join(shown)


# --------------------------------------------------------------------------- infeasible

def _trivial_conflicts(lp: LinearProgram) -> list[ConflictEntry]:
    """Bounds that contradict themselves (lower > upper, an integer range with no integer)
    and rows without variables whose bounds exclude 0 (``0 >= 5``)."""
    lo, hi = lp.col_lower, lp.col_upper
    out: list[ConflictEntry] = []
    crossed = np.flatnonzero(lo > hi + _TOL)
    integ = lp.integrality.astype(bool)
    with np.errstate(invalid="ignore"):
        no_int = np.flatnonzero(integ & np.isfinite(lo) & np.isfinite(hi)
                                & (np.ceil(lo - 1e-9) > np.floor(hi + 1e-9)) & (lo <= hi + _TOL))
    for j in crossed[:_MAX_LISTED].tolist():
        name, key = lp.col_keys[j]
        out.append(ConflictEntry(
            variable=name, index=list(key), kind=ConflictKind.BOUNDS,
            text=f"{display_name(name, key)}: lower bound {_fmt(lo[j])} > upper bound {_fmt(hi[j])}"))
    for j in no_int[:_MAX_LISTED].tolist():
        name, key = lp.col_keys[j]
        out.append(ConflictEntry(
            variable=name, index=list(key), kind=ConflictKind.INTEGRALITY,
            text=f"{display_name(name, key)} is integer but its bounds "
                 f"[{_fmt(lo[j])}, {_fmt(hi[j])}] hold no integer"))
    empty = np.flatnonzero((np.diff(lp.a_start) == 0)
                           & ((lp.row_lower > 1e-9) | (lp.row_upper < -1e-9)))
    out.extend(_row_entry(lp, i, None) for i in empty[:_MAX_LISTED].tolist())
    return out


def _user_terms(lp: LinearProgram, entries: list[ConflictEntry]) -> list[ConflictEntry]:
    """``entries`` in the user's terms: the rows of one constraint written with abs, max
    or piecewise (its own row and its auxiliary rows) named once, and no bound of an
    auxiliary column."""
    if lp.aux_rows is None and lp.num_user_cols == lp.num_cols:
        return entries
    seen: set = set()
    out = []
    for e in entries:
        if e.variable is not None and e.variable not in lp.domains:
            continue
        k = (e.constraint, tuple(map(str, e.index)), e.variable, e.text)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out or entries


def _infeasible(lp: LinearProgram, opts: SolverOptions) -> Diagnosis:
    trivial = _user_terms(lp, _trivial_conflicts(lp))
    if trivial:
        return Diagnosis(kind=DiagnosisKind.INFEASIBLE, conflict=trivial,
                         conflict_method=ConflictMethod.BOUNDS,
                         summary="The model is infeasible: these cannot hold whatever the "
                                 "variables are: " + _names(trivial) + ".")
    relax_status, entries, method, total = _iis(lp, opts)
    entries = _user_terms(lp, entries)
    if entries and method == "iis":
        if len(entries) == 1:
            return Diagnosis(kind=DiagnosisKind.INFEASIBLE, conflict=entries,
                             conflict_method=ConflictMethod.IIS, summary=(
                f"The model is infeasible: this constraint cannot hold whatever the variables "
                f"are: {_names(entries)}."))
        rows = sum(1 for e in entries if e.kind == ConflictKind.ROW)
        return Diagnosis(
            kind=DiagnosisKind.INFEASIBLE, conflict=entries, conflict_method=ConflictMethod.IIS,
            summary=(f"The model is infeasible. These {_count(rows, 'constraint')}"
                     f"{' and ' + _count(len(entries) - rows, 'variable bound') if rows < len(entries) else ''}"
                     f" cannot all hold together (an irreducible infeasible set: dropping any one "
                     f"of them makes the rest feasible): {_names(entries)}."))
    if entries:  # a Farkas certificate too large to reduce
        return Diagnosis(
            kind=DiagnosisKind.INFEASIBLE, conflict=entries,
            conflict_method=ConflictMethod.FARKAS,
            summary=(f"The model is infeasible. These {_count(total, 'constraint')} cannot "
                     f"all hold together given the variable bounds (the support of a Farkas "
                     f"certificate; too large to reduce to a minimal set, so some may be "
                     f"redundant): {_names(entries, total)}."))
    relaxation_feasible = relax_status in (_MS.kOptimal, _MS.kUnbounded)
    d = _elastic(lp, opts, keep_integrality=relaxation_feasible)
    if d is not None:
        if relaxation_feasible and lp.is_mip:
            d.summary = ("The model is infeasible only because of integrality: its LP relaxation "
                         "(integer variables allowed to be fractional) is feasible. " + d.summary)
        return d
    if relaxation_feasible and not lp.is_mip:
        return Diagnosis(kind=DiagnosisKind.INFEASIBLE, summary=(
            "The solver reported the model infeasible, but re-solving it found it feasible; "
            "the model may be numerically unstable (very large or very small coefficients)."))
    return Diagnosis(kind=DiagnosisKind.INFEASIBLE, summary=(
        "The model is infeasible, but no conflicting set of constraints could be isolated "
        "within the diagnosis time limit."))


def _iis(lp: LinearProgram, opts: SolverOptions) -> tuple[object, list[ConflictEntry], str, int]:
    """Conflict entries of an infeasible LP relaxation: ``(status, entries, method, total)``.

    HiGHS's irreducible IIS runs many LP solves and grows quickly with the model's size, so
    it is run on a small subsystem only: the rows carrying the Farkas certificate (the dual
    ray of one relaxation solve) and the columns they touch. That subsystem is itself
    infeasible, and an IIS of it is an IIS of the whole model. When the certificate spans
    more than :data:`IIS_MAX_NONZEROS` nonzeros its rows are reported as they are
    (``farkas``).
    """
    h = make_highs(lp, opts, relax=True, names=False)
    h.setOptionValue("presolve", "off")  # keeps the dual ray in the original space
    h.run()
    ms = h.getModelStatus()
    if ms != _MS.kInfeasible:
        return ms, [], "", 0
    rows = _farkas_rows(h)
    if rows is None:  # no certificate: the whole model, when small enough
        rows = np.arange(lp.num_rows)
        y = None
    else:
        y = rows[1]
        rows = rows[0]
    if int((lp.a_start[rows + 1] - lp.a_start[rows]).sum()) <= IIS_MAX_NONZEROS:
        sub, row_map, col_map = _subprogram(lp, rows)
        entries = _irreducible(sub, opts, row_map, col_map, lp)
        if entries:
            return ms, entries[:_MAX_LISTED], "iis", len(entries)
    if y is None:
        return ms, [], "", 0
    order = np.argsort(-np.abs(y), kind="stable")
    entries = [_row_entry(lp, int(rows[k]), None) for k in order[:_MAX_LISTED].tolist()]
    return ms, entries, "farkas", len(rows)


def _farkas_rows(h: highspy.Highs) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows with a nonzero dual-ray value, and those values (``None`` if HiGHS has no ray)."""
    try:
        _, has_ray, y = h.getDualRay()
    except Exception:  # pragma: no cover - older highspy signatures
        return None
    if not has_ray:
        return None
    y = np.asarray(y, dtype=float)
    if y.size == 0 or not np.any(y):
        return None
    rows = np.flatnonzero(np.abs(y) > 1e-9 * np.abs(y).max())
    return rows, y[rows]


def _subprogram(lp: LinearProgram, rows: np.ndarray) -> tuple[LinearProgram, np.ndarray, np.ndarray]:
    """``lp`` restricted to ``rows`` and the columns they touch (zero objective, no integrality)."""
    starts, ends = lp.a_start[rows], lp.a_start[rows + 1]
    lengths = ends - starts
    take = np.concatenate([np.arange(s, e) for s, e in zip(starts.tolist(), ends.tolist())]) \
        if len(rows) else np.zeros(0, dtype=np.int64)
    cols = np.unique(lp.a_index[take]) if len(take) else np.zeros(0, dtype=np.int64)
    sub = LinearProgram(
        name="sub", sense="minimize",
        col_keys=[lp.col_keys[j] for j in cols.tolist()],
        col_lower=lp.col_lower[cols], col_upper=lp.col_upper[cols],
        integrality=np.zeros(len(cols), dtype=np.int8), cost=np.zeros(len(cols)), offset=0.0,
        row_keys=[lp.row_keys[i] for i in rows.tolist()],
        row_lower=lp.row_lower[rows], row_upper=lp.row_upper[rows],
        a_start=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32),
        a_index=np.searchsorted(cols, lp.a_index[take]).astype(np.int32),
        a_value=lp.a_value[take].astype(np.float64))
    return sub, rows, cols


def _irreducible(sub: LinearProgram, opts: SolverOptions, row_map: np.ndarray,
                 col_map: np.ndarray, lp: LinearProgram) -> list[ConflictEntry]:
    """HiGHS's irreducible IIS of ``sub``, as entries of the original ``lp``."""
    h = make_highs(sub, opts, names=False)
    h.setOptionValue("iis_strategy", _IIS_IRREDUCIBLE)
    h.run()
    if h.getModelStatus() != _MS.kInfeasible:
        return []
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return []
    entries: list[ConflictEntry] = []
    for i, b in zip(list(iis.row_index_), list(iis.row_bound_)):
        b = int(b)
        if b in (-1, 1):  # dropped / free: not part of the conflict
            continue
        side = "lower" if b == _LOWER else "upper" if b == _UPPER else None
        entries.append(_row_entry(lp, int(row_map[int(i)]), side))
    for j, b in zip(list(iis.col_index_), list(iis.col_bound_)):
        j, b = int(col_map[int(j)]), int(b)
        if b in (_LOWER, _BOXED) and math.isfinite(lp.col_lower[j]):
            entries.append(_bound_entry(lp, j, "lower"))
        if b in (_UPPER, _BOXED) and math.isfinite(lp.col_upper[j]):
            entries.append(_bound_entry(lp, j, "upper"))
    return entries


def _elastic(lp: LinearProgram, opts: SolverOptions, *, keep_integrality: bool) -> Diagnosis | None:
    """Minimize total violation: a slack per finite row side; name the rows that need it."""
    n, m = lp.num_cols, lp.num_rows
    if m == 0:
        return None
    h = make_highs(lp, opts, relax=not keep_integrality, names=False)
    lo_rows = np.flatnonzero(np.isfinite(lp.row_lower)).astype(np.int32)
    hi_rows = np.flatnonzero(np.isfinite(lp.row_upper)).astype(np.int32)
    rows = np.concatenate([lo_rows, hi_rows])
    k = len(rows)
    if k == 0:
        return None
    vals = np.concatenate([np.ones(len(lo_rows)), -np.ones(len(hi_rows))])
    h.addCols(k, np.ones(k), np.zeros(k), np.full(k, highspy.kHighsInf), k,
              np.arange(k, dtype=np.int32), rows, vals)
    if keep_integrality and lp.is_mip:
        h.changeColsIntegrality(k, np.arange(n, n + k, dtype=np.int32),
                                np.array([highspy.HighsVarType.kContinuous] * k))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveOffset(0.0)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    ms = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return None
    s = np.asarray(h.getSolution().col_value, dtype=float)[n:]
    slack_lo = np.zeros(m)
    slack_hi = np.zeros(m)
    slack_lo[lo_rows] = s[: len(lo_rows)]
    slack_hi[hi_rows] = s[len(lo_rows):]
    scale = np.maximum(1.0, np.maximum(np.abs(np.nan_to_num(lp.row_lower, posinf=0, neginf=0)),
                                       np.abs(np.nan_to_num(lp.row_upper, posinf=0, neginf=0))))
    violated = np.flatnonzero((slack_lo > 1e-6 * scale) | (slack_hi > 1e-6 * scale))
    if len(violated) == 0:
        return None
    order = violated[np.argsort(-(slack_lo[violated] + slack_hi[violated]), kind="stable")]
    entries = []
    for i in order[:_MAX_LISTED].tolist():
        short = float(slack_lo[i])
        over = float(slack_hi[i])
        side = "lower" if short > over else "upper"
        amount = max(short, over)
        e = _row_entry(lp, i, side, violation=amount)
        e.text += f" (violated by {_fmt(amount)})"
        entries.append(e)
    entries = _user_terms(lp, entries)
    total = float(slack_lo.sum() + slack_hi.sum())
    optimal = ms == _MS.kOptimal
    what = "integrality kept" if keep_integrality and lp.is_mip else "as a linear program"
    return Diagnosis(
        kind=DiagnosisKind.INFEASIBLE, conflict=entries, conflict_method=ConflictMethod.ELASTIC,
        summary=(f"An elastic relaxation ({what}: every constraint may be violated at a cost "
                 f"equal to the violation) needs a total violation of {_fmt(total)}"
                 f"{'' if optimal else ' (not proven minimal: the diagnosis hit its time limit)'}; "
                 f"the constraints it must violate are: {_names(entries)}."))


# --------------------------------------------------------------------------- unbounded

def _unbounded(lp: LinearProgram, opts: SolverOptions, status: str) -> Diagnosis:
    h = make_highs(lp, opts, relax=True, names=False)
    h.setOptionValue("presolve", "off")
    h.run()
    ms = h.getModelStatus()
    if ms == _MS.kUnboundedOrInfeasible:
        # Tell them apart with a zero-objective feasibility solve.
        feas = make_highs(lp, opts, relax=True, names=False)
        feas.changeColsCost(lp.num_cols, np.arange(lp.num_cols, dtype=np.int32), np.zeros(lp.num_cols))
        feas.run()
        fms = feas.getModelStatus()
        if fms == _MS.kInfeasible:
            return _infeasible(lp, opts)
        if fms == _MS.kOptimal:
            h = make_highs(lp, opts, relax=True, names=False)
            h.setOptionValue("presolve", "off")
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_strategy", 4)  # primal simplex finds a primal ray
            h.run()
            ms = h.getModelStatus()
            if ms == _MS.kUnboundedOrInfeasible:
                ms = _MS.kUnbounded  # feasible and not bounded
    if ms == _MS.kInfeasible:
        return _infeasible(lp, opts)
    if ms == _MS.kOptimal:
        if lp.is_mip:  # a bounded relaxation: the MIP cannot be unbounded, so it is infeasible
            d = _infeasible(lp, opts)
            d.summary = ("The model has no integer-feasible point (its LP relaxation is feasible "
                         "and bounded). " + d.summary)
            return d
        return Diagnosis(kind=DiagnosisKind.ERROR, summary=(
            f"The solver reported {status}, but re-solving without presolve found an optimum; "
            "the model may be numerically unstable."))
    if ms != _MS.kUnbounded:
        return Diagnosis(kind=DiagnosisKind.UNBOUNDED if status == Status.UNBOUNDED
                         else DiagnosisKind.ERROR,
                         summary=f"The solver reported {status}; re-solving the relaxation gave "
                                 f"{h.modelStatusToString(ms)}, so no ray could be read.",
                         unbounded_variables=_candidates(lp))
    ray = None
    try:
        _, has_ray, r = h.getPrimalRay()
        if has_ray:
            ray = np.asarray(r, dtype=float)
    except Exception:  # pragma: no cover - older highspy signatures
        ray = None
    prefix = ""
    if lp.is_mip:
        feasible = _mip_feasible(lp, opts)
        if feasible is False:
            d = _infeasible(lp, opts)
            d.summary = ("The LP relaxation is unbounded, but the model has no integer-feasible "
                         "point. " + d.summary)
            return d
        if feasible is None:
            prefix = ("The LP relaxation is unbounded; whether an integer-feasible point exists "
                      "was not settled within the diagnosis time limit. ")
        else:
            prefix = "The model is feasible and its objective is unbounded. "
    else:
        prefix = "The objective is unbounded. "
    if ray is None or not np.any(np.abs(ray) > 0):
        cands = _candidates(lp)
        _explain_missing(lp, cands)
        return Diagnosis(kind=DiagnosisKind.UNBOUNDED, unbounded_variables=cands, summary=(
            prefix + "HiGHS gave no primal ray; variables that improve the objective and have "
                     "no bound in that direction: " + _var_names(cands) + ". Add the missing "
                     "bound or constraint."))
    vars_ = _ray_variables(lp, ray)
    seen = {(v.name, tuple(v.index)) for v in vars_}
    vars_ += [v for v in _candidates(lp, unconstrained_only=True)
              if (v.name, tuple(v.index)) not in seen][: max(0, _MAX_LISTED - len(vars_))]
    _explain_missing(lp, vars_)
    return Diagnosis(kind=DiagnosisKind.UNBOUNDED, unbounded_variables=vars_, summary=(
        prefix + "The objective improves without limit as these variables move (along "
                 "HiGHS's primal ray, then any others that appear in no constraint): "
        + _var_names(vars_)
        + ". Add the missing upper/lower bound or the constraint that limits them "
          "(e.g. a capacity, budget or demand)."))


def _explain_missing(lp: LinearProgram, vars_: list[UnboundedVariable]) -> None:
    """Say, for each variable that moves without limit, what kind of limit is missing:
    no constraint at all, only minimums (``>=``) in the way it grows, or constraints that
    let it grow together with others (a limit on their total is missing)."""
    if not vars_:
        return
    col_of = {key: j for j, key in enumerate(lp.col_keys)} if len(vars_) else {}
    rows_of: dict[int, list[int]] = {}
    wanted = {col_of.get((v.name, tuple(v.index))) for v in vars_}
    counts = np.diff(lp.a_start)
    row_ids = np.repeat(np.arange(lp.num_rows), counts)
    for r, j, a in zip(row_ids.tolist(), lp.a_index.tolist(), lp.a_value.tolist()):
        if j in wanted:
            rows_of.setdefault(j, []).append(r if a > 0 else -r - 1)
    movers = ", ".join(v.label for v in vars_[:4]) + (", ..." if len(vars_) > 4 else "")
    for v in vars_[:_MAX_NAMED * 5]:
        j = col_of.get((v.name, tuple(v.index)))
        if j is None:
            continue
        up = v.direction == Direction.INCREASES
        bound = "an upper bound" if up else "a lower bound"
        rows = rows_of.get(j, [])
        if not rows:
            v.missing = (f"it appears in no constraint and has no {'upper' if up else 'lower'} "
                         f"bound: add {bound} or a constraint that limits it (a capacity, "
                         f"budget or demand)" + ("" if up else "; if it cannot be negative, "
                                                 "declare lower: 0"))
            continue
        # a row limits growth of this column when the side it pushes toward is finite
        limiting = []
        for code in rows:
            i, positive = (code, True) if code >= 0 else (-code - 1, False)
            pushes_up = positive == up
            side = lp.row_upper[i] if pushes_up else lp.row_lower[i]
            if math.isfinite(side):
                limiting.append(i)
        names = list(dict.fromkeys(lp.row_keys[i][0] for i in
                                   (limiting or [abs(c) if c >= 0 else -c - 1 for c in rows])))
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        if not limiting:
            need = "maximum such as a capacity, budget or resource limit" if up else "minimum"
            how = "grows" if up else "falls"
            v.missing = (f"the constraints it appears in ({shown}) do not hold it back as it "
                         f"{how} (they only limit it from the other side): a {need} is missing")
        else:
            v.missing = (f"constraint(s) {shown} allow it to move together with the others "
                         f"({movers}): a limit on their total, or a missing coefficient, is needed")


def _mip_feasible(lp: LinearProgram, opts: SolverOptions) -> bool | None:
    """Does the MIP have an integer-feasible point? ``None`` when the check timed out."""
    h = make_highs(lp, opts, names=False)
    h.changeColsCost(lp.num_cols, np.arange(lp.num_cols, dtype=np.int32), np.zeros(lp.num_cols))
    h.run()
    ms = h.getModelStatus()
    if ms == _MS.kOptimal or h.getInfo().primal_solution_status == 2:
        return True
    if ms == _MS.kInfeasible:
        return False
    return None


def _ray_variables(lp: LinearProgram, ray: np.ndarray) -> list[UnboundedVariable]:
    mag = np.abs(ray)
    nz = np.flatnonzero(mag > 1e-9 * mag.max())
    sign = 1.0 if lp.sense == "maximize" else -1.0
    gain = sign * lp.cost[nz] * ray[nz]  # > 0: this variable's move improves the objective
    order = nz[np.lexsort((-mag[nz], (gain <= 1e-12).astype(np.int8)))]
    out = []
    for j in order[:_MAX_LISTED].tolist():
        name, key = lp.col_keys[j]
        out.append(UnboundedVariable(
            name=name, index=list(key),
            direction=Direction.INCREASES if ray[j] > 0 else Direction.DECREASES,
            ray=float(ray[j]), in_objective=bool(lp.cost[j] != 0)))
    return out


def _candidates(lp: LinearProgram, unconstrained_only: bool = False) -> list[UnboundedVariable]:
    """Columns that improve the objective and have no bound that way (used when HiGHS gives
    no ray; with ``unconstrained_only``, those in no constraint, each unbounded by itself)."""
    sign = 1.0 if lp.sense == "maximize" else -1.0
    g = sign * lp.cost
    mask = np.ones(lp.num_cols, dtype=bool)
    if unconstrained_only:
        mask = np.bincount(lp.a_index, minlength=lp.num_cols) == 0
    up = np.flatnonzero(mask & (g > 0) & ~np.isfinite(lp.col_upper))
    down = np.flatnonzero(mask & (g < 0) & ~np.isfinite(lp.col_lower))
    out = []
    moves = [(j, Direction.INCREASES) for j in up.tolist()] + \
        [(j, Direction.DECREASES) for j in down.tolist()]
    for j, d in moves:
        name, key = lp.col_keys[j]
        out.append(UnboundedVariable(name=name, index=list(key), direction=d, in_objective=True))
    return out[:_MAX_LISTED]


def _var_names(vars_: list[UnboundedVariable]) -> str:
    if not vars_:
        return "(none found)"
    shown = [f"{display_name(v.name, tuple(v.index))} {v.direction}"
             for v in vars_[:_MAX_NAMED]]
    more = len(vars_) - len(shown)
    return ", ".join(shown) + (f", and {more} more" if more > 0 else "")


# --------------------------------------------------------------------------- optimal

_SPLIT = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])")


def _words(text: str | None) -> set[str]:
    return {w.lower() for w in _SPLIT.split(text or "") if w}


def looks_like_count(name: str, description: str | None = "") -> bool:
    """Does a variable's name or description say it counts discrete things?"""
    words = _words(name) | _words(description)
    if "how" in words and "many" in words:
        words.add("number")
    return bool(words & COUNT_WORDS) and not (words & MEASURE_WORDS)


def _values(lp: LinearProgram, result: Result) -> np.ndarray | None:
    """The column values of ``result`` in column order (``None`` if they do not match)."""
    variables = result.variables
    if len(variables) != lp.num_cols:
        return None
    if isinstance(variables, VariableValues):  # lazy: read the columns, build no records
        keys, raw = variables.columns()
        if keys is lp.col_keys:
            return np.asarray(raw, dtype=float)
    return np.fromiter((v.value for v in variables), dtype=float, count=lp.num_cols)


def _sanity(f: Formulation | None, lp: LinearProgram, result: Result) -> Diagnosis:
    warnings: list[str] = []
    x = _values(lp, result)
    if x is not None and lp.num_cols:
        if f is not None:
            names = None
            frac = np.abs(x - np.round(x)) > np.maximum(1e-6, 1e-9 * np.abs(x))
            for v in f.variables:
                if v.domain != "continuous" or not looks_like_count(v.name, v.description):
                    continue
                if names is None:  # only when some variable looks like a count
                    names = np.array([n for n, _ in lp.col_keys], dtype=object)
                cols = np.flatnonzero((names == v.name) & frac)
                if len(cols) == 0:
                    continue
                total = int(np.count_nonzero(names == v.name))
                j = int(cols[0])
                what = f" ({v.description})" if v.description else ""
                warnings.append(
                    f"`{v.name}`{what} looks like a count of discrete things but is declared "
                    f"continuous, and {len(cols)} of its {total} value(s) are fractional "
                    f"(e.g. {lp.col_name(j)} = {x[j]:.6g}). Declare it integer if fractional "
                    f"values make no sense.")
        if np.all(np.abs(x) <= 1e-9):
            obj = f" (objective {result.objective:g})" if result.objective is not None else ""
            warnings.append(
                f"Every variable is 0 at the optimum{obj}: doing nothing is optimal. A requirement "
                "(demand, minimum, covering constraint) may be missing, or the objective sense "
                "may be reversed.")
    if warnings:
        return Diagnosis(kind=DiagnosisKind.SUSPICIOUS, warnings=warnings,
                         summary=f"Optimal, but {len(warnings)} thing(s) look suspicious.")
    return Diagnosis(kind=DiagnosisKind.OK,
                     summary="Optimal; the sanity checks found nothing suspicious.")
