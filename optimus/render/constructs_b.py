"""Rendering of several objectives, computed parameters and indicator constraints:
the shared pieces (order, index names, the plain-text form). The LaTeX forms live in
:mod:`optimus.render.latex`, the Unicode forms in :mod:`optimus.render.unicode_math`,
both used by the LaTeX/Markdown (:mod:`optimus.render.latex`, the HTML view) and the Unicode
console math (:mod:`optimus.render.unicode_math`):

* ``objectives`` as a numbered list in priority order, each with its sense, name,
  priority and weight (lexicographic: each level optimized without worsening earlier
  ones);
* a computed parameter as its definition, ``dist_{c,s} = \\sqrt{...}  \\forall c, s``;
* an indicator constraint as ``open_p = 1 \\Rightarrow (body)``.

>>> from optimus.formulation import Formulation
>>> f = Formulation.model_validate({"variables": [{"name": "x"}], "objectives": [
...     {"name": "a", "sense": "minimize", "expression": "x", "priority": 2},
...     {"name": "b", "sense": "maximize", "expression": "x", "priority": 1}]})
>>> [o.name for _, o in ordered(f)]
['b', 'a']
"""

from __future__ import annotations

from typing import Any

from optimus.expressions import ExprError, parse
from optimus.objectives import levels_of

__all__ = ["ordered", "weights_shown", "index_names", "objectives_text"]


def ordered(f: Any) -> list[tuple[int, Any]]:
    out = []
    for k, level in enumerate(levels_of(f.objectives or []), start=1):
        out.extend((k, o) for o in level)
    return out


def weights_shown(f: Any) -> bool:
    return any(len(level) > 1 for level in levels_of(f.objectives or []))


def objectives_text(f: Any) -> list[str]:
    """Plain lines for the compact text form."""
    return [f"objective {o.name} (priority {o.priority}, weight {o.weight:g}): {o.sense} "
            f"{o.expression}" for _, o in ordered(f)]


def index_names(p: Any) -> list[str]:
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


