"""The expression language: a whitelisted subset of Python syntax, interpreted by us.

Expressions are parsed with :mod:`ast` and every node is checked against a whitelist;
nothing is ever passed to ``eval`` or ``exec``. Allowed:

* numbers, names, strings (only as set elements: ``cost["A", j]``, ``if p != "B"``);
* subscripts ``x[p]``, ``cost[i, j]``, with integer arithmetic on index names
  (``inv[t - 1]``);
* ``+ - * /``, unary minus, ``**`` between constants;
* ``sum(... for i in I for j in J if ...)``, ``len(S)``, and ``min``/``max``/``abs`` of
  constants (``max(cost[i] for i in I)`` too);
* ``abs(e)``, ``min(e1, e2, ...)``, ``max(e for i in I)`` and ``piecewise(e, [x0, ...],
  [y0, ...])`` of linear expressions, compiled by :mod:`optimus.constructs`;
* in filters: comparisons (``== != < <= > >= in not in``), ``and``, ``or``, ``not``;
* at the top of a constraint, one comparison ``<=``, ``>=`` or ``==`` (or a range
  ``lo <= expr <= hi``); strict ``<``/``>`` between integer-valued expressions (the
  builder makes them ``<= rhs - 1``).

Linearity is enforced: a product of two variable expressions, division by a variable, a
variable in an index or in a filter raise
:class:`ExprError` naming the offending term.

Compilation turns the tree into small node objects once; evaluation adds terms straight
into a :class:`LinExpr` accumulator, so large sums do not allocate per term.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any, Callable, Iterator

from optimus.budget import (
    MAX_COEFFICIENT, MAX_CONSTANT, MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH, MAX_INT_DIGITS,
)
from optimus.columns import GridColumns, lookup

RESERVED = {"sum", "len", "min", "max", "abs", "piecewise", "in", "for", "if", "and", "or", "not"}
#: math functions over data (numbers and parameters only): see optimus.param_expr
MATH_FUNCS = {"sqrt", "exp", "log", "ceil", "floor", "round"}
_FUNCS = {"sum", "len", "min", "max", "abs", "piecewise"} | MATH_FUNCS
_MAX_LEN = MAX_EXPRESSION_CHARS


_QUADRATIC_FIX = ("Constraints are linear: multiply variables only by numbers or parameters; "
                  "for a nonlinear function of one expression use piecewise(x, [x0, x1, ...], "
                  "[y0, y1, ...]); for a logical condition use `when:` on the constraint; a "
                  "convex quadratic (sum of squares, variance) is allowed in the objective only.")


class ExprError(Exception):
    """An expression is invalid. ``code`` classifies it; ``symbol`` names the culprit."""

    def __init__(self, message: str, *, code: str = "syntax", symbol: str | None = None,
                 fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.symbol = symbol
        self.fix = fix


class EvalError(ExprError):
    """Raised while evaluating for concrete index values (missing data, bad index)."""


# --------------------------------------------------------------------------- LinExpr
class LinExpr:
    """A linear expression: ``sum(terms[col] * x_col) + const``.

    A vectorized sum (:mod:`optimus.dense`) that lands in an empty expression may leave
    its terms as numpy arrays in ``block`` (``(columns, coefficients)``, distinct columns)
    instead of filling ``terms``; then ``terms`` is empty. Code that adds terms calls
    :meth:`flush` first when ``block`` is set; readers use :meth:`arrays` (or
    :meth:`flush`).
    """

    __slots__ = ("terms", "const", "block", "quad")

    def __init__(self) -> None:
        self.terms: dict[int, float] = {}
        self.const: float = 0.0
        self.block: tuple[Any, Any] | None = None
        #: quadratic terms ``{(i, j): q}`` (i <= j) of an objective (optimus.quadratic)
        self.quad: dict[tuple[int, int], float] | None = None

    def flush(self) -> dict[int, float]:
        """Move a pending ``block`` into ``terms`` (as if added term by term); the terms."""
        if self.block is not None:
            cols, vals = self.block
            self.block = None
            self.terms.update(zip(cols.tolist(), vals.tolist()))
        return self.terms

    def arrays(self) -> tuple[Any, Any]:
        """The terms as numpy arrays ``(columns as intp, coefficients as float64)``, in the
        order they were first added."""
        import numpy as np

        if self.block is not None:
            cols, vals = self.block
            return np.asarray(cols, dtype=np.intp), np.asarray(vals, dtype=np.float64)
        n = len(self.terms)
        return (np.fromiter(self.terms.keys(), dtype=np.intp, count=n),
                np.fromiter(self.terms.values(), dtype=np.float64, count=n))


# --------------------------------------------------------------------------- symbols
@dataclass
class SymbolTable:
    """What names mean while compiling. Filled from a Formulation by the builder."""

    sets: dict[str, list[Any]] = field(default_factory=dict)  # canonical elements
    set_members: dict[str, set] = field(default_factory=dict)
    params: dict[str, tuple[int, Any]] = field(default_factory=dict)  # name -> (arity, data)
    param_defaults: dict[str, float | None] = field(default_factory=dict)
    variables: dict[str, tuple[int, Any]] = field(default_factory=dict)  # name -> (arity, colmap)
    set_arity: dict[str, int] = field(default_factory=dict)  # width of an element
    index_sets: dict[str, list[str]] = field(default_factory=dict)  # param/var -> its sets
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # derived data (dense.py)

    def kind(self, name: str) -> str | None:
        if name in self.variables:
            return "variable"
        if name in self.params:
            return "parameter"
        if name in self.sets:
            return "set"
        return None

    def all_names(self) -> list[str]:
        return list(self.variables) + list(self.params) + list(self.sets)


def flat_key(env: dict[str, Any], names: list[str]) -> tuple:
    """The key of the binding ``env`` over ``names``, tuples (pairs) flattened.

    >>> flat_key({"i": ("a", "b"), "t": 3}, ["i", "t"])
    ('a', 'b', 3)
    """
    out: list[Any] = []
    for n in names:
        v = env[n]
        if isinstance(v, tuple):
            out.extend(v)
        else:
            out.append(v)
    return tuple(out)


def suggest(name: str, candidates: list[str]) -> str | None:
    """The closest defined name, for 'did you mean' messages."""
    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered:
        return lowered[name.lower()]
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        match = [lowered[m] for m in match]
    return match[0] if match else None


def _src(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of our own whitelisted nodes
        return type(node).__name__


def _short(text: str, limit: int = 120) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[:limit - 5] + " ..."


# --------------------------------------------------------------------------- parsing
def parse(text: str) -> ast.expr:
    """Parse ``text`` to an AST expression and check every node against the whitelist."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("empty expression", fix="Write an expression such as '3*x + 2*y'.")
    if len(text) > _MAX_LEN:
        raise ExprError(f"expression of {len(text):,} characters; the limit is {_MAX_LEN:,}",
                        code="too_large",
                        fix="Move data into parameters and use sum(...) over sets.")
    tree = _ast_parse(_normalize(text), text)
    body = _balance(tree.body)
    _check_depth(body)
    _whitelist(body, text)
    return body


