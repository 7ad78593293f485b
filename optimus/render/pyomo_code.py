"""Render a formulation as a standalone Pyomo script that rebuilds and solves it with HiGHS.

The script is the independent check of our own interpreter: it rebuilds the model with
Pyomo's own expressions (``ConcreteModel``, ``Set``, ``Param``, ``Var``, ``Constraint``
rules over the ``forall`` bindings, ``Objective``) and solves it through Pyomo's HiGHS
interface (``SolverFactory("highs")``, falling back to ``"appsi_highs"``; both need
``highspy``).

Expressions are translated by walking the whitelisted tree from
:func:`optimus.expressions.parse` / :func:`~optimus.expressions.parse_forall` and building a
*new* Python tree from it (names -> ``m.name``, bound index names -> local names, set
elements -> literals, ``sum(... for ...)`` -> ``pyo.quicksum(... for ... in m.Set)``),
which :func:`ast.unparse` prints. Source text of the formulation is never pasted into the
script.

Safety: every set, parameter, variable and constraint name must be a plain identifier
(not a keyword, not starting with ``__``, NFKC-normal) or :class:`~optimus.errors.UserError`
is raised, whether or not :func:`optimus.checks.check` was run. Every other string
(descriptions, set elements, the model name, assumptions, data-file paths) is written with
``repr()`` or as a ``#`` comment with all non-printable characters (newlines included)
replaced by spaces, so it cannot escape into code.

Output of the script (a stable format that tests parse)::

    status: optimal                  # one of optimus' status words (Result.status)
    objective: 3600.0                # repr() of a float; "objective: None" without a solution
    make[chairs] = 10.0              # nonzero variables: name[i,j] = repr(float)
    make[tables] = 17.0

Data: ``data="inline"`` (default) writes every set element and parameter value into the
script. ``data="files"`` makes the script read parameters that come from data files
(``Parameter.data``) from the same CSV/JSON files at run time: with ``script_path`` given,
paths are written relative to the script's own folder (``DATA_DIR = Path(__file__)...``);
without it, absolute paths (resolved against the model file's folder) are written.

Example::

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x"}],
    ...     "constraints": [{"name": "cap", "expression": "x <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x"}})
    >>> code = to_pyomo_script(f)
    >>> "m.cap = pyo.Constraint(rule=cap_rule" in code
    True
"""

from __future__ import annotations

import ast
import math
import os
from pathlib import Path
from typing import Any, Iterable

from optimus.checks import is_plain_identifier, name_suggestion
from optimus.errors import FormulationError, UserError
from optimus.expressions import MATH_FUNCS, ExprError, canonical, parse, parse_forall
from optimus.formulation import Formulation

__all__ = ["to_pyomo_script", "write_pyomo_script", "validate_identifier", "comment_text"]

# Attributes of a Pyomo ConcreteModel (dir() in pyomo 6.10) that a component must not shadow.
_PYOMO_BLOCK_ATTRS = frozenset("""
Skip activate active active_blocks active_component_data active_components add_component
all_blocks all_component_data all_components block_data_objects clear clear_suffix_value
clone cname collect_ctypes component component_data_iterindex component_data_objects
component_map component_objects compute_statistics config construct contains_component
create_instance ctype deactivate del_component dim display doc find_component fix_all_vars
get_suffix_value getname id_index_map index index_set is_component_type is_constructed
is_expression_type is_indexed is_logical_type is_named_expression_type is_numeric_type
is_parameter_type is_reference is_variable_type items iteritems iterkeys itervalues keys load
local_name model name nconstraints nobjectives nvariables parent_block parent_component
pprint preprocess private_data reclassify_component_type reconstruct
register_private_data_initializer root_block set_suffix_value set_value solutions
statistics to_dense_data transfer_attributes_from type unfix_all_vars valid_model_component
valid_problem_types values write
""".split())
# Names the rule functions use; bound index names that collide are renamed.
_LOCAL_RESERVED = frozenset({"m", "pyo", "constrain", "constrain_range", "math", "_round"})
_BINOPS = {ast.Add: ast.Add, ast.Sub: ast.Sub, ast.Mult: ast.Mult, ast.Div: ast.Div,
           ast.Pow: ast.Pow}
_CMPOPS = {ast.Eq: ast.Eq, ast.NotEq: ast.NotEq, ast.Lt: ast.Lt, ast.LtE: ast.LtE,
           ast.Gt: ast.Gt, ast.GtE: ast.GtE, ast.In: ast.In, ast.NotIn: ast.NotIn}
_SENSE = {ast.LtE: "<=", ast.Lt: "<=", ast.GtE: ">=", ast.Gt: ">=", ast.Eq: "=="}


# --------------------------------------------------------------------------- safety
def validate_identifier(name: Any, kind: str) -> str:
    """Return ``name`` if it is safe as a Python identifier in generated code, else raise.

    Refused: non-strings, non-identifiers, keywords, names starting with ``__``, the
    expression language's reserved words, and names that Python would NFKC-normalize to
    another spelling.
    """
    if not is_plain_identifier(name):
        raise UserError(
            f"{kind} name {str(name)[:80]!r} is not a plain identifier; it cannot be written "
            f"into generated code.",
            fix=f"Rename it with letters, digits and underscores, starting with a letter "
                f"(e.g. `{name_suggestion(name, kind)}`).")
    return name


