"""Sentences that explain an optimum, an infeasibility fix or a what-if, in the problem's words.

Everything here reads the records of :mod:`optimus.result` (names, index values, the
parameter entries behind right-hand sides and costs, descriptions) and writes plain
sentences: "Each extra unit of available[finishing] adds 10 to the objective, for values
from 16 to 24 (now 20).", "resource_limit[lumber] has 24 to spare (uses 24 of 48).",
"make[tables] is 0; it would be worth making if profit[tables] (now 30) rose above 35."
The console, Markdown, notebook and chat renderings all use these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from optimus.result import ConstraintSensitivity, Sensitivity, VariableSensitivity

__all__ = ["sensitivity_sentences", "constraint_sentence", "variable_sentence", "fmt"]

_TOL = 1e-9


def fmt(v: float | None) -> str:
    """``10``, ``2.5``, ``13.33333333``; ``None`` -> ``unbounded``."""
    if v is None:
        return "unbounded"
    v = float(v)
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.10g}"


def _objective(s: "Sensitivity") -> str:
    return f"the objective ({s.objective})" if s.objective else "the objective"


def interval(lo: float | None, hi: float | None, words: tuple[str, str, str, str],
             number: Callable[[float | None], str] | None = None) -> str:
    """Words for the interval ``[lo, hi]`` (``None``: open on that side).

    ``words`` are the templates for (no limit, upper only, lower only, both), with
    ``{lo}`` and ``{hi}`` for the numbers:

    >>> interval(2, None, ("any", "up to {hi}", "{lo} or more", "{lo} to {hi}"))
    '2 or more'
    >>> interval(0.5, 3, ("any", "up to {hi}", "{lo} or more", "{lo} to {hi}"))
    '0.5 to 3'
    """
    show = number or fmt
    none, upper, lower, both = words
    if lo is None and hi is None:
        return none
    if lo is None:
        return upper.format(hi=show(hi))
    if hi is None:
        return lower.format(lo=show(lo))
    return both.format(lo=show(lo), hi=show(hi))


_RANGE_WORDS = ("whatever its value", "up to {hi}", "from {lo} up", "from {lo} to {hi}")
_BETWEEN_WORDS = ("takes any value", "is at most {hi}", "is at least {lo}",
                  "is between {lo} and {hi}")


def constraint_sentence(c: "ConstraintSensitivity", s: "Sensitivity") -> str:
    """One sentence about a constraint row: its shadow price or its spare amount."""
    what = c.rhs_parameter or f"the right-hand side of {c.label}"
    now = f"now {fmt(c.rhs)}"
    unit = f" ({c.description})" if c.description and c.rhs_parameter else ""
    if c.binding and abs(c.dual) > _TOL:
        move = (f"adds {fmt(c.dual)} to" if c.dual > 0 else f"takes {fmt(-c.dual)} off")
        lo, hi = c.rhs_range
        return (f"{c.label} binds: each extra unit of {what}{unit} {move} {_objective(s)}, "
                f"for {what} {interval(lo, hi, _RANGE_WORDS)} ({now}).")
    if c.binding:
        return (f"{c.label} holds with equality but its shadow price is 0: a little more or "
                f"less of {what} ({now}) leaves {_objective(s)} unchanged.")
    slack = fmt(c.slack)
    tail = ""
    if c.sense == ">=":
        if c.rhs_parameter:
            tail = f": {what} could rise by {slack} at no cost"
        return (f"{c.label} is exceeded by {slack} ({fmt(c.activity)} against a minimum of "
                f"{fmt(c.rhs)}){tail}.")
    if c.sense == "<=":
        if c.rhs_parameter:
            tail = f": more {what} is worth nothing, and it could fall by {slack} at no loss"
        return f"{c.label} has {slack} to spare (uses {fmt(c.activity)} of {fmt(c.rhs)}){tail}."
    return f"{c.label} has {slack} to spare (activity {fmt(c.activity)}, limit {fmt(c.rhs)})."


def variable_sentence(v: "VariableSensitivity", s: "Sensitivity") -> str | None:
    """One sentence about a variable: the price at which it would enter the plan, or the
    range of its coefficient over which the plan stays optimal (None: nothing to say)."""
    coef = v.cost_parameter or "its objective coefficient"
    now = f" (now {fmt(v.cost)})"
    lo, hi = v.cost_range
    maximize = s.sense == "maximize"
    if s.basis == "fixed_integers" and lo is None and hi is None:
        return None  # an integer decision held at its optimum: nothing ranged to say
    if abs(v.value) <= _TOL and not v.basic:
        if abs(v.reduced_cost) <= _TOL:
            return (f"{v.label} is 0, and could enter the plan at no change in "
                    f"{_objective(s)} (a tie).")
        threshold = hi if maximize else lo
        word = "making if" if maximize else "using if"
        move = "rose above" if maximize else "fell below"
        worth = (f"; it would be worth {word} {coef}{now} {move} {fmt(threshold)}"
                 if threshold is not None else "")
        change = (f"add {fmt(v.reduced_cost)} to" if v.reduced_cost > 0
                  else f"take {fmt(-v.reduced_cost)} off")
        return (f"{v.label} is 0{worth} (reduced cost {fmt(v.reduced_cost)}: each unit forced "
                f"in would {change} {_objective(s)}).")
    if not v.basic:
        return (f"{v.label} = {fmt(v.value)} sits at a bound (reduced cost "
                f"{fmt(v.reduced_cost)}: the change in {_objective(s)} per unit beyond it).")
    return (f"{v.label} = {fmt(v.value)}; the plan stays optimal while {coef}{now} "
            f"{interval(lo, hi, _BETWEEN_WORDS)}.")


def sensitivity_sentences(s: "Sensitivity", *, max_each: int = 12) -> list[str]:
    """Binding constraints (with their shadow prices), then constraints with room to
    spare, then the variables; at most ``max_each`` of each kind, with a count of the rest."""
    out: list[str] = []
    binding = [c for c in s.constraints if c.binding]
    binding.sort(key=lambda c: -abs(c.dual))
    slack = [c for c in s.constraints if not c.binding and c.slack is not None]
    for group in (binding, slack):
        out += [constraint_sentence(c, s) for c in group[:max_each]]
        if len(group) > max_each:
            out.append(f"... and {len(group) - max_each} more like these (--json lists all).")
    zero = [v for v in s.variables if abs(v.value) <= _TOL and not v.basic]
    zero.sort(key=lambda v: abs(v.reduced_cost))
    ids = {id(v) for v in zero}
    rest = [v for v in s.variables if id(v) not in ids]
    said = 0
    if s.basis == "fixed_integers":
        held = sum(1 for v in s.variables if v.cost_range == [None, None])
        if held:
            out.append(f"{held} integer variable(s) are held at their optimum (their reduced "
                       f"costs are in --json).")
    for v in zero + rest:
        if said >= max_each:
            out.append("... and more variables (--json lists all).")
            break
        text = variable_sentence(v, s)
        if text:
            out.append(text)
            said += 1
    return out
