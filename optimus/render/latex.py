"""Render a formulation (and optionally its solution) as Markdown with LaTeX math.

Math goes in ``$$ ... $$`` blocks (MathJax/KaTeX, GitHub, Jupyter). Expressions are
translated by walking the whitelisted tree from :func:`optimus.expressions.parse`:
``sum(c[i] * x[i] for i in I if c[i] > 0)`` becomes
``\\sum_{i \\in I \\,:\\, c_{i} > 0} c_{i} \\, x_{i}``; a ``forall`` becomes
``\\forall i \\in I``. Every name, set element, description and assumption is escaped
(LaTeX specials inside math, Markdown and HTML specials outside), so text from a
formulation cannot change the document's structure.

Example::

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "sets": [{"name": "P", "elements": ["a", "b"]}],
    ...     "variables": [{"name": "x", "index": ["P"]}],
    ...     "constraints": [{"name": "cap", "expression": "sum(x[p] for p in P) <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "sum(x[p] for p in P)"}})
    >>> "\\\\sum_{p \\\\in P}" in to_markdown(f)
    True
"""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING, Any

from optimus.expressions import ExprError, parse, parse_forall
from optimus.render.constructs_b import index_names, ordered, weights_shown

if TYPE_CHECKING:
    from optimus.formulation import Formulation, Parameter
    from optimus.result import Result

__all__ = ["to_markdown", "tex_escape", "md_escape", "expr_to_latex"]

_SMALL_TABLE = 24  # entries shown in full
_MAX_SET_ELEMENTS = 20
_MAX_VARIABLES = 60

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
}


def _flat(text: Any) -> str:
    """One line: every non-printable character (newlines included) becomes a space."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(s.split())


def tex_escape(text: Any) -> str:
    """Escape ``text`` for LaTeX text mode (inside ``\\text{}``) on one line."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in _flat(text))


def _tex_text(text: Any) -> str:
    """``\\text{...}`` of escaped text; ``<``/``>`` go through math mode (HTML safety)."""
    parts = tex_escape(text).replace(">", "<").split("<")
    raw = _flat(text)
    seps = [r"\lt " if ch == "<" else r"\gt " for ch in raw if ch in "<>"]
    out = rf"\text{{{parts[0]}}}"
    for sep, part in zip(seps, parts[1:]):
        out += sep + rf"\text{{{part}}}"
    return out


