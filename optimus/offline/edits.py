"""Explicit chat edits without a model, read by the formula grammar.

``optimus chat --offline`` reads the first message with the offline reader, then each
later message with :func:`apply_edit`, which understands only explicit edits:

* ``set capacity to 500`` (a parameter, or the right-hand side of a constraint found by
  its name or a word of its description; ``set x to 3`` fixes a variable);
* ``add x <= 3``, ``add labor: 2x + y <= 40``, ``add y integer`` (any statement of the
  formula grammar about the current variables);
* ``drop constraint labor`` / ``remove c2`` / ``delete the wood constraint``;
* ``make y integer`` / ``make all variables binary`` / ``make x continuous`` / ``make x free``;
* ``minimize instead`` / ``maximize instead`` / ``minimize 2x + y`` (a new objective).

Anything else raises :class:`EditNotUnderstood`, whose message says that a model is
needed and how to configure one.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"variables": [{"name": "x"}, {"name": "y"}],
    ...     "constraints": [{"name": "labor", "expression": "x + y <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "3*x + 2*y"}})
    >>> g, summary = apply_edit(f, "set labor to 10")
    >>> g.constraints[0].expression, summary
    ('x + y <= 10', 'set the right-hand side of labor to 10 (was 4)')
"""

from __future__ import annotations

import re

from optimus.formulation import Constraint, Formulation, Objective
from optimus.offline.formula import (DomainClause, FormulaError, ObjectiveClause, Relation,
                                     format_lin, format_relation, parse_statement)

__all__ = ["EditNotUnderstood", "EditError", "apply_edit", "EDIT_HELP"]

EDIT_HELP = ('explicit edits: "set capacity to 500", "add x <= 3", "drop constraint labor", '
             '"make y integer", "minimize instead", "undo"')


class EditNotUnderstood(Exception):
    """The text is not one of the explicit edits: a language model is needed."""


class EditError(Exception):
    """An explicit edit that cannot be applied to this formulation (the message says why)."""


_NUM = r"(-?\d[\d,]*(?:\.\d+)?|-?\.\d+)"
_DOMAINS = {"integer": "integer", "integers": "integer", "integral": "integer",
            "binary": "binary", "continuous": "continuous", "real": "continuous"}


def _number(s: str) -> float:
    return float(s.replace(",", ""))


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def apply_edit(f: Formulation, text: str) -> tuple[Formulation, str]:
    """The edited copy of ``f`` and a one-line summary of the change.

    Raises :class:`EditNotUnderstood` when ``text`` is not an explicit edit and
    :class:`EditError` when it is one that cannot be applied (an unknown name, a
    constraint written with sums over sets, ...)."""
    t = re.sub(r"\s+", " ", text.strip()).rstrip(".!")
    t = re.sub(r"(?i)^(?:please|now|and|then|ok|okay)[, ]+", "", t)
    low = t.lower()
    g = f.copy_deep()
    m = re.fullmatch(r"(?:(?:switch|change) to )?(minimi[sz]e|maximi[sz]e)(?: instead)?(?: the objective)?", low)
    if m:
        sense = "minimize" if m.group(1).startswith("minim") else "maximize"
        if f.objective.sense == sense:
            raise EditError(f"the objective is already to {sense}")
        g.objective = Objective(sense=sense, expression=f.objective.expression,  # type: ignore[arg-type]
                                description=f.objective.description)
        return g, f"the objective is now to {sense} {f.objective.expression}"
    m = re.fullmatch(r"(?i)(minimi[sz]e|maximi[sz]e|max|min) (.+?)(?: instead)?", t)
    if m:
        return _new_objective(g, t, m.group(1).lower().startswith("max"))
    m = re.fullmatch(r"(?i)(?:add|include|impose|require)(?: an?| the)?(?: new)?"
                     r"(?: (?:constraint|bound|limit|condition)(?= ))?(?: that)? (.+)", t)
    if m:
        return _add(g, m.group(1))
    m = re.fullmatch(r"(?i)(?:drop|remove|delete)(?: the)?(?: constraint| limit| bound)? (.+?)"
                     r"(?: constraint| limit)?", t)
    if m:
        return _drop(g, m.group(1))
    m = re.fullmatch(r"(?i)make (.+?) (?:an? )?(integers?|integral|binary|continuous|real|free|"
                     r"non-?negative)(?: variables?)?", t)
    if m:
        return _make(g, m.group(1), m.group(2).lower())
    m = re.fullmatch(r"(?i)(?:set|change|make|raise|lower|increase|decrease|reduce)(?: the)? (.+?)"
                     r" (?:to|=|at) " + _NUM + r"(?: [a-z$%]+)?", t)
    if m:
        return _set(g, m.group(1), _number(m.group(2)))
    raise EditNotUnderstood(
        f"the offline editor reads only {EDIT_HELP}; {text.strip()!r} needs a language model")


