"""What-if without the language model: override parameter values, re-solve, compare.

``optimus run MODEL --set NAME=VALUE --set 'NAME[i,j]=VALUE'`` and chat's "what if the
budget is 500?" come here. :func:`parse_override` reads one ``NAME[i,j]=VALUE``;
:func:`apply_overrides` returns a copy of the formulation with the values changed (a
:class:`~optimus.errors.UserError` naming the fix for an unknown parameter or index);
:func:`what_if` solves the original (with sensitivity) and the changed formulation through
the one pipeline and returns the changed :class:`~optimus.pipeline.Report`, whose result
carries a :class:`~optimus.result.WhatIf`: whether the change stayed inside the ranges of
the original optimum (so the duals predicted the new objective) or changed the plan.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "parameters": [{"name": "cap", "value": 4}],
    ...     "variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "room", "expression": "x + 2*y <= cap"},
    ...                     {"name": "most", "expression": "x <= 3"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x + 4*y"}})
    >>> w = what_if(f, [parse_override("cap=5")]).result.what_if
    >>> w.within_range, w.predicted_objective, w.objective_after
    (True, 13.0, 13.0)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from optimus.build import LinearProgram
from optimus.errors import UserError
from optimus.explain import interval
from optimus.formulation import Formulation
from optimus.result import ParameterChange, Result, Sensitivity, WhatIf

__all__ = ["Override", "parse_override", "apply_overrides", "what_if", "compare"]

_OVERRIDE = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*)\s*(?:\[(.*)\])?\s*=\s*(.*?)\s*$", re.S)
_TOL = 1e-9


@dataclass(frozen=True)
class Override:
    """``name[index] = value``; ``index`` is None for a scalar parameter."""

    name: str
    index: tuple[str, ...] | None
    value: float

    def __str__(self) -> str:
        idx = f"[{','.join(self.index)}]" if self.index is not None else ""
        return f"{self.name}{idx}={self.value:g}"


def parse_override(text: str) -> Override:
    """``budget=500``, ``available[finishing]=21``, ``cost['New York', 3]=7.5``."""
    m = _OVERRIDE.match(text or "")
    if not m:
        raise UserError(f"--set {text!r}: expected NAME=VALUE or NAME[i,j]=VALUE",
                        fix="For example --set budget=500 or --set 'available[finishing]=21'.")
    name, inner, raw = m.group(1), m.group(2), m.group(3)
    try:
        value = float(raw)
    except ValueError:
        lhs = text.split("=", 1)[0].strip()
        raise UserError(f"--set {text!r}: the value {raw!r} is not a number",
                        fix=f"Give a number, e.g. --set '{lhs}=500'.") from None
    if not math.isfinite(value):
        raise UserError(f"--set {text!r}: the value must be a finite number",
                        fix=f"Give a number, e.g. --set {name}=500.")
    index = None if inner is None else tuple(_split_index(inner, text))
    return Override(name, index, value)


def _split_index(inner: str, text: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    quote: str | None = None
    for ch in inner:
        if quote:
            if ch == quote:
                quote = None
            else:
                buf.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if quote:
        raise UserError(f"--set {text!r}: unclosed quote in the index",
                        fix="Close the quote, e.g. --set \"cost['New York']=7\".")
    parts.append("".join(buf).strip())
    if any(p == "" for p in parts):
        raise UserError(f"--set {text!r}: an empty index value",
                        fix="Give one element per index set, e.g. NAME[a,b]=VALUE.")
    return parts


# --------------------------------------------------------------------------- applying
def apply_overrides(f: Formulation, overrides: Iterable[Override]
                    ) -> tuple[Formulation, list[ParameterChange]]:
    """A copy of ``f`` with the overrides applied, and the changes (before/after)."""
    from optimus.checks import analyze

    overrides = list(overrides)
    a = analyze(f)
    if a.issues:
        raise UserError("the model is invalid, so its parameters cannot be overridden: "
                        f"{a.issues[0]}", fix="Fix the model first (optimus check MODEL).")
    sym = a.symbols
    new = f.copy_deep()
    changes: list[ParameterChange] = []
    tables: dict[str, dict] = {}
    for o in overrides:
        p = new.parameter(o.name)
        names = [q.name for q in f.parameters]
        if p is None:
            from optimus.expressions import suggest

            hint = suggest(o.name, names)
            raise UserError(f"--set {o}: there is no parameter `{o.name}`"
                            + (f"; did you mean `{hint}`?" if hint else ""),
                            fix="Parameters of this model: " + (", ".join(names) or "(none)")
                            + ".")
        arity, table = sym.params.get(o.name, (0, None))
        if not p.index:
            if o.index is not None:
                raise UserError(f"--set {o}: `{o.name}` is a scalar parameter; it has no index",
                                fix=f"Write --set {o.name}=VALUE.")
            if not isinstance(table, (int, float)):
                raise UserError(f"--set {o}: `{o.name}` has no numeric value to override",
                                fix="Override a numeric parameter.")
            changes.append(ParameterChange(parameter=o.name, before=float(table), after=o.value))
            p.value = o.value
            p.data = None
            continue
        if o.index is None:
            raise UserError(f"--set {o}: `{o.name}` is indexed by {', '.join(p.index)}",
                            fix=f"Give the index, e.g. --set '{o.name}[{_example(sym, p.index)}]"
                                f"={o.value:g}'.")
        if not isinstance(table, dict):
            raise UserError(f"--set {o}: `{o.name}` has no numeric table to override",
                            fix="Override a numeric parameter.")
        if len(o.index) != arity:
            raise UserError(f"--set {o}: `{o.name}` takes {arity} index value(s) "
                            f"({', '.join(p.index)}), got {len(o.index)}",
                            fix=f"For example --set '{o.name}[{_example(sym, p.index)}]"
                                f"={o.value:g}'.")
        key = _key(sym, p.index, o, arity)
        current = tables.setdefault(o.name, dict(table))
        before = current.get(key, sym.param_defaults.get(o.name))
        current[key] = o.value
        changes.append(ParameterChange(parameter=o.name, index=list(key),
                                       before=None if before is None else float(before),
                                       after=o.value))
    for name, table in tables.items():
        p = new.parameter(name)
        assert p is not None
        from optimus.tables import EntryList

        keys = list(table)
        p.values = EntryList([tuple(k) for k in keys], [float(table[k]) for k in keys])
        p.data = None
    return new, changes


def _example(sym: Any, index: list[str]) -> str:
    parts = []
    for s in index:
        elems = sym.sets.get(s) or ["?"]
        e = elems[0]
        parts.extend(str(x) for x in (e if isinstance(e, tuple) else (e,)))
    return ",".join(parts)


def _key(sym: Any, index: list[str], o: Override, arity: int) -> tuple:
    """The canonical key of ``o.index`` (strings matched to the sets' elements)."""
    assert o.index is not None
    out: list[Any] = []
    pos = 0
    for s in index:
        elems = sym.sets.get(s, [])
        width = sym.set_arity.get(s, 1)
        want = o.index[pos:pos + width]
        pos += width
        match = None
        for e in elems:
            parts = e if isinstance(e, tuple) else (e,)
            if tuple(str(x) for x in parts) == tuple(want):
                match = parts
                break
        if match is None:
            shown = ", ".join(str(e) for e in elems[:10]) + (", ..." if len(elems) > 10 else "")
            raise UserError(f"--set {o}: `{','.join(want)}` is not an element of set {s}",
                            fix=f"Use one of {s}'s elements: {shown}.")
        out.extend(match)
    return tuple(out)


# --------------------------------------------------------------------------- what-if
def what_if(f: Formulation, overrides: Iterable[Override], options: Any = None) -> Any:
    """Solve ``f`` (with sensitivity) and ``f`` with the overrides; return the changed
    :class:`~optimus.pipeline.Report` with ``result.what_if`` comparing the two (``f``'s
    own report when ``f`` is invalid). Report.formulation is the changed formulation."""
    from dataclasses import replace

    from optimus.pipeline import SolveOptions, solve_model

    options = options or SolveOptions()
    base = solve_model(f, replace(options, sensitivity=True, cross_check=False))
    if base.issues:  # an invalid model: its issues, as any run reports them
        return base
    changed, changes = apply_overrides(f, overrides)
    report = solve_model(changed, options)
    if report.result is not None and base.result is not None:
        report.result.what_if = compare(base.program, base.result, report.program,
                                        report.result, changes)
    return report


def compare(lp0: LinearProgram | None, r0: Result, lp1: LinearProgram | None, r1: Result,
            changes: list[ParameterChange]) -> WhatIf:
    """The :class:`WhatIf` of a re-solve ``r1`` of ``lp1`` against the original ``r0``."""
    w = WhatIf(changes=changes, status_before=r0.status, status_after=r1.status,
               objective_before=r0.objective, objective_after=r1.objective)
    w.variables = _moved(r0, r1)
    if r0.status.has_solution and r1.status.has_solution:
        support0 = {(v.name, tuple(map(str, v.index))) for v in r0.variables if abs(v.value) > 1e-9}
        support1 = {(v.name, tuple(map(str, v.index))) for v in r1.variables if abs(v.value) > 1e-9}
        w.plan_changed = support0 != support1
    s = r0.sensitivity
    if lp0 is None or lp1 is None or not _same_structure(lp0, lp1):
        w.kind = "coefficients"
    else:
        d_rows = np.flatnonzero((lp0.row_lower != lp1.row_lower) | (lp0.row_upper != lp1.row_upper))
        d_cost = np.flatnonzero(lp0.cost != lp1.cost)
        d_off = float(lp1.offset - lp0.offset)
        w.kind = ("rhs_and_cost" if len(d_rows) and len(d_cost) else "rhs" if len(d_rows)
                  else "cost" if len(d_cost) else "none")
        if s is not None and r0.objective is not None and w.kind in ("rhs", "cost", "none"):
            _predict(w, lp0, lp1, r0, s, d_rows, d_cost, d_off)
    if w.predicted_objective is not None and r1.objective is not None:
        tol = 1e-6 * max(1.0, abs(r1.objective))
        w.prediction_held = abs(w.predicted_objective - r1.objective) <= tol
    w.explanation = _explain(w, lp0, s)
    return w


def _same_structure(a: LinearProgram, b: LinearProgram) -> bool:
    return (a.row_keys == b.row_keys and a.col_keys == b.col_keys
            and np.array_equal(a.a_start, b.a_start) and np.array_equal(a.a_index, b.a_index)
            and np.array_equal(a.a_value, b.a_value)
            and np.array_equal(a.col_lower, b.col_lower) and np.array_equal(a.col_upper, b.col_upper)
            and np.array_equal(a.integrality, b.integrality))


def _predict(w: WhatIf, lp0: LinearProgram, lp1: LinearProgram, r0: Result, s: Sensitivity,
             d_rows: np.ndarray, d_cost: np.ndarray, d_off: float) -> None:
    """Fill the predicted objective and whether the change stays in range (100% rule)."""
    assert r0.objective is not None
    obj = r0.objective + d_off
    used = 0.0  # the 100% rule: the sum of each change's share of its allowed move
    if lp0.is_mip:
        w.within_range = None  # the duals hold with the integers fixed only
    for i in d_rows.tolist():
        c = s.constraints[i]
        if c.sense in ("<=", "==") or (c.sense == "range" and c.rhs == lp0.row_upper[i]):
            old, new = float(lp0.row_upper[i]), float(lp1.row_upper[i])
        else:
            old, new = float(lp0.row_lower[i]), float(lp1.row_lower[i])
        delta = new - old
        lo, hi = c.rhs_range
        room = (None if hi is None else hi - old) if delta > 0 else (None if lo is None else old - lo)
        share = 0.0 if room is None or delta == 0 else (math.inf if room <= _TOL else abs(delta) / room)
        used += share
        obj += c.dual * delta
        w.rows.append({"constraint": c.name, "index": c.index, "before": old, "after": new,
                       "dual": c.dual, "rhs_range": c.rhs_range, "within_range": share <= 1 + 1e-9})
    x = np.array([v.value for v in r0.variables], dtype=float)
    for j in d_cost.tolist():
        v = s.variables[j]
        old, new = float(lp0.cost[j]), float(lp1.cost[j])
        delta = new - old
        lo, hi = v.cost_range
        room = (None if hi is None else hi - old) if delta > 0 else (None if lo is None else old - lo)
        share = 0.0 if room is None or delta == 0 else (math.inf if room <= _TOL else abs(delta) / room)
        if lp0.is_mip and lp0.integrality[j]:
            share = math.nan  # an integer decision: no range
        used += share
        obj += delta * x[j]
        w.costs.append({"variable": v.name, "index": v.index, "before": old, "after": new,
                        "value": float(x[j]), "cost_range": v.cost_range,
                        "within_range": bool(share <= 1 + 1e-9)})
    w.predicted_objective = float(obj)
    if not lp0.is_mip:
        w.within_range = bool(used <= 1 + 1e-9)


def _moved(r0: Result, r1: Result) -> list[dict[str, Any]]:
    old = {(v.name, tuple(map(str, v.index))): (v.index, v.value) for v in r0.variables}
    out = []
    for v in r1.variables:
        key = (v.name, tuple(map(str, v.index)))
        before = old.get(key, (None, None))[1]
        if before is None or abs(before - v.value) > 1e-9 * max(1.0, abs(before)):
            out.append({"name": v.name, "index": list(v.index), "before": before, "after": v.value})
    return out[:200]


def _num(v: float | None) -> str:
    if v is None:
        return "none"
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.10g}"