def md_escape(text: Any) -> str:
    """Escape ``text`` for Markdown prose on one line (no HTML, no math, no links)."""
    s = _flat(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = []
    for ch in s:
        if ch in "\\`*_[]{}()#+!|$~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _name(name: Any) -> str:
    """A symbol name in math: one letter italic, longer names ``\\mathit{...}``."""
    s = _flat(name)
    if len(s) == 1 and s.isalpha() and s.isascii():
        return s
    if s.isascii() and s.replace("_", "").isalnum():
        return r"\mathit{" + s.replace("_", r"\_") + "}"
    return _tex_text(s)


def _number(v: Any) -> str:
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return r"\infty" if v > 0 else r"-\infty"
        if math.isnan(v):
            return r"\mathrm{NaN}"
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        s = f"{v:.6g}"
        if "e" in s:
            mant, exp = s.split("e")
            return rf"{mant} \times 10^{{{int(exp)}}}"
        return s
    return _tex_text(v)


def _element(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_element(x) for x in v) + ")"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _number(v)
    return _tex_text(v)


# --------------------------------------------------------------------------- expressions
_PREC_ADD, _PREC_MUL, _PREC_UNARY, _PREC_POW, _PREC_ATOM = 1, 2, 3, 4, 5
_CMP = {ast.Eq: "=", ast.NotEq: r"\neq", ast.Lt: "<", ast.LtE: r"\leq", ast.Gt: ">",
        ast.GtE: r"\geq", ast.In: r"\in", ast.NotIn: r"\notin"}


class _Tex:
    def __init__(self, sets: set[str]):
        self.sets = sets

    def expr(self, node: ast.AST) -> str:
        return self._e(node)[0]

    def _wrap(self, node: ast.AST, prec: int) -> str:
        text, p = self._e(node)
        return rf"\left({text}\right)" if p < prec else text

    def _e(self, node: ast.AST) -> tuple[str, int]:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return _tex_text(node.value), _PREC_ATOM
            return _number(node.value), _PREC_ATOM
        if isinstance(node, ast.Name):
            return _name(node.id), _PREC_ATOM
        if isinstance(node, ast.Subscript):
            sl = node.slice
            parts = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
            base = _name(node.value.id) if isinstance(node.value, ast.Name) else "?"
            return base + "_{" + ", ".join(self.expr(p) for p in parts) + "}", _PREC_ATOM
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.Add, ast.Sub)):
                # a sum on the left would swallow what follows: parenthesize it
                is_sum = isinstance(node.left, ast.Call) and isinstance(node.left.func, ast.Name) \
                    and node.left.func.id == "sum"
                left = self._wrap(node.left, _PREC_ADD + is_sum)
                right = self._wrap(node.right, _PREC_ADD + (isinstance(node.op, ast.Sub)))
                return f"{left} {'+' if isinstance(node.op, ast.Add) else '-'} {right}", _PREC_ADD
            if isinstance(node.op, ast.Mult):
                left = self._wrap(node.left, _PREC_MUL)
                right = self._wrap(node.right, _PREC_MUL + 1)
                sep = r"\cdot" if isinstance(node.right, ast.Constant) else r"\,"
                return f"{left} {sep} {right}", _PREC_MUL
            if isinstance(node.op, ast.Div):
                return rf"\frac{{{self.expr(node.left)}}}{{{self.expr(node.right)}}}", _PREC_ATOM
            if isinstance(node.op, ast.Pow):
                return f"{self._wrap(node.left, _PREC_ATOM)}^{{{self.expr(node.right)}}}", _PREC_POW
        if isinstance(node, ast.UnaryOp):
            inner = self._wrap(node.operand, _PREC_UNARY)
            if isinstance(node.op, ast.USub):
                return f"-{inner}", _PREC_UNARY
            if isinstance(node.op, ast.UAdd):
                return inner, _PREC_UNARY
            return rf"\lnot {inner}", _PREC_UNARY
        if isinstance(node, ast.BoolOp):
            op = r" \land " if isinstance(node.op, ast.And) else r" \lor "
            return op.join(self._wrap(v, _PREC_ADD) for v in node.values), 0
        if isinstance(node, ast.Compare):
            out = self.expr(node.left)
            for o, r in zip(node.ops, node.comparators):
                out += f" {_CMP.get(type(o), '?')} {self.expr(r)}"
            return out, 0
        if isinstance(node, ast.Tuple):
            return "(" + ", ".join(self.expr(e) for e in node.elts) + ")", _PREC_ATOM
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node)
        if isinstance(node, ast.List):
            return "[" + ", ".join(self.expr(e) for e in node.elts) + "]", _PREC_ATOM
        return _tex_text(type(node).__name__), _PREC_ATOM

    def _call(self, node: ast.Call) -> tuple[str, int]:
        fn = node.func.id  # type: ignore[attr-defined]
        args = node.args
        if fn == "sum" and len(args) == 1 and isinstance(args[0], (ast.GeneratorExp, ast.ListComp)):
            gen = args[0]
            subs = "".join(rf"\sum_{{{self.binding(g)}}} " for g in gen.generators)
            return subs + self._wrap(gen.elt, _PREC_MUL), _PREC_ADD
        if fn == "sum" and len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple)):
            return " + ".join(self._wrap(e, _PREC_ADD) for e in args[0].elts) or "0", _PREC_ADD
        if fn == "len" and len(args) == 1:
            return rf"\left|{self.expr(args[0])}\right|", _PREC_ATOM
        if fn == "abs" and len(args) == 1:
            return rf"\left|{self.expr(args[0])}\right|", _PREC_ATOM
        if fn in ("min", "max") and len(args) == 1 \
                and isinstance(args[0], (ast.GeneratorExp, ast.ListComp)):
            gen = args[0]
            subs = ",\\ ".join(self.binding(g) for g in gen.generators)
            return rf"\{fn}_{{{subs}}} " + self._wrap(gen.elt, _PREC_MUL), _PREC_ADD
        if fn in ("min", "max"):
            return rf"\{fn}\left({', '.join(self.expr(a) for a in args)}\right)", _PREC_ATOM
        if fn == "sqrt" and len(args) == 1:
            return rf"\sqrt{{{self.expr(args[0])}}}", _PREC_ATOM
        if fn in ("ceil", "floor") and len(args) == 1:
            return rf"\left\l{fn}{self.expr(args[0])}\right\r{fn}", _PREC_ATOM
        if fn in ("exp", "log"):
            return rf"\{fn}\left({', '.join(self.expr(a) for a in args)}\right)", _PREC_ATOM
        if fn == "piecewise" and len(args) == 3 and all(
                isinstance(a, (ast.List, ast.Tuple)) for a in args[1:]):
            points = ", ".join(f"({self.expr(x)}, {self.expr(y)})"
                               for x, y in zip(args[1].elts, args[2].elts))  # type: ignore[attr-defined]
            return (rf"\operatorname{{piecewise}}\left({self.expr(args[0])};\ {points}\right)",
                    _PREC_ATOM)
        return _tex_text(fn) + r"\left(" + ", ".join(self.expr(a) for a in args) + r"\right)", _PREC_ATOM

    def binding(self, g: ast.comprehension) -> str:
        """``i \\in I`` (with ``: filter`` when the generator has ``if`` clauses)."""
        text = f"{self.expr(g.target)} \\in {self.expr(g.iter)}"
        if g.ifs:
            text += r" \,:\, " + r" \land ".join(self.expr(c) for c in g.ifs)
        return text


