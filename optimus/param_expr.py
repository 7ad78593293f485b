"""Computed parameters and math functions over data.

A parameter may be defined by an expression of other parameters and numbers instead of
listing its values: ``forall`` binds one index name per index set, in order, and the
expression is evaluated once per binding (by our interpreter, never ``eval``)::

    - {name: dist, index: [Customers, Sites], forall: "c in Customers, s in Sites",
       expression: "sqrt((cx[c] - sx[s])**2 + (cy[c] - sy[s])**2)"}

The functions :data:`MATH_FUNCS` (``sqrt exp log ceil floor round``, besides ``abs``,
``min`` and ``max``) take numbers only; a domain error (``sqrt(-1)``, ``log(0)``) is an
:class:`~optimus.expressions.EvalError` naming the term, which the checker reports with
the parameter and the key. A ``forall`` filter leaves keys out (they then take the
parameter's ``default``, or are missing). The work is bounded: at most
:data:`~optimus.budget.MAX_TABLE` bindings, every result within
:data:`~optimus.budget.MAX_CONSTANT`.

Parameters may also hold text (``value: M1`` in an entry): a lookup table usable in
filters and conditions, e.g. ``forall: "o in Ops if machine[o] == 'M1'"``.

Example::

    >>> from optimus.formulation import Formulation
    >>> from optimus.checks import analyze
    >>> f = Formulation.model_validate({
    ...     "sets": [{"name": "I", "elements": [1, 2]}],
    ...     "parameters": [{"name": "a", "index": ["I"], "values": [
    ...         {"index": [1], "value": 9}, {"index": [2], "value": 16}]},
    ...         {"name": "r", "index": ["I"], "forall": "i in I", "expression": "sqrt(a[i])"}],
    ...     "variables": [{"name": "x", "index": ["I"]}],
    ...     "objective": {"sense": "minimize", "expression": "sum(r[i] * x[i] for i in I)"}})
    >>> analyze(f).symbols.params["r"][1]
    {(1,): 3.0, (2,): 4.0}
"""

from __future__ import annotations

import ast
import math
from typing import Any, Callable

from optimus.budget import MAX_CONSTANT, MAX_TABLE, check_deadline
from optimus.expressions import (
    MATH_FUNCS, Compiler, EvalError, ExprError, Node, Scope, SymbolTable, _num, _short, parse,
    flat_key, parse_forall,
)
from optimus.issues import Issue

__all__ = ["MATH_FUNCS", "MathFunc", "math_call", "compute_parameters", "is_computed",
           "computed_order"]


def _sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"the square root of the negative number {x:g}")
    return math.sqrt(x)


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"the logarithm of {x:g} (it needs a positive number)")
    return math.log(x)


def _exp(x: float) -> float:
    if x > 709:
        raise ValueError(f"exp({x:g}) is beyond the largest float")
    return math.exp(x)


def _round(x: float, digits: float = 0) -> float:
    if digits != int(digits) or not -20 <= digits <= 20:
        raise ValueError(f"round(..., {digits:g}): the digits must be an integer in [-20, 20]")
    return float(round(x, int(digits)))


def _whole(fn: Callable[[float], int]) -> Callable[[float], float]:
    def call(x: float) -> float:
        return float(fn(x))
    return call


#: name -> (function, allowed argument counts)
FUNCTIONS: dict[str, tuple[Callable[..., float], tuple[int, ...]]] = {
    "sqrt": (_sqrt, (1,)),
    "exp": (_exp, (1,)),
    "log": (_log, (1,)),
    "ceil": (_whole(math.ceil), (1,)),
    "floor": (_whole(math.floor), (1,)),
    "round": (_round, (1, 2)),
}
assert set(FUNCTIONS) == MATH_FUNCS


