"""Number grounding: which numbers of the problem text the formulation never uses.

:func:`text_numbers` collects the numbers of a text ("1,000", "30%", "$5", "2.5", and
the words "twice", "double", "triple", "half"); :func:`formulation_numbers` those of a
formulation (parameter values, bounds, numeric literals in expressions, set elements and
assumptions). :func:`unexplained_numbers` compares them with a tolerance; a percentage
``p%`` counts as used when ``p``, ``p/100``, ``1 - p/100`` or ``1 + p/100`` appears.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"variables": [{"name": "x", "upper": 40}],
    ...     "objective": {"sense": "maximize", "expression": "3*x"}})
    >>> unexplained_numbers("Each x earns $3; at most 40 fit; costs rise 12%.", f)
    [12.0]
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from optimus.formulation import Formulation

_NUMBER = re.compile(
    r"(?<![\w.])(?P<cur>[$€£])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<suffix>\s?(?:%|percent\b|per\s?cent\b|k\b|K\b|thousand\b|million\b))?",
)
_WORDS = {"twice": 2.0, "double": 2.0, "doubles": 2.0, "triple": 3.0, "thrice": 3.0,
          "half": 0.5}
_SCALE = {"k": 1e3, "thousand": 1e3, "million": 1e6}
_TRIVIAL = {0.0, 1.0}


@dataclass(frozen=True)
class TextNumber:
    """A number found in the text: its value, the alternatives that count as using it."""

    value: float
    text: str
    alternatives: tuple[float, ...]


def text_numbers(text: str) -> list[TextNumber]:
    """The numbers stated in ``text`` (0 and 1 left out: they are implicit everywhere).

    A value stated twice ("10 tonnes ... at least 10%") is listed once, with the
    alternatives of every occurrence.
    """
    found: dict[float, TextNumber] = {}

    def add(value: float, shown: str, alts: set[float]) -> None:
        if value in _TRIVIAL:
            return
        old = found.get(value)
        if old is not None:
            alts |= set(old.alternatives)
            shown = old.text
        found[value] = TextNumber(value, shown, tuple(sorted(alts)))

    for line in text.splitlines():
        line = re.sub(r"^\s*(\d+[.)]|[-*])\s+", " ", line)  # list markers "1." "2)"
        for m in _NUMBER.finditer(line):
            value = float(m.group("num").replace(",", ""))
            suffix = (m.group("suffix") or "").strip().lower().replace(" ", "")
            alts = {value}
            if suffix in ("%", "percent", "percent"):
                alts |= {value / 100, 1 - value / 100, 1 + value / 100}
            elif suffix in _SCALE:
                alts.add(value * _SCALE[suffix])
            add(value, m.group(0).strip(), alts)
        for word in re.findall(r"[A-Za-z]+", line):
            value = _WORDS.get(word.lower())
            if value is not None:
                add(value, word, {value})
    return list(found.values())


def _expr_numbers(src: str | None) -> set[float]:
    if not src:
        return set()
    try:
        tree = ast.parse(src.replace("\n", " "), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return {float(x) for x in re.findall(r"\d+(?:\.\d+)?", src)}
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            out.add(float(node.value))
    return out


def formulation_numbers(f: Formulation) -> set[float]:
    """Every number a formulation states, including simple products and quotients of two."""
    nums: set[float] = set()
    for s in f.sets:
        for e in (s.elements or []) + list(s.range or [])[:2]:
            for part in (e if isinstance(e, list) else [e]):
                if isinstance(part, (int, float)):
                    nums.add(float(part))
                else:
                    nums |= {float(x) for x in re.findall(r"\d+(?:\.\d+)?", str(part))}
    for p in f.parameters:
        for v in (p.value, p.default):
            if v is not None:
                nums.add(float(v))
        for e in p.values or []:
            nums.add(float(e.value))
    for v in f.variables:
        for b in (v.lower, v.upper):
            if b is not None:
                nums.add(float(b))
    for c in f.constraints:
        nums |= _expr_numbers(c.expression) | _expr_numbers(c.forall)
    nums |= _expr_numbers(f.objective.expression)
    for a in f.assumptions:
        nums |= {float(x.replace(",", "")) for x in re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", a)}
    finite = {n for n in nums if math.isfinite(n)}
    small = sorted(finite)[:200]
    derived = {a * b for a in small for b in small} | {a / b for a in small for b in small if b}
    return finite | {abs(n) for n in finite} | derived


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def unexplained_numbers(text: str, f: Formulation) -> list[float]:
    """Numbers of ``text`` that appear nowhere in ``f`` (in the order of the text)."""
    have = sorted(formulation_numbers(f))
    out = []
    for tn in text_numbers(text):
        if not any(_close(alt, h) for alt in tn.alternatives for h in have):
            out.append(tn.value)
    return out