# --------------------------------------------------------------------------- constructs (issue 12b)
def objectives_latex(f: Any, tex: Any) -> list[str]:
    """Markdown lines: the objectives in lexicographic order, as LaTeX."""
    lines = ["Lexicographic: each priority level is optimized in turn, without worsening "
             "the levels before it; objectives of equal priority are blended by weight.", ""]
    weights = weights_shown(f)
    for k, o in ordered(f):
        sense = r"\max" if o.sense == "maximize" else r"\min"
        try:
            body = tex.expr(parse(o.expression))
        except ExprError:
            body = _tex_text(o.expression)
        extra = f"priority {o.priority}" + (f", weight {o.weight:g}" if weights else "")
        desc = f" — {md_escape(o.description)}" if o.description else ""
        lines.append(f"{k}. **{md_escape(o.name)}** ({extra}): "
                     f"${sense} \\quad {body}${desc}")
    lines.append("")
    return lines


def param_definition_latex(p: Any, tex: Any) -> str:
    """``dist_{c, s} = \\sqrt{...} \\quad \\forall c \\in C, s \\in S`` (LaTeX)."""
    names = index_names(p)
    head = _name(p.name) + ("_{" + ", ".join(_name(n) for n in names) + "}" if names else "")
    try:
        body = tex.expr(parse(p.expression))
    except ExprError:
        body = _tex_text(p.expression)
    out = f"{head} = {body}"
    if p.forall and p.forall.strip():
        out += r" \quad " + forall_to_latex(p.forall)
    return out


def when_latex(c: Any, sets: set[str] | None = None) -> str:
    """The indicator's premise and arrow, ``open_{p} = 1 \\Rightarrow`` (empty without one)."""
    if not c.when:
        return ""
    return expr_to_latex(c.when, sets) + r" \Rightarrow "


def expr_to_latex(text: str, sets: set[str] | None = None) -> str:
    """LaTeX for one expression or constraint string; escaped plain text if it won't parse."""
    try:
        return _Tex(sets or set()).expr(parse(text))
    except ExprError:
        return _tex_text(text)


def forall_to_latex(text: str) -> str:
    """``\\forall i \\in I, j \\in J : filter`` for a forall clause."""
    try:
        gens = parse_forall(text)
    except ExprError:
        return r"\forall " + _tex_text(text)
    t = _Tex(set())
    return r"\forall " + r",\ ".join(t.binding(g) for g in gens)


# --------------------------------------------------------------------------- sections
def _param_table(p: "Parameter", f: "Formulation") -> tuple[dict | float | None, str | None]:
    """Resolved values (or None) and a note about where they come from."""
    from optimus.data import canonical_sets, parameter_table, table_store

    issues: list = []
    try:
        store = table_store(f)
        sets = canonical_sets(f, issues, store)
        members = {k: set(v) for k, v in sets.items()}
        table = parameter_table(p, sets, members, store, issues, complete=False)
    except Exception:  # rendering must not fail on bad data
        table = None
    note = f"from file `{p.data.path}`" if p.data is not None else None
    return table, note


def _md_cell(v: Any) -> str:
    if isinstance(v, float):
        return md_escape(f"{v:.10g}")
    return md_escape(v)