class MathFunc(Node):
    """``sqrt(e)``, ``exp(e)``, ``log(e)``, ``ceil(e)``, ``floor(e)``, ``round(e[, d])``
    of numbers (degree 0)."""

    def __init__(self, name: str, args: list[Node], src: str):
        self.name, self.args, self.src = name, args, src
        self.fn = FUNCTIONS[name][0]

    def value(self, env: dict[str, Any]) -> Any:
        xs = [_num(a.value(env), a) for a in self.args]
        if any(not math.isfinite(x) for x in xs):
            raise EvalError(f"`{_short(self.src)}`: an argument is not a finite number",
                            code="bad_value", symbol=_short(self.src),
                            fix="Check the data it reads.")
        try:
            v = self.fn(*xs)
        except (ValueError, OverflowError) as exc:
            raise EvalError(f"`{_short(self.src)}` is undefined: {exc}", code="math_domain",
                            symbol=_short(self.src),
                            fix="Check the data it reads, or guard the term (e.g. "
                                "sqrt(max(e, 0)))." ) from None
        if not -MAX_CONSTANT <= v <= MAX_CONSTANT:
            raise EvalError(f"`{_short(self.src)}` is {v}, beyond {MAX_CONSTANT:g}",
                            code="bad_value", symbol=_short(self.src),
                            fix="Use numbers of a sensible scale.")
        return v


def math_call(fn: str, args: list[Node], src: str) -> Node:
    """The node of a math function call (arguments compiled and of degree 0); raises
    :class:`ExprError` for a variable argument or a wrong number of arguments."""
    if any(a.degree for a in args):
        raise ExprError(f"nonlinear term `{src}`: {fn}() of a decision variable",
                        code="nonlinear", symbol=src,
                        fix=f"{fn}() applies to data only (parameters and numbers); compute "
                            f"it in a parameter, or use piecewise(...) for a nonlinear "
                            f"function of a variable.")
    counts = FUNCTIONS[fn][1]
    if len(args) not in counts:
        want = " or ".join(str(c) for c in counts)
        raise ExprError(f"`{src}`: {fn}() takes {want} argument(s), got {len(args)}",
                        code="syntax", symbol=src, fix=f"Write {fn}(e)" +
                        (" or round(e, digits)." if fn == "round" else "."))
    return MathFunc(fn, args, src)



Compiler.math_call = staticmethod(math_call)  # type: ignore[assignment]


# --------------------------------------------------------------------------- parameters
def is_computed(p: Any) -> bool:
    """True for a parameter defined by an ``expression``."""
    return getattr(p, "expression", None) is not None


def _names(text: str | None) -> set[str]:
    if not text:
        return set()
    try:
        tree = parse(text)
    except ExprError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _forall_names(text: str | None) -> set[str]:
    if not text or not text.strip():
        return set()
    try:
        gens = parse_forall(text)
    except ExprError:
        return set()
    return {n.id for g in gens for c in g.ifs for n in ast.walk(c) if isinstance(n, ast.Name)}


def computed_order(params: list[Any]) -> tuple[list[Any], list[str]]:
    """The computed parameters in an order where each comes after those it reads, and
    the names of those caught in a cycle."""
    computed = {p.name: p for p in params if is_computed(p)}
    deps = {name: (_names(p.expression) | _forall_names(p.forall)) & set(computed) - {name}
            for name, p in computed.items()}
    self_ref = [name for name, p in computed.items() if name in _names(p.expression)]
    done: list[Any] = []
    placed: set[str] = set()
    pending = dict(deps)
    while pending:
        ready = [n for n, d in pending.items() if d <= placed]
        if not ready:
            break
        for n in ready:
            done.append(computed[n])
            placed.add(n)
            del pending[n]
    return done, sorted(set(pending) | set(self_ref))


def _binding_sets(compiler: Compiler, forall: str, scope: Scope) -> tuple[Any, list[str]]:
    binder = compiler.binder(parse_forall(forall), scope)
    names: list[str] = []
    for targets, _, _ in binder.levels:
        names.extend(targets)
    return binder, names


def compute_parameters(params: list[Any], sym: SymbolTable, compiler: Compiler,
                       issues: list[Issue]) -> None:
    """Evaluate every computed parameter into ``sym.params`` (in dependency order),
    adding an issue, with its fix, for each that cannot be computed."""
    order, cyclic = computed_order(params)
    for name in cyclic:
        issues.append(Issue("cycle", f"parameter {name}", name,
                            f"computed parameter `{name}` depends on itself (directly or "
                            f"through other computed parameters)",
                            "Define it from data parameters and numbers only."))
    for p in order:
        if p.name in cyclic:
            continue
        table = _compute(p, sym, compiler, issues)
        arity = sum(sym.set_arity.get(s, 1) for s in p.index)
        sym.params[p.name] = (arity, table if table is not None else ({} if p.index else 0.0))