_STRING_OR_CODE = re.compile(r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|([^'"]+|['"])""")


def _normalize_code(code: str) -> str:
    code = re.sub(r"\s+", " ", code.replace("\\n", " "))
    code = code.replace("≤", "<=").replace("≥", ">=").replace("−", "-").replace("×", "*")
    return re.sub(r"(?<![<>=!])=(?!=)", "==", code)  # a lone '=' means equality


def _normalize(text: str) -> str:
    """One line of Python: whitespace runs (newlines too) become one space, ``≤ ≥ − ×``
    and a lone ``=`` their Python spelling, all outside string literals, which are kept
    exactly (``x['a  b']`` names the element ``'a  b'``)."""
    out = []
    for m in _STRING_OR_CODE.finditer(text):
        out.append(m.group(1) if m.group(1) is not None else _normalize_code(m.group(2)))
    return "".join(out).strip()


_PARSE_LOCK = threading.Lock()
#: chains of ``+ -`` (or ``*``) longer than this are rebalanced into a tree of depth log n
_CHAIN = 8


def _ast_parse(src: str, text: str, mode: str = "eval") -> ast.Expression:
    """``ast.parse`` with every failure as an :class:`ExprError`: syntax, nesting too deep
    for the parser, integer literals over Python's digit limit. A long flat sum (10,000
    terms fit in the length limit) needs more recursion than Python allows by default
    while the tree is built, so the limit is raised for long texts, under a lock."""
    try:
        if len(src) < 1_500:
            return ast.parse(src, mode=mode)
        with _PARSE_LOCK:
            old = sys.getrecursionlimit()
            sys.setrecursionlimit(max(old, 4 * len(src) + 1_000))
            try:
                return ast.parse(src, mode=mode)
            finally:
                sys.setrecursionlimit(old)
    except SyntaxError as exc:
        msg = exc.msg
        if "too many nested" in msg:
            raise _too_deep(text) from None
        raise ExprError(f"cannot parse {_short(text)!r}: {msg}",
                        fix="Use Python syntax: x[p], cost[i, j], sum(... for p in P).") from None
    except (RecursionError, MemoryError):
        raise _too_deep(text) from None
    except ValueError as exc:  # an integer literal over Python's digit limit
        raise ExprError(f"cannot parse {_short(text)!r}: {exc}", code="too_large",
                        fix=f"Write numbers with at most {MAX_INT_DIGITS} digits "
                            f"(use a parameter or scientific notation).") from None


def _too_deep(text: str) -> ExprError:
    return ExprError(f"expression {_short(text, 60)!r} nests deeper than the limit of "
                     f"{MAX_EXPRESSION_DEPTH} levels", code="too_large",
                     fix="Write it flat (a sum of terms, sum(... for i in S)) instead of "
                         "nesting parentheses or operators.")


def _chain(node: ast.expr, ops: tuple[type, ...]) -> list[tuple[bool, ast.expr]] | None:
    """The operands of a left-leaning chain ``a + b - c ...`` (``(negated, operand)``,
    the first never negated), when longer than :data:`_CHAIN`; else None."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ops)):
        return None
    items: list[tuple[bool, ast.expr]] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
        items.append((isinstance(node.op, ast.Sub), node.right))
        node = node.left
    if len(items) < _CHAIN:
        return None
    items.append((False, node))
    items.reverse()
    return items


def _balanced(items: list[tuple[bool, ast.expr]], mult: bool) -> ast.expr:
    """A tree of depth log n for a chain from :func:`_chain` (same value: the signs of a
    right half that starts with a minus are flipped and the halves subtracted)."""
    if len(items) == 1:
        return items[0][1]
    mid = len(items) // 2
    left, right = items[:mid], items[mid:]
    if mult:
        op: ast.operator = ast.Mult()
    elif right[0][0]:
        op = ast.Sub()
        right = [(not neg, e) for neg, e in right]
    else:
        op = ast.Add()
    node = ast.BinOp(left=_balanced(left, mult), op=op, right=_balanced(right, mult))
    return ast.copy_location(node, items[0][1])


def _rebalance(node: ast.AST) -> ast.AST:
    if not isinstance(node, ast.BinOp):
        return node
    items = _chain(node, (ast.Add, ast.Sub))
    if items is not None:
        return _balanced(items, mult=False)
    items = _chain(node, (ast.Mult,))
    if items is not None:
        return _balanced(items, mult=True)
    return node


def _balance(root: ast.expr) -> ast.expr:
    """Rebalance every long ``+ -`` and ``*`` chain of the tree (iteratively), so that a
    sum of 10,000 terms is as shallow as one of 15 and no recursive walk over it (the
    compiler, the renderers) runs out of stack."""
    root = _rebalance(root)  # type: ignore[assignment]
    stack: list[ast.AST] = [root]
    while stack:
        node = stack.pop()
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                new = _rebalance(value)
                if new is not value:
                    setattr(node, name, new)
                stack.append(new)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        new = _rebalance(item)
                        value[i] = new
                        stack.append(new)
    return root


def _check_depth(root: ast.AST) -> None:
    """Refuse a tree nested deeper than :data:`MAX_EXPRESSION_DEPTH` (walked iteratively)."""
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            raise ExprError(f"expression nests {depth} levels deep or more; the limit is "
                            f"{MAX_EXPRESSION_DEPTH}", code="too_large",
                            fix="Write it flat (a sum of terms, sum(... for i in S)) instead "
                                "of nesting parentheses or operators.")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.expr, ast.comprehension)):
                stack.append((child, depth + 1))


_ALLOWED = (
    ast.Constant, ast.Name, ast.Subscript, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.BoolOp,
    ast.Compare, ast.Call, ast.GeneratorExp, ast.ListComp, ast.comprehension, ast.Load,
    ast.Store, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.Not,
    ast.And, ast.Or, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.List,
)


def _whitelist(root: ast.AST, text: str = "") -> None:
    for node in ast.walk(root):
        if not isinstance(node, _ALLOWED):
            raise ExprError(
                f"`{_src(node)}` is not allowed ({type(node).__name__})",
                code="syntax", symbol=_src(node),
                fix="Only numbers, names, x[i], + - * /, sum(... for i in S if ...) and "
                    "comparisons are allowed.")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)) \
                or isinstance(node, ast.Constant) and isinstance(node.value, bool):
            raise ExprError(f"constant {node.value!r} is not allowed", symbol=repr(node.value))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            _check_literal(node.value, text)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
                raise ExprError(
                    f"call `{_src(node)}` is not allowed",
                    code="syntax", symbol=_src(node.func),
                    fix="Only sum, len, min, max, abs, piecewise and (over data) sqrt, exp, "
                        "log, ceil, floor, round may be called.")
            if node.keywords:
                raise ExprError(f"keyword arguments in `{_src(node)}` are not allowed")
        if isinstance(node, ast.Subscript) and not isinstance(node.value, ast.Name):
            raise ExprError(f"`{_src(node)}`: only a name can be indexed", symbol=_src(node))
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise ExprError(f"name `{node.id}` is not allowed", symbol=node.id,
                            fix="Names may not start with '__'.")
        if isinstance(node, ast.comprehension) and node.is_async:
            raise ExprError("async comprehensions are not allowed")


def parse_forall(text: str) -> list[ast.comprehension]:
    """Parse a ``forall`` clause (``"i in I, j in J if c[i, j] > 0"``) into comprehensions."""
    src = _normalize(text)
    src = re.sub(r"^(forall|for all|for each|for)\s+", "", src, flags=re.I)
    # top-level commas before another binding become nested 'for'
    src = re.sub(r",\s*(?=(\(\s*[A-Za-z_][\w\s,]*\)|[A-Za-z_]\w*)\s+in\b)", " for ", src)
    if len(src) > _MAX_LEN:
        raise ExprError(f"forall of {len(src):,} characters; the limit is {_MAX_LEN:,}",
                        code="too_large", fix="Filter with a parameter instead of a long condition.")
    try:
        tree = _ast_parse(f"[0 for {src}]", text)
    except ExprError as exc:
        if exc.code == "too_large":
            raise
        raise ExprError(f"cannot parse forall {_short(text)!r}",
                        fix="Write bindings like 'p in Products' or 'i in I, j in J if i != j'.") from None
    body = _balance(tree.body)
    _check_depth(body)
    _whitelist(body, text)
    return body.generators  # type: ignore[attr-defined]


_NUMBER = re.compile(r"(?<![\w.])\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|(?<![\w.])\.\d+(?:[eE][-+]?\d+)?")


def _check_literal(value: int | float, text: str = "") -> None:
    """A number written in an expression: finite, at most :data:`MAX_INT_DIGITS` digits."""
    if isinstance(value, int):
        if value.bit_length() > 1_000 and len(str(abs(value))) > MAX_INT_DIGITS:
            raise ExprError(f"the integer {str(value)[:12]}... has {len(str(abs(value))):,} "
                            f"digits; the limit is {MAX_INT_DIGITS}", code="too_large",
                            symbol=str(value)[:40],
                            fix="Use a smaller number (e.g. in scientific notation, 1e12).")
    elif not math.isfinite(value):
        written = next((m.group() for m in _NUMBER.finditer(text)
                        if not math.isfinite(float(m.group().replace("_", "")))), None)
        shown = written or "a number"
        raise ExprError(f"`{shown}` is beyond the largest float ({MAX_CONSTANT:g}): it would "
                        f"be infinite", code="bad_value", symbol=written,
                        fix="Write a finite number; leave a bound out instead of writing infinity.")


# --------------------------------------------------------------------------- nodes
Env = dict[str, Any]


class Node:
    """A compiled expression node. ``degree`` is 0 (constant) or 1 (linear)."""

    degree = 0
    src = ""

    def value(self, env: Env) -> Any:  # degree 0 only
        raise NotImplementedError

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        v = self.value(env)
        if not isinstance(v, (int, float)):
            raise EvalError(f"`{self.src}` is the set element {v!r}, not a number",
                            code="type", symbol=self.src)
        acc.const += factor * v


class Const(Node):
    def __init__(self, v: Any, src: str):
        self.v, self.src = v, src

    def value(self, env: Env) -> Any:
        return self.v


class Bound(Node):
    """An index name bound by forall or a generator (``set_name``: the set it ranges over,
    None when unknown, e.g. one part of a tuple binding)."""

    def __init__(self, name: str, set_name: str | None = None):
        self.name = self.src = name
        self.set_name = set_name

    def value(self, env: Env) -> Any:
        return env[self.name]


class ScalarParam(Node):
    def __init__(self, name: str, v: float):
        self.name = self.src = name
        self.v = v

    def value(self, env: Env) -> Any:
        return self.v


def _key(parts: list[Any]) -> tuple:
    out: list[Any] = []
    for p in parts:
        if isinstance(p, tuple):
            out.extend(p)
        else:
            out.append(p)
    return tuple(out)


def _fmt_key(key: tuple) -> str:
    return ", ".join(repr(k) for k in key)


_MISSING = object()


class _FastKey:
    """When every index of a reference is a bound name (``x[i, j]``), its key is read
    from the environment with one C-level ``itemgetter`` call instead of evaluating and
    flattening index nodes. A binding to a tuple element (``a in Arcs``) gives a nested key
    that is not in the table; callers then fall back to the general path."""

    def _init_fast(self, idx: list[Node]) -> None:
        names = [n.name for n in idx if type(n) is Bound]
        self._multi = len(names) > 1
        self._first = names[0] if names else None
        self._get = itemgetter(*names) if names and len(names) == len(idx) else None


class ParamRef(Node, _FastKey):
    def __init__(self, name: str, idx: list[Node], table: dict, default: float | None, src: str):
        self.name, self.idx, self.table, self.default, self.src = name, idx, table, default, src
        self._init_fast(idx)

    def value(self, env: Env) -> Any:
        get = self._get
        if get is not None:
            v = self.table.get(get(env) if self._multi else (env[self._first],), _MISSING)
            if v is not _MISSING:
                return v
        return self._slow_value(env)

    def _slow_value(self, env: Env) -> Any:
        key = _key([n.value(env) for n in self.idx])
        try:
            return self.table[key]
        except KeyError:
            if self.default is not None:
                return self.default
            raise EvalError(
                f"parameter `{self.name}` has no value for index [{_fmt_key(key)}] (in `{self.src}`)",
                code="missing_value", symbol=self.name,
                fix=f"Add an entry for [{_fmt_key(key)}] to `{self.name}`, give it a default, "
                    f"or filter that index out.") from None


class VarScalar(Node):
    degree = 1

    def __init__(self, name: str, col: int):
        self.name = self.src = name
        self.col = col

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        t = acc.terms if acc.block is None else acc.flush()
        t[self.col] = t.get(self.col, 0.0) + factor


class VarRef(Node, _FastKey):
    degree = 1

    def __init__(self, name: str, idx: list[Node], colmap: Mapping, src: str):
        self.name, self.idx, self.cols, self.src = name, idx, colmap, src
        if not isinstance(colmap, GridColumns):
            self.colmap = colmap
        self._init_fast(idx)

    @cached_property
    def colmap(self) -> Mapping:
        """``{key: column}`` as a dict, built on the first element-by-element lookup
        (the vectorized paths of :mod:`optimus.dense` read ``cols``' layout instead)."""
        return lookup(self.cols)

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        get = self._get
        col = None
        if get is not None:
            col = self.colmap.get(get(env) if self._multi else (env[self._first],))
        if col is None:
            col = self.column(env)
        t = acc.terms if acc.block is None else acc.flush()
        t[col] = t.get(col, 0.0) + factor

    def column(self, env: Env) -> int:
        """The column of this reference for ``env`` (general path, with the error)."""
        key = _key([n.value(env) for n in self.idx])
        try:
            return self.colmap[key]
        except KeyError:
            raise EvalError(
                f"variable `{self.name}` has no index [{_fmt_key(key)}] (in `{self.src}`): "
                f"that value is not in its index set",
                code="bad_index", symbol=self.name,
                fix="Use index values from the variable's sets, or filter with `if`.") from None


class Neg(Node):
    def __init__(self, a: Node, src: str):
        self.a, self.src, self.degree = a, src, a.degree

    def value(self, env: Env) -> Any:
        return -_num(self.a.value(env), self.a)

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        self.a.add_to(env, acc, -factor)


def _num(v: Any, node: Node) -> float:
    if isinstance(v, (int, float)):
        return v
    raise EvalError(f"`{node.src}` is the set element {v!r}, not a number", code="type",
                    symbol=node.src, fix="Use a parameter indexed by that set instead.")


def _bounded(v: Any, node: Node) -> Any:
    """``v``, the result of constant arithmetic in ``node``, if finite and at most
    :data:`MAX_CONSTANT` in magnitude; else an :class:`EvalError` naming the term."""
    if -MAX_CONSTANT <= v <= MAX_CONSTANT:
        return v
    what = "not a number" if v != v else f"beyond the limit of {MAX_CONSTANT:g}"
    raise EvalError(f"`{_short(node.src)}` evaluates to {_short(str(v), 40)}, {what}",
                    code="bad_value", symbol=_short(node.src),
                    fix="Use numbers of a sensible scale (rescale the units).")


def _coefficient(c: float, node: Node, of: Node) -> float:
    """A coefficient ``c`` of ``of`` computed in ``node``: finite and at most
    :data:`MAX_COEFFICIENT` in magnitude, else an :class:`EvalError` naming the term."""
    if -MAX_COEFFICIENT <= c <= MAX_COEFFICIENT:
        return c
    what = "not a number" if c != c else (
        f"larger than the limit of {MAX_COEFFICIENT:g}" if math.isfinite(c) else "infinite")
    raise EvalError(f"the coefficient of `{_short(of.src)}` in `{_short(node.src)}` is "
                    f"{_short(str(c), 40)}, {what}", code="bad_value", symbol=_short(node.src),
                    fix="Rescale the units so that coefficients stay below "
                        f"{MAX_COEFFICIENT:g} (solvers lose all precision beyond that).")


class AddSub(Node):
    def __init__(self, a: Node, b: Node, sign: float, src: str):
        self.a, self.b, self.sign, self.src = a, b, sign, src
        self.degree = max(a.degree, b.degree)

    def value(self, env: Env) -> Any:
        a, b = self.a.value(env), self.b.value(env)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return _bounded(a + b if self.sign > 0 else a - b, self)
        raise EvalError(f"cannot do arithmetic on set elements in `{self.src}` ({a!r}, {b!r})",
                        code="type", symbol=self.src,
                        fix="Index arithmetic such as t - 1 needs integer set elements.")

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        self.a.add_to(env, acc, factor)
        self.b.add_to(env, acc, factor * self.sign)


class Mul(Node):
    def __init__(self, a: Node, b: Node, src: str):
        self.a, self.b, self.src = a, b, src
        self.degree = a.degree + b.degree

    def value(self, env: Env) -> Any:
        return _bounded(_num(self.a.value(env), self.a) * _num(self.b.value(env), self.b), self)

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        if self.a.degree == 0:
            c = self.a.value(env)
            if not isinstance(c, (int, float)):
                c = _num(c, self.a)
            if c != 0:
                self.b.add_to(env, acc, _coefficient(factor * c, self, self.b))
        else:
            c = self.b.value(env)
            if not isinstance(c, (int, float)):
                c = _num(c, self.b)
            if c != 0:
                self.a.add_to(env, acc, _coefficient(factor * c, self, self.a))


class Div(Node):
    def __init__(self, a: Node, b: Node, src: str):
        self.a, self.b, self.src, self.degree = a, b, src, a.degree

    def _den(self, env: Env) -> float:
        d = _num(self.b.value(env), self.b)
        if d == 0:
            raise EvalError(f"division by zero in `{self.src}`", code="division_by_zero",
                            symbol=self.b.src, fix="Make sure the divisor is never zero.")
        return d

    def value(self, env: Env) -> Any:
        return _bounded(_num(self.a.value(env), self.a) / self._den(env), self)

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        self.a.add_to(env, acc, _coefficient(factor / self._den(env), self, self.a))


class Pow(Node):
    def __init__(self, a: Node, b: Node, src: str):
        self.a, self.b, self.src = a, b, src

    def value(self, env: Env) -> Any:
        a = _num(self.a.value(env), self.a)
        b = _num(self.b.value(env), self.b)
        # refuse a result beyond MAX_CONSTANT before computing it (9**387420489 as an
        # exact integer would take hours): log10 |a**b| = b * log10 |a|
        if a != 0 and b * math.log10(abs(a)) > math.log10(MAX_CONSTANT):
            raise EvalError(
                f"`{_short(self.src)}` would be about 10^{b * math.log10(abs(a)):,.0f}; the "
                f"limit is {MAX_CONSTANT:g}", code="too_large", symbol=_short(self.src),
                fix="Use numbers of a sensible scale (rescale the units).")
        try:
            r = float(a) ** float(b)
        except (OverflowError, ZeroDivisionError) as exc:
            raise EvalError(f"cannot compute `{_short(self.src)}`: {exc}", code="arithmetic",
                            symbol=_short(self.src)) from None
        if isinstance(r, complex):
            raise EvalError(f"`{_short(self.src)}` is not a real number (a negative number "
                            f"to a fractional power)", code="arithmetic",
                            symbol=_short(self.src), fix="Use a non-negative base.")
        return _bounded(r, self)


class Func(Node):
    """min/max/abs/len of constants."""

    def __init__(self, fn: Callable, args: list[Node], src: str):
        self.fn, self.args, self.src = fn, args, src

    def value(self, env: Env) -> Any:
        return self.fn(*[_num(a.value(env), a) for a in self.args])


class GenFunc(Node):
    """``min``/``max`` over a generator of constants: ``max(cost[i] for i in I)``."""

    def __init__(self, fn: Callable, body: Node, binder: "Binder", src: str):
        self.fn, self.body, self.binder, self.src = fn, body, binder, src

    def value(self, env: Env) -> Any:
        vals = [_num(self.body.value(e), self.body) for e in self.binder.iterate(env)]
        if not vals:
            raise EvalError(f"`{_short(self.src)}` ranges over an empty set", code="empty",
                            symbol=_short(self.src),
                            fix="Filter so that at least one element remains.")
        return self.fn(vals)


class Binder:
    """Iterates the bindings of a list of comprehensions: yields env with names set."""

    def __init__(self, levels: list[tuple[list[str], list[Any], list[Node]]],
                 set_names: list[str] | None = None):
        self.levels = levels
        self.set_names = set_names  # the set each level iterates, parallel to levels

    def iterate(self, env: Env) -> Iterator[Env]:
        """Yield ``env`` with the bound names set, once per binding (the same dict,
        updated in place: read it before asking for the next one)."""
        env = dict(env)
        levels = self.levels
        if all(len(t) == 1 and not ifs for t, _, ifs in levels):  # the common fast case
            if len(levels) == 1:
                name = levels[0][0][0]
                for el in levels[0][1]:
                    env[name] = el
                    yield env
                return
            if len(levels) == 2:
                (n1,), e1, _ = levels[0]
                (n2,), e2, _ = levels[1]
                for a in e1:
                    env[n1] = a
                    for b in e2:
                        env[n2] = b
                        yield env
                return
        yield from self._level(0, env)

    def _level(self, k: int, env: Env) -> Iterator[Env]:
        if k == len(self.levels):
            yield env
            return
        targets, elements, ifs = self.levels[k]
        single = len(targets) == 1
        if single and k == len(self.levels) - 1:  # innermost level: no nested generator
            name = targets[0]
            for el in elements:
                env[name] = el
                if all(f.value(env) for f in ifs):
                    yield env
            return
        for el in elements:
            if single:
                env[targets[0]] = el
            else:
                if not isinstance(el, tuple) or len(el) != len(targets):
                    raise EvalError(f"cannot unpack element {el!r} into ({', '.join(targets)})",
                                    code="bad_index", symbol=", ".join(targets),
                                    fix="Bind as many names as the set's elements have parts.")
                for t, v in zip(targets, el):
                    env[t] = v
            if all(f.value(env) for f in ifs):
                yield from self._level(k + 1, env)


class Sum(Node):
    """``sum(body for ... in ...)``. ``plan``: an optional vectorized evaluation
    (:mod:`optimus.dense`) that declines, and leaves ``acc`` untouched, when it cannot
    apply; the general path then evaluates term by term (and reports errors)."""

    def __init__(self, body: Node, binder: Binder, src: str, plan: Any = None):
        self.body, self.binder, self.src, self.degree = body, binder, src, body.degree
        self._fast = _sum_fast_path(body)
        self.plan = plan

    def value(self, env: Env) -> Any:
        return sum(_num(self.body.value(e), self.body) for e in self.binder.iterate(env))

    def add_to(self, env: Env, acc: LinExpr, factor: float) -> None:
        if self.plan is not None and self.plan.add_to(env, acc, factor):
            return
        body = self.body
        fast = self._fast
        if fast is None:
            for e in self.binder.iterate(env):
                body.add_to(e, acc, factor)
            return
        # inlined ``coef[...] * var[...]`` / ``var[...]``: the same operations as
        # Mul.add_to and VarRef.add_to without two method calls per term
        coef, var = fast
        t = acc.terms if acc.block is None else acc.flush()
        tget = t.get
        colmap, vget, vmulti, vfirst = var.colmap, var._get, var._multi, var._first
        if coef is None:
            for e in self.binder.iterate(env):
                col = colmap.get(vget(e) if vmulti else (e[vfirst],))
                if col is None:
                    col = var.column(e)
                t[col] = tget(col, 0.0) + factor
            return
        value = coef.value
        pget = coef._get if type(coef) is ParamRef else None
        if pget is not None:  # coef is param[i, j]: look it up inline too
            ptable, pmulti, pfirst = coef.table, coef._multi, coef._first
            for e in self.binder.iterate(env):
                c = ptable.get(pget(e) if pmulti else (e[pfirst],), _MISSING)
                if c is _MISSING:
                    c = coef._slow_value(e)
                if c != 0:
                    col = colmap.get(vget(e) if vmulti else (e[vfirst],))
                    if col is None:
                        col = var.column(e)
                    t[col] = tget(col, 0.0) + factor * c
            return
        for e in self.binder.iterate(env):
            c = value(e)
            if not isinstance(c, (int, float)):
                c = _num(c, coef)
            if c != 0:
                col = colmap.get(vget(e) if vmulti else (e[vfirst],))
                if col is None:
                    col = var.column(e)
                t[col] = tget(col, 0.0) + factor * c


def _sum_fast_path(body: Node) -> tuple[Node | None, VarRef] | None:
    """``(coefficient node or None, variable reference)`` when the body of a sum is
    ``var[...]``, ``const * var[...]`` or ``var[...] * const`` with a fast key."""
    if type(body) is VarRef and body._get is not None:
        return None, body
    if type(body) is Mul:
        a, b = body.a, body.b
        if type(b) is VarRef and b._get is not None and a.degree == 0:
            return a, b
        if type(a) is VarRef and a._get is not None and b.degree == 0:
            return b, a
    return None


class Cmp(Node):
    """A boolean filter (degree 0)."""

    _OPS: dict[type, Callable[[Any, Any], bool]] = {
        ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
        ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
        ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    }

    def __init__(self, left: Node, ops: list[Any], rights: list[Any], src: str):
        self.left, self.ops, self.rights, self.src = left, ops, rights, src
        self.degree = max([left.degree] + [r.degree for r in rights if isinstance(r, Node)])

    def value(self, env: Env) -> Any:
        a = self.left.value(env)
        for op, r in zip(self.ops, self.rights):
            if isinstance(op, (ast.In, ast.NotIn)):
                members = r  # a python set of canonical elements
                ok = a in members
                if isinstance(op, ast.NotIn):
                    ok = not ok
                if not ok:
                    return False
                continue
            b = r.value(env)
            try:
                if not self._OPS[type(op)](a, b):
                    return False
            except TypeError:
                raise EvalError(f"cannot compare {a!r} with {b!r} in `{self.src}`",
                                code="type", symbol=self.src) from None
            a = b
        return True


class BoolOp(Node):
    def __init__(self, is_and: bool, parts: list[Node], src: str):
        self.is_and, self.parts, self.src = is_and, parts, src
        self.degree = max(p.degree for p in parts)

    def value(self, env: Env) -> Any:
        if self.is_and:
            return all(p.value(env) for p in self.parts)
        return any(p.value(env) for p in self.parts)


class Not(Node):
    def __init__(self, a: Node, src: str):
        self.a, self.src, self.degree = a, src, a.degree

    def value(self, env: Env) -> Any:
        return not self.a.value(env)


class TupleNode(Node):
    def __init__(self, parts: list[Node], src: str):
        self.parts, self.src = parts, src
        self.degree = max((p.degree for p in parts), default=0)

    def value(self, env: Env) -> Any:
        return _key([p.value(env) for p in self.parts])


# --------------------------------------------------------------------------- compiler
@dataclass
class Scope:
    """Bound index names -> the set they range over (None when unknown)."""

    names: dict[str, str | None] = field(default_factory=dict)

    def child(self) -> "Scope":
        return Scope(dict(self.names))


#: Plans a vectorised evaluation of ``sum(body for binder)``, or returns None (see
#: :func:`optimus.dense.plan_sum`, which :mod:`optimus.checks` passes in).
SumPlanner = Callable[[SymbolTable, Node, "Binder"], Any]


class Compiler:
    """Compiles parsed expressions against a :class:`SymbolTable`.

    ``plan_sum``, when given, attaches a vectorised plan to every ``sum`` it can handle."""

    #: set by optimus.param_expr: builds the node of sqrt/exp/log/ceil/floor/round
    math_call: Callable[[str, list[Node], str], Node] | None = None
    #: set by optimus.quadratic: builds the product of two linear expressions
    quad_mul: Callable[[Node, Node, str], Node] | None = None

    def __init__(self, symbols: SymbolTable, plan_sum: SumPlanner | None = None,
                 constructs: Any = None):
        self.sym = symbols
        self.plan_sum = plan_sum
        #: the module compiling abs/min/max/piecewise of variables (optimus.constructs,
        #: passed in by optimus.checks); None: those are rejected as nonlinear
        self.constructs = constructs
        #: products of two linear expressions allowed (an objective: optimus.quadratic)
        self.quadratic = False

    # -- public entry points
    def expression(self, node: ast.expr, scope: Scope) -> Node:
        return self._expr(node, scope)

    def binder(self, gens: list[ast.comprehension], scope: Scope) -> Binder:
        """Compile comprehensions; adds the bound names to ``scope`` (mutates it)."""
        levels = []
        set_names: list[str] = []
        for g in gens:
            targets = self._targets(g.target)
            set_name, elements = self._iter_set(g.iter)
            for t in targets:
                if t in RESERVED or self.sym.kind(t) is not None:
                    raise ExprError(
                        f"index name `{t}` shadows the {self.sym.kind(t) or 'built-in'} `{t}`",
                        code="shadowing", symbol=t,
                        fix=f"Use another index name, e.g. `{t[0].lower()}{t[0].lower()}`.")
                scope.names[t] = set_name if len(targets) == 1 else None
            if len(targets) > 1 and self.sym.set_arity.get(set_name, 1) != len(targets):
                raise ExprError(
                    f"`{_src(g.target)} in {set_name}`: elements of {set_name} have "
                    f"{self.sym.set_arity.get(set_name, 1)} part(s), not {len(targets)}",
                    code="arity", symbol=set_name,
                    fix="Bind as many names as the set's elements have parts.")
            ifs = [self.filter(c, scope) for c in g.ifs]
            levels.append((targets, elements, ifs))
            set_names.append(set_name)
        return Binder(levels, set_names)

    def filter(self, node: ast.expr, scope: Scope) -> Node:
        n = self._expr(node, scope, in_filter=True)
        if n.degree:
            raise ExprError(f"filter `{_src(node)}` contains a decision variable",
                            code="nonlinear", symbol=_src(node),
                            fix="Filters may use only index names, parameters and set elements.")
        return n

    # -- internals
    def _targets(self, t: ast.expr) -> list[str]:
        if isinstance(t, ast.Name):
            return [t.id]
        if isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts):
            return [e.id for e in t.elts]  # type: ignore[attr-defined]
        raise ExprError(f"cannot bind `{_src(t)}`", code="syntax", symbol=_src(t),
                        fix="Bind a name or a tuple of names: `p in P`, `(i, j) in Arcs`.")

    def _iter_set(self, node: ast.expr) -> tuple[str, list[Any]]:
        if isinstance(node, ast.Name):
            if node.id in self.sym.sets:
                return node.id, self.sym.sets[node.id]
            self._unknown(node.id, want="set")
        raise ExprError(f"`{_src(node)}` is not a set name", code="syntax", symbol=_src(node),
                        fix="Iterate over a declared set: `for p in Products`.")

    def _unknown(self, name: str, want: str | None = None) -> None:
        kind = self.sym.kind(name)
        if want and kind:
            raise ExprError(f"`{name}` is a {kind}, not a {want}", code="wrong_kind", symbol=name,
                            fix=f"Use a {want} here.")
        pool = list(self.sym.sets) if want == "set" else self.sym.all_names()
        hint = suggest(name, pool)
        raise ExprError(
            f"unknown symbol `{name}`" + (f"; did you mean `{hint}`?" if hint else ""),
            code="unknown_symbol", symbol=name,
            fix=(f"Rename it to `{hint}`" if hint else f"Define `{name}` as a set, parameter or variable")
            + " or declare it.")

    def _expr(self, node: ast.expr, scope: Scope, in_filter: bool = False) -> Node:
        src = _src(node)
        if isinstance(node, ast.Constant):
            return Const(node.value, src)
        if isinstance(node, ast.Name):
            return self._name(node.id, scope)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope)
        if isinstance(node, ast.UnaryOp):
            a = self._expr(node.operand, scope, in_filter)
            if isinstance(node.op, ast.USub):
                return Neg(a, src)
            if isinstance(node.op, ast.UAdd):
                return a
            if not in_filter:
                raise _logic_outside_filter(src)
            return Not(a, src)
        if isinstance(node, ast.BinOp):
            a = self._expr(node.left, scope, in_filter)
            b = self._expr(node.right, scope, in_filter)
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return AddSub(a, b, 1.0 if isinstance(node.op, ast.Add) else -1.0, src)
            if isinstance(node.op, ast.Mult):
                if a.degree and b.degree:
                    if self.quadratic and a.degree == 1 and b.degree == 1 \
                            and self.quad_mul is not None:  # optimus.quadratic
                        return self.quad_mul(a, b, src)
                    raise ExprError(
                        f"nonlinear term `{src}`: a product of two decision-variable expressions",
                        code="nonlinear", symbol=src,
                        fix=_QUADRATIC_FIX)
                return Mul(a, b, src)
            if isinstance(node.op, ast.Div):
                if b.degree:
                    raise ExprError(
                        f"nonlinear term `{src}`: division by a decision variable",
                        code="nonlinear", symbol=src,
                        fix="Multiply both sides by the denominator instead (a ratio "
                            "constraint a/b <= r becomes a <= r*b).")
                return Div(a, b, src)
            if isinstance(node.op, ast.Pow):
                if self.quadratic and a.degree == 1 and not b.degree and self.quad_mul \
                        and isinstance(node.right, ast.Constant) and node.right.value == 2:
                    return self.quad_mul(a, a, src)  # (x - t)**2 in an objective
                if a.degree or b.degree:
                    raise ExprError(f"nonlinear term `{src}`: a power of a decision variable",
                                    code="nonlinear", symbol=src,
                                    fix="Powers of variables are allowed only as a square "
                                        "(e)**2 in the objective; " + _QUADRATIC_FIX)
                return Pow(a, b, src)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            raise ExprError(f"`{src}`: a generator must be inside sum(...)", symbol=src,
                            fix="Write sum(x[p] for p in P).")
        if isinstance(node, ast.Tuple):
            return TupleNode([self._expr(e, scope, in_filter) for e in node.elts], src)
        if isinstance(node, ast.BoolOp):
            if not in_filter:
                raise _logic_outside_filter(src)
            parts = [self._expr(v, scope, in_filter) for v in node.values]
            return BoolOp(isinstance(node.op, ast.And), parts, src)
        if isinstance(node, ast.Compare):
            if not in_filter:
                raise ExprError(f"comparison `{src}` is only allowed at the top of a constraint "
                                f"or in an `if` filter", code="syntax", symbol=src)
            left = self._expr(node.left, scope, in_filter)
            rights: list[Any] = []
            for op, r in zip(node.ops, node.comparators):
                if isinstance(op, (ast.In, ast.NotIn)):
                    if not (isinstance(r, ast.Name) and r.id in self.sym.sets):
                        raise ExprError(f"`{src}`: the right side of `in` must be a set name",
                                        code="syntax", symbol=_src(r))
                    rights.append(self.sym.set_members[r.id])
                else:
                    rights.append(self._expr(r, scope, in_filter))
            return Cmp(left, list(node.ops), rights, src)
        raise ExprError(f"`{src}` is not allowed here", symbol=src)

    def _name(self, name: str, scope: Scope) -> Node:
        if name in scope.names:
            return Bound(name, scope.names[name])
        kind = self.sym.kind(name)
        if kind == "parameter":
            arity, data = self.sym.params[name]
            if arity:
                raise ExprError(f"parameter `{name}` needs {arity} index value(s), got none",
                                code="arity", symbol=name,
                                fix=f"Write {name}[...] with {arity} index value(s).")
            return ScalarParam(name, data)
        if kind == "variable":
            arity, colmap = self.sym.variables[name]
            if arity:
                raise ExprError(f"variable `{name}` needs {arity} index value(s), got none",
                                code="arity", symbol=name,
                                fix=f"Write {name}[...] with {arity} index value(s), or sum over "
                                    f"its index.")
            return VarScalar(name, colmap[()])
        if kind == "set":
            raise ExprError(f"set `{name}` cannot be used as a number",
                            code="wrong_kind", symbol=name,
                            fix=f"Use len({name}) for its size or iterate: for e in {name}.")
        self._unknown(name)
        raise AssertionError  # unreachable

    def _subscript(self, node: ast.Subscript, scope: Scope) -> Node:
        name = node.value.id  # type: ignore[attr-defined]
        src = _src(node)
        sl = node.slice
        parts = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
        idx = []
        for p in parts:
            n = self._expr(p, scope, in_filter=False)
            if n.degree:
                raise ExprError(f"decision variable used as an index in `{src}`",
                                code="nonlinear", symbol=_src(p),
                                fix="Indices must be index names, set elements or integers.")
            idx.append(n)
        kind = self.sym.kind(name)
        if kind is None:
            if name in scope.names:
                raise ExprError(f"index name `{name}` cannot be subscripted", symbol=name)
            self._unknown(name)
        if kind == "set":
            raise ExprError(f"set `{name}` cannot be subscripted", code="wrong_kind", symbol=name,
                            fix="Index a parameter or variable instead.")
        arity = self.sym.params[name][0] if kind == "parameter" else self.sym.variables[name][0]
        width = self._width(parts, scope)
        if width is not None and width != arity:
            raise ExprError(
                f"`{src}`: {kind} `{name}` takes {arity} index value(s), got {width}",
                code="arity", symbol=name,
                fix=f"Write {name} with {arity} index value(s), one per index set.")
        self._check_literals(name, parts)
        if kind == "parameter":
            _, table = self.sym.params[name]
            return ParamRef(name, idx, table, self.sym.param_defaults.get(name), src)
        _, colmap = self.sym.variables[name]
        return VarRef(name, idx, colmap, src)

    def _width(self, parts: list[ast.expr], scope: Scope) -> int | None:
        """How many scalar index values the parts make (None if unknown)."""
        total = 0
        for p in parts:
            if isinstance(p, ast.Name) and p.id in scope.names:
                set_name = scope.names[p.id]
                total += self.sym.set_arity.get(set_name, 1) if set_name else 1
            else:
                total += 1
        return total

    def _check_literals(self, name: str, parts: list[ast.expr]) -> None:
        """Literal index values (``cost["A", j]``) must be members of the index set."""
        index_sets = self.sym.index_sets.get(name)
        if not index_sets or len(index_sets) != len(parts):
            return
        for p, set_name in zip(parts, index_sets):
            if isinstance(p, ast.Constant) and set_name in self.sym.set_members:
                members = self.sym.set_members[set_name]
                if canonical(p.value, members) not in members:
                    elems = [str(e) for e in self.sym.sets[set_name]]
                    hint = suggest(str(p.value), elems)
                    raise ExprError(
                        f"`{_src(p)}` in `{name}[...]` is not an element of set {set_name}"
                        + (f"; did you mean {hint!r}?" if hint else ""),
                        code="bad_index", symbol=str(p.value),
                        fix=f"Use one of {set_name}'s elements: {', '.join(elems[:8])}"
                            + (" ..." if len(elems) > 8 else "") + ".")

    def _call(self, node: ast.Call, scope: Scope) -> Node:
        fn = node.func.id  # type: ignore[attr-defined]
        src = _src(node)
        if fn in MATH_FUNCS and self.math_call is not None:  # optimus.param_expr
            return self.math_call(fn, [self._expr(a, scope) for a in node.args], src)
        if fn == "sum":
            if len(node.args) != 1:
                raise ExprError(f"`{src}`: sum takes one generator", symbol=src)
            arg = node.args[0]
            if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
                inner = scope.child()
                binder = self.binder(arg.generators, inner)
                body = self._expr(arg.elt, inner)
                plan = self.plan_sum(self.sym, body, binder) if self.plan_sum else None
                return Sum(body, binder, src, plan)
            if isinstance(arg, ast.Name) and self.sym.kind(arg.id) in ("variable", "parameter"):
                raise ExprError(f"`{src}`: write sum({arg.id}[i] for i in SET)",
                                code="syntax", symbol=arg.id,
                                fix=f"Sum over the index set of `{arg.id}` explicitly.")
            if isinstance(arg, (ast.List, ast.Tuple)):
                parts = [self._expr(e, scope) for e in arg.elts]
                out: Node = Const(0, "0")
                for p in parts:
                    out = AddSub(out, p, 1.0, src)
                return out
            raise ExprError(f"`{src}`: sum needs a generator such as sum(x[p] for p in P)",
                            symbol=src)
        if fn == "len":
            if len(node.args) == 1 and isinstance(node.args[0], ast.Name) \
                    and node.args[0].id in self.sym.sets:
                return Const(len(self.sym.sets[node.args[0].id]), src)
            raise ExprError(f"`{src}`: len takes a set name", symbol=src)
        if fn == "piecewise":
            return self._piecewise(node, scope)
        if fn in ("min", "max") and len(node.args) == 1 \
                and isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp)):
            return self._minmax_generator(fn, node.args[0], scope, src)
        args = [self._expr(a, scope) for a in node.args]
        if any(a.degree for a in args):
            return self._construct(fn, args, src)
        if not args:
            raise ExprError(f"`{src}` needs arguments", symbol=src)
        for a, arg in zip(args, node.args):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                raise ExprError(f"`{src}`: {fn}() of the text {arg.value!r}; it takes numbers",
                                code="type", symbol=src,
                                fix=f"Give {fn}() numbers or parameters.")
        if fn in ("min", "max") and len(args) == 1:
            raise ExprError(f"`{src}`: {fn}() of one number; it takes two or more",
                            code="syntax", symbol=src,
                            fix=f"Write {fn}(a, b), or drop {fn}() around a single value.")
        if fn == "abs":
            if len(args) != 1:
                raise ExprError(f"`{src}`: abs takes one argument", symbol=src)
            return Func(abs, args, src)
        return Func(min if fn == "min" else max, args, src)

    # -- abs/min/max/piecewise of variables (compiled by optimus.constructs)
    def _no_constructs(self, fn: str, src: str) -> ExprError:
        return ExprError(f"nonlinear term `{src}`: {fn}() of a decision variable",
                         code="nonlinear", symbol=src,
                         fix=f"{fn}() may only take numbers and parameters here.")

    def _construct(self, fn: str, args: list[Node], src: str) -> Node:
        if self.constructs is None:
            raise self._no_constructs(fn, src)
        AbsNode, MaxNode = self.constructs.AbsNode, self.constructs.MaxNode
        if fn == "abs":
            if len(args) != 1:
                raise ExprError(f"`{src}`: abs takes one argument", symbol=src,
                                fix="Write abs(expression).")
            return AbsNode(args[0], src)
        if len(args) < 2:
            raise ExprError(f"`{src}`: {fn}() of one expression; it takes two or more, or a "
                            f"generator", code="syntax", symbol=src,
                            fix=f"Write {fn}(a, b) or {fn}(e[i] for i in I), or drop {fn}().")
        return MaxNode(fn == "max", args, None, None, src)

    def _minmax_generator(self, fn: str, gen: ast.expr, scope: Scope, src: str) -> Node:
        inner = scope.child()
        binder = self.binder(gen.generators, inner)  # type: ignore[attr-defined]
        body = self._expr(gen.elt, inner)  # type: ignore[attr-defined]
        if body.degree:
            if self.constructs is None:
                raise self._no_constructs(fn, src)
            return self.constructs.MaxNode(fn == "max", None, body, binder, src)
        return GenFunc(min if fn == "min" else max, body, binder, src)

    def _piecewise(self, node: ast.Call, scope: Scope) -> Node:
        src = _src(node)
        if self.constructs is None:
            raise self._no_constructs("piecewise", src)
        PiecewiseNode = self.constructs.PiecewiseNode
        piecewise_problem = self.constructs.piecewise_problem
        usage = ("Write piecewise(x_expression, [x0, x1, ...], [y0, y1, ...]) with "
                 "breakpoints as numbers or scalar parameters.")
        if len(node.args) != 3 or not all(isinstance(a, (ast.List, ast.Tuple))
                                          for a in node.args[1:]):
            raise ExprError(f"`{_short(src)}`: piecewise takes an expression and two lists",
                            code="piecewise", symbol=_short(src), fix=usage)
        x = self._expr(node.args[0], scope)
        lists = [[self._expr(e, scope) for e in a.elts] for a in node.args[1:]]  # type: ignore[attr-defined]
        for part in lists[0] + lists[1]:
            if part.degree:
                raise ExprError(f"`{_short(src)}`: the breakpoint `{part.src}` holds a decision "
                                f"variable", code="piecewise", symbol=part.src, fix=usage)
        try:  # numbers and scalar parameters: checked now
            xs = [float(_num(n.value({}), n)) for n in lists[0]]
            ys = [float(_num(n.value({}), n)) for n in lists[1]]
        except (EvalError, KeyError, TypeError):
            xs = ys = None  # type: ignore[assignment]
        if xs is not None and ys is not None:
            problem = piecewise_problem(xs, ys)
            if problem:
                raise ExprError(f"`{_short(src)}`: {problem[0]}", code="piecewise",
                                symbol=_short(src), fix=problem[1])
        elif len(lists[0]) != len(lists[1]):
            raise ExprError(f"`{_short(src)}`: {len(lists[0])} x breakpoints but "
                            f"{len(lists[1])} y values", code="piecewise", symbol=_short(src),
                            fix="Give one y value per x breakpoint (equal lengths).")
        if not x.degree:
            raise ExprError(f"`{_short(src)}`: piecewise of a constant", code="piecewise",
                            symbol=_short(src),
                            fix="The first argument is an expression of decision variables.")
        return PiecewiseNode(x, lists[0], lists[1], src)