def _param_block(p: "Parameter", f: "Formulation") -> list[str]:
    idx = ", ".join(_name(s) for s in p.index)
    head = _name(p.name) + (f"_{{{idx}}}" if p.index else "")
    desc = f" — {md_escape(p.description)}" if p.description else ""
    if getattr(p, "expression", None) is not None:  # computed: its definition
                return [f"- ${param_definition_latex(p, _Tex({s.name for s in f.sets}))}${desc}"]
    table, note = _param_table(p, f)  # note: data file, if any
    lines: list[str] = []
    if not p.index:
        val = _number(float(table)) if isinstance(table, (int, float)) else r"\text{?}"
        lines.append(f"- ${head} = {val}${desc}")
        return lines
    over = r",\ ".join(f"{_name(s)}" for s in p.index)
    extra = []
    if note:
        extra.append("from file " + md_escape(p.data.path))  # type: ignore[union-attr]
    if p.default is not None:
        extra.append(f"default {md_escape(f'{p.default:g}')}")
    lines.append(f"- ${head}$ over ${over}${desc}" + (f" ({'; '.join(extra)})" if extra else ""))
    if not isinstance(table, dict) or not table:
        return lines
    if len(table) <= _SMALL_TABLE:
        lines.append("")
        names = [md_escape(s) for s in p.index]
        lines.append("  | " + " | ".join(names + [md_escape(p.name)]) + " |")
        lines.append("  |" + "---|" * (len(names) + 1))
        for key, value in table.items():
            cells = [_md_cell(k) for k in key]
            if len(cells) != len(names):  # tuple-valued sets: keys are flattened
                cells = [md_escape(", ".join(str(k) for k in key))] + [""] * (len(names) - 1)
            lines.append("  | " + " | ".join(cells + [_md_cell(value)]) + " |")
        lines.append("")
    elif any(isinstance(v, str) for v in table.values()):
        lines.append(f"  - {len(table)} texts, e.g. {md_escape(next(iter(table.values())))}")
    else:
        vals = list(table.values())
        lines.append(f"  - {len(vals)} values, from {md_escape(f'{min(vals):g}')} to "
                     f"{md_escape(f'{max(vals):g}')} (mean {md_escape(f'{sum(vals) / len(vals):g}')})")
    return lines


def _domain(v: Any) -> str:
    if v.domain == "binary":
        return r"\in \{0, 1\}"
    base = r"\mathbb{Z}" if v.domain == "integer" else r"\mathbb{R}"
    lo, hi = v.lower, v.upper
    if lo is not None and hi is not None:
        return rf"\in {base},\ {_number(float(lo))} \leq {_sym_var(v)} \leq {_number(float(hi))}"
    if lo is not None:
        if lo == 0:
            return rf"\in {base}_{{\geq 0}}"
        return rf"\in {base},\ {_sym_var(v)} \geq {_number(float(lo))}"
    if hi is not None:
        return rf"\in {base},\ {_sym_var(v)} \leq {_number(float(hi))}"
    return rf"\in {base}"


def _sym_var(v: Any) -> str:
    idx = ", ".join(_name(s) for s in v.index)
    return _name(v.name) + (f"_{{{idx}}}" if v.index else "")


def to_markdown(f: "Formulation", result: "Result | None" = None) -> str:
    """The formulation as Markdown with LaTeX math; with ``result``, its solution too."""
    sets = {s.name for s in f.sets}
    tex = _Tex(sets)
    L: list[str] = [f"# {md_escape(f.name)}", ""]
    if f.description:
        L += [md_escape(f.description), ""]
    if f.assumptions:
        L += ["**Assumptions**", ""]
        L += [f"- {md_escape(a)}" for a in f.assumptions]
        L.append("")

    if f.sets:
        L += ["## Sets", ""]
        for s in f.sets:
            if s.elements is None:
                if s.range is not None and len(s.range) >= 2:
                    shown = rf"{s.range[0]}, \ldots, {s.range[1]}"
                elif s.data is not None:
                    shown = r"\text{" + _tex_text(f"column {s.data.column or '?'} of {s.data.path}") + "}"
                else:
                    shown = ""
                elems = []
            else:
                elems = s.elements[:_MAX_SET_ELEMENTS]
                shown = ", ".join(_element(e) for e in elems)
            if s.elements is not None and len(s.elements) > _MAX_SET_ELEMENTS:
                shown += rf", \ldots \text{{ ({len(s.elements)} elements)}}"
            desc = f" — {md_escape(s.description)}" if s.description else ""
            L.append(f"- ${_name(s.name)} = \\{{{shown}\\}}${desc}")
        L.append("")

    if f.parameters:
        L += ["## Parameters", ""]
        for p in f.parameters:
            L += _param_block(p, f)
        L.append("")

    L += ["## Variables", ""]
    for v in f.variables:
        desc = f" — {md_escape(v.description)}" if v.description else ""
        L.append(f"- ${_sym_var(v)} {_domain(v)}${desc}"
                 + (f" (over ${', '.join(_name(s) for s in v.index)}$)" if v.index else ""))
    L.append("")

    if f.objective is None:  # several objectives (optimus.objectives)
                L += ["## Objectives", ""] + objectives_latex(f, tex)
    else:
        L += ["## Objective", ""]
        sense = r"\max" if f.objective.sense == "maximize" else r"\min"
        try:
            obj = tex.expr(parse(f.objective.expression))
        except ExprError:
            obj = _tex_text(f.objective.expression)
        if f.objective.description:
            L += [md_escape(f.objective.description), ""]
        L += ["$$", rf"{sense} \quad {obj}", "$$", ""]

    if f.constraints:
        L += ["## Constraints", ""]
        for c in f.constraints:
            title = f"**{md_escape(c.name)}**"
            if c.description:
                title += f" — {md_escape(c.description)}"
            L += [title, ""]
            body = expr_to_latex(c.expression, sets)
            if getattr(c, "when", None):  # an indicator: premise => constraint
                                body = when_latex(c, sets) + body
            if c.forall and c.forall.strip():
                body += r" \qquad " + forall_to_latex(c.forall)
            L += ["$$", body, "$$", ""]

    if result is not None:
        L += _solution(result)
    return "\n".join(L).rstrip() + "\n"


