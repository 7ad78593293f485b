"""A small grammar for problems written as formulas: read exactly, or rejected with a position.

"Maximize 3x + 2y subject to x + y <= 4, x + 3y <= 6, x, y >= 0" is not a word problem to
be guessed at: it is a formula, and :func:`read_formula` parses it with a tokenizer and a
recursive-descent parser (no ``eval``) into typed clauses (:class:`ObjectiveClause`,
:class:`Relation`, :class:`DomainClause`) that :func:`assemble` turns into a
:class:`~optimus.formulation.Formulation`. A text that is a formula but does not parse is
rejected with the character offset and the text of what was not understood
(:class:`FormulaError`); a text that is not a formula at all gives ``None`` (the word
reader takes it).

    >>> r = read_formula("Maximize 3x + 2y subject to x + y <= 4, x + 3y <= 6, x, y >= 0")
    >>> r.formulation.objective.expression, [c.expression for c in r.formulation.constraints]
    ('3*x + 2*y', ['x + y <= 4', 'x + 3*y <= 6'])
    >>> read_formula("Maximize 3x + 2y subject to x + y <= 4 hours").error.describe()
    "at character 39 ('hours'): 'hours' after a number reads as a unit, not a variable (drop units from formulas)"

What it reads:

* objectives: ``maximize``/``minimize`` (``max``, ``min``, ``maximise``, "find the maximum
  of"), with an optional name (``Z = ...``, ``profit: ...``);
* constraints: linear expressions with ``<= >= = < >``, ``≤ ≥``, LaTeX ``\\leq \\geq``, the
  words "at most", "at least", "no more than", "no less than", "not more than",
  "cannot exceed", "less/greater than or equal to", "equal to", chains
  (``0 <= x <= 5``), an optional label (``labor: 3x + 2y <= 120``);
* coefficients: ``3x``, ``3*x``, ``2.5x``, ``-x``, ``x/2``, ``2(x + y)``, percentages;
* domains: "x, y >= 0", "nonnegative", "integer(s)", "binary", "free", "x, y in Z", "all
  variables are integers", ``x1, ..., x4``, "x_i >= 0 for all i";
* separators: commas, semicolons, "and", newlines, full stops; introduced by "subject
  to", "s.t.", "where", "such that", "given", "constraints:".

Strict inequalities are read exactly over integers (``x + y < 5`` is ``x + y <= 4`` when
x, y and the coefficients are integers) and rejected otherwise.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field

from optimus.formulation import Constraint, Formulation, Objective, Variable

__all__ = ["FormulaError", "FormulaReading", "Lin", "Relation", "DomainClause",
           "ObjectiveClause", "looks_like_formula", "read_formula", "parse_statement",
           "assemble", "format_relation", "format_lin", "MAX_FORMULA_CHARS"]

MAX_FORMULA_CHARS = 20_000
MAX_VARIABLES = 500


class FormulaError(Exception):
    """What was not understood: ``position`` (character offset), ``found`` (its text)."""

    def __init__(self, message: str, position: int, found: str):
        self.message = message
        self.position = position
        self.found = found
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"at character {self.position} ({self.found!r}): {self.message}"


# ----------------------------------------------------------------------------- tokens
@dataclass(frozen=True)
class Tok:
    kind: str  # NUM NAME OP REL SEP INTRO EOF OTHER
    text: str  # the normalized text (REL: <=, >=, ==, <, >; NAME: as written; SEP: , ; and nl .)
    pos: int
    value: float = 0.0
    glued: bool = False  # no space before this token (3x)

    @property
    def low(self) -> str:
        return self.text.lower()


_TOKEN_RE = re.compile(r"""
  (?P<nl>\\\\|\\n(?![a-z])|\r?\n)
 |(?P<ws>[ \t\f\v]+|\$|\\[,;!:]|\\quad|\\qquad|\\left|\\right|\\text\s*\{[^}]*\}|\\mathrm)
 |(?P<le>\\leq?slant\b|\\leq?(?![a-z])|<=|=<|≤|⩽)
 |(?P<ge>\\geq?slant\b|\\geq?(?![a-z])|>=|=>|≥|⩾)
 |(?P<ne>\\neq?(?![a-z])|!=|≠)
 |(?P<eq>==|=)
 |(?P<lt>\\lt(?![a-z])|<)
 |(?P<gt>\\gt(?![a-z])|>)
 |(?P<mul>\\cdot(?![a-z])|\\times(?![a-z])|[*×·⋅])
 |(?P<in>\\in(?![a-z])|∈)
 |(?P<forall>\\forall(?![a-z])|∀)
 |(?P<integers>\\mathbb\s*\{?\s*Z\s*\}?(?:\s*[_^]\s*\{?\s*\+\s*\}?|\+)?|ℤ\+?)
 |(?P<reals>\\mathbb\s*\{?\s*R\s*\}?(?:\s*[_^]\s*\{?\s*\+\s*\}?|\+)?|ℝ\+?)
 |(?P<ellipsis>\.\.\.|…|\\ldots|\\dots|\.\.)
 |(?P<st>(?<![A-Za-z])s\.\s?t\.?(?![A-Za-z]))
 |(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)(?!,\d)|\d+(?:\.\d+)?|\.\d+)
 |(?P<name>[A-Za-z][A-Za-z0-9]*(?:_\{?[A-Za-z0-9]+\}?)?)
 |(?P<minus>[-−–])
 |(?P<op>[+/()\[\]{}:%])
 |(?P<sep>[,;])
 |(?P<end>[.?!])
 |(?P<other>.)
