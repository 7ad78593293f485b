"""A formulation as readable Unicode math, for terminals (``solve``, ``chat``'s ``/math``).

LaTeX stays the form for files, Markdown and notebooks (:mod:`optimus.render.latex`);
a terminal shows it as source, so the console gets this rendering instead. Expressions
are translated by walking the same whitelisted tree (:func:`optimus.expressions.parse`):

* ``5*cake + 3*pie`` -> ``5 cake + 3 pie`` (a number times a term: juxtaposition);
* ``sum(hours[p] * make[p] for p in Products) <= capacity`` ->
  ``∑_{p ∈ Products} hours[p]·make[p] ≤ capacity``;
* a ``forall`` -> ``∀ p ∈ Products``; an integer variable -> ``make[p] ∈ ℤ, ≥ 0``.

Every name and string comes out on one line with non-printable characters replaced, so
text from a formulation cannot move the cursor or change the terminal.

    >>> expr_to_unicode("sum(hours[p] * make[p] for p in Products) <= capacity")
    '∑_{p ∈ Products} hours[p]·make[p] ≤ capacity'
    >>> expr_to_unicode("5*cake + 3*pie")
    '5 cake + 3 pie'
"""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING, Any

from optimus.expressions import ExprError, parse, parse_forall
from optimus.render.constructs_b import index_names, ordered, weights_shown

if TYPE_CHECKING:
    from optimus.formulation import Formulation, Parameter, Variable

__all__ = ["expr_to_unicode", "forall_to_unicode", "domain_to_unicode", "unicode_sections",
           "to_unicode"]

