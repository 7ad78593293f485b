"""Chat questions answered without a model call: what-if overrides and "why is x zero?".

:func:`what_if_overrides` reads "what if the budget is 500?", "what if capacity = 500",
"what if available[finishing] were 21" or "what if available for finishing is 21" as
parameter overrides of the current formulation (names matched to its parameters, with
spaces for underscores); :func:`why_zero` answers "why is make[tables] zero?" (or "why
are no tables made?") from the reduced cost and cost range of the current optimum.
Anything else returns None and goes to the model as an edit.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"parameters": [{"name": "budget", "value": 400}],
    ...     "variables": [{"name": "x"}], "constraints": [{"name": "b", "expression": "x <= budget"}],
    ...     "objective": {"sense": "maximize", "expression": "x"}})
    >>> [str(o) for o in what_if_overrides("What if the budget is 500?", f)]
    ['budget=500']
"""

from __future__ import annotations

import re
from typing import Any

from optimus.formulation import Formulation
from optimus.whatif import Override, parse_override

__all__ = ["what_if_overrides", "why_zero"]

_NUM = r"(-?\d+(?:\.\d+)?(?:e-?\d+)?)"
_WHAT_IF = re.compile(
    r"^\s*(?:what\s+if|and\s+if|suppose|if)\s+(?:the\s+|our\s+|we\s+set\s+(?:the\s+)?)?"
    r"(.+?)\s*(?:=|\bis\b|\bwere\b|\bwas\b|\bbecomes\b|\bgoes\s+to\b|\bwent\s+to\b|"
    r"\brises\s+to\b|\bdrops\s+to\b|\bfalls\s+to\b|\bto\b)\s*\$?" + _NUM + r"\s*[?.!]*\s*$",
    re.I)
_WHY = re.compile(r"^\s*why\s+(?:is|are)\s+(?:the\s+)?(?:no\s+)?(.+?)\s+"
                  r"(?:zero|0|not\s+used|not\s+made|not\s+produced|unused|made|produced|used)"
                  r"\s*[?.!]*\s*$", re.I)


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def what_if_overrides(text: str, f: Formulation) -> list[Override] | None:
    """The overrides a chat line asks for, or None when it is not such a what-if."""
    m = _WHAT_IF.match(text or "")
    if not m:
        return None
    target, value = m.group(1).strip(), m.group(2)
    if "[" in target:  # available[finishing] = 21
        try:
            o = parse_override(f"{target}={value}")
        except Exception:  # noqa: BLE001 - not an override after all: the model reads it
            return None
        return [o] if f.parameter(o.name) is not None else None
    words = _norm(target)
    params = {_norm(p.name): p for p in f.parameters}
    p = params.get(words)
    if p is not None and not p.index:
        return [Override(p.name, None, float(value))]
    # "available for finishing", "finishing available", "demand of gadgets"
    parts = re.split(r"_(?:for|of|in|at|on)_", words, maxsplit=1)
    if len(parts) == 2 and parts[0] in params and len(params[parts[0]].index) == 1:
        return [Override(params[parts[0]].name, (parts[1],), float(value))]
    for key, q in params.items():
        if q.index and len(q.index) == 1 and words.endswith("_" + key):
            return [Override(q.name, (words[: -len(key) - 1],), float(value))]
    return None


def why_zero(text: str, f: Formulation, answer: Any) -> str | None:
    """The answer to "why is x zero?" from the current optimum's sensitivity (None when
    the line is not such a question)."""
    m = _WHY.match(text or "")
    if not m:
        return None
    sens = getattr(answer, "sensitivity", None)
    target = m.group(1).strip()
    if sens is None:
        return ("There is no sensitivity for the current answer (no optimum, or a model too "
                "large), so the reduced costs are not known.")
    cands = [v for v in sens.variables if _norm(v.label.replace(", ", ",")) ==
             _norm(target.replace(", ", ","))]
    if not cands:  # "tables": an index element of a variable
        word = _norm(target)
        singular = word[:-1] if word.endswith("s") else word
        cands = [v for v in sens.variables
                 if [str(i).lower() for i in v.index] in ([word], [singular])]
        if not cands:
            cands = [v for v in sens.variables if v.name.lower() in (word, singular) and not v.index]
    if len(cands) != 1:
        return None
    from optimus.explain import fmt, variable_sentence

    v = cands[0]
    if abs(v.value) > 1e-9:
        return f"{v.label} is not zero: it is {fmt(v.value)} in the current plan."
    said = variable_sentence(v, sens) or ""
    why = ("it is held at its optimum with the integer decisions fixed"
           if sens.basis == "fixed_integers" else
           "using it would make the objective worse" if abs(v.reduced_cost) > 1e-9
           else "it ties with the current plan")
    return f"{v.label} is 0 because {why}: {said}"