""", re.VERBOSE)

_REL_OF = {"le": "<=", "ge": ">=", "eq": "==", "lt": "<", "gt": ">", "ne": "!="}


def tokenize(text: str) -> list[Tok]:
    """The tokens of ``text``, each with its character offset (whitespace dropped)."""
    out: list[Tok] = []
    prev_end = -1
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "other"
        s = m.group()
        glued = m.start() == prev_end
        if kind == "ws":
            continue
        prev_end = m.end()
        if kind == "nl":
            out.append(Tok("SEP", "nl", m.start()))
        elif kind in _REL_OF:
            out.append(Tok("REL", _REL_OF[kind], m.start()))
        elif kind == "mul":
            out.append(Tok("OP", "*", m.start()))
        elif kind == "minus":
            out.append(Tok("OP", "-", m.start()))
        elif kind == "in":
            out.append(Tok("NAME", "in", m.start()))
        elif kind == "forall":
            out.append(Tok("NAME", "forall", m.start()))
        elif kind == "integers":
            out.append(Tok("NAME", "ℤ+" if "+" in s else "ℤ", m.start()))
        elif kind == "reals":
            out.append(Tok("NAME", "ℝ+" if "+" in s else "ℝ", m.start()))
        elif kind == "ellipsis":
            out.append(Tok("OP", "...", m.start()))
        elif kind == "st":
            out.append(Tok("INTRO", "s.t.", m.start()))
        elif kind == "num":
            out.append(Tok("NUM", s, m.start(), float(s.replace(",", "")), glued))
        elif kind == "name":
            name = re.sub(r"_\{?([A-Za-z0-9]+)\}?$", r"_\1", s)
            out.append(Tok("NAME", name, m.start(), glued=glued))
        elif kind == "op":
            out.append(Tok("OP", s, m.start()))
        elif kind == "sep":
            out.append(Tok("SEP", s, m.start()))
        elif kind == "end":
            out.append(Tok("SEP", ".", m.start()))
        else:
            out.append(Tok("OTHER", s, m.start()))
    out.append(Tok("EOF", "", len(text)))
    return out


# ----------------------------------------------------------------------------- lexicon
MAX_WORDS = {"maximize", "maximise", "max", "maximum", "maximization", "maximisation"}
MIN_WORDS = {"minimize", "minimise", "min", "minimum", "minimization", "minimisation"}
INTRO_WORDS = {"subject", "to", "where", "such", "that", "given", "constraints", "constraint",
               "with", "under", "following", "the", "conditions", "restrictions", "st",
               "satisfying", "s"}
DOMAIN_WORDS = {"nonnegative", "integer", "integers", "integral", "binary", "free",
                "unrestricted", "continuous", "real", "reals", "boolean", "whole", "non",
                "negative", "positive", "nonneg", "numbers", "number", "valued", "sign", "urs",
                }
LINK_WORDS = {"are", "is", "be", "must", "should", "all", "variables", "variable", "both",
              "each", "and", "for", "every", "forall", "in", "of", "cannot", "can", "not", "no",
              "at", "most", "least", "more", "less", "than", "or", "equal", "equals", "exceed",
              "exceeds", "greater", "smaller", "fewer", "lower", "higher", "also", "only",
              "value", "function", "objective", "find", "solve", "what", "determine", "then"}
RESERVED_WORDS = MAX_WORDS | MIN_WORDS | INTRO_WORDS | DOMAIN_WORDS | LINK_WORDS
# a sentence opening with one of these and holding no number or relation is an instruction
INSTRUCTION_WORDS = {"find", "what", "solve", "determine", "compute", "give", "report",
                     "state", "how", "calculate", "use", "formulate", "obtain", "show",
                     "identify", "please", "provide", "return", "write"}
_UNITS = {"hours", "hour", "units", "unit", "dollars", "dollar", "kg", "tons", "tonnes",
          "litres", "liters", "minutes", "days", "pounds", "lbs", "acres", "items", "pieces",
          "cents", "euros", "grams", "meters", "metres", "km", "miles", "percent", "each"}

# word relations: (words, relation), longest first
_WORD_RELS: list[tuple[tuple[str, ...], str]] = sorted([
    (("at", "most"), "<="), (("no", "more", "than"), "<="), (("not", "more", "than"), "<="),
    (("less", "than", "or", "equal", "to"), "<="), (("smaller", "than", "or", "equal", "to"), "<="),
    (("cannot", "exceed"), "<="), (("can", "not", "exceed"), "<="), (("must", "not", "exceed"), "<="),
    (("should", "not", "exceed"), "<="), (("does", "not", "exceed"), "<="),
    (("do", "not", "exceed"), "<="), (("not", "exceed"), "<="), (("up", "to"), "<="),
    (("at", "least"), ">="), (("no", "less", "than"), ">="), (("not", "less", "than"), ">="),
    (("no", "fewer", "than"), ">="), (("not", "fewer", "than"), ">="),
    (("greater", "than", "or", "equal", "to"), ">="), (("more", "than", "or", "equal", "to"), ">="),
    (("equal", "to"), "=="), (("equals",), "=="), (("exactly",), "=="),
    (("less", "than"), "<"), (("fewer", "than"), "<"), (("smaller", "than"), "<"),
    (("greater", "than"), ">"), (("more", "than"), ">"), (("exceeds",), ">"),
], key=lambda p: -len(p[0]))
_REL_LEAD = {("is",), ("are",), ("must", "be"), ("should", "be"), ("has", "to", "be"),
             ("must",), ("should",), ("be",), ("is", "to", "be")}

_PHRASE_VARS = re.compile(r"[A-Za-z]{1,2}\d*(?:_[A-Za-z0-9]+)?$")  # x, y, x1, ab, x_1

_GOAL_RE = re.compile(r"(?i)(?<![A-Za-z])(?:maximi[sz]e|minimi[sz]e|max|min|find\s+the\s+"
                      r"(?:maximum|minimum)(?:\s+value)?\s+of)(?![A-Za-z])")
_SYM = r"(?:\d+(?:[.,]\d+)*\s*\*?\s*)?[A-Za-z]{1,2}(?:_?\{?\d+\}?)?(?![A-Za-z])"
_TERM = r"(?:" + _SYM + r"|\d+(?:\.\d+)?\s*\*?\s*[A-Za-z]\w*)"
_TWO_TERMS = re.compile(_TERM + r"\s*[-+−]\s*\(?\s*" + _TERM)
_ONE_TERM = re.compile(r"\s*\.?\s*:?\s*(?:[A-Za-z]\w*\s*[=:]\s*)?[-−]?\s*" + _TERM +
                       r"\s*(?:$|\n|[,;]|subject|s\.\s?t|such|where|with)", re.I)


def looks_like_formula(text: str) -> bool:
    """True when a goal word is followed by a formula ("maximize 3x + 2y", "min z = x1 - x2")
    in the same sentence, the text states a comparison, and the text before the goal states
    no figures (a lead-in such as "Solve:", not a story: stories go to the word reader)."""
    if not text or len(text) > MAX_FORMULA_CHARS:
        return False
    if not re.search(r"[<>=≤≥]|\\[lg]eq?|\b(?:at most|at least|no more than|no less than|"
                     r"subject to|s\.t\.)", text, re.I):
        return False
    for m in _GOAL_RE.finditer(text):
        lead = text[:m.start()]
        if re.search(r"\d", lead) and not re.search(r"[<>=≤≥]|\\[lg]eq?", lead):
            return False  # a story with figures, then "maximize ...": the word reader's job
        rest = text[m.end():m.end() + 160]
        rest = re.split(r"[.?!](?=\s|$)", rest, maxsplit=1)[0] if not rest.startswith(".") else rest
        if _TWO_TERMS.search(rest) or _ONE_TERM.match(rest):
            return True
    return False


# ----------------------------------------------------------------------------- clauses
@dataclass
class Lin:
    """``sum(coefs[name] * name) + const``."""

    coefs: dict[str, float] = field(default_factory=dict)
    const: float = 0.0

    @property
    def is_const(self) -> bool:
        return all(abs(c) < 1e-15 for c in self.coefs.values())

    def scaled(self, k: float) -> "Lin":
        return Lin({n: c * k for n, c in self.coefs.items()}, self.const * k)

    def plus(self, other: "Lin", sign: float = 1.0) -> "Lin":
        out = dict(self.coefs)
        for n, c in other.coefs.items():
            out[n] = out.get(n, 0.0) + sign * c
        return Lin(out, self.const + sign * other.const)


@dataclass
class Relation:
    """``lhs rel rhs`` with every variable on the left: ``3x + 2y <= 12``."""

    lhs: Lin
    rel: str  # <=, >=, ==, <, >
    rhs: float
    name: str | None = None
    text: str = ""
    pos: int = 0


@dataclass
class DomainClause:
    """A statement about variables: ``names`` (None = every variable) are ``domain``
    (integer/binary/continuous) and/or have the lower bound ``lower`` ("free" = none)."""

    names: list[str] | None
    domain: str | None = None
    lower: float | str | None = None
    text: str = ""
    pos: int = 0


@dataclass
class ObjectiveClause:
    sense: str  # maximize | minimize
    lin: Lin
    name: str | None = None
    pos: int = 0


@dataclass
class FormulaReading:
    """The result of :func:`read_formula`: a formulation, or the error that stopped it."""

    formulation: Formulation | None
    error: FormulaError | None = None
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str, known: set[str] | None = None):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.known = known  # variables of an existing formulation (chat edits)
        self.clauses: list[object] = []
        self.last_names: list[str] | None = None  # the subject of the previous domain statement

    # -- helpers
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def fail(self, message: str, tok: Tok | None = None) -> FormulaError:
        t = tok or self.tok
        if t.kind == "EOF":
            return FormulaError(message, t.pos, "end of text")
        end = t.pos + max(len(t.text), 1)
        # show the token and a little after it, from the original text
        snippet = self.text[t.pos:max(end, min(len(self.text), t.pos + 20))].split("\n")[0]
        return FormulaError(message, t.pos, snippet.strip() or t.text)

    def words_at(self, words: tuple[str, ...], k: int = 0) -> bool:
        for j, w in enumerate(words):
            t = self.peek(k + j)
            if not (t.kind == "NAME" and t.low == w):
                return False
        return True

    def accept_words(self, *words: str) -> bool:
        if self.words_at(words):
            self.i += len(words)
            return True
        return False

    def is_var_name(self, t: Tok) -> bool:
        return t.kind == "NAME" and t.low not in RESERVED_WORDS and not t.text.startswith(("ℤ", "ℝ"))

    def at_sep(self) -> bool:
        return self.tok.kind in ("SEP", "EOF", "INTRO") or (self.tok.kind == "NAME" and self.tok.low == "and")

    # -- top level
    def problem(self) -> list[object]:
        self.skip_lead_in()
        while True:
            while self.tok.kind == "SEP" or (self.tok.kind == "OP" and self.tok.text == ":") or \
                    (self.tok.kind == "NAME" and self.tok.low == "and"):
                self.i += 1
            if self.tok.kind == "EOF":
                break
            if self.intro():
                continue
            if self.instruction():
                continue
            start = self.i
            if self.objective_start():
                self.objective()
            else:
                self.statement()
            if not (self.at_sep() or self.objective_start() or self.intro_ahead()):
                raise self.fail("expected a separator (comma, semicolon, 'and' or a new line) "
                                "or the end of the statement")
            if self.i == start:  # safety: always progress
                raise self.fail("not understood")
        return self.clauses

    def skip_lead_in(self) -> None:
        """Words before the first goal or "subject to" ("Solve the following LP:")."""
        j = 0
        while j < len(self.toks) and self.toks[j].kind != "EOF":
            self.i = j
            if self.objective_start() or self.tok.kind == "INTRO" or self.words_at(("subject", "to")):
                return
            t = self.toks[j]
            if t.kind in ("NUM", "REL"):
                break
            j += 1
        self.i = 0

    def intro_ahead(self) -> bool:
        return self.tok.kind == "INTRO" or self.words_at(("subject", "to")) or \
            self.words_at(("such", "that")) or self.words_at(("where",)) or \
            self.words_at(("with",)) or self.words_at(("given",))

    def intro(self) -> bool:
        """Consume "subject to (the following constraints):", "s.t.", "where", "such that"."""
        start = self.i
        while True:
            t = self.tok
            if t.kind == "INTRO":
                self.i += 1
            elif t.kind == "NAME" and t.low in INTRO_WORDS and not (
                    self.peek().kind == "REL" or (self.peek().kind == "OP" and self.peek().text in "+-*/")):
                if t.low == "the" and not self.peek().low.startswith(("constraint", "following", "condition", "restriction")):
                    break
                self.i += 1
            elif t.kind == "OP" and t.text == ":" and self.i > start:
                self.i += 1
            elif t.kind == "NAME" and t.low in ("are", "is") and self.i > start and \
                    self.toks[self.i - 1].low in ("constraints", "constraint", "conditions", "restrictions"):
                self.i += 1
            else:
                break
        return self.i > start

    def instruction(self) -> bool:
        """Skip "Find the optimal solution." / "What is the maximum value?" (no figures)."""
        t = self.tok
        if not (t.kind == "NAME" and t.low in INSTRUCTION_WORDS) or self.objective_start():
            return False
        j = self.i
        while self.toks[j].kind not in ("EOF",) and not (self.toks[j].kind == "SEP" and self.toks[j].text in (".", "nl")):
            if self.toks[j].kind in ("NUM", "REL"):
                return False
            j += 1
        self.i = j
        return True

    def objective_start(self) -> bool:
        t = self.tok
        if t.kind != "NAME":
            return False
        if t.low in MAX_WORDS | MIN_WORDS:
            nxt = self.peek()
            return not (nxt.kind == "REL")  # "max <= 4": not a goal
        return t.low == "find" and self.peek().low == "the" and self.peek(2).low in ("maximum", "minimum")

    def objective(self) -> None:
        t = self.tok
        if t.low == "find":
            self.i += 2
            t = self.tok
        sense = "maximize" if t.low in MAX_WORDS else "minimize"
        pos = t.pos
        self.i += 1
        if self.tok.kind == "SEP" and self.tok.text == ".":  # "max." / "min."
            self.i += 1
        self.accept_words("value")
        self.accept_words("of")
        if self.tok.kind == "OP" and self.tok.text == ":":
            self.i += 1
        self.accept_words("the")
        while self.accept_words("function") or self.accept_words("objective"):
            pass
        name = None
        if self.tok.kind == "NAME" and self.peek().kind in ("REL", "OP") and \
                (self.peek().text == "==" or self.peek().text == ":"):
            name = self.tok.text
            self.i += 2
        elif self.tok.kind == "NAME" and self.peek().kind == "OP" and self.peek().text == "(" :
            # f(x, y) = ...
            j = self.i + 2
            while self.toks[j].kind in ("NAME", "SEP") and self.toks[j].text not in (".", "nl", ";"):
                j += 1
            if self.toks[j].text == ")" and self.toks[j + 1].text == "==":
                name = self.tok.text
                self.i = j + 2
        elif self.tok.kind == "NAME" and self.is_var_name(self.tok) and len(self.tok.text) > 2 and \
                (self.peek().kind == "NUM" or self.peek().text == "(" or
                 (self.is_var_name(self.peek()) and self.peek(2).kind == "OP")) and \
                sum(1 for x in self.toks if x.kind == "NAME" and x.text == self.tok.text) == 1:
            name = self.tok.text  # "maximize profit 3x + 2y": the objective's name
            self.i += 1
        lin = self.expr()
        if lin.is_const:
            raise self.fail("the objective has no variable", t)
        if any(isinstance(c, ObjectiveClause) for c in self.clauses):
            raise self.fail("a second objective (only one maximize/minimize is read)", t)
        self.clauses.append(ObjectiveClause(sense, lin, name, pos))

    # -- statements
    def statement(self) -> None:
        start_tok = self.tok
        label = None
        if self.tok.kind == "OP" and self.tok.text == "(" and self.peek().kind == "NUM" and \
                self.peek(2).text == ")":
            label = f"c{int(self.peek().value)}"  # "(1) x + y <= 4"
            self.i += 3
        elif self.tok.kind == "NAME" and self.tok.low not in RESERVED_WORDS and \
                self.peek().kind == "OP" and self.peek().text == ":":
            label = self.tok.text  # "labor: 3x + 2y <= 120"
            self.i += 2
        if self.domain_statement():
            return
        self.relation_statement(label, start_tok)

    def domain_words(self) -> tuple[str | None, float | str | None] | None:
        """"nonnegative integers", "binary", "integer", "free", "in Z": (domain, lower)."""
        domain: str | None = None
        lower: float | str | None = None
        found = False
        while True:
            t = self.tok
            if t.kind == "NAME" and t.low in ("non", "nonneg") or (
                    t.kind == "NAME" and t.low == "non" and self.peek().text == "-"):
                j = 1
                if self.peek().text == "-":
                    j = 2
                if self.peek(j).low == "negative":
                    self.i += j + 1
                    lower, found = 0.0, True
                    continue
                if t.low == "nonneg":
                    self.i += 1
                    lower, found = 0.0, True
                    continue
                raise self.fail("expected 'non-negative'")
            if t.kind == "NAME" and t.low == "nonnegative":
                self.i += 1
                lower, found = 0.0, True
            elif t.kind == "NAME" and t.low in ("integer", "integers", "integral"):
                self.i += 1
                domain, found = "integer", True
                self.accept_words("valued")
            elif t.kind == "NAME" and t.low == "whole":
                self.i += 1
                self.accept_words("numbers") or self.accept_words("number")
                domain, found = "integer", True
            elif t.kind == "NAME" and t.low in ("binary", "boolean"):
                self.i += 1
                domain, found = "binary", True
            elif t.kind == "NAME" and t.low in ("free", "unrestricted", "urs"):
                self.i += 1
                if self.accept_words("in", "sign"):
                    pass
                lower, found = "free", True
            elif t.kind == "NAME" and t.low in ("continuous", "real", "reals"):
                self.i += 1
                domain, found = "continuous", True
            elif t.kind == "NAME" and t.low == "positive":
                raise self.fail("'positive' is ambiguous: write '>= 0' (non-negative) or '>= 1'")
            elif found and t.kind == "NAME" and t.low in ("and", "numbers", "variables"):
                if t.low == "and" and not self.next_is_domain(1):
                    break
                self.i += 1
            elif found and t.kind == "SEP" and t.text == "," and self.next_is_domain(1):
                self.i += 1
            else:
                break
        return (domain, lower) if found else None

    def next_is_domain(self, k: int) -> bool:
        t = self.peek(k)
        return t.kind == "NAME" and t.low in ("nonnegative", "non", "integer", "integers",
                                              "integral", "binary", "free", "whole", "continuous",
                                              "unrestricted", "boolean")

    def set_literal(self) -> tuple[str | None, float | str | None] | None:
        """``{0, 1}`` after "in": binary."""
        if self.tok.kind == "OP" and self.tok.text in "{[(" and self.peek().kind == "NUM" and \
                self.peek().value == 0 and self.peek(2).text == "," and self.peek(3).kind == "NUM" and \
                self.peek(3).value == 1 and self.peek(4).text in "}])":
            self.i += 5
            return "binary", None
        return None

    def letter_domain(self) -> tuple[str | None, float | str | None] | None:
        """``Z``, ``Z+``, ``N`` (integers, non-negative integers), ``R``, ``R+`` after "in"."""
        t = self.tok
        if t.kind == "NAME" and t.text in ("Z", "N", "R", "ℤ", "ℝ", "ℤ+", "ℝ+"):
            self.i += 1
            plus = t.text.endswith("+") or (self.tok.kind == "OP" and self.tok.text == "+" and
                                            self.tok.pos == t.pos + len(t.text))
            if plus and not t.text.endswith("+"):
                self.i += 1
            if t.text.startswith(("R", "ℝ")):
                return "continuous", (0.0 if plus else "free")
            return "integer", (0.0 if plus or t.text == "N" else "free")
        return None

    def var_list(self) -> list[str] | None:
        """``x, y`` / ``x and y`` / ``x1, ..., x4`` / ``x_i`` (then "for all i"); None if absent."""
        j = self.i
        names: list[str] = []
        while True:
            t = self.toks[j]
            if not self.is_var_name(t):
                return None
            if t.text in ("forall",):
                return None
            names.append(t.text)
            j += 1
            if self.toks[j].kind == "SEP" and self.toks[j].text == "," and self.toks[j + 1].kind == "OP" \
                    and self.toks[j + 1].text == "..." :
                j += 2
                if self.toks[j].kind == "SEP" and self.toks[j].text == ",":
                    j += 1
                end = self.toks[j]
                names = names[:-1] + self.expand_range(names[-1], end)
                j += 1
            elif self.toks[j].kind == "OP" and self.toks[j].text == "...":
                end = self.toks[j + 1]
                names = names[:-1] + self.expand_range(names[-1], end)
                j += 2
            if self.toks[j].kind == "SEP" and self.toks[j].text == "," and self.is_var_name(self.toks[j + 1]):
                if self.toks[j + 1].low in ("and",):
                    j += 2
                else:
                    j += 1
                continue
            if self.toks[j].kind == "NAME" and self.toks[j].low == "and" and self.is_var_name(self.toks[j + 1]):
                j += 1
                continue
            break
        # a list must be followed by a domain or a bound, not by an operator
        nxt = self.toks[j]
        if nxt.kind == "OP" and nxt.text in "+-*/(":
            return None
        if nxt.kind == "NUM":
            return None
        self.i = j
        return names

    def expand_range(self, first: str, end: Tok) -> list[str]:
        a = re.match(r"([A-Za-z]+_?)(\d+)$", first)
        b = re.match(r"([A-Za-z]+_?)(\d+|[a-z])$", end.text) if end.kind == "NAME" else None
        if not a or not b or a.group(1) != b.group(1):
            raise self.fail("a range of variables is written like x1, ..., x4", end)
        lo = int(a.group(2))
        if b.group(2).isdigit():
            hi = int(b.group(2))
        else:
            hi = max([int(m.group(1)) for v in self.all_names() if (m := re.match(
                re.escape(a.group(1)) + r"(\d+)$", v))] or [lo])
        if hi < lo or hi - lo > MAX_VARIABLES:
            raise self.fail("a range of variables is written like x1, ..., x4", end)
        return [f"{a.group(1)}{k}" for k in range(lo, hi + 1)]

    def all_names(self) -> list[str]:
        out = list(self.known or [])
        for t in self.toks:
            if self.is_var_name(t) and t.text not in out:
                out.append(t.text)
        return out

    def domain_statement(self) -> bool:
        """Statements about the variables themselves rather than a linear relation."""
        start = self.i
        pos = self.tok.pos
        # "all variables are ...", "variables are integers", "all x_i >= 0"
        names: list[str] | None
        if self.words_at(("all",)) or self.words_at(("variables",)) or self.words_at(("both",)) \
                or self.words_at(("the", "variables")) or self.words_at(("each",)):
            self.accept_words("all") or self.accept_words("both") or self.accept_words("each")
            self.accept_words("the")
            had_variables = self.accept_words("variables") or self.accept_words("variable")
            names = None
            if not had_variables:
                names = self.var_list()
                if names is None:
                    self.i = start
                    return False
            return self.domain_tail(names, pos, start)
        # "integer x, y", "integers: x, y", "binary y"
        dw = self.domain_words()
        if dw is not None:
            if self.tok.kind == "OP" and self.tok.text == ":":
                self.i += 1
            self.accept_words("variables") or self.accept_words("variable")
            names = self.var_list() if self.is_var_name(self.tok) else (
                self.last_names if self.last_names is not None else None)
            self.add_domain(names, dw, pos, start)
            return True
        names = self.var_list()
        if names is None:
            return False
        if len(names) == 1 and self.tok.kind == "REL" and not self.followed_by_const_end(1) \
                and not self.generic(names[0]):
            self.i = start  # "x <= y + 2": a relation
            return False
        if len(names) == 1 and self.tok.kind == "NAME" and self.word_relation_ahead() and \
                not self.generic(names[0]):
            self.i = start  # "x is at most 4": a relation (read as one)
            return False
        if len(names) == 1 and self.tok.kind == "REL" and not self.generic(names[0]):
            self.i = start
            return False
        return self.domain_tail(names, pos, start)

    def generic(self, name: str) -> bool:
        """``x_i`` / ``xi`` / ``x_j`` standing for every numbered x."""
        m = re.match(r"([A-Za-z]+)_?([ijkn])$", name)
        if not m:
            return False
        prefix = m.group(1)
        return any(re.match(re.escape(prefix) + r"_?\d+$", v) for v in self.all_names())

    def expand_generic(self, names: list[str]) -> list[str]:
        out: list[str] = []
        for n in names:
            m = re.match(r"([A-Za-z]+)_?([ijkn])$", n)
            if m and self.generic(n):
                out += [v for v in self.all_names() if re.match(re.escape(m.group(1)) + r"_?\d+$", v)]
            else:
                out.append(n)
        return out

    def followed_by_const_end(self, k: int) -> bool:
        """After the relation at offset k-1: a constant then a separator (``>= 0,``)."""
        j = self.i + k
        if self.toks[j].kind == "OP" and self.toks[j].text == "-":
            j += 1
        return self.toks[j].kind == "NUM" and self.toks[j + 1].kind in ("SEP", "EOF", "INTRO") \
            or self.toks[j].kind == "NUM" and self.toks[j + 1].kind == "NAME" and \
            self.toks[j + 1].low in ("and", "for", "forall", "integer", "integers")

    def word_relation_ahead(self) -> bool:
        for lead in sorted(_REL_LEAD, key=len, reverse=True) + [()]:
            if lead and not self.words_at(lead):
                continue
            for words, _ in _WORD_RELS:
                if self.words_at(words, len(lead)):
                    return True
        return False

    def domain_tail(self, names: list[str] | None, pos: int, start: int) -> bool:
        """After the subject: "are integers", ">= 0", ">= 0 and integer", "in {0, 1}"."""
        if names is not None:
            names = self.expand_generic(names)
        while self.accept_words("are") or self.accept_words("is") or self.accept_words("must") or \
                self.accept_words("be") or self.accept_words("should") or self.accept_words("all"):
            pass
        got = False
        if self.tok.kind == "NAME" and self.tok.low == "in":
            self.i += 1
            dw = self.set_literal() or self.letter_domain() or self.domain_words()
            if dw is None:
                raise self.fail("expected a domain after 'in' ({0, 1}, Z, Z+, R)")
            self.add_domain(names, dw, pos, start)
            got = True
        elif self.tok.kind == "REL" or self.word_relation_ahead():
            rel = self.relation_op()
            neg = 1.0
            if self.tok.kind == "OP" and self.tok.text == "-":
                neg = -1.0
                self.i += 1
            if self.tok.kind != "NUM":
                if names is not None and len(names) == 1:
                    self.i = start
                    return False
                raise self.fail("expected a number after the relation of a list of variables")
            value = neg * self.tok.value
            self.i += 1
            if rel in ("<", ">"):
                raise self.fail("a strict bound on a list of variables: write <= or >=", self.toks[self.i - 2])
            lower: float | str | None = None
            targets = names if names is not None else None
            if rel == ">=":
                lower = value
                self.add_domain(targets, (None, lower), pos, start)
            else:
                for n in (targets if targets is not None else self.all_names()):
                    self.clauses.append(Relation(Lin({n: 1.0}), rel, value, None,
                                                 self.text[pos:self.tok.pos].strip(), pos))
                self.last_names = targets
            got = True
            # ">= 0 and integer", ">= 0, integer"
            k = 0
            if self.tok.kind == "NAME" and self.tok.low == "and" or (self.tok.kind == "SEP" and self.tok.text == ","):
                k = 1
            if self.next_is_domain(k):
                self.i += k
                dw = self.domain_words()
                if dw is not None:
                    self.add_domain(targets, dw, pos, start)
        else:
            dw = self.domain_words()
            if dw is None:
                if names is not None and len(names) >= 1 and start == self.i - len(names) * 2 + 1:
                    pass
                self.i = start
                return False
            self.add_domain(names, dw, pos, start)
            got = True
        self.skip_for_all()
        return got

    def skip_for_all(self) -> None:
        """"for all i", "for each j", "∀ i", "(i = 1, ..., 4)" after a generic statement."""
        if self.words_at(("for",)) and self.peek().low in ("all", "each", "every") and self.peek(2).kind == "NAME":
            self.i += 3
            if self.tok.kind == "NAME" and self.tok.low == "in":
                self.i += 1
                self.skip_brace_range()
        elif self.tok.kind == "NAME" and self.tok.low == "forall" and self.peek().kind == "NAME":
            self.i += 2

    def skip_brace_range(self) -> None:
        if self.tok.text in ("{", "["):
            depth = 0
            while self.tok.kind != "EOF":
                if self.tok.text in ("{", "["):
                    depth += 1
                elif self.tok.text in ("}", "]"):
                    depth -= 1
                    if depth == 0:
                        self.i += 1
                        return
                self.i += 1

    def add_domain(self, names: list[str] | None, dw: tuple[str | None, float | str | None],
                   pos: int, start: int) -> None:
        domain, lower = dw
        text = self.text[pos:self.tok.pos].strip()
        self.clauses.append(DomainClause(names, domain, lower, text, pos))
        self.last_names = names

    def relation_op(self) -> str:
        t = self.tok
        if t.kind == "REL":
            if t.text == "!=":
                raise self.fail("'not equal' is not a linear constraint")
            self.i += 1
            return t.text
        for lead in sorted(_REL_LEAD, key=len, reverse=True) + [()]:
            if lead and not self.words_at(lead):
                continue
            for words, rel in _WORD_RELS:
                if self.words_at(words, len(lead)):
                    self.i += len(lead) + len(words)
                    return rel
        raise self.fail("expected a comparison (<=, >=, =, 'at most', 'at least', ...)")

    def relation_statement(self, label: str | None, start_tok: Tok) -> None:
        pos = self.tok.pos
        lhs = self.expr()
        rels: list[tuple[str, Lin, Tok]] = []
        while self.tok.kind == "REL" or self.word_relation_ahead():
            rt = self.tok
            rel = self.relation_op()
            rhs = self.expr()
            rels.append((rel, rhs, rt))
        if not rels:
            raise self.fail("expected a comparison (<=, >=, =, 'at most', 'at least', ...) "
                            "after the expression")
        text = self.text[pos:self.tok.pos].strip()
        if self.label_paren_ahead():
            words = []
            self.i += 1
            while not (self.tok.kind == "OP" and self.tok.text == ")"):
                words.append(self.tok.text)
                self.i += 1
            self.i += 1
            label = label or "_".join(words)
        terms = [lhs] + [r[1] for r in rels]
        if len(rels) > 2:
            raise self.fail("more than two comparisons in one statement", rels[2][2])
        if len(rels) == 2 and not (rels[0][0] in ("<=", "<") and rels[1][0] in ("<=", "<") or
                                   rels[0][0] in (">=", ">") and rels[1][0] in (">=", ">")):
            raise self.fail("a chain of comparisons must go one way (a <= x <= b)", rels[1][2])
        pairs = [(terms[k], rels[k][0], terms[k + 1], rels[k][2]) for k in range(len(rels))]
        for n, (a, rel, b, rt) in enumerate(pairs):
            if a.is_const and not b.is_const:  # "1 <= y": y >= 1
                a, b, rel = b, a, {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "==": "=="}[rel]
            diff = a.plus(b, -1.0)
            if diff.is_const:
                raise self.fail("a comparison with no variable", rt)
            nm = label if len(pairs) == 1 or label is None else f"{label}_{n + 1}"
            self.clauses.append(Relation(Lin({k: c for k, c in diff.coefs.items() if abs(c) > 1e-15}),
                                         rel, -diff.const, nm, text, pos))

    # -- expressions
    def expr(self) -> Lin:
        out = self.term()
        while self.tok.kind == "OP" and self.tok.text in "+-":
            sign = 1.0 if self.tok.text == "+" else -1.0
            self.i += 1
            out = out.plus(self.term(), sign)
        return out

    def term(self) -> Lin:
        out = self.unary()
        while True:
            t = self.tok
            if t.kind == "OP" and t.text == "*":
                self.i += 1
                out = self.multiply(out, self.unary(), t)
            elif t.kind == "OP" and t.text == "/":
                self.i += 1
                d = self.unary()
                if not d.is_const:
                    raise self.fail("division by a variable is not linear", t)
                if abs(d.const) < 1e-300:
                    raise self.fail("division by zero", t)
                out = out.scaled(1.0 / d.const)
            elif self.implicit_factor(out):
                out = self.multiply(out, self.primary(), t)
            else:
                return out

    def label_paren_ahead(self) -> bool:
        """"x + y <= 12 (land)": a parenthesized label of words ending the statement."""
        if not (self.tok.kind == "OP" and self.tok.text == "("):
            return False
        j = self.i + 1
        words = 0
        while self.toks[j].kind in ("NAME", "NUM"):
            words += self.toks[j].kind == "NAME"
            j += 1
        if not (self.toks[j].kind == "OP" and self.toks[j].text == ")") or j == self.i + 1 or not words:
            return False
        inner = self.toks[self.i + 1:j]
        if len(inner) == 1 and self.is_var_name(inner[0]) and len(inner[0].text) <= 2:
            return False  # "4(x)" is a product
        nxt = self.toks[j + 1]
        return nxt.kind in ("SEP", "EOF", "INTRO") or (nxt.kind == "NAME" and nxt.low == "and")

    def implicit_factor(self, left: Lin) -> bool:
        """``3x``, ``2.5 x``, ``3(x + y)``, ``(x + y)2`` is not: only after a number or ')'."""
        t = self.tok
        prev = self.toks[self.i - 1]
        if t.kind == "NAME" and self.is_var_name(t):
            if prev.kind == "NUM" or (prev.kind == "OP" and prev.text in ")%"):
                return True
            if prev.kind == "NAME" and self.is_var_name(prev):
                raise self.fail(f"{prev.text} {t.text}: two names side by side (a product of "
                                "variables is not linear; a unit or a word is not read)", t)
        if self.label_paren_ahead():
            return False
        if t.kind == "OP" and t.text == "(" and prev.kind in ("NUM",) or (
                t.kind == "OP" and t.text == "(" and prev.kind == "OP" and prev.text == ")"):
            return True
        if t.kind == "NUM" and prev.kind == "NAME" and self.is_var_name(prev):
            raise self.fail(f"a number after the variable {prev.text} (write {t.text}*{prev.text} "
                            "or a separator)", t)
        return False

    def multiply(self, a: Lin, b: Lin, at: Tok) -> Lin:
        if a.is_const:
            return b.scaled(a.const)
        if b.is_const:
            return a.scaled(b.const)
        raise self.fail("a product of variables is not linear", at)

    def unary(self) -> Lin:
        t = self.tok
        if t.kind == "OP" and t.text == "-":
            self.i += 1
            return self.unary().scaled(-1.0)
        if t.kind == "OP" and t.text == "+":
            self.i += 1
            return self.unary()
        return self.primary()

    def primary(self) -> Lin:
        t = self.tok
        if t.kind == "NUM":
            self.i += 1
            v = t.value
            if self.tok.kind == "OP" and self.tok.text == "%":
                self.i += 1
                v /= 100.0
            return Lin({}, v)
        if t.kind == "NAME" and self.is_var_name(t):
            if t.text.startswith(("ℤ", "ℝ")):
                raise self.fail("a domain where a term was expected")
            if t.low in _UNITS and self.toks[self.i - 1].kind == "NUM":
                raise self.fail(f"'{t.text}' after a number reads as a unit, not a variable "
                                "(drop units from formulas)")
            self.i += 1
            return Lin({t.text: 1.0}, 0.0)
        if t.kind == "OP" and t.text in "([":
            close = ")" if t.text == "(" else "]"
            self.i += 1
            inner = self.expr()
            if not (self.tok.kind == "OP" and self.tok.text == close):
                raise self.fail(f"expected '{close}'")
            self.i += 1
            return inner
        if t.kind == "EOF":
            raise self.fail("the text ends where a term was expected")
        if t.kind == "NAME":
            raise self.fail(f"'{t.text}' is not read here (expected a number or a variable)")
        raise self.fail("expected a number or a variable")


# ----------------------------------------------------------------------------- assembly
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_EXPR_RESERVED = {"sum", "len", "min", "max", "abs", "in", "for", "if", "and", "or", "not"}


def _ident(name: str) -> str:
    if keyword.iskeyword(name) or name in _EXPR_RESERVED or not _SAFE_NAME.match(name):
        return f"v_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"
    return name


def _fmt(x: float) -> str:
    if abs(x - round(x)) < 1e-9 and abs(x) < 1e15:
        return str(int(round(x)))
    return repr(round(x, 12))


def format_lin(coefs: dict[str, float], const: float = 0.0) -> str:
    """``3*x + 2*y - 4`` (variables in the order given)."""
    parts: list[str] = []
    for name, c in coefs.items():
        if abs(c) < 1e-15:
            continue
        mag = abs(c)
        term = _ident(name) if abs(mag - 1) < 1e-12 else f"{_fmt(mag)}*{_ident(name)}"
        parts.append(("-" if c < 0 else "+") + term)
    if abs(const) > 1e-15 or not parts:
        parts.append(("-" if const < 0 else "+") + _fmt(abs(const)))
    out = parts[0][1:] if parts[0][0] == "+" else "-" + parts[0][1:]
    for p in parts[1:]:
        out += f" {p[0]} {p[1:]}"
    return out


def format_relation(r: Relation) -> str:
    rel = "==" if r.rel == "==" else r.rel
    return f"{format_lin(r.lhs.coefs)} {rel} {_fmt(r.rhs)}"


def _strict(r: Relation, integer: set[str]) -> Relation:
    """``x + y < 5`` over integers with integer coefficients is ``x + y <= 4``."""
    if r.rel not in ("<", ">"):
        return r
    names = [n for n, c in r.lhs.coefs.items() if abs(c) > 1e-15]
    whole = all(n in integer for n in names) and all(
        abs(c - round(c)) < 1e-9 for c in r.lhs.coefs.values())
    if not whole:
        raise FormulaError("a strict inequality over continuous variables has no exact "
                           "linear form: write <= or >=, or declare the variables integer",
                           r.pos, r.text[:40])
    if r.rel == "<":
        rhs = math.ceil(r.rhs - 1e-9) - 1
        return Relation(r.lhs, "<=", float(rhs), r.name, r.text, r.pos)
    rhs = math.floor(r.rhs + 1e-9) + 1
    return Relation(r.lhs, ">=", float(rhs), r.name, r.text, r.pos)


def assemble(clauses: list[object], *, name: str = "formula", text: str = "") -> tuple[Formulation, list[str]]:
    """The formulation of a list of clauses (one objective), and notes on what was assumed."""
    objs = [c for c in clauses if isinstance(c, ObjectiveClause)]
    if not objs:
        raise FormulaError("no objective (maximize or minimize ...)", 0, text[:20])
    obj = objs[0]
    order: list[str] = []

    def see(n: str) -> None:
        if n not in order:
            order.append(n)

    for n in obj.lin.coefs:
        see(n)
    for c in clauses:
        if isinstance(c, Relation):
            for n in c.lhs.coefs:
                see(n)
    for c in clauses:
        if isinstance(c, DomainClause) and c.names:
            for n in c.names:
                see(n)
    if len(order) > MAX_VARIABLES:
        raise FormulaError(f"more than {MAX_VARIABLES} variables", 0, text[:20])
    domain = {n: "continuous" for n in order}
    lower: dict[str, float | None] = {n: 0.0 for n in order}
    upper: dict[str, float | None] = {n: None for n in order}
    stated_sign: set[str] = set()
    for c in clauses:
        if not isinstance(c, DomainClause):
            continue
        for n in (c.names if c.names is not None else order):
            if c.domain is not None:
                domain[n] = c.domain
            if c.lower == "free":
                lower[n] = None
                stated_sign.add(n)
            elif isinstance(c.lower, float):
                lower[n] = c.lower
                stated_sign.add(n)
    integer = {n for n in order if domain[n] in ("integer", "binary")}
    rels: list[Relation] = []
    for c in clauses:
        if isinstance(c, Relation):
            rels.append(_strict(c, integer))
    constraints: list[Constraint] = []
    used_names: set[str] = set()
    for r in rels:
        live = {n: x for n, x in r.lhs.coefs.items() if abs(x) > 1e-15}
        if len(live) == 1:
            (n, x), = live.items()
            bound = r.rhs / x
            rel = r.rel if x > 0 else {"<=": ">=", ">=": "<=", "==": "=="}[r.rel]
            if rel == ">=" and bound == 0:
                lower[n] = 0.0  # "x >= 0": the sign, not a constraint
                stated_sign.add(n)
                continue
            if rel == ">=" and bound <= 0 and n not in stated_sign:
                lower[n] = bound if bound < 0 else 0.0  # "x >= -5": the variable may go below 0
                stated_sign.add(n)
                if bound == 0:
                    continue
            elif rel == "<=" and bound <= 0 and n not in stated_sign:
                lower[n] = None  # "x <= 0": a non-positive variable, not x = 0
        base = r.name or f"c{len(constraints) + 1}"
        cname = _ident(base)
        k = 2
        while cname in used_names:
            cname = f"{_ident(base)}_{k}"
            k += 1
        used_names.add(cname)
        rel = "==" if r.rel == "==" else r.rel
        constraints.append(Constraint(name=cname, description=r.text[:200] or None,
                                      expression=f"{format_lin(live)} {rel} {_fmt(r.rhs)}"))
    notes: list[str] = []
    assumptions = []
    unsigned = [n for n in order if n not in stated_sign]
    if unsigned:
        assumptions.append("non-negative (not stated): " + ", ".join(unsigned))
    variables = [Variable(name=_ident(n), domain=domain[n],  # type: ignore[arg-type]
                          lower=None if lower[n] is None else lower[n], upper=upper[n])
                 for n in order]
    f = Formulation(name=name, description="Read from the formulas of the text.",
                    assumptions=assumptions, variables=variables, constraints=constraints,
                    objective=Objective(sense=obj.sense, expression=format_lin(obj.lin.coefs, obj.lin.const),  # type: ignore[arg-type]
                                        description=obj.name))
    return f, notes


def _check_words(clauses: list[object], text: str) -> None:
    """A word used as a variable once only, outside the objective, is likely a unit or a word
    of the text ("x + y <= 4 hours" reads hours as a variable): reject it."""
    count: dict[str, int] = {}
    in_obj: set[str] = set()
    first: dict[str, int] = {}
    for c in clauses:
        if isinstance(c, ObjectiveClause):
            in_obj |= set(c.lin.coefs)
        if isinstance(c, Relation):
            for n in c.lhs.coefs:
                count[n] = count.get(n, 0) + 1
                first.setdefault(n, c.pos)
    for n, k in count.items():
        if k == 1 and n not in in_obj and len(n) > 3 and not re.search(r"\d", n):
            m = re.search(r"(?<![A-Za-z0-9_])" + re.escape(n) + r"(?![A-Za-z0-9_])", text)
            pos = m.start() if m else first[n]
            raise FormulaError(f"'{n}' would be a variable that appears once and not in the "
                               "objective: if it is a unit or a word, drop it", pos, n)


def read_formula(text: str, *, force: bool = False) -> FormulaReading | None:
    """Read a problem written as formulas; None when ``text`` is not one (unless ``force``)."""
    if not force and not looks_like_formula(text):
        return None
    if len(text) > MAX_FORMULA_CHARS:
        return FormulaReading(None, FormulaError(f"the text is longer than {MAX_FORMULA_CHARS} characters", 0, text[:20]))
    try:
        p = _Parser(text)
        clauses = p.problem()
        _check_words(clauses, text)
        f, notes = assemble(clauses, text=text)
    except FormulaError as exc:
        return FormulaReading(None, exc)
    return FormulaReading(f, None, notes)


def parse_statement(text: str, known: set[str] | list[str]) -> list[object]:
    """The clauses of one statement about an existing model ("x <= 3", "y integer",
    "maximize 2x + y"); raises :class:`FormulaError`."""
    p = _Parser(text, set(known))
    return p.problem()
