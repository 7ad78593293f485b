"""Vectorized evaluation of the commonest large sums.

``sum(cost[i, j] * x[i, j] for i in I for j in J)``, ``sum(x[i, j] for j in J)`` inside a
``forall i in I``, ``sum(w[p] * y[p, t] for p in P)``: when every index of the variable
(and of the coefficient parameter) is a name bound to the very set the variable or
parameter is declared over, the columns form a regular grid (analyze numbers a
variable's columns in the order of the product of its sets) and the coefficients a dense
array. Such a sum is evaluated with numpy in a few calls instead of term by term.

The plan is an optimization only: it applies under conditions checked when the
expression is compiled, declines at run time (returning ``False`` before touching the
accumulator) whenever a value is missing or an outer index is not where it expects, and
the general interpreter then does the work and reports any error exactly as before.
"""

from __future__ import annotations

import math
from operator import itemgetter
from typing import Any

import numpy as np

from optimus.columns import GridColumns
from optimus.tables import ArrayTable
from optimus.expressions import (
    Binder, Bound, Const, LinExpr, Mul, Node, ParamRef, ScalarParam, SymbolTable, VarRef,
)

_MIN_TERMS = 24  # below this, numpy's per-call overhead costs more than it saves


def plan_sum(sym: SymbolTable, body: Node, binder: Binder) -> "DenseSum | None":
    """A vectorized plan for ``sum(body for ...)``, or None when it does not apply."""
    set_names = binder.set_names
    if not set_names or len(set_names) != len(binder.levels):
        return None
    axes: list[str] = []
    for (targets, _elements, ifs), set_name in zip(binder.levels, set_names):
        if len(targets) != 1 or ifs or set_name not in sym.sets \
                or sym.set_arity.get(set_name, 1) != 1:
            return None
        axes.append(targets[0])
    if len(set(axes)) != len(axes):
        return None
    sizes = [len(sym.sets[s]) for s in set_names]
    if math.prod(sizes) < _MIN_TERMS:
        return None

    coef: Node | None
    if type(body) is VarRef:
        coef, var = None, body
    elif type(body) is Mul and type(body.b) is VarRef and body.a.degree == 0:
        coef, var = body.a, body.b
    elif type(body) is Mul and type(body.a) is VarRef and body.b.degree == 0:
        coef, var = body.b, body.a
    else:
        return None
    var_parts = _parts(sym, var.name, var.idx, axes)
    if var_parts is None:
        return None
    coef_parts = None
    if type(coef) is ParamRef:
        coef_parts = _parts(sym, coef.name, coef.idx, axes)
        if coef_parts is None:
            return None
    elif type(coef) is Const:
        if isinstance(coef.v, bool) or not isinstance(coef.v, (int, float)):
            return None
    elif coef is not None and type(coef) is not ScalarParam:
        return None
    return DenseSum(sym, sizes, var, var_parts, coef, coef_parts)


Part = tuple[int, "str | None", str]  # (axis or -1, outer index name or None, set name)


def _parts(sym: SymbolTable, name: str, idx: list[Node], axes: list[str]) -> list[Part] | None:
    """Where each index of ``name[...]`` comes from: an axis of the sum or an outer name.
    None unless every index is a name bound to the set declared at that position."""
    declared = sym.index_sets.get(name)
    if declared is None or len(declared) != len(idx):
        return None
    parts: list[Part] = []
    for node, set_name in zip(idx, declared):
        if type(node) is not Bound or node.set_name != set_name or set_name not in sym.sets \
                or sym.set_arity.get(set_name, 1) != 1:
            return None
        if node.name in axes:
            parts.append((axes.index(node.name), None, set_name))
        else:
            parts.append((-1, node.name, set_name))
    return parts


def _positions(sym: SymbolTable, set_name: str) -> dict[Any, int]:
    key = ("positions", set_name)
    pos = sym.cache.get(key)
    if pos is None:
        pos = {e: i for i, e in enumerate(sym.sets[set_name])}
        sym.cache[key] = pos
    return pos


def _var_layout(sym: SymbolTable, name: str) -> tuple[int, list[int]] | None:
    """``(first column, strides)`` when the variable's columns are the row-major product
    of its index sets (as analyze numbers them), else None."""
    key = ("var", name)
    if key in sym.cache:
        return sym.cache[key]
    layout = None
    _, colmap = sym.variables[name]
    if isinstance(colmap, GridColumns):  # numbered row-major by construction
        sym.cache[key] = layout = (colmap.base, colmap.strides)
        return layout
    sets = [sym.sets[s] for s in sym.index_sets[name]]
    sizes = [len(s) for s in sets]
    n = math.prod(sizes)
    if n and len(colmap) == n:
        base = colmap.get(tuple(s[0] for s in sets))
        last = colmap.get(tuple(s[-1] for s in sets))
        if base is not None and last == base + n - 1:
            strides = [math.prod(sizes[k + 1:]) for k in range(len(sizes))]
            layout = (base, strides)
    sym.cache[key] = layout
    return layout


