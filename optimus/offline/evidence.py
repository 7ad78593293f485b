"""Checks of a finished offline formulation against its text: which figures were used.

The word rules keep their own account of the numbers they consumed; this module keeps an
independent one, from the normalized text and the formulation alone:

* :attr:`~optimus.offline.doubts.DoubtKind.TEXT_NUMBER_UNUSED`: a figure of the text
  (other than a small count such as "two products") that appears nowhere in the model,
  not even as a percentage, a reciprocal or a difference;
* :attr:`~optimus.offline.doubts.DoubtKind.CONSTANT_NOT_IN_TEXT`: a constant of the model
  that is not a figure of the text, nor derived from one or two of them.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "c", "expression": "2*x + y <= 40"}],
    ...     "objective": {"sense": "maximize", "expression": "5*x + 3*y"}})
    >>> [str(d) for d in number_doubts("x takes 2 hours, y 1 hour; 40 hours. x earns $5, y $3.", f)]
    []
    >>> [d.kind.value for d in number_doubts("x takes 2 hours, y 1 hour; 50 hours. x earns $5, y $3.", f)]
    ['text_number_unused', 'constant_not_in_text']
"""

from __future__ import annotations

import re
from itertools import combinations

from optimus.formulation import Formulation
from optimus.offline.doubts import Doubt, DoubtKind, doubt
from optimus.offline.normalize import normalize

__all__ = ["clause_doubts", "competing_readings", "number_doubts", "text_numbers", "model_constants"]

