"""The word rules of the offline reader: named, registered, each with its examples.

A rule reads one phrasing of a word problem ("at most 50 tables", "twice as many A as B")
and emits typed clauses into the :class:`~optimus.offline.reading.Reading`: a
:class:`~optimus.offline.reading.Fact` (a coefficient), a
:class:`~optimus.offline.reading.Limit` (a bound on an attribute total), a
:class:`~optimus.offline.reading.LinCon` (a constraint, of a :class:`ClauseKind`), or the
objective. It is registered with :func:`rule`::

    @rule("more_than", kind=RuleKind.PART, examples=[
        Example("There must be at least 10 more tables than chairs.",
                ["linear: table - chair >= 10"])])
    def read_more_than(p: Part) -> bool: ...

and runs where its :class:`RuleKind` says, in the order of :data:`ORDER` (first match: a
rule that returns True ends its chain; a rule of :data:`NON_EXCLUSIVE` never ends it).
:func:`run_rules` is the one dispatcher: it records which rules fired and what they emitted
(``Reading.fired``), tags every emitted clause with the rule's name, and turns an error
inside a rule into an abstention that names the rule (``Reading.failed``, shown as a
:attr:`~optimus.offline.doubts.DoubtKind.RULE_FAILED` doubt).

Each rule's examples run as tests (``tests/test_offline_rules.py``): the example's text is
read between sentences that name the variables ("A company makes tables and chairs."), and
the rule must fire on it and emit exactly the clauses listed, rendered by :func:`render`:

    >>> from optimus.offline.reading import LinCon
    >>> render(LinCon({0: 1.0, 1: -2.0}, ">=", 0.0, ClauseKind.MULTIPLE, ""), ["table", "chair"])
    'multiple: table - 2*chair >= 0'

The rules are registered when :mod:`optimus.offline.parse` is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from optimus._compat import StrEnum
from optimus.offline.reading import ClauseKind, Fact, Goal, Limit, LinCon, Pending, Reading
from optimus.offline.tokens import Token

__all__ = ["RuleKind", "Example", "Rule", "Sentence", "Part", "Firing", "rule", "registry",
           "run_rules", "render", "ORDER", "NON_EXCLUSIVE", "ClauseKind"]


class RuleKind(StrEnum):
    """Where a rule runs."""

    SENTENCE = "sentence"  # on a whole sentence, before its comparatives are looked for
    CLAUSE = "clause"  # on a whole sentence, once its comparatives ("at least", ...) are known
    PART = "part"  # on one comparative part of a sentence ("at most 50 tables")


#: The order of each chain (first match). A new rule must be placed here.
ORDER: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.SENTENCE: (
        "pending_bound",  # "This score must be at least 15": the bound of the expression before
        "shared_supply",  # "A farm has 200 acres for wheat and corn"
        "question_apart",  # "If at least 1000 units must be moved, minimize ...": two readings
        "rounding",  # "... rounded to the nearest dollar": the rounding figures are no data
        "formula_aside",  # "(i.e., x - 0.5y >= 3000)": the formula says it exactly
        "intervals",  # "x1: [0, 3000]", "0-15 units for X1" (never ends the chain)
        "chained_bounds",  # "1000 <= hydro <= 4000" (never ends the chain)
        "from_to",  # "X can range from 0 to 1500" (never ends the chain)
        "objective",  # "... to maximize profit" (never ends the chain)
    ),
    RuleKind.CLAUSE: (
        "definition",  # "This ROI is calculated as 5 times X plus 3 times Y."
        "multiple_as",  # "there must be 2 times as many A as B" (no comparative)
        "sentence_limits",  # "150 hours of labor are available" (no variable named)
        "sentence_facts",  # "a table requires 8 hours of labor"
        "comparatives",  # a sentence with comparatives: each part goes to the PART chain
    ),
    RuleKind.PART: (
        "each_head_bound",  # "Each press can run at most 12 hours"
        "attribute_limit",  # "at most 150 hours of labor" (no variable named)
        "respectively_bounds",  # "the maximum for X and Y being 60 and 70 respectively"
        "respectively_facts",  # "X and Y cost 3 and 4 respectively, at most ..."
        "each_bound",  # "at least 1 unit each must be built for both types"
        "var_is_number",  # "the maximum for X is 700 units and for Y is 500 units"
        "ratio",  # "at least 30% of the total must be X"
        "more_than",  # "at least 10 more tours in X than in Y"
        "multiple",  # "at least 3 times as many A as B"
        "limit_with_facts",  # "limited to 10000 tons, with each tank weighing 3 tons ..."
        "number_of_any",  # "at least 1000 t-shirts or hoodies"
        "bounds",  # "at most 50 A and 30 B"
        "single_bound",  # "a minimum of 400 vehicles must be allocated to route X"
        "count_must_be",  # "at least 25 must be boxes"
        "amounts_after",  # "peppers and tomatoes must contain at least 130 units of spice"
        "linear",  # "2 units of X and 3 units of Y cannot exceed 50" (the last resort)
    ),
}
#: rules that may emit but never end their chain
NON_EXCLUSIVE = frozenset({"intervals", "chained_bounds", "from_to", "objective"})


@dataclass(frozen=True)
class Example:
    """A sentence a rule must read, and the clauses it must emit (see :func:`render`).

    ``variables`` names the decision variables: the sentence is read between
    "A company makes <variables>." and "How many <variables> should it make?" (so
    "tables and chairs" gives the variables table and chair).
    """

    text: str
    emits: list[str]
    variables: str = "tables and chairs"


@dataclass
class Sentence:
    """A sentence being read: its tokens, its text, and what the earlier rules found."""

    toks: list[Token]
    text: str
    sent: int  # index of the sentence in the text
    nvars: int
    r: Reading
    span: tuple[int, int] | None = None  # tokens of the objective phrase
    rels: list[tuple[int, int, str]] = field(default_factory=list)  # the comparatives


@dataclass
class Part:
    """One comparative part ``toks[lo:hi]`` of a sentence: comparative at ``toks[s:e]``."""

    toks: list[Token]
    lo: int
    hi: int
    s: int
    e: int
    rel: str
    sent: int
    nvars: int
    r: Reading
    text: str  # the part's own text
    specific: set[int] = field(default_factory=set)  # the variables named in the part


@dataclass(frozen=True)
class Rule:
    """A registered rule: ``fn(context) -> bool`` (True: the phrasing was read)."""

    name: str
    kind: RuleKind
    fn: Callable[..., bool]
    examples: tuple[Example, ...]
    doc: str


@dataclass
class Firing:
    """A rule that fired on a sentence, and what it emitted."""

    rule: str
    sent: int  # index of the sentence
    clauses: list[object]  # what it emitted, with what the rules it ran emitted
    own: list[object] = field(default_factory=list)  # what it emitted itself


_REGISTRY: dict[str, Rule] = {}


def rule(name: str, *, kind: RuleKind, examples: list[Example] | None = None
         ) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    """Register ``fn`` as the rule ``name`` of chain ``kind``, with its examples.

    The name must be placed in :data:`ORDER` (the order of the chain is explicit).
    """
    if name not in ORDER[kind]:
        raise ValueError(f"rule {name!r} is not placed in rules.ORDER[{kind!s}]: add it there "
                         "at the position where it must run")
    if name in _REGISTRY:
        raise ValueError(f"rule {name!r} is registered twice: give the second one another name")

    def register(fn: Callable[..., bool]) -> Callable[..., bool]:
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        _REGISTRY[name] = Rule(name, kind, fn, tuple(examples or ()), doc)
        return fn

    return register


def registry(kind: RuleKind | None = None) -> list[Rule]:
    """The registered rules (of ``kind``), in the order they run."""
    kinds = [kind] if kind is not None else list(RuleKind)
    return [_REGISTRY[n] for k in kinds for n in ORDER[k] if n in _REGISTRY]


def _state(r: Reading) -> tuple:
    return (len(r.cons), len(r.facts), len(r.limits), r.sense, dict(r.obj_words), r.pending)


def _emitted(r: Reading, before: tuple) -> list[object]:
    """The clauses emitted since ``before`` (a goal as it now reads, a pending expression)."""
    n_cons, n_facts, n_limits, sense, words, pending = before
    out: list[object] = [*r.cons[n_cons:], *r.facts[n_facts:], *r.limits[n_limits:]]
    if r.sense != sense or r.obj_words != words:
        out.append(r.goal)
    if r.pending is not None and r.pending is not pending:
        out.append(r.pending)
    return out


def _own(clauses: list[object], nested: list[Firing]) -> list[object]:
    """The clauses a rule emitted itself, not through the rules it ran (``comparatives``)."""
    theirs = [c for f in nested for c in f.clauses]
    return [c for c in clauses if not any(c is x for x in theirs)]


def run_rules(kind: RuleKind, ctx: Sentence | Part) -> bool:
    """Run the rules of ``kind`` on ``ctx`` in :data:`ORDER`; True when one read it.

    Each rule that fires is recorded in ``ctx.r.fired`` with the clauses it emitted (those
    it emitted itself, not through the rules it ran as ``comparatives`` does, are tagged
    with its name). A rule that raises is recorded in ``ctx.r.failed`` (the
    reading will abstain naming it) and ends the chain.
    """
    r = ctx.r
    for name in ORDER[kind]:
        entry = _REGISTRY.get(name)
        if entry is None:
            continue
        before = _state(r)
        n_fired = len(r.fired)
        try:
            done = entry.fn(ctx)
        except Exception as exc:  # noqa: BLE001 - a rule's bug: an abstention that names it
            detail = str(exc).splitlines()[0][:120] if str(exc) else ""
            r.failed.append((name, f"the offline rule '{name}' failed on this text "
                                   f"({type(exc).__name__}{': ' + detail if detail else ''}); "
                                   "please report it"))
            return True
        clauses = _emitted(r, before)
        own = _own(clauses, r.fired[n_fired:])
        for c in own:
            if isinstance(c, Goal) or (isinstance(c, (Fact, Limit, LinCon)) and not c.rule):
                c.rule = name  # a goal read again is the later rule's
        if done or clauses:
            r.fired.append(Firing(name, ctx.sent, clauses, own))
        if done and name not in NON_EXCLUSIVE:
            return True
    return False


def _term(c: float, name: str, first: bool) -> str:
    sign = "-" if c < 0 else "+"
    mag = abs(c)
    body = name if abs(mag - 1.0) < 1e-12 else f"{mag:g}*{name}"
    if first:
        return ("-" if c < 0 else "") + body
    return f" {sign} {body}"


def render(clause: object, names: list[str]) -> str:
    """A clause as the examples write it: "bound: table <= 50", "fact: chair = 3",
    "limit: <= 120", "objective: maximize", "pending: 5*X + 3*Y".

    >>> from optimus.offline.reading import Fact
    >>> render(Fact(1, 3.0, {}, False, 0, None), ["table", "chair"])
    'fact: chair = 3'
    """
    def expr(coefs: dict[int, float]) -> str:
        out = ""
        for i, (v, c) in enumerate(coefs.items()):
            out += _term(c, "all" if v == -1 else names[v], i == 0)
        return out or "0"

    if isinstance(clause, LinCon):
        return f"{clause.kind}: {expr(clause.coefs)} {clause.rel} {clause.rhs:g}"
    if isinstance(clause, Fact):
        return f"fact: {names[clause.var]} = {clause.value:g}"
    if isinstance(clause, Limit):
        return f"limit: {clause.rel} {clause.value:g}"
    if isinstance(clause, Goal):
        return f"objective: {clause.sense}"
    if isinstance(clause, Pending):
        return f"pending: {expr(clause.coefs)}"
    return repr(clause)