def _compute(p: Any, sym: SymbolTable, compiler: Compiler, issues: list[Issue]) -> Any:
    where = f"parameter {p.name}"

    def issue(code: str, message: str, fix: str, symbol: str | None = None) -> None:
        issues.append(Issue(code, where, symbol or p.name, message, fix))

    given = [k for k in ("value", "values", "data") if getattr(p, k) is not None]
    if given:
        issue("parameter_source", f"parameter `{p.name}` has an `expression` and also "
              f"`{given[0]}`", f"Give either the expression or the {given[0]} of `{p.name}`.")
        return None
    unknown = [s for s in p.index if s not in sym.sets]
    if unknown:
        issue("unknown_set", f"parameter `{p.name}` is indexed by unknown set `{unknown[0]}`",
              f"Declare set `{unknown[0]}` or use a declared set name.", unknown[0])
        return None
    scope = Scope()
    binder = None
    keys_from: list[str] = []
    if p.index:
        hint = ", ".join(f"{s[0].lower()}{k or ''} in {s}" for k, s in enumerate(p.index))
        if not (p.forall and p.forall.strip()):
            issue("missing_forall", f"computed parameter `{p.name}` is indexed by {p.index} "
                  f"but has no `forall` binding its index",
                  f"Add forall: \"{hint}\" (one name per index set, in order).")
            return None
        try:
            binder, keys_from = _binding_sets(compiler, p.forall, scope)
        except ExprError as exc:
            issue(exc.code, f"{exc.message} (in the forall of parameter `{p.name}`)",
                  exc.fix or f"Write forall: \"{hint}\".", exc.symbol)
            return None
        if list(binder.set_names or []) != list(p.index):
            issue("forall_index", f"the forall of computed parameter `{p.name}` iterates "
                  f"{binder.set_names} but its index is {p.index}",
                  f"Bind one name per index set, in the order of `index`: forall: \"{hint}\".")
            return None
        size = 1
        for s in p.index:
            size *= max(len(sym.sets[s]), 1)
        if size > MAX_TABLE:
            issue("too_large", f"computed parameter `{p.name}` would have {size:,} entries; the "
                  f"limit is {MAX_TABLE:,}", "Index it by fewer or smaller sets.")
            return None
    elif p.forall and p.forall.strip():
        issue("forall_index", f"scalar computed parameter `{p.name}` has a forall",
              f"Drop the forall, or give `{p.name}` an index.")
        return None
    try:
        tree = parse(p.expression)
        if isinstance(tree, ast.Compare):
            raise ExprError(f"`{p.expression}` is a comparison, not a value", code="syntax",
                            fix="Write the value, e.g. 'sqrt(a[i]**2 + b[i]**2)'.")
        node = compiler.expression(tree, scope)
        if node.degree:
            raise ExprError(f"`{_short(p.expression)}` uses a decision variable",
                            code="nonlinear", symbol=p.name,
                            fix="A parameter is data: use only parameters, numbers and index "
                                "names (put the relation into a constraint instead).")
    except ExprError as exc:
        issue(exc.code, f"{exc.message} (in the expression of parameter `{p.name}`)",
              exc.fix or "Fix the expression.", exc.symbol)
        return None
    if binder is None:
        try:
            return _checked(node.value({}))
        except EvalError as exc:
            issue(exc.code, f"{exc.message} (computing parameter `{p.name}`)",
                  exc.fix or "Check the data it reads.", exc.symbol)
            return None
    table: dict[tuple, Any] = {}
    errors = 0
    try:
        for count, env in enumerate(binder.iterate({})):
            if not count & 4095:
                check_deadline()
            key = flat_key(env, keys_from)
            try:
                table[key] = _checked(node.value(env))
            except EvalError as exc:
                errors += 1
                if errors <= 3:
                    shown = ", ".join(repr(k) for k in key)
                    issue(exc.code, f"{exc.message} (computing parameter `{p.name}` at "
                          f"[{shown}])", exc.fix or "Check the data it reads.", exc.symbol)
    except EvalError as exc:  # in a forall filter
        issue(exc.code, f"{exc.message} (in the forall of parameter `{p.name}`)",
              exc.fix or "Fix the filter.", exc.symbol)
        return None
    return None if errors else table


def _checked(v: Any) -> Any:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        if v != v:
            raise EvalError("the value is not a number (NaN)", code="bad_value",
                            fix="Check the data it reads.")
        return float(v)
    if isinstance(v, str):
        return v
    raise EvalError(f"the value {v!r} is neither a number nor a text", code="type",
                    fix="Compute a number (or a text) per key.")


