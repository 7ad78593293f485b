"""Rendering of several objectives, computed parameters and indicator constraints.

Shared by the LaTeX/Markdown (:mod:`optimus.render.latex`, the HTML view) and the Unicode
console math (:mod:`optimus.render.unicode_math`):

* ``objectives`` as a numbered list in priority order, each with its sense, name,
  priority and weight (lexicographic: each level optimized without worsening earlier
  ones);
* a computed parameter as its definition, ``dist_{c,s} = \\sqrt{...}  \\forall c, s``;
* an indicator constraint as ``open_p = 1 \\Rightarrow (body)``.

>>> from optimus.formulation import Constraint
>>> when_unicode(Constraint(name="c", expression="x[p] <= 5", when="open[p] == 1"))
'open[p] = 1 ⇒ '
"""

from __future__ import annotations

from typing import Any

from optimus.expressions import ExprError, parse
from optimus.objectives import levels_of

__all__ = ["objectives_latex", "objectives_unicode", "param_definition_latex",
           "param_definition_unicode", "when_latex", "when_unicode", "objectives_text"]


def _ordered(f: Any) -> list[tuple[int, Any]]:
    out = []
    for k, level in enumerate(levels_of(f.objectives or []), start=1):
        out.extend((k, o) for o in level)
    return out


def _weights_shown(f: Any) -> bool:
    return any(len(level) > 1 for level in levels_of(f.objectives or []))


def objectives_latex(f: Any, tex: Any) -> list[str]:
    """Markdown lines: the objectives in lexicographic order, as LaTeX."""
    from optimus.render.latex import _tex_text, md_escape

    lines = ["Lexicographic: each priority level is optimized in turn, without worsening "
             "the levels before it; objectives of equal priority are blended by weight.", ""]
    weights = _weights_shown(f)
    for k, o in _ordered(f):
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


def objectives_unicode(f: Any) -> list[tuple[str, str]]:
    """``(line, description)`` rows of the objectives in lexicographic order."""
    from optimus.render.unicode_math import expr_to_unicode, flat

    weights = _weights_shown(f)
    rows = []
    for k, o in _ordered(f):
        sense = "max" if o.sense == "maximize" else "min"
        extra = f"priority {o.priority}" + (f", weight {o.weight:g}" if weights else "")
        rows.append((f"{k}. {flat(o.name)}: {sense} {expr_to_unicode(o.expression)}   ({extra})",
                     flat(o.description or "")))
    return rows


def objectives_text(f: Any) -> list[str]:
    """Plain lines for the compact text form."""
    return [f"objective {o.name} (priority {o.priority}, weight {o.weight:g}): {o.sense} "
            f"{o.expression}" for _, o in _ordered(f)]


def _index_names(p: Any) -> list[str]:
    from optimus.expressions import parse_forall

    try:
        gens = parse_forall(p.forall or "")
    except ExprError:
        return []
    names: list[str] = []
    for g in gens:
        t = g.target
        names.extend([e.id for e in t.elts] if hasattr(t, "elts") else [t.id])  # type: ignore[attr-defined]
    return names


def param_definition_latex(p: Any, tex: Any) -> str:
    """``dist_{c, s} = \\sqrt{...} \\quad \\forall c \\in C, s \\in S`` (LaTeX)."""
    from optimus.render.latex import _name, _tex_text, forall_to_latex

    names = _index_names(p)
    head = _name(p.name) + ("_{" + ", ".join(_name(n) for n in names) + "}" if names else "")
    try:
        body = tex.expr(parse(p.expression))
    except ExprError:
        body = _tex_text(p.expression)
    out = f"{head} = {body}"
    if p.forall and p.forall.strip():
        out += r" \quad " + forall_to_latex(p.forall)
    return out


def param_definition_unicode(p: Any) -> str:
    """``dist[c, s] = √(...)   ∀ c ∈ C, s ∈ S``."""
    from optimus.render.unicode_math import expr_to_unicode, flat, forall_to_unicode

    names = _index_names(p)
    head = flat(p.name) + (f"[{', '.join(names)}]" if names else "")
    out = f"{head} = {expr_to_unicode(p.expression)}"
    if p.forall and p.forall.strip():
        out += "   " + forall_to_unicode(p.forall)
    return out


def when_latex(c: Any, sets: set[str] | None = None) -> str:
    """The indicator's premise and arrow, ``open_{p} = 1 \\Rightarrow`` (empty without one)."""
    if not c.when:
        return ""
    from optimus.render.latex import expr_to_latex

    return expr_to_latex(c.when, sets) + r" \Rightarrow "


def when_unicode(c: Any) -> str:
    """``open[p] = 1 ⇒ `` (empty without an indicator)."""
    if not c.when:
        return ""
    from optimus.render.unicode_math import expr_to_unicode

    return expr_to_unicode(c.when) + " ⇒ "
