"""A compact plain-text form of a formulation (for repair prompts and transcripts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimus.formulation import Formulation

_MAX_ELEMENTS = 12
_MAX_ENTRIES = 12


def _elems(values: list, limit: int | None = _MAX_ELEMENTS) -> str:
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if limit is not None and len(values) > limit else "")


def _num(v: float) -> str:
    """A number in full precision (the compact form goes into repair prompts and chat
    diffs, so ``:g``'s six digits would lose or hide changes): ``3``, ``2.5``, ``1e-07``."""
    if isinstance(v, str):
        return repr(v)
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def compact_text(f: "Formulation", *, full: bool = False) -> str:
    """Sets, parameters (values abbreviated), variables, constraints and objective.

    ``full=True`` lists every set element and table entry (to compare two formulations:
    the abbreviated form hides a change past the first entries)."""
    max_elements = None if full else _MAX_ELEMENTS
    max_entries = None if full else _MAX_ENTRIES
    lines = [f"model {f.name}"]
    for a in f.assumptions:
        lines.append(f"assume: {a}")
    for s in f.sets:
        if s.elements is not None:
            lines.append(f"set {s.name} = {{{_elems(s.elements, max_elements)}}}")
        elif s.range is not None:
            lines.append(f"set {s.name} = range {s.range}")
        elif s.data is not None:
            lines.append(f"set {s.name} = <from {s.data.path}, column {s.data.column or s.data.index_columns}>")
        else:
            lines.append(f"set {s.name} = ?")
    for p in f.parameters:
        idx = f"[{', '.join(p.index)}]" if p.index else ""
        if p.expression is not None:
            val = f"{p.expression}" + (f" for {p.forall}" if p.forall else "")
        elif not p.index:
            val = "?" if p.value is None else _num(p.value)
        elif p.values is not None:
            ents = [f"{'/'.join(str(i) for i in e.index)}: {_num(e.value)}" for e in p.values[:max_entries]]
            more = max_entries is not None and len(p.values) > max_entries
            val = "{" + ", ".join(ents) + (f", ... ({len(p.values)} entries)" if more else "") + "}"
        elif p.data is not None:
            d = p.data
            val = f"<from {d.path}" + (f", key {d.key}" if d.key else "") + \
                (f", column {d.column}" if d.column else "") + \
                (f", keys {d.index_columns}" if d.index_columns else "") + ">"
        else:
            val = "{}"
        if p.default is not None:
            val += f" default {_num(p.default)}"
        lines.append(f"param {p.name}{idx} = {val}")
    for v in f.variables:
        idx = f"[{', '.join(v.index)}]" if v.index else ""
        lo = "-inf" if v.lower is None else _num(v.lower)
        hi = "inf" if v.upper is None else _num(v.upper)
        lines.append(f"var {v.name}{idx} {v.domain} in [{lo}, {hi}]")
    for c in f.constraints:
        fa = f" forall {c.forall}" if c.forall else ""
        when = f" when {c.when}" if c.when else ""
        lines.append(f"subject to {c.name}{fa}{when}: {c.expression}")
    if f.objective is None:
        from optimus.render.constructs_b import objectives_text

        lines.extend(objectives_text(f))
    else:
        lines.append(f"{f.objective.sense} {f.objective.expression}")
    return "\n".join(lines)
