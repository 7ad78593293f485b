"""What the offline reader finds in a text: facts, limits, constraints and the objective."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from optimus._compat import StrEnum
from optimus.offline.lexicon import SEPARATORS
from optimus.offline.tokens import Token


class ClauseKind(StrEnum):
    """The kind of a constraint read from the words (it names the constraint: "bound_1")."""

    BOUND = "bound"  # one variable against a number: "at most 50 tables"
    RATIO = "ratio"  # a share of the total: "at least 30% of the total must be X"
    TOTAL = "total"  # the variables together: "at least 1000 t-shirts or hoodies"
    LINEAR = "linear"  # any linear expression: "2 X and 3 Y cannot exceed 50"
    MULTIPLE = "multiple"  # one variable a multiple of another: "twice as many A as B"
    RESOURCE = "resource"  # a limit with its coefficients: "10000 tons, each tank 3 tons"


@dataclass
class Fact:
    """``var`` gets ``value`` of an attribute described by ``attr`` (stem -> weight)."""

    var: int
    value: float
    attr: dict[str, float]
    money: bool
    sent: int
    tok: Token
    rule: str = ""  # the rule that read it


@dataclass
class Limit:
    """A bound on an attribute total (no variable named): ``rel`` is <=, >= or ==."""

    value: float
    rel: str
    attr: dict[str, float]
    money: bool
    sent: int
    tok: Token
    text: str
    totalish: bool = False
    counts_items: bool = False
    rule: str = ""  # the rule that read it


@dataclass
class LinCon:
    """A constraint read directly: ``sum(coefs[v] * v) rel rhs``; v = -1 means every var."""

    coefs: dict[int, float]
    rel: str
    rhs: float
    kind: ClauseKind
    text: str
    rule: str = ""  # the rule that read it


@dataclass
class Goal:
    """The objective read from the words: its direction and the words naming what is
    optimized (stem -> weight; "<cost>", "<gain>", "<number>" for classes)."""

    sense: str | None = None  # "maximize" or "minimize"
    words: dict[str, float] = field(default_factory=dict)
    text: str = ""  # the phrase after the goal verb ("the total profit")
    rule: str = ""  # the rule that read it


class Pending(NamedTuple):
    """An expression waiting for its bound in the next sentence ("... a score, calculated as
    5 X plus 3 Y. This score must be at least 15")."""

    coefs: dict[int, float]
    rel: str | None
    words: set[str]  # the words that name it ("score")
    problem: int  # index of the abstention reason its bound removes; -1 when none


@dataclass
class Reading:
    """Everything read from a text: the typed clauses of the rules.

    ``sense``, ``obj_words`` and ``obj_text`` are the fields of ``goal``.
    """

    facts: list[Fact] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    cons: list[LinCon] = field(default_factory=list)
    goal: Goal = field(default_factory=Goal)
    var_units: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    # "... a minimum score, calculated as 5 X plus 3 Y. This score must be at least 15": an
    # expression waiting for its bound in the next sentence (coefs, rel, words, problem index)
    pending: Pending | None = None
    fired: list[Any] = field(default_factory=list)  # rules.Firing: the rules that read something
    failed: list[tuple[str, str]] = field(default_factory=list)  # (rule, message): rules that raised


    @property
    def sense(self) -> str | None:
        return self.goal.sense

    @sense.setter
    def sense(self, value: str | None) -> None:
        self.goal.sense = value

    @property
    def obj_words(self) -> dict[str, float]:
        return self.goal.words

    @obj_words.setter
    def obj_words(self, value: dict[str, float]) -> None:
        self.goal.words = value

    @property
    def obj_text(self) -> str:
        return self.goal.text

    @obj_text.setter
    def obj_text(self, value: str) -> None:
        self.goal.text = value

def segments(toks: list[Token], lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the clauses of ``toks[lo:hi]`` between separators (",", "and", ...).

    The "and" of "between 2 and 5" does not separate.
    """
    hi = len(toks) if hi is None else hi
    out = []
    s = lo
    for i in range(lo, hi):
        if toks[i].low in SEPARATORS and not (toks[i].low == "and" and i > 0 and
                                              toks[i - 1].low == "between"):
            if i > s:
                out.append((s, i))
            s = i + 1
    if hi > s:
        out.append((s, hi))
    return out


def var_mentions(toks: list[Token], lo: int, hi: int) -> list[tuple[int, int]]:
    """(token index, variable) of each mention of a specific variable in ``toks[lo:hi]``
    (a mention of several tokens counts once, at its first token)."""
    out = []
    for k in range(lo, hi):
        if toks[k].var is not None and toks[k].var >= 0 and (k == lo or toks[k - 1].var != toks[k].var):
            out.append((k, toks[k].var))
    return out


def mark_numbers_used(toks: list[Token], lo: int, hi: int) -> None:
    """Mark every number of ``toks[lo:hi]`` as consumed by a rule."""
    for t in toks[lo:hi]:
        if t.is_num:
            t.used = True