def _logic_outside_filter(src: str) -> ExprError:
    return ExprError(f"`{_short(src)}`: and, or and not are only allowed in an `if` filter",
                     code="syntax", symbol=_short(src),
                     fix="Write a constraint as one comparison (split `a and b` into two "
                         "constraints); use and/or/not in `for ... if ...` filters.")


def canonical(value: Any, members: set) -> Any:
    """Match a literal to a set's canonical element ("3" -> 3 when the set holds ints)."""
    if value in members:
        return value
    if isinstance(value, str):
        try:
            iv = int(value)
            if iv in members:
                return iv
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in members:
            return int(value)
        if str(value) in members:
            return str(value)
    return value


# --------------------------------------------------------------------------- constraints
@dataclass
class CompiledConstraint:
    """A constraint compiled for evaluation: ``lo <= body <= hi`` for each binding."""

    binder: Binder | None
    body: Node  # linear expression: lhs - rhs for single comparisons
    lower: Node | None  # for ranges
    upper: Node | None
    sense: str  # "<=", ">=", "==", "range"
    strict: bool = False  # written with < or >: integer-valued sides, made `<= rhs - 1`


def compile_constraint(compiler: Compiler, expression: str, forall: str | None) -> CompiledConstraint:
    scope = Scope()
    binder = compiler.binder(parse_forall(forall), scope) if forall and forall.strip() else None
    tree = parse(expression)
    if not isinstance(tree, ast.Compare):
        raise ExprError(f"`{_src(tree)}` has no comparison",
                        code="no_comparison", symbol=_src(tree),
                        fix="A constraint compares two sides with <=, >= or ==.")
    ops = [type(o) for o in tree.ops]
    for o in ops:
        if o not in (ast.LtE, ast.GtE, ast.Eq, ast.Lt, ast.Gt):
            raise ExprError(f"`{_src(tree)}`: a constraint uses <=, >= or ==",
                            code="syntax", symbol=_src(tree),
                            fix="Replace the comparison with <=, >= or ==.")
    if len(ops) == 1:
        left = compiler.expression(tree.left, scope)
        right = compiler.expression(tree.comparators[0], scope)
        body = AddSub(left, right, -1.0, _src(tree))
        sense = {ast.LtE: "<=", ast.Lt: "<=", ast.GtE: ">=", ast.Gt: ">=", ast.Eq: "=="}[ops[0]]
        return CompiledConstraint(binder, body, None, None, sense,
                                  strict=ops[0] in (ast.Lt, ast.Gt))
    if len(ops) == 2 and ops[0] == ops[1] and ops[0] in (ast.LtE, ast.Lt, ast.GtE, ast.Gt):
        a = compiler.expression(tree.left, scope)
        mid = compiler.expression(tree.comparators[0], scope)
        c = compiler.expression(tree.comparators[1], scope)
        if a.degree or c.degree:
            raise ExprError(f"`{_src(tree)}`: in a range constraint the outer sides must be "
                            f"constants", code="syntax", symbol=_src(tree),
                            fix="Split it into two constraints.")
        lo, hi = (a, c) if ops[0] in (ast.LtE, ast.Lt) else (c, a)
        return CompiledConstraint(binder, mid, lo, hi, "range",
                                  strict=ops[0] in (ast.Lt, ast.Gt))
    raise ExprError(f"`{_src(tree)}`: use one comparison per constraint",
                    code="syntax", symbol=_src(tree),
                    fix="Split chained comparisons into separate constraints.")


def compile_objective(compiler: Compiler, expression: str) -> Node:
    """An objective: linear, or quadratic (products of two linear expressions, squares;
    convexity is checked when the program is built, see :mod:`optimus.quadratic`)."""
    tree = parse(expression)
    if isinstance(tree, ast.Compare):
        raise ExprError(f"the objective `{_src(tree)}` contains a comparison",
                        code="syntax", symbol=_src(tree),
                        fix="The objective is an expression such as '3*x + 5*y'.")
    compiler.quadratic = True
    try:
        return compiler.expression(tree, Scope())
    finally:
        compiler.quadratic = False