def _range_cell(rng: list) -> str:
    lo, hi = (rng + [None, None])[:2]
    left = "-∞" if lo is None else _md_cell(float(lo))
    right = "∞" if hi is None else _md_cell(float(hi))
    return f"[{left}, {right}]"


def _sensitivity(s: Any) -> list[str]:
    """Shadow prices, slacks and ranges: sentences, then the constraints as a table."""
    L = ["### Sensitivity", ""]
    if s.note:
        L += [f"*{md_escape(s.note)}*", ""]
    L += [f"- {md_escape(t)}" for t in s.sentences()]
    L.append("")
    if s.constraints:
        L += ["| Constraint | Activity | Slack | Dual | RHS range |", "|---|---|---|---|---|"]
        for c in s.constraints[:_MAX_VARIABLES]:
            idx = ", ".join(_element(i) for i in c.index)
            sym = _name(c.name) + (f"_{{{idx}}}" if c.index else "")
            slack = "" if c.slack is None else _md_cell(float(c.slack))
            L.append(f"| ${sym}$ | {_md_cell(float(c.activity))} | {slack} | "
                     f"{_md_cell(float(c.dual))} | {_range_cell(list(c.rhs_range))} |")
        if len(s.constraints) > _MAX_VARIABLES:
            L.append(f"| … | {len(s.constraints) - _MAX_VARIABLES} more | | | |")
        L.append("")
    return L


def _solution(r: "Result") -> list[str]:
    L = ["## Solution", "", f"- Status: **{md_escape(r.status)}**"]
    if r.objective is not None:
        L.append(f"- Objective: ${_number(float(r.objective))}$")
    for name, value in (getattr(r, "objectives", None) or {}).items():  # lexicographic
        L.append(f"  - {md_escape(name)}: ${_number(float(value))}$")
    if r.gap is not None and r.gap > 0:
        L.append(f"- Gap: {md_escape(f'{r.gap:.3g}')}")
    nonzero = [v for v in r.variables if abs(v.value) > 1e-9]
    L.append("")
    if nonzero:
        L += ["| Variable | Value |", "|---|---|"]
        for v in nonzero[:_MAX_VARIABLES]:
            idx = ", ".join(_element(i) for i in v.index)
            sym = _name(v.name) + (f"_{{{idx}}}" if v.index else "")
            L.append(f"| ${sym}$ | {_md_cell(float(v.value))} |")
        if len(nonzero) > _MAX_VARIABLES:
            L.append(f"| … | {len(nonzero) - _MAX_VARIABLES} more nonzero |")
        zeros = len(r.variables) - len(nonzero)
        L.append("")
        if zeros:
            L += [f"All other variables ({zeros}) are zero.", ""]
    elif r.variables:
        L += ["All variables are zero.", ""]
    sens = getattr(r, "sensitivity", None)
    if sens is not None:
        L += _sensitivity(sens)
    if r.diagnosis is not None:
        text = r.diagnosis.text()
        if text:
            L += ["### Diagnosis", ""]
            for line in text.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    L.append("- " + md_escape(line[2:]))
                elif line:
                    L.append(md_escape(line) + "  ")
            L.append("")
    return L