_TEXT_NUM = re.compile(r"(?<![A-Za-z_\d.])(\d+(?:\.\d+)?)(\s*%)?")
_MODEL_NUM = re.compile(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_MAX_PAIRS = 60  # numbers of the text taken in pairs for derived constants (bounded work)


def text_numbers(text: str) -> list[tuple[float, bool]]:
    """The figures of ``text`` after normalization, each with whether it was a percentage."""
    return [(float(m.group(1)), bool(m.group(2))) for m in _TEXT_NUM.finditer(normalize(text))]


def model_constants(f: Formulation) -> list[float]:
    """Absolute values of the numbers written in the model: coefficients, right-hand
    sides and finite non-zero bounds."""
    out: list[float] = []
    for expr in [f.objective.expression] + [c.expression for c in f.constraints]:
        out += [float(m.group()) for m in _MODEL_NUM.finditer(expr)]
    for v in f.variables:
        for b in (v.lower, v.upper):
            if b is not None and b != 0:
                out.append(abs(b))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _forms(v: float, pct: bool) -> list[float]:
    forms = [v, v / 100]
    if v:
        forms.append(1 / v)
    if pct or v < 100:
        forms += [1 - v / 100, 1 + v / 100]
    if 0 < v < 1:
        forms.append(1 - v)
    if v > 1:
        forms.append(1 - 1 / v)
    return forms


def number_doubts(text: str, f: Formulation) -> list[Doubt]:
    """Doubts about the figures of ``text`` that the model ``f`` did not use, and the
    constants of ``f`` that the text does not state (see the module docstring)."""
    stated = text_numbers(text)
    consts = model_constants(f)
    out: list[Doubt] = []
    unused = []
    for v, pct in stated:
        if v <= 10 and v == int(v) and not pct:
            continue  # "two products", "3 types": small counts are often not data
        if not any(_close(c, x) for c in consts for x in _forms(v, pct)):
            unused.append(v)
    if unused:
        out.append(doubt(DoubtKind.TEXT_NUMBER_UNUSED,
                         "figures of the text not in the model: " + ", ".join(_fmt(v) for v in unused)))
    values = sorted({v for v, _ in stated})
    derived = {_key(x) for v, pct in stated for x in _forms(v, pct)}
    pool = values[:_MAX_PAIRS]
    for a, b in combinations(pool, 2):
        derived.update(_key(x) for x in (a + b, abs(a - b), a * b, b / a if a else 0.0,
                                         a / b if b else 0.0, a / (a + b) if a + b else 0.0,
                                         b / (a + b) if a + b else 0.0))
    odd = sorted({c for c in consts if c not in (0.0, 1.0, 2.0) and _key(c) not in derived})
    if odd:
        out.append(doubt(DoubtKind.CONSTANT_NOT_IN_TEXT,
                         "constants of the model not in the text: " + ", ".join(_fmt(c) for c in odd)))
    return out


def _key(x: float) -> float:
    """``x`` to 6 significant digits: derived constants are compared by this key."""
    return float(f"{x:.6g}")


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


# ---------------------------------------------------------------- clauses against their sentence

_TERM = re.compile(r"(-?)\s*(?:(\d+(?:\.\d+)?)\s*\*\s*)?([A-Za-z_]\w*)")
_SIGNED_CUE = re.compile(r"\b(?:differences?|excess|surplus|gap)\b", re.I)
_LESS_CUE = re.compile(r"less|fewer|lower|minus|negative|below|reduc|short|deficit|loss|under|"
                       r"smaller|decreas|-\s*\d", re.I)
_SPREAD_CUE = re.compile(r"\b(?:combined|together|sum|total|both|joint\w*|all|each|every|any|"
                         r"either|overall|entire)\b", re.I)
_SUM_CUE = re.compile(r"\b(?:combined|together|sum|total|both|joint\w*)\b", re.I)


def _terms(expression: str) -> dict[str, float]:
    """``{name: coefficient}`` of a linear left-hand side written by the assembly step."""
    lhs = re.split(r"<=|>=|==|=", expression)[0]
    out: dict[str, float] = {}
    for m in _TERM.finditer(lhs.replace(" - ", " + -")):
        coef = float(m.group(2)) if m.group(2) else 1.0
        out[m.group(3)] = -coef if m.group(1) else coef
    return out


def _named(description: str, name: str, phrase: str | None) -> bool:
    """Whether a sentence part names a variable (by its identifier, or its phrase's words)."""
    if len(name) <= 3:
        return re.search(rf"(?<![\w$]){re.escape(name)}(?!\w)", description) is not None
    words = {name.lower()} | ({phrase.lower()} if phrase else set())
    low = description.lower()
    return any(re.search(rf"\b{re.escape(w[:max(4, len(w) - 2)])}", low) for w in words if w)


def clause_doubts(f: Formulation) -> list[Doubt]:
    """Each constraint checked against the sentence part it was read from.

    * :attr:`~optimus.offline.doubts.DoubtKind.VARIABLE_DROPPED`: the sentence names two
      or more variables together ("the combined X and Y", "an excess of X over Y") and
      the constraint keeps fewer;
    * :attr:`~optimus.offline.doubts.DoubtKind.DIFFERENCE_UNSIGNED`: the sentence speaks of
      a difference or an excess, and the constraint on several variables has no minus;
    * :attr:`~optimus.offline.doubts.DoubtKind.FORCED_ZERO`: a constraint that forces a
      variable to zero (``x <= 0``), which a text rarely means;
    * :attr:`~optimus.offline.doubts.DoubtKind.VARIABLE_UNNAMED`: the constraint has two or
      more variables that its sentence part never names, though it names others, and says
      neither "total", "all", "each" nor a percentage ("X1 can't exceed half of those of X3"
      read over x1..x4);
    * :attr:`~optimus.offline.doubts.DoubtKind.LIMIT_AS_COEFFICIENT`: a coefficient of the
      constraint is a figure its sentence gives as an amount of several things together
      ("up to 50 units combined of X and Y, and 30 units combined of Z and W");
    * :attr:`~optimus.offline.doubts.DoubtKind.SIGN_NOT_IN_TEXT`: the limit is negative but
      its sentence has no minus sign nor a word for less, fewer, loss or reduction;
    * :attr:`~optimus.offline.doubts.DoubtKind.FIGURE_DROPPED`: a figure of the sentence
      part that none of the constraints read from it uses, in any form (a percentage, a
      complement), other than zero or a count of the variables ("all 3 projects").

    >>> f = Formulation.model_validate({"variables": [{"name": "X"}, {"name": "Y"}],
    ...     "constraints": [{"name": "c", "expression": "Y >= 50",
    ...                      "description": "The combined X and Y must be at least 50"}],
    ...     "objective": {"sense": "minimize", "expression": "2*X + 3*Y"}})
    >>> [d.kind.value for d in clause_doubts(f)]
    ['variable_dropped']
    """
    out: list[Doubt] = []
    covered: dict[str, set[str]] = {}  # a sentence part's variables over all its constraints
    for c in f.constraints:
        covered.setdefault(c.description or "", set()).update(_terms(c.expression))
    out += _dropped_figures(f)
    for c in f.constraints:
        terms = _terms(c.expression)
        src = c.description or ""
        named = [v.name for v in f.variables if _named(src, v.name, v.description)]
        kept = [n for n in named if n in covered[src]]
        if len(named) >= 2 and len(kept) < len(named) and len(terms) < len(named) \
                and (_SUM_CUE.search(src) or _SIGNED_CUE.search(src)):
            out.append(doubt(DoubtKind.VARIABLE_DROPPED,
                             f"'{src[:60]}' names {', '.join(named)} but the constraint "
                             f"'{c.expression}' keeps {', '.join(terms) or 'none'}"))
        if len(terms) >= 2 and all(x > 0 for x in terms.values()) and _SIGNED_CUE.search(src):
            out.append(doubt(DoubtKind.DIFFERENCE_UNSIGNED,
                             f"'{src[:60]}' speaks of a difference but '{c.expression}' has no minus"))
        said = [v.name for v in f.variables if _named(src.lower(), v.name.lower(), v.description)]
        unsaid = [n for n in terms if n not in said]
        if said and len(unsaid) >= 2 and "%" not in src and not _SPREAD_CUE.search(src):
            out.append(doubt(DoubtKind.VARIABLE_UNNAMED,
                             f"'{c.expression}' has {', '.join(unsaid)}, which '{src[:60]}' "
                             "does not name"))
        limits = [n for n, v in terms.items() if abs(v) != 1 and re.search(
            rf"(?<![\d.]){re.escape(f'{abs(v):g}')}\s+(?:\w+\s+){{0,2}}(?:combined|in total|"
            r"together|altogether) of\b", src)]
        if limits:
            out.append(doubt(DoubtKind.LIMIT_AS_COEFFICIENT,
                             f"'{c.expression}': the coefficient of {limits[0]} is an amount "
                             f"of several things together in '{src[:60]}'"))
        if re.search(r"(?:<=|>=|==)\s*-\s*\d[\d.]*\s*$", c.expression) and src and \
                not _LESS_CUE.search(src):
            out.append(doubt(DoubtKind.SIGN_NOT_IN_TEXT,
                             f"'{c.expression}' has a negative limit that '{src[:60]}' does not state"))
        m = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*<=\s*0(?:\.0+)?\s*", c.expression)
        if m:
            out.append(doubt(DoubtKind.FORCED_ZERO, f"'{c.expression}' forces {m.group(1)} to zero"))
    return out


def _dropped_figures(f: Formulation) -> list[Doubt]:
    """FIGURE_DROPPED doubts: per sentence part, its figures that none of its constraints
    (nor any bound) uses.

    >>> f = Formulation.model_validate({"variables": [{"name": "X"}, {"name": "Y"}],
    ...     "constraints": [{"name": "c", "expression": "X + Y <= 60",
    ...                      "description": "1 X and 3 Y cannot exceed 60 hours"}],
    ...     "objective": {"sense": "maximize", "expression": "X + Y"}})
    >>> [str(d) for d in _dropped_figures(f)]
    ["'X + Y <= 60' does not use 3 of '1 X and 3 Y cannot exceed 60 hours'"]
    """
    bounds = [abs(b) for v in f.variables for b in (v.lower, v.upper) if b]
    by_src: dict[str, list[str]] = {}
    for c in f.constraints:
        if c.description:
            by_src.setdefault(c.description, []).append(c.expression)
    out: list[Doubt] = []
    for src, exprs in by_src.items():
        used = bounds + [float(m.group()) for e in exprs for m in _MODEL_NUM.finditer(e)]
        for v, pct in text_numbers(src):
            if v == 0 or (not pct and v == int(v) and v <= len(f.variables)):
                continue  # "from 0 up to 60", "across all 3 projects"
            if not any(_close(u, x) for u in used for x in _forms(v, pct)):
                out.append(doubt(DoubtKind.FIGURE_DROPPED,
                                 f"'{' and '.join(exprs)}' does not use {_fmt(v)} of '{src[:60]}'"))
                break
    return out


# ---------------------------------------------------------------- readings that compete

_DIFF_CUE = re.compile(r"\bdifference\b", re.I)


def _negated(expression: str) -> str | None:
    """``-lhs <= rhs`` for a linear ``lhs <= rhs`` written by the assembly step."""
    if "<=" not in expression:
        return None
    lhs, rhs = expression.split("<=")
    terms = _terms(lhs)
    if not terms:
        return None
    parts = [f"{-c:g}*{n}" if abs(c) != 1 else ("-" if c > 0 else "") + n for n, c in terms.items()]
    return (" + ".join(parts) + " <= " + rhs.strip()).replace("+ -", "- ")


def competing_readings(f: Formulation) -> list[tuple[str, Formulation]]:
    """Other plausible readings of ``f``'s clauses, each with the clause it rereads.

    "The difference between X and Y must not exceed d" is a gap either way round
    (``|X - Y| <= d``) or ``X - Y <= d`` in the order of the text; the reader picks one (a
    gap between two plain quantities, the order of the text otherwise), and this gives the
    other. Solving both tells whether the choice matters.

    >>> f = Formulation.model_validate({"variables": [{"name": "X"}, {"name": "Y"}],
    ...     "constraints": [{"name": "c", "expression": "2*X - Y <= 10",
    ...                      "description": "the difference between twice X and Y must not exceed 10"}],
    ...     "objective": {"sense": "maximize", "expression": "X + Y"}})
    >>> [(src[:18], [c.expression for c in g.constraints]) for src, g in competing_readings(f)]
    [('the difference bet', ['2*X - Y <= 10', '-2*X + Y <= 10'])]
    """
    out: list[tuple[str, Formulation]] = []
    cons = list(f.constraints)
    by_src: dict[str, list[int]] = {}
    for i, c in enumerate(cons):
        if c.description and _DIFF_CUE.search(c.description):
            by_src.setdefault(c.description, []).append(i)
    for src, idx in by_src.items():
        diffs = [i for i in idx if "<=" in cons[i].expression
                 and any(v < 0 for v in _terms(cons[i].expression).values())
                 and any(v > 0 for v in _terms(cons[i].expression).values())]
        pair = [(i, j) for i in diffs for j in diffs if i < j
                and _terms(cons[j].expression) == {n: -v for n, v in _terms(cons[i].expression).items()}]
        if pair:
            _, j = pair[0]
            out.append((src, f.model_copy(update={"constraints": cons[:j] + cons[j + 1:]})))
        elif len(diffs) == 1:
            c = cons[diffs[0]]
            neg = _negated(c.expression)
            if neg and float(neg.split("<=")[1]) >= 0:  # a gap is never negative
                other = c.model_copy(update={"name": c.name + "_other_way", "expression": neg})
                out.append((src, f.model_copy(update={"constraints": cons + [other]})))
    return out