_INLINE_ENTRIES = 12  # table entries shown inline
_MAX_SET_ELEMENTS = 20
_PREC_BOOL, _PREC_CMP, _PREC_ADD, _PREC_MUL, _PREC_UNARY, _PREC_POW, _PREC_ATOM = -1, 0, 1, 2, 3, 4, 5
_CMP = {ast.Eq: "=", ast.NotEq: "≠", ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥",
        ast.In: "∈", ast.NotIn: "∉"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def flat(text: Any) -> str:
    """One printable line: every non-printable character (newlines, escapes) -> a space."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(s.split())


def number(v: Any) -> str:
    """``3``, ``2.5``, ``1.5e-07``, ``∞``: integers without ``.0``, else 6 significant digits."""
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        if math.isnan(v):
            return "NaN"
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.6g}"
    return flat(v)


def element(v: Any) -> str:
    """A set element: ``chairs``, ``3``, ``(s, a)``."""
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(element(x) for x in v) + ")"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return number(v)
    return flat(v)


class _Uni:
    def expr(self, node: ast.AST) -> str:
        return self._e(node)[0]

    def _wrap(self, node: ast.AST, prec: int) -> str:
        text, p = self._e(node)
        return f"({text})" if p < prec else text

    def _e(self, node: ast.AST) -> tuple[str, int]:  # noqa: C901 - one case per node type
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return flat(node.value), _PREC_ATOM
            return number(node.value), _PREC_ATOM
        if isinstance(node, ast.Name):
            return flat(node.id), _PREC_ATOM
        if isinstance(node, ast.Subscript):
            sl = node.slice
            parts = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
            base = flat(node.value.id) if isinstance(node.value, ast.Name) else self.expr(node.value)
            return f"{base}[{', '.join(self.expr(p) for p in parts)}]", _PREC_ATOM
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp):
            inner = self._wrap(node.operand, _PREC_UNARY)
            if isinstance(node.op, ast.USub):
                return f"-{inner}", _PREC_UNARY
            if isinstance(node.op, ast.UAdd):
                return inner, _PREC_UNARY
            return f"¬{inner}", _PREC_UNARY
        if isinstance(node, ast.BoolOp):
            op = " ∧ " if isinstance(node.op, ast.And) else " ∨ "
            return op.join(self._wrap(v, _PREC_CMP) for v in node.values), _PREC_BOOL
        if isinstance(node, ast.Compare):
            out = self._wrap(node.left, _PREC_ADD)
            for o, r in zip(node.ops, node.comparators):
                out += f" {_CMP.get(type(o), '?')} {self._wrap(r, _PREC_ADD)}"
            return out, _PREC_CMP
        if isinstance(node, ast.Tuple):
            return "(" + ", ".join(self.expr(e) for e in node.elts) + ")", _PREC_ATOM
        if isinstance(node, ast.List):
            return "[" + ", ".join(self.expr(e) for e in node.elts) + "]", _PREC_ATOM
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node)
        if isinstance(node, ast.IfExp):
            return (f"{self._wrap(node.body, _PREC_ADD)} if {self.expr(node.test)} "
                    f"else {self._wrap(node.orelse, _PREC_ADD)}"), _PREC_CMP
        return flat(type(node).__name__), _PREC_ATOM

    def _binop(self, node: ast.BinOp) -> tuple[str, int]:
        op = node.op
        if isinstance(op, (ast.Add, ast.Sub)):
            # a sum on the left would swallow what follows: parenthesize it
            left_sum = (isinstance(node.left, ast.Call) and isinstance(node.left.func, ast.Name)
                        and node.left.func.id == "sum")
            left = self._wrap(node.left, _PREC_ADD + left_sum)
            right = self._wrap(node.right, _PREC_ADD + isinstance(op, ast.Sub))
            return f"{left} {'+' if isinstance(op, ast.Add) else '-'} {right}", _PREC_ADD
        if isinstance(op, ast.Mult):
            left = self._wrap(node.left, _PREC_MUL)
            right = self._wrap(node.right, _PREC_MUL + 1)
            coefficient = isinstance(node.left, ast.Constant) and not isinstance(node.left.value, str)
            right_number = isinstance(node.right, ast.Constant)
            if coefficient and not right_number and not right[:1].isdigit():
                return f"{left} {right}", _PREC_MUL  # 5 cake
            return f"{left}·{right}", _PREC_MUL
        if isinstance(op, ast.Div):
            return f"{self._wrap(node.left, _PREC_MUL)} / {self._wrap(node.right, _PREC_MUL + 1)}", _PREC_MUL
        if isinstance(op, ast.Pow):
            base = self._wrap(node.left, _PREC_ATOM)
            exp = node.right
            if isinstance(exp, ast.Constant) and isinstance(exp.value, int) and not isinstance(exp.value, bool):
                return base + str(exp.value).translate(_SUPERSCRIPT), _PREC_POW
            return f"{base}^{self._wrap(exp, _PREC_ATOM)}", _PREC_POW
        if isinstance(op, ast.Mod):
            return f"{self._wrap(node.left, _PREC_MUL)} mod {self._wrap(node.right, _PREC_MUL + 1)}", _PREC_MUL
        return f"{self.expr(node.left)} ? {self.expr(node.right)}", _PREC_ADD

    def _call(self, node: ast.Call) -> tuple[str, int]:
        fn = node.func.id  # type: ignore[attr-defined]
        args = node.args
        if fn == "sum" and len(args) == 1 and isinstance(args[0], (ast.GeneratorExp, ast.ListComp)):
            gen = args[0]
            subs = "".join(f"∑_{{{self.binding(g)}}} " for g in gen.generators)
            return subs + self._wrap(gen.elt, _PREC_MUL), _PREC_ADD
        if fn == "sum" and len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple)):
            return " + ".join(self._wrap(e, _PREC_ADD) for e in args[0].elts) or "0", _PREC_ADD
        if fn in ("len", "abs") and len(args) == 1:
            return f"|{self.expr(args[0])}|", _PREC_ATOM
        if fn == "ceil" and len(args) == 1:
            return f"⌈{self.expr(args[0])}⌉", _PREC_ATOM
        if fn == "floor" and len(args) == 1:
            return f"⌊{self.expr(args[0])}⌋", _PREC_ATOM
        if fn in ("min", "max") and len(args) == 1 \
                and isinstance(args[0], (ast.GeneratorExp, ast.ListComp)):
            gen = args[0]
            subs = ", ".join(self.binding(g) for g in gen.generators)
            return f"{fn}_{{{subs}}} " + self._wrap(gen.elt, _PREC_MUL), _PREC_ADD
        if fn == "piecewise" and len(args) == 3 and all(
                isinstance(a, (ast.List, ast.Tuple)) for a in args[1:]):
            points = " ".join(f"({self.expr(x)}, {self.expr(y)})"
                              for x, y in zip(args[1].elts, args[2].elts))  # type: ignore[attr-defined]
            return f"piecewise({self.expr(args[0])}; {points})", _PREC_ATOM
        if fn == "sqrt" and len(args) == 1:
            return f"√{self._wrap(args[0], _PREC_ATOM)}", _PREC_ATOM
        inner = ", ".join(self.expr(a) for a in args)
        inner += "".join(f", {flat(k.arg)}={self.expr(k.value)}" for k in node.keywords if k.arg)
        return f"{flat(fn)}({inner.lstrip(', ')})", _PREC_ATOM

    def binding(self, g: ast.comprehension) -> str:
        """``i ∈ I`` (with ``: filter`` when the generator has ``if`` clauses)."""
        text = f"{self.expr(g.target)} ∈ {self.expr(g.iter)}"
        if g.ifs:
            text += " : " + " ∧ ".join(self._wrap(c, _PREC_CMP) for c in g.ifs)
        return text


def expr_to_unicode(text: str) -> str:
    """Unicode math for one expression or constraint string; the flattened text if it
    does not parse."""
    try:
        return _Uni().expr(parse(text))
    except ExprError:
        return flat(text)


def forall_to_unicode(text: str) -> str:
    """``∀ i ∈ I, j ∈ J : filter`` for a forall clause."""
    try:
        gens = parse_forall(text)
    except ExprError:
        return "∀ " + flat(text)
    u = _Uni()
    return "∀ " + ", ".join(u.binding(g) for g in gens)


# --------------------------------------------------------------------------- constructs (issue 12b)
def objectives_unicode(f: Any) -> list[tuple[str, str]]:
    """``(line, description)`` rows of the objectives in lexicographic order."""
    weights = weights_shown(f)
    rows = []
    for k, o in ordered(f):
        sense = "max" if o.sense == "maximize" else "min"
        extra = f"priority {o.priority}" + (f", weight {o.weight:g}" if weights else "")
        rows.append((f"{k}. {flat(o.name)}: {sense} {expr_to_unicode(o.expression)}   ({extra})",
                     flat(o.description or "")))
    return rows


def param_definition_unicode(p: Any) -> str:
    """``dist[c, s] = √(...)   ∀ c ∈ C, s ∈ S``."""
    names = index_names(p)
    head = flat(p.name) + (f"[{', '.join(names)}]" if names else "")
    out = f"{head} = {expr_to_unicode(p.expression)}"
    if p.forall and p.forall.strip():
        out += "   " + forall_to_unicode(p.forall)
    return out


def when_unicode(c: Any) -> str:
    """``open[p] = 1 ⇒ `` (empty without an indicator)."""
    if not c.when:
        return ""
    return expr_to_unicode(c.when) + " ⇒ "


# --------------------------------------------------------------------------- sections
def index_letters(f: "Formulation", sets: list[str]) -> list[str]:
    """An index symbol per set, as a reader would write it: ``Products`` -> ``p``; a
    letter already used by the formulation's names (or an earlier set) gets a digit."""
    taken = {s.name for s in f.sets} | {p.name for p in f.parameters} | {v.name for v in f.variables}
    out: list[str] = []
    for name in sets:
        base = (flat(name)[:1] or "i").lower()
        base = base if base.isalpha() else "i"
        letter, k = base, 1
        while letter in taken or letter in out:
            k += 1
            letter = f"{base}{k}"
        out.append(letter)
    return out


def _indexed(f: "Formulation", name: str, index: list[str]) -> tuple[str, str]:
    """``make[p]`` and ``p ∈ Products`` (empty for a scalar)."""
    if not index:
        return flat(name), ""
    letters = index_letters(f, index)
    over = ", ".join(f"{k} ∈ {flat(s)}" for k, s in zip(letters, index))
    return f"{flat(name)}[{', '.join(letters)}]", over


def domain_to_unicode(v: "Variable") -> str:
    """``∈ ℤ, ≥ 0``, ``∈ {0, 1}``, ``∈ [0, 10]``, ``∈ ℤ ∩ [1, 5]``, ``∈ ℝ`` (free)."""
    if v.domain == "binary":
        return "∈ {0, 1}"
    base = "ℤ" if v.domain == "integer" else "ℝ"
    lo, hi = v.lower, v.upper
    if lo is not None and hi is not None:
        interval = f"[{number(float(lo))}, {number(float(hi))}]"
        return f"∈ ℤ ∩ {interval}" if v.domain == "integer" else f"∈ {interval}"
    if lo is not None:
        return f"∈ {base}, ≥ {number(float(lo))}"
    if hi is not None:
        return f"∈ {base}, ≤ {number(float(hi))}"
    return f"∈ {base}"


def _param_values(p: "Parameter", f: "Formulation") -> Any:
    """Resolved values of a parameter (a number, a dict, or None when unreadable)."""
    from optimus.render.latex import _param_table

    table, _ = _param_table(p, f)
    return table


def _value_text(v: Any) -> str:
    return element(v) if isinstance(v, str) else number(float(v))


def _param_line(p: "Parameter", f: "Formulation") -> str:
    if getattr(p, "expression", None) is not None:  # computed: its definition
                return param_definition_unicode(p)
    sym, over = _indexed(f, p.name, p.index)
    values = _param_values(p, f)
    if not p.index:
        shown = _value_text(values) if isinstance(values, (int, float, str)) else "?"
        return f"{sym} = {shown}"
    line = f"{sym}, {over}"
    if isinstance(values, dict) and values:
        if len(values) <= _INLINE_ENTRIES:
            def key(k: Any) -> str:
                return element(k[0]) if isinstance(k, tuple) and len(k) == 1 else element(k)
            line += ": {" + ", ".join(f"{key(k)}: {_value_text(v)}" for k, v in values.items()) + "}"
        elif any(isinstance(v, str) for v in values.values()):
            line += f": {len(values)} texts"
        else:
            vals = [float(v) for v in values.values()]
            line += (f": {len(vals)} values from {number(min(vals))} to {number(max(vals))} "
                     f"(mean {number(sum(vals) / len(vals))})")
    if p.data is not None:
        line += f"  (from file {flat(p.data.path)})"
    if p.default is not None:
        line += f"  (default {number(float(p.default))})"
    return line


def unicode_sections(f: "Formulation") -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(section title, [(line, description), ...]), ...]``: the formulation as Unicode
    math, section by section (Sets, Parameters, Variables, Objective, Constraints)."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    if f.sets:
        rows = []
        for s in f.sets:
            if s.elements is None:
                shown = (f"{s.range[0]}, …, {s.range[1]}" if s.range and len(s.range) >= 2 else
                         flat(f"column {s.data.column or s.data.index_columns} of {s.data.path}")
                         if s.data is not None else "")
            else:
                shown = ", ".join(element(e) for e in s.elements[:_MAX_SET_ELEMENTS])
            if s.elements is not None and len(s.elements) > _MAX_SET_ELEMENTS:
                shown += f", … ({len(s.elements)} elements)"
            rows.append((f"{flat(s.name)} = {{{shown}}}", flat(s.description or "")))
        out.append(("Sets", rows))
    if f.parameters:
        out.append(("Parameters", [(_param_line(p, f), flat(p.description or ""))
                                   for p in f.parameters]))
    rows = []
    for v in f.variables:
        sym, over = _indexed(f, v.name, v.index)
        line = f"{sym} {domain_to_unicode(v)}" + (f"   ∀ {over}" if over else "")
        rows.append((line, flat(v.description or "")))
    out.append(("Variables", rows))
    if f.objective is None:  # several objectives, lexicographic (optimus.objectives)
                out.append(("Objectives", objectives_unicode(f)))
    else:
        sense = "max" if f.objective.sense == "maximize" else "min"
        out.append(("Objective", [(f"{sense} {expr_to_unicode(f.objective.expression)}",
                                   flat(f.objective.description or ""))]))
    if f.constraints:
        rows = []
        for c in f.constraints:
            body = expr_to_unicode(c.expression)
            if getattr(c, "when", None):  # an indicator: premise ⇒ constraint
                                body = when_unicode(c) + body
            if c.forall and c.forall.strip():
                body += "   " + forall_to_unicode(c.forall)
            rows.append((f"{flat(c.name)}: {body}", flat(c.description or "")))
        out.append(("Constraints", rows))
    return out


def to_unicode(f: "Formulation") -> str:
    """The whole formulation as Unicode text (name, assumptions, then the sections).

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"name": "bakery",
    ...     "variables": [{"name": "cake", "domain": "integer"}, {"name": "pie", "domain": "integer"}],
    ...     "constraints": [{"name": "oven", "expression": "2*cake + pie <= 40"}],
    ...     "objective": {"sense": "maximize", "expression": "5*cake + 3*pie"}})
    >>> print(to_unicode(f))
    bakery
    Variables
      cake ∈ ℤ, ≥ 0
      pie ∈ ℤ, ≥ 0
    Objective
      max 5 cake + 3 pie
    Constraints
      oven: 2 cake + pie ≤ 40
    """
    lines = [flat(f.name)]
    if f.description:
        lines.append(flat(f.description))
    lines += [f"assume: {flat(a)}" for a in f.assumptions]
    for title, rows in unicode_sections(f):
        lines.append(title)
        for line, desc in rows:
            lines.append(f"  {line}" + (f"   ({desc})" if desc else ""))
    return "\n".join(lines)
