"""A compact plain-text form of a formulation (for repair prompts and transcripts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimus.formulation import Formulation

_MAX_ELEMENTS = 12
_MAX_ENTRIES = 12


def _elems(values: list) -> str:
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:_MAX_ELEMENTS])
    return shown + (f", ... ({len(values)} in all)" if len(values) > _MAX_ELEMENTS else "")


def compact_text(f: "Formulation") -> str:
    """Sets, parameters (values abbreviated), variables, constraints and objective."""
    lines = [f"model {f.name}"]
    for a in f.assumptions:
        lines.append(f"assume: {a}")
    for s in f.sets:
        lines.append(f"set {s.name} = {{{_elems(s.elements)}}}")
    for p in f.parameters:
        idx = f"[{', '.join(p.index)}]" if p.index else ""
        if not p.index:
            val = "?" if p.value is None else f"{p.value:g}"
        elif p.values is not None:
            ents = [f"{'/'.join(str(i) for i in e.index)}: {e.value:g}" for e in p.values[:_MAX_ENTRIES]]
            val = "{" + ", ".join(ents) + (f", ... ({len(p.values)} entries)" if len(p.values) > _MAX_ENTRIES else "") + "}"
        elif p.data is not None:
            val = f"<from {p.data.path}>"
        else:
            val = "{}"
        if p.default is not None:
            val += f" default {p.default:g}"
        lines.append(f"param {p.name}{idx} = {val}")
    for v in f.variables:
        idx = f"[{', '.join(v.index)}]" if v.index else ""
        lo = "-inf" if v.lower is None else f"{v.lower:g}"
        hi = "inf" if v.upper is None else f"{v.upper:g}"
        lines.append(f"var {v.name}{idx} {v.domain} in [{lo}, {hi}]")
    for c in f.constraints:
        fa = f" forall {c.forall}" if c.forall else ""
        lines.append(f"subject to {c.name}{fa}: {c.expression}")
    lines.append(f"{f.objective.sense} {f.objective.expression}")
    return "\n".join(lines)