def _dense_param(sym: SymbolTable, p: ParamRef) -> np.ndarray | None:
    """The parameter's table as an array over its index sets (missing entries: its
    default, else NaN so that the plan declines and the interpreter reports them)."""
    key = ("param", p.name)
    if key in sym.cache:
        return sym.cache[key]
    declared = sym.index_sets[p.name]
    shape = tuple(len(sym.sets[s]) for s in declared)
    fill = np.nan if p.default is None else float(p.default)
    if isinstance(p.table, ArrayTable) and p.table.set_names == list(declared) \
            and p.table.array.shape == shape:  # read from a file as an array already
        arr = p.table.array
        dense_arr = arr if p.default is None else np.where(np.isnan(arr), fill, arr)
        sym.cache[key] = dense_arr
        return dense_arr
    dense: np.ndarray | None = np.full(shape, fill, dtype=np.float64)
    table = p.table if isinstance(p.table, dict) else {}
    if table:
        try:
            keys = list(table)
            index = tuple(
                np.fromiter(map(pos.__getitem__, map(itemgetter(d), keys)), dtype=np.intp,
                            count=len(keys))
                for d, pos in enumerate(_positions(sym, s) for s in declared))
            dense[index] = np.fromiter(table.values(), dtype=np.float64, count=len(table))
        except (KeyError, IndexError, TypeError):
            dense = None
    sym.cache[key] = dense
    return dense


class DenseSum:
    """A compiled vectorized sum; :meth:`add_to` returns False to decline."""

    def __init__(self, sym: SymbolTable, sizes: list[int], var: VarRef, var_parts: list[Part],
                 coef: Node | None, coef_parts: list[Part] | None):
        self.sym, self.var, self.coef = sym, var, coef
        self.var_parts, self.coef_parts = var_parts, coef_parts
        self.shape = tuple(sizes)
        k = len(sizes)
        self.grids = [np.arange(n).reshape([n if a == b else 1 for b in range(k)])
                      for a, n in enumerate(sizes)]
        # every axis indexes the variable exactly once: the columns are distinct
        self.distinct = sorted(a for a, _, _ in var_parts if a >= 0) == list(range(k))
        # the coefficient's axes in the sum's order, each once: a row reads a slice (a view)
        self._coef_sliced = coef_parts is not None and \
            [a for a, _, _ in coef_parts if a >= 0] == list(range(k))
        self._inner: tuple[tuple, np.ndarray] | None = None  # (strides, columns less the base)

    def _columns(self, base: int, strides: list[int], env: dict) -> np.ndarray | None:
        """The sum's columns for ``env``: the part the sum's own axes vary, computed once,
        plus the offset of the outer indices; None to decline."""
        key = tuple(strides)
        if self._inner is None or self._inner[0] != key:
            inner: Any = 0
            for (axis, _, _), stride in zip(self.var_parts, strides):
                if axis >= 0:
                    inner = inner + self.grids[axis] * stride
            self._inner = (key, np.broadcast_to(np.asarray(inner, dtype=np.intp),
                                                self.shape).ravel())
        offset = base
        sym = self.sym
        for (axis, outer, set_name), stride in zip(self.var_parts, strides):
            if axis < 0:
                p = _positions(sym, set_name).get(env.get(outer))  # type: ignore[arg-type]
                if p is None:
                    return None
                offset += p * stride
        return self._inner[1] + offset

    def _coef_index(self, env: dict) -> Any:
        """The index of the coefficient array for ``env``: a slice for each of the sum's
        axes when they run in order (a view), else the axis grids; None to decline."""
        out: list[Any] = []
        for axis, outer, set_name in self.coef_parts or []:
            if axis >= 0:
                out.append(slice(None) if self._coef_sliced else self.grids[axis])
            else:
                p = _positions(self.sym, set_name).get(env.get(outer))  # type: ignore[arg-type]
                if p is None:
                    return None
                out.append(p)
        return tuple(out)

    def add_to(self, env: dict, acc: LinExpr, factor: float) -> bool:
        layout = _var_layout(self.sym, self.var.name)
        if layout is None:
            return False
        base, strides = layout
        cols = self._columns(base, strides, env)
        if cols is None:
            return False
        coef = self.coef
        if coef is None or type(coef) is not ParamRef:
            c = 1.0 if coef is None else float(coef.value(env))
            if c == 0:
                return True  # every term is dropped, as Mul.add_to does
            vals = np.full(cols.shape, factor * c)
        else:
            dense = _dense_param(self.sym, coef)
            if dense is None:
                return False
            index = self._coef_index(env)
            if index is None:
                return False
            g = np.broadcast_to(dense[index], self.shape).ravel()
            if np.isnan(g).any():
                return False  # a missing value: the interpreter names it
            keep = g != 0
            if not keep.all():
                cols, g = cols[keep], g[keep]
            vals = factor * g
        if self.distinct and acc.block is None and not acc.terms:
            acc.block = (cols, vals)  # kept as arrays; see LinExpr
            return True
        t = acc.terms if acc.block is None else acc.flush()
        col_list, val_list = cols.tolist(), vals.tolist()
        if not t and self.distinct:
            t.update(zip(col_list, val_list))
        else:
            get = t.get
            for col, v in zip(col_list, val_list):
                t[col] = get(col, 0.0) + v
        return True