# ----------------------------------------------------------------------------- helpers
def _scalar_names(f: Formulation) -> list[str]:
    return [v.name for v in f.variables if not v.index]


def _new_objective(g: Formulation, text: str, maximize: bool) -> tuple[Formulation, str]:
    clauses = _parse(g, text)
    objs = [c for c in clauses if isinstance(c, ObjectiveClause)]
    if len(objs) != 1 or len(clauses) != 1:
        raise EditError("write the new objective as one formula, e.g. 'minimize 2x + 3y'")
    _known(g, list(objs[0].lin.coefs))
    expr = format_lin(objs[0].lin.coefs, objs[0].lin.const)
    g.objective = Objective(sense="maximize" if maximize else "minimize", expression=expr)
    return g, f"the objective is now to {g.objective.sense} {expr}"


def _parse(g: Formulation, text: str) -> list[object]:
    try:
        return parse_statement(text, _scalar_names(g))
    except FormulaError as exc:
        raise EditError(f"could not read {text!r} {exc.describe()}") from None


def _known(g: Formulation, names: list[str]) -> None:
    known = set(_scalar_names(g))
    unknown = [n for n in names if n not in known]
    if unknown:
        indexed = {v.name for v in g.variables if v.index}
        if set(unknown) & indexed:
            raise EditError(f"{', '.join(sorted(set(unknown) & indexed))} is indexed by sets; the "
                            "offline editor changes scalar variables only")
        raise EditError(f"unknown variable {', '.join(unknown)} (the variables are: "
                        f"{', '.join(_scalar_names(g)) or 'none'})")


def _add(g: Formulation, text: str) -> tuple[Formulation, str]:
    clauses = _parse(g, text)
    if not clauses or any(isinstance(c, ObjectiveClause) for c in clauses):
        raise EditError("add a constraint such as 'add x + y <= 10' (to change the objective "
                        "write 'minimize 2x + y')")
    done: list[str] = []
    names = {c.name for c in g.constraints}
    for c in clauses:
        if isinstance(c, Relation):
            _known(g, list(c.lhs.coefs))
            if c.rel in ("<", ">"):
                raise EditError("a strict inequality: write <= or >=")
            base = c.name or f"added_{len(g.constraints) + 1}"
            name, k = base, 2
            while name in names:
                name, k = f"{base}_{k}", k + 1
            names.add(name)
            expr = format_relation(c)
            g.constraints.append(Constraint(name=name, description=f"added in chat: {c.text}",
                                            expression=expr))
            done.append(f"added {name}: {expr}")
        elif isinstance(c, DomainClause):
            done.append(_domain(g, c.names, c.domain, c.lower))
    return g, "; ".join(done)


def _domain(g: Formulation, names: list[str] | None, domain: str | None,
            lower: float | str | None) -> str:
    targets = names if names is not None else [v.name for v in g.variables]
    _known(g, [n for n in targets if g.variable(n) is None or g.variable(n).index == []])  # type: ignore[union-attr]
    for n in targets:
        v = g.variable(n)
        if v is None:
            raise EditError(f"unknown variable {n}")
        if domain is not None:
            v.domain = domain  # type: ignore[assignment]
        if lower == "free":
            v.lower = None
        elif isinstance(lower, float):
            v.lower = lower
    what = domain or ("free" if lower == "free" else f">= {_fmt(lower)}" if isinstance(lower, float) else "")
    return f"{', '.join(targets)} {'is' if len(targets) == 1 else 'are'} now {what}".rstrip()