def comment_text(text: Any, limit: int = 2000) -> str:
    """``text`` made safe for one ``#`` comment line: non-printable characters -> spaces."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(text))
    s = " ".join(s.split())
    return s if len(s) <= limit else s[:limit] + " ..."


def _lit(value: Any) -> str:
    """A Python literal for a number, string or tuple of them (repr; inf/nan spelled out)."""
    if isinstance(value, bool):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, (int, str)):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(_lit(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    raise UserError(f"cannot write the value {value!r} ({type(value).__name__}) into a script",
                    fix="Set elements are strings, integers or lists of them; values are numbers.")


class _Block(str):
    """Lines of data literals (each made by :func:`_lit`), with a placeholder for checks."""

    placeholder: str


def _block(items: Iterable[str], placeholder: str) -> _Block:
    b = _Block(_wrap_items(items, " " * 8))
    b.placeholder = " " * 8 + placeholder
    return b


def _wrap_items(items: Iterable[str], indent: str, width: int = 96) -> str:
    """Comma-separated items over several lines."""
    lines: list[str] = []
    cur = ""
    for it in items:
        piece = it + ", "
        if cur and len(indent) + len(cur) + len(piece) > width:
            lines.append(indent + cur.rstrip())
            cur = ""
        cur += piece
    if cur:
        lines.append(indent + cur.rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- translation
class _Translator:
    """Builds new Python AST nodes from our whitelisted expression trees."""

    def __init__(self, attrs: dict[str, str], kinds: dict[str, str], scalar_params: set[str],
                 index_sets: dict[str, list[str]], members: dict[str, set]):
        self.attrs = attrs
        self.kinds = kinds
        self.scalar_params = scalar_params
        self.index_sets = index_sets
        self.members = members

    # -- helpers
    @staticmethod
    def _m(attr: str) -> ast.expr:
        return ast.Attribute(value=ast.Name(id="m", ctx=ast.Load()), attr=attr, ctx=ast.Load())

    @staticmethod
    def _pyo(attr: str) -> ast.expr:
        return ast.Attribute(value=ast.Name(id="pyo", ctx=ast.Load()), attr=attr, ctx=ast.Load())

    def _fail(self, node: ast.AST, why: str) -> ExprError:
        try:
            src = ast.unparse(node)
        except Exception:  # pragma: no cover
            src = type(node).__name__
        return ExprError(f"cannot translate `{src[:200]}`: {why}", symbol=src[:200])

    @staticmethod
    def _const(value: Any) -> ast.expr:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ExprError(f"constant {value!r} is not allowed")
        if isinstance(value, (int, float)) and value < 0:
            return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
        return ast.Constant(value=value)

    def _component(self, name: str) -> ast.expr:
        if name not in self.attrs:
            raise ExprError(f"unknown symbol `{name}`", code="unknown_symbol", symbol=name)
        return self._m(self.attrs[name])

    # -- entry points
    def expr(self, node: ast.AST, scope: dict[str, str], *, in_index: bool = False,
             index_set: str | None = None) -> ast.expr:
        """Translate an expression node; ``scope`` maps bound names to local names.

        ``in_index``: the node is one index value of a subscript; ``index_set`` its set
        (literals are matched to the set's elements as our interpreter does).
        """
        if isinstance(node, ast.Constant):
            value = node.value
            if index_set is not None and index_set in self.members:
                value = canonical(value, self.members[index_set])
            return self._const(value)
        if isinstance(node, ast.Name):
            name = node.id
            if name in scope:
                return ast.Name(id=scope[name], ctx=ast.Load())
            kind = self.kinds.get(name)
            if kind == "parameter" and name in self.scalar_params and in_index:
                return ast.Call(func=self._pyo("value"), args=[self._component(name)],
                                keywords=[])
            if kind in ("parameter", "variable"):
                return self._component(name)
            raise self._fail(node, "unknown symbol or a set used as a number")
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name) or self.kinds.get(node.value.id) not in (
                    "parameter", "variable"):
                raise self._fail(node, "only parameters and variables can be indexed")
            name = node.value.id
            sl = node.slice
            parts = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
            sets = self.index_sets.get(name, [])
            targets: list[str | None] = list(sets) if len(sets) == len(parts) else [None] * len(parts)
            new = [self.expr(p, scope, in_index=True, index_set=s) for p, s in zip(parts, targets)]
            slice_node: ast.expr = new[0] if len(new) == 1 else ast.Tuple(elts=new, ctx=ast.Load())
            return ast.Subscript(value=self._component(name), slice=slice_node,
                                 ctx=ast.Load())
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise self._fail(node, "operator not allowed")
            return ast.BinOp(left=self.expr(node.left, scope), op=op(),
                             right=self.expr(node.right, scope))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ast.UnaryOp(op=ast.USub(), operand=self.expr(node.operand, scope))
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, scope)
            if isinstance(node.op, ast.Not):
                return ast.UnaryOp(op=ast.Not(), operand=self.expr(node.operand, scope))
            raise self._fail(node, "operator not allowed")
        if isinstance(node, ast.BoolOp):
            op = ast.And() if isinstance(node.op, ast.And) else ast.Or()
            return ast.BoolOp(op=op, values=[self.expr(v, scope) for v in node.values])
        if isinstance(node, ast.Compare):
            ops, comps = [], []
            for o, r in zip(node.ops, node.comparators):
                op = _CMPOPS.get(type(o))
                if op is None:
                    raise self._fail(node, "comparison not allowed")
                ops.append(op())
                if isinstance(o, (ast.In, ast.NotIn)):
                    if not (isinstance(r, ast.Name) and self.kinds.get(r.id) == "set"):
                        raise self._fail(node, "the right side of `in` must be a set")
                    comps.append(self._component(r.id))
                else:
                    comps.append(self.expr(r, scope))
            return ast.Compare(left=self.expr(node.left, scope), ops=ops, comparators=comps)
        if isinstance(node, ast.Tuple):
            return ast.Tuple(elts=[self.expr(e, scope) for e in node.elts], ctx=ast.Load())
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        raise self._fail(node, f"{type(node).__name__} is not allowed here")

    def _call(self, node: ast.Call, scope: dict[str, str]) -> ast.expr:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise self._fail(node, "only sum, len, min, max and abs can be called")
        fn = node.func.id
        if fn == "sum":
            if len(node.args) != 1:
                raise self._fail(node, "sum takes one generator")
            arg = node.args[0]
            if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
                inner = dict(scope)
                gens = self.comprehensions(arg.generators, inner)
                elt = self.expr(arg.elt, inner)
                gen = ast.GeneratorExp(elt=elt, generators=gens)
                return ast.Call(func=self._pyo("quicksum"), args=[gen], keywords=[])
            if isinstance(arg, (ast.List, ast.Tuple)):
                lst = ast.List(elts=[self.expr(e, scope) for e in arg.elts], ctx=ast.Load())
                return ast.Call(func=self._pyo("quicksum"), args=[lst], keywords=[])
            raise self._fail(node, "sum needs a generator")
        if fn == "len":
            if len(node.args) == 1 and isinstance(node.args[0], ast.Name) \
                    and self.kinds.get(node.args[0].id) == "set":
                return ast.Call(func=ast.Name(id="len", ctx=ast.Load()),
                                args=[self._component(node.args[0].id)], keywords=[])
            raise self._fail(node, "len takes a set name")
        if fn in MATH_FUNCS:  # functions of data: the script's own math module
            args = [ast.Call(func=self._pyo("value"), args=[self.expr(a, scope)], keywords=[])
                    for a in node.args]
            name = {"round": "_round"}.get(fn, fn)
            func: ast.expr = ast.Name(id="_round", ctx=ast.Load()) if fn == "round" else \
                ast.Attribute(value=ast.Name(id="math", ctx=ast.Load()), attr=name, ctx=ast.Load())
            return ast.Call(func=func, args=args, keywords=[])
        if fn == "piecewise":
            x = self.expr(node.args[0], scope)
            lists = [ast.List(elts=[self.expr(e, scope) for e in a.elts], ctx=ast.Load())  # type: ignore[attr-defined]
                     for a in node.args[1:]]
            return ast.Call(func=ast.Name(id="op_piecewise", ctx=ast.Load()), args=[x, *lists],
                            keywords=[])
        if fn in ("min", "max") and len(node.args) == 1 \
                and isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp)):
            gen_node = node.args[0]
            inner = dict(scope)
            gens = self.comprehensions(gen_node.generators, inner)
            elt = self.expr(gen_node.elt, inner)
            lst = ast.ListComp(elt=elt, generators=gens)
            return ast.Call(func=ast.Name(id=f"op_{fn}", ctx=ast.Load()), args=[lst], keywords=[])
        if fn in ("min", "max", "abs") and any(self.has_var(a) for a in node.args):
            args = [self.expr(a, scope) for a in node.args]
            if fn == "abs":
                return ast.Call(func=ast.Name(id="op_abs", ctx=ast.Load()), args=args, keywords=[])
            return ast.Call(func=ast.Name(id=f"op_{fn}", ctx=ast.Load()),
                            args=[ast.List(elts=args, ctx=ast.Load())], keywords=[])
        if fn in ("min", "max", "abs"):
            if not node.args:
                raise self._fail(node, f"{fn} needs arguments")
            args = [self.expr(a, scope) if isinstance(a, ast.Constant) else
                    ast.Call(func=self._pyo("value"), args=[self.expr(a, scope)], keywords=[])
                    for a in node.args]
            return ast.Call(func=ast.Name(id=fn, ctx=ast.Load()), args=args, keywords=[])
        raise self._fail(node, "only sum, len, min, max, abs and piecewise can be called")

    def has_var(self, node: ast.AST) -> bool:
        """True if a decision variable occurs anywhere in ``node``."""
        return any(isinstance(n, ast.Name) and self.kinds.get(n.id) == "variable"
                   for n in ast.walk(node))

    def comprehensions(self, gens: list[ast.comprehension], scope: dict[str, str]) -> list[ast.comprehension]:
        """Translate generators; binds their names in ``scope`` (mutated)."""
        out = []
        for g in gens:
            if not (isinstance(g.iter, ast.Name) and self.kinds.get(g.iter.id) == "set"):
                raise self._fail(g.iter, "iterate over a declared set")
            it = self._component(g.iter.id)
            names = self.targets(g.target)
            for n in names:
                scope[n] = local_name(n, scope)
            if len(names) == 1:
                target: ast.expr = ast.Name(id=scope[names[0]], ctx=ast.Store())
            else:
                target = ast.Tuple(elts=[ast.Name(id=scope[n], ctx=ast.Store()) for n in names],
                                   ctx=ast.Store())
            ifs = [self.expr(c, scope) for c in g.ifs]
            out.append(ast.comprehension(target=target, iter=it, ifs=ifs, is_async=0))
        return out

    @staticmethod
    def targets(t: ast.expr) -> list[str]:
        if isinstance(t, ast.Name):
            return [validate_identifier(t.id, "index")]
        if isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts):
            return [validate_identifier(e.id, "index") for e in t.elts]  # type: ignore[attr-defined]
        raise ExprError("bind a name or a tuple of names", code="syntax")

    def has_free_var(self, node: ast.AST) -> bool:
        """True if a variable occurs outside any sum (so the expression is never a number)."""
        if isinstance(node, ast.Call):
            # sum/len: sums may be empty; min/max/abs/piecewise of variables are variables
            return (isinstance(node.func, ast.Name) and node.func.id in ("min", "max", "abs",
                    "piecewise") and self.has_var(node))
        if isinstance(node, ast.Name):
            return self.kinds.get(node.id) == "variable"
        if isinstance(node, ast.Subscript):
            return isinstance(node.value, ast.Name) and self.kinds.get(node.value.id) == "variable"
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            # a variable times a constant that may be 0 still gives a Pyomo expression
            return self.has_free_var(node.left) or self.has_free_var(node.right)
        return any(self.has_free_var(c) for c in ast.iter_child_nodes(node))


def local_name(name: str, scope: dict[str, str], extra: Iterable[str] = ()) -> str:
    """A local name for bound index ``name`` that avoids the script's own names."""
    taken = (set(scope.values()) - ({scope[name]} if name in scope else set())) | set(extra)
    cand = name
    while cand in _LOCAL_RESERVED or cand in taken:
        cand += "_"
    return cand


def _unparse(node: ast.AST) -> str:
    return ast.unparse(ast.fix_missing_locations(node))


# --------------------------------------------------------------------------- rendering
def _constraint_key(name: str) -> str:
    """The key of a constraint in the attribute map (constraint names may equal symbol
    names: they live in another namespace of the formulation)."""
    return "\0constraint:" + name


def _allocate(names: list[str]) -> dict[str, str]:
    """Pyomo attribute names: the formulation's, unless they clash with Pyomo's own or
    with an earlier component's (``_`` appended until unique, ``X_index`` included)."""
    taken: set[str] = set(_PYOMO_BLOCK_ATTRS) | {"objective"}
    out: dict[str, str] = {}
    for n in names:
        a = n.split(":", 1)[1] if n.startswith("\0constraint:") else n
        while a in taken or f"{a}_index" in taken:
            a += "_"
        taken.update({a, f"{a}_index"})
        out[n] = a
    obj = "objective"
    while obj in set(out.values()) or f"{obj}_index" in set(out.values()):
        obj += "_"
    out["\0objective"] = obj
    return out


def _domain(domain: str, lower: float | None, upper: float | None) -> str:
    lo = None if lower is None or lower == -math.inf else float(lower)
    hi = None if upper is None or upper == math.inf else float(upper)
    if domain == "binary":
        lo = 0.0 if lo is None else max(lo, 0.0)
        hi = 1.0 if hi is None else min(hi, 1.0)
        if (lo, hi) == (0.0, 1.0):
            return "domain=pyo.Binary"
        return f"domain=pyo.Binary, bounds=({_lit(lo)}, {_lit(hi)})"
    if domain in ("semicontinuous", "semiinteger"):  # 0 or [lower, upper]: see SEMICONTINUOUS
        lo = 0.0
    base = "Integers" if domain in ("integer", "semiinteger") else "Reals"
    if lo == 0.0 and hi is None:
        return f"domain=pyo.NonNegative{base}"
    if lo is None and hi is None:
        return f"domain=pyo.{base}"
    return (f"domain=pyo.{base}, bounds=({'None' if lo is None else _lit(lo)}, "
            f"{'None' if hi is None else _lit(hi)})")


def _doc(description: str | None) -> str:
    return f", doc={description!r}" if description else ""


def _comment(lines: list[str], text: str | None, indent: str = "    ", prefix: str = "") -> None:
    if text:
        lines.append(f"{indent}# {prefix}{comment_text(text)}")


def _key_lit(key: tuple) -> str:
    return _lit(key[0]) if len(key) == 1 else _lit(key)


def to_pyomo_script(f: Formulation, *, data: str = "inline",
                    script_path: str | Path | None = None) -> str:
    """A standalone Pyomo script (source text) that rebuilds ``f`` and solves it with HiGHS.

    ``data="inline"`` writes all values into the script; ``data="files"`` reads parameters
    that come from data files at run time (relative to the script's folder when
    ``script_path`` is given, else absolute paths). Raises :class:`UserError` for names
    that are not plain identifiers and :class:`FormulationError` for invalid formulations.
    The script prints ``status: ...``, ``objective: <repr float>`` and nonzero variables.
    """
    if data not in ("inline", "files"):
        raise UserError(f"unknown data mode {data!r}", fix="Use data='inline' or data='files'.")
    # names first: refuse anything that is not a plain identifier, whatever check says
    for kind, items in (("set", f.sets), ("parameter", f.parameters), ("variable", f.variables),
                        ("constraint", f.constraints)):
        for item in items:
            validate_identifier(item.name, kind)
        for item in items:
            for s in getattr(item, "index", []) or []:
                validate_identifier(s, "index set")

    from optimus.checks import analyze

    a = analyze(f)
    if a.issues:
        raise FormulationError(a.issues)
    try:
        return _render(f, a, data, script_path)
    except ExprError as exc:  # analyze accepted it, so this is unexpected: say what failed
        raise UserError(f"cannot write a Pyomo script for this formulation: {exc.message}",
                        fix=exc.fix or "Simplify the expression named above.") from None


def _render(f: Formulation, a: Any, data: str, script_path: str | Path | None) -> str:
    """The script's text for a formulation that passed :func:`optimus.checks.analyze`."""
    sym = a.symbols
    sets = sym.sets

    # one Pyomo attribute per component: a constraint named like a set, parameter or
    # variable gets its own attribute (``S`` and ``S_``), never the same one
    names = [s.name for s in f.sets] + [p.name for p in f.parameters] + \
        [v.name for v in f.variables] + [_constraint_key(c.name) for c in f.constraints]
    attrs = _allocate(names)
    obj_attr = attrs.pop("\0objective")
    kinds = {**{s.name: "set" for s in f.sets}, **{p.name: "parameter" for p in f.parameters},
             **{v.name: "variable" for v in f.variables}}
    scalar_params = {p.name for p in f.parameters if not p.index}
    tr = _Translator(attrs, kinds, scalar_params, sym.index_sets, sym.set_members)

    def idx_args(index: list[str]) -> str:
        return "".join(f"m.{attrs[s]}, " for s in index)

    files = data == "files" and any(_script_reads(p) for p in f.parameters)
    L: list[str] = []
    L.append("#!/usr/bin/env python3")
    L.append('"""Pyomo model generated by optimus: rebuilds the formulation and solves it with HiGHS.')
    L.append("")
    L.append("Run: python this_file.py   (needs pyomo and highspy: pip install pyomo highspy)")
    L.append("Prints `status: <status>`, `objective: <value>` (None without a solution) and")
    L.append("`name[index] = value` for every nonzero variable; with --duals also")
    L.append("`dual name[index] = value`, the shadow price of every constraint (an LP).")
    if files:
        L.append("Parameters marked below are read at run time from data files; relative paths")
        L.append("are resolved against DATA_DIR (this script's folder).")
    L.append('"""')
    L.append(f"# Model: {comment_text(f.name)}")
    if f.description:
        L.append(f"# {comment_text(f.description)}")
    if f.assumptions:
        L.append("# Assumptions:")
        for asm in f.assumptions:
            L.append(f"# - {comment_text(asm)}")
    L.append("")
    L.append("from __future__ import annotations")
    L.append("")
    if files:
        L.append("import csv")
        L.append("import json")
    L.append("import math")
    L.append("import sys")
    if files:
        L.append("from pathlib import Path")
    L.append("")
    L.append("import pyomo.environ as pyo")
    L.append("from pyomo.core.expr.visitor import identify_variables")
    L.append("from pyomo.opt import TerminationCondition")
    L.append("")
    if files:
        L.append("DATA_DIR = Path(__file__).resolve().parent")
    L.append("TOL = 1e-9  # feasibility tolerance of constraints without variables")
    L.append("CONSTANT_VIOLATIONS: list[str] = []")
    L.append(_HELPERS)
    if any(c.when is not None for c in f.constraints):
        L.append(_INDICATOR)
    L.append(_CONSTRUCTS)
    if files:
        L.append(_READER)
    L.append("")
    L.append("def build_model() -> pyo.ConcreteModel:")
    L.append(f"    m = pyo.ConcreteModel(name={f.name!r})")
    L.append("    MODELS.append(m)  # op_max, op_abs, ... add their variables and rows to it")

    # ---- sets
    if f.sets:
        L.append("")
        L.append("    # ---- sets")
    for s in f.sets:
        elems = list(dict.fromkeys(sets[s.name]))
        dimen = sym.set_arity.get(s.name, 1)
        _comment(L, s.description, prefix=f"{s.name}: ")
        tail = f"dimen={dimen}{_doc(s.description)})"
        if elems:
            L.append(f"    m.{attrs[s.name]} = pyo.Set(initialize=[")
            L.append(_block((_lit(e) for e in elems), "0,"))
            L.append(f"    ], {tail}")
        else:
            L.append(f"    m.{attrs[s.name]} = pyo.Set(initialize=[], {tail}")

    # ---- parameters
    if f.parameters:
        L.append("")
        L.append("    # ---- parameters")
    for p in f.parameters:
        _comment(L, p.description, prefix=f"{p.name}: ")
        arity, table = sym.params[p.name]
        if p.expression is not None:  # computed here, with math, from the same tree
            L.extend(_computed_param_code(p, attrs, tr, sym.set_arity, table))
            continue
        within = "pyo.Any" if _has_text(table) else "pyo.Reals"
        from_file = files and _script_reads(p)
        default = f", default={_lit(float(p.default))}" if p.default is not None and p.index else ""
        if not p.index:
            if from_file:
                value = (f"read_table({_path_expr(f, p.data.path, script_path)}, "  # type: ignore[union-attr]
                         f"{p.name!r}, {p.data.column!r}, [], [])")  # type: ignore[union-attr]
            else:
                value = _lit(table if isinstance(table, str) else float(table))
            L.append(f"    m.{attrs[p.name]} = pyo.Param(initialize={value}, within={within}"
                     f"{_doc(p.description)})")
            continue
        if from_file:
            inline = _inline_entries(p, sets, sym.set_members)
            reader = (f"read_table({_path_expr(f, p.data.path, script_path)}, {p.name!r}, "  # type: ignore[union-attr]
                      f"{p.data.column!r}, {list(p.index)!r}, "  # type: ignore[union-attr]
                      f"[{', '.join('m.' + attrs[s] for s in p.index)}])")
            if inline:  # inline entries first; the file's records override them
                L.append(f"    {p.name}_data = {{")
                L.append(_block((f"{_key_lit(k)}: {_lit(v)}" for k, v in inline.items()), "0: 0,"))
                L.append("    }")
                L.append(f"    {p.name}_data.update({reader})")
            else:
                L.append(f"    {p.name}_data = {reader}")
            init = f"{p.name}_data"
        elif table:
            L.append(f"    {p.name}_data = {{")
            L.append(_block((f"{_key_lit(k)}: {_lit(v)}" for k, v in table.items()), "0: 0,"))
            L.append("    }")
            init = f"{p.name}_data"
        else:
            init = "{}"
        L.append(f"    m.{attrs[p.name]} = pyo.Param({idx_args(p.index)}initialize={init}"
                 f"{default}, within={within}{_doc(p.description)})")

    # ---- variables
    L.append("")
    L.append("    # ---- variables")
    for v in f.variables:
        _comment(L, v.description, prefix=f"{v.name}: ")
        L.append(f"    m.{attrs[v.name]} = pyo.Var({idx_args(v.index)}"
                 f"{_domain(v.domain, v.lower, v.upper)}{_doc(v.description)})")

    # ---- constraints
    if f.constraints:
        L.append("")
        L.append("    # ---- constraints")
    for c in f.constraints:
        L.append("")
        _comment(L, c.description, prefix=f"{c.name}: ")
        if c.when is not None:  # an indicator: the same big-M rows as optimus
            L.extend(_indicator_code(c, attrs, tr))
        else:
            L.extend(_constraint_code(c, attrs, tr, sym.set_arity))

    # ---- objective
    L.append("")
    L.append("    # ---- objective")
    lex = f.objective is None
    if lex:  # several objectives: one Expression each, solved by priority in solve_levels
        L.extend(_objectives_code(f, tr, obj_attr))
    else:
        _comment(L, f.objective.description)
        obj_tree = parse(f.objective.expression)
        obj_expr = _unparse(tr.expr(obj_tree, {}))
        sense = "pyo.maximize" if f.objective.sense == "maximize" else "pyo.minimize"
        L.append(f"    m.{obj_attr} = pyo.Objective(expr={obj_expr}, sense={sense})")
    semi = [(attrs[v.name], v.lower) for v in f.variables
            if v.domain in ("semicontinuous", "semiinteger")]
    if semi:
        L.append("    # semi-continuous: 0, or between the lower bound and the upper bound")
        L.append("    for attr, lower in " + repr([(a_, float(lo or 0.0)) for a_, lo in semi]) + ":")
        L.append("        semicontinuous(m, getattr(m, attr), lower)")
    L.append("    finish_constructs(m)")
    L.append("    return m")
    L.append("")
    L.append("")
    var_list = ", ".join(f"({v.name!r}, {attrs[v.name]!r})" for v in f.variables)
    L.append(f"VARIABLES = [{var_list}]  # (formulation name, Pyomo component)")
    con_list = ", ".join(f"({c.name!r}, {attrs[_constraint_key(c.name)]!r})"
                         for c in f.constraints)
    L.append(f"CONSTRAINTS = [{con_list}]  # (formulation name, Pyomo component)")
    L.append(f"OBJECTIVE = {obj_attr!r}")
    if lex:
        L.append(_LEXICOGRAPHIC)
        L.append(_MAIN.replace("    status, objective = solve(m)\n",
                               "    status, objective = solve_levels(m)\n"))
    else:
        L.append(_MAIN)
    # Syntax check only (never executed here). Data blocks are literals built by _lit()
    # and are replaced by a small placeholder so that large tables do not cost seconds.
    skeleton = "\n".join(x.placeholder if isinstance(x, _Block) else x for x in L) + "\n"
    code = "\n".join(L) + "\n"
    try:
        compile(skeleton if len(code) > 200_000 else code, "<optimus pyomo script>", "exec")
    except SyntaxError as exc:
        raise UserError(f"the generated script for {comment_text(f.name, 80)!r} does not "
                        f"compile: {exc.msg} (line {exc.lineno})",
                        fix="Use distinct index names in each forall and plain identifiers.") from None
    return code


def _has_text(table: Any) -> bool:
    """True for a parameter holding texts (a lookup table): Pyomo's ``within=pyo.Any``."""
    if isinstance(table, str):
        return True
    return isinstance(table, dict) and any(isinstance(v, str) for v in table.values())


def _computed_param_code(p: Any, attrs: dict[str, str], tr: _Translator,
                         arity: dict[str, int], table: Any) -> list[str]:
    """A computed parameter: the same expression tree translated to Python with ``math``
    (never eval), evaluated by the script over the same forall."""
    within = "pyo.Any" if _has_text(table) else "pyo.Reals"
    scope: dict[str, str] = {}
    doc = _doc(p.description)
    tree = parse(p.expression)
    if not p.index:
        value = _unparse(ast.Call(func=tr._pyo("value"), args=[tr.expr(tree, scope)],
                                  keywords=[]))
        return [f"    m.{attrs[p.name]} = pyo.Param(initialize={value}, within={within}{doc})"]
    gens = tr.comprehensions(parse_forall(p.forall), scope)
    elts: list[ast.expr] = []
    for g, orig in zip(gens, parse_forall(p.forall)):
        names = tr.targets(orig.target)
        width = arity.get(orig.iter.id, 1)  # type: ignore[attr-defined]
        if len(names) == 1 and width > 1:
            elts.append(ast.Starred(value=ast.Name(id=scope[names[0]], ctx=ast.Load()),
                                    ctx=ast.Load()))
        else:
            elts.extend(ast.Name(id=scope[n], ctx=ast.Load()) for n in names)
    key: ast.expr = elts[0] if len(elts) == 1 and not isinstance(elts[0], ast.Starred) \
        else ast.Tuple(elts=elts, ctx=ast.Load())
    value = ast.Call(func=tr._pyo("value"), args=[tr.expr(tree, scope)], keywords=[])
    comp = ast.DictComp(key=key, value=value, generators=gens)
    default = f", default={_lit(float(p.default))}" if p.default is not None else ""
    sets_txt = "".join(f"m.{attrs[s]}, " for s in p.index)
    return [f"    {p.name}_data = {_unparse(comp)}",
            f"    m.{attrs[p.name]} = pyo.Param({sets_txt}initialize={p.name}_data{default}, "
            f"within={within}{doc})"]


def _objectives_code(f: Formulation, tr: _Translator, obj_attr: str) -> list[str]:
    """Several objectives: ``m.objective_terms`` (one Expression per objective), LEVELS
    (priority order: sense and ``(name, signed weight)`` pairs) and the objective that
    solve_levels re-targets level by level."""
    from optimus.objectives import levels_of

    out = ["    m.objective_terms = {}"]
    for o in f.objectives or []:
        _comment(out, o.description, prefix=f"{o.name}: ")
        expr = _unparse(tr.expr(parse(o.expression), {}))
        out.append(f"    m.objective_terms[{o.name!r}] = {expr}")
    levels = []
    for level in levels_of(f.objectives or []):
        sense = level[0].sense
        pairs = [(o.name, float(o.weight) * (1.0 if o.sense == sense else -1.0)) for o in level]
        levels.append((sense, pairs))
    out.append(f"    m.LEVELS = {levels!r}")
    first_sense, first = levels[0]
    blend = " + ".join(f"{w!r} * m.objective_terms[{n!r}]" for n, w in first)
    sense = "pyo.maximize" if first_sense == "maximize" else "pyo.minimize"
    out.append(f"    m.{obj_attr} = pyo.Objective(expr={blend}, sense={sense})")
    return out


def _indicator_code(c: Any, attrs: dict[str, str], tr: _Translator) -> list[str]:
    """An indicator constraint: its bindings listed as (lhs, sense, rhs, binary) and each
    turned into big-M rows by the script's ``indicator`` helper (bounds -> M per row)."""
    scope: dict[str, str] = {}
    gens = tr.comprehensions(parse_forall(c.forall), scope) if c.forall and c.forall.strip() else []
    tree = parse(c.expression)
    when = parse(c.when)
    z_node, value = when.left, when.comparators[0]  # type: ignore[attr-defined]
    if isinstance(z_node, ast.Constant):
        z_node, value = value, z_node
    sense = _SENSE[type(tree.ops[0])]  # type: ignore[attr-defined]
    item = ast.Tuple(elts=[tr.expr(tree.left, scope), ast.Constant(sense),  # type: ignore[attr-defined]
                           tr.expr(tree.comparators[0], scope), tr.expr(z_node, scope)],  # type: ignore[attr-defined]
                     ctx=ast.Load())
    rows = ast.ListComp(elt=item, generators=gens) if gens else ast.List(elts=[item], ctx=ast.Load())
    attr = attrs[_constraint_key(c.name)]
    return [f"    m.{attr} = pyo.ConstraintList({_doc(c.description).lstrip(', ')})",
            f"    for lhs, sense, rhs, z in {_unparse(rows)}:",
            f"        for row in indicator(lhs, sense, rhs, z, {int(value.value)}):",  # type: ignore[attr-defined]
            f"            m.{attr}.add(row)"]


def _script_reads(p: Any) -> bool:
    """True when the script's own reader handles the parameter's data file (a CSV or
    JSON file with the default columns); anything else is written inline."""
    d = p.data
    return d is not None and Path(d.path).suffix.lower() in (".csv", ".json") \
        and not (d.index_columns or d.key or d.key_column or d.sheet)


def _inline_entries(p: Any, sets: dict, members: dict) -> dict:
    """Canonical keys and values of a parameter's inline ``values`` (file records override)."""
    from optimus.data import _canon_key

    out = {}
    for e in p.values or []:
        k = _canon_key(list(e.index), p.index, sets, members)
        if k is not None:
            out[k] = e.value if isinstance(e.value, str) else float(e.value)
    return out


def _path_expr(f: Formulation, path: str, script_path: str | Path | None) -> str:
    """Code for a data file's path: relative to DATA_DIR, or absolute."""
    p = Path(path)
    if p.is_absolute():
        return f"Path({str(p)!r})"
    full = (f.base_dir / p).resolve()
    if script_path is not None:
        rel = os.path.relpath(full, Path(script_path).resolve().parent)
        return f"DATA_DIR / {Path(rel).as_posix()!r}"
    return f"Path({str(full)!r})"


def _constraint_code(c: Any, attrs: dict[str, str], tr: _Translator,
                     arity: dict[str, int]) -> list[str]:
    """The rule function and Constraint component of one constraint."""
    scope: dict[str, str] = {}
    params: list[str] = []
    unpack: list[str] = []
    index_sets: list[str] = []
    filters: list[ast.expr] = []
    if c.forall and c.forall.strip():
        for g in parse_forall(c.forall):
            if not (isinstance(g.iter, ast.Name) and tr.kinds.get(g.iter.id) == "set"):
                raise UserError(f"constraint {c.name}: forall must iterate over declared sets",
                                fix="Write bindings like 'p in Products'.")
            set_name = g.iter.id
            index_sets.append(set_name)
            names = tr.targets(g.target)
            width = arity.get(set_name, 1)
            for n in names:
                scope[n] = local_name(n, scope, params)
            if len(names) == 1 and width > 1:
                parts = []
                for k in range(width):
                    cand = f"{scope[names[0]]}_{k + 1}"
                    while cand in set(scope.values()) | set(params) | _LOCAL_RESERVED:
                        cand += "_"
                    parts.append(cand)
                params.extend(parts)
                unpack.append(f"        {scope[names[0]]} = ({', '.join(parts)})")
            else:
                params.extend(scope[n] for n in names)
            filters.extend(tr.expr(cond, scope) for cond in g.ifs)
    tree = parse(c.expression)
    if not isinstance(tree, ast.Compare) or not tree.ops:
        raise UserError(f"constraint {c.name} has no comparison", fix="Use <=, >= or ==.")
    ops = [type(o) for o in tree.ops]
    sides = [tree.left, *tree.comparators]
    free = any(tr.has_free_var(s) for s in sides)
    if len(ops) == 1 and ops[0] in _SENSE:
        lhs = tr.expr(tree.left, scope)
        rhs = tr.expr(tree.comparators[0], scope)
        sense = _SENSE[ops[0]]
        if ops[0] in (ast.Lt, ast.Gt):  # integer-valued sides (optimus checked): a margin of 1
            rhs = ast.BinOp(left=rhs, op=ast.Sub() if ops[0] is ast.Lt else ast.Add(),
                            right=ast.Constant(1))
        if free:
            op = {"<=": ast.LtE, ">=": ast.GtE, "==": ast.Eq}[sense]()
            if any(isinstance(n, ast.Name) and tr.kinds.get(n.id) == "variable"
                   for n in ast.walk(tree.comparators[0])):  # `lhs - rhs sense 0`: --duals then
                lhs = ast.BinOp(left=lhs, op=ast.Sub(), right=rhs)  # refer to optimus's
                rhs = ast.Constant(0)  # orientation (d objective / d right-hand side)
            body = _unparse(ast.Compare(left=lhs, ops=[op], comparators=[rhs]))
        else:
            body = f"constrain({_unparse(lhs)}, {sense!r}, {_unparse(rhs)})"
    elif len(ops) == 2 and ops[0] == ops[1] and ops[0] in (ast.LtE, ast.Lt, ast.GtE, ast.Gt):
        a, mid, b = (tr.expr(s, scope) for s in sides)
        lo, hi = (a, b) if ops[0] in (ast.LtE, ast.Lt) else (b, a)
        if ops[0] in (ast.Lt, ast.Gt):  # integer-valued (optimus checked): a margin of 1
            lo = ast.BinOp(left=lo, op=ast.Add(), right=ast.Constant(1))
            hi = ast.BinOp(left=hi, op=ast.Sub(), right=ast.Constant(1))
        fn = "pyo.inequality" if tr.has_free_var(sides[1]) else "constrain_range"
        body = f"{fn}({_unparse(lo)}, {_unparse(mid)}, {_unparse(hi)})"
    else:
        raise UserError(f"constraint {c.name}: use one comparison (<=, >= or ==)",
                        fix="Split chained comparisons into separate constraints.")
    rule = f"{c.name}_rule"
    out = [f"    def {rule}({', '.join(['m', *params])}):"]
    out.extend(unpack)
    if filters:
        cond = filters[0] if len(filters) == 1 else ast.BoolOp(op=ast.And(), values=filters)
        out.append(f"        if not ({_unparse(cond)}):")
        out.append("            return pyo.Constraint.Skip")
    out.append(f"        return {body}")
    sets_txt = "".join(f"m.{attrs[s]}, " for s in index_sets)
    out.append(f"    m.{attrs[_constraint_key(c.name)]} = pyo.Constraint({sets_txt}rule={rule}"
               f"{_doc(c.description)})")
    return out


def write_pyomo_script(f: Formulation, path: str | Path, *, data: str = "inline") -> Path:
    """Write :func:`to_pyomo_script` to ``path`` (data paths relative to its folder)."""
    from optimus.output import write_output

    path = Path(path)
    code = to_pyomo_script(f, data=data, script_path=path)
    write_output(path, code)
    return path


# --------------------------------------------------------------------------- script parts
_HELPERS = '''

def _has_var(e) -> bool:
    return hasattr(e, "is_potentially_variable") and e.is_potentially_variable()


def constrain(lhs, sense, rhs):
    """`lhs sense rhs` as a Pyomo relation; without any variable (e.g. a sum over an empty
    set) Constraint.Feasible or Constraint.Infeasible. Variables on the right move to the
    left (`lhs - rhs sense 0`), so that a dual (--duals) refers to the same orientation as
    optimus's: the objective's change per unit increase of the right-hand side."""
    if _has_var(rhs):
        lhs, rhs = lhs - rhs, 0
    if _has_var(lhs):
        return lhs <= rhs if sense == "<=" else lhs >= rhs if sense == ">=" else lhs == rhs
    diff = pyo.value(lhs) - pyo.value(rhs)
    ok = diff <= TOL if sense == "<=" else diff >= -TOL if sense == ">=" else abs(diff) <= TOL
    if not ok:
        CONSTANT_VIOLATIONS.append(f"{pyo.value(lhs)!r} {sense} {pyo.value(rhs)!r}")
    return pyo.Constraint.Feasible if ok else pyo.Constraint.Infeasible


def _round(x, digits=0):
    """round() as optimus computes it: a float, half to even."""
    return float(round(x, int(digits)))


def constrain_range(lo, body, hi):
    """`lo <= body <= hi`; Feasible/Infeasible when body holds no variable."""
    if _has_var(body):
        return pyo.inequality(lo, body, hi)
    v = pyo.value(body)
    ok = pyo.value(lo) - TOL <= v <= pyo.value(hi) + TOL
    if not ok:
        CONSTANT_VIOLATIONS.append(f"{pyo.value(lo)!r} <= {v!r} <= {pyo.value(hi)!r}")
    return pyo.Constraint.Feasible if ok else pyo.Constraint.Infeasible
'''

_INDICATOR = '''

def indicator(lhs, sense, rhs, z, active):
    """`lhs sense rhs` only when binary z == active, by big-M from the variable bounds
    (per row and side, as optimus compiles it): the rows to add."""
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(lhs - rhs, compute_values=True)
    body = sum(c * v for c, v in zip(repn.linear_coefs, repn.linear_vars))
    const = pyo.value(repn.constant)
    top = bottom = 0.0
    for c, v in zip(repn.linear_coefs, repn.linear_vars):
        lo = -float("inf") if v.lb is None else v.lb
        hi = float("inf") if v.ub is None else v.ub
        top += max(c * lo, c * hi)
        bottom += min(c * lo, c * hi)
    rows = []
    if sense in ("<=", "=="):
        big = top + const
        if big > 0:
            rows.append(body + const <= big * (1 - z) if active else body + const <= big * z)
        else:
            rows.append(body + const <= 0)
    if sense in (">=", "=="):
        small = -(bottom + const)
        if small > 0:
            rows.append(body + const >= -small * (1 - z) if active else body + const >= -small * z)
        else:
            rows.append(body + const >= 0)
    return [r for r in rows if r is not True]
'''

_CONSTRUCTS = '''

# ---- abs, min, max, piecewise of expressions and semi-continuous variables. Each op_*
# returns a new variable t; finish_constructs() then reads, from every row and the
# objective, which way t is pushed: a max/abs pushed down (a convex piecewise pushed
# down, a min or concave piecewise pushed up) gets t >= each argument (no binary);
# anything else the exact form with binaries and big-M from Pyomo's bounds (fbbt).
MODELS: list = []
PENDING: list = []


def _aux_var(lo=None, hi=None, binary=False):
    m = MODELS[-1]
    if not hasattr(m, "_optimus_aux_vars"):
        m._optimus_aux_vars = pyo.VarList()
        m._optimus_aux_rows = pyo.ConstraintList()
    v = m._optimus_aux_vars.add()
    if binary:
        v.domain = pyo.Binary
    v.setlb(None if lo is None or lo == -math.inf else lo)
    v.setub(None if hi is None or hi == math.inf else hi)
    return v


def _row(relation):
    return MODELS[-1]._optimus_aux_rows.add(relation)


def _bounds(e):
    from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr

    lo, hi = compute_bounds_on_expr(e)
    return (-math.inf if lo is None else lo), (math.inf if hi is None else hi)


def op_max(args):
    args = list(args)
    if not any(_has_var(a) for a in args):
        return max(pyo.value(a) for a in args)
    bounds = [_bounds(a) for a in args]
    t = _aux_var(max(b[0] for b in bounds), max(b[1] for b in bounds))
    PENDING.append(("max", t, args, bounds))
    return t


def op_min(args):
    args = list(args)
    if not any(_has_var(a) for a in args):
        return min(pyo.value(a) for a in args)
    return -op_max([-a for a in args])


def op_abs(e):
    if not _has_var(e):
        return abs(pyo.value(e))
    return op_max([e, -e])


def op_piecewise(x, xs, ys):
    xs, ys = [float(pyo.value(v)) for v in xs], [float(pyo.value(v)) for v in ys]
    t = _aux_var(min(ys), max(ys))
    _row(pyo.inequality(xs[0], x, xs[-1]))
    PENDING.append(("piecewise", t, x, (xs, ys)))
    return t


def semicontinuous(m, var, lower):
    for v in var.values():
        on = _aux_var(binary=True)
        _row(v <= v.ub * on)
        _row(v >= lower * on)


def _directions(relation_rows, objective, wanted):
    """For each pending variable: the set of directions (+1 pushed down, -1 up)."""
    from pyomo.repn import generate_standard_repn

    found = {}

    def scan(body, orient):
        repn = generate_standard_repn(body, quadratic=False, compute_values=True)
        for v, c in zip(repn.linear_vars, repn.linear_coefs):
            if id(v) in wanted and c != 0:
                found.setdefault(id(v), set()).add((1 if c > 0 else -1) * orient)

    for con in relation_rows:
        lo, hi = con.has_lb(), con.has_ub()
        scan(con.body, 1 if hi and not lo else -1 if lo and not hi else 0)
    if objective is not None:
        scan(objective.expr, 1 if objective.sense == pyo.minimize else -1)
    return found


def finish_constructs(m):
    """Add the rows of every pending construct, the outermost first."""
    if not PENDING:
        return
    obj = next(iter(m.component_data_objects(pyo.Objective, active=True)), None)
    wanted = {id(p[1]) for p in PENDING}
    found = _directions(list(m.component_data_objects(pyo.Constraint, active=True)), obj, wanted)
    while PENDING:
        kind, t, a, b = PENDING.pop()
        dirs = found.get(id(t), set())
        d = 1 if dirs == {1} else -1 if dirs == {-1} else 0
        before = len(m._optimus_aux_rows)
        if kind == "max":
            for e in a:
                _row(t >= e)
            if d <= 0:
                hi = max(u for _, u in b)
                zs = [_aux_var(binary=True) for _ in a]
                _row(sum(zs) == 1)
                for z, e, (lo, _) in zip(zs, a, b):
                    if not (math.isfinite(hi) and math.isfinite(lo)):
                        raise ValueError("a max/min/abs needs bounded arguments here")
                    _row(t <= e + (hi - lo) * (1 - z))
        else:
            xs, ys = b
            n = len(xs) - 1
            s = [(ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]) for k in range(n)]
            convex = all(s[k] <= s[k + 1] + 1e-9 for k in range(n - 1))
            concave = all(s[k] >= s[k + 1] - 1e-9 for k in range(n - 1))
            lines = [ys[k] + s[k] * (a - xs[k]) for k in range(n)]
            if convex and concave:
                _row(t == lines[0])
            elif convex and d > 0:
                for line in lines:
                    _row(t >= line)
            elif concave and d < 0:
                for line in lines:
                    _row(t <= line)
            else:  # convex combination of two neighbouring breakpoints, one binary a segment
                lam = [_aux_var(0, 1) for _ in xs]
                zs = [_aux_var(binary=True) for _ in range(n)]
                _row(sum(lam) == 1)
                _row(sum(zs) == 1)
                _row(a == sum(l * x for l, x in zip(lam, xs)))
                _row(t == sum(l * y for l, y in zip(lam, ys)))
                for k in range(n + 1):
                    _row(lam[k] <= (zs[k - 1] if k > 0 else 0) + (zs[k] if k < n else 0))
        new = [m._optimus_aux_rows[i] for i in range(before + 1, len(m._optimus_aux_rows) + 1)]
        for key, dirs in _directions(new, None, {id(p[1]) for p in PENDING}).items():
            found.setdefault(key, set()).update(dirs)
'''

_READER = '''

def _canonical(value, members):
    """Match a value read from a file to a set element ("3" -> 3 when the set holds ints)."""
    if value in members:
        return value
    if isinstance(value, str):
        try:
            if int(value) in members:
                return int(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)):
        if float(value).is_integer() and int(value) in members:
            return int(value)
        if str(value) in members:
            return str(value)
    return value


def _num_or_str(s):
    try:
        return int(s)
    except ValueError:
        return s


def read_table(path, name, column, index, sets):
    """Read a parameter from a CSV or JSON file: {key: value}, or a float for a scalar.

    CSV: one column per index set (named like the set, else the first columns in order)
    and a value column (`column`, else the parameter's name, else the last column).
    JSON: a list of {"index": [...], "value": v} records, or an object whose key
    (`column`, else the parameter's name) holds such a list or a scalar.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header = [h.strip() for h in rows[0]]
        col = column or (name if name in header else header[-1])
        vi = header.index(col)
        idx_cols = [header.index(n) if n in header else i for i, n in enumerate(index)]
        records = [([_num_or_str(row[i].strip()) for i in idx_cols], float(row[vi]))
                   for row in rows[1:] if any(c.strip() for c in row)]
    else:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict):
            doc = doc[column or name]
        if isinstance(doc, (int, float)):
            return float(doc)
        records = [(r["index"] if isinstance(r["index"], list) else [r["index"]],
                    float(r["value"])) for r in doc]
    table = {}
    for raw, value in records:
        key, pos = [], 0
        for s in sets:
            if s.dimen == 1:
                v = raw[pos]
                if isinstance(v, list) and len(v) == 1:
                    v = v[0]
                key.append(_canonical(v, s))
                pos += 1
            elif isinstance(raw[pos], list):
                key.extend(raw[pos])
                pos += 1
            else:
                key.extend(raw[pos:pos + s.dimen])
                pos += s.dimen
        if pos != len(raw):
            raise ValueError(f"{path}: index {raw!r} of {name} does not fit its sets")
        table[key[0] if len(key) == 1 else tuple(key)] = value
    return table
'''

_LEXICOGRAPHIC = '''

def solve_levels(m):
    """Several objectives, lexicographically (as optimus does): solve each priority level
    in turn, holding every earlier level at its optimum with one constraint. Returns the
    status and the first level's value; prints each objective's value."""
    obj = getattr(m, OBJECTIVE)
    m.kept = pyo.ConstraintList()
    status, first = "optimal", None
    for k, (sense, pairs) in enumerate(m.LEVELS):
        expr = sum(w * m.objective_terms[name] for name, w in pairs)
        obj.set_value(expr)
        obj.sense = pyo.maximize if sense == "maximize" else pyo.minimize
        status, value = solve(m)
        if value is None:
            return status, None
        first = value if k == 0 else first
        m.kept.add(expr >= value if sense == "maximize" else expr <= value)
    for name, term in m.objective_terms.items():
        print(f"objective {name} = {float(pyo.value(term))!r}")
    sense, pairs = m.LEVELS[0]
    return status, float(pyo.value(sum(w * m.objective_terms[n] for n, w in pairs)))
'''

_MAIN = '''

def _status(results, has_solution: bool) -> str:
    tc = results.solver.termination_condition
    if tc == TerminationCondition.optimal:
        return "optimal"
    if tc == TerminationCondition.infeasible:
        return "infeasible"
    if tc == TerminationCondition.unbounded:
        return "unbounded"
    if tc == TerminationCondition.infeasibleOrUnbounded:
        return "infeasible_or_unbounded"
    if tc in (TerminationCondition.maxTimeLimit, TerminationCondition.maxIterations):
        return "time_limit_feasible" if has_solution else "time_limit_no_solution"
    if tc == TerminationCondition.error:
        return "error"
    return "unknown"


def _uses_variables(m) -> bool:
    for c in m.component_data_objects(pyo.Constraint, active=True):
        for _ in identify_variables(c.body):
            return True
    for o in m.component_data_objects(pyo.Objective, active=True):
        for _ in identify_variables(o.expr):
            return True
    return False


def solve(m):
    """Solve with HiGHS through Pyomo; returns (status, objective or None)."""
    obj = getattr(m, OBJECTIVE)
    if not _uses_variables(m):  # nothing for a solver to do
        if CONSTANT_VIOLATIONS:
            return "infeasible", None
        return "optimal", float(pyo.value(obj))
    solver = pyo.SolverFactory("highs")
    if not solver.available(exception_flag=False):
        solver = pyo.SolverFactory("appsi_highs")
    results = solver.solve(m, load_solutions=False)
    has_solution = len(getattr(results, "solution", [])) > 0
    status = _status(results, has_solution)
    if has_solution and status in ("optimal", "time_limit_feasible", "unknown"):
        m.solutions.load_from(results)
        return status, float(pyo.value(obj))
    return status, None


def _label(name, index) -> str:
    if index is None:
        return name
    parts = index if isinstance(index, tuple) else (index,)
    # an element with newlines or other control characters is shown as its repr
    return name + "[" + ",".join(str(p) if str(p).isprintable() else repr(p)
                                 for p in parts) + "]"


def print_duals(m) -> None:
    """With --duals: the shadow price of every constraint (the objective's change per unit
    increase of its right-hand side), read through Pyomo's dual suffix. A MIP has none."""
    if getattr(m, "dual", None) is None or not len(m.dual):
        print("duals: none (a MIP has none, and so has a model without a solution)")
        return
    for name, attr in CONSTRAINTS:
        for index, con in getattr(m, attr).items():
            if con in m.dual:
                print(f"dual {_label(name, index)} = {float(m.dual[con])!r}")


def main() -> int:
    m = build_model()
    duals = "--duals" in sys.argv[1:]
    if duals and all(v.is_continuous() for v in m.component_data_objects(pyo.Var)):
        m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    status, objective = solve(m)
    print(f"status: {status}")
    print(f"objective: {objective!r}")
    if objective is not None:
        for name, attr in VARIABLES:
            for index, var in getattr(m, attr).items():
                if var.value is not None and abs(var.value) > 1e-9:
                    print(f"{_label(name, index)} = {float(var.value)!r}")
        if duals:
            print_duals(m)
    return 0


if __name__ == "__main__":
    sys.exit(main())'''
