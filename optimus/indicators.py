"""Indicator constraints: ``when: "open[p] == 1"`` on a constraint.

The constraint holds for a binding only when the binary variable named in ``when``
(indexed by the forall's names) takes the given value (1 or 0); otherwise it is free.
It is compiled by big-M, with ``M`` derived per row and per side from the variable
bounds and the row's own coefficients (the tightest valid value for that row):

* ``body <= hi`` when ``z == 1``: ``M = max(body) - hi`` over the bounds, and the row
  ``body + M z <= hi + M``; when ``z == 0``: ``body - M z <= hi``;
* ``body >= lo`` likewise with ``m = lo - min(body)``;
* an equality gets both rows (under the same constraint name and index, so a diagnosis
  speaks of the user's constraint). A side with ``M <= 0`` already holds for every value
  of the variables: it is written without the indicator term.

Where a needed bound is missing (``max(body)`` is infinite) the row is refused, naming
the variable and the bound to add; no default big-M (such as 1e6) is ever used.

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import solve_formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "upper": 10}, {"name": "open", "domain": "binary"}],
    ...     "constraints": [{"name": "need", "expression": "x >= 4", "when": "open == 1"},
    ...                     {"name": "closed", "expression": "x <= 0", "when": "open == 0"}],
    ...     "objective": {"sense": "minimize", "expression": "x + 3*open"}})
    >>> solve_formulation(f).objective
    0.0
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

from optimus.expressions import (
    Compiler, CompiledConstraint, ExprError, LinExpr, Node, Scope, VarRef, VarScalar, parse,
)

__all__ = ["Indicator", "compile_indicator", "big_m_rows"]


@dataclass
class Indicator:
    """A compiled ``when``: the binary's reference and the value that activates the row."""

    var: Node  # VarRef or VarScalar of a binary variable
    active: int  # 1 or 0
    text: str


def compile_indicator(compiler: Compiler, when: str, cc: CompiledConstraint,
                      domains: dict[str, str]) -> Indicator:
    """Compile ``when`` in the scope of the constraint's forall; raises ExprError with
    the fix for anything but ``binary_var[...] == 0`` or ``== 1``."""
    fix = ("Write when: \"b[i] == 1\" (or == 0) with a binary variable b indexed by the "
           "forall's names, e.g. when: \"open[p] == 1\".")
    tree = parse(when)
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1
            and isinstance(tree.ops[0], ast.Eq)):
        raise ExprError(f"`when: {when}` is not of the form `b == 1` or `b == 0`",
                        code="indicator", symbol=when, fix=fix)
    left, right = tree.left, tree.comparators[0]
    if isinstance(left, ast.Constant):
        left, right = right, left
    if not (isinstance(right, ast.Constant) and right.value in (0, 1)
            and not isinstance(right.value, bool)):
        raise ExprError(f"`when: {when}`: the value must be 0 or 1", code="indicator",
                        symbol=when, fix=fix)
    scope = Scope()
    if cc.binder is not None:
        for (targets, _, _), set_name in zip(cc.binder.levels, cc.binder.set_names or []):
            for t in targets:
                scope.names[t] = set_name if len(targets) == 1 else None
    node = compiler.expression(left, scope)
    if not isinstance(node, (VarRef, VarScalar)):
        raise ExprError(f"`when: {when}`: the left side must be one binary variable",
                        code="indicator", symbol=when, fix=fix)
    if domains.get(node.name) != "binary":
        raise ExprError(f"`when: {when}`: `{node.name}` is {domains.get(node.name)}, not "
                        f"binary", code="indicator", symbol=node.name,
                        fix=f"Declare `{node.name}` with domain: binary, or model the "
                            f"condition with a binary variable.")
    return Indicator(node, int(right.value), when)


def _column(ind: Indicator, env: dict[str, Any]) -> int:
    acc = LinExpr()
    ind.var.add_to(env, acc, 1.0)
    (col,) = acc.flush().keys()
    return col


def big_m_rows(ind: Indicator, env: dict[str, Any], terms: dict[int, float], lo: float,
               hi: float, col_lower: list[float], col_upper: list[float], col_name: Any
               ) -> list[tuple[dict[int, float], float, float]] | str:
    """The rows ``(terms, lower, upper)`` of one binding ``lo <= terms <= hi`` under the
    indicator, or the text of the missing bound."""
    z = _column(ind, env)
    lo_act = hi_act = 0.0
    worst_hi = worst_lo = None
    for j, a in terms.items():
        if a == 0:
            continue
        l, u = col_lower[j], col_upper[j]
        top, bottom = (a * u, a * l) if a > 0 else (a * l, a * u)
        hi_act += top
        lo_act += bottom
        if math.isinf(top) and worst_hi is None:
            worst_hi = (j, "upper" if a > 0 else "lower")
        if math.isinf(bottom) and worst_lo is None:
            worst_lo = (j, "lower" if a > 0 else "upper")
    rows: list[tuple[dict[int, float], float, float]] = []
    if hi < math.inf:
        big = hi_act - hi
        if worst_hi is not None:
            j, side = worst_hi
            return f"`{col_name(j)}` has no {side} bound"
        if big > 0:
            t = dict(terms)
            if ind.active == 1:
                t[z] = t.get(z, 0.0) + big
                rows.append((t, -math.inf, hi + big))
            else:
                t[z] = t.get(z, 0.0) - big
                rows.append((t, -math.inf, hi))
        else:
            rows.append((dict(terms), -math.inf, hi))
    if lo > -math.inf:
        small = lo - lo_act
        if worst_lo is not None:
            j, side = worst_lo
            return f"`{col_name(j)}` has no {side} bound"
        if small > 0:
            t = dict(terms)
            if ind.active == 1:
                t[z] = t.get(z, 0.0) - small
                rows.append((t, lo - small, math.inf))
            else:
                t[z] = t.get(z, 0.0) + small
                rows.append((t, lo, math.inf))
        else:
            rows.append((dict(terms), lo, math.inf))
    return rows