def _make(g: Formulation, who: str, what: str) -> tuple[Formulation, str]:
    w = who.lower().strip()
    if w in ("all", "all variables", "everything", "every variable", "the variables", "them",
             "all the variables"):
        names = None
    else:
        names = [n for n in re.split(r"\s*,\s*|\s+and\s+|\s+", who.strip()) if n]
        names = [n for n in names if n.lower() not in ("the", "variable", "variables")]
        missing = [n for n in names if g.variable(n) is None]
        if missing:
            raise EditError(f"unknown variable {', '.join(missing)} (the variables are: "
                            f"{', '.join(v.name for v in g.variables)})")
    if what in ("free",):
        return g, _domain(g, names, None, "free")
    if what.startswith("non"):
        return g, _domain(g, names, None, 0.0)
    return g, _domain(g, names, _DOMAINS[what.rstrip("s") if what == "integers" else what], None)


def _find_constraint(g: Formulation, ref: str) -> Constraint:
    r = ref.strip().lower()
    r = re.sub(r"^(?:the|constraint|limit) ", "", r)
    r = re.sub(r" (?:constraint|limit)$", "", r)
    exact = [c for c in g.constraints if c.name.lower() == r]
    if exact:
        return exact[0]
    stem = r.rstrip("s")
    hits = [c for c in g.constraints
            if re.search(r"(?<![a-z])" + re.escape(stem), c.name.lower())
            or re.search(r"(?<![a-z])" + re.escape(stem), (c.description or "").lower())]
    if len(hits) == 1:
        return hits[0]
    listing = "; ".join(f"{c.name} ({c.expression})" for c in g.constraints) or "none"
    if not hits:
        raise EditError(f"no constraint called or described as {ref!r}; the constraints are: {listing}")
    raise EditError(f"{ref!r} matches {len(hits)} constraints ({', '.join(c.name for c in hits)}); "
                    "name one of them")


def _drop(g: Formulation, ref: str) -> tuple[Formulation, str]:
    c = _find_constraint(g, ref)
    g.constraints = [k for k in g.constraints if k is not c]
    return g, f"dropped {c.name}: {c.expression}"


def _set(g: Formulation, ref: str, value: float) -> tuple[Formulation, str]:
    r = re.sub(r"^(?:the )?(?:value of |right-hand side of |rhs of |limit of )?", "", ref.strip(), flags=re.I)
    p = next((p for p in g.parameters if p.name.lower() == r.lower()), None)
    if p is not None:
        if p.index or p.value is None:
            raise EditError(f"{p.name} is a table; the offline editor sets scalar parameters only")
        old = p.value
        p.value = value
        return g, f"set {p.name} to {_fmt(value)} (was {_fmt(old)})"
    v = next((v for v in g.variables if v.name == r and not v.index), None)
    if v is not None:
        v.lower = v.upper = value
        return g, f"fixed {v.name} at {_fmt(value)}"
    c = _find_constraint(g, r)
    if c.forall:
        raise EditError(f"{c.name} is a family of constraints (forall {c.forall}); change its data instead")
    try:
        rels = parse_statement(c.expression, _scalar_names(g))
    except FormulaError:
        raise EditError(f"{c.name} ({c.expression}) is not a plain linear constraint; the offline "
                        "editor cannot change its right-hand side") from None
    rel_clauses = [k for k in rels if isinstance(k, Relation)]
    if len(rel_clauses) != 1 or len(rels) != 1:
        raise EditError(f"{c.name} ({c.expression}) has two sides to change; write the new "
                        "constraint with 'add' and drop this one")
    rel = rel_clauses[0]
    if set(rel.lhs.coefs) - set(_scalar_names(g)):
        raise EditError(f"{c.name} ({c.expression}) is written with parameters; set the "
                        "parameter instead (set NAME to VALUE)")
    old = rel.rhs
    rel.rhs = value
    c.expression = format_relation(rel)
    return g, f"set the right-hand side of {c.name} to {_fmt(value)} (was {_fmt(old)})"
