"""Static validation of a formulation: every problem found, each with its fix.

:func:`check` returns a list of :class:`~optimus.issues.Issue` (empty when the model is
valid). It does not stop at the first problem. :func:`analyze` also returns the compiled
pieces, so that :func:`optimus.build.build` need not parse everything again.

Example::

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"variables": [{"name": "labor"}],
    ...     "constraints": [{"name": "c", "expression": "labour <= 4"}],
    ...     "objective": {"sense": "maximize", "expression": "labor"}})
    >>> print(check(f)[0].message)
    unknown symbol `labour`; did you mean `labor`? (in constraint `c`)
"""

from __future__ import annotations

import keyword
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from optimus._gc import gc_paused
from optimus.budget import MAX_COLUMNS, MAX_NONZEROS, MAX_ROWS, check_deadline
from optimus.columns import GridColumns, ProductKeys
from optimus.data import canonical_sets, index_keys, parameter_table, table_store
import optimus.constructs as constructs
from optimus.dense import plan_sum
from optimus.expressions import (
    RESERVED, CompiledConstraint, Compiler, ExprError, Node, Sum, SymbolTable, VarRef, VarScalar,
    compile_constraint, compile_objective, suggest,
)
from optimus.formulation import Constraint, Formulation, Variable
from optimus.issues import Issue
from optimus.param_expr import compute_parameters, is_computed
import optimus.quadratic  # noqa: F401 - registers quadratic objectives with the Compiler

__all__ = ["Issue", "Analysis", "analyze", "check"]

_MAX_COLUMNS = MAX_COLUMNS