def _range(r: list) -> str:
    return interval(r[0], r[1], ("any value", "up to {hi}", "{lo} or more", "{lo} to {hi}"), _num)


def _explain(w: WhatIf, lp0: LinearProgram | None, s: Sensitivity | None) -> str:
    what = ", ".join(f"{c.label} {_num(c.before)} -> {_num(c.after)}" for c in w.changes)
    before, after = _num(w.objective_before), _num(w.objective_after)
    if w.status_after != w.status_before or w.objective_after is None:
        return (f"With {what} the model is {w.status_after} (it was {w.status_before}"
                + (f", objective {before}" if w.objective_before is not None else "") + ").")
    moved = _moves(w)
    if w.kind == "coefficients":
        return (f"With {what} the objective goes {before} -> {after}. The change alters "
                f"constraint coefficients or bounds, which no dual predicts; "
                + ("the plan changed" if w.plan_changed else "the same variables are used")
                + (f": {moved}." if moved else "."))
    if w.kind == "rhs_and_cost":
        return (f"With {what} the objective goes {before} -> {after}. Right-hand sides and "
                f"costs changed together; their ranges do not cover joint changes."
                + (f" Moved: {moved}." if moved else ""))
    if w.kind == "none":
        return f"With {what} nothing in the compiled model changed; the objective stays {after}."
    if s is None or w.predicted_objective is None:
        return (f"With {what} the objective goes {before} -> {after} (no sensitivity of the "
                f"original optimum to compare with)." + (f" Moved: {moved}." if moved else ""))
    parts = []
    for r in w.rows:
        label = r["constraint"] + (f"[{', '.join(map(str, r['index']))}]" if r["index"] else "")
        parts.append(f"{label} has dual {_num(r['dual'])}, valid for {_range(r['rhs_range'])}")
    for c in w.costs:
        label = c["variable"] + (f"[{', '.join(map(str, c['index']))}]" if c["index"] else "")
        parts.append(f"the plan stays optimal while the coefficient of {label} is "
                     f"{_range(c['cost_range'])}")
    ranges = "; ".join(parts)
    if lp0 is not None and lp0.is_mip:
        held = "held" if w.prediction_held else "did not hold"
        return (f"With {what} the objective goes {before} -> {after}. With the integer "
                f"decisions fixed the duals predicted {_num(w.predicted_objective)} ({ranges}); "
                f"the prediction {held}" + (f"; moved: {moved}." if moved else "."))
    if w.within_range:
        held = ("and the re-solve agrees" if w.prediction_held
                else f"but the re-solve gives {after}")
        what_plan = ("the same variables stay in the plan" if not w.plan_changed
                     else "the plan changed")
        return (f"With {what} the change stays inside the range ({ranges}): the "
                f"{'shadow price' if w.kind == 'rhs' else 'current plan'} predicted the "
                f"objective {before} -> {_num(w.predicted_objective)}, {held}; "
                f"{what_plan}" + (f" ({moved})." if moved else "."))
    return (f"With {what} the change goes beyond the range ({ranges}), so the "
            f"{'dual' if w.kind == 'rhs' else 'current plan'} no longer predicts it: it "
            f"would give {_num(w.predicted_objective)}, the re-solve gives {after}; "
            + ("the plan changed" if w.plan_changed else "the same variables stay in the plan "
               "with new values") + (f" ({moved})." if moved else "."))


def _moves(w: WhatIf, limit: int = 6) -> str:
    shown = []
    for v in w.variables[:limit]:
        label = v["name"] + (f"[{', '.join(map(str, v['index']))}]" if v["index"] else "")
        shown.append(f"{label} {_num(v['before'])} -> {_num(v['after'])}")
    more = len(w.variables) - len(shown)
    return ", ".join(shown) + (f", and {more} more" if more > 0 else "")