@dataclass
class Analysis:
    """The result of checking: issues plus the compiled model pieces."""

    formulation: Formulation
    issues: list[Issue] = field(default_factory=list)
    symbols: SymbolTable = field(default_factory=SymbolTable)
    var_keys: dict[str, "list[tuple] | ProductKeys"] = field(default_factory=dict)
    constraints: list[tuple[Constraint, CompiledConstraint]] = field(default_factory=list)
    objective: Node | None = None
    #: indicator constraints (``when``): constraint name -> optimus.indicators.Indicator
    indicators: dict[str, Any] = field(default_factory=dict)
    #: several objectives (``Formulation.objectives``): each compiled, in list order
    objectives: list[tuple[Any, Node]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def is_plain_identifier(name: object) -> bool:
    """True for a name usable as a symbol and in generated code: a Python identifier,
    not a keyword, not starting with ``__``, not a reserved word of the expression
    language, and unchanged by NFKC normalization (Python's parser would read ``ﬁx`` as
    ``fix``)."""
    return (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
            and not name.startswith("__") and name not in RESERVED
            and unicodedata.normalize("NFKC", name) == name)


def name_suggestion(name: object, kind: str) -> str:
    """A plain ASCII identifier close to ``name``, for a fix message."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_"
                   for ch in unicodedata.normalize("NFKC", str(name))).strip("_") or "name"
    return f"{kind[0]}_{safe}" if safe[0].isdigit() else safe


def _name_issue(kind: str, name: str) -> Issue | None:
    if is_plain_identifier(name):
        return None
    return Issue("invalid_name", f"{kind} {name!r}", str(name),
                 f"{kind} name {name!r} is not a valid identifier",
                 f"Use letters, digits and underscores, starting with a letter, e.g. "
                 f"`{name_suggestion(name, kind)}`.")


def analyze(f: Formulation) -> Analysis:
    """Check ``f`` and compile its expressions; see :func:`check`."""
    with gc_paused():
        return _analyze(f)


def _keys(index: list[str], sets: dict[str, list]) -> "list[tuple] | ProductKeys":
    """A variable's keys: lazy (:class:`ProductKeys`) when every index set holds single
    values, else the flattened tuples (sets of pairs) as a list."""
    pools = [sets[s] for s in index]
    if index and not any(isinstance(e, tuple) for p in pools for e in p[:1]):
        return ProductKeys(pools)
    return list(index_keys(index, sets))


def _analyze(f: Formulation) -> Analysis:
    a = Analysis(formulation=f)
    issues = a.issues

    # ---- names
    seen: dict[str, str] = {}
    for kind, items in (("set", f.sets), ("parameter", f.parameters), ("variable", f.variables)):
        for item in items:
            bad = _name_issue(kind, item.name)
            if bad:
                issues.append(bad)
            if item.name in seen:
                issues.append(Issue("duplicate_name", f"{kind} {item.name}", item.name,
                                    f"`{item.name}` is defined twice (as a {seen[item.name]} and "
                                    f"as a {kind})",
                                    "Rename one of them; names of sets, parameters and "
                                    "variables must be unique."))
            seen.setdefault(item.name, kind)
    cnames: set[str] = set()
    for c in f.constraints:
        bad = _name_issue("constraint", c.name)
        if bad:
            issues.append(bad)
        if c.name in cnames:
            issues.append(Issue("duplicate_name", f"constraint {c.name}", c.name,
                                f"constraint name `{c.name}` is used twice",
                                "Give each constraint its own name."))
        cnames.add(c.name)
    if not f.variables:
        issues.append(Issue("no_variables", "model", None, "the model has no decision variables",
                            "Declare the quantities to decide as variables."))

    # ---- data
    store = table_store(f)  # each data file is read once
    sets = canonical_sets(f, issues, store)
    members = {k: set(v) for k, v in sets.items()}
    sym = a.symbols
    sym.sets, sym.set_members = sets, members
    sym.set_arity = {k: (len(v[0]) if v and isinstance(v[0], tuple) else 1) for k, v in sets.items()}
    for p in f.parameters:
        table = None if is_computed(p) else parameter_table(p, sets, members, store, issues)
        arity = sum(sym.set_arity.get(s, 1) for s in p.index)
        sym.params[p.name] = (arity, table if table is not None else ({} if p.index else 0.0))
        sym.param_defaults[p.name] = p.default
        sym.index_sets[p.name] = list(p.index)

    # ---- variables
    col = 0
    for v in f.variables:
        where = f"variable {v.name}"
        unknown = [s for s in v.index if s not in sets]
        for s in unknown:
            hint = suggest(s, list(sets))
            issues.append(Issue("unknown_set", where, s,
                                f"variable `{v.name}` is indexed by unknown set `{s}`"
                                + (f"; did you mean `{hint}`?" if hint else ""),
                                f"Declare set `{s}` or use a declared set name."))
        lo, hi = v.lower, v.upper
        if lo is not None and hi is not None and lo > hi:
            issues.append(Issue("bounds", where, v.name,
                                f"variable `{v.name}` has lower bound {lo:g} above its upper "
                                f"bound {hi:g}", "Swap or correct the bounds."))
        issues.extend(semicontinuous_issues(v))
        for b in (lo, hi):
            if b is not None and math.isnan(b):
                issues.append(Issue("bounds", where, v.name, f"variable `{v.name}` has a NaN bound",
                                    "Use a number or null."))
        size = _product(len(sets[s]) for s in v.index) if not unknown else 0
        if col + size > _MAX_COLUMNS:  # counted from the set sizes, before any key is built
            issues.append(Issue("too_large", where, v.name,
                                f"the model would have {col + size:,} variables (`{v.name}` "
                                f"alone {size:,}); the limit is {_MAX_COLUMNS:,}",
                                "Index variables by fewer or smaller sets."))
            keys: list[tuple] = []
        else:
            keys = [] if unknown else _keys(v.index, sets)
            check_deadline()
        colmap = GridColumns(col, keys) if isinstance(keys, ProductKeys) else \
            dict(zip(keys, range(col, col + len(keys))))
        col += len(keys)
        a.var_keys[v.name] = keys
        sym.variables[v.name] = (sum(sym.set_arity.get(s, 1) for s in v.index), colmap)
        sym.index_sets[v.name] = list(v.index)

    # ---- expressions
    compiler = Compiler(sym, plan_sum, constructs)
    if any(is_computed(p) for p in f.parameters):  # parameters defined by an expression
        compute_parameters(f.parameters, sym, compiler, issues)
    domains = {v.name: v.domain for v in f.variables}
    for c in f.constraints:
        try:
            cc = compile_constraint(compiler, c.expression, c.forall)
            if c.when is not None:  # an indicator constraint (optimus.indicators)
                from optimus.indicators import compile_indicator

                if cc.sense == "range":
                    raise ExprError(f"`{c.expression}`: a range constraint cannot have `when`",
                                    code="indicator", symbol=c.name,
                                    fix="Split it into two constraints, each with the `when`.")
                a.indicators[c.name] = compile_indicator(compiler, c.when, cc, domains)
            a.constraints.append((c, cc))
        except ExprError as exc:
            issues.append(Issue(exc.code, f"constraint {c.name}", exc.symbol,
                                f"{exc.message} (in constraint `{c.name}`)", exc.fix))
    if f.objective is None:  # several objectives (optimus.objectives)
        from optimus.objectives import compile_objectives

        a.objectives = compile_objectives(f.objectives or [], compiler, issues,
                                          is_plain_identifier)
    else:
        try:
            a.objective = compile_objective(compiler, f.objective.expression)
        except ExprError as exc:
            issues.append(Issue(exc.code, "objective", exc.symbol,
                                f"{exc.message} (in the objective)", exc.fix))
    if not issues:
        issues.extend(size_issues(a))
    return a


def semicontinuous_issues(v: Variable) -> list[Issue]:
    """A semi-continuous (semi-integer) variable takes 0 or a value in [lower, upper]: it
    needs a finite upper bound and a lower bound of at least 0."""
    if v.domain not in ("semicontinuous", "semiinteger"):
        return []
    where = f"variable {v.name}"
    out = []
    if v.upper is None or not math.isfinite(v.upper):
        out.append(Issue("needs_bound", where, v.name,
                         f"{v.domain} variable `{v.name}` has no upper bound (it is 0 or "
                         f"between lower and upper)",
                         f"Give `{v.name}` an upper bound (`upper: ...`), e.g. its capacity."))
    if v.lower is None or v.lower < 0:
        shown = "no lower bound" if v.lower is None else f"the lower bound {v.lower:g}"
        out.append(Issue("bounds", where, v.name,
                         f"{v.domain} variable `{v.name}` has {shown}; it is 0 or at least "
                         f"its lower bound, which must be >= 0",
                         f"Set `lower` of `{v.name}` to the smallest value it takes when not 0 "
                         f"(e.g. a minimum lot size), or make it continuous."))
    return out


def _product(sizes: object) -> int:
    out = 1
    for n in sizes:  # type: ignore[attr-defined]
        out *= n
    return out


def _bindings(binder: object) -> int:
    """How many bindings a forall or generator makes at most (filters not counted)."""
    if binder is None:
        return 1
    return _product(len(elements) for _, elements, _ in binder.levels)  # type: ignore[attr-defined]


def estimate_terms(node: Node) -> int:
    """An upper bound on the work of evaluating ``node`` once, in terms: every variable
    reference counts once per binding of the sums around it, a sum of constants once per
    binding (from the set sizes, filters not counted; walked without recursion)."""
    total = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        n, mult = stack.pop()
        if isinstance(n, (VarRef, VarScalar)):
            total += mult
            continue
        if isinstance(n, Sum):
            k = mult * _bindings(n.binder)
            if n.degree:
                stack.append((n.body, k))
            else:
                total += k
            continue
        for child in vars(n).values():
            if isinstance(child, Node):
                stack.append((child, mult))
            elif isinstance(child, list):
                stack.extend((c, mult) for c in child if isinstance(c, Node))
    return total


def size_issues(a: Analysis) -> list[Issue]:
    """Rows and nonzeros of the model, estimated from the set sizes before anything is
    built; an issue naming the constraint, the number found and the limit when the model
    is beyond :data:`~optimus.budget.MAX_ROWS` or :data:`~optimus.budget.MAX_NONZEROS`."""
    out: list[Issue] = []
    rows = terms = 0
    for c, cc in a.constraints:
        n = _bindings(cc.binder)
        rows += n
        per_row = estimate_terms(cc.body)
        terms += n * per_row
        if rows > MAX_ROWS:
            out.append(Issue("too_large", f"constraint {c.name}", c.name,
                             f"the model would have up to {rows:,} constraint rows (the forall "
                             f"of `{c.name}` makes {n:,}); the limit is {MAX_ROWS:,}",
                             "Index constraints by fewer or smaller sets."))
            return out
        if terms > MAX_NONZEROS:
            out.append(Issue("too_large", f"constraint {c.name}", c.name,
                             f"the model would have up to {terms:,} nonzero coefficients "
                             f"(`{c.name}`: {n:,} row(s) of up to {per_row:,} terms); the "
                             f"limit is {MAX_NONZEROS:,}",
                             "Sum over fewer or smaller sets, or aggregate with parameters."))
            return out
    if a.objective is not None:
        n = estimate_terms(a.objective)
        if n > MAX_NONZEROS:
            out.append(Issue("too_large", "objective", None,
                             f"the objective would have up to {n:,} terms; the limit is "
                             f"{MAX_NONZEROS:,}", "Sum over fewer or smaller sets."))
    return out


def check(f: Formulation) -> list[Issue]:
    """Validate ``f`` statically; return every issue found (empty list when valid)."""
    return analyze(f).issues
